//! Checks behind the tier server functions.

use crate::{
    auth::CurrentUser,
    db::Db,
    error::{AppError, Conflict, Field, Problem},
    kernel::{OrgId, TierId},
    orgs::{OrgKind, store, TierInput, TierSetup},
};

pub async fn setup(db: &Db) -> Result<TierSetup, AppError> {
    let tiers = store::tiers(db).await?;
    let subsidiaries = store::list(db).await?.into_iter().filter(|o| o.kind == OrgKind::Subsidiary).collect();
    Ok(TierSetup { tiers, subsidiaries })
}

pub async fn save(db: &Db, admin: &CurrentUser, id: Option<TierId>, input: &TierInput) -> Result<TierId, AppError> {
    let tier = input.check().map_err(AppError::Invalid)?;
    if let Some(id) = id {
        if !store::tiers(db).await?.iter().any(|t| t.id == id) {
            return Err(AppError::NotFound);
        }
    }
    let saved = store::save_tier(db, id, &tier).await?.ok_or(AppError::Conflict(Conflict::CodeTaken))?;
    tracing::info!(tier = %saved, code = %tier.code, admin = %admin.id, "tier saved");
    Ok(saved)
}

pub async fn assign(db: &Db, admin: &CurrentUser, org: OrgId, tier: Option<TierId>) -> Result<(), AppError> {
    if !store::set_tier(db, org, tier).await? {
        return Err(AppError::invalid(Field::Tier, Problem::UnknownChoice));
    }
    tracing::info!(%org, tier = ?tier, admin = %admin.id, "subsidiary's tier set");
    Ok(())
}
