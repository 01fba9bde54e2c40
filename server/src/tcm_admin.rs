//! TCM REST API: tenant users, user jobs and OIDC configuration (seed 003 steps 1-2; SPEC
//! T15-T18). Errors of the user methods carry the "TCM Operation Error Codes" of the reference.

use crate::AppState;
use crate::tcm_api::{ClientAddr, TcmAuth, TcmError, parse_json};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use patio_service::clock::{from_millis, rfc3339};
use patio_service::sso::{OidcConfig, TcmOpError};
use patio_service::tenant_users::{
    JobAck, LinkRoleSpec, NewUser, RoleOp, SiteRoleSpec, UserPatch, UserView,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The user-service error codes (reference 1.3): (status, errorCode, message).
fn user_error(e: TcmOpError) -> TcmError {
    let (status, code, message) = match &e {
        TcmOpError::Invalid(_) => (
            StatusCode::BAD_REQUEST,
            "E_400_USR_SVC_2010",
            "USER_SERVICE_REQUEST_HANDLING_FAILED",
        ),
        TcmOpError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            "E_404_USR_SVC_2020",
            "ENTITY_NOT_FOUND",
        ),
        TcmOpError::Conflict(_) => (
            StatusCode::CONFLICT,
            "E_409_USR_SVC_2025",
            "CONFLICT_IN_OPERATION",
        ),
        TcmOpError::SelfDeletion => (
            StatusCode::METHOD_NOT_ALLOWED,
            "E_405_USR_SVC_2025",
            "USER_SERVICE_SELF_DELETION_NOT_ALLOWED",
        ),
        TcmOpError::NoAdminLeft(_) => (
            StatusCode::METHOD_NOT_ALLOWED,
            "E_405_USR_SVC_2024",
            "USER_SERVICE_METHOD_NOT_ALLOWED",
        ),
        TcmOpError::Service(s) => {
            return TcmError::from(patio_service::ServiceError::Internal(s.to_string()));
        }
    };
    TcmError::new(status, code, message, &e.to_string())
}

