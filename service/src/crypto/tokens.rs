//! Bearer secrets: PAT secrets and API session tokens. Only their keyed hashes are stored.
//!
//! PAT secrets have the documented look (SPEC T4): `<base64 of 16 bytes>:<base64url secret>`,
//! e.g. `JKGpaIjBQaS1vlXIIt9g+A==:-jeD0dkAWu-mwZQPgRf3NvgHQBUZ7atQsPxh911YmPU`. The part before
//! the colon is random but not secret: Patio stores it in clear as the lookup key, so checking
//! a secret is one indexed read plus one constant-time comparison of HMACs.

use super::keys::{Purpose, ServerKey};
use data_encoding::{BASE64, BASE64URL_NOPAD};

#[derive(Debug, Clone)]
pub struct IssuedPat {
    pub lookup_key: String,
    /// Shown to the user once, never stored.
    pub secret: String,
    pub secret_hash: String,
}

pub fn issue_pat(key: &ServerKey) -> IssuedPat {
    let lookup_key = BASE64.encode(&super::random_bytes::<16>());
    let tail = BASE64URL_NOPAD.encode(&super::random_bytes::<32>());
    let secret = format!("{lookup_key}:{tail}");
    IssuedPat {
        secret_hash: pat_hash(key, &secret),
        lookup_key,
        secret,
    }
}

/// The lookup key of a presented secret, if it has the PAT shape.
pub fn pat_lookup_key(secret: &str) -> Option<&str> {
    let (head, tail) = secret.split_once(':')?;
    let head_ok = head.len() == 24 && BASE64.decode(head.as_bytes()).is_ok_and(|b| b.len() == 16);
    let tail_ok = tail.len() == 43 && BASE64URL_NOPAD.decode(tail.as_bytes()).is_ok();
    (head_ok && tail_ok).then_some(head)
}

pub fn pat_hash(key: &ServerKey, secret: &str) -> String {
    key.mac_hex(Purpose::PatSecret, secret.as_bytes())
}

/// An opaque API session token (256 bits, base64url).
pub fn session_token() -> String {
    BASE64URL_NOPAD.encode(&super::random_bytes::<32>())
}

pub fn session_token_hash(key: &ServerKey, token: &str) -> String {
    key.mac_hex(Purpose::SessionToken, token.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    // SPEC T4: the documented secret shape.
    #[test]
    fn pat_secrets_have_the_documented_shape() {
        let k = ServerKey::from_bytes([9; 32]);
        let p = issue_pat(&k);
        let (head, tail) = p.secret.split_once(':').unwrap();
        assert_eq!(head.len(), 24);
        assert!(head.ends_with("=="));
        assert_eq!(tail.len(), 43);
        assert!(
            tail.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(pat_lookup_key(&p.secret), Some(p.lookup_key.as_str()));
        assert_eq!(
            pat_lookup_key("JKGpaIjBQaS1vlXIIt9g+A==:-jeD0dkAWu-mwZQPgRf3NvgHQBUZ7atQsPxh911YmPU"),
            Some("JKGpaIjBQaS1vlXIIt9g+A==")
        );
        assert_ne!(p.secret_hash, p.secret);
        assert_eq!(p.secret_hash, pat_hash(&k, &p.secret));
    }

    #[test]
    fn malformed_secrets_have_no_lookup_key() {
        for bad in [
            "",
            "abc",
            "JKGpaIjBQaS1vlXIIt9g+A==",
            "JKGpaIjBQaS1vlXIIt9g+A==:short",
            ":x",
            "a:b:c",
        ] {
            assert_eq!(pat_lookup_key(bad), None, "{bad}");
        }
    }
}
