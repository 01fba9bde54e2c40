//! Health probes and the error formats of unknown API paths.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn().await;
    let r = app.call(Call::get("/healthz")).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    let r = app.call(Call::get("/readyz")).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ready"));
    app.services.db().pool().close().await;
    let r = app.call(Call::get("/readyz")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn unknown_tcm_paths_get_tcm_json_errors() {
    let app = spawn().await;
    for path in ["/api/v1/no-such-thing", "/api/v1/", "/api/v2/nothing"] {
        let r = app.call(Call::get(path)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.body.starts_with("{"), "{path}: {}", r.body);
        let j = r.json();
        assert_eq!(j["errorCode"], "RESOURCE_NOT_FOUND");
        assert!(j["message"].is_string() && j["reason"].is_string());
    }
}

#[tokio::test]
async fn unknown_site_api_paths_get_tableau_xml_or_json_errors() {
    let app = spawn().await;
    let r = app.call(Call::get("/api/3.22/sites/nope")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/xml")
    );
    assert!(r.body.contains("<tsResponse") && r.body.contains("<error code=\"404000\">"));
    let r = app
        .call(Call::get("/api/3.22/sites/nope").header("accept", "application/json"))
        .await;
    assert_eq!(r.json()["error"]["code"], "404000");
}
