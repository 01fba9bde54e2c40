//! Cloud-admin sign-in to the TCM UI, "Tableau with MFA" (SPEC T1, T2): password, then a
//! one-time code from an enrolled authenticator (or a recovery code); first-time users enroll
//! an authenticator. Every outcome the user can cause is data, not an error, and every attempt
//! writes an activity event.

use crate::Services;
use crate::activity::{Event, event};
use crate::crypto::{password, recovery, totp};
use crate::error::{Result, ServiceError};
use crate::repo::{tenants, users};
use crate::throttle::Limit;

/// One message for every password-step failure: it must not reveal whether the account
/// exists, is a cloud admin, or uses another identity provider.
pub const GENERIC_FAILURE: &str =
    "Sign-in failed. Check your user name and password, or contact your cloud administrator.";
pub const CODE_FAILURE: &str = "That code is not valid. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.";

/// Five failures per account and twenty per address within fifteen minutes.
pub const ACCOUNT_LIMIT: Limit = Limit {
    max_failures: 5,
    window_ms: 15 * 60 * 1000,
};
pub const ADDRESS_LIMIT: Limit = Limit {
    max_failures: 20,
    window_ms: 15 * 60 * 1000,
};

pub const LINK_ADMIN: &str = "LINK_ADMIN";
pub const IDP_TABLEAU_MFA: &str = "TableauIDWithMFA";
pub const IDP_OPENID: &str = "OpenID";
pub const MFA_ISSUER: &str = "Patio";

