//! Repositories: every SQL statement in Patio lives in this module, one file per table group.
//! Functions take the [`Db`](crate::db::Db) and plain values and return row structs.

pub mod activity;
pub mod api_sessions;
pub mod groups;
pub mod pats;
pub mod sites;
pub mod sso;
pub mod tenants;
pub mod user_jobs;
pub mod users;
