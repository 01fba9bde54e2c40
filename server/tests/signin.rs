//! Cloud-admin sign-in to the TCM UI: "Tableau with MFA" (SPEC T1, T2), sessions, throttling.

mod common;

use app::models::SignInNext;
use axum::http::StatusCode;
use common::*;
use patio_service::activity::event;
use patio_service::auth::{CODE_FAILURE, GENERIC_FAILURE};
use patio_service::repo::users;
use time::Duration;

// SPEC T2: first sign-in enrolls an authenticator and shows recovery codes once.
#[tokio::test]
async fn first_sign_in_enrolls_an_authenticator_and_issues_recovery_codes() {
    let app = spawn().await;
    let mut b = Browser::new(&app);
    let o = b.password(ADMIN, PASSWORD).await;
    let SignInNext::Enroll(offer) = o.next else {
        panic!("{o:?}")
    };
    assert!(offer.qr_svg.contains("<svg"));
    assert!(
        offer
            .otpauth_uri
            .starts_with("otpauth://totp/Patio:admin@acme.example?secret=")
    );
    assert_eq!(offer.secret_base32.len(), 32);
    assert_eq!(b.me().await, None, "not signed in before the code");

    let secret = data_encoding::BASE32_NOPAD
        .decode(offer.secret_base32.as_bytes())
        .unwrap();
    let wrong = b.enroll("000000").await;
    assert_eq!(wrong.next, SignInNext::Stay);
    assert_eq!(wrong.message.as_deref(), Some(CODE_FAILURE));

    let o = b.enroll(&code_now(&app, &secret, 0)).await;
    let SignInNext::RecoveryCodes(codes) = o.next else {
        panic!("{o:?}")
    };
    assert_eq!(codes.len(), 10);
    let me = b.me().await.expect("signed in");
    assert_eq!(me.user_name, ADMIN);
    assert_eq!(me.tenant_name, "Acme Analytics");

    // Stored: a sealed seed and hashed recovery codes, never the codes themselves.
    let u = &users::find_by_name(app.services.db(), ADMIN).await.unwrap()[0];
    assert!(u.totp_secret_sealed.is_some() && u.totp_pending_sealed.is_none());
    let raw = std::fs::read(&app.db_path).unwrap();
    for c in &codes {
        assert!(
            !raw.windows(c.len()).any(|w| w == c.as_bytes()),
            "recovery code stored in clear"
        );
    }
    assert!(
        !raw.windows(offer.secret_base32.len())
            .any(|w| w == offer.secret_base32.as_bytes())
    );

    assert_eq!(events(&app, event::MFA_ENROLLED).await.len(), 1);
    assert_eq!(events(&app, event::SESSION_STARTED).await.len(), 1);
    let ok = events(&app, event::SIGNIN_SUCCEEDED).await;
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].source_address.as_deref(), Some("10.9.8.7"));
    let failed = events(&app, event::SIGNIN_FAILED).await;
    assert_eq!(failed.len(), 1, "the wrong enrollment code is logged");
}

// SPEC T2, T18: an enrolled admin signs in with password + code; Tableau with MFA needed no
// tenant configuration step.
#[tokio::test]
async fn enrolled_admin_signs_in_with_password_and_code() {
    let app = spawn().await;
    let (mut first, secret, _) = enrolled(&app, ADMIN).await;
    first.sign_out().await;
    app.clock.advance(Duration::seconds(30));

    let mut b = Browser::new(&app);
    assert_eq!(b.password(ADMIN, PASSWORD).await.next, SignInNext::Code);
    let bad = b.code("123456").await;
    assert_eq!(
        (bad.next, bad.message.as_deref()),
        (SignInNext::Stay, Some(CODE_FAILURE))
    );
    assert_eq!(b.me().await, None);
    assert_eq!(
        b.code(&code_now(&app, &secret, 0)).await.next,
        SignInNext::Home
    );
    assert_eq!(b.me().await.unwrap().user_name, ADMIN);
    let r = b.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("Acme Analytics"),
        "the shell shows the tenant"
    );
}

// SPEC T2: a one-time code is accepted once only.
#[tokio::test]
async fn a_code_cannot_be_replayed() {
    let app = spawn().await;
    let (mut first, secret, _) = enrolled(&app, ADMIN).await;
    first.sign_out().await;
    // Same 30-second step as enrollment: that code was used.
    let mut b = Browser::new(&app);
    b.password(ADMIN, PASSWORD).await;
    let replay = b.code(&code_now(&app, &secret, 0)).await;
    assert_eq!(replay.message.as_deref(), Some(CODE_FAILURE));
    // The next step's code works once, then not again in another browser.
    let next = code_now(&app, &secret, 1);
    assert_eq!(b.code(&next).await.next, SignInNext::Home);
    let mut other = Browser::at(&app, "10.0.0.2");
    other.password(ADMIN, PASSWORD).await;
    assert_eq!(
        other.code(&next).await.message.as_deref(),
        Some(CODE_FAILURE)
    );
}

