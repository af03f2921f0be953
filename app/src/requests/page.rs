//! The request page: the request with what the other capabilities show on it (the clock of
//! `sla`, the rating of `ratings`, the policy versions of `policies`). It stands above all of
//! them, so that none of them needs the others to build it.

use crate::{
    attachments::Attachment,
    catalogue::RequestType,
    error::AppError,
    kernel::{RequestId, UploadLimits},
    policies::RequestPolicies,
    ratings::Feedback,
    requests::{Abilities, RequestEvent, RequestRecord},
    sla::clock::SlaPanel,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    attachments::store as files,
    auth::{ssr::current_user, CurrentUser},
    authz::{self, Action},
    catalogue::store as catalogue,
    db::Db,
    policies::links as policy_links,
    ratings::service as rating_service,
    requests::{
        service::abilities,
        store::{self, RequestState},
    },
    sla::service as sla,
    state::{app_state, RatingPolicy},
};
#[cfg(feature = "ssr")]
use chrono::Utc;

/// A request as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub request: RequestRecord,
    pub request_type: RequestType,
    pub events: Vec<RequestEvent>,
    pub attachments: Vec<Attachment>,
    pub abilities: Abilities,
    pub limits: UploadLimits,
    /// The policy versions behind the request; empty for those who do not see internals.
    pub policies: RequestPolicies,
    /// The rating, its follow-up, or the invitation to rate, as this reader may see them.
    pub feedback: Feedback,
    /// Both targets as the clock counts them, the same for everyone who may see the request.
    pub sla: SlaPanel,
}

#[server(endpoint = "requests/get")]
pub async fn get_request(id: RequestId) -> Result<RequestDetail, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let facts = store::state(&state.db, id).await?.ok_or(AppError::NotFound)?;
    authz::may(&user, Action::ViewRequest, facts.target())?;
    detail(&state.db, &user, id, &facts, state.settings.uploads, &state.settings.ratings).await
}

/// The request page: internal notes and files only for those the rules let see them.
#[cfg(feature = "ssr")]
pub async fn detail(
    db: &Db,
    user: &CurrentUser,
    id: RequestId,
    state: &RequestState,
    limits: UploadLimits,
    ratings: &RatingPolicy,
) -> Result<RequestDetail, AppError> {
    let abilities = abilities(user, state);
    let request = store::record(db, id).await?.ok_or(AppError::NotFound)?;
    let request_type = catalogue::type_version(db, request.type_version_id).await?.ok_or(AppError::Internal)?;
    let events = store::events(db, id, abilities.sees_internal).await?;
    let attachments = files::for_request(db, id, abilities.sees_internal).await?;
    let policies = if abilities.sees_internal {
        policy_links::for_request(db, id, user.language).await?
    } else {
        Default::default()
    };
    let now = Utc::now();
    let feedback = rating_service::feedback(db, ratings, user, id, state, now).await?;
    let sla = sla::panel(db, id, now).await?;
    Ok(RequestDetail { request, request_type, events, attachments, abilities, limits, policies, feedback, sla })
}
