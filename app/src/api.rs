//! Server functions: thin adapters from the browser to the service layer. Their URLs are
//! `/_srv/<name>` (see .cargo/config.toml). Expected failures (wrong password, bad code) come
//! back as data in [`SignInOutcome`], so the page renders them like any other state.

use crate::models::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn throttle_message(secs: i64) -> String {
    let mins = (secs + 59) / 60;
    format!(
        "Too many failed attempts. Try again in {mins} minute{}.",
        if mins == 1 { "" } else { "s" }
    )
}

/// Keeps a half-finished sign-in only while it is fresh.
#[cfg(feature = "ssr")]
async fn pending_sign_in(
    services: &patio_service::Services,
    session: &tower_sessions::Session,
) -> Result<Option<crate::ssr::PendingSignIn>, ServerFnError> {
    use crate::ssr::*;
    let pending = session
        .get::<PendingSignIn>(PENDING_KEY)
        .await
        .map_err(session_err)?;
    Ok(pending.filter(|p| services.now_ms() - p.started_at <= PENDING_TTL_MS))
}

/// Second factor passed: a new session id (no fixation), the signed-in state, an event.
#[cfg(feature = "ssr")]
async fn complete_sign_in(
    services: &patio_service::Services,
    session: &tower_sessions::Session,
    identity: &patio_service::auth::AdminIdentity,
) -> Result<(), ServerFnError> {
    use crate::ssr::*;
    session
        .remove::<PendingSignIn>(PENDING_KEY)
        .await
        .map_err(session_err)?;
    session.cycle_id().await.map_err(session_err)?;
    let state = AuthState {
        user_id: identity.user_id.clone(),
        signed_in_at: services.now_ms(),
        last_seen_at: services.now_ms(),
        session_ref: uuid_like(),
    };
    session
        .insert(AUTH_KEY, &state)
        .await
        .map_err(session_err)?;
    services
        .ui_session_event(
            identity,
            true,
            &state.session_ref,
            client_addr().as_deref(),
            "signed_in",
        )
        .await
        .map_err(service_err)
}

#[cfg(feature = "ssr")]
fn uuid_like() -> String {
    let b: [u8; 16] = patio_service::crypto::random_bytes();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(feature = "ssr")]
fn expired_outcome() -> SignInOutcome {
    SignInOutcome {
        next: SignInNext::Password,
        message: Some(
            "Your sign-in took too long. Enter your user name and password again.".into(),
        ),
    }
}

/// Step 1 of "Tableau with MFA": user name and password.
#[server]
pub async fn sign_in_password(
    user_name: String,
    password: String,
) -> Result<SignInOutcome, ServerFnError> {
    use crate::ssr::*;
    use patio_service::auth::{GENERIC_FAILURE, PasswordCheck};
    let services = get_services()?;
    let session = get_session().await?;
    if user_name.trim().is_empty() || password.is_empty() {
        return Ok(SignInOutcome::stay("Enter your user name and password."));
    }
    if user_name.len() > 255 || password.len() > 1024 {
        return Ok(SignInOutcome::stay(GENERIC_FAILURE));
    }
    let addr = client_addr();
    match services
        .check_password(&user_name, &password, addr.as_deref())
        .await
        .map_err(service_err)?
    {
        PasswordCheck::Failed => Ok(SignInOutcome::stay(GENERIC_FAILURE)),
        PasswordCheck::Throttled { retry_after_secs } => {
            Ok(SignInOutcome::stay(throttle_message(retry_after_secs)))
        }
        PasswordCheck::Accepted {
            identity,
            needs_enrollment,
        } => {
            // Whatever this browser was signed in as before is gone, and the id changes.
            session
                .remove::<AuthState>(AUTH_KEY)
                .await
                .map_err(session_err)?;
            session.cycle_id().await.map_err(session_err)?;
            let pending = PendingSignIn {
                user_id: identity.user_id.clone(),
                enroll: needs_enrollment,
                started_at: services.now_ms(),
            };
            session
                .insert(PENDING_KEY, &pending)
                .await
                .map_err(session_err)?;
            if needs_enrollment {
                let o = services
                    .begin_enrollment(&identity.user_id)
                    .await
                    .map_err(service_err)?;
                Ok(SignInOutcome::go(SignInNext::Enroll(EnrollOffer {
                    secret_base32: o.secret_base32,
                    otpauth_uri: o.otpauth_uri,
                    qr_svg: o.qr_svg,
                })))
            } else {
                Ok(SignInOutcome::go(SignInNext::Code))
            }
        }
    }
}

