//! The relying party: authorization code flow with PKCE, `state` and `nonce` checked, the ID
//! token's signature verified against the provider's published keys (openidconnect crate).
//! The provider comes from the tenant's OIDC configuration: its discovery endpoint, else the
//! well-known issuer of Google or Salesforce; with no client id configured and the stand-in
//! enabled (sandbox), the built-in stand-in provider.

use super::standin::{STANDIN_CLIENT_ID, provider_slug};
use super::to_chrono;
use crate::Services;
use crate::activity::{Event, event};
use crate::auth::{AdminIdentity, IDP_OPENID, LINK_ADMIN};
use crate::repo::{sso, tenants, users};
use crate::sso::OidcConfig;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

const PENDING_TTL_MS: i64 = 10 * 60 * 1000;
const DISCOVERY_TTL_MS: i64 = 60 * 60 * 1000;

/// A tenant whose cloud admins may sign in with SSO (a button on the sign-in page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoOption {
    pub tenant_url_name: String,
    pub tenant_name: String,
    pub provider: String,
}

/// What the browser's session keeps between the redirect to the provider and its return.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SsoPending {
    pub tenant_id: String,
    pub csrf_state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub started_at: i64,
    pub test: bool,
}

#[derive(Debug)]
pub struct SsoStart {
    pub authorize_url: String,
    pub pending: SsoPending,
}

#[derive(Debug)]
pub enum SsoDone {
    SignedIn(AdminIdentity),
    /// The Authentication page's "test sign-in": the provider answered for this account,
    /// and whether it could sign in to TCM.
    Tested {
        email: String,
        allowed: bool,
    },
}

/// Why single sign-on did not complete. [`SsoFailure::code`] names it in the redirect to the
/// sign-in page, which shows the matching text (`app::models::sso_error_message`).
#[derive(Debug)]
pub enum SsoFailure {
    NotConfigured,
    Expired,
    StateMismatch,
    Provider(String),
    NotAdmin,
    WrongIdp,
}

impl SsoFailure {
    pub fn code(&self) -> &'static str {
        match self {
            SsoFailure::NotConfigured => "not_configured",
            SsoFailure::Expired => "expired",
            SsoFailure::StateMismatch => "state",
            SsoFailure::Provider(_) => "provider",
            SsoFailure::NotAdmin => "not_admin",
            SsoFailure::WrongIdp => "wrong_idp",
        }
    }
}

impl From<crate::ServiceError> for SsoFailure {
    fn from(e: crate::ServiceError) -> Self {
        SsoFailure::Provider(e.to_string())
    }
}

struct Provider {
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    alias: String,
}

impl Services {
    pub fn sso_settings(&self) -> &super::SsoSettings {
        &self.0.sso
    }

