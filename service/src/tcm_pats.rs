//! Tableau Cloud Manager personal access tokens and the TCM REST sessions they open
//! (seed 000, seed 003; SPEC T3-T14).
//!
//! Rules kept here, in one place:
//! - at most 104 live PATs per user (T5);
//! - a PAT expires 15 days after its last use (or creation), or at the expiry chosen at
//!   creation, whichever comes first (T6); expired PATs are neither listed nor accepted;
//! - only the keyed hash of the secret is stored (T4); the secret is returned once;
//! - a session token lives 4 hours from sign-in and dies after 30 idle minutes (T12);
//! - sessions and PATs only work while the owner is a cloud admin (T1, T13);
//! - changing the tenant's TCM authentication method revokes all its TCM PATs (T8).

use crate::Services;
use crate::activity::{Event, event};
use crate::auth::AdminIdentity;
use crate::crypto::{ct_eq, tokens};
use crate::error::{Result, ServiceError};
use crate::repo::api_sessions::{self, ApiSessionRow};
use crate::repo::pats::{self, PatKind, PatRow};
use crate::repo::tenants;
use crate::throttle::Limit;
use time::OffsetDateTime;

pub const MAX_PATS_PER_USER: usize = 104;
pub const IDLE_EXPIRY_MS: i64 = 15 * 24 * 60 * 60 * 1000;
pub const DEFAULT_EXPIRY_DAYS: i64 = 180;
pub const MAX_EXPIRY_DAYS: i64 = 365;
/// Tableau does not document a limit; 100 characters fits every name its UI shows.
pub const NAME_MAX_CHARS: usize = 100;
pub const SESSION_ABSOLUTE_MS: i64 = 4 * 60 * 60 * 1000;
pub const SESSION_IDLE_MS: i64 = 30 * 60 * 1000;
/// Failed PAT sign-ins per source address before 429.
pub const LOGIN_ADDRESS_LIMIT: Limit = Limit {
    max_failures: 20,
    window_ms: 15 * 60 * 1000,
};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const SESSION_KIND: &str = "tcm";

/// Why a create or revoke request was refused: shown to the user as is.
#[derive(Debug, thiserror::Error)]
pub enum PatError {
    #[error("Enter a token name.")]
    NameRequired,
    #[error("Token names can be at most {NAME_MAX_CHARS} characters long.")]
    NameTooLong,
    #[error("You already have a token named \"{0}\". Choose a different name.")]
    NameTaken(String),
    #[error("The expiration must be in the future.")]
    ExpiryInPast,
    #[error("The expiration can be at most {MAX_EXPIRY_DAYS} days from today.")]
    ExpiryTooFar,
    #[error(
        "You have reached the limit of {MAX_PATS_PER_USER} personal access tokens. Revoke a token before you create another."
    )]
    LimitReached,
    #[error("The token does not exist, or it was already revoked or expired.")]
    NotFound,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<sqlx::Error> for PatError {
    fn from(e: sqlx::Error) -> Self {
        PatError::Service(e.into())
    }
}

/// How long a new PAT lives.
#[derive(Debug, Clone, Copy)]
pub enum Expiry {
    /// `absoluteExpiryInDays` of the REST API.
    Days(i64),
    /// The date picker of the UI: valid through the end of this day (UTC).
    EndOfDay(time::Date),
}

/// A PAT as listed (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatInfo {
    pub id: String,
    pub name: String,
    pub tenant_id: String,
    pub user_id: String,
    pub created_at: i64,
    /// The absolute expiry chosen at creation.
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CreatedPat {
    pub info: PatInfo,
    /// Returned this once; only its keyed hash is stored.
    pub secret: String,
}

