use crate::db::Db;
use crate::error::Result;

/// Which API a PAT signs in to (SPEC T9: the two spaces never mix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatKind {
    Tcm,
    Site,
}

impl PatKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PatKind::Tcm => "tcm",
            PatKind::Site => "site",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatRow {
    pub id: String,
    pub kind: String,
    pub tenant_id: String,
    pub site_id: Option<String>,
    pub user_id: String,
    pub name: String,
    pub lookup_key: String,
    pub secret_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
    pub expired_at: Option<i64>,
}

pub async fn insert(db: &Db, p: &PatRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO personal_access_tokens (id, kind, tenant_id, site_id, user_id, name, lookup_key, \
         secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&p.id)
    .bind(&p.kind)
    .bind(&p.tenant_id)
    .bind(&p.site_id)
    .bind(&p.user_id)
    .bind(&p.name)
    .bind(&p.lookup_key)
    .bind(&p.secret_hash)
    .bind(p.created_at)
    .bind(p.expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn by_lookup_key(db: &Db, kind: PatKind, key: &str) -> Result<Option<PatRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM personal_access_tokens WHERE lookup_key = $1 AND kind = $2")
            .bind(key)
            .bind(kind.as_str())
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn get(db: &Db, kind: PatKind, id: &str) -> Result<Option<PatRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM personal_access_tokens WHERE id = $1 AND kind = $2")
            .bind(id)
            .bind(kind.as_str())
            .fetch_optional(db.pool())
            .await?,
    )
}

/// PATs of a user that are neither revoked nor marked expired (the caller still applies the
/// time rules, which depend on "now"), oldest first.
pub async fn unrevoked_of_user(db: &Db, kind: PatKind, user_id: &str) -> Result<Vec<PatRow>> {
    Ok(sqlx::query_as(
        "SELECT * FROM personal_access_tokens WHERE user_id = $1 AND kind = $2 \
         AND revoked_at IS NULL AND expired_at IS NULL ORDER BY created_at, name",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .fetch_all(db.pool())
    .await?)
}

pub async fn unrevoked_of_tenant(db: &Db, kind: PatKind, tenant_id: &str) -> Result<Vec<PatRow>> {
    Ok(sqlx::query_as(
        "SELECT * FROM personal_access_tokens WHERE tenant_id = $1 AND kind = $2 \
         AND revoked_at IS NULL AND expired_at IS NULL",
    )
    .bind(tenant_id)
    .bind(kind.as_str())
    .fetch_all(db.pool())
    .await?)
}

pub async fn touch(db: &Db, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE personal_access_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Revokes if still live; false if it was already revoked or expired.
pub async fn revoke(db: &Db, id: &str, by: Option<&str>, reason: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE personal_access_tokens SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 \
         WHERE id = $4 AND revoked_at IS NULL AND expired_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(reason)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks expired once; false if already marked (or revoked).
pub async fn mark_expired(db: &Db, id: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE personal_access_tokens SET expired_at = $1 \
         WHERE id = $2 AND expired_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Live PATs of one user of one kind (optionally only those of one site), to revoke them.
/// Two statements rather than `$3 IS NULL`, which PostgreSQL cannot type.
pub async fn unrevoked_of_user_site(
    db: &Db,
    kind: PatKind,
    user_id: &str,
    site_id: Option<&str>,
) -> Result<Vec<PatRow>> {
    let Some(site_id) = site_id else {
        return unrevoked_of_user(db, kind, user_id).await;
    };
    Ok(sqlx::query_as(
        "SELECT * FROM personal_access_tokens WHERE user_id = $1 AND kind = $2 \
         AND revoked_at IS NULL AND expired_at IS NULL AND site_id = $3",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(site_id)
    .fetch_all(db.pool())
    .await?)
}
