//! Server functions for the catalogue.

use super::{RequestType, Team, TypeDraft, TypeId};
use crate::error::AppError;
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    catalogue::store,
    state::app_state,
};

/// The types a user can submit now.
#[server(endpoint = "catalogue/types")]
pub async fn list_request_types() -> Result<Vec<RequestType>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ViewCatalogue, Target::Portal)?;
    Ok(store::current_types(&app_state()?.db, false).await?)
}

/// Every type, with inactive ones, for the admin's catalogue page.
#[server(endpoint = "catalogue/all-types")]
pub async fn list_all_request_types() -> Result<(Vec<RequestType>, Vec<Team>), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageCatalogue, Target::Portal)?;
    let db = &app_state()?.db;
    Ok((store::current_types(db, true).await?, store::teams(db).await?))
}

/// Saves a type as a new version; requests already submitted keep the version they used.
#[server(endpoint = "catalogue/save-type", input = Json)]
pub async fn save_request_type(
    existing: Option<(TypeId, i64)>,
    draft: TypeDraft,
) -> Result<TypeId, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageCatalogue, Target::Portal)?;
    crate::catalogue::service::save(&app_state()?.db, &user, existing, &draft).await
}
