//! Tableau REST API (site surface) under `/api/{version}`: XML by default, JSON when the client
//! asks for it, errors as `<tsResponse><error code=…>`.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Whether the client asked for JSON (`Accept: application/json`).
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A Tableau REST API error in the format the client asked for.
pub fn error(
    headers: &HeaderMap,
    status: StatusCode,
    code: &str,
    summary: &str,
    detail: &str,
) -> Response {
    if wants_json(headers) {
        let body =
            serde_json::json!({"error": {"summary": summary, "detail": detail, "code": code}});
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    } else {
        let body = format!(
            "<?xml version='1.0' encoding='UTF-8'?><tsResponse xmlns=\"http://tableau.com/api\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
             xsi:schemaLocation=\"http://tableau.com/api https://help.tableau.com/samples/en-us/rest_api/ts-api_3_28.xsd\">\
             <error code=\"{}\"><summary>{}</summary><detail>{}</detail></error></tsResponse>",
            xml_escape(code),
            xml_escape(summary),
            xml_escape(detail)
        );
        (
            status,
            [(header::CONTENT_TYPE, "application/xml;charset=utf-8")],
            body,
        )
            .into_response()
    }
}

pub async fn unknown_path(headers: HeaderMap) -> Response {
    error(
        &headers,
        StatusCode::NOT_FOUND,
        "404000",
        "Resource Not Found",
        "No Tableau REST API method matches this path and HTTP method.",
    )
}
