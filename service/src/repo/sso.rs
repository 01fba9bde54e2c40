use crate::db::Db;
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OidcRow {
    pub resource_id: String,
    pub tenant_id: String,
    pub enabled: bool,
    pub known_provider_alias: String,
    pub config: String,
    pub client_secret_sealed: Option<String>,
    pub updated_at: i64,
}

pub async fn upsert(db: &Db, r: &OidcRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO oidc_configurations (resource_id, tenant_id, enabled, known_provider_alias, config, \
         client_secret_sealed, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (resource_id) DO UPDATE SET enabled = $3, known_provider_alias = $4, config = $5, \
         client_secret_sealed = $6, updated_at = $7",
    )
    .bind(&r.resource_id)
    .bind(&r.tenant_id)
    .bind(r.enabled)
    .bind(&r.known_provider_alias)
    .bind(&r.config)
    .bind(&r.client_secret_sealed)
    .bind(r.updated_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn get(db: &Db, resource_id: &str) -> Result<Option<OidcRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM oidc_configurations WHERE resource_id = $1")
            .bind(resource_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn delete(db: &Db, resource_id: &str) -> Result<bool> {
    let r = sqlx::query("DELETE FROM oidc_configurations WHERE resource_id = $1")
        .bind(resource_id)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Tenants whose tenant-level configuration is enabled: (url name, name, provider alias).
pub async fn enabled_for_tenants(db: &Db) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT t.url_name, t.name, o.known_provider_alias FROM oidc_configurations o \
         JOIN tenants t ON t.id = o.resource_id WHERE o.enabled = $1 ORDER BY t.name",
    )
    .bind(true)
    .fetch_all(db.pool())
    .await?)
}
