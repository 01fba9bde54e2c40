//! OIDC single sign-on configuration (seed 003 step 1; SPEC T15, T18, T8, T17).
//!
//! A configuration belongs to a resource: the tenant (TCM sign-in) or one of its sites. The
//! tenant-level one decides the TCM authentication method: "Tableau with MFA" only, or
//! OIDC single sign-on with Google or Salesforce as well. Changing that method revokes every TCM
//! PAT of the tenant (T8), and no change may leave the tenant without a cloud admin who can
//! sign in (T17).

use crate::Services;
use crate::activity::{Event, event};
use crate::auth::{AdminIdentity, IDP_OPENID, IDP_TABLEAU_MFA, LINK_ADMIN};
use crate::error::ServiceError;
use crate::repo::sso::{self, OidcRow};
use crate::repo::{sites, tenants, users};
use serde::{Deserialize, Serialize};

/// The identity providers Patio knows how to reach (`knownProviderAlias`).
pub const KNOWN_PROVIDERS: [&str; 2] = ["Google", "Salesforce"];

/// A refused tenant-administration request. The REST layer maps each to its wire code.
#[derive(Debug, thiserror::Error)]
pub enum TcmOpError {
    /// Invalid arguments (400).
    #[error("{0}")]
    Invalid(String),
    /// Tenant, site, user or job not found, or not visible to the caller (404).
    #[error("{0}")]
    NotFound(String),
    /// Already in the expected state, or a duplicate (409).
    #[error("{0}")]
    Conflict(String),
    /// A tenant administrator tried to delete themselves (405).
    #[error("A tenant administrator cannot delete themselves.")]
    SelfDeletion,
    /// The change would leave no cloud admin able to sign in (405, SPEC T17).
    #[error("{0}")]
    NoAdminLeft(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<sqlx::Error> for TcmOpError {
    fn from(e: sqlx::Error) -> Self {
        TcmOpError::Service(e.into())
    }
}

pub type OpResult<T> = std::result::Result<T, TcmOpError>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeMapping {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address_mapping: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_mapping: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name_mapping: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name_mapping: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name_mapping: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_full_name: Option<bool>,
}

/// The reference's `OIDCConfiguration` model. Unknown fields are ignored; the client secret is
/// accepted but never serialised back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_provider_alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salesforce_domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing)]
    pub client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_authentication: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_login_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub essential_acr_values: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voluntary_acr_values: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_embedded_authentication: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_mapping: Option<AttributeMapping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idp_configuration_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idp_configuration_name: Option<String>,
}

/// Where a configuration applies.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resource {
    Tenant,
    Site,
}

impl Resource {
    fn kind(&self) -> &'static str {
        match self {
            Resource::Tenant => "tenant",
            Resource::Site => "site",
        }
    }
}

fn valid_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// Validates and normalises a configuration (alias spelling, trimmed fields).
pub fn validate(mut c: OidcConfig) -> OpResult<OidcConfig> {
    let alias = c
        .known_provider_alias
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    let Some(alias) = KNOWN_PROVIDERS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(alias))
    else {
        return Err(TcmOpError::Invalid(if alias.is_empty() {
            "knownProviderAlias is required: Google or Salesforce.".into()
        } else {
            format!("knownProviderAlias {alias:?} is not supported: use Google or Salesforce.")
        }));
    };
    c.known_provider_alias = Some((*alias).to_owned());
    if *alias == "Salesforce" {
        let domain = c.salesforce_domain.as_deref().map(str::trim).unwrap_or("");
        if domain.is_empty() {
            return Err(TcmOpError::Invalid(
                "salesforceDomain is required for Salesforce (for example login.salesforce.com)."
                    .into(),
            ));
        }
        if !valid_hostname(domain) {
            return Err(TcmOpError::Invalid(format!(
                "salesforceDomain {domain:?} is not a host name."
            )));
        }
        c.salesforce_domain = Some(domain.to_lowercase());
    }
    for (field, value) in [
        ("discoveryEndpoint", &c.discovery_endpoint),
        ("authorizationEndpoint", &c.authorization_endpoint),
        ("tokenEndpoint", &c.token_endpoint),
        ("userinfoEndpoint", &c.userinfo_endpoint),
        ("jwksUri", &c.jwks_uri),
        ("endSessionEndpoint", &c.end_session_endpoint),
        ("testLoginUri", &c.test_login_uri),
    ] {
        if let Some(v) = value {
            let ok = url::Url::parse(v.trim())
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(TcmOpError::Invalid(format!(
                    "{field} must be an http or https URL; got {v:?}."
                )));
            }
        }
    }
    if c.client_id
        .as_deref()
        .is_some_and(|s| s.trim().is_empty() || s.len() > 512)
    {
        return Err(TcmOpError::Invalid(
            "clientId must be 1 to 512 characters.".into(),
        ));
    }
    Ok(c)
}

/// Whether a cloud admin with this idp can sign in to the TCM UI under `method`.
pub fn can_sign_in(idp: &str, method: &str) -> bool {
    idp == IDP_TABLEAU_MFA || (idp == IDP_OPENID && method.starts_with(IDP_OPENID))
}

