//! Tableau Cloud Manager PATs and REST sessions (seeds 000, 003; SPEC T3-T14).

mod common;

use axum::http::StatusCode;
use common::*;
use patio_service::activity::event;
use patio_service::repo::{pats, users};
use time::Duration;

const SECOND: &str = patio_service::seed::DEMO_SECOND_ADMIN;

// SPEC T10: the seed's request, verbatim, and the documented response fields.
#[tokio::test]
async fn pat_login_returns_the_documented_session_object() {
    let app = spawn().await;
    let secret = tcm_pat(&app, ADMIN, "automation", 180).await;
    let me = admin_identity(&app, ADMIN).await;
    let body = format!("{{\n\t \"token\":  \"{secret}\"\n}}");
    let r = app.call(Call::post_json("/api/v1/pat/login", body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let j = r.json();
    let mut keys: Vec<_> = j.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["sessionExpiration", "sessionToken", "tenantId", "userId"]
    );
    assert_eq!(j["userId"], me.user_id.as_str());
    assert_eq!(j["tenantId"], me.tenant_id.as_str());
    // SPEC T12: four hours after sign-in (clock starts 2026-03-02 10:00 UTC).
    assert_eq!(j["sessionExpiration"], "2026-03-02T14:00:00Z");
    assert!(j["sessionToken"].as_str().unwrap().len() >= 40);
}

// SPEC T11: later calls carry `x-tableau-session-token`.
#[tokio::test]
async fn calls_need_the_session_token_header() {
    let app = spawn().await;
    let token = tcm_session_for(&app).await;
    let r = app
        .call(Call::get("/api/v1/sessions/current").tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["valid"], true);
    assert_eq!(j["client"]["userName"], ADMIN);
    assert_eq!(j["client"]["type"], "User");
    assert_eq!(j["client"]["idpId"], "TableauIDWithMFA");
    assert_eq!(j["expireDateTime"], "2026-03-02T14:00:00Z");

    let r = app.call(Call::get("/api/v1/sessions/current")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["errorCode"], "NO_AUTHENTICATION_CREDENTIALS");
    let r = app
        .call(Call::get("/api/v1/sessions/current").header("x-tableau-auth", &token))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "the site API's header is not TCM's"
    );
    let r = app
        .call(Call::get("/api/v1/pat").tcm("not-a-session"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["errorCode"], "NOT_AUTHENTICATED");
}

async fn tcm_session_for(app: &TestApp) -> String {
    let secret = tcm_pat(app, ADMIN, "automation", 180).await;
    app.tcm_session(&secret).await
}

// SPEC T12: 30 idle minutes end the session.
#[tokio::test]
async fn sessions_end_after_30_idle_minutes() {
    let app = spawn().await;
    let token = tcm_session_for(&app).await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.call(Call::get("/api/v1/pat").tcm(&token)).await.status,
        StatusCode::OK
    );
    app.clock.advance(Duration::minutes(30));
    let r = app.call(Call::get("/api/v1/pat").tcm(&token)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let ended = events(&app, event::SESSION_ENDED).await;
    assert!(ended[0].details.contains("idle_timeout"));
}

// SPEC T12: four hours after sign-in the session ends, however busy.
#[tokio::test]
async fn sessions_end_four_hours_after_sign_in() {
    let app = spawn().await;
    let token = tcm_session_for(&app).await;
    for _ in 0..11 {
        app.clock.advance(Duration::minutes(20));
        assert_eq!(
            app.call(Call::get("/api/v1/pat").tcm(&token)).await.status,
            StatusCode::OK
        );
    }
    app.clock.advance(Duration::minutes(20));
    assert_eq!(
        app.call(Call::get("/api/v1/pat").tcm(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        events(&app, event::SESSION_ENDED).await[0]
            .details
            .contains("absolute_timeout")
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_at_once_on_both_paths() {
    let app = spawn().await;
    let secret = tcm_pat(&app, ADMIN, "automation", 180).await;
    for path in ["/api/v2/sessions", "/api/v1/sessions"] {
        let token = app.tcm_session(&secret).await;
        let r = app.call(Call::delete(path).tcm(&token)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{path}: {}", r.body);
        let r = app
            .call(Call::get("/api/v1/sessions/current").tcm(&token))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let ended = events(&app, event::SESSION_ENDED).await;
    assert_eq!(
        ended
            .iter()
            .filter(|e| e.details.contains("signed_out"))
            .count(),
        2
    );
}

// SPEC T3, T4: create over REST; the secret is returned once and has the documented shape.
#[tokio::test]
async fn create_list_and_revoke_over_rest() {
    let app = spawn().await;
    let token = tcm_session_for(&app).await;
    let r = app
        .call(Call::post_json("/api/v1/pat", r#"{"tokenName":"nightly-sync"}"#.into()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.json();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let (head, tail) = secret.split_once(':').unwrap();
    assert_eq!((head.len(), tail.len()), (24, 43));
    assert_eq!(created["tokenName"], "nightly-sync");
    assert_eq!(created["issueInUtc"], "2026-03-02T10:00:00Z");
    assert_eq!(
        created["expirationInUtc"], "2026-08-29T10:00:00Z",
        "default 180 days"
    );
    for field in ["tokenUUID", "tenantId", "userId"] {
        assert!(created[field].is_string(), "{field}");
    }

    let r = app.call(Call::get("/api/v1/pat").tcm(&token)).await;
    let list = r.json()["personalAccessTokens"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter().all(|p| p.get("secret").is_none()),
        "secrets are never listed"
    );

    // The new PAT signs in; revoking it ends that and stops further sign-ins.
    let token2 = app.tcm_session(&secret).await;
    let id = created["tokenUUID"].as_str().unwrap();
    let r = app
        .call(Call::delete(&format!("/api/v1/pat/{id}")).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.pat_login(&secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(Call::get("/api/v1/pat").tcm(&token2)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .call(Call::delete(&format!("/api/v1/pat/{id}")).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "already revoked");
    let list = app.call(Call::get("/api/v1/pat").tcm(&token)).await.json();
    assert_eq!(list["personalAccessTokens"].as_array().unwrap().len(), 1);
    assert_eq!(events(&app, event::PAT_REVOKED).await.len(), 1);
    assert_eq!(events(&app, event::PAT_CREATED).await.len(), 2);
}

#[tokio::test]
async fn bad_create_requests_get_clear_400s_and_change_nothing() {
    let app = spawn().await;
    let token = tcm_session_for(&app).await;
    let cases = [
        (
            r#"{"tokenName":""}"#,
            StatusCode::BAD_REQUEST,
            "Enter a token name",
        ),
        (r#"{}"#, StatusCode::BAD_REQUEST, "Enter a token name"),
        (
            &format!(r#"{{"tokenName":"{}"}}"#, "x".repeat(101)),
            StatusCode::BAD_REQUEST,
            "at most 100",
        ),
        (
            r#"{"tokenName":"a","absoluteExpiryInDays":0}"#,
            StatusCode::BAD_REQUEST,
            "future",
        ),
        (
            r#"{"tokenName":"a","absoluteExpiryInDays":366}"#,
            StatusCode::BAD_REQUEST,
            "365 days",
        ),
        (
            r#"{"tokenName":"a","absoluteExpiryInDays":"ten"}"#,
            StatusCode::BAD_REQUEST,
            "JSON",
        ),
        (r#"not json"#, StatusCode::BAD_REQUEST, "JSON"),
        (
            r#"{"tokenName":"AUTOMATION"}"#,
            StatusCode::CONFLICT,
            "already have a token named",
        ),
    ];
    for (body, status, text) in cases {
        let r = app
            .call(Call::post_json("/api/v1/pat", body.to_string()).tcm(&token))
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        let j = r.json();
        assert!(
            j["reason"].as_str().unwrap().contains(text),
            "{body}: {}",
            r.body
        );
        assert!(j["errorCode"].is_string() && j["message"].is_string());
    }
    let r = app
        .call(
            Call::post_json(
                "/api/v1/pat",
                r#"{"tokenName":"a","absoluteExpiryInDays":365}"#.into(),
            )
            .tcm(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["expirationInUtc"], "2027-03-02T10:00:00Z");
    let list = app.call(Call::get("/api/v1/pat").tcm(&token)).await.json();
    assert_eq!(
        list["personalAccessTokens"].as_array().unwrap().len(),
        2,
        "only the valid ones exist"
    );
}

// SPEC T5: at most 104 PATs per user.
#[tokio::test]
async fn the_105th_pat_is_refused() {
    let app = spawn().await;
    let token = tcm_session_for(&app).await; // PAT number 1
    let me = admin_identity(&app, ADMIN).await;
    for i in 2..=104 {
        app.services
            .create_tcm_pat(
                &me,
                &format!("t{i}"),
                patio_service::tcm_pats::Expiry::Days(30),
                None,
            )
            .await
            .unwrap();
    }
    let r = app
        .call(Call::post_json("/api/v1/pat", r#"{"tokenName":"one-too-many"}"#.into()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["reason"]
            .as_str()
            .unwrap()
            .contains("limit of 104"),
        "{}",
        r.body
    );
    // Another admin is not affected, and revoking one frees a slot.
    assert!(!tcm_pat(&app, SECOND, "x", 30).await.is_empty());
    let list = app.services.list_tcm_pats(&me.user_id).await.unwrap();
    assert_eq!(list.len(), 104);
    app.services
        .revoke_tcm_pat(&me, &list[5].id, None)
        .await
        .unwrap();
    let r = app
        .call(Call::post_json("/api/v1/pat", r#"{"tokenName":"one-too-many"}"#.into()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

// SPEC T6: 15 days without use expires a PAT; use resets the count.
#[tokio::test]
async fn pats_expire_after_15_unused_days() {
    let app = spawn().await;
    let me = admin_identity(&app, ADMIN).await;
    let used = tcm_pat(&app, ADMIN, "used", 365).await;
    let unused = tcm_pat(&app, ADMIN, "unused", 365).await;
    app.clock.advance(Duration::days(14));
    app.tcm_session(&used).await;
    app.clock.advance(Duration::days(1));
    // 15 days after creation: the unused one is gone, the used one lives on.
    assert_eq!(
        app.pat_login(&unused).await.status,
        StatusCode::UNAUTHORIZED
    );
    let names: Vec<_> = app
        .services
        .list_tcm_pats(&me.user_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["used"]);
    app.clock.advance(Duration::days(13));
    app.tcm_session(&used).await;
    app.clock.advance(Duration::days(15));
    assert_eq!(app.pat_login(&used).await.status, StatusCode::UNAUTHORIZED);
    assert!(
        app.services
            .list_tcm_pats(&me.user_id)
            .await
            .unwrap()
            .is_empty()
    );
    let expired = events(&app, event::PAT_EXPIRED).await;
    assert_eq!(expired.len(), 2, "one event per PAT");
    assert!(
        expired
            .iter()
            .all(|e| e.details.contains("expired_unused_15_days"))
    );
}

// SPEC T6: the expiry chosen at creation comes first when it is earlier.
#[tokio::test]
async fn pats_expire_at_the_chosen_expiry() {
    let app = spawn().await;
    let secret = tcm_pat(&app, ADMIN, "short", 20).await;
    app.clock.advance(Duration::days(10));
    app.tcm_session(&secret).await;
    app.clock.advance(Duration::days(10) - Duration::seconds(1));
    app.tcm_session(&secret).await;
    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        app.pat_login(&secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        events(&app, event::PAT_EXPIRED).await[0]
            .details
            .contains("\"reason\":\"expired\"")
    );
}

// SPEC T10, T13: every refusal looks the same; the log knows why.
#[tokio::test]
async fn every_refused_pat_login_gets_the_same_401() {
    let app = spawn().await;
    let good = tcm_pat(&app, ADMIN, "good", 180).await;
    let revoked = tcm_pat(&app, ADMIN, "revoked", 180).await;
    let expiring = tcm_pat(&app, ADMIN, "expiring", 1).await;
    let demoted = tcm_pat(&app, SECOND, "demoted-owner", 180).await;
    let me = admin_identity(&app, ADMIN).await;
    let list = app.services.list_tcm_pats(&me.user_id).await.unwrap();
    let id = &list.iter().find(|p| p.name == "revoked").unwrap().id;
    app.services.revoke_tcm_pat(&me, id, None).await.unwrap();
    app.clock.advance(Duration::days(1));
    let second = admin_identity(&app, SECOND).await;
    users::delete_link_role(app.services.db(), &second.user_id, &second.tenant_id)
        .await
        .unwrap();
    let (head, _) = good.split_once(':').unwrap();
    let wrong_tail = format!("{head}:{}", "A".repeat(43));

    let mut bodies = Vec::new();
    for secret in [
        wrong_tail.as_str(),
        revoked.as_str(),
        expiring.as_str(),
        demoted.as_str(),
        "JKGpaIjBQaS1vlXIIt9g+A==:-jeD0dkAWu-mwZQPgRf3NvgHQBUZ7atQsPxh911YmPU",
        "garbage",
        "",
    ] {
        let r = app.pat_login(secret).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{secret}");
        bodies.push(r.body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:#?}");
    let j: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(j["errorCode"], "NOT_AUTHENTICATED");
    let reasons: String = events(&app, event::PAT_SIGNIN_FAILED)
        .await
        .iter()
        .map(|e| e.details.clone())
        .collect();
    for r in [
        "wrong_secret",
        "revoked",
        "expired",
        "owner_not_cloud_admin",
        "unknown_token",
        "malformed_token",
    ] {
        assert!(reasons.contains(r), "{r} in {reasons}");
    }
    assert_eq!(app.pat_login(&good).await.status, StatusCode::OK);
}

// SPEC T14: the REST API takes no password: a user name and password body is refused.
#[tokio::test]
async fn missing_or_malformed_login_bodies_are_400() {
    let app = spawn().await;
    let password_body = format!("{{\"userName\": \"{ADMIN}\", \"password\": \"{PASSWORD}\"}}");
    for body in [
        "",
        "{}",
        "{\"tok\":\"x\"}",
        "[1]",
        "{\"token\": 5}",
        password_body.as_str(),
    ] {
        let r = app
            .call(Call::post_json("/api/v1/pat/login", body.into()))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(r.json()["errorCode"], "INVALID_PARAM");
    }
    let r = app.call(Call::get("/api/v1/pat/login")).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["errorCode"], "METHOD_NOT_ALLOWED");
}

// SPEC T13: a session ends when its owner stops being a cloud admin.
#[tokio::test]
async fn sessions_of_a_demoted_admin_stop_working() {
    let app = spawn().await;
    let token = tcm_session_for(&app).await;
    let me = admin_identity(&app, ADMIN).await;
    users::delete_link_role(app.services.db(), &me.user_id, &me.tenant_id)
        .await
        .unwrap();
    assert_eq!(
        app.call(Call::get("/api/v1/pat").tcm(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

// SPEC T8: changing the TCM authentication method revokes every TCM PAT of the tenant.
#[tokio::test]
async fn changing_the_tcm_auth_method_revokes_all_tcm_pats() {
    let app = spawn().await;
    let a = tcm_pat(&app, ADMIN, "a", 180).await;
    let b = tcm_pat(&app, SECOND, "b", 180).await;
    let token = app.tcm_session(&a).await;
    let me = admin_identity(&app, ADMIN).await;
    assert_eq!(
        app.services
            .change_tcm_auth_method(&me, patio_service::auth::IDP_TABLEAU_MFA, None)
            .await
            .unwrap(),
        0,
        "no change"
    );
    assert_eq!(
        app.services
            .change_tcm_auth_method(&me, "OpenID", None)
            .await
            .unwrap(),
        2
    );
    for s in [&a, &b] {
        assert_eq!(app.pat_login(s).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.call(Call::get("/api/v1/pat").tcm(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let revoked = events(&app, event::PAT_REVOKED).await;
    assert_eq!(revoked.len(), 2);
    assert!(
        revoked
            .iter()
            .all(|e| e.details.contains("tcm_auth_method_changed"))
    );
    assert_eq!(
        events(&app, event::TENANT_AUTH_METHOD_CHANGED).await.len(),
        1
    );
}

// SPEC T9: a site PAT cannot sign in to TCM. (The site API arrives later; when it does, the
// reverse direction gets its test there. This one fails if the two token spaces ever merge.)
#[tokio::test]
async fn a_site_pat_cannot_sign_in_to_tcm() {
    let app = spawn().await;
    let me = admin_identity(&app, ADMIN).await;
    let issued = patio_service::crypto::tokens::issue_pat(app.services.key());
    pats::insert(
        app.services.db(),
        &pats::PatRow {
            id: "site-pat-1".into(),
            kind: pats::PatKind::Site.as_str().into(),
            tenant_id: me.tenant_id.clone(),
            site_id: None,
            user_id: me.user_id.clone(),
            name: "site token".into(),
            lookup_key: issued.lookup_key.clone(),
            secret_hash: issued.secret_hash.clone(),
            created_at: app.services.now_ms(),
            expires_at: app.services.now_ms() + 86_400_000,
            last_used_at: None,
            revoked_at: None,
            revoked_by: None,
            revoke_reason: None,
            expired_at: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        app.pat_login(&issued.secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        app.services
            .list_tcm_pats(&me.user_id)
            .await
            .unwrap()
            .is_empty()
    );
}

// Repeated failures from one address get 429 with Retry-After; other addresses are unaffected.
#[tokio::test]
async fn failed_pat_logins_are_throttled_per_address() {
    let app = spawn().await;
    let good = tcm_pat(&app, ADMIN, "good", 180).await;
    let attempt = |secret: String, addr: &'static str| {
        let app = &app;
        async move {
            app.call(
                Call::post_json(
                    "/api/v1/pat/login",
                    serde_json::json!({"token": secret}).to_string(),
                )
                .from(addr),
            )
            .await
        }
    };
    for _ in 0..20 {
        assert_eq!(
            attempt("bad".into(), "10.66.0.1").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = attempt("bad".into(), "10.66.0.1").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["errorCode"], "TOO_MANY_REQUESTS");
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry));
    assert_eq!(
        attempt(good.clone(), "10.77.0.1").await.status,
        StatusCode::OK
    );
    app.clock.advance(Duration::minutes(15));
    assert_eq!(attempt(good, "10.66.0.1").await.status, StatusCode::OK);
}

// SPEC T4: the stored row holds only a keyed hash; and after a full flow no secret or session
// token issued appears anywhere in the database files.
#[tokio::test]
async fn no_secret_or_session_token_is_stored_in_clear() {
    let app = spawn().await;
    // UI sign-in (cookie session), a PAT created over REST, sessions, sign-out.
    let (mut browser, _, _) = enrolled(&app, ADMIN).await;
    let cookie = browser.cookie.clone().unwrap();
    let first = tcm_pat(&app, ADMIN, "first", 180).await;
    let t1 = app.tcm_session(&first).await;
    let r = app
        .call(Call::post_json("/api/v1/pat", r#"{"tokenName":"second"}"#.into()).tcm(&t1))
        .await;
    let second = r.json()["secret"].as_str().unwrap().to_owned();
    let t2 = app.tcm_session(&second).await;
    app.call(Call::delete("/api/v2/sessions").tcm(&t1)).await;
    browser.me().await;

    let row = pats::by_lookup_key(
        app.services.db(),
        pats::PatKind::Tcm,
        first.split_once(':').unwrap().0,
    )
    .await
    .unwrap()
    .unwrap();
    assert_ne!(row.secret_hash, first);
    assert_eq!(row.secret_hash.len(), 64, "hex HMAC-SHA-256");

    let cookie_value = cookie.split_once('=').unwrap().1.to_owned();
    let mut files = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", app.db_path.display());
        if let Ok(bytes) = std::fs::read(&p) {
            files.push(bytes);
        }
    }
    for needle in [first.clone(), second.clone(), t1, t2, cookie_value] {
        for tail in [
            needle.clone(),
            needle
                .split_once(':')
                .map(|x| x.1.to_owned())
                .unwrap_or(needle.clone()),
        ] {
            for f in &files {
                assert!(
                    !f.windows(tail.len()).any(|w| w == tail.as_bytes()),
                    "found {tail} in the database"
                );
            }
        }
    }
}

// SPEC T3, T5: the portal's Create Token form gets a clear message for each bad input.
#[tokio::test]
async fn create_token_form_errors() {
    let app = spawn().await;
    let (mut b, _, _) = enrolled(&app, ADMIN).await;
    // The clock is at 2026-03-02.
    let long = "n".repeat(101);
    for (name, date, message) in [
        ("", "2026-06-01", "Enter a token name."),
        ("   ", "2026-06-01", "Enter a token name."),
        (
            long.as_str(),
            "2026-06-01",
            "Token names can be at most 100 characters long.",
        ),
        ("ok", "2026-03-01", "The expiration must be in the future."),
        (
            "ok",
            "2027-03-03",
            "The expiration can be at most 365 days from today.",
        ),
        ("ok", "", "Choose an expiration date."),
        ("ok", "03/01/2027", "Choose an expiration date."),
    ] {
        assert_eq!(
            create(&mut b, name, date).await["Rejected"],
            message,
            "{name:?} {date:?}"
        );
    }
    let created = create(&mut b, "ok", "2027-03-02").await;
    assert!(created["Created"]["secret"].is_string(), "{created}");
    assert_eq!(
        create(&mut b, "OK", "2026-04-01").await["Rejected"],
        "You already have a token named \"OK\". Choose a different name."
    );
    let today = create(&mut b, "today", "2026-03-02").await;
    assert!(
        today["Created"].is_object(),
        "a token may expire at the end of today"
    );

    let list = b.post("/_srv/list_my_pats", &[]).await.json();
    assert_eq!(list["tokens"].as_array().unwrap().len(), 2);
    assert_eq!(list["today"], "2026-03-02");
    assert_eq!(list["default_expiry"], "2026-08-29");
    assert_eq!(list["max_expiry"], "2027-03-02");
    let ok = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "ok")
        .unwrap()
        .clone();
    assert_eq!(ok["expires"], "2027-03-02");
    assert_eq!(ok["last_used"], "Never");

    // SPEC T5 in the portal: the message names the limit.
    let me = admin_identity(&app, ADMIN).await;
    for i in 0..102 {
        app.services
            .create_tcm_pat(
                &me,
                &format!("bulk{i}"),
                patio_service::tcm_pats::Expiry::Days(9),
                None,
            )
            .await
            .unwrap();
    }
    let refused = create(&mut b, "one-more", "2026-04-01").await;
    assert!(
        refused["Rejected"]
            .as_str()
            .unwrap()
            .contains("limit of 104"),
        "{refused}"
    );

    // Revoking someone else's or an unknown token is refused with a message; signed-out calls fail.
    let r = b
        .post("/_srv/revoke_my_pat", &[("token_id", "no-such-id")])
        .await
        .json();
    assert!(r.as_str().unwrap().contains("does not exist"));
    let mut stranger = Browser::new(&app);
    let r = stranger.post("/_srv/list_my_pats", &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn create(b: &mut Browser<'_>, name: &str, date: &str) -> serde_json::Value {
    let r = b
        .post(
            "/_srv/create_my_pat",
            &[("token_name", name), ("expires_on", date)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}
