use crate::db::Db;
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TenantRow {
    pub id: String,
    pub name: String,
    pub url_name: String,
    pub auth_method: String,
    pub created_at: i64,
}

pub async fn insert(db: &Db, t: &TenantRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO tenants (id, name, url_name, auth_method, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&t.id)
    .bind(&t.name)
    .bind(&t.url_name)
    .bind(&t.auth_method)
    .bind(t.created_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<TenantRow>> {
    Ok(sqlx::query_as("SELECT * FROM tenants WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn find_by_url_name(db: &Db, url_name: &str) -> Result<Option<TenantRow>> {
    Ok(sqlx::query_as("SELECT * FROM tenants WHERE url_name = $1")
        .bind(url_name)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn list(db: &Db) -> Result<Vec<TenantRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM tenants ORDER BY created_at, name")
            .fetch_all(db.pool())
            .await?,
    )
}

pub async fn set_auth_method(db: &Db, id: &str, method: &str) -> Result<()> {
    sqlx::query("UPDATE tenants SET auth_method = $1 WHERE id = $2")
        .bind(method)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}
