//! The database: embedded SQLite by default, PostgreSQL when `DATABASE_URL` says `postgres://`.
//!
//! Store modules write each SQL statement once, in the dialect both engines accept
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`). [`with_db!`] compiles the same statement
//! against each concrete pool, so both backends keep their native types (timestamps, booleans)
//! without the lowest common denominator of `sqlx::Any`.

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
};
use std::{future::Future, str::FromStr, time::Duration};

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend is configured.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// An open write transaction on whichever backend is configured. A write that spans store
/// modules (a request change and the notifications it causes, say) opens one and hands it to
/// each module's function, so every module keeps its own SQL and the caller one transaction.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await,
            Tx::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// Runs `$body` with `$conn` bound to the connection of the open transaction `$tx` (a
/// `&mut Tx`), as [`with_db!`] does for pools.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $conn: &mut sqlx::PgConnection = &mut *tx;
                $body
            }
        }
    };
}

/// Starts a transaction that will write.
///
/// SQLite upgrades a deferred transaction to a writer lazily and then fails with `SQLITE_BUSY`
/// without waiting; `BEGIN IMMEDIATE` takes the write lock up front, so concurrent writers queue
/// on the busy timeout instead.
pub trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Database = Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("database connection failed: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the migrated database has {0} rows whose foreign keys point nowhere")]
    ForeignKeys(usize),
    #[error("cannot create the database directory {0}: {1}")]
    Directory(String, std::io::Error),
}

impl Db {
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn is_postgres_url(url: &str) -> bool {
        url.starts_with("postgres://") || url.starts_with("postgresql://")
    }

    /// Connects to the database named by `url`. A SQLite file and its directory are created
    /// when missing.
    pub async fn connect(url: &str) -> Result<Db, DbSetupError> {
        Self::connect_in_schema(url, None).await
    }

    /// Like [`Db::connect`], but on PostgreSQL every connection works inside `schema`.
    /// Tests use this to give each test its own namespace inside one database.
    pub async fn connect_in_schema(url: &str, schema: Option<&str>) -> Result<Db, DbSetupError> {
        if Self::is_postgres_url(url) {
            // The portal's statements are short; JIT compilation costs them 20-30 ms each
            // once a join's estimated cost passes `jit_above_cost`, and never pays back.
            let mut options = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
            if let Some(schema) = schema {
                options = options.options([("search_path", schema)]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                // A ping before every checkout doubles the round trips of each query; a
                // connection that broke fails its query, and the pool then replaces it.
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let path = options.get_filename();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbSetupError::Directory(dir.display().to_string(), e))?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                // Each ping is a round trip to the connection's worker thread; an embedded
                // database does not drop connections.
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        }
    }

    /// Brings the schema up to date. Both migration sets describe the same schema; a test
    /// compares them table by table.
    pub async fn migrate(&self) -> Result<(), DbSetupError> {
        match self {
            Db::Sqlite(pool) => {
                // SQLite adds constraints to a table by rebuilding it, which needs foreign keys
                // off; that cannot change inside the migration's transaction, so it happens
                // around it, and the keys are checked before they are switched back on.
                let mut conn = pool.acquire().await?;
                sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
                let migrated = sqlx::migrate!("../migrations/sqlite").run(&mut *conn).await;
                let violations = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut *conn).await?;
                sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                migrated?;
                if !violations.is_empty() {
                    return Err(DbSetupError::ForeignKeys(violations.len()));
                }
            }
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// True when the database answers a trivial query.
    /// Starts a write transaction; see [`BeginWrite`] for why SQLite's takes its lock at once.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(BeginWrite::begin_write(pool).await?),
            Db::Postgres(pool) => Tx::Postgres(BeginWrite::begin_write(pool).await?),
        })
    }

    pub async fn ping(&self) -> bool {
        with_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }

    pub async fn close(&self) {
        with_db!(self, pool => pool.close().await)
    }
}