#[derive(Debug, Clone)]
pub struct TcmLogin {
    pub session_token: String,
    pub user_id: String,
    pub tenant_id: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub enum LoginOutcome {
    SignedIn(TcmLogin),
    /// Wrong, malformed, revoked, expired or foreign token, or an owner who may not sign in:
    /// the caller must not tell which (the reason is in the activity log).
    Denied,
    Throttled {
        retry_after_secs: i64,
    },
}

/// A live TCM REST session.
#[derive(Debug, Clone)]
pub struct TcmSession {
    pub id: String,
    pub identity: AdminIdentity,
    pub pat_id: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: i64,
}

fn info(p: &PatRow) -> PatInfo {
    PatInfo {
        id: p.id.clone(),
        name: p.name.clone(),
        tenant_id: p.tenant_id.clone(),
        user_id: p.user_id.clone(),
        created_at: p.created_at,
        expires_at: p.expires_at,
        last_used_at: p.last_used_at,
    }
}

/// Why a PAT no longer works at `now`, if it does not (SPEC T6).
pub fn dead_reason(p: &PatRow, now: i64) -> Option<&'static str> {
    if p.revoked_at.is_some() {
        Some("revoked")
    } else if p.expired_at.is_some() || now >= p.expires_at {
        Some("expired")
    } else if now - p.last_used_at.unwrap_or(p.created_at) >= IDLE_EXPIRY_MS {
        Some("expired_unused_15_days")
    } else {
        None
    }
}

fn validate_name(name: &str) -> std::result::Result<String, PatError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(PatError::NameRequired);
    }
    if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(if name.chars().count() > NAME_MAX_CHARS {
            PatError::NameTooLong
        } else {
            PatError::NameRequired
        });
    }
    Ok(name.to_owned())
}

fn expiry_at(expiry: Expiry, now: OffsetDateTime) -> std::result::Result<i64, PatError> {
    let now_ms = crate::clock::to_millis(now);
    let at = match expiry {
        Expiry::Days(d) if d < 1 => return Err(PatError::ExpiryInPast),
        Expiry::Days(d) if d > MAX_EXPIRY_DAYS => return Err(PatError::ExpiryTooFar),
        Expiry::Days(d) => now_ms + d * DAY_MS,
        Expiry::EndOfDay(date) => {
            let end = date
                .next_day()
                .map(|d| crate::clock::to_millis(d.midnight().assume_utc()))
                .ok_or(PatError::ExpiryTooFar)?;
            if date < now.date() {
                return Err(PatError::ExpiryInPast);
            }
            if date > now.date() + time::Duration::days(MAX_EXPIRY_DAYS) {
                return Err(PatError::ExpiryTooFar);
            }
            end
        }
    };
    Ok(at)
}

impl Services {
    /// Live PATs of a user; PATs found expired are marked so (one "expired" event each).
    async fn live_pats(&self, kind: PatKind, user_id: &str) -> Result<Vec<PatRow>> {
        let now = self.now_ms();
        let mut live = Vec::new();
        for p in pats::unrevoked_of_user(self.db(), kind, user_id).await? {
            match dead_reason(&p, now) {
                None => live.push(p),
                Some(reason) => self.note_expired(&p, reason).await?,
            }
        }
        Ok(live)
    }

    async fn note_expired(&self, p: &PatRow, reason: &str) -> Result<()> {
        if pats::mark_expired(self.db(), &p.id, self.now_ms()).await? {
            self.record(
                Event::new(event::PAT_EXPIRED)
                    .tenant(&p.tenant_id)
                    .target("pat", &p.id)
                    .detail("tokenName", p.name.as_str())
                    .detail("ownerId", p.user_id.as_str())
                    .detail("kind", p.kind.as_str())
                    .detail("reason", reason),
            )
            .await?;
        }
        Ok(())
    }

