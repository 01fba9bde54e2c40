//! Tenant users (seed 003 step 2; SPEC T16, T17, S14, T8): add, list, get, update, delete,
//! with the reference's job acknowledgements. Every request is validated in full before
//! anything is written, so a refused request changes nothing.

use crate::Services;
use crate::activity::{Event, event};
use crate::auth::{AdminIdentity, IDP_OPENID, IDP_TABLEAU_MFA, LINK_ADMIN};
use crate::error::ServiceError;
use crate::repo::pats::{self, PatKind};
use crate::repo::sites;
use crate::repo::user_jobs::{self, UserJobRow};
use crate::repo::users::{self, LinkRoleRow, SiteRoleRow, UserRow};
use crate::sso::{OpResult, TcmOpError};
use std::collections::HashMap;

/// The TCM site-role enum.
pub const SITE_ROLES: [&str; 8] = [
    "Creator",
    "Explorer",
    "ExplorerCanPublish",
    "SiteAdministratorCreator",
    "SiteAdministratorExplorer",
    "SupportUser",
    "Unlicensed",
    "Viewer",
];
pub const MAX_PAGE_SIZE: i64 = 100;

/// `idp` of a link role: the seed's `TabIDWithMFA` and the reference's `TableauIDWithMFA` are
/// the same thing.
pub fn link_idp(s: &str) -> OpResult<&'static str> {
    match s.trim() {
        "TabIDWithMFA" | "TableauIDWithMFA" => Ok(IDP_TABLEAU_MFA),
        "OpenID" => Ok(IDP_OPENID),
        "SAML" => Err(TcmOpError::Invalid(
            "idp SAML is not available in Patio; use OpenID or TableauIDWithMFA.".into(),
        )),
        other => Err(TcmOpError::Invalid(format!(
            "idp {other:?} is not valid for a link role: use OpenID or TableauIDWithMFA (TabIDWithMFA)."
        ))),
    }
}

/// `idp` of a site role (adds `DEFAULT`, the site's own default).
pub fn site_idp(s: &str) -> OpResult<&'static str> {
    if s.trim() == "DEFAULT" {
        Ok("DEFAULT")
    } else {
        link_idp(s)
    }
}

fn site_role(s: &str) -> OpResult<&'static str> {
    SITE_ROLES
        .iter()
        .find(|r| **r == s.trim())
        .copied()
        .ok_or_else(|| {
            TcmOpError::Invalid(format!(
                "siteRole {s:?} is not valid: use one of {}.",
                SITE_ROLES.join(", ")
            ))
        })
}

fn link_role(s: Option<&str>) -> OpResult<&'static str> {
    match s.map(str::trim) {
        None | Some("LINK_ADMIN") => Ok(LINK_ADMIN),
        Some(other) => Err(TcmOpError::Invalid(format!(
            "linkRole {other:?} is not valid: the only link role is LINK_ADMIN."
        ))),
    }
}

