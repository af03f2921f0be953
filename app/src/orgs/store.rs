//! SQL for organisations and tiers.

use crate::{
    db::Db,
    kernel::{OrgId, TierId},
    orgs::{Organisation, OrgKind, Tier, TierInput},
    with_db,
};

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
        "SELECT id, code, name_zh, name_en, rank, sla_percent, queue_priority FROM tiers ORDER BY rank, code"
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

/// Creates a tier, or updates the one named; `None` when the code is taken by another tier
/// (or the tier to update does not exist).
pub async fn save_tier(db: &Db, id: Option<TierId>, tier: &TierInput) -> Result<Option<TierId>, sqlx::Error> {
    let saved = with_db!(db, pool => match id {
        Some(id) => sqlx::query_scalar::<_, TierId>(
            "UPDATE tiers SET code = $1, name_zh = $2, name_en = $3, rank = $4, sla_percent = $5, queue_priority = $6 \
             WHERE id = $7 RETURNING id"
        )
        .bind(&tier.code).bind(&tier.name_zh).bind(&tier.name_en).bind(tier.rank).bind(tier.sla_percent)
        .bind(tier.queue_priority).bind(id)
        .fetch_optional(pool).await,
        None => sqlx::query_scalar::<_, TierId>(
            "INSERT INTO tiers (code, name_zh, name_en, rank, sla_percent, queue_priority) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(&tier.code).bind(&tier.name_zh).bind(&tier.name_en).bind(tier.rank).bind(tier.sla_percent)
        .bind(tier.queue_priority)
        .fetch_optional(pool).await,
    });
    match saved {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        other => other,
    }
}

/// Puts a subsidiary in a tier (or in none); `false` when there is no such subsidiary.
pub async fn set_tier(db: &Db, org: OrgId, tier: Option<TierId>) -> Result<bool, sqlx::Error> {
    let updated = with_db!(db, pool => sqlx::query(
        "UPDATE organisations SET tier_id = $1 WHERE id = $2 AND kind = 'subsidiary' \
         AND ($1 IS NULL OR EXISTS (SELECT 1 FROM tiers WHERE id = $1))"
    ).bind(tier).bind(org).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(updated == 1)
}

/// The percentage of the standard SLA hours that applies to `org`'s requests.
pub async fn sla_percent(db: &Db, org: OrgId) -> Result<i64, sqlx::Error> {
    let percent = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT t.sla_percent FROM organisations o JOIN tiers t ON t.id = o.tier_id WHERE o.id = $1"
    ).bind(org).fetch_optional(pool).await)?;
    Ok(percent.unwrap_or(100))
}