/// The tenant's TCM authentication method for a tenant-level configuration.
fn method_for(cfg: Option<(&str, bool)>) -> String {
    match cfg {
        Some((alias, true)) => format!("{IDP_OPENID}:{alias}"),
        _ => IDP_TABLEAU_MFA.to_owned(),
    }
}

pub const T17_WARNING: &str = "Single sign-on is on and no cloud administrator uses Tableau with MFA. \
If the identity provider becomes unavailable, nobody can sign in to Tableau Cloud Manager: keep at \
least one cloud administrator on Tableau with MFA.";

impl Services {
    async fn resource_of(&self, actor: &AdminIdentity, resource_id: &str) -> OpResult<Resource> {
        if resource_id == actor.tenant_id {
            return Ok(Resource::Tenant);
        }
        match sites::get(self.db(), resource_id).await? {
            Some(s) if s.tenant_id == actor.tenant_id => Ok(Resource::Site),
            _ => Err(TcmOpError::NotFound(format!(
                "No tenant or site with id {resource_id} exists in this tenant."
            ))),
        }
    }

    /// SPEC T17: refuses when, after the change, no active cloud admin could sign in.
    /// `idp_after(user_id, idp)` gives each admin's idp after the change (`None`: no longer admin).
    pub(crate) async fn ensure_an_admin_can_sign_in(
        &self,
        tenant_id: &str,
        method_after: &str,
        idp_after: impl Fn(&str, &str) -> Option<String>,
    ) -> OpResult<()> {
        let roles = users::link_roles_of_tenant(self.db(), tenant_id).await?;
        let someone = roles
            .iter()
            .filter(|r| r.link_role == LINK_ADMIN && r.status == "ACTIVE")
            .filter_map(|r| idp_after(&r.user_id, &r.idp))
            .any(|idp| can_sign_in(&idp, method_after));
        if someone {
            Ok(())
        } else {
            Err(TcmOpError::NoAdminLeft(
                "This change is not allowed: afterwards no cloud administrator could sign in to Tableau \
                 Cloud Manager. Keep at least one cloud administrator on Tableau with MFA."
                    .into(),
            ))
        }
    }

