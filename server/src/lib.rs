//! The `patio` server: composition of the portal (Leptos), the TCM REST API (`/api/v1`), the
//! Tableau REST API (`/api/{version}`), sessions and health probes over one [`Services`].

pub mod config;
pub mod session_store;
pub mod site_api;
pub mod sso_web;
pub mod tcm_admin;
pub mod tcm_api;
pub mod web;

use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::{any, get};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use patio_service::{Db, ServerKey, Services, SharedClock};
use session_store::HashedIdStore;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
}

/// Opens the database (running migrations) and builds the service layer.
pub async fn open_services(
    database_url: &str,
    key: ServerKey,
    clock: SharedClock,
    sso: patio_service::oidc::SsoSettings,
) -> anyhow_like::Result<Services> {
    let db = Db::connect(database_url).await?;
    db.migrate().await?;
    Ok(Services::with_sso(db, clock, key, sso))
}

/// Leptos settings: Patio's asset names are fixed at build time (.cargo/config.toml).
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("patio")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// The UI session store, in the same database (ids stored hashed). Creates its table on
/// first use.
pub async fn session_store(services: &Services) -> anyhow_like::Result<HashedIdStore> {
    let store = SqliteStore::new(services.db().pool().clone());
    store.migrate().await?;
    Ok(HashedIdStore::new(store, services.key().clone()))
}

/// The app's routes, generated once per process. Generating them runs the app with resource
/// loading suppressed by a process-wide flag, and a resource first polled meanwhile by another
/// render never resolves (leptos issue #4773): so never generate while anything else renders.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP application.
pub fn router(state: AppState, store: HashedIdStore, cookie_secure: bool) -> Router {
    let sessions = SessionManagerLayer::new(store)
        .with_name("patio_session")
        .with_http_only(true)
        // Lax, not Strict: the SSO sign-in returns from the identity provider by a top-level
        // navigation that must carry the cookie. Server functions are POSTs, which Lax blocks
        // cross-site.
        .with_same_site(SameSite::Lax)
        .with_secure(cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(30)));

    let routes = route_list();
    let services = state.services.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(web::healthz))
        .route("/readyz", get(web::readyz))
        .nest("/api/v1", tcm_api::router())
        .nest("/api/v2", tcm_api::v2_router())
        // `nest` does not cover the bare trailing-slash forms.
        .route("/api/v1/", any(tcm_api::not_found))
        .route("/api/v2/", any(tcm_api::not_found))
        .route("/api/{*rest}", any(site_api::unknown_path))
        .merge(sso_web::routes(
            state.services.sso_settings().standin_enabled,
        ))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(services.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::auth_gate,
        ))
        .layer(sessions)
        .with_state(state)
}

/// Small boxed-error result for start-up code, where any failure ends the process with a
/// message.
pub mod anyhow_like {
    pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;
}
