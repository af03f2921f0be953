//! The session store: tower-sessions' sqlx store on the same database as everything else.

use app::db::Db;
use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

pub use app::auth::SESSION_COOKIE;

/// One store type for the router, whichever backend is configured.
#[derive(Debug, Clone)]
pub enum PortalSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl PortalSessionStore {
    /// Creates the store's table. On PostgreSQL it lives in `schema` (the tests give each
    /// test its own schema; deployments use `public`).
    pub async fn open(db: &Db, pg_schema: &str) -> Result<Self, sqlx::Error> {
        let store = match db {
            Db::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone());
                store.migrate().await?;
                PortalSessionStore::Sqlite(store)
            }
            Db::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone())
                    .with_schema_name(pg_schema)
                    .map_err(|e| sqlx::Error::Configuration(e.into()))?
                    .with_table_name("sessions")
                    .map_err(|e| sqlx::Error::Configuration(e.into()))?;
                store.migrate().await?;
                PortalSessionStore::Postgres(store)
            }
        };
        Ok(store)
    }
}

#[async_trait]
impl SessionStore for PortalSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            PortalSessionStore::Sqlite(s) => s.create(record).await,
            PortalSessionStore::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            PortalSessionStore::Sqlite(s) => s.save(record).await,
            PortalSessionStore::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            PortalSessionStore::Sqlite(s) => s.load(id).await,
            PortalSessionStore::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            PortalSessionStore::Sqlite(s) => s.delete(id).await,
            PortalSessionStore::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for PortalSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            PortalSessionStore::Sqlite(s) => s.delete_expired().await,
            PortalSessionStore::Postgres(s) => s.delete_expired().await,
        }
    }
}
