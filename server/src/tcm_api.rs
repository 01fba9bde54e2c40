//! Tableau Cloud Manager REST API, JSON, under `/api/v1` (and the `/api/v2` sign-out path a
//! client uses). Errors use TCM's `ApiErrorResponse` shape: `errorCode`, `message`, `reason`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde::Serialize;

use crate::AppState;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TcmError {
    #[serde(skip)]
    pub status: StatusCode,
    pub error_code: String,
    pub message: String,
    pub reason: String,
}

impl TcmError {
    pub fn new(status: StatusCode, code: &str, message: &str, reason: &str) -> Self {
        Self {
            status,
            error_code: code.into(),
            message: message.into(),
            reason: reason.into(),
        }
    }
}

impl IntoResponse for TcmError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
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
    with_json_fallbacks(Router::new())
}

pub fn v2_router() -> Router<AppState> {
    with_json_fallbacks(Router::new())
}
