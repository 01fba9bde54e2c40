//! MFA recovery codes: shown once at enrollment, each usable once, stored as keyed hashes.
//! Ten characters from a 32-letter alphabet give 50 bits each; the keyed hash plus the sign-in
//! throttle make guessing hopeless.

use super::keys::{Purpose, ServerKey};

/// Crockford's base-32 alphabet: no i, l, o or u, so codes read off paper are unambiguous
/// (and [`normalize`] maps the look-alikes back).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
pub const CODE_COUNT: usize = 10;

pub fn generate() -> Vec<String> {
    (0..CODE_COUNT)
        .map(|_| {
            let bytes: [u8; 10] = super::random_bytes();
            let s: String = bytes
                .iter()
                .map(|b| ALPHABET[(b & 31) as usize] as char)
                .collect();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

/// Accepts what people type: any case, with or without the dash or spaces.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        })
        .collect()
}

/// Whether the input looks like a recovery code rather than a 6-digit TOTP code.
pub fn looks_like_recovery_code(code: &str) -> bool {
    normalize(code).len() == 10
}

pub fn hash(key: &ServerKey, code: &str) -> String {
    key.mac_hex(Purpose::RecoveryCode, normalize(code).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_well_formed_codes() {
        let codes = generate();
        assert_eq!(codes.len(), 10);
        let mut uniq = codes.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 11);
            assert_eq!(&c[5..6], "-");
            assert!(looks_like_recovery_code(c));
        }
    }

    #[test]
    fn hash_ignores_case_and_separators() {
        let k = ServerKey::from_bytes([3; 32]);
        assert_eq!(hash(&k, "abcde-fghjk"), hash(&k, " ABCDE FGHJK "));
        assert_ne!(hash(&k, "abcde-fghjk"), hash(&k, "abcde-fghjm"));
        assert!(!looks_like_recovery_code("123456"));
    }
}
