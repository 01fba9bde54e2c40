//! The TCM sections. Sites and Activity read live data; the others are filled by later work
//! (PATs, users, SSO) and say so.

use crate::api::{list_sites, recent_activity};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <h1>"Home"</h1>
        <p>"Manage your tenant's cloud administrators, sign-in methods and sites."</p>
        <ul class="cards">
            <li><a href="/account">"My Account Settings"</a>" — your personal access tokens."</li>
            <li><a href="/users">"Users"</a>" — cloud administrators and their identity providers."</li>
            <li><a href="/authentication">"Authentication"</a>" — Tableau with MFA and single sign-on."</li>
            <li><a href="/sites">"Sites"</a>" — the Tableau Cloud sites of this tenant."</li>
            <li><a href="/activity">"Activity"</a>" — sign-ins, tokens and settings changes."</li>
        </ul>
    }
}

#[component]
pub fn SitesPage() -> impl IntoView {
    let sites = Resource::new(|| (), |_| list_sites());
    view! {
        <h1>"Sites"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                sites
                    .get()
                    .map(|r| super::loaded(r, |list| {
                            view! {
                                <table class="grid" data-testid="sites-table">
                                    <thead>
                                        <tr>
                                            <th>"Name"</th>
                                            <th>"Site URL"</th>
                                            <th>"Activated"</th>
                                            <th>"Personal access tokens"</th>
                                            <th>"Users"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|s| {
                                                view! {
                                                    <tr>
                                                        <td>{s.name}</td>
                                                        <td>{s.content_url}</td>
                                                        <td>{s.activated}</td>
                                                        <td>{s.pat_setting}</td>
                                                        <td>{s.user_count}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                    }))
            }}
        </Suspense>
    }
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let events = Resource::new(|| (), |_| recent_activity());
    view! {
        <h1>"Activity"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                events
                    .get()
                    .map(|r| super::loaded(r, |list| {
                        if list.is_empty() {
                            return view! { <p>"No activity yet."</p> }.into_any();
                        }
                            view! {
                                <table class="grid" data-testid="activity-table">
                                    <thead>
                                        <tr>
                                            <th>"Time"</th>
                                            <th>"Event"</th>
                                            <th>"Who"</th>
                                            <th>"Target"</th>
                                            <th>"Address"</th>
                                            <th>"Details"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list
                                            .into_iter()
                                            .map(|e| {
                                                view! {
                                                    <tr>
                                                        <td>{e.when}</td>
                                                        <td>{e.event_type}</td>
                                                        <td>{e.actor}</td>
                                                        <td>{e.target}</td>
                                                        <td>{e.address}</td>
                                                        <td><code>{e.details}</code></td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                    }))
            }}
        </Suspense>
    }
}
