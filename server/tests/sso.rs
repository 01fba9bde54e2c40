//! Single sign-on to the TCM UI through the stand-in identity provider (SPEC T2, T15, T16):
//! the real relying party (PKCE, state, nonce, signature checks) over real HTTP.

mod common;

use axum::http::StatusCode;
use common::*;
use patio_service::activity::event;
use patio_service::sso::OidcConfig;
use patio_service::tenant_users::{LinkRoleSpec, RoleOp, UserPatch};

const SECOND: &str = patio_service::seed::DEMO_SECOND_ADMIN;

/// Salesforce SSO on (the seed's body) and ops@ assigned OpenID.
async fn salesforce_sso(app: &TestApp) {
    let me = admin_identity(app, ADMIN).await;
    let cfg: OidcConfig = serde_json::from_str(
        r#"{"enabled": true, "knownProviderAlias": "Salesforce", "salesforceDomain": "login.salesforce.com"}"#,
    )
    .unwrap();
    app.services
        .put_oidc(&me, &me.tenant_id, cfg, None)
        .await
        .unwrap();
    let ops = user_id_of(app, SECOND).await;
    let patch = UserPatch {
        link_roles: vec![(
            RoleOp::Update,
            LinkRoleSpec {
                link_id: me.tenant_id.clone(),
                link_role: None,
                idp: Some("OpenID".into()),
            },
        )],
        ..Default::default()
    };
    app.services
        .patch_tenant_user(&me, &me.tenant_id, &ops, patch, None)
        .await
        .unwrap();
}

fn local(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&app.base_url)
        .unwrap_or_else(|| panic!("{url} is not on {}", app.base_url))
        .to_owned()
}

fn query(url: &str) -> Vec<(String, String)> {
    let parsed = url::Url::parse(
        if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("http://x{url}")
        }
        .as_str(),
    )
    .unwrap();
    parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Runs the browser side of the flow for `email`; returns the callback's reply.
async fn sso_as(b: &mut Browser<'_>, email: &str) -> Reply {
    let app = b.app;
    let r = b.get("/sso/start?tenant=acme-analytics").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let authorize = r.header("location").unwrap();
    assert!(
        authorize.starts_with(&format!("{}/_idp/salesforce/authorize?", app.base_url)),
        "{authorize}"
    );
    let params = query(&authorize);
    for p in [
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "redirect_uri",
        "client_id",
    ] {
        assert!(params.iter().any(|(k, _)| k == p), "{p} in {authorize}");
    }
    let page = b.get(&local(app, &authorize)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Sign in with Salesforce") && page.body.contains(SECOND),
        "{}",
        page.body
    );
    let mut form: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("email", email));
    let r = b.post("/_idp/salesforce/authorize", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let callback = r.header("location").unwrap();
    assert!(
        callback.starts_with(&format!("{}/sso/callback?code=", app.base_url)),
        "{callback}"
    );
    b.get(&local(app, &callback)).await
}

// SPEC T2: an OpenID cloud admin signs in through the provider configured for the tenant.
#[tokio::test]
async fn an_openid_admin_signs_in_with_sso() {
    let app = spawn().await;
    salesforce_sso(&app).await;
    let r = app.call(Call::get("/signin")).await;
    assert!(
        r.body.contains("Sign in with Salesforce"),
        "the sign-in page offers SSO"
    );
    let mut b = Browser::new(&app);
    let r = sso_as(&mut b, SECOND).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location").as_deref(), Some("/"));
    assert_eq!(b.me().await.unwrap().user_name, SECOND);
    let ok = events(&app, event::SIGNIN_SUCCEEDED).await;
    assert!(ok[0].details.contains("oidc:Salesforce"));
    assert_eq!(events(&app, event::SESSION_STARTED).await.len(), 1);
    // The OpenID admin has no way in with a password (T2).
    let o = Browser::new(&app).password(SECOND, PASSWORD).await;
    assert_eq!(
        o.message.as_deref(),
        Some(patio_service::auth::GENERIC_FAILURE)
    );
}

// SPEC T2: a Tableau-with-MFA admin, or an account the tenant does not know, is refused clearly.
#[tokio::test]
async fn sso_refuses_mfa_admins_and_unknown_accounts() {
    let app = spawn().await;
    salesforce_sso(&app).await;
    for (email, code) in [
        (ADMIN, "wrong_idp"),
        ("stranger@elsewhere.example", "not_admin"),
        ("carla@acme.example", "not_admin"),
    ] {
        let mut b = Browser::new(&app);
        let r = sso_as(&mut b, email).await;
        assert_eq!(
            r.header("location"),
            Some(format!("/signin?sso_error={code}")),
            "{email}"
        );
        assert_eq!(b.me().await, None);
    }
    let page = app.call(Call::get("/signin?sso_error=wrong_idp")).await;
    assert!(
        page.body.contains("signs in with Tableau with MFA"),
        "the sign-in page explains"
    );
    // And the MFA admin still signs in with password + code.
    let (mut b, _, _) = enrolled(&app, ADMIN).await;
    assert!(b.me().await.is_some());
}

