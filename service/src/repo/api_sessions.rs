use crate::db::Db;
use crate::error::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiSessionRow {
    pub id: String,
    pub kind: String,
    pub token_hash: String,
    pub user_id: String,
    pub tenant_id: String,
    pub site_id: Option<String>,
    pub pat_id: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
}

pub async fn insert(db: &Db, s: &ApiSessionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_sessions (id, kind, token_hash, user_id, tenant_id, site_id, pat_id, created_at, \
         last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&s.id)
    .bind(&s.kind)
    .bind(&s.token_hash)
    .bind(&s.user_id)
    .bind(&s.tenant_id)
    .bind(&s.site_id)
    .bind(&s.pat_id)
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .bind(s.expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn by_token_hash(db: &Db, kind: &str, hash: &str) -> Result<Option<ApiSessionRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM api_sessions WHERE token_hash = $1 AND kind = $2")
            .bind(hash)
            .bind(kind)
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn touch(db: &Db, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE api_sessions SET last_seen_at = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends one session if still open; false if it had already ended.
pub async fn end(db: &Db, id: &str, reason: &str, now: i64) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE api_sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(reason)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Open sessions started with a PAT.
pub async fn open_of_pat(db: &Db, pat_id: &str) -> Result<Vec<ApiSessionRow>> {
    Ok(
        sqlx::query_as("SELECT * FROM api_sessions WHERE pat_id = $1 AND ended_at IS NULL")
            .bind(pat_id)
            .fetch_all(db.pool())
            .await?,
    )
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<ApiSessionRow>> {
    Ok(sqlx::query_as("SELECT * FROM api_sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}
