//! TCM tenant users and OIDC single sign-on configuration over REST (seed 003; SPEC T8,
//! T15-T18, S14).

mod common;

use axum::http::StatusCode;
use common::*;
use patio_service::activity::event;
use serde_json::{Value, json};

const SECOND: &str = patio_service::seed::DEMO_SECOND_ADMIN;

fn oidc_path(resource: &str) -> String {
    format!("/api/v1/resources/{resource}/oidcconfiguration")
}

fn users_path(tenant: &str) -> String {
    format!("/api/v1/tenants/{tenant}/users")
}

async fn tenant_id(app: &TestApp) -> String {
    admin_identity(app, ADMIN).await.tenant_id
}

// SPEC T15, T8: the seed's body verbatim; GET without the secret; TCM PATs revoked.
#[tokio::test]
async fn oidc_configuration_put_get_delete() {
    let app = spawn().await;
    let tenant = tenant_id(&app).await;
    let token = session_of(&app, ADMIN).await;
    let body = "{\n  \"enabled\": true,\n  \"knownProviderAlias\": \"Salesforce\",\n  \"salesforceDomain\": \"login.salesforce.com\"\n}";
    let r = app
        .call(Call::put_json(&oidc_path(&tenant), body.into()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["knownProviderAlias"], "Salesforce");

    // T8: the method changed, so every TCM PAT of the tenant (this session's too) is revoked.
    assert_eq!(
        app.call(Call::get(&oidc_path(&tenant)).tcm(&token))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let revoked = events(&app, event::PAT_REVOKED).await;
    assert!(
        revoked
            .iter()
            .all(|e| e.details.contains("tcm_auth_method_changed"))
            && !revoked.is_empty()
    );

    let token = session_of(&app, ADMIN).await;
    let r = app.call(Call::get(&oidc_path(&tenant)).tcm(&token)).await;
    let j = r.json();
    assert_eq!(
        (j["enabled"].clone(), j["salesforceDomain"].clone()),
        (json!(true), json!("login.salesforce.com"))
    );
    assert!(j["idpConfigurationId"].is_string());

    // Switch to Google with client credentials: the secret is never returned nor stored in clear.
    let google = json!({"enabled": true, "knownProviderAlias": "Google", "clientId": "patio-client",
        "clientSecret": "very-secret-client-value", "discoveryEndpoint": "https://accounts.google.com/.well-known/openid-configuration",
        "attributeMapping": {"emailMapping": "email", "useFullName": true}});
    let r = app
        .call(Call::put_json(&oidc_path(&tenant), google.to_string()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = session_of(&app, ADMIN).await;
    let j = app
        .call(Call::get(&oidc_path(&tenant)).tcm(&token))
        .await
        .json();
    assert_eq!(j["clientId"], "patio-client");
    assert_eq!(j["attributeMapping"]["useFullName"], true);
    assert!(j.get("clientSecret").is_none());
    assert_eq!(
        app.services
            .oidc_client_secret(&tenant)
            .await
            .unwrap()
            .as_deref(),
        Some("very-secret-client-value")
    );
    let raw = std::fs::read(&app.db_path).unwrap();
    let wal = std::fs::read(format!("{}-wal", app.db_path.display())).unwrap_or_default();
    for f in [raw, wal] {
        assert!(!f.windows(24).any(|w| w == b"very-secret-client-value"));
    }

    let r = app
        .call(Call::delete(&oidc_path(&tenant)).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let token = session_of(&app, ADMIN).await;
    let r = app.call(Call::get(&oidc_path(&tenant)).tcm(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["errorCode"], "RESOURCE_NOT_FOUND");
    assert_eq!(
        app.services.tcm_auth_method(&tenant).await.unwrap(),
        "TableauIDWithMFA"
    );
    assert_eq!(
        events(&app, event::TENANT_AUTH_METHOD_CHANGED).await.len(),
        3
    );
}

#[tokio::test]
async fn oidc_validation_errors_are_400_and_change_nothing() {
    let app = spawn().await;
    let tenant = tenant_id(&app).await;
    let token = session_of(&app, ADMIN).await;
    for (body, text) in [
        (
            json!({"enabled": true, "knownProviderAlias": "Okta"}),
            "not supported",
        ),
        (json!({"enabled": true}), "knownProviderAlias is required"),
        (
            json!({"enabled": true, "knownProviderAlias": "Salesforce"}),
            "salesforceDomain is required",
        ),
        (
            json!({"enabled": true, "knownProviderAlias": "Google", "discoveryEndpoint": "not a url"}),
            "discoveryEndpoint must be",
        ),
        (
            json!({"enabled": "yes", "knownProviderAlias": "Google"}),
            "JSON",
        ),
    ] {
        let r = app
            .call(Call::put_json(&oidc_path(&tenant), body.to_string()).tcm(&token))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert_eq!(r.json()["errorCode"], "INVALID_PARAM");
        assert!(
            r.json()["reason"].as_str().unwrap().contains(text),
            "{}",
            r.body
        );
    }
    assert_eq!(
        app.call(Call::get(&oidc_path(&tenant)).tcm(&token))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Unknown resources (another tenant's or made up) are not found, whatever the body.
    let r = app
        .call(
            Call::put_json(
                &oidc_path("123e4567-e89b-12d3-a456-426614174000"),
                json!({"knownProviderAlias": "Google"}).to_string(),
            )
            .tcm(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.services.tcm_auth_method(&tenant).await.unwrap(),
        "TableauIDWithMFA"
    );
}

// A site-level configuration does not change how cloud admins sign in to TCM.
#[tokio::test]
async fn site_level_oidc_leaves_tcm_sign_in_alone() {
    let app = spawn().await;
    let me = admin_identity(&app, ADMIN).await;
    let site = &app.services.list_sites(&me.tenant_id).await.unwrap()[0]
        .site
        .id;
    let token = session_of(&app, ADMIN).await;
    let r = app
        .call(
            Call::put_json(
                &oidc_path(site),
                json!({"enabled": true, "knownProviderAlias": "Google"}).to_string(),
            )
            .tcm(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.call(Call::get(&oidc_path(site)).tcm(&token))
            .await
            .status,
        StatusCode::OK,
        "PATs survive"
    );
    assert_eq!(
        app.services.tcm_auth_method(&me.tenant_id).await.unwrap(),
        "TableauIDWithMFA"
    );
}

// SPEC T16: the seed's bodies verbatim assign an idp to a user (`linkID` names the user).
#[tokio::test]
async fn seed_bodies_assign_identity_providers() {
    let app = spawn().await;
    let tenant = tenant_id(&app).await;
    let token = session_of(&app, ADMIN).await;
    let carla = user_id_of(&app, "carla@acme.example").await;
    let body = format!(
        "{{\n  \"linkRoles\": [\n   {{\n\t\"linkID\": \"{carla}\",\n\t\"linkRole\": \"LINK_ADMIN\",\n\t\"idp\": \"OpenID\"\n   }}\n  ]\t\t\n}}"
    );
    let r = app
        .call(Call::post_json(&users_path(&tenant), body).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ack = r.json();
    assert_eq!(ack["userId"], carla.as_str());
    for f in ["jobId", "tenantId", "transactionId"] {
        assert!(ack[f].is_string(), "{f}");
    }
    let u = app
        .call(Call::get(&format!("{}/{carla}", users_path(&tenant))).tcm(&token))
        .await
        .json();
    assert_eq!(
        u["user"]["linkRoles"][0],
        json!({"linkId": tenant, "linkRole": "LINK_ADMIN", "linkRoleStatus": "ACTIVE", "idpType": "OpenID"})
    );
    assert_eq!(u["user"]["tcmRoleName"], "LINK_ADMIN");

    let job = app
        .call(
            Call::get(&format!(
                "/api/v1/users/jobs/{}?showDetailed=True",
                ack["jobId"].as_str().unwrap()
            ))
            .tcm(&token),
        )
        .await
        .json();
    assert_eq!(job["status"], "SUCCESSFUL");
    assert_eq!(job["items"][0]["opCode"], "LINK_ROLE_ADDED_TO_USER");

    // "TabIDWithMFA" assigns Tableau with MFA.
    let body =
        json!({"linkRoles": [{"linkID": carla, "linkRole": "LINK_ADMIN", "idp": "TabIDWithMFA"}]});
    let r = app
        .call(Call::post_json(&users_path(&tenant), body.to_string()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let u = app
        .call(Call::get(&format!("{}/{carla}", users_path(&tenant))).tcm(&token))
        .await
        .json();
    assert_eq!(u["user"]["linkRoles"][0]["idpType"], "TableauIDWithMFA");

    // The seed's made-up linkID names nobody here.
    let body = json!({"linkRoles": [{"linkID": "ce9cad81-cd67-43fb-b952-2441d7b5a751", "linkRole": "LINK_ADMIN", "idp": "OpenID"}]});
    let r = app
        .call(Call::post_json(&users_path(&tenant), body.to_string()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["errorCode"], "E_404_USR_SVC_2020");
    assert_eq!(r.json()["message"], "ENTITY_NOT_FOUND");
}

// SPEC T16: the reference's spellings create a user with site and link roles.
#[tokio::test]
async fn reference_fields_create_a_user() {
    let app = spawn().await;
    let tenant = tenant_id(&app).await;
    let me = admin_identity(&app, ADMIN).await;
    let site = app.services.list_sites(&me.tenant_id).await.unwrap()[0]
        .site
        .id
        .clone();
    let token = session_of(&app, ADMIN).await;
    let body = json!({"userName": "nina@acme.example", "email": "nina@acme.example", "language": "EN_US", "locale": "en_US",
        "siteRoles": [{"siteId": site, "siteRole": "Viewer", "idp": "DEFAULT", "notifyUser": false}],
        "linkRoles": [{"linkId": tenant, "linkRole": "LINK_ADMIN", "idp": "TableauIDWithMFA"}]});
    let r = app
        .call(Call::post_json(&users_path(&tenant), body.to_string()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["userId"].as_str().unwrap().to_owned();
    let u = app
        .call(Call::get(&format!("{}/{id}", users_path(&tenant))).tcm(&token))
        .await
        .json()["user"]
        .clone();
    assert_eq!(u["userName"], "nina@acme.example");
    assert_eq!(u["siteRoles"][0]["siteRole"], "Viewer");
    assert_eq!(u["siteRoles"][0]["idpType"], "DEFAULT");
    assert_eq!(u["maxSiteRole"], "Viewer");
    assert_eq!(u["linkRoles"][0]["idpType"], "TableauIDWithMFA");
    assert_eq!(events(&app, event::USER_CREATED).await.len(), 1);

    // Duplicate name (any case), wrong tenant, bad values: documented codes, nothing changes.
    let count_before = list_all(&app, &tenant, &token, 100).await.len();
    for (path, body, status, code) in [
        (
            users_path(&tenant),
            json!({"userName": "NINA@acme.example"}),
            StatusCode::CONFLICT,
            "E_409_USR_SVC_2025",
        ),
        (
            users_path("00000000-0000-4000-8000-000000000000"),
            json!({"userName": "x@acme.example"}),
            StatusCode::NOT_FOUND,
            "E_404_USR_SVC_2020",
        ),
        (
            users_path(&tenant),
            json!({"userName": "x@acme.example", "linkRoles": [{"linkId": tenant, "idp": "Kerberos"}]}),
            StatusCode::BAD_REQUEST,
            "E_400_USR_SVC_2010",
        ),
        (
            users_path(&tenant),
            json!({"userName": "x@acme.example", "siteRoles": [{"siteId": site, "siteRole": "Boss"}]}),
            StatusCode::BAD_REQUEST,
            "E_400_USR_SVC_2010",
        ),
        (
            users_path(&tenant),
            json!({"userName": "x@acme.example", "siteRoles": [{"siteId": "nope", "siteRole": "Viewer"}]}),
            StatusCode::NOT_FOUND,
            "E_404_USR_SVC_2020",
        ),
        (
            users_path(&tenant),
            json!({"userName": "x@acme.example", "email": "not-an-email"}),
            StatusCode::BAD_REQUEST,
            "E_400_USR_SVC_2010",
        ),
        (
            users_path(&tenant),
            json!({"email": "x@acme.example"}),
            StatusCode::BAD_REQUEST,
            "E_400_USR_SVC_2010",
        ),
    ] {
        let r = app
            .call(Call::post_json(&path, body.to_string()).tcm(&token))
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.json()["errorCode"], code, "{body}");
    }
    assert_eq!(
        list_all(&app, &tenant, &token, 100).await.len(),
        count_before
    );
    let r = app
        .call(Call::get(&format!("{}/no-such-user", users_path(&tenant))).tcm(&token))
        .await;
    assert_eq!(r.json()["errorCode"], "E_404_USR_SVC_2020");
}

async fn list_all(app: &TestApp, tenant: &str, token: &str, size: usize) -> Vec<Value> {
    let mut all = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path = format!("{}?pageSize={size}", users_path(tenant));
        if let Some(t) = &next {
            path.push_str(&format!("&pageToken={t}"));
        }
        let r = app.call(Call::get(&path).tcm(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let page = j["users"].as_array().unwrap().clone();
        assert!(page.len() <= size);
        all.extend(page);
        match j["nextPageToken"].as_str() {
            Some(t) => next = Some(t.to_owned()),
            None => return all,
        }
    }
}

#[tokio::test]
async fn users_list_in_pages_and_filters_by_name() {
    let app = spawn().await;
    let tenant = tenant_id(&app).await;
    let token = session_of(&app, ADMIN).await;
    let everyone = list_all(&app, &tenant, &token, 100).await;
    assert_eq!(everyone.len(), 7, "2 cloud admins + 5 site users");
    let paged = list_all(&app, &tenant, &token, 3).await;
    let names = |v: &[Value]| {
        v.iter()
            .map(|u| u["userName"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&paged), names(&everyone));
    let mut sorted = names(&everyone);
    sorted.sort();
    assert_eq!(names(&everyone), sorted);

    let r = app
        .call(Call::get(&format!("{}?userName=CARLA", users_path(&tenant))).tcm(&token))
        .await
        .json();
    assert_eq!(
        names(r["users"].as_array().unwrap()),
        ["carla@acme.example"]
    );
    let r = app
        .call(Call::get(&format!("{}?excludeRoles=true", users_path(&tenant))).tcm(&token))
        .await
        .json();
    assert!(r["users"][0].get("siteRoles").is_none());
    for q in [
        "pageSize=0",
        "pageSize=101",
        "pageSize=ten",
        "pageToken=garbage",
        "excludeRoles=maybe",
    ] {
        let r = app
            .call(Call::get(&format!("{}?{q}", users_path(&tenant))).tcm(&token))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
    }
}

// SPEC S14, T8: changing a user's idp revokes their PATs (with an event naming the reason).
#[tokio::test]
async fn patch_changes_roles_and_an_idp_change_revokes_the_users_pats() {
    let app = spawn().await;
    let tenant = tenant_id(&app).await;
    let me = admin_identity(&app, ADMIN).await;
    let site = app.services.list_sites(&me.tenant_id).await.unwrap()[0]
        .site
        .id
        .clone();
    let ops = user_id_of(&app, SECOND).await;
    let ops_secret = tcm_pat(&app, SECOND, "ops-script", 90).await;
    let token = session_of(&app, ADMIN).await;
    let path = format!("{}/{ops}", users_path(&tenant));

    let body = json!({"email": "omar@acme.example", "linkRoles": [{"linkId": tenant, "linkOp": "UPDATE_LINK_ROLE", "linkRole": "LINK_ADMIN", "idp": "OpenID"}],
        "siteRoles": [{"siteId": site, "siteOp": "UPDATE_SITE_ROLE", "siteRole": "Creator"}]});
    let r = app
        .call(Call::patch_json(&path, body.to_string()).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["jobId"].is_string());
    let u = app.call(Call::get(&path).tcm(&token)).await.json()["user"].clone();
    assert_eq!(u["email"], "omar@acme.example");
    assert_eq!(u["linkRoles"][0]["idpType"], "OpenID");
    assert_eq!(
        u["siteRoles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["siteId"] == site.as_str())
            .unwrap()["siteRole"],
        "Creator"
    );
    assert_eq!(
        app.pat_login(&ops_secret).await.status,
        StatusCode::UNAUTHORIZED,
        "S14: revoked"
    );
    let changed = events(&app, event::USER_IDP_CHANGED).await;
    assert_eq!(changed.len(), 1);
    assert!(changed[0].details.contains("\"patsRevoked\":1"));
    assert!(
        events(&app, event::PAT_REVOKED).await[0]
            .details
            .contains("user_auth_method_changed")
    );

    // Site role removal and re-adding; wrong ops get clear errors and change nothing.
    let del = json!({"siteRoles": [{"siteId": site, "siteOp": "DELETE_SITE_ROLE"}]});
    assert_eq!(
        app.call(Call::patch_json(&path, del.to_string()).tcm(&token))
            .await
            .status,
        StatusCode::OK
    );
    for (body, status, code) in [
        (del.clone(), StatusCode::NOT_FOUND, "E_404_USR_SVC_2020"),
        (
            json!({"siteRoles": [{"siteId": site, "siteOp": "ADD_SITE_ROLE"}]}),
            StatusCode::BAD_REQUEST,
            "E_400_USR_SVC_2010",
        ),
        (
            json!({"siteRoles": [{"siteId": site, "siteOp": "RENAME"}]}),
            StatusCode::BAD_REQUEST,
            "E_400_USR_SVC_2010",
        ),
        (
            json!({"siteRoles": [{"siteId": site, "siteRole": "Viewer"}]}),
            StatusCode::BAD_REQUEST,
            "E_400_USR_SVC_2010",
        ),
        (
            json!({"userName": "admin@acme.example"}),
            StatusCode::CONFLICT,
            "E_409_USR_SVC_2025",
        ),
        (
            json!({"linkRoles": [{"linkId": tenant, "linkOp": "ADD_LINK_ROLE", "idp": "OpenID"}]}),
            StatusCode::CONFLICT,
            "E_409_USR_SVC_2025",
        ),
    ] {
        let r = app
            .call(Call::patch_json(&path, body.to_string()).tcm(&token))
            .await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.json()["errorCode"], code, "{body}");
    }
    let u = app.call(Call::get(&path).tcm(&token)).await.json()["user"].clone();
    assert_eq!(u["userName"], SECOND);
    let add =
        json!({"siteRoles": [{"siteId": site, "siteOp": "ADD_SITE_ROLE", "siteRole": "Explorer"}]});
    assert_eq!(
        app.call(Call::patch_json(&path, add.to_string()).tcm(&token))
            .await
            .status,
        StatusCode::OK
    );
}

// SPEC T17 and the self-deletion rule.
#[tokio::test]
async fn no_change_may_leave_the_tenant_without_an_admin_who_can_sign_in() {
    let app = spawn().await;
    let tenant = tenant_id(&app).await;
    let me = user_id_of(&app, ADMIN).await;
    let ops = user_id_of(&app, SECOND).await;
    let token = session_of(&app, ADMIN).await;

    // Self-deletion, and removing one's own admin role, are refused.
    let r = app
        .call(Call::delete(&format!("{}/{me}", users_path(&tenant))).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["errorCode"], "E_405_USR_SVC_2025");
    let own = json!({"linkRoles": [{"linkId": tenant, "linkOp": "DELETE_LINK_ROLE"}]});
    let r = app
        .call(
            Call::patch_json(&format!("{}/{me}", users_path(&tenant)), own.to_string()).tcm(&token),
        )
        .await;
    assert_eq!(r.json()["errorCode"], "E_405_USR_SVC_2025");

    // Without SSO, an OpenID admin cannot sign in: moving ops to OpenID is fine (admin@ remains),
    // but then admin@ may not follow.
    let to_openid = |id: &str| {
        (format!("{}/{id}", users_path(&tenant)), json!({"linkRoles": [{"linkId": tenant, "linkOp": "UPDATE_LINK_ROLE", "idp": "OpenID"}]}).to_string())
    };
    let (p, b) = to_openid(&ops);
    assert_eq!(
        app.call(Call::patch_json(&p, b).tcm(&token)).await.status,
        StatusCode::OK
    );
    let (p, b) = to_openid(&me);
    let r = app.call(Call::patch_json(&p, b).tcm(&token)).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert_eq!(r.json()["errorCode"], "E_405_USR_SVC_2024");

    // With SSO on, everyone may use it; the warning appears when nobody is left on MFA.
    let r = app
        .call(
            Call::put_json(
                &oidc_path(&tenant),
                json!({"enabled": true, "knownProviderAlias": "Google"}).to_string(),
            )
            .tcm(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let token = session_of(&app, ADMIN).await;
    assert_eq!(app.services.sso_warning(&tenant).await.unwrap(), None);
    let (p, b) = to_openid(&me);
    assert_eq!(
        app.call(Call::patch_json(&p, b).tcm(&token)).await.status,
        StatusCode::OK
    );
    assert!(
        app.services
            .sso_warning(&tenant)
            .await
            .unwrap()
            .unwrap()
            .contains("Tableau with MFA")
    );

    // Turning SSO off now would lock everybody out: refused, configuration kept.
    let token = session_of(&app, ADMIN).await;
    let r = app
        .call(Call::delete(&oidc_path(&tenant)).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = app
        .call(
            Call::put_json(
                &oidc_path(&tenant),
                json!({"enabled": false, "knownProviderAlias": "Google"}).to_string(),
            )
            .tcm(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        app.call(Call::get(&oidc_path(&tenant)).tcm(&token))
            .await
            .json()["enabled"],
        true
    );

    // Deleting the other admin is fine while SSO keeps admin@ able to sign in.
    let r = app
        .call(Call::delete(&format!("{}/{ops}", users_path(&tenant))).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(events(&app, event::USER_DELETED).await.len(), 1);
    let r = app
        .call(Call::get(&format!("{}/{ops}", users_path(&tenant))).tcm(&token))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

// The portal's Users and Authentication pages (server functions over the same service).
#[tokio::test]
async fn users_and_authentication_pages() {
    let app = spawn().await;
    let (mut b, _, _) = enrolled(&app, ADMIN).await;
    let page = b
        .post("/_srv/users_page", &[("search", ""), ("page_token", "")])
        .await
        .json();
    assert_eq!(page["users"].as_array().unwrap().len(), 7);
    assert!(page["warning"].is_null());
    let page = b
        .post("/_srv/users_page", &[("search", "ops"), ("page_token", "")])
        .await
        .json();
    assert_eq!(page["users"][0]["admin_idp"], "TableauIDWithMFA");

    // Add an MFA admin: a temporary password, shown once, that really signs in.
    let r = b
        .post(
            "/_srv/add_cloud_admin",
            &[
                ("user_name", "tara@acme.example"),
                ("email", ""),
                ("idp", "TableauIDWithMFA"),
            ],
        )
        .await
        .json();
    let temp = r["Added"]["temp_password"].as_str().unwrap().to_owned();
    let o = Browser::at(&app, "10.3.3.3")
        .password("tara@acme.example", &temp)
        .await;
    assert!(
        matches!(o.next, app::models::SignInNext::Enroll(_)),
        "{o:?}"
    );
    let r = b
        .post(
            "/_srv/add_cloud_admin",
            &[
                ("user_name", "tara@acme.example"),
                ("email", ""),
                ("idp", "OpenID"),
            ],
        )
        .await
        .json();
    assert!(r["Rejected"].as_str().unwrap().contains("already exists"));
    let r = b
        .post(
            "/_srv/add_cloud_admin",
            &[
                ("user_name", "sso@acme.example"),
                ("email", ""),
                ("idp", "OpenID"),
            ],
        )
        .await
        .json();
    assert!(
        r["Added"]["temp_password"].is_null(),
        "SSO admins get no password"
    );

    // Refusals come back as messages: T17 (SSO off, moving the last MFA admins away), self-removal.
    let me = user_id_of(&app, ADMIN).await;
    let ops = user_id_of(&app, SECOND).await;
    let tara = user_id_of(&app, "tara@acme.example").await;
    for id in [&ops, &tara] {
        assert!(
            b.post("/_srv/set_admin_idp", &[("user_id", id), ("idp", "OpenID")])
                .await
                .json()
                .is_null()
        );
    }
    let refused = b
        .post(
            "/_srv/set_admin_idp",
            &[("user_id", &me), ("idp", "OpenID")],
        )
        .await
        .json();
    assert!(
        refused
            .as_str()
            .unwrap()
            .contains("no cloud administrator could sign in"),
        "{refused}"
    );
    let refused = b
        .post("/_srv/remove_tenant_user", &[("user_id", &me)])
        .await
        .json();
    assert!(
        refused
            .as_str()
            .unwrap()
            .contains("cannot delete themselves")
    );
    assert!(
        b.post("/_srv/remove_tenant_user", &[("user_id", &tara)])
            .await
            .json()
            .is_null()
    );

    // Authentication: invalid input is explained; a valid save turns SSO on.
    let s = b.post("/_srv/auth_settings", &[]).await.json();
    assert_eq!(
        (s["sso_on"].clone(), s["config"].clone()),
        (json!(false), Value::Null)
    );
    let bad = b
        .post(
            "/_srv/save_oidc",
            &[
                ("provider", "Salesforce"),
                ("salesforce_domain", ""),
                ("client_id", ""),
                ("client_secret", ""),
                ("discovery_endpoint", ""),
                ("enabled", "on"),
            ],
        )
        .await
        .json();
    assert!(
        bad.as_str()
            .unwrap()
            .contains("salesforceDomain is required"),
        "{bad}"
    );
    let ok = b
        .post(
            "/_srv/save_oidc",
            &[
                ("provider", "Google"),
                ("salesforce_domain", ""),
                ("client_id", ""),
                ("client_secret", ""),
                ("discovery_endpoint", ""),
                ("enabled", "on"),
            ],
        )
        .await
        .json();
    assert!(ok.is_null(), "{ok}");
    let s = b.post("/_srv/auth_settings", &[]).await.json();
    assert_eq!(s["sso_on"], true);
    assert_eq!(s["config"]["provider"], "Google");
    // Unchecked "enabled" turns it off (a form omits unchecked boxes).
    let off = b
        .post(
            "/_srv/save_oidc",
            &[
                ("provider", "Google"),
                ("salesforce_domain", ""),
                ("client_id", ""),
                ("client_secret", ""),
                ("discovery_endpoint", ""),
            ],
        )
        .await
        .json();
    assert!(
        off.is_null(),
        "admin@ is still on Tableau with MFA, so SSO may go off: {off}"
    );
    assert_eq!(
        b.post("/_srv/auth_settings", &[]).await.json()["sso_on"],
        false
    );
}