    /// SPEC T3, T4, T5: creates a TCM PAT for `owner` and returns its secret once.
    pub async fn create_tcm_pat(
        &self,
        owner: &AdminIdentity,
        name: &str,
        expiry: Expiry,
        addr: Option<&str>,
    ) -> std::result::Result<CreatedPat, PatError> {
        let name = validate_name(name)?;
        let expires_at = expiry_at(expiry, self.now())?;
        let live = self.live_pats(PatKind::Tcm, &owner.user_id).await?;
        if live
            .iter()
            .any(|p| p.name.to_lowercase() == name.to_lowercase())
        {
            return Err(PatError::NameTaken(name));
        }
        if live.len() >= MAX_PATS_PER_USER {
            return Err(PatError::LimitReached);
        }
        let issued = tokens::issue_pat(self.key());
        let row = PatRow {
            id: uuid::Uuid::new_v4().to_string(),
            kind: PatKind::Tcm.as_str().into(),
            tenant_id: owner.tenant_id.clone(),
            site_id: None,
            user_id: owner.user_id.clone(),
            name,
            lookup_key: issued.lookup_key,
            secret_hash: issued.secret_hash,
            created_at: self.now_ms(),
            expires_at,
            last_used_at: None,
            revoked_at: None,
            revoked_by: None,
            revoke_reason: None,
            expired_at: None,
        };
        pats::insert(self.db(), &row).await?;
        self.record(
            Event::new(event::PAT_CREATED)
                .by(owner)
                .target("pat", &row.id)
                .from_address(addr)
                .detail("tokenName", row.name.as_str())
                .detail("kind", "tcm")
                .detail(
                    "expiresAt",
                    crate::clock::rfc3339(crate::clock::from_millis(expires_at)),
                ),
        )
        .await?;
        Ok(CreatedPat {
            info: info(&row),
            secret: issued.secret,
        })
    }

    /// SPEC T6: the live TCM PATs of a user, oldest first.
    pub async fn list_tcm_pats(&self, user_id: &str) -> Result<Vec<PatInfo>> {
        Ok(self
            .live_pats(PatKind::Tcm, user_id)
            .await?
            .iter()
            .map(info)
            .collect())
    }

    /// SPEC T7: an admin revokes one of their own TCM PATs; its open sessions end too.
    pub async fn revoke_tcm_pat(
        &self,
        actor: &AdminIdentity,
        pat_id: &str,
        addr: Option<&str>,
    ) -> std::result::Result<(), PatError> {
        let Some(p) = pats::get(self.db(), PatKind::Tcm, pat_id).await? else {
            return Err(PatError::NotFound);
        };
        if p.user_id != actor.user_id || dead_reason(&p, self.now_ms()).is_some() {
            return Err(PatError::NotFound);
        }
        self.revoke_pat(&p, Some(actor), "revoked_by_owner", addr)
            .await?;
        Ok(())
    }

    pub(crate) async fn revoke_pat(
        &self,
        p: &PatRow,
        actor: Option<&AdminIdentity>,
        reason: &str,
        addr: Option<&str>,
    ) -> Result<bool> {
        let by = actor.map(|a| a.user_id.as_str());
        if !pats::revoke(self.db(), &p.id, by, reason, self.now_ms()).await? {
            return Ok(false);
        }
        let mut e = Event::new(event::PAT_REVOKED)
            .tenant(&p.tenant_id)
            .target("pat", &p.id)
            .from_address(addr)
            .detail("tokenName", p.name.as_str())
            .detail("ownerId", p.user_id.as_str())
            .detail("kind", p.kind.as_str())
            .detail("reason", reason);
        if let Some(a) = actor {
            e = e.actor(&a.user_id, &a.user_name);
        }
        self.record(e).await?;
        for s in api_sessions::open_of_pat(self.db(), &p.id).await? {
            self.end_session_row(&s, "pat_revoked", addr).await?;
        }
        Ok(true)
    }

