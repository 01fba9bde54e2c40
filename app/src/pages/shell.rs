//! The signed-in frame: tenant, user, navigation to the TCM sections, sign-out.

use crate::api::{SignOut, current_user};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

#[component]
pub fn AdminShell() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if sign_out.value().get().is_some() {
            super::go_to("/signin");
        }
    });
    view! {
        <div class="app">
            <header class="topbar">
                <span class="brand">"Tableau Cloud Manager"</span>
                <Suspense fallback=|| ()>
                    {move || {
                        me.get()
                            .map(|r| match r {
                                Ok(Some(me)) => {
                                    view! {
                                        <span class="tenant" data-testid="tenant-name">{me.tenant_name}</span>
                                        <a class="user" href="/account" data-testid="user-name" title="My Account Settings">
                                            {me.display_name}
                                        </a>
                                    }
                                        .into_any()
                                }
                                _ => view! { <a href="/signin">"Sign in"</a> }.into_any(),
                            })
                    }}
                </Suspense>
                <button class="link" data-testid="sign-out" on:click=move |_| {
                    sign_out.dispatch(SignOut {});
                }>"Sign Out"</button>
            </header>
            <div class="frame">
                <nav class="sidenav">
                    <A href="/">"Home"</A>
                    <A href="/account">"My Account Settings"</A>
                    <A href="/users">"Users"</A>
                    <A href="/authentication">"Authentication"</A>
                    <A href="/sites">"Sites"</A>
                    <A href="/activity">"Activity"</A>
                </nav>
                <main class="content">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
