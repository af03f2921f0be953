//! The PostgreSQL schemas a run makes, dropped whatever becomes of the run.

use crate::streams::lock;
use app::db::Db;
use tools::BoxError;
use std::{sync::Mutex, time::Duration};

/// The PostgreSQL schemas this run made, dropped whatever becomes of the run.
pub(crate) struct Schemas {
    pub(crate) admin: Option<Db>,
    pub(crate) made: Mutex<Vec<String>>,
}

impl Schemas {
    pub(crate) async fn connect(postgres: Option<&str>) -> Result<Schemas, BoxError> {
        let admin = match postgres {
            Some(url) => Some(Db::connect(url).await?),
            None => None,
        };
        Ok(Schemas { admin, made: Mutex::new(Vec::new()) })
    }

    pub(crate) async fn create(&self, schema: &str) -> Result<(), BoxError> {
        let Some(Db::Postgres(pool)) = &self.admin else { return Err("no PostgreSQL connection".into()) };
        // A schema left by an earlier run with the same process id would hold stale data.
        sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).execute(pool).await?;
        sqlx::query(&format!("CREATE SCHEMA \"{schema}\"")).execute(pool).await?;
        lock(&self.made).push(schema.to_string());
        Ok(())
    }

    pub(crate) async fn drop_all(&self) {
        let Some(Db::Postgres(pool)) = &self.admin else { return };
        let made = std::mem::take(&mut *lock(&self.made));
        for schema in made {
            let dropped = tokio::time::timeout(
                Duration::from_secs(30),
                sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).execute(pool),
            )
            .await;
            match dropped {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => eprintln!("warning: could not drop schema {schema}: {error}"),
                Err(_) => eprintln!("warning: dropping schema {schema} took too long; drop it by hand"),
            }
        }
    }
}
