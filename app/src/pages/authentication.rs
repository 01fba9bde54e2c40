//! Authentication (seed 003 step 1; SPEC T15, T18, T8, T17): Tableau with MFA needs no setup;
//! OIDC single sign-on with Google or Salesforce can be configured, switched on or off,
//! removed, and tried with a test sign-in.

use crate::api::{RemoveOidc, SaveOidc, auth_settings};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuthenticationPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(move || refresh.get(), |_| auth_settings());
    let save = ServerAction::<SaveOidc>::new();
    let remove = ServerAction::<RemoveOidc>::new();
    let message = RwSignal::new(None::<(bool, String)>);
    // The result of a test sign-in comes back in the query string (fixed texts only).
    let q = use_query_map().get_untracked();
    let test_result = match q.get("sso_test").as_deref() {
        Some("ok") => Some(format!(
            "Test sign-in succeeded: the identity provider confirmed {}. {}",
            q.get("email").unwrap_or_default(),
            if q.get("allowed").as_deref() == Some("true") {
                "This account can sign in to Tableau Cloud Manager."
            } else {
                "This account is not a cloud administrator assigned single sign-on, so it cannot sign in yet."
            }
        )),
        Some(_) => Some(format!(
            "Test sign-in failed: {}",
            crate::models::sso_error_message(&q.get("reason").unwrap_or_default())
                .unwrap_or("the identity provider did not answer.")
        )),
        None => None,
    };
    let after = move |r: Option<Result<Option<String>, ServerFnError>>| match r {
        Some(Ok(None)) => {
            message.set(Some((true, "Saved. Tableau Cloud Manager personal access tokens of the tenant were revoked if the sign-in method changed.".into())));
            refresh.update(|n| *n += 1);
        }
        Some(Ok(Some(m))) => message.set(Some((false, m))),
        Some(Err(e)) => message.set(Some((false, e.to_string()))),
        None => {}
    };
    Effect::new(move |_| after(save.value().get()));
    Effect::new(move |_| after(remove.value().get()));

    view! {
        <h1>"Authentication"</h1>
        {test_result.map(|t| view! { <p class="notice" role="status" data-testid="sso-test-result">{t}</p> })}
        <section>
            <h2>"Tableau with MFA"</h2>
            <p>"Always available: password plus a one-time code. It needs no configuration; assign it to users on the Users page."</p>
        </section>
        <section>
            <h2>"Single sign-on (OpenID Connect)"</h2>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "notice" } else { "error" } role="alert" data-testid="auth-message">{m}</p>
            })}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || data.get().map(|r| super::loaded(r, |d| {
                    let c = d.config.clone().unwrap_or_default_form();
                    let tenant = d.tenant_url_name.clone();
                    view! {
                        {d.warning.map(|w| view! { <p class="warning" role="status">{w}</p> })}
                        <p data-testid="sso-state">{if d.sso_on { "Single sign-on is on." } else { "Single sign-on is off." }}</p>
                        <ActionForm action=save>
                            <label>
                                "Identity provider"
                                <select name="provider">
                                    <option value="Salesforce" selected=c.provider == "Salesforce">"Salesforce"</option>
                                    <option value="Google" selected=c.provider == "Google">"Google"</option>
                                </select>
                            </label>
                            <label>"Salesforce domain" <input type="text" name="salesforce_domain" value=c.salesforce_domain.clone() placeholder="login.salesforce.com"/></label>
                            <label>"Client ID (empty: the sandbox's stand-in provider)" <input type="text" name="client_id" value=c.client_id.clone()/></label>
                            <label>
                                {if c.has_secret { "Client secret (stored; leave empty to keep it)" } else { "Client secret" }}
                                <input type="password" name="client_secret" autocomplete="new-password"/>
                            </label>
                            <label>"Discovery endpoint (optional)" <input type="text" name="discovery_endpoint" value=c.discovery_endpoint.clone() placeholder="https://…/.well-known/openid-configuration"/></label>
                            <label class="check"><input type="checkbox" name="enabled" value="on" checked=c.enabled/>" Enable single sign-on"</label>
                            <p class="muted">"Changing the sign-in method revokes all Tableau Cloud Manager personal access tokens of the tenant."</p>
                            <div class="actions">
                                <button type="submit" class="primary">"Save"</button>
                            </div>
                        </ActionForm>
                        {d.config.is_some().then(|| view! {
                            <div class="toolbar">
                                {d.sso_on.then(|| view! { <a class="button" rel="external" href=format!("/sso/start?tenant={tenant}&test=1")>"Test sign-in"</a> })}
                                <button on:click=move |_| { remove.dispatch(RemoveOidc {}); }>"Remove configuration"</button>
                            </div>
                        })}
                    }
                        .into_any()
                }))}
            </Suspense>
        </section>
    }
}

trait OrDefaultForm {
    fn unwrap_or_default_form(self) -> crate::models::OidcFormView;
}

impl OrDefaultForm for Option<crate::models::OidcFormView> {
    fn unwrap_or_default_form(self) -> crate::models::OidcFormView {
        self.unwrap_or(crate::models::OidcFormView {
            enabled: true,
            provider: "Salesforce".into(),
            salesforce_domain: "login.salesforce.com".into(),
            client_id: String::new(),
            discovery_endpoint: String::new(),
            has_secret: false,
        })
    }
}