    fn http(&self) -> &openidconnect::reqwest::Client {
        self.0.http.get_or_init(|| {
            openidconnect::reqwest::ClientBuilder::new()
                // The OIDC client must not follow redirects (SSRF and token leaks).
                .redirect(openidconnect::reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("HTTP client")
        })
    }

    /// Tenants with SSO enabled for the TCM UI (one query: it runs on every sign-in page).
    pub async fn sso_options(&self) -> crate::Result<Vec<SsoOption>> {
        Ok(sso::enabled_for_tenants(self.db())
            .await?
            .into_iter()
            .map(|(tenant_url_name, tenant_name, provider)| SsoOption {
                tenant_url_name,
                tenant_name,
                provider,
            })
            .collect())
    }

    async fn provider(&self, tenant_id: &str) -> Result<Provider, SsoFailure> {
        let row = sso::get(self.db(), tenant_id)
            .await?
            .filter(|r| r.enabled)
            .ok_or(SsoFailure::NotConfigured)?;
        let cfg: OidcConfig =
            serde_json::from_str(&row.config).map_err(|_| SsoFailure::NotConfigured)?;
        let alias = row.known_provider_alias.clone();
        if cfg.client_id.is_none() {
            let slug = provider_slug(&alias)
                .filter(|_| self.sso_settings().standin_enabled)
                .ok_or(SsoFailure::NotConfigured)?;
            return Ok(Provider {
                issuer: self.standin_issuer(slug),
                client_id: STANDIN_CLIENT_ID.into(),
                client_secret: None,
                alias,
            });
        }
        let issuer = match (&cfg.discovery_endpoint, alias.as_str()) {
            (Some(d), _) => d
                .trim_end_matches("/.well-known/openid-configuration")
                .trim_end_matches('/')
                .to_owned(),
            (None, "Google") => "https://accounts.google.com".to_owned(),
            (None, _) => format!(
                "https://{}",
                cfg.salesforce_domain
                    .clone()
                    .unwrap_or_else(|| "login.salesforce.com".into())
            ),
        };
        Ok(Provider {
            issuer,
            client_id: cfg.client_id.unwrap_or_default(),
            client_secret: self.oidc_client_secret(tenant_id).await?,
            alias,
        })
    }

    /// The provider's discovery document, fetched once an hour per issuer rather than twice
    /// per sign-in.
    async fn provider_metadata(&self, issuer: &str) -> Result<CoreProviderMetadata, SsoFailure> {
        let now = self.now_ms();
        if let Some((m, at)) = self
            .0
            .discovery
            .lock()
            .expect("discovery cache")
            .get(issuer)
        {
            if now - at < DISCOVERY_TTL_MS {
                return Ok(m.clone());
            }
        }
        let url =
            IssuerUrl::new(issuer.to_owned()).map_err(|e| SsoFailure::Provider(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(url, self.http())
            .await
            .map_err(|e| SsoFailure::Provider(format!("discovery: {e}")))?;
        self.0
            .discovery
            .lock()
            .expect("discovery cache")
            .insert(issuer.to_owned(), (metadata.clone(), now));
        Ok(metadata)
    }

    fn redirect_uri(&self) -> String {
        format!(
            "{}/sso/callback",
            self.sso_settings().public_url.trim_end_matches('/')
        )
    }

    async fn client(
        &self,
        p: &Provider,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SsoFailure,
    > {
        let metadata = self.provider_metadata(&p.issuer).await?;
        let redirect = RedirectUrl::new(self.redirect_uri())
            .map_err(|e| SsoFailure::Provider(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(p.client_id.clone()),
            p.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// Step 1: where to send the browser, and what to remember in its session.
    pub async fn sso_start(
        &self,
        tenant_url_name: &str,
        test: bool,
    ) -> Result<SsoStart, SsoFailure> {
        let tenant = tenants::find_by_url_name(self.db(), tenant_url_name)
            .await?
            .ok_or(SsoFailure::NotConfigured)?;
        let p = self.provider(&tenant.id).await?;
        let client = self.client(&p).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, csrf, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(SsoStart {
            authorize_url: url.to_string(),
            pending: SsoPending {
                tenant_id: tenant.id,
                csrf_state: csrf.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                started_at: self.now_ms(),
                test,
            },
        })
    }

    /// Step 2: the provider sent the browser back with `code` and `state`.
    pub async fn sso_finish(
        &self,
        pending: SsoPending,
        code: &str,
        state: &str,
        addr: Option<&str>,
    ) -> Result<SsoDone, SsoFailure> {
        if self.now_ms() - pending.started_at > PENDING_TTL_MS {
            return Err(SsoFailure::Expired);
        }
        if !crate::crypto::ct_eq(state.as_bytes(), pending.csrf_state.as_bytes()) {
            return Err(SsoFailure::StateMismatch);
        }
        let p = self.provider(&pending.tenant_id).await?;
        let client = self.client(&p).await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoFailure::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(self.http())
            .await
            .map_err(|e| SsoFailure::Provider(format!("token: {e}")))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| SsoFailure::Provider("no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let clock = self.0.clock.clone();
        let verifier = client
            .id_token_verifier()
            .set_time_fn(move || to_chrono(clock.now()));
        // The cached discovery document carries the provider's keys; if it rotated them, the
        // check fails once: fetch the keys afresh and check again.
        let fresh_client;
        let fresh_verifier;
        let claims = match id_token.claims(&verifier, &nonce) {
            Ok(c) => c,
            Err(_) => {
                self.0
                    .discovery
                    .lock()
                    .expect("discovery cache")
                    .remove(&p.issuer);
                fresh_client = self.client(&p).await?;
                let clock = self.0.clock.clone();
                fresh_verifier = fresh_client
                    .id_token_verifier()
                    .set_time_fn(move || to_chrono(clock.now()));
                id_token
                    .claims(&fresh_verifier, &nonce)
                    .map_err(|e| SsoFailure::Provider(format!("ID token: {e}")))?
            }
        };
        let email = claims
            .email()
            .map(|e| e.as_str().to_owned())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()))
            .ok_or_else(|| SsoFailure::Provider("the ID token names no email".into()))?;

        let verdict = self.sso_admin(&pending.tenant_id, &email).await;
        if pending.test {
            self.record(
                Event::new(event::SSO_TEST_SIGNIN)
                    .tenant(&pending.tenant_id)
                    .actor_name(&email)
                    .from_address(addr)
                    .detail("provider", p.alias.as_str())
                    .detail("allowed", verdict.is_ok()),
            )
            .await?;
            return Ok(SsoDone::Tested {
                email,
                allowed: verdict.is_ok(),
            });
        }
        let identity = match verdict {
            Ok(id) => id,
            Err(f) => {
                self.record(
                    Event::new(event::SIGNIN_FAILED)
                        .tenant(&pending.tenant_id)
                        .actor_name(&email)
                        .from_address(addr)
                        .detail("step", "sso")
                        .detail("reason", f.code()),
                )
                .await?;
                return Err(f);
            }
        };
        self.signed_in(&identity, addr, &format!("oidc:{}", p.alias))
            .await?;
        Ok(SsoDone::SignedIn(identity))
    }

    /// SPEC T2: the account must be a cloud admin of the tenant whose idp is OpenID.
    async fn sso_admin(&self, tenant_id: &str, email: &str) -> Result<AdminIdentity, SsoFailure> {
        let Some(u) = users::find_in_tenant_by_email(self.db(), tenant_id, email).await? else {
            return Err(SsoFailure::NotAdmin);
        };
        match users::link_role(self.db(), &u.id, tenant_id).await? {
            Some(r) if r.link_role == LINK_ADMIN && r.status == "ACTIVE" && r.idp == IDP_OPENID => {
            }
            Some(r) if r.link_role == LINK_ADMIN && r.status == "ACTIVE" => {
                return Err(SsoFailure::WrongIdp);
            }
            _ => return Err(SsoFailure::NotAdmin),
        }
        self.admin_identity(&u.id)
            .await?
            .ok_or(SsoFailure::NotAdmin)
    }
}