/// Errors of the single sign-on methods: the generic TCM codes.
fn sso_error(e: TcmOpError) -> TcmError {
    match e {
        TcmOpError::Invalid(r) => TcmError::bad_request(r),
        TcmOpError::NotFound(r) => TcmError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            "The resource was not found.",
            &r,
        ),
        other => user_error(other),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SiteRoleJson {
    site_id: String,
    site_role: Option<String>,
    idp: Option<String>,
    site_op: Option<String>,
}

/// Both spellings: the seed's `linkID` and the reference's `linkId`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct LinkRoleJson {
    #[serde(alias = "linkID")]
    link_id: String,
    link_role: Option<String>,
    idp: Option<String>,
    link_op: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct UserJson {
    user_name: Option<String>,
    email: Option<String>,
    #[serde(alias = "fullName")]
    display_name: Option<String>,
    language: Option<String>,
    locale: Option<String>,
    #[serde(default)]
    site_roles: Vec<SiteRoleJson>,
    #[serde(default)]
    link_roles: Vec<LinkRoleJson>,
}

fn site_spec(s: SiteRoleJson) -> SiteRoleSpec {
    SiteRoleSpec {
        site_id: s.site_id,
        site_role: s.site_role,
        idp: s.idp,
    }
}

fn link_spec(l: LinkRoleJson) -> LinkRoleSpec {
    LinkRoleSpec {
        link_id: l.link_id,
        link_role: l.link_role,
        idp: l.idp,
    }
}

fn ack(a: JobAck) -> Value {
    json!({ "jobId": a.job_id, "tenantId": a.tenant_id, "transactionId": a.transaction_id, "userId": a.user_id })
}

/// Order used for `maxSiteRole`.
fn role_rank(r: &str) -> u8 {
    match r {
        "SiteAdministratorCreator" => 8,
        "Creator" => 7,
        "SiteAdministratorExplorer" => 6,
        "ExplorerCanPublish" => 5,
        "Explorer" => 4,
        "Viewer" => 3,
        "SupportUser" => 2,
        _ => 1,
    }
}

/// `UserDTO`.
fn user_dto(v: &UserView, with_roles: bool) -> Value {
    let u = &v.user;
    let max_role = v
        .site_roles
        .iter()
        .map(|r| r.site_role.as_str())
        .max_by_key(|r| role_rank(r));
    let mut o = json!({
        "userId": u.id,
        "tenantId": u.tenant_id,
        "userName": u.user_name,
        "displayName": u.display_name,
        "email": u.email,
        "language": u.language,
        "locale": u.locale,
        "numberOfSiteRoles": v.site_roles.len(),
        "userStatus": "ACTIVE",
    });
    if let Some(t) = u.last_login_at {
        o["lastLoginTime"] = json!(rfc3339(from_millis(t)));
    }
    if let Some(r) = max_role {
        o["maxSiteRole"] = json!(r);
    }
    if let Some(l) = v.link_roles.first() {
        o["tcmRoleName"] = json!(l.link_role);
    }
    if with_roles {
        o["siteRoles"] = v
            .site_roles
            .iter()
            .map(|r| {
                let mut s = json!({ "siteId": r.site_id, "siteRole": r.site_role, "idpType": r.idp, "serverSiteUserId": r.user_id });
                if let Some(c) = &r.idp_configuration_id {
                    s["idpConfigurationId"] = json!(c);
                }
                s
            })
            .collect();
        o["linkRoles"] = v
            .link_roles
            .iter()
            .map(|l| json!({ "linkId": l.tenant_id, "linkRole": l.link_role, "linkRoleStatus": l.status, "idpType": l.idp }))
            .collect();
    }
    o
}

fn bool_param(q: &HashMap<String, String>, name: &str) -> Result<bool, TcmError> {
    match q.get(name).map(|s| s.to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(v) => Err(TcmError::bad_request(format!(
            "{name} must be true or false; got {v:?}."
        ))),
    }
}

async fn list_users(
    State(state): State<AppState>,
    TcmAuth(s): TcmAuth,
    Path(tenant_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, TcmError> {
    let page_size = match q.get("pageSize").or(q.get("maxResults")) {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            user_error(TcmOpError::Invalid(format!(
                "pageSize must be a number; got {v:?}."
            )))
        })?),
    };
    let exclude_roles = bool_param(&q, "excludeRoles")?;
    let (list, next) = state
        .services
        .list_tenant_users(
            &s.identity,
            &tenant_id,
            q.get("pageToken").map(String::as_str),
            page_size,
            q.get("userName").map(String::as_str),
        )
        .await
        .map_err(user_error)?;
    let mut body =
        json!({ "users": list.iter().map(|v| user_dto(v, !exclude_roles)).collect::<Vec<_>>() });
    if let Some(n) = next {
        body["nextPageToken"] = json!(n);
    }
    Ok(Json(body))
}

async fn get_user(
    State(state): State<AppState>,
    TcmAuth(s): TcmAuth,
    Path((tenant_id, user_id)): Path<(String, String)>,
) -> Result<Json<Value>, TcmError> {
    let v = state
        .services
        .get_tenant_user(&s.identity, &tenant_id, &user_id)
        .await
        .map_err(user_error)?;
    Ok(Json(json!({ "user": user_dto(&v, true) })))
}

/// "Add tenant user" (SPEC T16): the seed's body and the reference's fields.
async fn add_user(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    TcmAuth(s): TcmAuth,
    Path(tenant_id): Path<String>,
    body: Bytes,
) -> Result<Response, TcmError> {
    let req: UserJson = parse_json(&body)?;
    let new = NewUser {
        user_name: req.user_name,
        email: req.email,
        display_name: req.display_name,
        language: req.language,
        locale: req.locale,
        site_roles: req.site_roles.into_iter().map(site_spec).collect(),
        link_roles: req.link_roles.into_iter().map(link_spec).collect(),
    };
    let a = state
        .services
        .add_tenant_user(&s.identity, &tenant_id, new, addr.as_deref())
        .await
        .map_err(user_error)?;
    Ok((StatusCode::CREATED, Json(ack(a))).into_response())
}

