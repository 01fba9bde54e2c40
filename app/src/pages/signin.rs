//! Sign-in to Tableau Cloud Manager with "Tableau with MFA" (SPEC T2): user name and password,
//! then a one-time code; first-time admins enroll an authenticator and get recovery codes.

use crate::api::{ConfirmEnrollment, SignInCode, SignInPassword, sso_buttons};
use crate::models::{EnrollOffer, SignInNext, SignInOutcome, sso_error_message};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[derive(Clone, PartialEq)]
enum Step {
    Password,
    Code,
    Enroll(EnrollOffer),
    RecoveryCodes(Vec<String>),
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let step = RwSignal::new(Step::Password);
    // A failed single sign-on comes back as ?sso_error=<code>; the text is ours, not the URL's.
    let initial = use_query_map()
        .get_untracked()
        .get("sso_error")
        .and_then(|c| sso_error_message(&c))
        .map(str::to_owned);
    let message = RwSignal::new(initial);
    let sso = Resource::new(|| (), |_| sso_buttons());
    let password = ServerAction::<SignInPassword>::new();
    let code = ServerAction::<SignInCode>::new();
    let enroll = ServerAction::<ConfirmEnrollment>::new();

    let apply = move |r: Option<Result<SignInOutcome, ServerFnError>>| match r {
        None => {}
        Some(Err(_)) => message.set(Some("Something went wrong. Try again.".into())),
        Some(Ok(o)) => {
            message.set(o.message);
            match o.next {
                SignInNext::Stay => {}
                SignInNext::Password => step.set(Step::Password),
                SignInNext::Code => step.set(Step::Code),
                SignInNext::Enroll(offer) => step.set(Step::Enroll(offer)),
                SignInNext::RecoveryCodes(codes) => step.set(Step::RecoveryCodes(codes)),
                SignInNext::Home => super::go_to("/"),
            }
        }
    };
    Effect::new(move |_| apply(password.value().get()));
    Effect::new(move |_| apply(code.value().get()));
    Effect::new(move |_| apply(enroll.value().get()));

    view! {
        <main class="signin">
            <div class="card signin-card">
                <h1>"Tableau Cloud Manager"</h1>
                <p class="muted">"Sign in with Tableau with MFA"</p>
                {move || {
                    message
                        .get()
                        .map(|m| view! { <p class="error" role="alert" data-testid="signin-error">{m}</p> })
                }}
                {move || match step.get() {
                    Step::Password => {
                        view! {
                            <ActionForm action=password>
                                <label>
                                    "User name"
                                    <input type="text" name="user_name" autocomplete="username" required/>
                                </label>
                                <label>
                                    "Password"
                                    <input type="password" name="password" autocomplete="current-password" required/>
                                </label>
                                <button type="submit" class="primary" disabled=move || password.pending().get()>
                                    "Sign In"
                                </button>
                            </ActionForm>
                            <Suspense fallback=|| ()>
                                {move || {
                                    sso.get()
                                        .and_then(Result::ok)
                                        .filter(|b| !b.is_empty())
                                        .map(|buttons| {
                                            let many = buttons.len() > 1;
                                            view! {
                                                <div class="sso">
                                                    <p class="muted">"or"</p>
                                                    {buttons
                                                        .into_iter()
                                                        .map(|b| {
                                                            let label = if many {
                                                                format!("Sign in with {} ({})", b.provider, b.tenant_name)
                                                            } else {
                                                                format!("Sign in with {}", b.provider)
                                                            };
                                                            view! {
                                                                <a class="button" rel="external" href=format!("/sso/start?tenant={}", b.tenant_url_name)>
                                                                    {label}
                                                                </a>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </div>
                                            }
                                        })
                                }}
                            </Suspense>
                        }
                            .into_any()
                    }
                    Step::Code => {
                        view! {
                            <ActionForm action=code>
                                <p>"Enter the 6-digit code from your authenticator app, or one of your recovery codes."</p>
                                <label>
                                    "Verification code"
                                    <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus/>
                                </label>
                                <button type="submit" class="primary" disabled=move || code.pending().get()>
                                    "Verify"
                                </button>
                            </ActionForm>
                        }
                            .into_any()
                    }
                    Step::Enroll(offer) => {
                        view! {
                            <div class="enroll">
                                <h2>"Set up your authenticator"</h2>
                                <p>
                                    "Multi-factor authentication is required. Scan this QR code with an authenticator app "
                                    "(such as Google Authenticator, Microsoft Authenticator or Authy), or enter the key by hand."
                                </p>
                                <div class="qr" inner_html=offer.qr_svg.clone()></div>
                                <p>"Key: " <code class="secret" data-testid="totp-secret">{offer.secret_base32.clone()}</code></p>
                                <ActionForm action=enroll>
                                    <label>
                                        "Code from the app"
                                        <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required/>
                                    </label>
                                    <button type="submit" class="primary" disabled=move || enroll.pending().get()>
                                        "Verify and Continue"
                                    </button>
                                </ActionForm>
                            </div>
                        }
                            .into_any()
                    }
                    Step::RecoveryCodes(codes) => {
                        view! {
                            <div class="recovery">
                                <h2>"Save your recovery codes"</h2>
                                <p>
                                    "If you lose your authenticator, each of these codes signs you in once. "
                                    "Store them somewhere safe: they will not be shown again."
                                </p>
                                <ul class="codes" data-testid="recovery-codes">
                                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                                </ul>
                                <button class="primary" on:click=move |_| super::go_to("/")>"Continue"</button>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </div>
        </main>
    }
}