/// Step 2: the one-time code (or a recovery code).
#[server]
pub async fn sign_in_code(code: String) -> Result<SignInOutcome, ServerFnError> {
    use crate::ssr::*;
    use patio_service::auth::{CODE_FAILURE, CodeCheck};
    let services = get_services()?;
    let session = get_session().await?;
    let Some(pending) = pending_sign_in(&services, &session)
        .await?
        .filter(|p| !p.enroll)
    else {
        return Ok(expired_outcome());
    };
    if code.trim().is_empty() {
        return Ok(SignInOutcome::stay(
            "Enter the code from your authenticator app.",
        ));
    }
    match services
        .verify_second_factor(&pending.user_id, &code, client_addr().as_deref())
        .await
        .map_err(service_err)?
    {
        CodeCheck::Failed => Ok(SignInOutcome::stay(CODE_FAILURE)),
        CodeCheck::Throttled { retry_after_secs } => {
            Ok(SignInOutcome::stay(throttle_message(retry_after_secs)))
        }
        CodeCheck::SignedIn { identity, .. } => {
            complete_sign_in(&services, &session, &identity).await?;
            Ok(SignInOutcome::go(SignInNext::Home))
        }
    }
}

/// First sign-in: confirm the new authenticator with a code; returns the recovery codes once.
#[server]
pub async fn confirm_enrollment(code: String) -> Result<SignInOutcome, ServerFnError> {
    use crate::ssr::*;
    use patio_service::auth::{CODE_FAILURE, EnrollmentCheck};
    let services = get_services()?;
    let session = get_session().await?;
    let Some(pending) = pending_sign_in(&services, &session)
        .await?
        .filter(|p| p.enroll)
    else {
        return Ok(expired_outcome());
    };
    if code.trim().is_empty() {
        return Ok(SignInOutcome::stay(
            "Enter the code your authenticator app shows.",
        ));
    }
    match services
        .confirm_enrollment(&pending.user_id, &code, client_addr().as_deref())
        .await
        .map_err(service_err)?
    {
        EnrollmentCheck::Failed => Ok(SignInOutcome::stay(CODE_FAILURE)),
        EnrollmentCheck::Throttled { retry_after_secs } => {
            Ok(SignInOutcome::stay(throttle_message(retry_after_secs)))
        }
        EnrollmentCheck::Enrolled {
            identity,
            recovery_codes,
        } => {
            complete_sign_in(&services, &session, &identity).await?;
            Ok(SignInOutcome::go(SignInNext::RecoveryCodes(recovery_codes)))
        }
    }
}

/// The signed-in admin, or `None`.
#[server]
pub async fn current_user() -> Result<Option<Me>, ServerFnError> {
    use crate::ssr::*;
    let services = get_services()?;
    let session = get_session().await?;
    Ok(current_admin(&services, &session)
        .await?
        .map(|(id, _)| me_of(id)))
}

#[server]
pub async fn sign_out() -> Result<(), ServerFnError> {
    use crate::ssr::*;
    let services = get_services()?;
    let session = get_session().await?;
    if let Some((id, auth)) = current_admin(&services, &session).await? {
        services
            .ui_session_event(
                &id,
                false,
                &auth.session_ref,
                client_addr().as_deref(),
                "signed_out",
            )
            .await
            .map_err(service_err)?;
    }
    session.flush().await.map_err(session_err)?;
    Ok(())
}