    /// SPEC T10, T14: `POST /api/v1/pat/login`. Checks shape, kind (T9), hash (constant
    /// time), revocation and both expiry rules (T6), and that the owner is still a cloud admin
    /// (T13); then starts a 4-hour session (T12) and records the use.
    pub async fn tcm_pat_login(&self, secret: &str, addr: Option<&str>) -> Result<LoginOutcome> {
        let addr_key = format!("pat-login:{}", addr.unwrap_or("unknown"));
        let now = self.now_ms();
        if let Some(ms) = self
            .throttle()
            .blocked_for(&addr_key, LOGIN_ADDRESS_LIMIT, now)
        {
            return Ok(LoginOutcome::Throttled {
                retry_after_secs: (ms + 999) / 1000,
            });
        }
        let (p, identity) = match self.check_tcm_secret(secret).await? {
            Ok(accepted) => accepted,
            Err((reason, pat)) => {
                self.throttle().record_failure(&addr_key, now);
                let mut e = Event::new(event::PAT_SIGNIN_FAILED)
                    .from_address(addr)
                    .detail("kind", "tcm")
                    .detail("reason", reason);
                // Failures against a real PAT are logged in its tenant; unknown tokens have none.
                if let Some(p) = &pat {
                    e = e
                        .tenant(&p.tenant_id)
                        .target("pat", &p.id)
                        .detail("tokenName", p.name.as_str());
                }
                self.record(e).await?;
                return Ok(LoginOutcome::Denied);
            }
        };
        pats::touch(self.db(), &p.id, now).await?;
        let token = tokens::session_token();
        let row = ApiSessionRow {
            id: uuid::Uuid::new_v4().to_string(),
            kind: SESSION_KIND.into(),
            token_hash: tokens::session_token_hash(self.key(), &token),
            user_id: p.user_id.clone(),
            tenant_id: p.tenant_id.clone(),
            site_id: None,
            pat_id: Some(p.id.clone()),
            created_at: now,
            last_seen_at: now,
            expires_at: now + SESSION_ABSOLUTE_MS,
            ended_at: None,
            end_reason: None,
        };
        api_sessions::insert(self.db(), &row).await?;
        self.record(
            Event::new(event::PAT_USED)
                .tenant(&p.tenant_id)
                .actor(&identity.user_id, &identity.user_name)
                .target("pat", &p.id)
                .from_address(addr)
                .detail("tokenName", p.name.as_str())
                .detail("kind", "tcm")
                .detail("sessionId", row.id.as_str()),
        )
        .await?;
        self.record(
            Event::new(event::SESSION_STARTED)
                .tenant(&p.tenant_id)
                .actor(&identity.user_id, &identity.user_name)
                .target("api_session", &row.id)
                .from_address(addr)
                .detail("surface", "tcm_rest")
                .detail("patId", p.id.as_str()),
        )
        .await?;
        Ok(LoginOutcome::SignedIn(TcmLogin {
            session_token: token,
            user_id: p.user_id,
            tenant_id: p.tenant_id,
            expires_at: row.expires_at,
        }))
    }

    async fn pat_by_secret_shape(&self, secret: &str) -> Result<Option<PatRow>> {
        match tokens::pat_lookup_key(secret) {
            Some(k) => pats::by_lookup_key(self.db(), PatKind::Tcm, k).await,
            None => Ok(None),
        }
    }

    /// The PAT and its owner when the secret matches a live PAT whose owner may use it;
    /// otherwise why not, with the PAT when there is one (for the activity log).
    async fn check_tcm_secret(
        &self,
        secret: &str,
    ) -> Result<std::result::Result<(PatRow, AdminIdentity), (&'static str, Option<PatRow>)>> {
        let Some(p) = self.pat_by_secret_shape(secret).await? else {
            let reason = if tokens::pat_lookup_key(secret).is_some() {
                "unknown_token"
            } else {
                "malformed_token"
            };
            return Ok(Err((reason, None)));
        };
        let presented = tokens::pat_hash(self.key(), secret);
        if !ct_eq(presented.as_bytes(), p.secret_hash.as_bytes()) {
            return Ok(Err(("wrong_secret", Some(p))));
        }
        if let Some(reason) = dead_reason(&p, self.now_ms()) {
            if reason != "revoked" {
                self.note_expired(&p, reason).await?;
            }
            return Ok(Err((reason, Some(p))));
        }
        Ok(match self.admin_identity(&p.user_id).await? {
            Some(identity) => Ok((p, identity)),
            None => Err(("owner_not_cloud_admin", Some(p))),
        })
    }

