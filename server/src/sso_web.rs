//! Single sign-on over HTTP: the relying party's `/sso/start` and `/sso/callback`, and the
//! stand-in identity provider under `/_idp/{google|salesforce}/` (sandbox/demo mode only).

use crate::AppState;
use crate::tcm_api::ClientAddr;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use patio_service::oidc::rp::{SsoDone, SsoPending};
use patio_service::oidc::standin::{AuthorizeRequest, TokenError, provider_name, provider_slug};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use tower_sessions::Session;

const SSO_KEY: &str = "patio.sso";

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn to_signin(code: &str) -> Response {
    Redirect::to(&format!("/signin?sso_error={code}")).into_response()
}

/// `GET /sso/start?tenant=<url name>[&test=1]`: remember state, nonce and PKCE verifier in the
/// session and send the browser to the provider. A test sign-in needs a signed-in admin.
async fn sso_start(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let tenant = q.get("tenant").map(String::as_str).unwrap_or("");
    let test = q.get("test").is_some_and(|v| v == "1" || v == "true");
    if test {
        match app::ssr::current_admin(&state.services, &session).await {
            Ok(Some((me, _)))
                if state
                    .services
                    .tenant_url_name(&me.tenant_id)
                    .await
                    .ok()
                    .flatten()
                    .as_deref()
                    == Some(tenant) => {}
            _ => return Redirect::to("/signin").into_response(),
        }
    }
    match state.services.sso_start(tenant, test).await {
        Ok(start) => {
            if session.insert(SSO_KEY, &start.pending).await.is_err() {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            Redirect::to(&start.authorize_url).into_response()
        }
        Err(f) => {
            tracing::warn!("SSO start for {tenant:?} failed: {f:?}");
            if test {
                Redirect::to(&format!(
                    "/authentication?sso_test=failed&reason={}",
                    f.code()
                ))
                .into_response()
            } else {
                to_signin(f.code())
            }
        }
    }
}

/// `GET /sso/callback?code&state` (or `?error=`): finish the flow and sign in.
async fn sso_callback(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    session: Session,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let pending: Option<SsoPending> = session.remove(SSO_KEY).await.ok().flatten();
    let Some(pending) = pending else {
        return to_signin("expired");
    };
    let test = pending.test;
    let fail = |code: &str| {
        if test {
            Redirect::to(&format!("/authentication?sso_test=failed&reason={code}")).into_response()
        } else {
            to_signin(code)
        }
    };
    if q.contains_key("error") {
        return fail("denied");
    }
    let (Some(code), Some(st)) = (q.get("code"), q.get("state")) else {
        return fail("provider");
    };
    match state
        .services
        .sso_finish(pending, code, st, addr.as_deref())
        .await
    {
        Ok(SsoDone::SignedIn(identity)) => {
            match app::ssr::complete_sign_in(&state.services, &session, &identity, addr.as_deref())
                .await
            {
                Ok(()) => Redirect::to("/").into_response(),
                Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        Ok(SsoDone::Tested { email, allowed }) => Redirect::to(&format!(
            "/authentication?sso_test=ok&email={}&allowed={allowed}",
            url_encode(&email)
        ))
        .into_response(),
        Err(f) => {
            tracing::warn!("SSO callback failed: {f:?}");
            fail(f.code())
        }
    }
}

fn slug_or_404(slug: &str) -> Result<&'static str, Response> {
    provider_slug(slug).ok_or_else(|| (StatusCode::NOT_FOUND, "no such provider").into_response())
}

async fn discovery(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let slug = match slug_or_404(&slug) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let iss = state.services.standin_issuer(slug);
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": ["sub", "email", "email_verified", "name", "iss", "aud", "exp", "iat", "nonce"],
        "code_challenge_methods_supported": ["S256"]
    }))
    .into_response()
}

async fn jwks(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    if let Err(r) = slug_or_404(&slug) {
        return r;
    }
    Json(state.services.standin().jwks()).into_response()
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    /// The account button that was clicked.
    email: Option<String>,
    /// The "or type an email address" box.
    typed_email: Option<String>,
    action: Option<String>,
}

