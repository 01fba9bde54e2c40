//! Tenants, sites and users: first-run demo data (`patio seed --demo`) and real cloud admins
//! (`patio admin create`).

use crate::Services;
use crate::activity::{Event, event};
use crate::auth::{AdminIdentity, IDP_TABLEAU_MFA, LINK_ADMIN};
use crate::clock::to_millis;
use crate::crypto::password;
use crate::error::{Result, ServiceError};
use crate::repo::sites::SiteRow;
use crate::repo::tenants::TenantRow;
use crate::repo::users::{LinkRoleRow, UserRow};
use crate::repo::{groups, sites, tenants, users};
use time::OffsetDateTime;
use time::macros::datetime;

pub const DEMO_TENANT_NAME: &str = "Acme Analytics";
pub const DEMO_TENANT_URL: &str = "acme-analytics";
pub const DEMO_ADMIN: &str = "admin@acme.example";
pub const DEMO_SECOND_ADMIN: &str = "ops@acme.example";
/// Demo mode only: printed at start-up and in the README so trainers can sign in.
pub const DEMO_PASSWORD: &str = "patio-demo-2026";

/// Tableau 2023.2 (June 2023) changed the defaults of new sites (SPEC S8).
const PAT_DEFAULTS_CHANGED: OffsetDateTime = datetime!(2023-06-01 00:00 UTC);

/// Initial PAT settings of a site activated at `activated_at` (SPEC S8): sites activated
/// before June 2023 allow PATs for all users with a one-year expiry; later sites start with
/// PAT creation disabled (and the 180-day default expiry once enabled).
pub fn initial_pat_settings(activated_at: OffsetDateTime) -> (bool, i64) {
    if activated_at < PAT_DEFAULTS_CHANGED {
        (true, 365)
    } else {
        (false, 180)
    }
}

#[derive(Debug, Clone)]
pub struct NewAdmin {
    pub tenant_name: String,
    pub user_name: String,
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// What `seed_demo` created, for the start-up banner.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub tenant_name: String,
    pub admins: Vec<String>,
    pub sites: Vec<String>,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn url_name_of(tenant_name: &str) -> String {
    let mut s: String = tenant_name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    s.trim_matches('-').to_owned()
}

impl Services {
    pub async fn tenant_count(&self) -> Result<usize> {
        Ok(tenants::list(self.db()).await?.len())
    }

    async fn ensure_tenant(&self, name: &str) -> Result<TenantRow> {
        let url = url_name_of(name);
        if url.is_empty() {
            return Err(ServiceError::Invalid(
                "tenant name must contain letters or digits".into(),
            ));
        }
        if let Some(t) = tenants::find_by_url_name(self.db(), &url).await? {
            return Ok(t);
        }
        let t = TenantRow {
            id: new_id(),
            name: name.trim().to_owned(),
            url_name: url,
            auth_method: IDP_TABLEAU_MFA.to_owned(),
            created_at: self.now_ms(),
        };
        tenants::insert(self.db(), &t).await?;
        Ok(t)
    }

    async fn insert_user(
        &self,
        tenant_id: &str,
        user_name: &str,
        email: &str,
        display_name: &str,
        password_hash: Option<String>,
    ) -> Result<String> {
        let id = new_id();
        users::insert(
            self.db(),
            &UserRow {
                id: id.clone(),
                tenant_id: tenant_id.to_owned(),
                user_name: user_name.trim().to_owned(),
                user_name_key: users::name_key(user_name),
                email: email.trim().to_owned(),
                display_name: display_name.trim().to_owned(),
                language: "EN_US".into(),
                locale: "en_US".into(),
                password_hash,
                totp_secret_sealed: None,
                totp_pending_sealed: None,
                totp_enrolled_at: None,
                totp_last_step: None,
                last_login_at: None,
                created_at: self.now_ms(),
            },
        )
        .await?;
        Ok(id)
    }

    /// Creates a cloud admin (link role LINK_ADMIN, Tableau with MFA) in the named tenant,
    /// creating the tenant if it does not exist. The admin enrolls an authenticator at first
    /// sign-in.
    pub async fn create_cloud_admin(&self, a: NewAdmin) -> Result<AdminIdentity> {
        validate_new_admin(&a)?;
        let tenant = self.ensure_tenant(&a.tenant_name).await?;
        let existing = users::find_by_name(self.db(), &a.user_name).await?;
        if existing.iter().any(|u| u.tenant_id == tenant.id) {
            return Err(ServiceError::Invalid(format!(
                "a user named {} already exists in {}",
                a.user_name.trim(),
                tenant.name
            )));
        }
        let hash = password::hash_password(a.password.clone()).await;
        let id = self
            .insert_user(
                &tenant.id,
                &a.user_name,
                &a.email,
                &a.display_name,
                Some(hash),
            )
            .await?;
        users::insert_link_role(
            self.db(),
            &LinkRoleRow {
                user_id: id.clone(),
                tenant_id: tenant.id.clone(),
                link_role: LINK_ADMIN.into(),
                idp: IDP_TABLEAU_MFA.into(),
                status: "ACTIVE".into(),
                created_at: self.now_ms(),
            },
        )
        .await?;
        self.record(
            Event::new(event::ADMIN_CREATED)
                .tenant(&tenant.id)
                .actor_name("patio admin create")
                .target("user", &id)
                .detail("userName", a.user_name.trim()),
        )
        .await?;
        self.admin_identity(&id)
            .await?
            .ok_or_else(|| ServiceError::Internal("new admin not found".into()))
    }

