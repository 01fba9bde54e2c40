//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA-1, 30-second steps),
//! the "One-Time Password Generator" that Tableau with MFA offers. Six digits, one step of
//! drift either way, and a step once accepted is never accepted again (replay protection).

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
pub const DIGITS: u32 = 6;
pub const SECRET_LEN: usize = 20;

/// RFC 4226 HOTP value with `digits` digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("any key length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    bin % 10u32.pow(digits)
}

pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

pub fn code_for_step(secret: &[u8], step: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, step as u64, DIGITS),
        width = DIGITS as usize
    )
}

/// Checks `code` against the steps around `now`. Returns the matched step only if it is later
/// than `last_used_step`, so each code works once. Comparison is constant-time per candidate.
pub fn verify(
    secret: &[u8],
    code: &str,
    unix_seconds: i64,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_seconds);
    let mut matched = None;
    for step in [now - 1, now, now + 1] {
        if super::ct_eq(code_for_step(secret, step).as_bytes(), code.as_bytes()) {
            matched = Some(step);
        }
    }
    matched.filter(|s| last_used_step.is_none_or(|last| *s > last))
}

pub fn new_secret() -> [u8; SECRET_LEN] {
    super::random_bytes()
}

/// The text form users type into an authenticator app (RFC 4648 base32, no padding).
pub fn secret_base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// `otpauth://` URI understood by authenticator apps (the QR code encodes this).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}",
        enc(issuer),
        enc(account),
        secret_base32(secret),
        enc(issuer),
        DIGITS,
        STEP_SECONDS
    )
}

/// An SVG QR code of `data`, ready to inline in the page.
pub fn qr_svg(data: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B, SHA-1 rows (8 digits, seed "12345678901234567890").
    #[test]
    fn rfc6238_sha1_test_vectors() {
        let seed = b"12345678901234567890";
        for (t, expected) in [
            (59i64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(seed, step_of(t) as u64, 8), expected, "T={t}");
        }
    }

    // RFC 4226 Appendix D: the 6-digit HOTP values for counters 0..9.
    #[test]
    fn rfc4226_hotp_values() {
        let seed = b"12345678901234567890";
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (c, e) in expected.iter().enumerate() {
            assert_eq!(hotp(seed, c as u64, 6), *e);
        }
    }

    #[test]
    fn accepts_one_step_of_drift_and_no_more() {
        let s = b"12345678901234567890";
        let t = 1_700_000_000;
        let now = step_of(t);
        assert_eq!(verify(s, &code_for_step(s, now), t, None), Some(now));
        assert_eq!(
            verify(s, &code_for_step(s, now - 1), t, None),
            Some(now - 1)
        );
        assert_eq!(
            verify(s, &code_for_step(s, now + 1), t, None),
            Some(now + 1)
        );
        assert_eq!(verify(s, &code_for_step(s, now - 2), t, None), None);
        assert_eq!(verify(s, &code_for_step(s, now + 2), t, None), None);
    }

    #[test]
    fn a_code_is_accepted_once() {
        let s = b"12345678901234567890";
        let t = 1_700_000_000;
        let code = code_for_step(s, step_of(t));
        let used = verify(s, &code, t, None).unwrap();
        assert_eq!(verify(s, &code, t, Some(used)), None);
        // An older code is refused after a newer one was used.
        assert_eq!(verify(s, &code_for_step(s, used - 1), t, Some(used)), None);
        assert_eq!(
            verify(s, &code_for_step(s, used + 1), t, Some(used)),
            Some(used + 1)
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        let s = b"12345678901234567890";
        for bad in ["", "12345", "1234567", "abcdef", "12 34 5"] {
            assert_eq!(verify(s, bad, 1_700_000_000, None), None, "{bad}");
        }
    }

    #[test]
    fn uri_and_qr() {
        let uri = otpauth_uri("Patio", "ava@acme.example", b"12345678901234567890");
        assert!(uri.starts_with("otpauth://totp/Patio:ava@acme.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Patio"));
        assert!(qr_svg(&uri).contains("<svg"));
    }
}
