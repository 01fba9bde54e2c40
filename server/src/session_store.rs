//! The portal's session store: tower-sessions' SQLite store behind a wrapper that stores each
//! session under a keyed hash of its id. The cookie value (the id) is a bearer token, so like
//! PAT secrets and API session tokens it never reaches the database in clear; a stolen
//! database file cannot be replayed as a cookie.

use async_trait::async_trait;
use patio_service::ServerKey;
use patio_service::crypto::keys::Purpose;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::SqliteStore;

#[derive(Clone, Debug)]
pub struct HashedIdStore {
    inner: SqliteStore,
    key: ServerKey,
}

impl HashedIdStore {
    pub fn new(inner: SqliteStore, key: ServerKey) -> Self {
        Self { inner, key }
    }

    fn stored_id(&self, id: &Id) -> Id {
        let mac = self.key.mac(Purpose::UiSessionId, &id.0.to_le_bytes());
        Id(i128::from_le_bytes(mac[..16].try_into().expect("16 bytes")))
    }

    fn stored(&self, r: &Record) -> Record {
        Record {
            id: self.stored_id(&r.id),
            data: r.data.clone(),
            expiry_date: r.expiry_date,
        }
    }
}

#[async_trait]
impl SessionStore for HashedIdStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A collision of 128-bit random ids is theoretical, but never overwrite a session.
        while self
            .inner
            .load(&self.stored_id(&record.id))
            .await?
            .is_some()
        {
            record.id = Id::default();
        }
        self.inner.save(&self.stored(record)).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.inner.save(&self.stored(record)).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        Ok(self
            .inner
            .load(&self.stored_id(id))
            .await?
            .map(|r| Record { id: *id, ..r }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner.delete(&self.stored_id(id)).await
    }
}

#[async_trait]
impl ExpiredDeletion for HashedIdStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.inner.delete_expired().await
    }
}
