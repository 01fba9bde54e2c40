use crate::db::Db;
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserJobRow {
    pub id: String,
    pub tenant_id: String,
    pub operation: String,
    pub status: String,
    pub owner_id: Option<String>,
    pub user_id: Option<String>,
    pub items: String,
    pub created_at: i64,
}

pub async fn insert(db: &Db, j: &UserJobRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_jobs (id, tenant_id, operation, status, owner_id, user_id, items, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&j.id)
    .bind(&j.tenant_id)
    .bind(&j.operation)
    .bind(&j.status)
    .bind(&j.owner_id)
    .bind(&j.user_id)
    .bind(&j.items)
    .bind(j.created_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn get(db: &Db, tenant_id: &str, id: &str) -> Result<Option<UserJobRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM user_jobs WHERE id = $1 AND tenant_id = $2")
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(db.pool())
            .await?,
    )
}