    /// Seeds the demo tenant unless it exists. Returns what was created.
    pub async fn seed_demo(&self) -> Result<Option<DemoSummary>> {
        if tenants::find_by_url_name(self.db(), DEMO_TENANT_URL)
            .await?
            .is_some()
        {
            return Ok(None);
        }
        let mut admins = Vec::new();
        for (name, display) in [(DEMO_ADMIN, "Ava Admin"), (DEMO_SECOND_ADMIN, "Omar Ops")] {
            let a = self
                .create_cloud_admin(NewAdmin {
                    tenant_name: DEMO_TENANT_NAME.into(),
                    user_name: name.into(),
                    email: name.into(),
                    display_name: display.into(),
                    password: DEMO_PASSWORD.into(),
                })
                .await?;
            admins.push(a);
        }
        let tenant_id = admins[0].tenant_id.clone();
        let now = self.now_ms();

        // One site from before June 2023 and one from after (SPEC S8 defaults).
        let site_specs = [
            ("Acme Legacy", "acmelegacy", datetime!(2022-03-14 09:00 UTC)),
            (
                "Acme Analytics",
                "acmeanalytics",
                datetime!(2024-02-05 09:00 UTC),
            ),
        ];
        let mut site_ids = Vec::new();
        for (name, url, activated) in site_specs {
            let (enabled, days) = initial_pat_settings(activated);
            let id = new_id();
            sites::insert(
                self.db(),
                &SiteRow {
                    id: id.clone(),
                    tenant_id: tenant_id.clone(),
                    content_url: url.into(),
                    name: name.into(),
                    activated_at: to_millis(activated),
                    pat_enabled: enabled,
                    pat_scope: "all".into(),
                    pat_expiry_days: days,
                    created_at: now,
                },
            )
            .await?;
            site_ids.push(id);
        }

        // Site users of several roles; the cloud admins are site admins too.
        let people = [
            ("carla@acme.example", "Carla Creator", "Creator"),
            ("dev@acme.example", "Dev Explorer", "Explorer"),
            ("erin@acme.example", "Erin Publisher", "ExplorerCanPublish"),
            ("vic@acme.example", "Vic Viewer", "Viewer"),
            (
                "sam@acme.example",
                "Sam Siteadmin",
                "SiteAdministratorExplorer",
            ),
        ];
        let mut user_ids = Vec::new();
        for (name, display, role) in people {
            let id = self
                .insert_user(&tenant_id, name, name, display, None)
                .await?;
            for site in &site_ids {
                users::insert_site_role(self.db(), &id, site, role, "DEFAULT", now).await?;
            }
            user_ids.push(id);
        }
        for a in &admins {
            for site in &site_ids {
                users::insert_site_role(
                    self.db(),
                    &a.user_id,
                    site,
                    "SiteAdministratorCreator",
                    IDP_TABLEAU_MFA,
                    now,
                )
                .await?;
            }
        }
        for site in &site_ids {
            let finance = new_id();
            groups::insert(self.db(), &finance, site, "Finance", now).await?;
            groups::add_member(self.db(), &finance, &user_ids[0]).await?;
            groups::add_member(self.db(), &finance, &user_ids[3]).await?;
            let eng = new_id();
            groups::insert(self.db(), &eng, site, "Data Engineering", now).await?;
            groups::add_member(self.db(), &eng, &user_ids[1]).await?;
            groups::add_member(self.db(), &eng, &user_ids[2]).await?;
        }
        Ok(Some(DemoSummary {
            tenant_name: DEMO_TENANT_NAME.into(),
            admins: admins.into_iter().map(|a| a.user_name).collect(),
            sites: site_specs.iter().map(|s| s.1.to_owned()).collect(),
        }))
    }
}

fn validate_new_admin(a: &NewAdmin) -> Result<()> {
    let name = a.user_name.trim();
    if name.is_empty() || name.len() > 255 {
        return Err(ServiceError::Invalid(
            "user name must be 1 to 255 characters".into(),
        ));
    }
    if !a.email.contains('@') {
        return Err(ServiceError::Invalid(
            "email must be an email address".into(),
        ));
    }
    if a.password.chars().count() < 12 {
        return Err(ServiceError::Invalid(
            "password must be at least 12 characters".into(),
        ));
    }
    if a.password.len() > 1024 {
        return Err(ServiceError::Invalid(
            "password must be at most 1024 bytes".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // SPEC S8
    #[test]
    fn sites_before_june_2023_allow_pats_for_a_year_later_sites_start_disabled() {
        assert_eq!(
            initial_pat_settings(datetime!(2023-05-31 23:59 UTC)),
            (true, 365)
        );
        assert_eq!(
            initial_pat_settings(datetime!(2023-06-01 00:00 UTC)),
            (false, 180)
        );
        assert_eq!(
            initial_pat_settings(datetime!(2025-01-01 00:00 UTC)),
            (false, 180)
        );
    }

    #[test]
    fn tenant_url_names() {
        assert_eq!(url_name_of("Acme Analytics"), "acme-analytics");
        assert_eq!(url_name_of("  Foo -- Bar! "), "foo-bar");
    }
}
