//! Server functions for requests. Each authenticates, asks the rules, then makes one call.

use crate::{
    catalogue::Team,
    error::AppError,
    kernel::{RequestId, TeamId},
    requests::{
        AgentChoice, CannedReply, Command, ListFilter, NewRequestInput, Queue, QueueCounts,
        RequestPage, SubmissionSetup,
    },
};
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    catalogue::store as catalogue,
    requests::{service, store},
    state::app_state,
};

/// What the submission form needs: the types to choose from and the upload limits.
#[server(endpoint = "requests/form")]
pub async fn submission_form() -> Result<SubmissionSetup, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ViewCatalogue, Target::Portal)?;
    let state = app_state()?;
    service::submission_form(&state.db, &user, state.settings.uploads).await
}

/// Submits a new request with its fields and staged files. A repeated submission with the
/// same idempotency key answers the request stored the first time.
#[server(endpoint = "requests/submit", input = Json)]
pub async fn submit_request(input: NewRequestInput) -> Result<RequestId, AppError> {
    let user = current_user().await?;
    let org = service::submitting_org(&user, input.org)?;
    authz::may(&user, Action::SubmitRequest, Target::Organisation(org))?;
    let state = app_state()?;
    service::submit(&state.db, &state.settings.uploads, &user, org, &input).await
}

/// The requests this user may see, filtered, sorted and paged by keyset.
#[server(endpoint = "requests/list", input = Json)]
pub async fn list_requests(filter: ListFilter) -> Result<RequestPage, AppError> {
    let user = current_user().await?;
    let scope = authz::request_scope(&user);
    let state = app_state()?;
    let zone = crate::time::zone(&user.time_zone);
    service::list(&state.db, &scope, &filter, |day| crate::time::start_of_day(day, zone)).await
}

/// Applies one action to a request the user saw at `version`; answers the new version.
#[server(endpoint = "requests/act", input = Json)]
pub async fn act_on_request(id: RequestId, version: i64, command: Command) -> Result<i64, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let facts = store::state(&state.db, id).await?.ok_or(AppError::NotFound)?;
    service::authorize(&user, &facts, &command)?;
    service::act(&state, &user, id, version, &facts, command).await
}

/// One of the agent's queues, with the counts of every tab.
#[server(endpoint = "requests/queue")]
pub async fn work_queue(queue: Queue, after: Option<String>) -> Result<(QueueCounts, RequestPage), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ViewQueues, Target::Portal)?;
    let state = app_state()?;
    service::queue(&state.db, &user, queue, after.as_deref()).await
}

/// Teams and agents a request can be transferred to.
#[server(endpoint = "requests/transfer-options")]
pub async fn transfer_options() -> Result<(Vec<Team>, Vec<AgentChoice>), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ViewQueues, Target::Portal)?;
    let db = &app_state()?.db;
    Ok((catalogue::teams(db).await?, store::agents(db).await?))
}

/// The canned replies of the agent's teams.
#[server(endpoint = "requests/canned")]
pub async fn canned_replies() -> Result<Vec<CannedReply>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::UseCannedReplies, Target::Portal)?;
    service::canned_replies(&app_state()?.db, &user).await
}

/// The agent's teams and their canned replies, for editing them.
#[server(endpoint = "requests/canned-setup")]
pub async fn canned_reply_setup() -> Result<(Vec<Team>, Vec<CannedReply>), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::UseCannedReplies, Target::Portal)?;
    service::canned_reply_setup(&app_state()?.db, &user).await
}

#[server(endpoint = "requests/canned-add")]
pub async fn add_canned_reply(team: TeamId, title: String, body: String) -> Result<i64, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::UseCannedReplies, Target::Portal)?;
    service::add_canned_reply(&app_state()?.db, &user, team, &title, &body).await
}

#[server(endpoint = "requests/canned-delete")]
pub async fn delete_canned_reply(id: i64) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::UseCannedReplies, Target::Portal)?;
    service::delete_canned_reply(&app_state()?.db, &user, id).await
}

/// A request's clock as it stands now, for the panel's refresh.
#[server(endpoint = "requests/clock")]
pub async fn request_clock(id: RequestId) -> Result<crate::sla::clock::SlaPanel, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let facts = store::state(&state.db, id).await?.ok_or(AppError::NotFound)?;
    authz::may(&user, Action::ViewRequest, facts.target())?;
    crate::sla::service::panel(&state.db, id, chrono::Utc::now()).await
}

/// The policy versions a request's client was shown before submitting, for the center's staff.
#[server(endpoint = "policies/seen-before-submitting")]
pub async fn policies_seen_before_submitting(request: RequestId) -> Result<Vec<crate::policies::SeenPolicy>, AppError> {
    let user = current_user().await?;
    let db = &app_state()?.db;
    let facts = store::state(db, request).await?.ok_or(AppError::NotFound)?;
    authz::may(&user, Action::ViewInternal, facts.target())?;
    crate::policies::service::seen_before_submitting(db, request, user.language).await
}
