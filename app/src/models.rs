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
