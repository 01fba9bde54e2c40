//! Portal plumbing: the sign-in gate in front of the pages, and the health probes.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Paths that are not portal pages: assets, server functions, APIs, probes.
fn is_page(path: &str) -> bool {
    !(path.starts_with("/pkg/")
        || path.starts_with("/_srv/")
        || path.starts_with("/api/")
        || path.starts_with("/sso/")
        || path.starts_with("/_idp/")
        || path == "/healthz"
        || path == "/readyz"
        || path == "/favicon.ico")
}

/// Pages need a signed-in cloud admin (SPEC T1); everyone else is sent to /signin. A
/// signed-in admin who opens /signin goes to the home page. Server functions check for
/// themselves, so this only guards page loads.
pub async fn auth_gate(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if req.method() != Method::GET || !is_page(&path) {
        return next.run(req).await;
    }
    let admin = match app::ssr::current_admin(&state.services, &session).await {
        Ok(v) => v.map(|(id, _)| id),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match (admin, path == "/signin") {
        (None, false) => Redirect::to("/signin").into_response(),
        (Some(_), true) => Redirect::to("/").into_response(),
        (Some(id), false) => {
            // The render reads who is signed in from here, not from the session again.
            req.extensions_mut().insert(app::ssr::GateIdentity(id));
            next.run(req).await
        }
        (None, true) => next.run(req).await,
    }
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.services.db().ping().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}
