//! The built-in stand-in identity provider: discovery, authorize (pick or type a user), token
//! (authorization code with PKCE), keys and userinfo. ID tokens are RS256-signed with a key
//! made at first use, so the relying party verifies them exactly as it would Google's.

use super::to_chrono;
use crate::Services;
use crate::crypto::random_bytes;
use data_encoding::BASE64URL_NOPAD;
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AccessToken, Audience, AuthorizationCode, EmptyAdditionalClaims, EndUserEmail, EndUserName,
    IssuerUrl, JsonWebKeyId, LocalizedClaim, Nonce, PrivateSigningKey, StandardClaims,
    SubjectIdentifier,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The client id the relying party uses with the stand-in when none is configured.
pub const STANDIN_CLIENT_ID: &str = "patio-standin-client";
const CODE_TTL_MS: i64 = 5 * 60 * 1000;
const TOKEN_TTL_MS: i64 = 60 * 60 * 1000;

pub fn provider_slug(alias: &str) -> Option<&'static str> {
    match alias.to_ascii_lowercase().as_str() {
        "google" => Some("google"),
        "salesforce" => Some("salesforce"),
        _ => None,
    }
}

pub fn provider_name(slug: &str) -> &'static str {
    if slug == "salesforce" {
        "Salesforce"
    } else {
        "Google"
    }
}

struct Grant {
    email: String,
    client_id: String,
    redirect_uri: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    expires_at: i64,
}

#[derive(Default)]
pub struct StandIn {
    key: OnceLock<CoreRsaPrivateSigningKey>,
    codes: Mutex<HashMap<String, Grant>>,
    tokens: Mutex<HashMap<String, (String, i64)>>,
}

/// Why the stand-in refused a token request (OAuth 2 error codes).
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    InvalidGrant(&'static str),
    InvalidRequest(&'static str),
}

/// What the authorize request asked for (validated by the HTTP layer).
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
}

fn random_token() -> String {
    BASE64URL_NOPAD.encode(&random_bytes::<32>())
}

impl StandIn {
    fn key(&self) -> &CoreRsaPrivateSigningKey {
        self.key.get_or_init(|| {
            use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
            let k =
                rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key generation");
            let pem = k.to_pkcs1_pem(LineEnding::LF).expect("PEM encoding");
            CoreRsaPrivateSigningKey::from_pem(
                &pem,
                Some(JsonWebKeyId::new("patio-standin-1".into())),
            )
            .expect("stand-in key")
        })
    }

    pub fn jwks(&self) -> CoreJsonWebKeySet {
        CoreJsonWebKeySet::new(vec![self.key().as_verification_key()])
    }
}

impl Services {
    pub fn standin(&self) -> &StandIn {
        &self.0.standin
    }

    pub fn standin_issuer(&self, slug: &str) -> String {
        format!(
            "{}/_idp/{slug}",
            self.sso_settings().public_url.trim_end_matches('/')
        )
    }

    /// The user picked an account on the authorize page: issue a one-time code.
    pub fn standin_authorize(&self, email: &str, req: &AuthorizeRequest) -> String {
        let code = random_token();
        let now = self.now_ms();
        let mut codes = self.standin().codes.lock().expect("codes");
        codes.retain(|_, g| g.expires_at > now);
        codes.insert(
            code.clone(),
            Grant {
                email: email.trim().to_owned(),
                client_id: req.client_id.clone(),
                redirect_uri: req.redirect_uri.clone(),
                nonce: req.nonce.clone(),
                code_challenge: req.code_challenge.clone(),
                expires_at: now + CODE_TTL_MS,
            },
        );
        code
    }

    /// The token endpoint: redeems a code once, checking client, redirect URI and PKCE.
    /// Returns (access token, ID token JWT).
    pub fn standin_token(
        &self,
        slug: &str,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
    ) -> Result<(String, String), TokenError> {
        let grant = self
            .standin()
            .codes
            .lock()
            .expect("codes")
            .remove(code)
            .ok_or(TokenError::InvalidGrant("unknown or already used code"))?;
        let now = self.now();
        if grant.expires_at <= self.now_ms() {
            return Err(TokenError::InvalidGrant("the code expired"));
        }
        if grant.client_id != client_id || grant.redirect_uri != redirect_uri {
            return Err(TokenError::InvalidGrant(
                "client_id or redirect_uri does not match the authorization request",
            ));
        }
        if let Some(challenge) = &grant.code_challenge {
            let verifier =
                code_verifier.ok_or(TokenError::InvalidRequest("code_verifier is required"))?;
            let computed = BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()));
            if !crate::crypto::ct_eq(computed.as_bytes(), challenge.as_bytes()) {
                return Err(TokenError::InvalidGrant("PKCE verification failed"));
            }
        }
        let access = random_token();
        self.standin().tokens.lock().expect("tokens").insert(
            access.clone(),
            (grant.email.clone(), self.now_ms() + TOKEN_TTL_MS),
        );
        let issuer = IssuerUrl::new(self.standin_issuer(slug))
            .map_err(|_| TokenError::InvalidRequest("issuer"))?;
        let subject =
            BASE64URL_NOPAD.encode(&Sha256::digest(grant.email.to_lowercase().as_bytes())[..16]);
        let mut standard = StandardClaims::new(SubjectIdentifier::new(subject))
            .set_email(Some(EndUserEmail::new(grant.email.clone())))
            .set_email_verified(Some(true));
        let mut name = LocalizedClaim::new();
        name.insert(None, EndUserName::new(grant.email.clone()));
        standard = standard.set_name(Some(name));
        let claims = CoreIdTokenClaims::new(
            issuer,
            vec![Audience::new(client_id.to_owned())],
            to_chrono(now + time::Duration::minutes(5)),
            to_chrono(now),
            standard,
            EmptyAdditionalClaims {},
        )
        .set_nonce(grant.nonce.map(Nonce::new));
        let id_token = CoreIdToken::new(
            claims,
            self.standin().key(),
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            Some(&AccessToken::new(access.clone())),
            Some(&AuthorizationCode::new(code.to_owned())),
        )
        .map_err(|_| TokenError::InvalidRequest("signing failed"))?;
        Ok((access, id_token.to_string()))
    }

    /// The userinfo endpoint: the email behind a live access token.
    pub fn standin_userinfo(&self, access_token: &str) -> Option<String> {
        let tokens = self.standin().tokens.lock().expect("tokens");
        tokens
            .get(access_token)
            .filter(|(_, exp)| *exp > self.now_ms())
            .map(|(e, _)| e.clone())
    }
}

impl Services {
    /// Accounts offered on the stand-in's authorize page: every tenant user (sandbox data).
    pub async fn standin_accounts(&self) -> crate::Result<Vec<String>> {
        let mut out = Vec::new();
        for t in crate::repo::tenants::list(self.db()).await? {
            for u in crate::repo::users::page_of_tenant(self.db(), &t.id, None, None, 200).await? {
                out.push(u.email);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    pub async fn tenant_url_name(&self, tenant_id: &str) -> crate::Result<Option<String>> {
        Ok(crate::repo::tenants::get(self.db(), tenant_id)
            .await?
            .map(|t| t.url_name))
    }
}
