//! Cryptographic building blocks. Secrets that Patio must recognise later (PATs, session
//! tokens, recovery codes) are stored only as keyed hashes; passwords use argon2id.

pub mod keys;
pub mod password;
pub mod recovery;
pub mod tokens;
pub mod totp;

use rand::RngCore;

/// `N` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b
}

/// Constant-time equality for secrets and their hashes.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
