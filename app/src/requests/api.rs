//! Server functions for requests.

use super::{RequestDetail, RequestId, RequestPage};
use crate::{error::AppError, orgs::OrgId};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    requests::{service, store},
    state::app_state,
};

/// Submits a new request for `org` (or the user's only subsidiary) and opens its page.
#[server(endpoint = "requests/submit")]
pub async fn submit_request(
    title: String,
    description: String,
    org: Option<OrgId>,
) -> Result<RequestId, AppError> {
    let user = current_user().await?;
    let org = service::submitting_org(&user, org)?;
    authz::may(&user, Action::SubmitRequest, Target::Organisation(org))?;
    let state = app_state()?;
    let id = service::submit(&state.db, &user, org, &title, &description).await?;
    leptos_axum::redirect(&format!("/requests/{id}"));
    Ok(id)
}

/// The requests this user may see, newest first.
#[server(endpoint = "requests/list")]
pub async fn list_requests(before: Option<RequestId>) -> Result<RequestPage, AppError> {
    let user = current_user().await?;
    let scope = authz::request_scope(&user);
    let state = app_state()?;
    Ok(store::list(&state.db, &scope, before).await?)
}

#[server(endpoint = "requests/get")]
pub async fn get_request(id: RequestId) -> Result<RequestDetail, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let facts = store::access_facts(&state.db, id).await?.ok_or(AppError::NotFound)?;
    authz::may(
        &user,
        Action::ViewRequest,
        Target::Request { org: facts.org_id, requester: facts.requester_id },
    )?;
    store::detail(&state.db, id).await?.ok_or(AppError::NotFound)
}
