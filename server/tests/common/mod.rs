//! In-process test harness: the real router over a fresh SQLite database per test, a manual
//! clock, and small helpers for cookies, forms and JSON.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use patio_server::{AppState, leptos_options, open_services, router, session_store};
use patio_service::{ManualClock, ServerKey, Services};
use std::net::SocketAddr;
use std::sync::Arc;
use time::macros::datetime;
use tower::ServiceExt;

pub const ADMIN: &str = patio_service::seed::DEMO_ADMIN;
pub const PASSWORD: &str = patio_service::seed::DEMO_PASSWORD;

pub struct TestApp {
    pub router: Router,
    pub services: Services,
    pub clock: Arc<ManualClock>,
    pub db_path: std::path::PathBuf,
    pub base_url: String,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// `name=value` of the session cookie this reply sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie()
            .map(|c| c.split(';').next().unwrap().trim().to_owned())
    }
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("patio_session="))
            .map(str::to_owned)
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

pub async fn spawn() -> TestApp {
    spawn_with(false).await
}

pub async fn spawn_with(cookie_secure: bool) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("patio.db");
    let clock = ManualClock::new(datetime!(2026-03-02 10:00:00 UTC));
    // A real listener as well, for what must travel over HTTP: the SSO relying party's calls
    // to the stand-in identity provider.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let services = open_services(
        &format!("sqlite://{}", db_path.display()),
        ServerKey::generate(),
        clock.clone(),
        patio_service::oidc::SsoSettings {
            public_url: base_url.clone(),
            standin_enabled: true,
        },
    )
    .await
    .unwrap();
    services.seed_demo().await.unwrap();
    let store = session_store(&services).await.unwrap();
    let state = AppState {
        leptos_options: leptos_options("target/site", "127.0.0.1:3000".parse().unwrap()),
        services: services.clone(),
    };
    let router = router(state, store, cookie_secure);
    let served = router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            served.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok();
    });
    TestApp {
        router,
        services,
        clock,
        db_path,
        base_url,
        _dir: dir,
    }
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct Call<'a> {
    pub method: Method,
    pub path: &'a str,
    pub body: Option<(String, &'a str)>,
    pub cookie: Option<&'a str>,
    pub addr: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
}

impl<'a> Call<'a> {
    pub fn get(path: &'a str) -> Self {
        Self {
            method: Method::GET,
            path,
            body: None,
            cookie: None,
            addr: "10.9.8.7",
            headers: vec![],
        }
    }
    pub fn post_form(path: &'a str, body: String) -> Self {
        Self {
            method: Method::POST,
            path,
            body: Some((body, "application/x-www-form-urlencoded")),
            cookie: None,
            addr: "10.9.8.7",
            headers: vec![],
        }
    }
    pub fn cookie(mut self, c: Option<&'a str>) -> Self {
        self.cookie = c;
        self
    }
    pub fn from(mut self, addr: &'a str) -> Self {
        self.addr = addr;
        self
    }
    pub fn header(mut self, k: &'a str, v: &'a str) -> Self {
        self.headers.push((k, v));
        self
    }
}

