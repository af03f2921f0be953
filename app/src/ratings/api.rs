//! Server functions for ratings and follow-ups. Each authenticates, asks the rules, then makes
//! one call.

use crate::{
    error::AppError,
    kernel::{FollowUpId, RatingId, RequestId},
    ratings::{FollowUpFilter, FollowUpList, FollowUpOutcome, OrgSatisfaction, RatingInput},
};
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    ratings::service,
    requests::store as requests,
    state::app_state,
};

/// Rates the current resolution of a request the user submitted; the request closes. The
/// resolution, the credited agents and the organisation come from the stored request.
#[server(endpoint = "ratings/rate", input = Json)]
pub async fn rate_request(id: RequestId, input: RatingInput) -> Result<RatingId, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let facts = requests::state(&state.db, id).await?.ok_or(AppError::NotFound)?;
    authz::may(&user, Action::ViewRequest, facts.target())?;
    authz::may(&user, Action::RateRequest, facts.target())?;
    service::rate(&state, &user, id, &facts, &input).await
}

/// Changes the user's rating of the request while that is still allowed.
#[server(endpoint = "ratings/change", input = Json)]
pub async fn change_rating(id: RequestId, input: RatingInput) -> Result<(), AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let record = service::rating_of(&state.db, id).await?;
    let target = service::rating_target(&record, &state.settings.ratings);
    authz::may(&user, Action::ViewRating, target)?;
    authz::may(&user, Action::RateRequest, target)?;
    service::change(&state, &user, &record, &input).await
}

/// The center has read the comment of the request's rating; the credited agents may now read it.
#[server(endpoint = "ratings/review")]
pub async fn review_rating(id: RequestId) -> Result<(), AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let record = service::rating_of(&state.db, id).await?;
    let target = service::rating_target(&record, &state.settings.ratings);
    authz::may(&user, Action::ViewRating, target)?;
    authz::may(&user, Action::ReviewRatingComment, target)?;
    service::review_comment(&state.db, &record).await
}

/// Closes a follow-up, seen at `version`, with its outcome.
#[server(endpoint = "ratings/close-follow-up", input = Json)]
pub async fn close_follow_up(id: FollowUpId, version: i64, outcome: FollowUpOutcome) -> Result<(), AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let record = service::follow_up(&state.db, id).await?;
    let target = service::follow_up_target(&record);
    authz::may(&user, Action::ViewFollowUp, target)?;
    authz::may(&user, Action::CloseFollowUp, target)?;
    service::close_follow_up(&state, &user, &record, version, &outcome).await
}

/// The follow-ups of the user's subsidiaries (all of them for admins), one tab at a time.
#[server(endpoint = "ratings/follow-ups", input = Json)]
pub async fn follow_ups(filter: FollowUpFilter) -> Result<FollowUpList, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ListFollowUps, Target::Portal)?;
    service::follow_up_list(&app_state()?.db, &user, &filter).await
}

/// Satisfaction over the last 30 and 90 days per subsidiary the user follows.
#[server(endpoint = "ratings/satisfaction")]
pub async fn satisfaction() -> Result<Vec<OrgSatisfaction>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ListFollowUps, Target::Portal)?;
    service::satisfaction(&app_state()?.db, &user, chrono::Utc::now()).await
}
