//! Server functions for tiers: admins edit them and put subsidiaries in them.

use crate::{error::AppError, kernel::{OrgId, TierId}, orgs::{TierInput, TierSetup}};
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    orgs::service,
    state::app_state,
};

#[server(endpoint = "tiers/setup")]
pub async fn load_tier_setup() -> Result<TierSetup, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageTiers, Target::Portal)?;
    service::setup(&app_state()?.db).await
}

/// Creates a tier (`id` none) or changes one.
#[server(endpoint = "tiers/save", input = Json)]
pub async fn save_tier(id: Option<TierId>, tier: TierInput) -> Result<TierId, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageTiers, Target::Portal)?;
    service::save(&app_state()?.db, &user, id, &tier).await
}

#[server(endpoint = "tiers/assign")]
pub async fn assign_tier(org: OrgId, tier: Option<TierId>) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageTiers, Target::Organisation(org))?;
    service::assign(&app_state()?.db, &user, org, tier).await
}