// SPEC T2: recovery codes sign in, each once.
#[tokio::test]
async fn recovery_codes_work_once_each() {
    let app = spawn().await;
    let (mut first, _, codes) = enrolled(&app, ADMIN).await;
    first.sign_out().await;
    let mut b = Browser::new(&app);
    b.password(ADMIN, PASSWORD).await;
    assert_eq!(
        b.code(&codes[3].to_uppercase()).await.next,
        SignInNext::Home
    );
    b.sign_out().await;
    let mut b = Browser::new(&app);
    b.password(ADMIN, PASSWORD).await;
    assert_eq!(
        b.code(&codes[3]).await.message.as_deref(),
        Some(CODE_FAILURE)
    );
    let used = events(&app, event::MFA_RECOVERY_CODE_USED).await;
    assert_eq!(used.len(), 1);
    assert!(used[0].details.contains("\"remaining\":9"));
}

// SPEC T1: wrong password, unknown user and non-admins get one generic message.
#[tokio::test]
async fn failures_share_one_generic_message_and_non_admins_are_refused() {
    let app = spawn().await;
    // Give a site user (not a cloud admin) a valid password.
    let carla = &users::find_by_name(app.services.db(), "carla@acme.example")
        .await
        .unwrap()[0];
    let phc = patio_service::crypto::password::hash_password(PASSWORD.into()).await;
    users::set_password_hash(app.services.db(), &carla.id, &phc)
        .await
        .unwrap();

    let mut b = Browser::new(&app);
    for (user, pw) in [
        (ADMIN, "wrong-password-123"),
        ("nobody@acme.example", PASSWORD),
        ("carla@acme.example", PASSWORD),
    ] {
        let o = b.password(user, pw).await;
        assert_eq!(o.next, SignInNext::Stay, "{user}");
        assert_eq!(o.message.as_deref(), Some(GENERIC_FAILURE), "{user}");
    }
    assert_eq!(b.me().await, None);
    let failed = events(&app, event::SIGNIN_FAILED).await;
    let reasons = failed
        .iter()
        .map(|e| e.details.clone())
        .collect::<Vec<_>>()
        .join(" ");
    for reason in ["wrong_password", "unknown_user", "not_cloud_admin"] {
        assert!(reasons.contains(reason), "{reason} in {reasons}");
    }
    // The session is not created for failures, and pages stay closed.
    let r = b.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location").as_deref(), Some("/signin"));
}

// SPEC T1: throttling per account and per address; a valid account elsewhere still signs in.
#[tokio::test]
async fn repeated_failures_are_throttled_per_account() {
    let app = spawn().await;
    let mut b = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(
            b.password(ADMIN, "nope-nope-nope").await.message.as_deref(),
            Some(GENERIC_FAILURE)
        );
    }
    // Even the right password is refused now, from any address.
    let mut elsewhere = Browser::at(&app, "10.1.1.1");
    let o = elsewhere.password(ADMIN, PASSWORD).await;
    assert!(
        o.message
            .unwrap()
            .starts_with("Too many failed attempts. Try again in 15 minutes")
    );
    assert_eq!(events(&app, event::SIGNIN_THROTTLED).await.len(), 1);
    // The other admin is unaffected.
    let o = elsewhere
        .password(patio_service::seed::DEMO_SECOND_ADMIN, PASSWORD)
        .await;
    assert!(matches!(o.next, SignInNext::Enroll(_)));
    // After the window the account works again.
    app.clock.advance(Duration::minutes(15));
    let o = Browser::new(&app).password(ADMIN, PASSWORD).await;
    assert!(matches!(o.next, SignInNext::Enroll(_)), "{o:?}");
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_address() {
    let app = spawn().await;
    let mut sprayer = Browser::at(&app, "10.6.6.6");
    for i in 0..20 {
        sprayer
            .password(&format!("guess{i}@acme.example"), "whatever-whatever")
            .await;
    }
    let o = sprayer.password(ADMIN, PASSWORD).await;
    assert!(o.message.unwrap().starts_with("Too many failed attempts"));
    let o = Browser::at(&app, "10.7.7.7")
        .password(ADMIN, PASSWORD)
        .await;
    assert!(matches!(o.next, SignInNext::Enroll(_)));
}

// Session fixation: the id changes at the password step and again at sign-in.
#[tokio::test]
async fn session_id_changes_at_each_privilege_step() {
    let app = spawn().await;
    let mut b = Browser::new(&app);
    b.cookie = Some("patio_session=attacker-chosen-id".into());
    let o = b.password(ADMIN, PASSWORD).await;
    let after_password = b.cookie.clone().expect("cookie set");
    assert_ne!(after_password, "patio_session=attacker-chosen-id");
    let SignInNext::Enroll(offer) = o.next else {
        panic!()
    };
    let secret = data_encoding::BASE32_NOPAD
        .decode(offer.secret_base32.as_bytes())
        .unwrap();
    b.enroll(&code_now(&app, &secret, 0)).await;
    let after_code = b.cookie.clone().unwrap();
    assert_ne!(after_code, after_password);
    // The half-signed-in id is worthless now.
    let mut stale = Browser::new(&app);
    stale.cookie = Some(after_password);
    assert_eq!(stale.me().await, None);
}

