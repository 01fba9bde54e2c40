//! Writing and reading the activity log. Event type names are constants here so the UI, the
//! API and the tests agree on them.

use crate::Services;
use crate::clock::to_millis;
use crate::error::Result;
use crate::repo::activity::{self, ActivityRow};

pub mod event {
    pub const SIGNIN_SUCCEEDED: &str = "signin.succeeded";
    pub const SIGNIN_FAILED: &str = "signin.failed";
    pub const SIGNIN_THROTTLED: &str = "signin.throttled";
    pub const MFA_ENROLLED: &str = "mfa.enrolled";
    pub const MFA_RECOVERY_CODE_USED: &str = "mfa.recovery_code_used";
    pub const SESSION_STARTED: &str = "session.started";
    pub const SESSION_ENDED: &str = "session.ended";
    pub const ADMIN_CREATED: &str = "user.cloud_admin_created";
    // PAT events (SPEC S11: issued, used to sign in, revoked, expired; and failed uses).
    pub const PAT_CREATED: &str = "pat.created";
    pub const PAT_USED: &str = "pat.used";
    pub const PAT_SIGNIN_FAILED: &str = "pat.signin_failed";
    pub const PAT_REVOKED: &str = "pat.revoked";
    pub const PAT_EXPIRED: &str = "pat.expired";
    pub const TENANT_AUTH_METHOD_CHANGED: &str = "tenant.auth_method_changed";
    pub const SSO_CONFIGURED: &str = "sso.oidc_configured";
    pub const SSO_DELETED: &str = "sso.oidc_deleted";
    pub const SSO_TEST_SIGNIN: &str = "sso.test_signin";
    pub const USER_CREATED: &str = "user.created";
    pub const USER_UPDATED: &str = "user.updated";
    pub const USER_DELETED: &str = "user.deleted";
    pub const USER_ROLE_CHANGED: &str = "user.role_changed";
    pub const USER_IDP_CHANGED: &str = "user.idp_changed";
}

/// One event to record. Build with [`Event::new`] and the `with_*` methods.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub event_type: &'static str,
    pub tenant_id: Option<String>,
    pub site_id: Option<String>,
    pub actor_user_id: Option<String>,
    pub actor_name: Option<String>,
    pub target: Option<(String, String)>,
    pub source_address: Option<String>,
    pub details: serde_json::Value,
}

impl Event {
    pub fn new(event_type: &'static str) -> Self {
        Self {
            event_type,
            details: serde_json::json!({}),
            ..Default::default()
        }
    }
    pub fn tenant(mut self, id: &str) -> Self {
        self.tenant_id = Some(id.to_owned());
        self
    }
    pub fn actor(mut self, user_id: &str, name: &str) -> Self {
        self.actor_user_id = Some(user_id.to_owned());
        self.actor_name = Some(name.to_owned());
        self
    }
    /// Done by this admin, in their tenant.
    pub fn by(self, a: &crate::auth::AdminIdentity) -> Self {
        self.tenant(&a.tenant_id).actor(&a.user_id, &a.user_name)
    }
    pub fn actor_name(mut self, name: &str) -> Self {
        self.actor_name = Some(name.to_owned());
        self
    }
    pub fn target(mut self, kind: &str, id: &str) -> Self {
        self.target = Some((kind.to_owned(), id.to_owned()));
        self
    }
    pub fn from_address(mut self, addr: Option<&str>) -> Self {
        self.source_address = addr.map(str::to_owned);
        self
    }
    pub fn detail(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.details[key] = value.into();
        self
    }
}

/// What the Activity page shows.
#[derive(Debug, Clone)]
pub struct ActivityEntry {
    pub occurred_at: i64,
    pub event_type: String,
    pub actor_name: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub source_address: Option<String>,
    pub details: String,
}

impl Services {
    pub async fn record(&self, e: Event) -> Result<()> {
        let (target_type, target_id) = e.target.unzip();
        activity::insert(
            self.db(),
            &ActivityRow {
                id: uuid::Uuid::new_v4().to_string(),
                tenant_id: e.tenant_id,
                site_id: e.site_id,
                occurred_at: to_millis(self.now()),
                event_type: e.event_type.to_owned(),
                actor_user_id: e.actor_user_id,
                actor_name: e.actor_name,
                target_type,
                target_id,
                source_address: e.source_address,
                details: e.details.to_string(),
            },
        )
        .await
    }

    pub async fn recent_activity(&self, tenant_id: &str, limit: i64) -> Result<Vec<ActivityEntry>> {
        Ok(activity::list_for_tenant(self.db(), tenant_id, limit)
            .await?
            .into_iter()
            .map(|r| ActivityEntry {
                occurred_at: r.occurred_at,
                event_type: r.event_type,
                actor_name: r.actor_name,
                target_type: r.target_type,
                target_id: r.target_id,
                source_address: r.source_address,
                details: r.details,
            })
            .collect())
    }
}
