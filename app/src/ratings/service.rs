//! The steps behind the rating server functions and the background jobs: what a reader may
//! see of a rating, rating and changing, follow-ups, and closing what nobody rated.

use crate::{
    auth::CurrentUser,
    authz::{self, Action, Target},
    db::Db,
    error::{AppError, Conflict},
    kernel::{FollowUpId, OrgId, RatingId, RequestAction, RequestId, RequestStatus, Side, UserId},
    notifications::{
        NotificationKind, service as notifications, service::About, store as notification_store,
        store::Batch,
    },
    ratings::{
        CheckedRating, Feedback, FollowUpEventKind, FollowUpFilter, FollowUpList, FollowUpNotice, FollowUpOutcome,
        FollowUpView, metrics, OrgSatisfaction, RatingChange, RatingInput, RatingView,
        reasons_from_text, Score,
        store::{self, FollowUpRecord, NewFollowUp, NewRating, RatingRecord},
    },
    requests::{service::closing, store as requests, store::{Applied, RequestState}},
    state::{AppState, RatingPolicy},
};
use chrono::{DateTime, Duration, Utc};

pub fn rating_target(record: &RatingRecord, policy: &RatingPolicy) -> Target {
    Target::Rating {
        org: record.org_id,
        rater: record.rater_id,
        resolver: record.resolver_id,
        first_owner: record.first_owner_id,
        comment_released: record.reviewed_at.is_some() || policy.agents_see_comments_at_once,
    }
}

pub fn follow_up_target(record: &FollowUpRecord) -> Target {
    Target::FollowUp { org: record.org_id, assignee: record.manager_id }
}

fn stars(score: i64) -> String {
    let n = score.clamp(0, 5) as usize;
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}

/// What the request page shows this reader about ratings.
pub async fn feedback(
    db: &Db,
    policy: &RatingPolicy,
    user: &CurrentUser,
    id: RequestId,
    state: &RequestState,
    now: DateTime<Utc>,
) -> Result<Feedback, AppError> {
    let request = state.target();
    let may_rate = authz::may(user, Action::RateRequest, request).is_ok();
    let Some(record) = store::latest(db, id).await? else {
        return Ok(Feedback { can_rate: may_rate && state.status == RequestStatus::Resolved, ..Default::default() });
    };
    let current = record.resolution_no == state.resolution_count;
    let can_rate = may_rate && state.status == RequestStatus::Resolved && !current;
    let target = rating_target(&record, policy);
    if authz::may(user, Action::ViewRating, target).is_err() {
        return Ok(Feedback { can_rate, ..Default::default() });
    }
    let sees_comment = authz::may(user, Action::ReadRatingComment, target).is_ok();
    let staff = authz::may(user, Action::ViewInternal, request).is_ok();
    let changeable_until = (record.rater_id == user.id)
        .then(|| record.created_at + policy.change_within)
        .filter(|until| *until > now);
    let history = if staff { store::history(db, record.id).await? } else { Vec::new() };
    let follow_up = store::follow_up_of(db, record.id).await?;
    let mut feedback = Feedback { can_rate, ..Default::default() };
    if let Some(f) = &follow_up {
        let target = follow_up_target(f);
        if authz::may(user, Action::ViewFollowUp, target).is_ok() {
            feedback.follow_up = Some(FollowUpView {
                id: f.id,
                version: f.version,
                manager_name: f.manager_name.clone(),
                due_at: f.due_at,
                created_at: f.created_at,
                escalated_at: f.escalated_at,
                closed_at: f.closed_at,
                closed_by_name: f.closed_by_name.clone(),
                contact: f.contact,
                root_cause: f.root_cause,
                action_taken: f.action_taken,
                outcome: f.outcome.clone(),
                can_close: f.closed_at.is_none() && authz::may(user, Action::CloseFollowUp, target).is_ok(),
                events: store::follow_up_events(db, f.id).await?,
            });
        } else if policy.tell_client_of_follow_up {
            feedback.notice = Some(FollowUpNotice { manager_name: f.manager_name.clone(), closed: f.closed_at.is_some() });
        }
    }
    let score = Score::new(record.score).ok_or(AppError::Internal)?;
    feedback.rating = Some(RatingView {
        id: record.id,
        resolution_no: record.resolution_no,
        score,
        reasons: reasons_from_text(&record.reasons),
        comment: sees_comment.then(|| record.comment.clone()),
        comment_withheld: !sees_comment && !record.comment.is_empty(),
        rater_name: record.rater_name.clone(),
        resolver_name: record.resolver_name.clone(),
        first_owner_name: record.first_owner_name.clone(),
        created_at: record.created_at,
        updated_at: record.updated_at,
        changeable_until,
        history: history
            .into_iter()
            .map(|h| RatingChange { comment: if sees_comment { h.comment } else { String::new() }, ..h })
            .collect(),
        reviewed: record.reviewed_at.is_some(),
        can_review: record.reviewed_at.is_none()
            && !record.comment.is_empty()
            && authz::may(user, Action::ReviewRatingComment, target).is_ok(),
    });
    Ok(feedback)
}