    /// SPEC T11, T12, T13: the live session for an `x-tableau-session-token`, refreshed.
    pub async fn tcm_session(&self, token: &str) -> Result<Option<TcmSession>> {
        if token.is_empty() || token.len() > 200 {
            return Ok(None);
        }
        let hash = tokens::session_token_hash(self.key(), token);
        let Some(s) = api_sessions::by_token_hash(self.db(), SESSION_KIND, &hash).await? else {
            return Ok(None);
        };
        if s.ended_at.is_some() {
            return Ok(None);
        }
        let now = self.now_ms();
        let timeout = if now >= s.expires_at {
            Some("absolute_timeout")
        } else if now - s.last_seen_at >= SESSION_IDLE_MS {
            Some("idle_timeout")
        } else {
            None
        };
        if let Some(reason) = timeout {
            self.end_session_row(&s, reason, None).await?;
            return Ok(None);
        }
        let Some(identity) = self.admin_identity(&s.user_id).await? else {
            self.end_session_row(&s, "not_cloud_admin", None).await?;
            return Ok(None);
        };
        api_sessions::touch(self.db(), &s.id, now).await?;
        Ok(Some(TcmSession {
            id: s.id,
            identity,
            pat_id: s.pat_id,
            created_at: s.created_at,
            expires_at: s.expires_at,
            last_seen_at: now,
        }))
    }

    /// Sign-out of a TCM REST session.
    pub async fn end_tcm_session(&self, session: &TcmSession, addr: Option<&str>) -> Result<()> {
        if let Some(row) = api_sessions::by_id(self.db(), &session.id).await? {
            self.end_session_row(&row, "signed_out", addr).await?;
        }
        Ok(())
    }

    async fn end_session_row(
        &self,
        s: &ApiSessionRow,
        reason: &str,
        addr: Option<&str>,
    ) -> Result<()> {
        if api_sessions::end(self.db(), &s.id, reason, self.now_ms()).await? {
            self.record(
                Event::new(event::SESSION_ENDED)
                    .tenant(&s.tenant_id)
                    .target("api_session", &s.id)
                    .from_address(addr)
                    .detail(
                        "surface",
                        if s.kind == SESSION_KIND {
                            "tcm_rest"
                        } else {
                            "site_rest"
                        },
                    )
                    .detail("userId", s.user_id.as_str())
                    .detail("reason", reason),
            )
            .await?;
        }
        Ok(())
    }

    /// SPEC T8: switching the tenant's TCM authentication method revokes every TCM PAT of the
    /// tenant. Returns how many were revoked. No-op when the method does not change.
    pub async fn change_tcm_auth_method(
        &self,
        actor: &AdminIdentity,
        method: &str,
        addr: Option<&str>,
    ) -> Result<usize> {
        let tenant = tenants::get(self.db(), &actor.tenant_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if tenant.auth_method == method {
            return Ok(0);
        }
        tenants::set_auth_method(self.db(), &tenant.id, method).await?;
        self.record(
            Event::new(event::TENANT_AUTH_METHOD_CHANGED)
                .tenant(&tenant.id)
                .actor(&actor.user_id, &actor.user_name)
                .from_address(addr)
                .detail("from", tenant.auth_method.as_str())
                .detail("to", method),
        )
        .await?;
        let mut revoked = 0;
        for p in pats::unrevoked_of_tenant(self.db(), PatKind::Tcm, &tenant.id).await? {
            if self
                .revoke_pat(&p, Some(actor), "tcm_auth_method_changed", addr)
                .await?
            {
                revoked += 1;
            }
        }
        Ok(revoked)
    }
}
