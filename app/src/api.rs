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
            complete_sign_in(&services, &session, &identity, client_addr().as_deref()).await?;
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
            complete_sign_in(&services, &session, &identity, client_addr().as_deref()).await?;
            Ok(SignInOutcome::go(SignInNext::RecoveryCodes(recovery_codes)))
        }
    }
}

/// The signed-in admin, or `None`.
#[server]
pub async fn current_user() -> Result<Option<Me>, ServerFnError> {
    use crate::ssr::*;
    let services = get_services()?;
    Ok(signed_in_admin(&services).await?.map(me_of))
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

/// "Sign in with Google/Salesforce" buttons: tenants whose cloud admins may use SSO.
#[server]
pub async fn sso_buttons() -> Result<Vec<SsoButton>, ServerFnError> {
    use crate::ssr::*;
    let services = get_services()?;
    Ok(services
        .sso_options()
        .await
        .map_err(service_err)?
        .into_iter()
        .map(|o| SsoButton {
            tenant_url_name: o.tenant_url_name,
            tenant_name: o.tenant_name,
            provider: o.provider,
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn op_message(e: patio_service::sso::TcmOpError) -> Result<String, ServerFnError> {
    match e {
        patio_service::sso::TcmOpError::Service(s) => Err(crate::ssr::service_err(s)),
        other => Ok(other.to_string()),
    }
}

/// Users page: one page of tenant users (search by name) and the T17 warning.
#[server]
pub async fn users_page(
    search: String,
    page_token: String,
) -> Result<UsersPageView, ServerFnError> {
    use crate::ssr::*;
    let (services, me) = require_admin().await?;
    let token = (!page_token.is_empty()).then_some(page_token.as_str());
    let (list, next) = match services
        .list_tenant_users(&me, &me.tenant_id, token, Some(25), Some(&search))
        .await
    {
        Ok(r) => r,
        Err(e) => return Err(ServerFnError::new(op_message(e)?)),
    };
    Ok(UsersPageView {
        users: list
            .into_iter()
            .map(|v| UserRowView {
                admin_idp: v.link_roles.first().map(|l| l.idp.clone()),
                sites: v.site_roles.len(),
                id: v.user.id,
                user_name: v.user.user_name,
                display_name: v.user.display_name,
                email: v.user.email,
            })
            .collect(),
        next_token: next,
        warning: services
            .sso_warning(&me.tenant_id)
            .await
            .map_err(service_err)?
            .map(str::to_owned),
        me_id: me.user_id,
    })
}

/// Users → Add Cloud Administrator.
#[server]
pub async fn add_cloud_admin(
    user_name: String,
    email: String,
    idp: String,
) -> Result<AddAdminResult, ServerFnError> {
    use crate::ssr::*;
    use patio_service::tenant_users::{LinkRoleSpec, NewUser};
    let (services, me) = require_admin().await?;
    let req = NewUser {
        user_name: Some(user_name),
        email: (!email.trim().is_empty()).then_some(email),
        link_roles: vec![LinkRoleSpec {
            link_id: me.tenant_id.clone(),
            link_role: None,
            idp: Some(idp.clone()),
        }],
        ..Default::default()
    };
    let ack = match services
        .add_tenant_user(&me, &me.tenant_id, req, client_addr().as_deref())
        .await
    {
        Ok(a) => a,
        Err(e) => return Ok(AddAdminResult::Rejected(op_message(e)?)),
    };
    let user = services
        .get_tenant_user(&me, &me.tenant_id, &ack.user_id)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let temp_password = if user
        .link_roles
        .first()
        .is_some_and(|l| l.idp == patio_service::auth::IDP_TABLEAU_MFA)
    {
        Some(
            services
                .set_temporary_password(&me, &ack.user_id)
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?,
        )
    } else {
        None
    };
    Ok(AddAdminResult::Added {
        user_name: user.user.user_name,
        temp_password,
    })
}

/// Users → change a cloud admin's identity provider. `Some(message)` when refused.
#[server]
pub async fn set_admin_idp(user_id: String, idp: String) -> Result<Option<String>, ServerFnError> {
    use crate::ssr::*;
    use patio_service::tenant_users::{LinkRoleSpec, RoleOp, UserPatch};
    let (services, me) = require_admin().await?;
    let patch = UserPatch {
        link_roles: vec![(
            RoleOp::Update,
            LinkRoleSpec {
                link_id: me.tenant_id.clone(),
                link_role: None,
                idp: Some(idp),
            },
        )],
        ..Default::default()
    };
    match services
        .patch_tenant_user(
            &me,
            &me.tenant_id,
            &user_id,
            patch,
            client_addr().as_deref(),
        )
        .await
    {
        Ok(_) => Ok(None),
        Err(e) => op_message(e).map(Some),
    }
}

/// Users → Remove. `Some(message)` when refused.
#[server]
pub async fn remove_tenant_user(user_id: String) -> Result<Option<String>, ServerFnError> {
    use crate::ssr::*;
    let (services, me) = require_admin().await?;
    match services
        .delete_tenant_user(&me, &me.tenant_id, &user_id, client_addr().as_deref())
        .await
    {
        Ok(_) => Ok(None),
        Err(e) => op_message(e).map(Some),
    }
}

/// Authentication page.
#[server]
pub async fn auth_settings() -> Result<AuthSettingsView, ServerFnError> {
    use crate::ssr::*;
    let (services, me) = require_admin().await?;
    let config = match services.get_oidc(&me, &me.tenant_id).await {
        Ok(c) => Some(OidcFormView {
            enabled: c.enabled.unwrap_or(false),
            provider: c.known_provider_alias.unwrap_or_default(),
            salesforce_domain: c.salesforce_domain.unwrap_or_default(),
            client_id: c.client_id.unwrap_or_default(),
            discovery_endpoint: c.discovery_endpoint.unwrap_or_default(),
            has_secret: services
                .oidc_client_secret(&me.tenant_id)
                .await
                .map_err(service_err)?
                .is_some(),
        }),
        Err(patio_service::sso::TcmOpError::NotFound(_)) => None,
        Err(e) => return Err(ServerFnError::new(op_message(e)?)),
    };
    Ok(AuthSettingsView {
        tenant_url_name: services
            .tenant_url_name(&me.tenant_id)
            .await
            .map_err(service_err)?
            .unwrap_or_default(),
        sso_on: config.as_ref().is_some_and(|c| c.enabled),
        config,
        warning: services
            .sso_warning(&me.tenant_id)
            .await
            .map_err(service_err)?
            .map(str::to_owned),
    })
}

/// Authentication → single sign-on: save. `Some(message)` when refused.
#[server]
pub async fn save_oidc(
    provider: String,
    salesforce_domain: String,
    client_id: String,
    client_secret: String,
    discovery_endpoint: String,
    enabled: Option<String>,
) -> Result<Option<String>, ServerFnError> {
    use crate::ssr::*;
    let (services, me) = require_admin().await?;
    let some = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let cfg = patio_service::sso::OidcConfig {
        enabled: Some(enabled.is_some()),
        known_provider_alias: some(provider),
        salesforce_domain: some(salesforce_domain),
        client_id: some(client_id),
        client_secret: some(client_secret),
        discovery_endpoint: some(discovery_endpoint),
        ..Default::default()
    };
    match services
        .put_oidc(&me, &me.tenant_id, cfg, client_addr().as_deref())
        .await
    {
        Ok(_) => Ok(None),
        Err(e) => op_message(e).map(Some),
    }
}

/// Authentication → single sign-on: remove the configuration (back to Tableau with MFA only).
#[server]
pub async fn remove_oidc() -> Result<Option<String>, ServerFnError> {
    use crate::ssr::*;
    let (services, me) = require_admin().await?;
    match services
        .delete_oidc(&me, &me.tenant_id, client_addr().as_deref())
        .await
    {
        Ok(()) => Ok(None),
        Err(e) => op_message(e).map(Some),
    }
}
