use crate::db::Db;
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: String,
    pub tenant_id: Option<String>,
    pub site_id: Option<String>,
    pub occurred_at: i64,
    pub event_type: String,
    pub actor_user_id: Option<String>,
    pub actor_name: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub source_address: Option<String>,
    pub details: String,
}

pub async fn insert(db: &Db, e: &ActivityRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO activity_events (id, tenant_id, site_id, occurred_at, event_type, actor_user_id, \
         actor_name, target_type, target_id, source_address, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&e.id)
    .bind(&e.tenant_id)
    .bind(&e.site_id)
    .bind(e.occurred_at)
    .bind(&e.event_type)
    .bind(&e.actor_user_id)
    .bind(&e.actor_name)
    .bind(&e.target_type)
    .bind(&e.target_id)
    .bind(&e.source_address)
    .bind(&e.details)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Newest first.
pub async fn list_for_tenant(db: &Db, tenant_id: &str, limit: i64) -> Result<Vec<ActivityRow>> {
    Ok(sqlx::query_as(
        "SELECT * FROM activity_events WHERE tenant_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2",
    )
    .bind(tenant_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

pub async fn list_by_type(db: &Db, event_type: &str) -> Result<Vec<ActivityRow>> {
    Ok(sqlx::query_as(
        "SELECT * FROM activity_events WHERE event_type = $1 ORDER BY occurred_at, id",
    )
    .bind(event_type)
    .fetch_all(db.pool())
    .await?)
}