/// Checks an authorize request; the redirect URI must be Patio's own callback (a registered
/// redirect URI, as at a real provider), so the stand-in is no open redirector.
fn check_authorize(state: &AppState, q: &AuthorizeQuery) -> Result<AuthorizeRequest, String> {
    if q.response_type.as_deref() != Some("code") {
        return Err("response_type must be code".into());
    }
    let client_id = q
        .client_id
        .clone()
        .filter(|c| !c.is_empty())
        .ok_or("client_id is required")?;
    let redirect_uri = q.redirect_uri.clone().ok_or("redirect_uri is required")?;
    let expected = format!(
        "{}/sso/callback",
        state
            .services
            .sso_settings()
            .public_url
            .trim_end_matches('/')
    );
    if redirect_uri != expected {
        return Err(format!(
            "redirect_uri is not registered (expected {expected})"
        ));
    }
    if q.code_challenge.is_some() && q.code_challenge_method.as_deref() != Some("S256") {
        return Err("code_challenge_method must be S256".into());
    }
    Ok(AuthorizeRequest {
        client_id,
        redirect_uri,
        state: q.state.clone(),
        nonce: q.nonce.clone(),
        code_challenge: q.code_challenge.clone(),
    })
}

fn bad_authorize(reason: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<p>Invalid authorization request: {}</p>",
            html_escape(reason)
        )),
    )
        .into_response()
}