#[tokio::test]
async fn sign_out_invalidates_the_session() {
    let app = spawn().await;
    let (mut b, _, _) = enrolled(&app, ADMIN).await;
    let cookie = b.cookie.clone().unwrap();
    b.sign_out().await;
    assert_eq!(b.cookie, None, "the cookie is removed");
    let mut replay = Browser::new(&app);
    replay.cookie = Some(cookie);
    assert_eq!(replay.me().await, None);
    assert_eq!(replay.get("/account").await.status, StatusCode::SEE_OTHER);
    let ended = events(&app, event::SESSION_ENDED).await;
    assert_eq!(ended.len(), 1);
    assert!(ended[0].details.contains("signed_out"));
}

#[tokio::test]
async fn ui_sessions_end_after_30_idle_minutes_or_4_hours() {
    let app = spawn().await;
    let (mut b, _, _) = enrolled(&app, ADMIN).await;
    // Active every 20 minutes: still signed in after 3h40.
    for _ in 0..11 {
        app.clock.advance(Duration::minutes(20));
        assert!(b.me().await.is_some());
    }
    app.clock.advance(Duration::minutes(21));
    assert_eq!(b.me().await, None, "four hours after sign-in");

    let mut c = Browser::new(&app);
    app.clock.advance(Duration::seconds(30));
    c.password(patio_service::seed::DEMO_SECOND_ADMIN, PASSWORD)
        .await;
    let (mut c, _, _) = enrolled(&app, patio_service::seed::DEMO_SECOND_ADMIN).await;
    app.clock.advance(Duration::minutes(31));
    assert_eq!(c.me().await, None, "thirty idle minutes");
    let ended = events(&app, event::SESSION_ENDED).await;
    assert!(ended.iter().any(|e| e.details.contains("absolute_timeout")));
    assert!(ended.iter().any(|e| e.details.contains("idle_timeout")));
}

#[tokio::test]
async fn a_half_finished_sign_in_expires() {
    let app = spawn().await;
    let (mut b, secret, _) = enrolled(&app, ADMIN).await;
    b.sign_out().await;
    let mut b = Browser::new(&app);
    b.password(ADMIN, PASSWORD).await;
    app.clock.advance(Duration::minutes(11));
    let o = b.code(&code_now(&app, &secret, 0)).await;
    assert_eq!(o.next, SignInNext::Password);
    // A code without any password step is refused the same way.
    let o = Browser::new(&app).code("123456").await;
    assert_eq!(o.next, SignInNext::Password);
}

// SPEC T13 (UI side): losing the cloud-admin role ends the session at the next request.
#[tokio::test]
async fn an_admin_who_loses_the_role_is_signed_out() {
    let app = spawn().await;
    let (mut b, _, _) = enrolled(&app, ADMIN).await;
    let me = b.me().await.unwrap();
    users::delete_link_role(app.services.db(), &me.user_id, &me.tenant_id)
        .await
        .unwrap();
    assert_eq!(b.me().await, None);
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn session_cookie_flags() {
    let app = spawn().await;
    let r = Browser::new(&app)
        .post(
            "/_srv/sign_in_password",
            &[("user_name", ADMIN), ("password", PASSWORD)],
        )
        .await;
    let c = r.set_cookie().unwrap();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"),
        "{c}"
    );
    assert!(!c.contains("Secure"), "plain http on loopback: {c}");
    let app = spawn_with(true).await;
    let r = Browser::new(&app)
        .post(
            "/_srv/sign_in_password",
            &[("user_name", ADMIN), ("password", PASSWORD)],
        )
        .await;
    assert!(r.set_cookie().unwrap().contains("Secure"));
}

#[tokio::test]
async fn pages_redirect_to_sign_in_and_sign_in_page_renders() {
    let app = spawn().await;
    for path in [
        "/",
        "/account",
        "/users",
        "/authentication",
        "/sites",
        "/activity",
    ] {
        let r = app.call(Call::get(path)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.header("location").as_deref(), Some("/signin"));
    }
    let r = app.call(Call::get("/signin")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Tableau Cloud Manager") && r.body.contains("name=\"password\""));
    assert!(
        r.body.contains("/pkg/patio.js"),
        "hydration scripts are linked"
    );
    // Signed-in admins skip the sign-in page.
    let (mut b, _, _) = enrolled(&app, ADMIN).await;
    assert_eq!(b.get("/signin").await.status, StatusCode::SEE_OTHER);
    for path in ["/sites", "/activity", "/account"] {
        assert_eq!(b.get(path).await.status, StatusCode::OK, "{path}");
    }
    let r = b.get("/no-such-page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