// state and PKCE are enforced; a code works once.
#[tokio::test]
async fn state_pkce_and_code_reuse_are_checked() {
    let app = spawn().await;
    salesforce_sso(&app).await;
    let mut b = Browser::new(&app);
    let r = b.get("/sso/start?tenant=acme-analytics").await;
    let authorize = r.header("location").unwrap();
    let params = query(&authorize);
    let mut form: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("email", SECOND));
    let r = b.post("/_idp/salesforce/authorize", &form).await;
    let callback = local(&app, &r.header("location").unwrap());
    let cb = query(&callback);
    let code = cb.iter().find(|(k, _)| k == "code").unwrap().1.clone();
    // A forged state is refused, and the attempt is used up.
    let r = b
        .get(&format!("/sso/callback?code={code}&state=forged"))
        .await;
    assert_eq!(
        r.header("location").as_deref(),
        Some("/signin?sso_error=state")
    );
    let r = b.get(&callback).await;
    assert_eq!(
        r.header("location").as_deref(),
        Some("/signin?sso_error=expired")
    );
    assert_eq!(b.me().await, None);

    // The token endpoint wants the PKCE verifier and the registered redirect URI.
    let redirect = format!("{}/sso/callback", app.base_url);
    let fresh = |app: &TestApp| {
        let req = patio_service::oidc::standin::AuthorizeRequest {
            client_id: "c".into(),
            redirect_uri: redirect.clone(),
            state: None,
            nonce: None,
            code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        };
        app.services.standin_authorize(SECOND, &req)
    };
    let c = fresh(&app);
    assert!(
        app.services
            .standin_token("salesforce", &c, "c", &redirect, None)
            .is_err(),
        "verifier required"
    );
    let c = fresh(&app);
    assert!(
        app.services
            .standin_token("salesforce", &c, "c", &redirect, Some("wrong"))
            .is_err()
    );
    let c = fresh(&app);
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7636 appendix B
    assert!(
        app.services
            .standin_token("salesforce", &c, "c", &redirect, Some(verifier))
            .is_ok()
    );
    assert!(
        app.services
            .standin_token("salesforce", &c, "c", &redirect, Some(verifier))
            .is_err(),
        "once only"
    );

    // An authorize request for somebody else's redirect URI is refused (no open redirect).
    let r = app.call(Call::get("/_idp/google/authorize?response_type=code&client_id=x&redirect_uri=https%3A%2F%2Fevil.example%2Fcb")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sso_without_configuration_is_refused() {
    let app = spawn().await;
    let r = app
        .call(Call::get("/sso/start?tenant=acme-analytics"))
        .await;
    assert_eq!(
        r.header("location").as_deref(),
        Some("/signin?sso_error=not_configured")
    );
    let r = app.call(Call::get("/signin")).await;
    assert!(!r.body.contains("/sso/start"), "no SSO button");
}

// The Authentication page's test sign-in: runs the flow, reports, and signs nobody in.
#[tokio::test]
async fn test_sign_in_reports_without_signing_in() {
    let app = spawn().await;
    salesforce_sso(&app).await;
    let (mut b, _, _) = enrolled(&app, ADMIN).await;
    let before = b.me().await.unwrap();
    let r = b.get("/sso/start?tenant=acme-analytics&test=1").await;
    let authorize = r.header("location").unwrap();
    let params = query(&authorize);
    let mut form: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    form.push(("email", SECOND));
    let r = b.post("/_idp/salesforce/authorize", &form).await;
    let r = b.get(&local(&app, &r.header("location").unwrap())).await;
    assert_eq!(
        r.header("location").as_deref(),
        Some("/authentication?sso_test=ok&email=ops%40acme.example&allowed=true")
    );
    assert_eq!(b.me().await.unwrap(), before, "still the same admin");
    assert_eq!(events(&app, event::SSO_TEST_SIGNIN).await.len(), 1);
    // Only a signed-in admin can run a test.
    let r = app
        .call(Call::get("/sso/start?tenant=acme-analytics&test=1"))
        .await;
    assert_eq!(r.header("location").as_deref(), Some("/signin"));
}

// The stand-in's own endpoints: discovery, keys, userinfo (bearer token), unknown providers.
#[tokio::test]
async fn standin_discovery_keys_and_userinfo() {
    let app = spawn().await;
    let d = app
        .call(Call::get("/_idp/google/.well-known/openid-configuration"))
        .await
        .json();
    assert_eq!(d["issuer"], format!("{}/_idp/google", app.base_url));
    assert_eq!(d["code_challenge_methods_supported"][0], "S256");
    let keys = app.call(Call::get("/_idp/google/jwks")).await.json();
    assert_eq!(keys["keys"][0]["kty"], "RSA");
    assert_eq!(keys["keys"][0]["kid"], "patio-standin-1");
    assert_eq!(
        app.call(Call::get("/_idp/okta/jwks")).await.status,
        StatusCode::NOT_FOUND
    );

    let redirect = format!("{}/sso/callback", app.base_url);
    let req = patio_service::oidc::standin::AuthorizeRequest {
        client_id: "c".into(),
        redirect_uri: redirect.clone(),
        state: None,
        nonce: Some("n".into()),
        code_challenge: None,
    };
    let code = app.services.standin_authorize("dev@acme.example", &req);
    let r = app
        .call(Call {
            method: axum::http::Method::POST,
            path: "/_idp/google/token",
            body: Some((
                form(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", &redirect),
                    ("client_id", "c"),
                ]),
                "application/x-www-form-urlencoded",
            )),
            cookie: None,
            addr: "10.0.0.9",
            headers: vec![],
        })
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let tokens = r.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(
        tokens["id_token"].as_str().unwrap().split('.').count(),
        3,
        "a signed JWT"
    );
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let info = app
        .call(Call::get("/_idp/google/userinfo").header("authorization", &bearer))
        .await
        .json();
    assert_eq!(info["email"], "dev@acme.example");
    let r = app
        .call(Call::get("/_idp/google/userinfo").header("authorization", "Bearer nope"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.call(Call::get("/_idp/google/userinfo")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