impl TestApp {
    pub async fn call(&self, c: Call<'_>) -> Reply {
        let mut req = Request::builder().method(c.method).uri(c.path);
        if let Some(cookie) = c.cookie {
            req = req.header(header::COOKIE, cookie);
        }
        for (k, v) in &c.headers {
            req = req.header(*k, *v);
        }
        let body = match c.body {
            Some((b, ct)) => {
                req = req.header(header::CONTENT_TYPE, ct);
                Body::from(b)
            }
            None => Body::empty(),
        };
        let mut req = req.body(body).unwrap();
        let addr: SocketAddr = format!("{}:40000", c.addr).parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
        let what = format!("{} {}", req.method(), req.uri());
        // A request that never answers fails the test with its name instead of hanging CI.
        let (status, headers, bytes) =
            tokio::time::timeout(std::time::Duration::from_secs(30), async {
                let resp = self.router.clone().oneshot(req).await.unwrap();
                let status = resp.status();
                let headers = resp.headers().clone();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                (status, headers, bytes)
            })
            .await
            .unwrap_or_else(|_| panic!("{what} did not answer within 30 s"));
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

use app::models::{Me, SignInNext, SignInOutcome};
use patio_service::crypto::totp;

/// Keeps the session cookie between calls, as a browser does.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: Option<String>,
    pub addr: &'a str,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookie: None,
            addr: "10.9.8.7",
        }
    }
    pub fn at(app: &'a TestApp, addr: &'a str) -> Self {
        Self {
            app,
            cookie: None,
            addr,
        }
    }
    fn absorb(&mut self, r: &Reply) {
        if let Some(sc) = r.set_cookie() {
            if sc.contains("Max-Age=0") {
                self.cookie = None;
            } else {
                self.cookie = r.session_cookie();
            }
        }
    }
    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let r = self
            .app
            .call(
                Call::post_form(path, form(pairs))
                    .cookie(self.cookie.as_deref())
                    .from(self.addr),
            )
            .await;
        self.absorb(&r);
        r
    }
    pub async fn get(&mut self, path: &str) -> Reply {
        let r = self
            .app
            .call(
                Call::get(path)
                    .cookie(self.cookie.as_deref())
                    .from(self.addr),
            )
            .await;
        self.absorb(&r);
        r
    }
    async fn outcome(&mut self, path: &str, pairs: &[(&str, &str)]) -> SignInOutcome {
        let r = self.post(path, pairs).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
    }
    pub async fn password(&mut self, user: &str, password: &str) -> SignInOutcome {
        self.outcome(
            "/_srv/sign_in_password",
            &[("user_name", user), ("password", password)],
        )
        .await
    }
    pub async fn code(&mut self, code: &str) -> SignInOutcome {
        self.outcome("/_srv/sign_in_code", &[("code", code)]).await
    }
    pub async fn enroll(&mut self, code: &str) -> SignInOutcome {
        self.outcome("/_srv/confirm_enrollment", &[("code", code)])
            .await
    }
    pub async fn me(&mut self) -> Option<Me> {
        let r = self.post("/_srv/current_user", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }
    pub async fn sign_out(&mut self) {
        let r = self.post("/_srv/sign_out", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}

/// The current TOTP code for `secret` on the app's clock, shifted by `steps`.
pub fn code_now(app: &TestApp, secret: &[u8], steps: i64) -> String {
    totp::code_for_step(secret, totp::step_of(app.clock.now_unix()) + steps)
}

/// Takes `user` through first sign-in and enrollment; returns the signed-in browser, the
/// authenticator secret and the recovery codes.
pub async fn enrolled<'a>(app: &'a TestApp, user: &str) -> (Browser<'a>, Vec<u8>, Vec<String>) {
    let mut b = Browser::new(app);
    let o = b.password(user, PASSWORD).await;
    let SignInNext::Enroll(offer) = o.next else {
        panic!("expected enrollment, got {o:?}")
    };
    let secret = data_encoding::BASE32_NOPAD
        .decode(offer.secret_base32.as_bytes())
        .unwrap();
    let o = b.enroll(&code_now(app, &secret, 0)).await;
    let SignInNext::RecoveryCodes(codes) = o.next else {
        panic!("expected recovery codes, got {o:?}")
    };
    (b, secret, codes)
}

pub trait UnixNow {
    fn now_unix(&self) -> i64;
}
impl UnixNow for ManualClock {
    fn now_unix(&self) -> i64 {
        use patio_service::Clock;
        self.now().unix_timestamp()
    }
}

pub async fn events(
    app: &TestApp,
    event_type: &str,
) -> Vec<patio_service::repo::activity::ActivityRow> {
    patio_service::repo::activity::list_by_type(app.services.db(), event_type)
        .await
        .unwrap()
}

impl<'a> Call<'a> {
    pub fn post_json(path: &'a str, body: String) -> Self {
        Self {
            method: Method::POST,
            path,
            body: Some((body, "application/json")),
            cookie: None,
            addr: "10.9.8.7",
            headers: vec![("accept", "application/json")],
        }
    }
    pub fn delete(path: &'a str) -> Self {
        Self {
            method: Method::DELETE,
            ..Self::get(path)
        }
    }
    pub fn tcm(self, token: &'a str) -> Self {
        self.header("x-tableau-session-token", token)
    }
}

/// A cloud admin of the demo tenant, as the service layer knows them.
pub async fn admin_identity(app: &TestApp, user_name: &str) -> patio_service::auth::AdminIdentity {
    let u = &patio_service::repo::users::find_by_name(app.services.db(), user_name)
        .await
        .unwrap()[0];
    app.services.admin_identity(&u.id).await.unwrap().unwrap()
}

/// Creates a TCM PAT as My Account Settings does; returns its secret.
pub async fn tcm_pat(app: &TestApp, user_name: &str, name: &str, days: i64) -> String {
    let me = admin_identity(app, user_name).await;
    app.services
        .create_tcm_pat(&me, name, patio_service::tcm_pats::Expiry::Days(days), None)
        .await
        .unwrap()
        .secret
}

impl TestApp {
    /// `POST /api/v1/pat/login` with the seed's body; returns the reply.
    pub async fn pat_login(&self, secret: &str) -> Reply {
        self.call(Call::post_json(
            "/api/v1/pat/login",
            serde_json::json!({ "token": secret }).to_string(),
        ))
        .await
    }
    /// Signs in with a PAT and returns the session token.
    pub async fn tcm_session(&self, secret: &str) -> String {
        let r = self.pat_login(secret).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()["sessionToken"].as_str().unwrap().to_owned()
    }
}

impl<'a> Call<'a> {
    pub fn put_json(path: &'a str, body: String) -> Self {
        Self {
            method: Method::PUT,
            ..Self::post_json(path, body)
        }
    }
    pub fn patch_json(path: &'a str, body: String) -> Self {
        Self {
            method: Method::PATCH,
            ..Self::post_json(path, body)
        }
    }
}

/// A fresh TCM session for a demo admin (a new PAT each time: SSO changes revoke PATs, T8).
pub async fn session_of(app: &TestApp, user_name: &str) -> String {
    let n = uuid::Uuid::new_v4().to_string();
    let secret = tcm_pat(app, user_name, &n[..8], 30).await;
    app.tcm_session(&secret).await
}

pub async fn user_id_of(app: &TestApp, user_name: &str) -> String {
    patio_service::repo::users::find_by_name(app.services.db(), user_name)
        .await
        .unwrap()[0]
        .id
        .clone()
}