#[derive(Debug, Clone, Default)]
pub struct SiteRoleSpec {
    pub site_id: String,
    pub site_role: Option<String>,
    pub idp: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LinkRoleSpec {
    pub link_id: String,
    pub link_role: Option<String>,
    pub idp: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub user_name: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub language: Option<String>,
    pub locale: Option<String>,
    pub site_roles: Vec<SiteRoleSpec>,
    pub link_roles: Vec<LinkRoleSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleOp {
    Add,
    Update,
    Delete,
}

impl RoleOp {
    pub fn parse(s: &str, kind: &str) -> OpResult<Self> {
        match s.trim() {
            x if x == format!("ADD_{kind}_ROLE") => Ok(RoleOp::Add),
            x if x == format!("UPDATE_{kind}_ROLE") => Ok(RoleOp::Update),
            x if x == format!("DELETE_{kind}_ROLE") => Ok(RoleOp::Delete),
            other => Err(TcmOpError::Invalid(format!(
                "{other:?} is not valid: use ADD_{kind}_ROLE, UPDATE_{kind}_ROLE or DELETE_{kind}_ROLE."
            ))),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub user_name: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub language: Option<String>,
    pub locale: Option<String>,
    pub site_roles: Vec<(RoleOp, SiteRoleSpec)>,
    pub link_roles: Vec<(RoleOp, LinkRoleSpec)>,
}

/// A user with all roles, as `UserDTO` shows them.
#[derive(Debug, Clone)]
pub struct UserView {
    pub user: UserRow,
    pub site_roles: Vec<SiteRoleRow>,
    pub link_roles: Vec<LinkRoleRow>,
}

/// `UserAckResponse`.
#[derive(Debug, Clone)]
pub struct JobAck {
    pub job_id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub transaction_id: String,
}

/// One item of a job's detail (`UserOperationDetailedResponse`).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobItem {
    pub status: &'static str,
    pub op_type: &'static str,
    pub op_code: &'static str,
    pub user_id: String,
    pub user_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idp: Option<String>,
}

fn item(op_type: &'static str, op_code: &'static str, u: &UserRow) -> JobItem {
    JobItem {
        status: "SUCCESSFUL",
        op_type,
        op_code,
        user_id: u.id.clone(),
        user_name: u.user_name.clone(),
        site_id: None,
        site_role: None,
        link_role: None,
        idp: None,
    }
}

fn not_found_tenant(id: &str) -> TcmOpError {
    TcmOpError::NotFound(format!("Tenant {id} could not be found."))
}

fn not_found_user(id: &str) -> TcmOpError {
    TcmOpError::NotFound(format!("User {id} could not be found in this tenant."))
}

fn valid_user_name(name: &str) -> OpResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 255 || n.chars().any(char::is_control) {
        return Err(TcmOpError::Invalid(
            "userName must be 1 to 255 printable characters.".into(),
        ));
    }
    Ok(n.to_owned())
}

fn valid_email(email: &str) -> OpResult<String> {
    let e = email.trim();
    let ok = e.len() <= 255
        && e.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !e.contains(' ')
        });
    if ok {
        Ok(e.to_owned())
    } else {
        Err(TcmOpError::Invalid(format!(
            "email {e:?} is not an email address."
        )))
    }
}

/// Cursor of the next page: the last row's (name key, id), base64url JSON.
fn encode_token(u: &UserRow) -> String {
    data_encoding::BASE64URL_NOPAD.encode(
        serde_json::json!([u.user_name_key, u.id])
            .to_string()
            .as_bytes(),
    )
}

fn decode_token(t: &str) -> OpResult<(String, String)> {
    data_encoding::BASE64URL_NOPAD
        .decode(t.as_bytes())
        .ok()
        .and_then(|b| serde_json::from_slice::<(String, String)>(&b).ok())
        .ok_or_else(|| TcmOpError::Invalid("pageToken is not a token this API returned.".into()))
}

impl Services {
    fn check_tenant(&self, actor: &AdminIdentity, tenant_id: &str) -> OpResult<()> {
        if actor.tenant_id == tenant_id {
            Ok(())
        } else {
            Err(not_found_tenant(tenant_id))
        }
    }

    async fn user_in_tenant(&self, tenant_id: &str, user_id: &str) -> OpResult<UserRow> {
        match users::get(self.db(), user_id).await? {
            Some(u) if u.tenant_id == tenant_id => Ok(u),
            _ => Err(not_found_user(user_id)),
        }
    }

    async fn views(&self, rows: Vec<UserRow>) -> OpResult<Vec<UserView>> {
        let ids: Vec<String> = rows.iter().map(|u| u.id.clone()).collect();
        let mut sr: HashMap<String, Vec<SiteRoleRow>> = HashMap::new();
        for r in users::site_roles_of(self.db(), &ids).await? {
            sr.entry(r.user_id.clone()).or_default().push(r);
        }
        let mut lr: HashMap<String, Vec<LinkRoleRow>> = HashMap::new();
        for r in users::link_roles_of(self.db(), &ids).await? {
            lr.entry(r.user_id.clone()).or_default().push(r);
        }
        Ok(rows
            .into_iter()
            .map(|u| UserView {
                site_roles: sr.remove(&u.id).unwrap_or_default(),
                link_roles: lr.remove(&u.id).unwrap_or_default(),
                user: u,
            })
            .collect())
    }