/// Who hears of a rating: the credited agents, and for a low score the follow-up's holder.
async fn rating_notices(
    app: &AppState,
    state: &RequestState,
    id: RequestId,
    rater: &CurrentUser,
    score: Score,
    follow_up_to: Option<&[UserId]>,
) -> Result<Batch, AppError> {
    let mut about = About::request(id, state.reference_no.as_str(), &state.title);
    about.actor_name = Some(rater.display_name.clone());
    about.excerpt = Some(stars(score.stars()));
    let mut targets: Vec<(UserId, NotificationKind)> = Vec::new();
    if let Some(holders) = follow_up_to {
        targets.extend(holders.iter().map(|u| (*u, NotificationKind::FollowUpAssigned)));
    }
    for agent in [state.resolved_by, state.first_owner_id].into_iter().flatten() {
        targets.push((agent, NotificationKind::RatingReceived));
    }
    targets.retain(|(u, _)| *u != rater.id);
    Ok(notifications::build(&app.db, &app.settings, &about, &targets).await?)
}

/// Who holds a new follow-up of `org`: its customer manager, or the admins.
async fn follow_up_holder(db: &Db, org: OrgId) -> Result<(Option<UserId>, Vec<UserId>), sqlx::Error> {
    match store::manager_for(db, org).await? {
        Some(manager) => Ok((Some(manager), vec![manager])),
        None => Ok((None, store::admins(db).await?)),
    }
}

/// Rates the request's current resolution and closes the request, in one transaction; a low
/// score opens its follow-up in the same one.
pub async fn rate(app: &AppState, user: &CurrentUser, id: RequestId, state: &RequestState, input: &RatingInput) -> Result<RatingId, AppError> {
    let rating = input.check().map_err(AppError::Invalid)?;
    let db = &app.db;
    let now = Utc::now();
    ratable(db, id, state).await?;
    let (manager, holders) = if rating.score.is_low() { follow_up_holder(db, state.org_id).await? } else { (None, Vec::new()) };
    let notices = rating_notices(app, state, id, user, rating.score, rating.score.is_low().then_some(holders.as_slice())).await?;
    let rating_id = record_rating(db, &app.settings.ratings, user, id, state, &rating, manager, &notices, now).await?;
    tracing::info!(request = %id, rating = %rating_id, score = rating.score.stars(), "request rated");
    app.live.committed(db, &notices.live_recipients());
    Ok(rating_id)
}

/// [`rate`] as if at `at`, telling nobody: for history the portal did not witness (the demo
/// seed). The rating, the close and a low score's follow-up are written as [`rate`] writes them.
pub async fn rate_quietly(
    db: &Db,
    policy: &RatingPolicy,
    user: &CurrentUser,
    id: RequestId,
    state: &RequestState,
    input: &RatingInput,
    at: DateTime<Utc>,
) -> Result<RatingId, AppError> {
    let rating = input.check().map_err(AppError::Invalid)?;
    ratable(db, id, state).await?;
    let manager = if rating.score.is_low() { follow_up_holder(db, state.org_id).await?.0 } else { None };
    record_rating(db, policy, user, id, state, &rating, manager, &Batch::default(), at).await
}

/// Refuses to rate a request that is not resolved, saying whether it was rated already.
async fn ratable(db: &Db, id: RequestId, state: &RequestState) -> Result<(), AppError> {
    if state.status == RequestStatus::Resolved {
        return Ok(());
    }
    let rated = store::latest(db, id).await?.is_some_and(|r| r.resolution_no == state.resolution_count);
    Err(if rated {
        AppError::Conflict(Conflict::AlreadyRated)
    } else {
        AppError::Conflict(Conflict::IllegalTransition { from: state.status, action: RequestAction::Close })
    })
}

