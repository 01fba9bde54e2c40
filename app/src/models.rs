//! DTOs shared by the browser and the server (serialised by server functions).

use serde::{Deserialize, Serialize};

/// The signed-in cloud admin, as the shell shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub user_name: String,
    pub display_name: String,
    pub tenant_id: String,
    pub tenant_name: String,
}

/// A new authenticator to scan or type in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollOffer {
    pub secret_base32: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// Where the sign-in page goes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInNext {
    /// Stay on the current step (see `message`).
    Stay,
    /// Back to user name and password (e.g. the half-finished sign-in expired).
    Password,
    Code,
    Enroll(EnrollOffer),
    /// Enrollment done: show these once, then continue.
    RecoveryCodes(Vec<String>),
    Home,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOutcome {
    pub next: SignInNext,
    pub message: Option<String>,
}

impl SignInOutcome {
    pub fn go(next: SignInNext) -> Self {
        Self {
            next,
            message: None,
        }
    }
    pub fn stay(message: impl Into<String>) -> Self {
        Self {
            next: SignInNext::Stay,
            message: Some(message.into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSummary {
    pub name: String,
    pub content_url: String,
    pub activated: String,
    pub pat_setting: String,
    pub user_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityItem {
    pub when: String,
    pub event_type: String,
    pub actor: String,
    pub target: String,
    pub address: String,
    pub details: String,
}

/// One row of My Account Settings → Personal Access Tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatRowView {
    pub id: String,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
}

/// The token table plus what the Create Token form needs (dates on the server's clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPats {
    pub tokens: Vec<PatRowView>,
    pub limit: usize,
    /// `YYYY-MM-DD`: the earliest, default and latest expiration dates the form offers.
    pub today: String,
    pub default_expiry: String,
    pub max_expiry: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreatePatResult {
    /// The secret, shown once in the dialog.
    Created {
        name: String,
        secret: String,
    },
    Rejected(String),
}

/// A "Sign in with …" button on the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoButton {
    pub tenant_url_name: String,
    pub tenant_name: String,
    pub provider: String,
}

/// The message for an `?sso_error=` code the SSO callback redirects with (fixed texts, so
/// nothing from the URL is reflected into the page).
pub fn sso_error_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "not_configured" => "Single sign-on is not set up for this tenant.",
        "expired" => "The single sign-on attempt took too long. Try again.",
        "state" => "The single sign-on response did not match this browser's request. Try again.",
        "provider" => {
            "The identity provider did not confirm your identity. Try again, or contact your cloud administrator."
        }
        "not_admin" => "This account is not a cloud administrator of the tenant.",
        "wrong_idp" => {
            "This account signs in with Tableau with MFA, not single sign-on: use your user name and password."
        }
        "denied" => "Sign-in was cancelled at the identity provider.",
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRowView {
    pub id: String,
    pub user_name: String,
    pub display_name: String,
    pub email: String,
    /// `TableauIDWithMFA` or `OpenID` for cloud admins, `None` for site users.
    pub admin_idp: Option<String>,
    pub sites: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPageView {
    pub users: Vec<UserRowView>,
    pub next_token: Option<String>,
    /// SPEC T17's warning, while it applies.
    pub warning: Option<String>,
    pub me_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddAdminResult {
    /// Added; a Tableau-with-MFA admin gets a temporary password, shown once.
    Added {
        user_name: String,
        temp_password: Option<String>,
    },
    Rejected(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcFormView {
    pub enabled: bool,
    pub provider: String,
    pub salesforce_domain: String,
    pub client_id: String,
    pub discovery_endpoint: String,
    pub has_secret: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthSettingsView {
    pub tenant_url_name: String,
    pub sso_on: bool,
    pub config: Option<OidcFormView>,
    pub warning: Option<String>,
}
