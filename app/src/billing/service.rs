//! The price list page's work: what exists, and a new version checked and stored whole.

use super::{next_month, store, PriceListInput, PriceSetup};
use crate::{
    auth::CurrentUser,
    db::Db,
    error::{AppError, Field, Problem},
    kernel::{TierId, TypeId},
    operations::store as choices,
    time,
};
use chrono::{DateTime, NaiveDate, Utc};

/// The first month a new version may start: after the month under way (its requests are
/// priced already) and after the latest version.
async fn earliest(db: &Db, now: DateTime<Utc>) -> Result<NaiveDate, AppError> {
    let this_month = next_month(now.with_timezone(&time::CENTER_TIME_ZONE).date_naive());
    Ok(match store::latest_start(db).await? {
        Some(latest) => this_month.max(next_month(latest)),
        None => this_month,
    })
}

pub async fn setup(db: &Db, now: DateTime<Utc>) -> Result<PriceSetup, AppError> {
    Ok(PriceSetup {
        versions: store::versions(db).await?,
        types: choices::types(db).await?,
        tiers: choices::tiers(db).await?,
        earliest: earliest(db, now).await?,
    })
}

/// Stores a new version; its number.
pub async fn save(db: &Db, admin: &CurrentUser, input: &PriceListInput, now: DateTime<Utc>) -> Result<i64, AppError> {
    let types: Vec<TypeId> = choices::types(db).await?.iter().map(|c| TypeId(c.id)).collect();
    let tiers: Vec<TierId> = choices::tiers(db).await?.iter().map(|c| TierId(c.id)).collect();
    let earliest = earliest(db, now).await?;
    let checked = input.check(&types, &tiers, earliest)?;
    let id = store::insert(db, &checked, admin.id, now)
        .await?
        .ok_or_else(|| AppError::invalid(Field::EffectiveDate, Problem::OverlapsVersion { earliest }))?;
    tracing::info!(price_list = id, effective_from = %checked.effective_from, admin = %admin.id, "price list version saved");
    Ok(id)
}
