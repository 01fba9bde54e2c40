//! Patio's Leptos application: the HTML shell, routes, pages and server functions.
//! Server-only code sits behind the single `ssr` module gate.

pub mod api;
pub mod models;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

/// The document around every server-rendered page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Marks the page interactive; end-to-end tests wait for it before clicking.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="patio" href="/pkg/patio.css"/>
        <Title text="Tableau Cloud Manager · Patio"/>
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/signin") view=pages::signin::SignInPage/>
                <ParentRoute path=path!("") view=pages::shell::AdminShell>
                    <Route path=path!("") view=pages::sections::HomePage/>
                    <Route path=path!("account") view=pages::account::AccountPage/>
                    <Route path=path!("users") view=pages::users::UsersPage/>
                    <Route path=path!("authentication") view=pages::authentication::AuthenticationPage/>
                    <Route path=path!("sites") view=pages::sections::SitesPage/>
                    <Route path=path!("activity") view=pages::sections::ActivityPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