    /// List tenant users, 1–100 a page, in user-name order, optionally filtered by name.
    pub async fn list_tenant_users(
        &self,
        actor: &AdminIdentity,
        tenant_id: &str,
        page_token: Option<&str>,
        page_size: Option<i64>,
        name_filter: Option<&str>,
    ) -> OpResult<(Vec<UserView>, Option<String>)> {
        self.check_tenant(actor, tenant_id)?;
        let size = page_size.unwrap_or(MAX_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(TcmOpError::Invalid(format!(
                "pageSize must be 1 to {MAX_PAGE_SIZE}."
            )));
        }
        let after = page_token
            .filter(|t| !t.is_empty())
            .map(decode_token)
            .transpose()?;
        let mut rows = users::page_of_tenant(
            self.db(),
            tenant_id,
            after.as_ref().map(|(k, i)| (k.as_str(), i.as_str())),
            name_filter.map(str::trim).filter(|s| !s.is_empty()),
            size + 1,
        )
        .await?;
        let next = if rows.len() as i64 > size {
            rows.truncate(size as usize);
            rows.last().map(encode_token)
        } else {
            None
        };
        Ok((self.views(rows).await?, next))
    }

    pub async fn get_tenant_user(
        &self,
        actor: &AdminIdentity,
        tenant_id: &str,
        user_id: &str,
    ) -> OpResult<UserView> {
        self.check_tenant(actor, tenant_id)?;
        let u = self.user_in_tenant(tenant_id, user_id).await?;
        Ok(self.views(vec![u]).await?.remove(0))
    }

    async fn check_site(&self, tenant_id: &str, site_id: &str) -> OpResult<()> {
        match sites::get(self.db(), site_id).await? {
            Some(s) if s.tenant_id == tenant_id => Ok(()),
            _ => Err(TcmOpError::NotFound(format!(
                "Site {site_id} could not be found in this tenant."
            ))),
        }
    }

