//! The server key: 32 random bytes kept in the data directory (never in the database, so a
//! leaked database dump cannot be used to test guesses). Every keyed hash is domain-separated
//! so that a hash computed for one purpose is useless for another.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

#[derive(Clone)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

/// What a keyed hash is for. Adding a purpose never changes the hashes of the others.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    PatSecret,
    SessionToken,
    RecoveryCode,
    TotpSeal,
    UiSessionId,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::PatSecret => b"patio/pat-secret/v1",
            Purpose::SessionToken => b"patio/session-token/v1",
            Purpose::RecoveryCode => b"patio/recovery-code/v1",
            Purpose::TotpSeal => b"patio/totp-seal/v1",
            Purpose::UiSessionId => b"patio/ui-session-id/v1",
        }
    }
}

impl ServerKey {
    pub fn from_bytes(b: [u8; 32]) -> Self {
        Self(b)
    }

    pub fn generate() -> Self {
        Self(super::random_bytes())
    }

    /// Reads the key file, creating it (mode 0600) on first start.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} must hold exactly 32 bytes", path.display()),
                    )
                })?;
                Ok(Self(arr))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                use std::io::Write;
                opts.open(path)?.write_all(&key.0)?;
                Ok(key)
            }
            Err(e) => Err(e),
        }
    }

    /// HMAC-SHA-256 of `data` under this key for one purpose.
    pub fn mac(&self, purpose: Purpose, data: &[u8]) -> [u8; 32] {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        m.update(purpose.label());
        m.update(&[0]);
        m.update(data);
        m.finalize().into_bytes().into()
    }

    /// Hex of [`Self::mac`], the form stored in the database.
    pub fn mac_hex(&self, purpose: Purpose, data: &[u8]) -> String {
        data_encoding::HEXLOWER.encode(&self.mac(purpose, data))
    }

    /// Reversible protection for the few secrets the server must read back (TOTP seeds):
    /// a keystream from HMAC in counter mode plus an HMAC tag (encrypt-then-MAC).
    pub fn seal(&self, plaintext: &[u8]) -> String {
        let nonce: [u8; 16] = super::random_bytes();
        let mut ct = plaintext.to_vec();
        self.keystream_xor(&nonce, &mut ct);
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        let tag = self.mac(Purpose::TotpSeal, &out);
        out.extend_from_slice(&tag);
        data_encoding::BASE64.encode(&out)
    }

    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let raw = data_encoding::BASE64.decode(sealed.as_bytes()).ok()?;
        if raw.len() < 16 + 32 {
            return None;
        }
        let (body, tag) = raw.split_at(raw.len() - 32);
        if !super::ct_eq(&self.mac(Purpose::TotpSeal, body), tag) {
            return None;
        }
        let (nonce, ct) = body.split_at(16);
        let mut pt = ct.to_vec();
        self.keystream_xor(nonce, &mut pt);
        Some(pt)
    }

    fn keystream_xor(&self, nonce: &[u8], data: &mut [u8]) {
        for (i, chunk) in data.chunks_mut(32).enumerate() {
            let mut input = b"keystream".to_vec();
            input.extend_from_slice(nonce);
            input.extend_from_slice(&(i as u64).to_be_bytes());
            let block = self.mac(Purpose::TotpSeal, &input);
            for (d, k) in chunk.iter_mut().zip(block.iter()) {
                *d ^= k;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_are_separated() {
        let k = ServerKey::from_bytes([7; 32]);
        assert_ne!(
            k.mac(Purpose::PatSecret, b"x"),
            k.mac(Purpose::SessionToken, b"x")
        );
        assert_eq!(
            k.mac(Purpose::PatSecret, b"x"),
            k.mac(Purpose::PatSecret, b"x")
        );
    }

    #[test]
    fn seal_round_trips_and_detects_tampering() {
        let k = ServerKey::from_bytes([1; 32]);
        let sealed = k.seal(b"totp seed bytes that are 20");
        assert_eq!(k.open(&sealed).unwrap(), b"totp seed bytes that are 20");
        let mut raw = data_encoding::BASE64.decode(sealed.as_bytes()).unwrap();
        raw[20] ^= 1;
        assert!(k.open(&data_encoding::BASE64.encode(&raw)).is_none());
        assert!(ServerKey::from_bytes([2; 32]).open(&sealed).is_none());
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret.key");
        let a = ServerKey::load_or_create(&p).unwrap();
        let b = ServerKey::load_or_create(&p).unwrap();
        assert_eq!(
            a.mac(Purpose::PatSecret, b"t"),
            b.mac(Purpose::PatSecret, b"t")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
