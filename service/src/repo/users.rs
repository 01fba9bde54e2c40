use crate::db::Db;
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub tenant_id: String,
    pub user_name: String,
    pub user_name_key: String,
    pub email: String,
    pub display_name: String,
    pub language: String,
    pub locale: String,
    pub password_hash: Option<String>,
    pub totp_secret_sealed: Option<String>,
    pub totp_pending_sealed: Option<String>,
    pub totp_enrolled_at: Option<i64>,
    pub totp_last_step: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
}

pub fn name_key(user_name: &str) -> String {
    user_name.trim().to_lowercase()
}

pub async fn insert(db: &Db, u: &UserRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, tenant_id, user_name, user_name_key, email, display_name, language, \
         locale, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&u.id)
    .bind(&u.tenant_id)
    .bind(&u.user_name)
    .bind(&u.user_name_key)
    .bind(&u.email)
    .bind(&u.display_name)
    .bind(&u.language)
    .bind(&u.locale)
    .bind(&u.password_hash)
    .bind(u.created_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<UserRow>> {
    Ok(sqlx::query_as("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// A user name may exist in several tenants; sign-in tries each candidate.
pub async fn find_by_name(db: &Db, user_name: &str) -> Result<Vec<UserRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM users WHERE user_name_key = $1 ORDER BY created_at")
            .bind(name_key(user_name))
            .fetch_all(db.pool())
            .await?,
    )
}

pub async fn set_password_hash(db: &Db, user_id: &str, phc: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(phc)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn set_totp_pending(db: &Db, user_id: &str, sealed: &str) -> Result<()> {
    sqlx::query("UPDATE users SET totp_pending_sealed = $1 WHERE id = $2")
        .bind(sealed)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Makes the pending seed the enrolled one. Only succeeds if the pending seed is still the one
/// the caller verified (two enrollments racing cannot mix seeds).
pub async fn confirm_totp(
    db: &Db,
    user_id: &str,
    sealed: &str,
    step: i64,
    now: i64,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE users SET totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL, \
         totp_enrolled_at = $1, totp_last_step = $2 WHERE id = $3 AND totp_pending_sealed = $4",
    )
    .bind(now)
    .bind(step)
    .bind(user_id)
    .bind(sealed)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records `step` as used, atomically: false if this or a later step was already used (replay).
pub async fn claim_totp_step(db: &Db, user_id: &str, step: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
         AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_last_login(db: &Db, user_id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRoleRow {
    pub user_id: String,
    pub tenant_id: String,
    pub link_role: String,
    pub idp: String,
    pub status: String,
    pub created_at: i64,
}

pub async fn insert_link_role(db: &Db, r: &LinkRoleRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO link_roles (user_id, tenant_id, link_role, idp, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&r.user_id)
    .bind(&r.tenant_id)
    .bind(&r.link_role)
    .bind(&r.idp)
    .bind(&r.status)
    .bind(r.created_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn link_role(db: &Db, user_id: &str, tenant_id: &str) -> Result<Option<LinkRoleRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM link_roles WHERE user_id = $1 AND tenant_id = $2")
            .bind(user_id)
            .bind(tenant_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn delete_link_role(db: &Db, user_id: &str, tenant_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM link_roles WHERE user_id = $1 AND tenant_id = $2")
        .bind(user_id)
        .bind(tenant_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn insert_site_role(
    db: &Db,
    user_id: &str,
    site_id: &str,
    site_role: &str,
    idp: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO site_roles (user_id, site_id, site_role, idp, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(site_id)
    .bind(site_role)
    .bind(idp)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Replaces all recovery codes of a user (enrollment issues a fresh set).
pub async fn replace_recovery_codes(db: &Db, user_id: &str, hashes: &[String]) -> Result<()> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for h in hashes {
        sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(h)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Marks a recovery code used, atomically; false if unknown or already used.
pub async fn use_recovery_code(db: &Db, user_id: &str, hash: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE mfa_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(hash)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn remaining_recovery_codes(db: &Db, user_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?)
}

/// One page of a tenant's users in user-name order, after the `(name key, id)` cursor;
/// `name_filter` keeps user names containing the text (case-insensitive).
pub async fn page_of_tenant(
    db: &Db,
    tenant_id: &str,
    after: Option<(&str, &str)>,
    name_filter: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>> {
    let (after_key, after_id) = after.unwrap_or(("", ""));
    let pattern = format!(
        "%{}%",
        name_filter
            .unwrap_or("")
            .to_lowercase()
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Ok(sqlx::query_as(
        "SELECT * FROM users WHERE tenant_id = $1 \
         AND (user_name_key > $2 OR (user_name_key = $2 AND id > $3)) \
         AND user_name_key LIKE $4 ESCAPE '\\' \
         ORDER BY user_name_key, id LIMIT $5",
    )
    .bind(tenant_id)
    .bind(after_key)
    .bind(after_id)
    .bind(pattern)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// `$1, $2, …, $n` for an IN list (portable: both backends number their parameters).
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Site roles of a set of users, in one query (no N+1 when listing).
pub async fn site_roles_of(db: &Db, user_ids: &[String]) -> Result<Vec<SiteRoleRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM site_roles WHERE user_id IN ({}) ORDER BY site_id",
        placeholders(user_ids.len())
    );
    let mut q = sqlx::query_as(&sql);
    for id in user_ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

/// Link roles of a set of users, in one query.
pub async fn link_roles_of(db: &Db, user_ids: &[String]) -> Result<Vec<LinkRoleRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=user_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT * FROM link_roles WHERE user_id IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as(&sql);
    for id in user_ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(db.pool()).await?)
}

/// All cloud-admin link roles of a tenant (for the T17 "someone can still sign in" check).
pub async fn link_roles_of_tenant(db: &Db, tenant_id: &str) -> Result<Vec<LinkRoleRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM link_roles WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_all(db.pool())
            .await?,
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteRoleRow {
    pub user_id: String,
    pub site_id: String,
    pub site_role: String,
    pub idp: String,
    pub idp_configuration_id: Option<String>,
    pub created_at: i64,
}

pub async fn update_user_fields(db: &Db, u: &UserRow) -> Result<()> {
    sqlx::query(
        "UPDATE users SET user_name = $1, user_name_key = $2, email = $3, display_name = $4, \
         language = $5, locale = $6 WHERE id = $7",
    )
    .bind(&u.user_name)
    .bind(&u.user_name_key)
    .bind(&u.email)
    .bind(&u.display_name)
    .bind(&u.language)
    .bind(&u.locale)
    .bind(&u.id)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn update_link_role(db: &Db, user_id: &str, tenant_id: &str, idp: &str) -> Result<()> {
    sqlx::query("UPDATE link_roles SET idp = $1 WHERE user_id = $2 AND tenant_id = $3")
        .bind(idp)
        .bind(user_id)
        .bind(tenant_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn update_site_role(
    db: &Db,
    user_id: &str,
    site_id: &str,
    role: &str,
    idp: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE site_roles SET site_role = $1, idp = $2 WHERE user_id = $3 AND site_id = $4",
    )
    .bind(role)
    .bind(idp)
    .bind(user_id)
    .bind(site_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn delete_site_role(db: &Db, user_id: &str, site_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM site_roles WHERE user_id = $1 AND site_id = $2")
        .bind(user_id)
        .bind(site_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn delete_user(db: &Db, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The tenant user an identity provider's email claim names (user name or email).
pub async fn find_in_tenant_by_email(
    db: &Db,
    tenant_id: &str,
    email: &str,
) -> Result<Option<UserRow>> {
    let key = name_key(email);
    Ok(sqlx::query_as(
        "SELECT * FROM users WHERE tenant_id = $1 AND (user_name_key = $2 OR lower(email) = $2) \
         ORDER BY CASE WHEN user_name_key = $2 THEN 0 ELSE 1 END LIMIT 1",
    )
    .bind(tenant_id)
    .bind(key)
    .fetch_optional(db.pool())
    .await?)
}
