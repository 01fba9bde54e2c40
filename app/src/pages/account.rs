//! My Account Settings → Personal Access Tokens (seed 000; SPEC T3, T5, T6, T7): the table of
//! live tokens, Create Token (name + expiration date), the one-time secret dialog with Copy
//! Secret, and Revoke Token with its Delete confirmation.

use crate::api::{CreateMyPat, RevokeMyPat, list_my_pats};
use crate::models::CreatePatResult;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(move || refresh.get(), |_| list_my_pats());
    let create = ServerAction::<CreateMyPat>::new();
    let revoke = ServerAction::<RevokeMyPat>::new();

    let creating = RwSignal::new(false);
    let create_error = RwSignal::new(None::<String>);
    let secret = RwSignal::new(None::<(String, String)>);
    let copied = RwSignal::new(false);
    let to_revoke = RwSignal::new(None::<(String, String)>);
    let revoke_error = RwSignal::new(None::<String>);

    Effect::new(move |_| match create.value().get() {
        Some(Ok(CreatePatResult::Created { name, secret: s })) => {
            creating.set(false);
            create_error.set(None);
            copied.set(false);
            secret.set(Some((name, s)));
        }
        Some(Ok(CreatePatResult::Rejected(msg))) => create_error.set(Some(msg)),
        Some(Err(e)) => create_error.set(Some(e.to_string())),
        None => {}
    });
    Effect::new(move |_| match revoke.value().get() {
        Some(Ok(None)) => {
            to_revoke.set(None);
            revoke_error.set(None);
            refresh.update(|n| *n += 1);
        }
        Some(Ok(Some(msg))) => revoke_error.set(Some(msg)),
        Some(Err(e)) => revoke_error.set(Some(e.to_string())),
        None => {}
    });

    let copy_secret = move |_| {
        if let Some((_, s)) = secret.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&s);
            copied.set(true);
        }
    };
    let done = move |_| {
        // After Done the secret is gone from the page for good.
        secret.set(None);
        refresh.update(|n| *n += 1);
    };

    view! {
        <h1>"My Account Settings"</h1>
        <section>
            <h2>"Personal Access Tokens"</h2>
            <p class="muted">
                "Use a personal access token to sign in to the Tableau Cloud Manager REST API. "
                "Tokens expire when unused for 15 consecutive days, or at the expiration date you choose."
            </p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    data.get()
                        .map(|r| super::loaded(r, |d| {
                                let count = d.tokens.len();
                                let limit = d.limit;
                                let (today, default_expiry, max_expiry) = (
                                    d.today.clone(),
                                    d.default_expiry.clone(),
                                    d.max_expiry.clone(),
                                );
                                view! {
                                    <p>
                                        <button class="primary" data-testid="create-token" on:click=move |_| {
                                            create_error.set(None);
                                            creating.set(true);
                                        }>"Create Token"</button>
                                        " "
                                        <span class="muted" data-testid="pat-count">{format!("{count} of {limit} tokens")}</span>
                                    </p>
                                    {(count == 0).then(|| view! { <p data-testid="no-tokens">"You have no personal access tokens."</p> })}
                                    <table class="grid" data-testid="pat-table" class:hidden=count == 0>
                                        <thead>
                                            <tr>
                                                <th>"Token Name"</th>
                                                <th>"Created"</th>
                                                <th>"Expires"</th>
                                                <th>"Last Used"</th>
                                                <th></th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {d.tokens
                                                .into_iter()
                                                .map(|t| {
                                                    let (id, name, row_name) = (t.id.clone(), t.name.clone(), t.name.clone());
                                                    view! {
                                                        <tr data-token-name=row_name>
                                                            <td>{t.name}</td>
                                                            <td>{t.created}</td>
                                                            <td>{t.expires}</td>
                                                            <td>{t.last_used}</td>
                                                            <td>
                                                                <button on:click=move |_| {
                                                                    revoke_error.set(None);
                                                                    to_revoke.set(Some((id.clone(), name.clone())));
                                                                }>"Revoke Token"</button>
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                    {move || creating.get().then(|| {
                                        let (today, default_expiry, max_expiry) =
                                            (today.clone(), default_expiry.clone(), max_expiry.clone());
                                        view! {
                                        <div class="backdrop">
                                            <div class="dialog" role="dialog" aria-label="Create Token">
                                                <h2>"Create Token"</h2>
                                                {move || create_error.get().map(|m| view! { <p class="error" role="alert" data-testid="create-error">{m}</p> })}
                                                <ActionForm action=create>
                                                    <label>
                                                        "Token Name"
                                                        <input type="text" name="token_name" maxlength="100" autocomplete="off"/>
                                                    </label>
                                                    <label>
                                                        "Expiration Date"
                                                        <input type="date" name="expires_on" value=default_expiry min=today max=max_expiry/>
                                                    </label>
                                                    <div class="actions">
                                                        <button type="button" on:click=move |_| creating.set(false)>"Cancel"</button>
                                                        <button type="submit" class="primary" disabled=move || create.pending().get()>"Create Token"</button>
                                                    </div>
                                                </ActionForm>
                                            </div>
                                        </div>
                                        }
                                    })}
                                }
                                    .into_any()
                        }))
                }}
            </Suspense>
            {move || {
                secret.get().map(|(name, s)| {
                    view! {
                        <div class="backdrop">
                            <div class="dialog" role="dialog" aria-label="Personal Access Token">
                                <h2>"Personal Access Token"</h2>
                                <p>"Token name: " <strong>{name}</strong></p>
                                <p>
                                    "Copy the secret and store it in a safe place. "
                                    "It is shown only once and cannot be displayed again after you close this dialog."
                                </p>
                                <p><code class="secret" data-testid="pat-secret">{s}</code></p>
                                <div class="actions">
                                    {move || copied.get().then(|| view! { <span class="notice" role="status">"Copied"</span> })}
                                    <button on:click=copy_secret>"Copy Secret"</button>
                                    <button class="primary" on:click=done>"Done"</button>
                                </div>
                            </div>
                        </div>
                    }
                })
            }}
            {move || {
                to_revoke.get().map(|(id, name)| {
                    view! {
                        <div class="backdrop">
                            <div class="dialog" role="dialog" aria-label="Delete">
                                <h2>"Delete"</h2>
                                <p>
                                    "Delete the personal access token " <strong>{name}</strong>
                                    "? Scripts that use it will no longer be able to sign in."
                                </p>
                                {move || revoke_error.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                                <div class="actions">
                                    <button on:click=move |_| to_revoke.set(None)>"Cancel"</button>
                                    <button class="danger" disabled=move || revoke.pending().get() on:click=move |_| {
                                        revoke.dispatch(RevokeMyPat { token_id: id.clone() });
                                    }>"Delete"</button>
                                </div>
                            </div>
                        </div>
                    }
                })
            }}
        </section>
    }
}