/// `GET /_idp/{slug}/authorize`: "sign in with Google/Salesforce": pick or type an account.
async fn authorize_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let slug = match slug_or_404(&slug) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let req = match check_authorize(&state, &q) {
        Ok(r) => r,
        Err(e) => return bad_authorize(&e),
    };
    let accounts = state.services.standin_accounts().await.unwrap_or_default();
    let name = provider_name(slug);
    let hidden = |n: &str, v: &Option<String>| {
        v.as_ref()
            .map(|v| {
                format!(
                    "<input type=\"hidden\" name=\"{n}\" value=\"{}\">",
                    html_escape(v)
                )
            })
            .unwrap_or_default()
    };
    let fields = [
        format!("<input type=\"hidden\" name=\"response_type\" value=\"code\">"),
        hidden("client_id", &Some(req.client_id.clone())),
        hidden("redirect_uri", &Some(req.redirect_uri.clone())),
        hidden("state", &req.state),
        hidden("nonce", &req.nonce),
        hidden("code_challenge", &req.code_challenge),
        hidden("code_challenge_method", &q.code_challenge_method),
    ]
    .concat();
    let picks: String = accounts
        .iter()
        .map(|a| {
            format!(
                "<li><button name=\"email\" value=\"{0}\">{0}</button></li>",
                html_escape(a)
            )
        })
        .collect();
    let color = if slug == "google" {
        "#1a73e8"
    } else {
        "#0176d3"
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in with {name}</title>\
<style>body{{font-family:system-ui,sans-serif;background:#f1f3f4;display:grid;place-items:center;min-height:100vh;margin:0}}\
main{{background:#fff;border-radius:8px;padding:2rem;width:min(92vw,26rem);box-shadow:0 1px 4px rgba(0,0,0,.2)}}\
h1{{color:{color};font-size:1.4rem}}ul{{list-style:none;padding:0}}li button{{width:100%;text-align:left;margin:.2rem 0;padding:.5rem;background:#fff;border:1px solid #dadce0;border-radius:4px;cursor:pointer}}\
input[type=email]{{width:100%;padding:.5rem;box-sizing:border-box}}.note{{color:#5f6368;font-size:.85rem}}</style></head><body><main>\
<h1>Sign in with {name}</h1><p class=\"note\">Patio stand-in identity provider (sandbox): no password is asked.</p>\
<form method=\"post\">{fields}<p>Choose an account</p><ul>{picks}</ul>\
<label>Or type an email address <input type=\"email\" name=\"typed_email\" placeholder=\"name@example.com\"></label>\
<p><button type=\"submit\" name=\"action\" value=\"continue\">Continue</button> \
<button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button></p></form></main></body></html>"
    ))
    .into_response()
}

/// `POST /_idp/{slug}/authorize`: the account was chosen; back to the relying party.
async fn authorize_submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(q): Form<AuthorizeQuery>,
) -> Response {
    if let Err(r) = slug_or_404(&slug) {
        return r;
    }
    let req = match check_authorize(&state, &q) {
        Ok(r) => r,
        Err(e) => return bad_authorize(&e),
    };
    let state_param = req
        .state
        .as_deref()
        .map(|s| format!("&state={}", url_encode(s)))
        .unwrap_or_default();
    if q.action.as_deref() == Some("cancel") {
        return Redirect::to(&format!(
            "{}?error=access_denied{state_param}",
            req.redirect_uri
        ))
        .into_response();
    }
    let email = [q.email.as_deref(), q.typed_email.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|e| !e.is_empty())
        .unwrap_or("");
    if email.is_empty() || !email.contains('@') {
        return (
            StatusCode::BAD_REQUEST,
            Html("<p>Enter an email address. <a href=\"javascript:history.back()\">Back</a></p>"),
        )
            .into_response();
    }
    let code = state.services.standin_authorize(email, &req);
    Redirect::to(&format!(
        "{}?code={}{state_param}",
        req.redirect_uri,
        url_encode(&code)
    ))
    .into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    client_id: Option<String>,
}

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// The client id from HTTP Basic authentication (`client_secret_basic`), if any.
fn basic_client_id(headers: &HeaderMap) -> Option<String> {
    let v = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = data_encoding::BASE64.decode(v.trim().as_bytes()).ok()?;
    let (id, _) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some(percent_decode(id))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `POST /_idp/{slug}/token`.
async fn token(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Response {
    let slug = match slug_or_404(&slug) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if f.grant_type.as_deref() != Some("authorization_code") {
        return token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only authorization_code is supported",
        );
    }
    let Some(client_id) = basic_client_id(&headers).or(f.client_id.clone()) else {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication is required",
        );
    };
    let (Some(code), Some(redirect_uri)) = (f.code.as_deref(), f.redirect_uri.as_deref()) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code and redirect_uri are required",
        );
    };
    match state.services.standin_token(
        slug,
        code,
        &client_id,
        redirect_uri,
        f.code_verifier.as_deref(),
    ) {
        Ok((access, id_token)) => Json(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "openid email profile",
            "id_token": id_token
        }))
        .into_response(),
        Err(TokenError::InvalidGrant(d)) => {
            token_error(StatusCode::BAD_REQUEST, "invalid_grant", d)
        }
        Err(TokenError::InvalidRequest(d)) => {
            token_error(StatusCode::BAD_REQUEST, "invalid_request", d)
        }
    }
}

/// `GET /_idp/{slug}/userinfo` with `Authorization: Bearer <access token>`.
async fn userinfo(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = slug_or_404(&slug) {
        return r;
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match bearer.and_then(|t| state.services.standin_userinfo(t.trim())) {
        Some(email) => {
            Json(json!({ "sub": email, "email": email, "email_verified": true, "name": email }))
                .into_response()
        }
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response(),
    }
}

pub fn routes(standin: bool) -> Router<AppState> {
    let r = Router::new()
        .route("/sso/start", get(sso_start))
        .route("/sso/callback", get(sso_callback));
    if !standin {
        return r;
    }
    r.route(
        "/_idp/{slug}/.well-known/openid-configuration",
        get(discovery),
    )
    .route(
        "/_idp/{slug}/authorize",
        get(authorize_page).post(authorize_submit),
    )
    .route("/_idp/{slug}/token", post(token))
    .route("/_idp/{slug}/jwks", get(jwks))
    .route("/_idp/{slug}/userinfo", get(userinfo))
}
