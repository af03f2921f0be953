//! Server functions for the catalogue.

use crate::{catalogue::{RequestType, Team, TypeDraft, TypeName}, error::AppError, kernel::TypeId};
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    catalogue::store,
    state::app_state,
};

/// The names of the types a user can submit now, for filters.
#[server(endpoint = "catalogue/type-names")]
pub async fn request_type_names() -> Result<Vec<TypeName>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ViewCatalogue, Target::Portal)?;
    Ok(store::type_names(&app_state()?.db).await?)
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