    /// `POST /tenants/{tenantId}/users` (SPEC T16). With `userName`: creates the user with the
    /// given site and link roles (`linkId` = the tenant). Without `userName` (the seed's form):
    /// each `linkID` names an existing user of the tenant, who gets the cloud-admin role with
    /// the given idp (an idp change revokes their PATs: S14, T8).
    pub async fn add_tenant_user(
        &self,
        actor: &AdminIdentity,
        tenant_id: &str,
        req: NewUser,
        addr: Option<&str>,
    ) -> OpResult<JobAck> {
        self.check_tenant(actor, tenant_id)?;
        let Some(name) = req.user_name.as_deref() else {
            return self
                .assign_link_roles(actor, tenant_id, &req.link_roles, addr)
                .await;
        };
        let name = valid_user_name(name)?;
        let email = valid_email(req.email.as_deref().unwrap_or(&name))?;
        let mut site_specs = Vec::new();
        for s in &req.site_roles {
            self.check_site(tenant_id, &s.site_id).await?;
            let role = site_role(s.site_role.as_deref().unwrap_or("Unlicensed"))?;
            let idp = site_idp(s.idp.as_deref().unwrap_or("DEFAULT"))?;
            if site_specs
                .iter()
                .any(|(id, _, _): &(String, _, _)| *id == s.site_id)
            {
                return Err(TcmOpError::Invalid(format!(
                    "Site {} is listed twice.",
                    s.site_id
                )));
            }
            site_specs.push((s.site_id.clone(), role, idp));
        }
        let mut link_idp_value = None;
        for l in &req.link_roles {
            if l.link_id != tenant_id {
                return Err(TcmOpError::NotFound(format!(
                    "linkId {} is not this tenant ({tenant_id}).",
                    l.link_id
                )));
            }
            link_role(l.link_role.as_deref())?;
            link_idp_value = Some(link_idp(l.idp.as_deref().unwrap_or(IDP_TABLEAU_MFA))?);
        }
        let existing = users::find_by_name(self.db(), &name).await?;
        if existing.iter().any(|u| u.tenant_id == tenant_id) {
            return Err(TcmOpError::Conflict(format!(
                "A user named {name} already exists in this tenant."
            )));
        }
        let now = self.now_ms();
        let u = UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            tenant_id: tenant_id.to_owned(),
            user_name: name.clone(),
            user_name_key: users::name_key(&name),
            email,
            display_name: req
                .display_name
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .unwrap_or(&name)
                .to_owned(),
            language: req.language.clone().unwrap_or_else(|| "EN_US".into()),
            locale: req.locale.clone().unwrap_or_else(|| "en_US".into()),
            password_hash: None,
            totp_secret_sealed: None,
            totp_pending_sealed: None,
            totp_enrolled_at: None,
            totp_last_step: None,
            last_login_at: None,
            created_at: now,
        };
        users::insert(self.db(), &u).await?;
        let mut items = vec![item(
            "UPDATE_USER_DETAILS",
            "USER_CREATED_WITH_ASSIGNED_ROLE",
            &u,
        )];
        for (site_id, role, idp) in site_specs {
            users::insert_site_role(self.db(), &u.id, &site_id, role, idp, now).await?;
            items.push(JobItem {
                site_id: Some(site_id),
                site_role: Some(role.into()),
                idp: Some(idp.into()),
                ..item("CREATE_USER_SITE_ROLE", "SITE_ROLE_ASSIGNED", &u)
            });
        }
        if let Some(idp) = link_idp_value {
            users::insert_link_role(
                self.db(),
                &LinkRoleRow {
                    user_id: u.id.clone(),
                    tenant_id: tenant_id.into(),
                    link_role: LINK_ADMIN.into(),
                    idp: idp.into(),
                    status: "ACTIVE".into(),
                    created_at: now,
                },
            )
            .await?;
            items.push(JobItem {
                link_role: Some(LINK_ADMIN.into()),
                idp: Some(idp.into()),
                ..item("CREATE_USER_LINK_ROLE", "USER_CREATED_WITH_LINK_ROLE", &u)
            });
        }
        self.record(
            Event::new(event::USER_CREATED)
                .by(actor)
                .target("user", &u.id)
                .from_address(addr)
                .detail("userName", u.user_name.as_str())
                .detail("cloudAdmin", link_idp_value.is_some()),
        )
        .await?;
        self.finish_job(actor, "SINGLE_ROLE_USER_MODIFY", &u.id, items)
            .await
    }

    /// The seed's form: give existing users the cloud-admin role with an idp.
    async fn assign_link_roles(
        &self,
        actor: &AdminIdentity,
        tenant_id: &str,
        specs: &[LinkRoleSpec],
        addr: Option<&str>,
    ) -> OpResult<JobAck> {
        if specs.is_empty() {
            return Err(TcmOpError::Invalid(
                "userName is required (or linkRoles naming existing users).".into(),
            ));
        }
        let mut plan = Vec::new();
        for l in specs {
            link_role(l.link_role.as_deref())?;
            let idp = link_idp(l.idp.as_deref().unwrap_or(IDP_TABLEAU_MFA))?;
            let u = self.user_in_tenant(tenant_id, &l.link_id).await?;
            plan.push((u, idp));
        }
        let method = self.tcm_auth_method(tenant_id).await?;
        self.ensure_an_admin_can_sign_in(tenant_id, &method, |uid, idp| {
            Some(
                plan.iter()
                    .find(|(u, _)| u.id == uid)
                    .map(|(_, i)| (*i).to_owned())
                    .unwrap_or_else(|| idp.to_owned()),
            )
        })
        .await?;
        let mut items = Vec::new();
        let mut last_user = String::new();
        for (u, idp) in plan {
            let code = self.set_link_role(actor, &u, idp, addr).await?;
            items.push(JobItem {
                link_role: Some(LINK_ADMIN.into()),
                idp: Some(idp.into()),
                ..item("ADD_LINK_ROLE", code, &u)
            });
            last_user = u.id;
        }
        self.finish_job(actor, "SINGLE_ROLE_USER_MODIFY", &last_user, items)
            .await
    }

    /// Adds or updates a user's cloud-admin role; an idp change revokes their TCM PATs.
    async fn set_link_role(
        &self,
        actor: &AdminIdentity,
        u: &UserRow,
        idp: &str,
        addr: Option<&str>,
    ) -> OpResult<&'static str> {
        match users::link_role(self.db(), &u.id, &u.tenant_id).await? {
            Some(r) if r.idp == idp => Ok("USER_OR_ROLE_ALREADY_IN_EXPECTED_STATE"),
            Some(r) => {
                users::update_link_role(self.db(), &u.id, &u.tenant_id, idp).await?;
                self.idp_changed(actor, u, None, &r.idp, idp, addr).await?;
                Ok("USER_IDP_UPDATED")
            }
            None => {
                users::insert_link_role(
                    self.db(),
                    &LinkRoleRow {
                        user_id: u.id.clone(),
                        tenant_id: u.tenant_id.clone(),
                        link_role: LINK_ADMIN.into(),
                        idp: idp.into(),
                        status: "ACTIVE".into(),
                        created_at: self.now_ms(),
                    },
                )
                .await?;
                self.record(
                    Event::new(event::USER_ROLE_CHANGED)
                        .tenant(&u.tenant_id)
                        .actor(&actor.user_id, &actor.user_name)
                        .target("user", &u.id)
                        .from_address(addr)
                        .detail("linkRole", LINK_ADMIN)
                        .detail("op", "added")
                        .detail("idp", idp),
                )
                .await?;
                Ok("LINK_ROLE_ADDED_TO_USER")
            }
        }
    }

    /// SPEC S14, T8: a user's authentication method changed: revoke their PATs of that surface.
    async fn idp_changed(
        &self,
        actor: &AdminIdentity,
        u: &UserRow,
        site_id: Option<&str>,
        from: &str,
        to: &str,
        addr: Option<&str>,
    ) -> OpResult<()> {
        let kind = if site_id.is_some() {
            PatKind::Site
        } else {
            PatKind::Tcm
        };
        let mut revoked = 0;
        for p in pats::unrevoked_of_user_site(self.db(), kind, &u.id, site_id).await? {
            if self
                .revoke_pat(&p, Some(actor), "user_auth_method_changed", addr)
                .await?
            {
                revoked += 1;
            }
        }
        let mut e = Event::new(event::USER_IDP_CHANGED)
            .tenant(&u.tenant_id)
            .actor(&actor.user_id, &actor.user_name)
            .target("user", &u.id)
            .from_address(addr)
            .detail("from", from)
            .detail("to", to)
            .detail("patsRevoked", revoked);
        if let Some(s) = site_id {
            e = e.detail("siteId", s);
        }
        self.record(e).await?;
        Ok(())
    }

    /// `PATCH /tenants/{tenantId}/users/{userId}`.
    pub async fn patch_tenant_user(
        &self,
        actor: &AdminIdentity,
        tenant_id: &str,
        user_id: &str,
        patch: UserPatch,
        addr: Option<&str>,
    ) -> OpResult<JobAck> {
        self.check_tenant(actor, tenant_id)?;
        let mut u = self.user_in_tenant(tenant_id, user_id).await?;
        let current = self.views(vec![u.clone()]).await?.remove(0);
        // Validate everything first.
        if let Some(n) = &patch.user_name {
            let n = valid_user_name(n)?;
            let clash = users::find_by_name(self.db(), &n).await?;
            if clash
                .iter()
                .any(|o| o.tenant_id == tenant_id && o.id != u.id)
            {
                return Err(TcmOpError::Conflict(format!(
                    "A user named {n} already exists in this tenant."
                )));
            }
            u.user_name_key = users::name_key(&n);
            u.user_name = n;
        }
        if let Some(e) = &patch.email {
            u.email = valid_email(e)?;
        }
        if let Some(d) = patch
            .display_name
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            u.display_name = d.to_owned();
        }
        if let Some(l) = &patch.language {
            u.language = l.clone();
        }
        if let Some(l) = &patch.locale {
            u.locale = l.clone();
        }
        let mut site_plan = Vec::new();
        for (op, s) in &patch.site_roles {
            self.check_site(tenant_id, &s.site_id).await?;
            let has = current.site_roles.iter().find(|r| r.site_id == s.site_id);
            match (op, has) {
                (RoleOp::Add, Some(_)) => {
                    return Err(TcmOpError::Conflict(format!(
                        "The user already has a role on site {}.",
                        s.site_id
                    )));
                }
                (RoleOp::Update | RoleOp::Delete, None) => {
                    return Err(TcmOpError::NotFound(format!(
                        "The user has no role on site {}.",
                        s.site_id
                    )));
                }
                _ => {}
            }
            let role = match (op, s.site_role.as_deref(), has) {
                (RoleOp::Delete, _, _) => "",
                (_, Some(r), _) => site_role(r)?,
                (RoleOp::Update, None, Some(h)) => site_role(&h.site_role)?,
                (_, None, _) => {
                    return Err(TcmOpError::Invalid(
                        "siteRole is required to add a site role.".into(),
                    ));
                }
            };
            let idp = match (s.idp.as_deref(), has) {
                (Some(i), _) => site_idp(i)?,
                (None, Some(h)) => site_idp(&h.idp)?,
                (None, None) => "DEFAULT",
            };
            site_plan.push((
                *op,
                s.site_id.clone(),
                role,
                idp,
                has.map(|h| h.idp.clone()),
            ));
        }
        let mut link_plan = Vec::new();
        for (op, l) in &patch.link_roles {
            if l.link_id != tenant_id {
                return Err(TcmOpError::NotFound(format!(
                    "linkId {} is not this tenant ({tenant_id}).",
                    l.link_id
                )));
            }
            link_role(l.link_role.as_deref())?;
            let has = current.link_roles.first();
            match (op, has) {
                (RoleOp::Add, Some(_)) => {
                    return Err(TcmOpError::Conflict(
                        "The user is already a cloud administrator.".into(),
                    ));
                }
                (RoleOp::Update | RoleOp::Delete, None) => {
                    return Err(TcmOpError::NotFound(
                        "The user is not a cloud administrator.".into(),
                    ));
                }
                (RoleOp::Delete, Some(_)) if u.id == actor.user_id => {
                    return Err(TcmOpError::SelfDeletion);
                }
                _ => {}
            }
            let idp = match (op, l.idp.as_deref(), has) {
                (RoleOp::Delete, _, _) => None,
                (_, Some(i), _) => Some(link_idp(i)?),
                (_, None, Some(h)) => Some(link_idp(&h.idp)?),
                (_, None, None) => Some(IDP_TABLEAU_MFA),
            };
            link_plan.push((*op, idp));
        }
        if let Some((_, idp)) = link_plan.last() {
            let method = self.tcm_auth_method(tenant_id).await?;
            let target = u.id.clone();
            let after = idp.map(str::to_owned);
            self.ensure_an_admin_can_sign_in(tenant_id, &method, |uid, cur| {
                if uid == target {
                    after.clone()
                } else {
                    Some(cur.to_owned())
                }
            })
            .await?;
        }
        // Apply.
        let mut items = Vec::new();
        users::update_user_fields(self.db(), &u).await?;
        items.push(item(
            "UPDATE_USER_DETAILS",
            "USER_OR_ROLE_ALREADY_IN_EXPECTED_STATE",
            &u,
        ));
        for (op, site_id, role, idp, old_idp) in site_plan {
            let code = match op {
                RoleOp::Add => {
                    users::insert_site_role(self.db(), &u.id, &site_id, role, idp, self.now_ms())
                        .await?;
                    "SITE_ROLE_ASSIGNED"
                }
                RoleOp::Update => {
                    users::update_site_role(self.db(), &u.id, &site_id, role, idp).await?;
                    if old_idp.as_deref() != Some(idp) {
                        self.idp_changed(
                            actor,
                            &u,
                            Some(&site_id),
                            old_idp.as_deref().unwrap_or(""),
                            idp,
                            addr,
                        )
                        .await?;
                        "USER_IDP_UPDATED"
                    } else {
                        "SITE_ROLE_ASSIGNED"
                    }
                }
                RoleOp::Delete => {
                    users::delete_site_role(self.db(), &u.id, &site_id).await?;
                    for p in pats::unrevoked_of_user_site(
                        self.db(),
                        PatKind::Site,
                        &u.id,
                        Some(&site_id),
                    )
                    .await?
                    {
                        self.revoke_pat(&p, Some(actor), "site_role_removed", addr)
                            .await?;
                    }
                    "SITE_ROLE_REMOVED"
                }
            };
            let op_type = match op {
                RoleOp::Add => "ADD_SITE_ROLE",
                RoleOp::Update => "UPDATE_SITE_ROLE",
                RoleOp::Delete => "DELETE_SITE_ROLE",
            };
            items.push(JobItem {
                site_id: Some(site_id),
                site_role: (!role.is_empty()).then(|| role.to_owned()),
                idp: Some(idp.into()),
                ..item(op_type, code, &u)
            });
        }
        for (op, idp) in link_plan {
            let (op_type, code) = match (op, idp) {
                (RoleOp::Delete, _) => {
                    users::delete_link_role(self.db(), &u.id, tenant_id).await?;
                    for p in
                        pats::unrevoked_of_user_site(self.db(), PatKind::Tcm, &u.id, None).await?
                    {
                        self.revoke_pat(&p, Some(actor), "cloud_admin_role_removed", addr)
                            .await?;
                    }
                    self.record(
                        Event::new(event::USER_ROLE_CHANGED)
                            .by(actor)
                            .target("user", &u.id)
                            .from_address(addr)
                            .detail("linkRole", LINK_ADMIN)
                            .detail("op", "removed"),
                    )
                    .await?;
                    ("DELETE_LINK_ROLE", "LINK_ROLE_DELETED_FROM_USER")
                }
                (RoleOp::Add, Some(i)) => (
                    "ADD_LINK_ROLE",
                    self.set_link_role(actor, &u, i, addr).await?,
                ),
                (_, Some(i)) => (
                    "UPDATE_LINK_ROLE",
                    match self.set_link_role(actor, &u, i, addr).await? {
                        "USER_IDP_UPDATED" => "LINK_ROLE_UPDATED_IN_USER",
                        c => c,
                    },
                ),
                (_, None) => continue,
            };
            items.push(JobItem {
                link_role: Some(LINK_ADMIN.into()),
                idp: idp.map(str::to_owned),
                ..item(op_type, code, &u)
            });
        }
        self.record(
            Event::new(event::USER_UPDATED)
                .by(actor)
                .target("user", &u.id)
                .from_address(addr)
                .detail("userName", u.user_name.as_str()),
        )
        .await?;
        self.finish_job(actor, "SINGLE_ROLE_USER_MODIFY", &u.id, items)
            .await
    }

    /// `DELETE /tenants/{tenantId}/users/{userId}`: not oneself, and not the last admin who
    /// can sign in (SPEC T17). The user's PATs and sessions go with them.
    pub async fn delete_tenant_user(
        &self,
        actor: &AdminIdentity,
        tenant_id: &str,
        user_id: &str,
        addr: Option<&str>,
    ) -> OpResult<JobAck> {
        self.check_tenant(actor, tenant_id)?;
        let u = self.user_in_tenant(tenant_id, user_id).await?;
        if u.id == actor.user_id {
            return Err(TcmOpError::SelfDeletion);
        }
        let method = self.tcm_auth_method(tenant_id).await?;
        self.ensure_an_admin_can_sign_in(tenant_id, &method, |uid, idp| {
            (uid != u.id).then(|| idp.to_owned())
        })
        .await?;
        users::delete_user(self.db(), &u.id).await?;
        self.record(
            Event::new(event::USER_DELETED)
                .by(actor)
                .target("user", &u.id)
                .from_address(addr)
                .detail("userName", u.user_name.as_str()),
        )
        .await?;
        self.finish_job(
            actor,
            "MULTI_ROLE_USER_DELETE",
            &u.id,
            vec![item(
                "DELETE_SITE_ROLE",
                "SITE_ROLE_REMOVED_USER_DELETED",
                &u,
            )],
        )
        .await
    }

    async fn finish_job(
        &self,
        actor: &AdminIdentity,
        operation: &str,
        user_id: &str,
        items: Vec<JobItem>,
    ) -> OpResult<JobAck> {
        let job = UserJobRow {
            id: uuid::Uuid::new_v4().to_string(),
            tenant_id: actor.tenant_id.clone(),
            operation: operation.into(),
            status: "SUCCESSFUL".into(),
            owner_id: Some(actor.user_id.clone()),
            user_id: Some(user_id.to_owned()),
            items: serde_json::to_string(&items)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            created_at: self.now_ms(),
        };
        user_jobs::insert(self.db(), &job).await?;
        Ok(JobAck {
            job_id: job.id,
            tenant_id: actor.tenant_id.clone(),
            user_id: user_id.to_owned(),
            transaction_id: uuid::Uuid::new_v4().to_string(),
        })
    }

    /// "List status for user job".
    pub async fn user_job(&self, actor: &AdminIdentity, job_id: &str) -> OpResult<UserJobRow> {
        user_jobs::get(self.db(), &actor.tenant_id, job_id)
            .await?
            .ok_or_else(|| TcmOpError::NotFound(format!("Job {job_id} could not be found.")))
    }
}

impl Services {
    /// A one-time password for a new Tableau-with-MFA admin added in the portal (the REST API
    /// never takes passwords, SPEC T14). Shown once to the admin who added them.
    pub async fn set_temporary_password(
        &self,
        actor: &AdminIdentity,
        user_id: &str,
    ) -> OpResult<String> {
        let u = self.user_in_tenant(&actor.tenant_id, user_id).await?;
        let bytes: [u8; 12] = crate::crypto::random_bytes();
        let password = data_encoding::BASE64URL_NOPAD.encode(&bytes);
        let phc = crate::crypto::password::hash_password(password.clone()).await;
        users::set_password_hash(self.db(), &u.id, &phc).await?;
        self.record(
            Event::new(event::USER_UPDATED)
                .by(actor)
                .target("user", &u.id)
                .detail("temporaryPasswordIssued", true),
        )
        .await?;
        Ok(password)
    }
}