    /// SPEC T17: the warning to show while SSO is on and nobody uses Tableau with MFA.
    pub async fn sso_warning(&self, tenant_id: &str) -> crate::Result<Option<&'static str>> {
        let Some(t) = tenants::get(self.db(), tenant_id).await? else {
            return Ok(None);
        };
        if !t.auth_method.starts_with(IDP_OPENID) {
            return Ok(None);
        }
        let roles = users::link_roles_of_tenant(self.db(), tenant_id).await?;
        let mfa_admin = roles
            .iter()
            .any(|r| r.link_role == LINK_ADMIN && r.status == "ACTIVE" && r.idp == IDP_TABLEAU_MFA);
        Ok((!mfa_admin).then_some(T17_WARNING))
    }

    /// The tenant's current TCM method (`TableauIDWithMFA` or `OpenID:<alias>`).
    pub async fn tcm_auth_method(&self, tenant_id: &str) -> crate::Result<String> {
        Ok(tenants::get(self.db(), tenant_id)
            .await?
            .map(|t| t.auth_method)
            .unwrap_or_else(|| IDP_TABLEAU_MFA.to_owned()))
    }

    /// `PUT .../oidcconfiguration`: creates or replaces a configuration (SPEC T15).
    pub async fn put_oidc(
        &self,
        actor: &AdminIdentity,
        resource_id: &str,
        cfg: OidcConfig,
        addr: Option<&str>,
    ) -> OpResult<OidcConfig> {
        let resource = self.resource_of(actor, resource_id).await?;
        let mut cfg = validate(cfg)?;
        let existing = sso::get(self.db(), resource_id).await?;
        let enabled = cfg.enabled.unwrap_or(false);
        cfg.enabled = Some(enabled);
        let alias = cfg.known_provider_alias.clone().unwrap_or_default();
        if cfg.idp_configuration_id.is_none() {
            let previous: Option<OidcConfig> = existing
                .as_ref()
                .and_then(|r| serde_json::from_str(&r.config).ok());
            cfg.idp_configuration_id = previous
                .and_then(|p| p.idp_configuration_id)
                .or_else(|| Some(uuid::Uuid::new_v4().to_string()));
        }
        let client_secret_sealed = match cfg.client_secret.take() {
            Some(s) if !s.is_empty() => Some(self.key().seal(s.as_bytes())),
            _ => existing
                .as_ref()
                .and_then(|r| r.client_secret_sealed.clone()),
        };
        if resource == Resource::Tenant {
            let method = method_for(Some((&alias, enabled)));
            self.ensure_an_admin_can_sign_in(&actor.tenant_id, &method, |_, idp| {
                Some(idp.to_owned())
            })
            .await?;
        }
        sso::upsert(
            self.db(),
            &OidcRow {
                resource_id: resource_id.to_owned(),
                tenant_id: actor.tenant_id.clone(),
                enabled,
                known_provider_alias: alias.clone(),
                config: serde_json::to_string(&cfg)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                client_secret_sealed,
                updated_at: self.now_ms(),
            },
        )
        .await?;
        self.record(
            Event::new(event::SSO_CONFIGURED)
                .by(actor)
                .target(resource.kind(), resource_id)
                .from_address(addr)
                .detail("knownProviderAlias", alias.as_str())
                .detail("enabled", enabled),
        )
        .await?;
        if resource == Resource::Tenant {
            self.change_tcm_auth_method(actor, &method_for(Some((&alias, enabled))), addr)
                .await?;
        }
        Ok(cfg)
    }

    /// `GET .../oidcconfiguration` (never with the client secret).
    pub async fn get_oidc(&self, actor: &AdminIdentity, resource_id: &str) -> OpResult<OidcConfig> {
        self.resource_of(actor, resource_id).await?;
        let row = sso::get(self.db(), resource_id).await?.ok_or_else(|| {
            TcmOpError::NotFound("No OIDC configuration exists for this resource.".into())
        })?;
        let mut cfg: OidcConfig =
            serde_json::from_str(&row.config).map_err(|e| ServiceError::Internal(e.to_string()))?;
        cfg.enabled = Some(row.enabled);
        Ok(cfg)
    }

    /// The stored client secret of a configuration (for the relying party).
    pub async fn oidc_client_secret(&self, resource_id: &str) -> crate::Result<Option<String>> {
        Ok(sso::get(self.db(), resource_id)
            .await?
            .and_then(|r| r.client_secret_sealed)
            .and_then(|s| self.key().open(&s))
            .and_then(|b| String::from_utf8(b).ok()))
    }

    /// `DELETE .../oidcconfiguration`.
    pub async fn delete_oidc(
        &self,
        actor: &AdminIdentity,
        resource_id: &str,
        addr: Option<&str>,
    ) -> OpResult<()> {
        let resource = self.resource_of(actor, resource_id).await?;
        if sso::get(self.db(), resource_id).await?.is_none() {
            return Err(TcmOpError::NotFound(
                "No OIDC configuration exists for this resource.".into(),
            ));
        }
        if resource == Resource::Tenant {
            self.ensure_an_admin_can_sign_in(&actor.tenant_id, IDP_TABLEAU_MFA, |_, idp| {
                Some(idp.to_owned())
            })
            .await?;
        }
        sso::delete(self.db(), resource_id).await?;
        self.record(
            Event::new(event::SSO_DELETED)
                .by(actor)
                .target(resource.kind(), resource_id)
                .from_address(addr),
        )
        .await?;
        if resource == Resource::Tenant {
            self.change_tcm_auth_method(actor, IDP_TABLEAU_MFA, addr)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(json: &str) -> OidcConfig {
        serde_json::from_str(json).unwrap()
    }

    // SPEC T15: the seed's body, and the validation errors.
    #[test]
    fn validation() {
        let ok = validate(cfg(r#"{"enabled": true, "knownProviderAlias": "Salesforce", "salesforceDomain": "login.salesforce.com"}"#)).unwrap();
        assert_eq!(ok.known_provider_alias.as_deref(), Some("Salesforce"));
        assert_eq!(
            validate(cfg(r#"{"knownProviderAlias": "google"}"#))
                .unwrap()
                .known_provider_alias
                .as_deref(),
            Some("Google")
        );
        for (bad, text) in [
            (r#"{"enabled": true}"#, "knownProviderAlias is required"),
            (r#"{"knownProviderAlias": "Okta"}"#, "not supported"),
            (
                r#"{"knownProviderAlias": "Salesforce"}"#,
                "salesforceDomain is required",
            ),
            (
                r#"{"knownProviderAlias": "Salesforce", "salesforceDomain": "not a host"}"#,
                "not a host name",
            ),
            (
                r#"{"knownProviderAlias": "Google", "discoveryEndpoint": "ftp://x"}"#,
                "discoveryEndpoint must be",
            ),
            (
                r#"{"knownProviderAlias": "Google", "jwksUri": "nope"}"#,
                "jwksUri must be",
            ),
        ] {
            let e = validate(cfg(bad)).unwrap_err().to_string();
            assert!(e.contains(text), "{bad}: {e}");
        }
    }

    #[test]
    fn secret_is_read_but_never_written() {
        let c =
            cfg(r#"{"knownProviderAlias": "Google", "clientId": "id", "clientSecret": "s3cret"}"#);
        assert_eq!(c.client_secret.as_deref(), Some("s3cret"));
        assert!(!serde_json::to_string(&c).unwrap().contains("s3cret"));
    }

    // SPEC T2, T17
    #[test]
    fn who_can_sign_in() {
        assert!(can_sign_in(IDP_TABLEAU_MFA, IDP_TABLEAU_MFA));
        assert!(can_sign_in(IDP_TABLEAU_MFA, "OpenID:Google"));
        assert!(can_sign_in(IDP_OPENID, "OpenID:Salesforce"));
        assert!(!can_sign_in(IDP_OPENID, IDP_TABLEAU_MFA));
        assert!(!can_sign_in("SAML", "OpenID:Google"));
    }
}
