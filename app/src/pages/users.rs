//! Users (seed 003 step 2; SPEC T16, T17): tenant users with search and paging, add a cloud
//! administrator (name, email, identity provider), change an administrator's identity provider,
//! remove a user. Refusals (T17, self-removal, duplicates) are shown as they come back.

use crate::api::{AddCloudAdmin, RemoveTenantUser, SetAdminIdp, users_page};
use crate::models::AddAdminResult;
use leptos::form::ActionForm;
use leptos::prelude::*;

fn idp_label(idp: &str) -> &'static str {
    if idp == "OpenID" {
        "Single sign-on (OpenID)"
    } else {
        "Tableau with MFA"
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let refresh = RwSignal::new(0u32);
    let page = Resource::new(
        move || (search.get(), token.get(), refresh.get()),
        |(s, t, _)| users_page(s, t),
    );
    let add = ServerAction::<AddCloudAdmin>::new();
    let set_idp = ServerAction::<SetAdminIdp>::new();
    let remove = ServerAction::<RemoveTenantUser>::new();
    let adding = RwSignal::new(false);
    let add_error = RwSignal::new(None::<String>);
    let added = RwSignal::new(None::<(String, Option<String>)>);
    let notice = RwSignal::new(None::<String>);
    let to_remove = RwSignal::new(None::<(String, String)>);

    Effect::new(move |_| match add.value().get() {
        Some(Ok(AddAdminResult::Added {
            user_name,
            temp_password,
        })) => {
            adding.set(false);
            add_error.set(None);
            added.set(Some((user_name, temp_password)));
            refresh.update(|n| *n += 1);
        }
        Some(Ok(AddAdminResult::Rejected(m))) => add_error.set(Some(m)),
        Some(Err(e)) => add_error.set(Some(e.to_string())),
        None => {}
    });
    let after_change = move |r: Option<Result<Option<String>, ServerFnError>>| match r {
        Some(Ok(None)) => {
            notice.set(None);
            to_remove.set(None);
            refresh.update(|n| *n += 1);
        }
        Some(Ok(Some(m))) => notice.set(Some(m)),
        Some(Err(e)) => notice.set(Some(e.to_string())),
        None => {}
    };
    Effect::new(move |_| after_change(set_idp.value().get()));
    Effect::new(move |_| after_change(remove.value().get()));

    view! {
        <h1>"Users"</h1>
        <div class="toolbar">
            <input type="text" placeholder="Search by user name" aria-label="Search users" prop:value=move || search.get()
                on:input=move |ev| {
                    token.set(String::new());
                    search.set(event_target_value(&ev));
                }/>
            <button class="primary" data-testid="add-admin" on:click=move |_| {
                add_error.set(None);
                adding.set(true);
            }>"Add Cloud Administrator"</button>
        </div>
        {move || notice.get().map(|m| view! { <p class="error" role="alert" data-testid="users-error">{m}</p> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                page.get()
                    .map(|r| super::loaded(r, |p| {
                        let me = p.me_id.clone();
                        let next = p.next_token.clone();
                        view! {
                            {p.warning.map(|w| view! { <p class="warning" role="status" data-testid="t17-warning">{w}</p> })}
                            <table class="grid" data-testid="users-table">
                                <thead>
                                    <tr>
                                        <th>"User name"</th>
                                        <th>"Display name"</th>
                                        <th>"Cloud administrator"</th>
                                        <th>"Sites"</th>
                                        <th></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {p.users
                                        .into_iter()
                                        .map(|u| {
                                            let (id, id2, name) = (u.id.clone(), u.id.clone(), u.user_name.clone());
                                            let is_me = u.id == me;
                                            let idp_cell = match u.admin_idp.clone() {
                                                None => view! { <span class="muted">"—"</span> }.into_any(),
                                                Some(idp) => view! {
                                                    <select aria-label=format!("Identity provider of {}", u.user_name)
                                                        on:change=move |ev| {
                                                            set_idp.dispatch(SetAdminIdp { user_id: id.clone(), idp: event_target_value(&ev) });
                                                        }>
                                                        <option value="TableauIDWithMFA" selected=idp == "TableauIDWithMFA">{idp_label("TableauIDWithMFA")}</option>
                                                        <option value="OpenID" selected=idp == "OpenID">{idp_label("OpenID")}</option>
                                                    </select>
                                                }.into_any(),
                                            };
                                            view! {
                                                <tr data-user=u.user_name.clone()>
                                                    <td>{u.user_name.clone()}</td>
                                                    <td>{u.display_name}</td>
                                                    <td>{idp_cell}</td>
                                                    <td>{u.sites}</td>
                                                    <td>
                                                        {(!is_me).then(|| view! {
                                                            <button on:click=move |_| to_remove.set(Some((id2.clone(), name.clone())))>"Remove"</button>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                            <div class="toolbar">
                                <button disabled=move || token.get().is_empty() on:click=move |_| token.set(String::new())>"First page"</button>
                                {next.map(|t| view! { <button on:click=move |_| token.set(t.clone())>"Next page"</button> })}
                            </div>
                        }
                            .into_any()
                    }))
            }}
        </Suspense>
        {move || adding.get().then(|| view! {
            <div class="backdrop">
                <div class="dialog" role="dialog" aria-label="Add Cloud Administrator">
                    <h2>"Add Cloud Administrator"</h2>
                    {move || add_error.get().map(|m| view! { <p class="error" role="alert" data-testid="add-error">{m}</p> })}
                    <ActionForm action=add>
                        <label>"User name" <input type="text" name="user_name" autocomplete="off"/></label>
                        <label>"Email" <input type="email" name="email" autocomplete="off"/></label>
                        <label>
                            "Identity provider"
                            <select name="idp">
                                <option value="TableauIDWithMFA">{idp_label("TableauIDWithMFA")}</option>
                                <option value="OpenID">{idp_label("OpenID")}</option>
                            </select>
                        </label>
                        <div class="actions">
                            <button type="button" on:click=move |_| adding.set(false)>"Cancel"</button>
                            <button type="submit" class="primary">"Add"</button>
                        </div>
                    </ActionForm>
                </div>
            </div>
        })}
        {move || added.get().map(|(name, pw)| view! {
            <div class="backdrop">
                <div class="dialog" role="dialog" aria-label="Cloud Administrator Added">
                    <h2>"Cloud Administrator Added"</h2>
                    <p><strong>{name}</strong>" is now a cloud administrator."</p>
                    {match pw {
                        Some(pw) => view! {
                            <p>"Temporary password (shown once; they enroll an authenticator at first sign-in):"</p>
                            <p><code class="secret" data-testid="temp-password">{pw}</code></p>
                        }.into_any(),
                        None => view! { <p>"They sign in with the tenant's single sign-on."</p> }.into_any(),
                    }}
                    <div class="actions"><button class="primary" on:click=move |_| added.set(None)>"Done"</button></div>
                </div>
            </div>
        })}
        {move || to_remove.get().map(|(id, name)| view! {
            <div class="backdrop">
                <div class="dialog" role="dialog" aria-label="Remove User">
                    <h2>"Remove User"</h2>
                    <p>"Remove " <strong>{name}</strong> " from the tenant? Their personal access tokens stop working."</p>
                    {move || notice.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                    <div class="actions">
                        <button on:click=move |_| { notice.set(None); to_remove.set(None); }>"Cancel"</button>
                        <button class="danger" on:click=move |_| { remove.dispatch(RemoveTenantUser { user_id: id.clone() }); }>"Remove"</button>
                    </div>
                </div>
            </div>
        })}
    }
}
