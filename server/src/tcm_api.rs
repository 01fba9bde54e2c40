//! Tableau Cloud Manager REST API, JSON, under `/api/v1` (and `/api/v2/sessions`, the sign-out
//! path a client uses). Errors use TCM's `ApiErrorResponse` shape: `errorCode`, `message`,
//! `reason`. Every call but sign-in needs `x-tableau-session-token` (SPEC T11).
//!
//! Paths the public reference does not confirm live in [`paths`] and are listed in
//! docs/wire-formats.md.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post};
use axum::{Json, Router};
use patio_service::clock::{from_millis, rfc3339};
use patio_service::tcm_pats::{self, Expiry, LoginOutcome, PatError, PatInfo, TcmSession};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// Request paths relative to `/api/v1`. UNCONFIRMED ones are best guesses (docs/wire-formats.md).
pub mod paths {
    /// Confirmed (seed 003).
    pub const PAT_LOGIN: &str = "/pat/login";
    /// UNCONFIRMED: create (POST) and list (GET) the caller's TCM PATs.
    pub const PATS: &str = "/pat";
    /// UNCONFIRMED: revoke (DELETE) one of the caller's TCM PATs.
    pub const PAT: &str = "/pat/{token_id}";
    /// UNCONFIRMED: "Get current session info".
    pub const CURRENT_SESSION: &str = "/sessions/current";
    /// UNCONFIRMED: sign-out; a third-party client uses `DELETE /api/v2/sessions`, Patio also
    /// accepts it under `/api/v1`.
    pub const SESSIONS: &str = "/sessions";
}

/// The header every TCM call after sign-in carries (SPEC T11), lower-case as clients send it.
pub const SESSION_HEADER: &str = "x-tableau-session-token";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TcmError {
    #[serde(skip)]
    pub status: StatusCode,
    #[serde(skip)]
    pub retry_after: Option<i64>,
    pub error_code: String,
    pub message: String,
    pub reason: String,
}

impl TcmError {
    pub fn new(status: StatusCode, code: &str, message: &str, reason: &str) -> Self {
        Self {
            status,
            retry_after: None,
            error_code: code.into(),
            message: message.into(),
            reason: reason.into(),
        }
    }

    pub fn bad_request(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PARAM",
            "The request is not valid.",
            &reason,
        )
    }

    fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!("TCM API internal error: {e}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "An internal error occurred.",
            "The server could not complete the request.",
        )
    }

    /// One body for every refused PAT sign-in (SPEC T10): it never says which check failed.
    fn pat_login_refused() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "NOT_AUTHENTICATED",
            "Authentication failed.",
            "The personal access token is not valid: it may be wrong, revoked or expired, or its owner may not sign in to Tableau Cloud Manager.",
        )
    }
}

impl IntoResponse for TcmError {
    fn into_response(self) -> Response {
        let retry = self.retry_after;
        let mut r = (self.status, Json(self)).into_response();
        if let Some(secs) = retry {
            r.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        r
    }
}

impl From<patio_service::ServiceError> for TcmError {
    fn from(e: patio_service::ServiceError) -> Self {
        TcmError::internal(e)
    }
}

impl From<PatError> for TcmError {
    fn from(e: PatError) -> Self {
        match e {
            PatError::Service(e) => TcmError::internal(e),
            PatError::NotFound => TcmError::new(
                StatusCode::NOT_FOUND,
                "RESOURCE_NOT_FOUND",
                "The personal access token was not found.",
                &e.to_string(),
            ),
            PatError::NameTaken(_) => TcmError::new(
                StatusCode::CONFLICT,
                "DUPLICATE_RECORD",
                "The token name is already in use.",
                &e.to_string(),
            ),
            PatError::LimitReached => TcmError::new(
                StatusCode::BAD_REQUEST,
                "LIMIT_REACHED",
                "The personal access token limit was reached.",
                &e.to_string(),
            ),
            other => TcmError::bad_request(other.to_string()),
        }
    }
}

/// The client's address (present when served with connect info).
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}

/// A request authenticated by `x-tableau-session-token` (SPEC T11, T12).
pub struct TcmAuth(pub TcmSession);

impl FromRequestParts<AppState> for TcmAuth {
    type Rejection = TcmError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = parts
            .headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
        else {
            return Err(TcmError::new(
                StatusCode::UNAUTHORIZED,
                "NO_AUTHENTICATION_CREDENTIALS",
                "Authentication required.",
                "Sign in with POST /api/v1/pat/login and send the session token in the x-tableau-session-token header.",
            ));
        };
        match state.services.tcm_session(token.trim()).await? {
            Some(s) => Ok(TcmAuth(s)),
            None => Err(TcmError::new(
                StatusCode::UNAUTHORIZED,
                "NOT_AUTHENTICATED",
                "The session token is not valid.",
                "The session ended, expired (4 hours after sign-in or 30 minutes without a request) or never existed. Sign in again.",
            )),
        }
    }
}

pub fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, TcmError> {
    serde_json::from_slice(body).map_err(|e| {
        TcmError::bad_request(format!(
            "The request body must be a JSON object of this method: {e}."
        ))
    })
}

