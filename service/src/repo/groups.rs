use crate::db::Db;
use crate::error::Result;

pub async fn insert(db: &Db, id: &str, site_id: &str, name: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO site_groups (id, site_id, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(site_id)
        .bind(name)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn add_member(db: &Db, group_id: &str, user_id: &str) -> Result<()> {
    sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)")
        .bind(group_id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