/// Writes a checked rating, the close it causes, a low score's follow-up held by `manager`
/// (none: the admins) and `notices`, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn record_rating(
    db: &Db,
    policy: &RatingPolicy,
    user: &CurrentUser,
    id: RequestId,
    state: &RequestState,
    rating: &CheckedRating,
    manager: Option<UserId>,
    notices: &Batch,
    now: DateTime<Utc>,
) -> Result<RatingId, AppError> {
    let close = closing(state, user.id, Side::Client, false, now).ok_or(AppError::Internal)?;
    let new = NewRating {
        request: id,
        resolution_no: state.resolution_count,
        org: state.org_id,
        rater: user.id,
        resolver: state.resolved_by,
        first_owner: state.first_owner_id,
        rating,
        now,
    };
    let mut tx = db.begin_write().await?;
    let Some(rating_id) = store::insert_in(&mut tx, &new).await? else {
        tx.rollback().await?;
        return Err(AppError::Conflict(Conflict::AlreadyRated));
    };
    match requests::apply_in(&mut tx, id, state.version, &close).await? {
        Applied::Done { .. } => {}
        _ => {
            tx.rollback().await?;
            return Err(AppError::Conflict(Conflict::Stale));
        }
    }
    if rating.score.is_low() {
        let due_at = crate::sla::service::working_days_later(db, now, policy.follow_up_working_days).await?;
        let follow_up = NewFollowUp { rating: rating_id, request: id, org: state.org_id, manager, due_at, opened_by: user.id, now };
        store::open_in(&mut tx, &follow_up).await?;
    }
    notification_store::write(&mut tx, notices, now).await?;
    tx.commit().await?;
    Ok(rating_id)
}

/// Changes the rater's rating within the allowed time, keeping the earlier values. A change to
/// a low score opens a follow-up if there is none; an open follow-up stays open whatever the
/// new score, and its timeline records the change.
pub async fn change(app: &AppState, user: &CurrentUser, record: &RatingRecord, input: &RatingInput) -> Result<(), AppError> {
    let rating = input.check().map_err(AppError::Invalid)?;
    let db = &app.db;
    let now = Utc::now();
    if now > record.created_at + app.settings.ratings.change_within {
        return Err(AppError::Conflict(Conflict::RatingFinal));
    }
    let state = requests::state(db, record.request_id).await?.ok_or(AppError::NotFound)?;
    let follow_up = store::follow_up_of(db, record.id).await?;
    let opens = rating.score.is_low() && follow_up.is_none();
    let (manager, holders) = if opens { follow_up_holder(db, record.org_id).await? } else { (None, Vec::new()) };
    let notices = rating_notices(app, &state, record.request_id, user, rating.score, opens.then_some(holders.as_slice())).await?;
    let mut tx = db.begin_write().await?;
    if !store::change_in(&mut tx, record.id, record.updated_at, &rating, now).await? {
        tx.rollback().await?;
        return Err(AppError::Conflict(Conflict::Stale));
    }
    if opens {
        let due_at = crate::sla::service::working_days_later(db, now, app.settings.ratings.follow_up_working_days).await?;
        let new = NewFollowUp { rating: record.id, request: record.request_id, org: record.org_id, manager, due_at, opened_by: user.id, now };
        store::open_in(&mut tx, &new).await?;
    } else if let Some(f) = follow_up.as_ref().filter(|f| f.closed_at.is_none()) {
        let note = format!("{} → {}", stars(record.score), stars(rating.score.stars()));
        store::event_in(&mut tx, f.id, Some(user.id), FollowUpEventKind::RatingChanged, Some(&note), now).await?;
    }
    notification_store::write(&mut tx, &notices, now).await?;
    tx.commit().await?;
    app.live.committed(db, &notices.live_recipients());
    Ok(())
}

pub async fn review_comment(db: &Db, record: &RatingRecord) -> Result<(), AppError> {
    Ok(store::mark_reviewed(db, record.id, Utc::now()).await?)
}

/// Closes a follow-up seen at `version` with a complete outcome.
pub async fn close_follow_up(
    app: &AppState,
    user: &CurrentUser,
    record: &FollowUpRecord,
    version: i64,
    outcome: &FollowUpOutcome,
) -> Result<(), AppError> {
    close_follow_up_at(&app.db, user, record, version, outcome, Utc::now()).await?;
    tracing::info!(follow_up = %record.id, request = %record.request_id, user = %user.id, "follow-up closed");
    Ok(())
}

/// [`close_follow_up`] as if at `at` (the demo seed's history closes follow-ups in the past).
pub async fn close_follow_up_at(
    db: &Db,
    user: &CurrentUser,
    record: &FollowUpRecord,
    version: i64,
    outcome: &FollowUpOutcome,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let checked = outcome.check().map_err(AppError::Invalid)?;
    if record.closed_at.is_some() {
        return Err(AppError::Conflict(Conflict::FollowUpClosed));
    }
    if !store::close(db, record, version, user.id, &checked, at).await? {
        let now = store::follow_up(db, record.id).await?.ok_or(AppError::NotFound)?;
        return Err(AppError::Conflict(if now.closed_at.is_some() { Conflict::FollowUpClosed } else { Conflict::Stale }));
    }
    Ok(())
}

