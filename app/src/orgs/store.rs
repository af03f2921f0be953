//! SQL for organisations and tiers.

use super::{OrgId, OrgKind, Organisation, Tier, TierId};
use crate::{db::Db, with_db};

const SELECT_ORG: &str = "SELECT o.id, o.code, o.name, o.kind, o.tier_id, t.code AS tier_code, o.active \
     FROM organisations o LEFT JOIN tiers t ON t.id = o.tier_id";

pub async fn list(db: &Db) -> Result<Vec<Organisation>, sqlx::Error> {
    let sql = format!("{SELECT_ORG} ORDER BY o.kind, o.code");
    with_db!(db, pool => sqlx::query_as::<_, Organisation>(&sql).fetch_all(pool).await)
}

pub async fn find(db: &Db, id: OrgId) -> Result<Option<Organisation>, sqlx::Error> {
    let sql = format!("{SELECT_ORG} WHERE o.id = $1");
    with_db!(db, pool => sqlx::query_as::<_, Organisation>(&sql).bind(id).fetch_optional(pool).await)
}

pub async fn find_by_code(db: &Db, code: &str) -> Result<Option<Organisation>, sqlx::Error> {
    let sql = format!("{SELECT_ORG} WHERE o.code = $1");
    with_db!(db, pool => sqlx::query_as::<_, Organisation>(&sql).bind(code).fetch_optional(pool).await)
}

pub async fn tiers(db: &Db) -> Result<Vec<Tier>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, Tier>(
        "SELECT id, code, name_zh, name_en, rank FROM tiers ORDER BY rank"
    ).fetch_all(pool).await)
}

pub async fn tier_by_code(db: &Db, code: &str) -> Result<Option<TierId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, TierId>("SELECT id FROM tiers WHERE code = $1")
        .bind(code).fetch_optional(pool).await)
}

/// Creates the organisation unless one with the same code exists; returns its id either way.
pub async fn ensure(
    db: &Db,
    code: &str,
    name: &str,
    kind: OrgKind,
    tier: Option<TierId>,
) -> Result<OrgId, sqlx::Error> {
    let now = chrono::Utc::now();
    with_db!(db, pool => {
        sqlx::query(
            "INSERT INTO organisations (code, name, kind, tier_id, active, created_at) \
             VALUES ($1, $2, $3, $4, TRUE, $5) ON CONFLICT (code) DO NOTHING",
        )
        .bind(code).bind(name).bind(kind).bind(tier).bind(now)
        .execute(pool).await?;
        sqlx::query_scalar::<_, OrgId>("SELECT id FROM organisations WHERE code = $1")
            .bind(code).fetch_one(pool).await
    })
}

/// The center's own organisation, to which agents and admins belong.
pub async fn center(db: &Db) -> Result<Option<Organisation>, sqlx::Error> {
    let sql = format!("{SELECT_ORG} WHERE o.kind = 'center' ORDER BY o.id LIMIT 1");
    with_db!(db, pool => sqlx::query_as::<_, Organisation>(&sql).fetch_optional(pool).await)
}
