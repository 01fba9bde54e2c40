use crate::db::Db;
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteRow {
    pub id: String,
    pub tenant_id: String,
    pub content_url: String,
    pub name: String,
    pub activated_at: i64,
    pub pat_enabled: bool,
    pub pat_scope: String,
    pub pat_expiry_days: i64,
    pub created_at: i64,
}

pub async fn insert(db: &Db, s: &SiteRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO sites (id, tenant_id, content_url, name, activated_at, pat_enabled, pat_scope, \
         pat_expiry_days, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&s.id)
    .bind(&s.tenant_id)
    .bind(&s.content_url)
    .bind(&s.name)
    .bind(s.activated_at)
    .bind(s.pat_enabled)
    .bind(&s.pat_scope)
    .bind(s.pat_expiry_days)
    .bind(s.created_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Sites of a tenant with their user counts, in one query.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteWithCount {
    #[sqlx(flatten)]
    pub site: SiteRow,
    pub user_count: i64,
}

pub async fn list_by_tenant(db: &Db, tenant_id: &str) -> Result<Vec<SiteWithCount>> {
    Ok(sqlx::query_as(
        "SELECT s.*, (SELECT COUNT(*) FROM site_roles r WHERE r.site_id = s.id) AS user_count \
         FROM sites s WHERE s.tenant_id = $1 ORDER BY s.name",
    )
    .bind(tenant_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<SiteRow>> {
    Ok(sqlx::query_as("SELECT * FROM sites WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}
