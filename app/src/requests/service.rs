//! The steps behind the request server functions: checking input, applying the lifecycle
//! table, and handing one change to the store.

use crate::{
    attachments::store as files,
    auth::CurrentUser,
    authz::{self, Action},
    catalogue::store as catalogue,
    db::Db,
    error::{AppError, Conflict, Field, FieldError, Problem},
    kernel::{AttachmentId, MIB, OrgId, RequestAction, RequestId, RequestStatus, Side, UploadLimits},
    policies::links as policy_links,
    requests::{
        Abilities, CheckedSubmission, Command, EventKind, MESSAGE_MAX, NewRequestInput, REASON_MAX,
        REOPEN_WITHIN_DAYS,
        store::{self, Applied, Change, Inserted, NewEvent, NewRecord, RequestState},
        SubmissionSetup,
    },
    sla,
    state::AppState,
    validation::{multi_line, single_line},
};
use chrono::{DateTime, Duration, Utc};

/// The organisation a request is submitted for: the one asked for, or the user's only
/// subsidiary. Whether the user may submit for it is for the authorization rules to say.
pub fn submitting_org(user: &CurrentUser, requested: Option<OrgId>) -> Result<OrgId, AppError> {
    if let Some(org) = requested {
        return Ok(org);
    }
    let mut orgs = user.submitting_memberships().map(|m| m.org_id);
    match (orgs.next(), orgs.next()) {
        (Some(only), None) => Ok(only),
        (Some(_), Some(_)) => Err(AppError::invalid(Field::Organisation, Problem::Required)),
        (None, _) => Err(AppError::Forbidden),
    }
}

/// Checks a submission completely, then stores it with its files in one transaction.
pub async fn submit(
    db: &Db,
    limits: &UploadLimits,
    user: &CurrentUser,
    org: OrgId,
    input: &NewRequestInput,
) -> Result<RequestId, AppError> {
    let (id, reference) = submit_at(db, limits, user, org, input, Utc::now()).await?;
    if let Some(reference) = reference {
        tracing::info!(request = %id, %reference, user = %user.id, files = input.files.len(), "request submitted");
    }
    Ok(id)
}