#[server]
pub async fn list_sites() -> Result<Vec<SiteSummary>, ServerFnError> {
    use crate::ssr::*;
    use patio_service::clock::display_date;
    let (services, me) = require_admin().await?;
    let sites = services
        .list_sites(&me.tenant_id)
        .await
        .map_err(service_err)?;
    Ok(sites
        .into_iter()
        .map(|s| SiteSummary {
            pat_setting: if s.site.pat_enabled {
                format!("Enabled, {} days", s.site.pat_expiry_days)
            } else {
                "Disabled".into()
            },
            name: s.site.name,
            content_url: s.site.content_url,
            activated: display_date(s.site.activated_at),
            user_count: s.user_count,
        })
        .collect())
}

#[server]
pub async fn recent_activity() -> Result<Vec<ActivityItem>, ServerFnError> {
    use crate::ssr::*;
    use patio_service::clock::display_datetime;
    let (services, me) = require_admin().await?;
    let rows = services
        .recent_activity(&me.tenant_id, 200)
        .await
        .map_err(service_err)?;
    Ok(rows
        .into_iter()
        .map(|e| ActivityItem {
            when: display_datetime(e.occurred_at),
            event_type: e.event_type,
            actor: e.actor_name.unwrap_or_default(),
            target: match (e.target_type, e.target_id) {
                (Some(t), Some(i)) => format!("{t} {i}"),
                _ => String::new(),
            },
            address: e.source_address.unwrap_or_default(),
            details: e.details,
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn ymd(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// My Account Settings: the signed-in admin's live TCM PATs (SPEC T3, T6).
#[server]
pub async fn list_my_pats() -> Result<MyPats, ServerFnError> {
    use crate::ssr::*;
    use patio_service::clock::{display_date, display_datetime};
    use patio_service::tcm_pats::{DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, MAX_PATS_PER_USER};
    let (services, me) = require_admin().await?;
    let tokens = services
        .list_tcm_pats(&me.user_id)
        .await
        .map_err(service_err)?;
    let today = services.now().date();
    Ok(MyPats {
        tokens: tokens
            .into_iter()
            .map(|p| PatRowView {
                id: p.id,
                name: p.name,
                created: display_date(p.created_at),
                expires: display_date(p.expires_at - 1),
                last_used: p
                    .last_used_at
                    .map(display_datetime)
                    .unwrap_or_else(|| "Never".into()),
            })
            .collect(),
        limit: MAX_PATS_PER_USER,
        today: ymd(today),
        default_expiry: ymd(today + time::Duration::days(DEFAULT_EXPIRY_DAYS)),
        max_expiry: ymd(today + time::Duration::days(MAX_EXPIRY_DAYS)),
    })
}

/// Create Token (SPEC T3): name and expiration date; the secret comes back once.
#[server]
pub async fn create_my_pat(
    token_name: String,
    expires_on: String,
) -> Result<CreatePatResult, ServerFnError> {
    use crate::ssr::*;
    use patio_service::tcm_pats::{Expiry, PatError};
    let (services, me) = require_admin().await?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(date) = time::Date::parse(expires_on.trim(), &format) else {
        return Ok(CreatePatResult::Rejected(
            "Choose an expiration date.".into(),
        ));
    };
    match services
        .create_tcm_pat(
            &me,
            &token_name,
            Expiry::EndOfDay(date),
            client_addr().as_deref(),
        )
        .await
    {
        Ok(c) => Ok(CreatePatResult::Created {
            name: c.info.name,
            secret: c.secret,
        }),
        Err(PatError::Service(e)) => Err(service_err(e)),
        Err(e) => Ok(CreatePatResult::Rejected(e.to_string())),
    }
}

/// Revoke Token → Delete (SPEC T7). `Some(message)` when it could not be revoked.
#[server]
pub async fn revoke_my_pat(token_id: String) -> Result<Option<String>, ServerFnError> {
    use crate::ssr::*;
    use patio_service::tcm_pats::PatError;
    let (services, me) = require_admin().await?;
    match services
        .revoke_tcm_pat(&me, &token_id, client_addr().as_deref())
        .await
    {
        Ok(()) => Ok(None),
        Err(PatError::Service(e)) => Err(service_err(e)),
        Err(e) => Ok(Some(e.to_string())),
    }
}