/// A signed-in (or half signed-in) cloud admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminIdentity {
    pub user_id: String,
    pub tenant_id: String,
    pub user_name: String,
    pub display_name: String,
    pub email: String,
    pub tenant_name: String,
    /// Identity provider of the cloud-admin role (`TableauIDWithMFA`, `OpenID`).
    pub idp: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordCheck {
    /// Password right; `needs_enrollment` if no authenticator is enrolled yet.
    Accepted {
        identity: AdminIdentity,
        needs_enrollment: bool,
    },
    Failed,
    Throttled {
        retry_after_secs: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    SignedIn {
        identity: AdminIdentity,
        recovery_codes_left: Option<i64>,
    },
    Failed,
    Throttled {
        retry_after_secs: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentOffer {
    pub secret_base32: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnrollmentCheck {
    /// Enrolled and signed in; the recovery codes are returned this once only.
    Enrolled {
        identity: AdminIdentity,
        recovery_codes: Vec<String>,
    },
    Failed,
    Throttled {
        retry_after_secs: i64,
    },
}

fn account_key(user_name: &str) -> String {
    format!("acct:{}", users::name_key(user_name))
}

fn address_key(addr: Option<&str>) -> Option<String> {
    addr.map(|a| format!("addr:{a}"))
}

fn secs(ms: i64) -> i64 {
    (ms + 999) / 1000
}

impl Services {
    fn throttled(&self, user_name: &str, addr: Option<&str>) -> Option<i64> {
        let now = self.now_ms();
        let acct = self
            .throttle()
            .blocked_for(&account_key(user_name), ACCOUNT_LIMIT, now);
        let by_addr =
            address_key(addr).and_then(|k| self.throttle().blocked_for(&k, ADDRESS_LIMIT, now));
        acct.max(by_addr).map(secs)
    }

    fn note_failure(&self, user_name: &str, addr: Option<&str>) {
        let now = self.now_ms();
        self.throttle().record_failure(&account_key(user_name), now);
        if let Some(k) = address_key(addr) {
            self.throttle().record_failure(&k, now);
        }
    }

    async fn record_throttled(
        &self,
        user_name: &str,
        addr: Option<&str>,
        step: &str,
    ) -> Result<()> {
        self.record(
            Event::new(event::SIGNIN_THROTTLED)
                .actor_name(user_name)
                .from_address(addr)
                .detail("step", step),
        )
        .await
    }

    /// Identity of a user who currently holds an active cloud-admin role, else `None`.
    pub async fn admin_identity(&self, user_id: &str) -> Result<Option<AdminIdentity>> {
        let Some(u) = users::get(self.db(), user_id).await? else {
            return Ok(None);
        };
        let Some(role) = users::link_role(self.db(), &u.id, &u.tenant_id).await? else {
            return Ok(None);
        };
        if role.link_role != LINK_ADMIN || role.status != "ACTIVE" {
            return Ok(None);
        }
        let Some(t) = tenants::get(self.db(), &u.tenant_id).await? else {
            return Ok(None);
        };
        Ok(Some(AdminIdentity {
            user_id: u.id,
            tenant_id: t.id,
            user_name: u.user_name,
            display_name: u.display_name,
            email: u.email,
            tenant_name: t.name,
            idp: role.idp,
        }))
    }

    /// Step 1: user name and password (T1: only cloud admins whose idp is Tableau with MFA).
    pub async fn check_password(
        &self,
        user_name: &str,
        password_text: &str,
        addr: Option<&str>,
    ) -> Result<PasswordCheck> {
        let user_name = user_name.trim();
        if let Some(retry_after_secs) = self.throttled(user_name, addr) {
            self.record_throttled(user_name, addr, "password").await?;
            return Ok(PasswordCheck::Throttled { retry_after_secs });
        }
        let candidates = users::find_by_name(self.db(), user_name).await?;
        let mut reason = "unknown_user";
        if candidates.is_empty() {
            // Same work as for a real account, so timing does not reveal existence.
            password::verify_password(password_text.to_owned(), None).await;
        }
        for u in candidates {
            let ok =
                password::verify_password(password_text.to_owned(), u.password_hash.clone()).await;
            if !ok {
                reason = "wrong_password";
                continue;
            }
            let role = users::link_role(self.db(), &u.id, &u.tenant_id).await?;
            let Some(role) = role.filter(|r| r.link_role == LINK_ADMIN && r.status == "ACTIVE")
            else {
                reason = "not_cloud_admin";
                continue;
            };
            if role.idp != IDP_TABLEAU_MFA {
                reason = "idp_is_not_tableau_with_mfa";
                continue;
            }
            self.throttle().reset(&account_key(user_name));
            let identity = self
                .admin_identity(&u.id)
                .await?
                .ok_or_else(|| ServiceError::Internal("admin vanished".into()))?;
            return Ok(PasswordCheck::Accepted {
                identity,
                needs_enrollment: u.totp_secret_sealed.is_none(),
            });
        }
        self.note_failure(user_name, addr);
        self.record(
            Event::new(event::SIGNIN_FAILED)
                .actor_name(user_name)
                .from_address(addr)
                .detail("step", "password")
                .detail("reason", reason),
        )
        .await?;
        Ok(PasswordCheck::Failed)
    }

    /// Step 2 for an enrolled admin: a TOTP code (each step accepted once) or a recovery code
    /// (each accepted once).
    pub async fn verify_second_factor(
        &self,
        user_id: &str,
        code: &str,
        addr: Option<&str>,
    ) -> Result<CodeCheck> {
        let Some(u) = users::get(self.db(), user_id).await? else {
            return Ok(CodeCheck::Failed);
        };
        if let Some(retry_after_secs) = self.throttled(&u.user_name, addr) {
            self.record_throttled(&u.user_name, addr, "code").await?;
            return Ok(CodeCheck::Throttled { retry_after_secs });
        }
        let Some(identity) = self.admin_identity(user_id).await? else {
            return Ok(CodeCheck::Failed);
        };
        let mut method = "totp";
        let mut recovery_left = None;
        let accepted = if recovery::looks_like_recovery_code(code) {
            method = "recovery_code";
            let hash = recovery::hash(self.key(), code);
            let used = users::use_recovery_code(self.db(), user_id, &hash, self.now_ms()).await?;
            if used {
                recovery_left = Some(users::remaining_recovery_codes(self.db(), user_id).await?);
            }
            used
        } else {
            match u
                .totp_secret_sealed
                .as_deref()
                .and_then(|s| self.key().open(s))
            {
                Some(secret) => {
                    let now = self.now().unix_timestamp();
                    match totp::verify(&secret, code, now, u.totp_last_step) {
                        Some(step) => users::claim_totp_step(self.db(), user_id, step).await?,
                        None => false,
                    }
                }
                None => false,
            }
        };
        if !accepted {
            self.second_factor_failed(&u, addr, "code", &format!("wrong_{method}"))
                .await?;
            return Ok(CodeCheck::Failed);
        }
        self.signed_in(&identity, addr, &format!("password+{method}"))
            .await?;
        if let Some(left) = recovery_left {
            self.record(
                Event::new(event::MFA_RECOVERY_CODE_USED)
                    .by(&identity)
                    .from_address(addr)
                    .detail("remaining", left),
            )
            .await?;
        }
        Ok(CodeCheck::SignedIn {
            identity,
            recovery_codes_left: recovery_left,
        })
    }

    /// A wrong code at the code or enrollment step: counts toward the throttle, and is logged.
    async fn second_factor_failed(
        &self,
        u: &users::UserRow,
        addr: Option<&str>,
        step: &str,
        reason: &str,
    ) -> Result<()> {
        self.note_failure(&u.user_name, addr);
        self.record(
            Event::new(event::SIGNIN_FAILED)
                .tenant(&u.tenant_id)
                .actor(&u.id, &u.user_name)
                .from_address(addr)
                .detail("step", step)
                .detail("reason", reason),
        )
        .await
    }

    pub(crate) async fn signed_in(
        &self,
        identity: &AdminIdentity,
        addr: Option<&str>,
        method: &str,
    ) -> Result<()> {
        self.throttle().reset(&account_key(&identity.user_name));
        users::set_last_login(self.db(), &identity.user_id, self.now_ms()).await?;
        self.record(
            Event::new(event::SIGNIN_SUCCEEDED)
                .by(identity)
                .from_address(addr)
                .detail("method", method),
        )
        .await
    }

    /// Offers a fresh authenticator seed to an admin who has none enrolled yet.
    pub async fn begin_enrollment(&self, user_id: &str) -> Result<EnrollmentOffer> {
        let u = users::get(self.db(), user_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if u.totp_secret_sealed.is_some() {
            return Err(ServiceError::Invalid(
                "an authenticator is already enrolled".into(),
            ));
        }
        let secret = totp::new_secret();
        users::set_totp_pending(self.db(), user_id, &self.key().seal(&secret)).await?;
        let uri = totp::otpauth_uri(MFA_ISSUER, &u.user_name, &secret);
        Ok(EnrollmentOffer {
            secret_base32: totp::secret_base32(&secret),
            qr_svg: totp::qr_svg(&uri),
            otpauth_uri: uri,
        })
    }

    /// Confirms enrollment with a code from the new authenticator; issues recovery codes.
    pub async fn confirm_enrollment(
        &self,
        user_id: &str,
        code: &str,
        addr: Option<&str>,
    ) -> Result<EnrollmentCheck> {
        let u = users::get(self.db(), user_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if let Some(retry_after_secs) = self.throttled(&u.user_name, addr) {
            self.record_throttled(&u.user_name, addr, "enrollment")
                .await?;
            return Ok(EnrollmentCheck::Throttled { retry_after_secs });
        }
        let Some(identity) = self.admin_identity(user_id).await? else {
            return Ok(EnrollmentCheck::Failed);
        };
        let pending = u.totp_pending_sealed.clone();
        let step = pending
            .as_deref()
            .and_then(|s| self.key().open(s))
            .and_then(|secret| totp::verify(&secret, code, self.now().unix_timestamp(), None));
        let confirmed = match (step, pending.as_deref()) {
            (Some(step), Some(sealed)) => {
                users::confirm_totp(self.db(), user_id, sealed, step, self.now_ms()).await?
            }
            _ => false,
        };
        if !confirmed {
            self.second_factor_failed(&u, addr, "enrollment", "wrong_code")
                .await?;
            return Ok(EnrollmentCheck::Failed);
        }
        let codes = recovery::generate();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| recovery::hash(self.key(), c))
            .collect();
        users::replace_recovery_codes(self.db(), user_id, &hashes).await?;
        self.record(
            Event::new(event::MFA_ENROLLED)
                .by(&identity)
                .from_address(addr)
                .detail("method", "totp")
                .detail("recovery_codes_issued", codes.len()),
        )
        .await?;
        self.signed_in(&identity, addr, "password+totp_enrollment")
            .await?;
        Ok(EnrollmentCheck::Enrolled {
            identity,
            recovery_codes: codes,
        })
    }

    /// A UI session began (after the second factor) or ended (sign-out). `session_ref` is a
    /// non-secret identifier of the session, never the cookie value.
    pub async fn ui_session_event(
        &self,
        identity: &AdminIdentity,
        started: bool,
        session_ref: &str,
        addr: Option<&str>,
        reason: &str,
    ) -> Result<()> {
        self.record(
            Event::new(if started {
                event::SESSION_STARTED
            } else {
                event::SESSION_ENDED
            })
            .by(identity)
            .target("ui_session", session_ref)
            .from_address(addr)
            .detail("surface", "tcm_ui")
            .detail("reason", reason),
        )
        .await
    }
}