/// The follow-up list of this user: one tab, the counts of all, and the filter choices.
pub async fn follow_up_list(db: &Db, user: &CurrentUser, filter: &FollowUpFilter) -> Result<FollowUpList, AppError> {
    let scope = authz::follow_up_scope(user);
    let now = Utc::now();
    let rows = store::list(db, &scope, filter, now, DUE_SOON_FOLLOW_UP).await?;
    let counts = store::counts(db, &scope, filter, now, DUE_SOON_FOLLOW_UP).await?;
    let (orgs, agents) = store::filter_choices(db, &scope).await?;
    Ok(FollowUpList { rows, counts, orgs, agents })
}

/// A follow-up is "due soon" in its last working day.
pub const DUE_SOON_FOLLOW_UP: Duration = Duration::hours(24);

/// The satisfaction of the subsidiaries this user follows, over the last 30 and 90 days.
pub async fn satisfaction(db: &Db, user: &CurrentUser, now: DateTime<Utc>) -> Result<Vec<OrgSatisfaction>, AppError> {
    let scope = authz::follow_up_scope(user);
    let orgs: Vec<OrgId> = if scope.everything {
        crate::orgs::store::list(db)
            .await?
            .into_iter()
            .filter(|o| o.kind == crate::orgs::OrgKind::Subsidiary)
            .map(|o| o.id)
            .collect()
    } else {
        scope.orgs.clone()
    };
    let names = store::org_names(db, &orgs).await?;
    let (scores_90, resolved_90) = store::period(db, &orgs, now - Duration::days(90)).await?;
    let (scores_30, resolved_30) = store::period(db, &orgs, now - Duration::days(30)).await?;
    let open = store::open_per_org(db, &orgs).await?;
    let figures = |org: OrgId, scores: &[(OrgId, i64)], resolved: &[(OrgId, i64)]| {
        let s: Vec<i64> = scores.iter().filter(|(o, _)| *o == org).map(|(_, s)| *s).collect();
        let r = resolved.iter().find(|(o, _)| *o == org).map(|(_, n)| *n).unwrap_or(0);
        metrics::csat(&s, r)
    };
    Ok(names
        .into_iter()
        .map(|(org, name)| OrgSatisfaction {
            org_id: org,
            org_name: name,
            last_30: figures(org, &scores_30, &resolved_30),
            last_90: figures(org, &scores_90, &resolved_90),
            open_follow_ups: open.iter().find(|(o, _)| *o == org).map(|(_, n)| *n).unwrap_or(0),
        })
        .collect())
}

/// Closes resolved requests nobody rated within the window; answers how many. Each close is
/// conditional on the request's version, so two instances close each request once.
pub async fn close_unrated(app: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let db = &app.db;
    let mut closed = 0;
    for id in store::unrated_expired(db, now - app.settings.ratings.close_unrated_after).await? {
        let Some(state) = requests::state(db, id).await? else { continue };
        // The timeline needs an actor: the close is recorded on the requester's side, marked
        // as the portal's with its reason code.
        let Some(change) = closing(&state, state.requester_id, Side::System, true, now) else { continue };
        let mut tx = db.begin_write().await?;
        match requests::apply_in(&mut tx, id, state.version, &change).await? {
            Applied::Done { .. } => {
                tx.commit().await?;
                closed += 1;
            }
            _ => tx.rollback().await?,
        }
    }
    Ok(closed)
}

/// Tells the admins, once, of each follow-up past its deadline.
pub async fn escalate_overdue(app: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let db = &app.db;
    let overdue = store::overdue_unescalated(db, now).await?;
    if overdue.is_empty() {
        return Ok(0);
    }
    let admins = store::admins(db).await?;
    let mut escalated = 0;
    for f in overdue {
        let about = About::request(f.request_id, &f.reference_no, &f.title);
        let targets: Vec<_> = admins.iter().map(|a| (*a, NotificationKind::FollowUpOverdue)).collect();
        let batch = notifications::build(db, &app.settings, &about, &targets).await?;
        let mut tx = db.begin_write().await?;
        if store::mark_escalated_in(&mut tx, f.id, now).await? {
            notification_store::write(&mut tx, &batch, now).await?;
            tx.commit().await?;
            escalated += 1;
            app.live.committed(db, &batch.live_recipients());
        } else {
            tx.rollback().await?;
        }
    }
    Ok(escalated)
}

/// The rating the server function names, loaded for the rules.
pub async fn rating_of(db: &Db, request: RequestId) -> Result<RatingRecord, AppError> {
    store::latest(db, request).await?.ok_or(AppError::NotFound)
}

pub async fn follow_up(db: &Db, id: FollowUpId) -> Result<FollowUpRecord, AppError> {
    store::follow_up(db, id).await?.ok_or(AppError::NotFound)
}
