//! Passwords: argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane), run on the
//! blocking pool so a sign-in never stalls the async workers.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid params")
        .to_string()
}

/// Verifies against a stored PHC string. With `None` (unknown user) it verifies against a
/// fixed dummy hash so the response time does not reveal whether the account exists.
pub fn verify_password_blocking(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password_blocking("patio-dummy-password"));
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(phc)
        .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false);
    ok && real
}

pub async fn hash_password(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .expect("hashing task")
}

pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify_password_blocking(&password, stored.as_deref()))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let h = hash_password_blocking("correct horse");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password_blocking("correct horse", Some(&h)));
        assert!(!verify_password_blocking("wrong horse", Some(&h)));
    }

    #[test]
    fn same_password_gets_different_salts() {
        assert_ne!(hash_password_blocking("pw"), hash_password_blocking("pw"));
    }

    #[test]
    fn unknown_user_never_verifies() {
        assert!(!verify_password_blocking("patio-dummy-password", None));
        assert!(!verify_password_blocking("x", Some("not a phc string")));
    }
}
