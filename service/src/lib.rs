//! Patio's server-only core. The Leptos server functions (`app`, feature `ssr`) and the REST
//! handlers (`patio-server`) both call [`Services`]; neither talks to the database directly.

pub mod activity;
pub mod auth;
pub mod clock;
pub mod crypto;
pub mod db;
pub mod error;
pub mod oidc;
pub mod repo;
pub mod seed;
pub mod sites;
pub mod sso;
pub mod tcm_pats;
pub mod tenant_users;
pub mod throttle;

use std::sync::Arc;

pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use crypto::keys::ServerKey;
pub use db::Db;
pub use error::{Result, ServiceError};

/// The shared handle to everything the domain needs. Cheap to clone.
#[derive(Clone)]
pub struct Services(Arc<Inner>);

struct Inner {
    db: Db,
    clock: SharedClock,
    key: ServerKey,
    throttle: throttle::Throttle,
    sso: oidc::SsoSettings,
    standin: oidc::standin::StandIn,
    /// Built on first use and shared: one connection pool for every provider call.
    http: std::sync::OnceLock<openidconnect::reqwest::Client>,
    /// Provider discovery documents by issuer, with the time they were fetched.
    discovery: std::sync::Mutex<
        std::collections::HashMap<String, (openidconnect::core::CoreProviderMetadata, i64)>,
    >,
}

impl Services {
    pub fn new(db: Db, clock: SharedClock, key: ServerKey) -> Self {
        Self::with_sso(db, clock, key, oidc::SsoSettings::default())
    }

    pub fn with_sso(db: Db, clock: SharedClock, key: ServerKey, sso: oidc::SsoSettings) -> Self {
        Self(Arc::new(Inner {
            db,
            clock,
            key,
            throttle: Default::default(),
            sso,
            standin: Default::default(),
            http: Default::default(),
            discovery: Default::default(),
        }))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.0.clock.now()
    }

    pub fn now_ms(&self) -> i64 {
        clock::to_millis(self.now())
    }

    pub fn key(&self) -> &ServerKey {
        &self.0.key
    }

    pub(crate) fn throttle(&self) -> &throttle::Throttle {
        &self.0.throttle
    }
}