/// [`submit`] as if it happened at `now`: the promise counts from then. Answers the request
/// and, when this call stored it, its new reference number. The demo seed's history submits
/// through it with past instants.
pub async fn submit_at(
    db: &Db,
    limits: &UploadLimits,
    user: &CurrentUser,
    org: OrgId,
    input: &NewRequestInput,
    now: DateTime<Utc>,
) -> Result<(RequestId, Option<crate::kernel::ReferenceNo>), AppError> {
    bound_file_list(limits, input.files.len())?;
    let key = crate::validation::form_key(&input.idempotency_key)?;
    // A retry of a submission that went through answers the stored request, before anything
    // else is checked: its files already belong to that request.
    if let Some(id) = store::by_idempotency_key(db, user.id, key).await? {
        return Ok((id, None));
    }
    let type_id = input.type_id.ok_or(AppError::invalid(Field::RequestType, Problem::Required))?;
    let request_type = catalogue::current_type(db, type_id)
        .await?
        .filter(|t| t.active)
        .ok_or(AppError::invalid(Field::RequestType, Problem::UnknownChoice))?;

    let checked = input.check(&request_type);
    let mut errors: Vec<FieldError> = checked.as_ref().err().cloned().unwrap_or_default();

    // Files: the user's own finished uploads, within the limits, each of a kind its slot
    // accepts.
    let ids: Vec<AttachmentId> = input.files.iter().map(|(id, _)| *id).collect();
    let staged = files::staged(db, user.id, &ids).await?;
    if staged.len() != ids.len() {
        errors.push(FieldError { field: Field::Files, problem: Problem::UnknownFile });
    }
    check_limits(limits, ids.len() as i64, staged.iter().map(|f| f.size_bytes).sum(), &mut errors);
    let slots = &request_type.definition.slots;
    for (id, slot) in &input.files {
        let Some(index) = slot.as_ref().and_then(|key| slots.iter().position(|s| &s.key == key)) else { continue };
        let kind = staged.iter().find(|f| f.id == *id).map(|f| f.kind);
        if kind.is_some_and(|kind| !slots[index].kinds.contains(&kind)) {
            errors.push(FieldError { field: Field::Slot(index as u16), problem: Problem::FileKindNotAllowed });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let CheckedSubmission { text, values, urgent, urgent_reason } = checked.map_err(|_| AppError::Internal)?;

    let today = now.with_timezone(&crate::time::CENTER_TIME_ZONE).date_naive();
    let policies: Vec<_> = policy_links::for_pages(db, user, request_type.definition.linked_pages(), today)
        .await?
        .into_iter()
        .map(|p| (p.page, p.version))
        .collect();
    // The subsidiary's tier shortens or lengthens the type's targets.
    let percent = crate::orgs::store::sla_percent(db, org).await?;
    let targets = sla::targets_for(&request_type.code, &request_type.targets, percent);
    let promise = sla::service::promise(db, type_id, request_type.team_id, &targets, urgent, now).await?;
    let field_values = serde_json::to_string(&values).map_err(|_| AppError::Internal)?;
    let record = NewRecord {
        org,
        requester: user.id,
        type_version: request_type.version_id,
        team: request_type.team_id,
        title: &text.title,
        description: &text.description,
        field_values: &field_values,
        urgent,
        urgent_reason: urgent_reason.as_deref(),
        first_response_due: promise.first_response_due,
        resolution_due: promise.resolution_due,
        calendar: Some(promise.calendar_id),
        first_response_minutes: promise.first_response.num_minutes(),
        resolution_minutes: promise.resolution.num_minutes(),
        idempotency_key: key,
        files: &input.files,
        policies: &policies,
        now,
    };
    match store::insert(db, &record).await {
        Ok(Inserted::New(id, reference)) => Ok((id, Some(reference))),
        Ok(Inserted::Repeat(id)) => Ok((id, None)),
        Ok(Inserted::UnknownFile) => Err(AppError::invalid(Field::Files, Problem::UnknownFile)),
        // Two identical submissions raced; the other one stored it.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            let again = store::insert(db, &record).await?;
            match again {
                Inserted::Repeat(id) => Ok((id, None)),
                Inserted::New(id, reference) => Ok((id, Some(reference))),
                Inserted::UnknownFile => Err(AppError::invalid(Field::Files, Problem::UnknownFile)),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// A list of file ids longer than a request may hold is refused before any query reads it.
fn bound_file_list(limits: &UploadLimits, len: usize) -> Result<(), AppError> {
    if len > limits.max_files_per_request as usize {
        return Err(AppError::invalid(Field::Files, Problem::TooManyFiles { max: limits.max_files_per_request }));
    }
    Ok(())
}

fn check_limits(limits: &UploadLimits, count: i64, bytes: i64, errors: &mut Vec<FieldError>) {
    if count > limits.max_files_per_request as i64 {
        errors.push(FieldError { field: Field::Files, problem: Problem::TooManyFiles { max: limits.max_files_per_request } });
    }
    if bytes > limits.max_request_bytes as i64 {
        errors.push(FieldError {
            field: Field::Files,
            problem: Problem::RequestFilesTooLarge { max_mib: (limits.max_request_bytes / MIB) as u32 },
        });
    }
}

/// What the viewer may do with a request in `state`, from the one rule table.
pub fn abilities(user: &CurrentUser, state: &RequestState) -> Abilities {
    let target = state.target();
    let ok = |action| authz::may(user, action, target).is_ok();
    Abilities {
        client_side: ok(Action::ActAsRequester),
        is_owner: ok(Action::WorkRequest),
        can_claim: ok(Action::ClaimRequest) && state.owner_id.is_none(),
        can_note: ok(Action::AddInternalNote),
        can_transfer: ok(Action::TransferRequest) && !state.status.is_final(),
        sees_internal: ok(Action::ViewInternal),
    }
}

/// The new-request form: the active types, the upload limits, and the policy pages the types
/// link to that this user may read.
pub async fn submission_form(db: &Db, user: &CurrentUser, limits: UploadLimits) -> Result<SubmissionSetup, AppError> {
    let types = catalogue::current_types(db, false).await?;
    let today = Utc::now().with_timezone(&crate::time::CENTER_TIME_ZONE).date_naive();
    let policies = policy_links::for_pages(db, user, types.iter().flat_map(|t| t.definition.linked_pages()).collect(), today).await?;
    Ok(SubmissionSetup { types, limits, policies })
}

fn message(field: Field, raw: &str, max: usize) -> Result<String, AppError> {
    multi_line(field, raw, max, true).map_err(|e| AppError::Invalid(vec![e]))
}

fn illegal(from: RequestStatus, action: RequestAction) -> AppError {
    AppError::Conflict(Conflict::IllegalTransition { from, action })
}

/// The status after `action` by `side`, or the typed refusal.
fn transition(state: &RequestState, action: RequestAction, side: Side) -> Result<RequestStatus, AppError> {
    state.status.after(action, side).ok_or(illegal(state.status, action))
}

/// Applies one command. `version` is the version the user saw: if the request changed since,
/// the command is refused as stale rather than applied to a state the user never saw.
pub async fn act(
    app: &AppState,
    user: &CurrentUser,
    id: RequestId,
    version: i64,
    state: &RequestState,
    command: Command,
) -> Result<i64, AppError> {
    let db = &app.db;
    let limits = &app.settings.uploads;
    bound_file_list(limits, command.files().len())?;
    // Claiming is first come, first served, whatever the claimer last saw.
    if matches!(command, Command::Claim) {
        if let (Some(_), Some(owner)) = (state.owner_id, &state.owner_name) {
            return Err(AppError::Conflict(Conflict::AlreadyTaken { owner: owner.clone() }));
        }
    } else if version != state.version {
        return Err(AppError::Conflict(Conflict::Stale));
    }
    let now = Utc::now();
    let change = plan(db, limits, user, id, state, command, now).await?;
    let client_side = abilities(user, state).client_side;
    let notices = super::notices::for_request_change(app, user, id, state, &change, client_side).await?;
    match store::apply(db, id, state.version, &change, &notices).await? {
        Applied::Done { version } => {
            tracing::info!(request = %id, user = %user.id, kind = %change.event.kind, notified = notices.notifications.len(), "request changed");
            app.live.committed(db, &notices.live_recipients());
            Ok(version)
        }
        Applied::UnknownFile => Err(AppError::invalid(Field::Files, Problem::UnknownFile)),
        Applied::Stale => {
            // Someone else wrote first. For a claim, say who took it.
            let now_state = store::state(db, id).await?.ok_or(AppError::NotFound)?;
            match (change.event.action, now_state.owner_name) {
                (Some(RequestAction::Claim), Some(owner)) => {
                    Err(AppError::Conflict(Conflict::AlreadyTaken { owner }))
                }
                _ => Err(AppError::Conflict(Conflict::Stale)),
            }
        }
    }
}

/// Applies one command as [`act`] does, as if at `at`, and tells nobody: no notification, no
/// email, no woken stream. For history the portal did not witness, such as the demo seed's
/// months of past requests; the caller has checked the command with [`authorize`].
pub async fn act_quietly(
    db: &Db,
    limits: &UploadLimits,
    user: &CurrentUser,
    id: RequestId,
    state: &RequestState,
    command: Command,
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    bound_file_list(limits, command.files().len())?;
    let change = plan(db, limits, user, id, state, command, at).await?;
    match store::apply(db, id, state.version, &change, &Default::default()).await? {
        Applied::Done { version } => Ok(version),
        Applied::UnknownFile => Err(AppError::invalid(Field::Files, Problem::UnknownFile)),
        Applied::Stale => Err(AppError::Conflict(Conflict::Stale)),
    }
}

/// The change that closes a resolved (or rejected) request: by its rating, on the client's
/// side, or by the portal when nobody rated it in time (`expired`). `None` when the lifecycle
/// table does not allow it from the request's status.
pub fn closing(state: &RequestState, actor: crate::kernel::UserId, side: Side, expired: bool, now: DateTime<Utc>) -> Option<Change> {
    let to = state.status.after(RequestAction::Close, side)?;
    let mut change = unchanged(state, actor, now);
    change.status = to;
    change.event.action = Some(RequestAction::Close);
    change.event.from_status = Some(state.status);
    change.event.to_status = Some(to);
    change.event.reason_code = expired.then(|| CLOSED_UNRATED.to_string());
    Some(change)
}

/// The request as it stands, as a change yet to be made by `actor`: each command alters what
/// it changes and fills in its timeline entry.
fn unchanged(state: &RequestState, actor: crate::kernel::UserId, now: DateTime<Utc>) -> Change {
    Change {
        actor,
        status: state.status,
        owner_id: state.owner_id,
        first_owner_id: state.first_owner_id,
        team_id: state.team_id,
        first_responded_at: state.first_responded_at,
        awaiting_since: state.awaiting_since,
        resolution_due: state.resolution_due,
        resolved_at: state.resolved_at,
        resolution: state.resolution.clone(),
        reject_reason: state.reject_reason.clone(),
        resolution_count: state.resolution_count,
        resolved_by: state.resolved_by,
        stood_resolved_since: None,
        event: NewEvent {
            kind: EventKind::StatusChanged,
            action: None,
            from_status: None,
            to_status: None,
            note: None,
            internal: false,
            owner_id: None,
            team_id: None,
            reason_code: None,
        },
        files: Vec::new(),
        now,
    }
}

pub use super::CLOSED_UNRATED;

/// Computes the new state and its timeline entry from the current state.
async fn plan(
    db: &Db,
    limits: &UploadLimits,
    user: &CurrentUser,
    id: RequestId,
    state: &RequestState,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Change, AppError> {
    let mut change = unchanged(state, user.id, now);
    change.files = command.files().to_vec();
    if !change.files.is_empty() {
        let staged = files::staged(db, user.id, &change.files).await?;
        if staged.len() != change.files.len() {
            return Err(AppError::invalid(Field::Files, Problem::UnknownFile));
        }
        let (used_bytes, used_count) = files::usage(db, id).await?;
        let mut errors = Vec::new();
        check_limits(
            limits,
            used_count + staged.len() as i64,
            used_bytes + staged.iter().map(|f| f.size_bytes).sum::<i64>(),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
    }
    let abilities = abilities(user, state);
    let set_status = |change: &mut Change, action: RequestAction, side: Side| -> Result<(), AppError> {
        let to = transition(state, action, side)?;
        change.status = to;
        change.event.action = Some(action);
        change.event.from_status = Some(state.status);
        change.event.to_status = Some(to);
        // Handing a request on is not a response to the client.
        if side == Side::Center && action != RequestAction::Transfer && change.first_responded_at.is_none() {
            change.first_responded_at = Some(now);
        }
        Ok(())
    };
    match command {
        Command::Claim => {
            set_status(&mut change, RequestAction::Claim, Side::Center)?;
            change.owner_id = Some(user.id);
            change.first_owner_id = state.first_owner_id.or(Some(user.id));
            change.event.kind = EventKind::OwnerChanged;
            change.event.owner_id = Some(user.id);
        }
        Command::Reply { message: text, .. } => {
            let text = message(Field::Message, &text, MESSAGE_MAX)?;
            if !abilities.can_reply(state.status) {
                return Err(AppError::Forbidden);
            }
            change.event.kind = EventKind::Message;
            change.event.note = Some(text);
            if abilities.client_side && state.status == RequestStatus::AwaitingClient {
                // The client's answer hands the request back and restarts the clock.
                set_status(&mut change, RequestAction::ProvideInformation, Side::Client)?;
                change.event.kind = EventKind::Message;
                if let Some(due) = sla::service::resolution_due_on_resume(db, id, now, None).await? {
                    change.resolution_due = due;
                }
                change.awaiting_since = None;
            } else if !abilities.client_side && change.first_responded_at.is_none() {
                change.first_responded_at = Some(now);
            }
        }
        Command::Note { message: text, .. } => {
            change.event.kind = EventKind::InternalNote;
            change.event.note = Some(message(Field::Message, &text, MESSAGE_MAX)?);
            change.event.internal = true;
        }
        Command::AskForInformation { message: text } => {
            let text = message(Field::Message, &text, MESSAGE_MAX)?;
            set_status(&mut change, RequestAction::AskForInformation, Side::Center)?;
            change.event.note = Some(text);
            change.awaiting_since = Some(now);
        }
        Command::Resolve { resolution } => {
            let text = message(Field::Resolution, &resolution, MESSAGE_MAX)?;
            set_status(&mut change, RequestAction::Resolve, Side::Center)?;
            change.event.note = Some(text.clone());
            change.resolution = Some(text);
            change.resolved_at = Some(now);
            change.resolution_count = state.resolution_count + 1;
            change.resolved_by = Some(user.id);
        }
        Command::Reject { reason, detail } => {
            let text = message(Field::Reason, &detail, REASON_MAX)?;
            set_status(&mut change, RequestAction::Reject, Side::Center)?;
            change.event.note = Some(text.clone());
            change.event.reason_code = Some(reason.as_str().to_string());
            change.reject_reason = Some(reason.as_str().to_string());
            change.resolution = Some(text);
            change.resolved_at = Some(now);
        }
        Command::Withdraw { reason } => {
            let text = multi_line(Field::Reason, &reason, REASON_MAX, false).map_err(|e| AppError::Invalid(vec![e]))?;
            set_status(&mut change, RequestAction::Withdraw, Side::Client)?;
            change.event.note = (!text.is_empty()).then_some(text);
        }
        Command::Reopen { reason } => {
            let text = message(Field::Reason, &reason, REASON_MAX)?;
            set_status(&mut change, RequestAction::Reopen, Side::Client)?;
            let resolved = state.resolved_at.unwrap_or(now);
            if now - resolved > Duration::days(REOPEN_WITHIN_DAYS) {
                return Err(AppError::invalid(Field::Reason, Problem::TooLate));
            }
            change.event.note = Some(text);
            // The time it stood resolved was the client's: the clock pauses over it.
            change.stood_resolved_since = Some(resolved);
            if let Some(due) = sla::service::resolution_due_on_resume(db, id, now, Some(resolved)).await? {
                change.resolution_due = due;
            }
            change.resolved_at = None;
            change.resolution = None;
            change.reject_reason = None;
            change.resolved_by = None;
        }
        Command::Transfer { team, agent, reason } => {
            let text = message(Field::Reason, &reason, REASON_MAX)?;
            set_status(&mut change, RequestAction::Transfer, Side::Center)?;
            if !catalogue::teams(db).await?.iter().any(|t| t.id == team) {
                return Err(AppError::invalid(Field::Team, Problem::UnknownChoice));
            }
            if let Some(agent) = agent {
                if !store::is_agent_in_team(db, agent, team).await? {
                    return Err(AppError::invalid(Field::Assignee, Problem::UnknownChoice));
                }
            }
            change.event.kind = EventKind::OwnerChanged;
            change.event.note = Some(text);
            change.event.owner_id = agent;
            change.event.team_id = Some(team);
            change.team_id = team;
            change.owner_id = agent;
        }
    }
    Ok(change)
}

/// The one check every command passes before [`act`]: the rule for the command, and for a
/// reply, the side the user replies on.
pub fn authorize(user: &CurrentUser, state: &RequestState, command: &Command) -> Result<(), AppError> {
    let target = state.target();
    authz::may(user, Action::ViewRequest, target)?;
    match command {
        // A reply comes from either side: the client's, or the owning agent's.
        Command::Reply { .. } => authz::may(user, Action::ActAsRequester, target)
            .or_else(|_| authz::may(user, Action::WorkRequest, target)),
        Command::Claim => authz::may(user, Action::ClaimRequest, target),
        Command::Note { .. } => authz::may(user, Action::AddInternalNote, target),
        Command::Transfer { .. } => authz::may(user, Action::TransferRequest, target),
        Command::Withdraw { .. } | Command::Reopen { .. } => {
            authz::may(user, Action::ActAsRequester, target)
        }
        Command::AskForInformation { .. } | Command::Resolve { .. } | Command::Reject { .. } => {
            authz::may(user, Action::WorkRequest, target)
        }
    }
}

/// A queue page and the counts of all tabs, for the agent's teams.
pub async fn queue(
    db: &Db,
    user: &CurrentUser,
    queue: super::Queue,
    after: Option<&str>,
) -> Result<(super::QueueCounts, super::RequestPage), AppError> {
    let teams = catalogue::teams_of(db, user.id).await?;
    let now = Utc::now();
    let counts = store::queue_counts(db, user.id, &teams, now).await?;
    let mut page = store::queue(db, queue, user.id, &teams, now, after).await?;
    fill_working_time_left(db, &mut page.rows, now).await?;
    Ok((counts, page))
}

/// A page of the request list the user's scope allows, with the working time left on each.
pub async fn list(
    db: &Db,
    scope: &crate::authz::RequestScope,
    filter: &super::ListFilter,
    start_of_day: impl Fn(chrono::NaiveDate) -> DateTime<Utc>,
) -> Result<super::RequestPage, AppError> {
    let mut page = store::list(db, scope, filter, start_of_day).await?;
    fill_working_time_left(db, &mut page.rows, Utc::now()).await?;
    Ok(page)
}

pub async fn canned_replies(db: &Db, user: &CurrentUser) -> Result<Vec<super::CannedReply>, AppError> {
    let teams = catalogue::teams_of(db, user.id).await?;
    Ok(store::canned_replies(db, &teams).await?)
}

pub async fn add_canned_reply(
    db: &Db,
    user: &CurrentUser,
    team: crate::kernel::TeamId,
    title: &str,
    body: &str,
) -> Result<i64, AppError> {
    if !catalogue::teams_of(db, user.id).await?.contains(&team) {
        return Err(AppError::invalid(Field::Team, Problem::UnknownChoice));
    }
    let mut errors = Vec::new();
    let title = single_line(Field::Title, title, super::TITLE_MAX).map_err(|e| errors.push(e)).ok();
    let body = multi_line(Field::Message, body, MESSAGE_MAX, true).map_err(|e| errors.push(e)).ok();
    match (title, body) {
        (Some(title), Some(body)) if errors.is_empty() => {
            Ok(store::add_canned_reply(db, team, &title, &body, user.id, Utc::now()).await?)
        }
        _ => Err(AppError::Invalid(errors)),
    }
}

pub async fn delete_canned_reply(db: &Db, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let teams = catalogue::teams_of(db, user.id).await?;
    if store::delete_canned_reply(db, id, &teams).await? { Ok(()) } else { Err(AppError::NotFound) }
}

pub async fn canned_reply_setup(
    db: &Db,
    user: &CurrentUser,
) -> Result<(Vec<crate::catalogue::Team>, Vec<super::CannedReply>), AppError> {
    let mine = catalogue::teams_of(db, user.id).await?;
    let teams = catalogue::teams(db).await?.into_iter().filter(|t| mine.contains(&t.id)).collect();
    Ok((teams, store::canned_replies(db, &mine).await?))
}

/// Fills in the working time left on each row of a list whose clock runs.
async fn fill_working_time_left(db: &Db, rows: &mut [super::RequestSummary], now: DateTime<Utc>) -> Result<(), AppError> {
    if !rows.iter().any(|r| matches!(r.status, RequestStatus::Submitted | RequestStatus::InReview)) {
        return Ok(());
    }
    let calendars = sla::service::calendars(db).await?;
    for row in rows.iter_mut().filter(|r| matches!(r.status, RequestStatus::Submitted | RequestStatus::InReview)) {
        row.working_minutes_left = sla::service::remaining_minutes(&calendars, row.calendar_id, row.resolution_due, now);
    }
    Ok(())
}