#[derive(Deserialize)]
struct PatLoginRequest {
    token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PatLoginResponse {
    session_token: String,
    user_id: String,
    tenant_id: String,
    session_expiration: String,
}

/// SPEC T10: `POST /api/v1/pat/login` with `{"token": "<secret>"}`.
async fn pat_login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: Bytes,
) -> Result<Response, TcmError> {
    let req: PatLoginRequest = parse_json(&body)?;
    match state
        .services
        .tcm_pat_login(req.token.trim(), addr.as_deref())
        .await?
    {
        LoginOutcome::SignedIn(l) => Ok(Json(PatLoginResponse {
            session_token: l.session_token,
            user_id: l.user_id,
            tenant_id: l.tenant_id,
            session_expiration: rfc3339(from_millis(l.expires_at)),
        })
        .into_response()),
        LoginOutcome::Denied => Err(TcmError::pat_login_refused()),
        LoginOutcome::Throttled { retry_after_secs } => {
            let mut e = TcmError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Too many failed sign-in attempts.",
                "Too many failed sign-in attempts came from this address. Wait before trying again.",
            );
            e.retry_after = Some(retry_after_secs);
            Err(e)
        }
    }
}

/// Sign-out: ends the session at once.
async fn sign_out(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    TcmAuth(s): TcmAuth,
) -> Result<StatusCode, TcmError> {
    state.services.end_tcm_session(&s, addr.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// MODEL `SessionResponse`.
async fn current_session(TcmAuth(s): TcmAuth) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "key": s.id,
        "createDateTime": rfc3339(from_millis(s.created_at)),
        "expireDateTime": rfc3339(from_millis(s.expires_at)),
        "lastUpdateDateTime": rfc3339(from_millis(s.last_seen_at)),
        "valid": true,
        "client": {
            "type": "User",
            "userId": s.identity.user_id,
            "userName": s.identity.user_name,
            "email": s.identity.email,
            "idpId": s.identity.idp,
            "tenantId": s.identity.tenant_id,
            "clientInfo": {}
        }
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePatRequest {
    token_name: Option<String>,
    absolute_expiry_in_days: Option<i64>,
}

/// MODEL `PersonalAccessTokenInfo` (and `…WithSecret` when `secret` is set).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PatJson {
    #[serde(rename = "tokenUUID")]
    token_uuid: String,
    token_name: String,
    tenant_id: String,
    user_id: String,
    issue_in_utc: String,
    expiration_in_utc: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_used_in_utc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

fn pat_json(p: PatInfo, secret: Option<String>) -> PatJson {
    PatJson {
        token_uuid: p.id,
        token_name: p.name,
        tenant_id: p.tenant_id,
        user_id: p.user_id,
        issue_in_utc: rfc3339(from_millis(p.created_at)),
        expiration_in_utc: rfc3339(from_millis(p.expires_at)),
        last_used_in_utc: p.last_used_at.map(|t| rfc3339(from_millis(t))),
        secret,
    }
}

/// Create a PAT for the signed-in admin; the secret is in this response only.
async fn create_pat(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    TcmAuth(s): TcmAuth,
    body: Bytes,
) -> Result<Response, TcmError> {
    let req: CreatePatRequest = parse_json(&body)?;
    let days = req
        .absolute_expiry_in_days
        .unwrap_or(tcm_pats::DEFAULT_EXPIRY_DAYS);
    let name = req.token_name.unwrap_or_default();
    let created = state
        .services
        .create_tcm_pat(&s.identity, &name, Expiry::Days(days), addr.as_deref())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(pat_json(created.info, Some(created.secret))),
    )
        .into_response())
}

async fn list_pats(
    State(state): State<AppState>,
    TcmAuth(s): TcmAuth,
) -> Result<Json<serde_json::Value>, TcmError> {
    let list: Vec<PatJson> = state
        .services
        .list_tcm_pats(&s.identity.user_id)
        .await?
        .into_iter()
        .map(|p| pat_json(p, None))
        .collect();
    Ok(Json(serde_json::json!({ "personalAccessTokens": list })))
}

async fn revoke_pat(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    TcmAuth(s): TcmAuth,
    Path(token_id): Path<String>,
) -> Result<StatusCode, TcmError> {
    state
        .services
        .revoke_tcm_pat(&s.identity, &token_id, addr.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn not_found() -> TcmError {
    TcmError::new(
        StatusCode::NOT_FOUND,
        "RESOURCE_NOT_FOUND",
        "The requested resource does not exist.",
        "No Tableau Cloud Manager REST API method matches this path and HTTP method.",
    )
}

async fn method_not_allowed() -> TcmError {
    TcmError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "This HTTP method is not allowed on this resource.",
        "The path exists, but not for this HTTP method.",
    )
}

/// Unknown paths under the surface answer in its own error format (a nested router without
/// a matching route would otherwise fall through to the site API or the HTML 404 page).
fn with_json_fallbacks(r: Router<AppState>) -> Router<AppState> {
    r.route("/", any(not_found))
        .route("/{*rest}", any(not_found))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

pub fn router() -> Router<AppState> {
    with_json_fallbacks(
        Router::new()
            .route(paths::PAT_LOGIN, post(pat_login))
            .route(paths::PATS, post(create_pat).get(list_pats))
            .route(paths::PAT, delete(revoke_pat))
            .route(paths::CURRENT_SESSION, get(current_session))
            .route(paths::SESSIONS, delete(sign_out))
            .merge(crate::tcm_admin::routes()),
    )
}

pub fn v2_router() -> Router<AppState> {
    with_json_fallbacks(Router::new().route(paths::SESSIONS, delete(sign_out)))
}
