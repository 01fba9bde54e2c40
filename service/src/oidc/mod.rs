//! OpenID Connect single sign-on for the TCM UI (SPEC T2): a relying party ([`rp`]) that works
//! against any real provider, and a stand-in provider ([`standin`]) so the sandbox signs in
//! "with Google" or "with Salesforce" without the internet.

pub mod rp;
pub mod standin;

/// Where Patio is reachable (redirect URIs, the stand-in's issuer), and whether the stand-in
/// provider is served.
#[derive(Debug, Clone)]
pub struct SsoSettings {
    pub public_url: String,
    pub standin_enabled: bool,
}

impl Default for SsoSettings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:3000".into(),
            standin_enabled: true,
        }
    }
}

pub(crate) fn to_chrono(t: time::OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}
