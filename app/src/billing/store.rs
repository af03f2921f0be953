//! SQL for the price list: its versions, each stored whole in one transaction.

use super::{CheckedPriceList, CreditRule, Currency, PriceList};
use crate::{
    db::Db,
    kernel::{TierId, TypeId, UserId},
    with_db, with_tx,
};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: i64,
    effective_from: NaiveDate,
    currency: Currency,
    month_end_days: i64,
    month_end_percent: i64,
    credit_cap_percent: i64,
    created_by: String,
    created_at: DateTime<Utc>,
}

/// Every version, newest first, with its prices, quotas and credits.
pub async fn versions(db: &Db) -> Result<Vec<PriceList>, sqlx::Error> {
    let (rows, prices, quotas, credits) = with_db!(db, pool => {
        let rows = sqlx::query_as::<_, VersionRow>(
            "SELECT p.id, p.effective_from, p.currency, p.month_end_days, p.month_end_percent, p.credit_cap_percent, \
             u.display_name AS created_by, p.created_at FROM price_lists p JOIN users u ON u.id = p.created_by \
             ORDER BY p.effective_from DESC"
        ).fetch_all(pool).await?;
        let prices = sqlx::query_as::<_, (i64, TypeId, i64)>(
            "SELECT price_list_id, type_id, amount_minor FROM price_list_prices ORDER BY type_id"
        ).fetch_all(pool).await?;
        let quotas = sqlx::query_as::<_, (i64, TierId, i64)>(
            "SELECT price_list_id, tier_id, free_requests FROM price_list_quotas ORDER BY tier_id"
        ).fetch_all(pool).await?;
        let credits = sqlx::query_as::<_, (i64, TypeId, TierId, i64, i64)>(
            "SELECT price_list_id, type_id, tier_id, first_response_percent, resolution_percent FROM price_list_credits \
             ORDER BY type_id, tier_id"
        ).fetch_all(pool).await?;
        Ok::<_, sqlx::Error>((rows, prices, quotas, credits))
    })?;
    Ok(rows
        .into_iter()
        .map(|r| PriceList {
            prices: prices.iter().filter(|p| p.0 == r.id).map(|p| (p.1, p.2)).collect(),
            quotas: quotas.iter().filter(|q| q.0 == r.id).map(|q| (q.1, q.2)).collect(),
            credits: credits
                .iter()
                .filter(|c| c.0 == r.id)
                .map(|c| CreditRule { type_id: c.1, tier_id: c.2, first_response_percent: c.3, resolution_percent: c.4 })
                .collect(),
            id: r.id,
            effective_from: r.effective_from,
            currency: r.currency,
            month_end_days: r.month_end_days,
            month_end_percent: r.month_end_percent,
            credit_cap_percent: r.credit_cap_percent,
            created_by: r.created_by,
            created_at: r.created_at,
        })
        .collect())
}

/// The latest version's first month, if there is one.
pub async fn latest_start(db: &Db) -> Result<Option<NaiveDate>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, Option<NaiveDate>>("SELECT MAX(effective_from) FROM price_lists")
        .fetch_one(pool).await)
}

/// Stores a new version whole, or nothing: `None` when a version already starts that month
/// (the unique key decides between two admins saving at once).
pub async fn insert(db: &Db, list: &CheckedPriceList, by: UserId, now: DateTime<Utc>) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let id = with_tx!(&mut tx, conn => sqlx::query_scalar::<_, i64>(
        "INSERT INTO price_lists (effective_from, currency, month_end_days, month_end_percent, credit_cap_percent, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (effective_from) DO NOTHING RETURNING id"
    ).bind(list.effective_from).bind(list.currency).bind(list.month_end_days).bind(list.month_end_percent)
        .bind(list.credit_cap_percent).bind(by).bind(now).fetch_optional(&mut *conn).await)?;
    let Some(id) = id else {
        tx.rollback().await?;
        return Ok(None);
    };
    for (type_id, minor) in &list.prices {
        with_tx!(&mut tx, conn => sqlx::query("INSERT INTO price_list_prices (price_list_id, type_id, amount_minor) VALUES ($1, $2, $3)")
            .bind(id).bind(type_id).bind(minor).execute(&mut *conn).await.map(|_| ()))?;
    }
    for (tier_id, free) in &list.quotas {
        with_tx!(&mut tx, conn => sqlx::query("INSERT INTO price_list_quotas (price_list_id, tier_id, free_requests) VALUES ($1, $2, $3)")
            .bind(id).bind(tier_id).bind(free).execute(&mut *conn).await.map(|_| ()))?;
    }
    for c in &list.credits {
        with_tx!(&mut tx, conn => sqlx::query(
            "INSERT INTO price_list_credits (price_list_id, type_id, tier_id, first_response_percent, resolution_percent) \
             VALUES ($1, $2, $3, $4, $5)"
        ).bind(id).bind(c.type_id).bind(c.tier_id).bind(c.first_response_percent).bind(c.resolution_percent)
            .execute(&mut *conn).await.map(|_| ()))?;
    }
    tx.commit().await?;
    Ok(Some(id))
}
