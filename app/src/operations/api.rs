//! The dashboard's server function: authenticate, ask the rules for the viewer's scope, one
//! call.

use super::{Dashboard, DashboardAddress};
use crate::error::AppError;
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{auth::ssr::current_user, authz, operations::service, state::app_state};

/// The dashboard for the filters of the address. Agents and clients get "not found".
#[server(endpoint = "operations/dashboard", input = Json)]
pub async fn load_dashboard(address: DashboardAddress) -> Result<Dashboard, AppError> {
    let user = current_user().await?;
    let scope = authz::operations_scope(&user)?;
    let state = app_state()?;
    service::dashboard(&state.db, &scope, &address, &user.time_zone, state.settings.paused_flag_percent, chrono::Utc::now()).await
}
