//! Server-only glue between Leptos server functions and the service layer: the session
//! contents of the TCM UI, the current admin, the client address. The one `ssr` gate of
//! this crate; page and DTO code never touches these types.

use crate::models::Me;
use axum::extract::ConnectInfo;
use leptos::prelude::*;
use patio_service::Services;
use patio_service::auth::AdminIdentity;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use tower_sessions::Session;

/// Session key of a fully signed-in admin.
pub const AUTH_KEY: &str = "patio.auth";
/// Session key of a sign-in that passed the password step but not yet the second factor.
pub const PENDING_KEY: &str = "patio.pending";
/// A half-finished sign-in must be completed within ten minutes.
pub const PENDING_TTL_MS: i64 = 10 * 60 * 1000;
/// UI sessions end four hours after sign-in, or after 30 minutes without a request, measured on
/// the service clock (the cookie's own inactivity expiry is a backstop on wall-clock time).
pub const UI_ABSOLUTE_MS: i64 = 4 * 60 * 60 * 1000;
pub const UI_IDLE_MS: i64 = 30 * 60 * 1000;
/// Activity is written back at most this often, so browsing costs no write per request.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthState {
    pub user_id: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    /// Non-secret reference used in activity events instead of the session id.
    pub session_ref: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub user_id: String,
    pub enroll: bool,
    pub started_at: i64,
}

pub fn get_services() -> Result<Services, ServerFnError> {
    use_context::<Services>().ok_or_else(|| ServerFnError::new("services are not configured"))
}

pub async fn get_session() -> Result<Session, ServerFnError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))
}

/// The peer address of the request, when the server was started with connect info.
pub fn client_addr() -> Option<String> {
    use_context::<axum::http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip().to_string())
    })
}

fn internal(e: impl std::fmt::Display) -> ServerFnError {
    tracing::error!("server function failed: {e}");
    ServerFnError::new("internal error")
}

pub fn service_err(e: patio_service::ServiceError) -> ServerFnError {
    internal(e)
}

pub fn session_err(e: tower_sessions::session::Error) -> ServerFnError {
    internal(e)
}

/// The admin signed in on `session`, if the session is valid and the user is still a cloud
/// admin (SPEC T13: privileges are re-checked on every request, not frozen at sign-in).
pub async fn current_admin(
    services: &Services,
    session: &Session,
) -> Result<Option<(AdminIdentity, AuthState)>, ServerFnError> {
    let Some(mut auth) = session
        .get::<AuthState>(AUTH_KEY)
        .await
        .map_err(session_err)?
    else {
        return Ok(None);
    };
    let now = services.now_ms();
    let timeout = if now - auth.signed_in_at > UI_ABSOLUTE_MS {
        Some("absolute_timeout")
    } else if now - auth.last_seen_at > UI_IDLE_MS {
        Some("idle_timeout")
    } else {
        None
    };
    if let Some(reason) = timeout {
        if let Some(id) = services
            .admin_identity(&auth.user_id)
            .await
            .map_err(service_err)?
        {
            services
                .ui_session_event(&id, false, &auth.session_ref, None, reason)
                .await
                .map_err(service_err)?;
        }
        session.flush().await.map_err(session_err)?;
        return Ok(None);
    }
    match services
        .admin_identity(&auth.user_id)
        .await
        .map_err(service_err)?
    {
        Some(id) => {
            if now - auth.last_seen_at >= TOUCH_EVERY_MS {
                auth.last_seen_at = now;
                session.insert(AUTH_KEY, &auth).await.map_err(session_err)?;
            }
            Ok(Some((id, auth)))
        }
        None => {
            session.flush().await.map_err(session_err)?;
            Ok(None)
        }
    }
}

/// The admin the page gate already resolved for this request (page loads only). Server-side
/// rendering reads it instead of the session: one session load per page, and no second
/// holder of the session's lock while the response is still streaming.
#[derive(Debug, Clone)]
pub struct GateIdentity(pub AdminIdentity);

/// The signed-in admin of this request: from the page gate when rendering a page, else from
/// the session (server-function calls).
pub async fn signed_in_admin(services: &Services) -> Result<Option<AdminIdentity>, ServerFnError> {
    let from_gate = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<GateIdentity>().cloned());
    if let Some(GateIdentity(id)) = from_gate {
        return Ok(Some(id));
    }
    let session = get_session().await?;
    Ok(current_admin(services, &session).await?.map(|(id, _)| id))
}

/// For server functions that need a signed-in admin.
pub async fn require_admin() -> Result<(Services, AdminIdentity), ServerFnError> {
    let services = get_services()?;
    match signed_in_admin(&services).await? {
        Some(id) => Ok((services, id)),
        None => {
            if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
                resp.set_status(axum::http::StatusCode::UNAUTHORIZED);
            }
            Err(ServerFnError::new("Your session has ended. Sign in again."))
        }
    }
}

pub fn me_of(id: AdminIdentity) -> Me {
    Me {
        user_id: id.user_id,
        user_name: id.user_name,
        display_name: id.display_name,
        tenant_id: id.tenant_id,
        tenant_name: id.tenant_name,
    }
}

/// Sign-in complete (second factor or SSO): a new session id (no fixation), the signed-in
/// state, a "session started" event.
pub async fn complete_sign_in(
    services: &Services,
    session: &Session,
    identity: &AdminIdentity,
    addr: Option<&str>,
) -> Result<(), ServerFnError> {
    session
        .remove::<PendingSignIn>(PENDING_KEY)
        .await
        .map_err(session_err)?;
    session.cycle_id().await.map_err(session_err)?;
    let b: [u8; 16] = patio_service::crypto::random_bytes();
    let state = AuthState {
        user_id: identity.user_id.clone(),
        signed_in_at: services.now_ms(),
        last_seen_at: services.now_ms(),
        session_ref: b.iter().map(|x| format!("{x:02x}")).collect(),
    };
    session
        .insert(AUTH_KEY, &state)
        .await
        .map_err(session_err)?;
    services
        .ui_session_event(identity, true, &state.session_ref, addr, "signed_in")
        .await
        .map_err(service_err)
}