async fn patch_user(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    TcmAuth(s): TcmAuth,
    Path((tenant_id, user_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, TcmError> {
    let req: UserJson = parse_json(&body)?;
    let mut patch = UserPatch {
        user_name: req.user_name,
        email: req.email,
        display_name: req.display_name,
        language: req.language,
        locale: req.locale,
        ..Default::default()
    };
    for r in req.site_roles {
        let op = r.site_op.as_deref().ok_or_else(|| {
            user_error(TcmOpError::Invalid(
                "siteOp is required for each site role.".into(),
            ))
        })?;
        patch
            .site_roles
            .push((RoleOp::parse(op, "SITE").map_err(user_error)?, site_spec(r)));
    }
    for l in req.link_roles {
        let op = l.link_op.as_deref().ok_or_else(|| {
            user_error(TcmOpError::Invalid(
                "linkOp is required for each link role.".into(),
            ))
        })?;
        patch
            .link_roles
            .push((RoleOp::parse(op, "LINK").map_err(user_error)?, link_spec(l)));
    }
    let a = state
        .services
        .patch_tenant_user(&s.identity, &tenant_id, &user_id, patch, addr.as_deref())
        .await
        .map_err(user_error)?;
    Ok(Json(ack(a)))
}

async fn delete_user(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    TcmAuth(s): TcmAuth,
    Path((tenant_id, user_id)): Path<(String, String)>,
) -> Result<Json<Value>, TcmError> {
    let a = state
        .services
        .delete_tenant_user(&s.identity, &tenant_id, &user_id, addr.as_deref())
        .await
        .map_err(user_error)?;
    Ok(Json(ack(a)))
}

/// "List status for user job": `BulkUserOpDetails`; items with `showDetailed=true`.
async fn user_job(
    State(state): State<AppState>,
    TcmAuth(s): TcmAuth,
    Path(job_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, TcmError> {
    let detailed = bool_param(&q, "showDetailed")?;
    let j = state
        .services
        .user_job(&s.identity, &job_id)
        .await
        .map_err(user_error)?;
    let items: Vec<Value> = serde_json::from_str(&j.items).unwrap_or_default();
    let t = rfc3339(from_millis(j.created_at));
    let mut body = json!({
        "jobId": j.id,
        "tenantId": j.tenant_id,
        "operation": j.operation,
        "status": j.status,
        "ownerId": j.owner_id,
        "ownerRole": "LINK_ADMIN",
        "expectedOpsCount": items.len(),
        "successfulOpsCount": items.len(),
        "failedOpsCount": 0,
        "createdTime": t,
        "submitTime": t,
        "lastUpdateTime": t,
        "statusChangeHistory": [{"jobStatus": "NEW", "time": t}, {"jobStatus": "SUCCESSFUL", "time": t}],
    });
    if detailed {
        body["items"] = json!(items);
    }
    Ok(Json(body))
}

async fn put_oidc(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    TcmAuth(s): TcmAuth,
    Path(resource_id): Path<String>,
    body: Bytes,
) -> Result<Json<OidcConfig>, TcmError> {
    let cfg: OidcConfig = parse_json(&body)?;
    let saved = state
        .services
        .put_oidc(&s.identity, &resource_id, cfg, addr.as_deref())
        .await
        .map_err(sso_error)?;
    Ok(Json(saved))
}

async fn get_oidc(
    State(state): State<AppState>,
    TcmAuth(s): TcmAuth,
    Path(resource_id): Path<String>,
) -> Result<Json<OidcConfig>, TcmError> {
    Ok(Json(
        state
            .services
            .get_oidc(&s.identity, &resource_id)
            .await
            .map_err(sso_error)?,
    ))
}

async fn delete_oidc(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    TcmAuth(s): TcmAuth,
    Path(resource_id): Path<String>,
) -> Result<StatusCode, TcmError> {
    state
        .services
        .delete_oidc(&s.identity, &resource_id, addr.as_deref())
        .await
        .map_err(sso_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Routes relative to `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tenants/{tenant_id}/users", get(list_users).post(add_user))
        .route(
            "/tenants/{tenant_id}/users/{user_id}",
            get(get_user).patch(patch_user).delete(delete_user),
        )
        .route("/users/jobs/{job_id}", get(user_job))
        .route(
            "/resources/{resource_id}/oidcconfiguration",
            get(get_oidc).put(put_oidc).delete(delete_oidc),
        )
}
