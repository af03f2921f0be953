//! SQL for ratings, their history, follow-ups and the satisfaction figures' raw counts.

use crate::{
    authz::RequestScope,
    db::{Db, Tx},
    kernel::{FollowUpId, OrgId, RatingId, RequestAction, RequestId, UserId},
    ratings::{
        CheckedOutcome, CheckedRating, ContactMethod, FollowUpAction, FollowUpEvent,
        FollowUpEventKind, FollowUpFilter, FollowUpRow, FollowUpState, RatingChange,
        reasons_to_text, RootCause,
    },
    with_db,
    with_tx,
};
use chrono::{DateTime, Duration, Utc};

/// A stored rating with the names of the people it concerns.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRecord {
    pub id: RatingId,
    pub request_id: RequestId,
    pub resolution_no: i64,
    pub org_id: OrgId,
    pub rater_id: UserId,
    pub rater_name: String,
    pub resolver_id: Option<UserId>,
    pub resolver_name: Option<String>,
    pub first_owner_id: Option<UserId>,
    pub first_owner_name: Option<String>,
    pub score: i64,
    pub reasons: String,
    pub comment: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

const SELECT_RATING: &str = "SELECT g.id, g.request_id, g.resolution_no, g.org_id, g.rater_id, ra.display_name AS rater_name, \
     g.resolver_id, rs.display_name AS resolver_name, g.first_owner_id, fo.display_name AS first_owner_name, \
     g.score, g.reasons, g.comment, g.created_at, g.updated_at, g.reviewed_at \
     FROM ratings g JOIN users ra ON ra.id = g.rater_id LEFT JOIN users rs ON rs.id = g.resolver_id \
     LEFT JOIN users fo ON fo.id = g.first_owner_id";

/// The rating of the request's latest rated resolution.
pub async fn latest(db: &Db, request: RequestId) -> Result<Option<RatingRecord>, sqlx::Error> {
    let sql = format!("{SELECT_RATING} WHERE g.request_id = $1 ORDER BY g.resolution_no DESC LIMIT 1");
    with_db!(db, pool => sqlx::query_as::<_, RatingRecord>(&sql).bind(request).fetch_optional(pool).await)
}

pub async fn find(db: &Db, id: RatingId) -> Result<Option<RatingRecord>, sqlx::Error> {
    let sql = format!("{SELECT_RATING} WHERE g.id = $1");
    with_db!(db, pool => sqlx::query_as::<_, RatingRecord>(&sql).bind(id).fetch_optional(pool).await)
}

/// Earlier values of a rating, oldest first.
pub async fn history(db: &Db, rating: RatingId) -> Result<Vec<RatingChange>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, RatingChange>(
        "SELECT score, reasons, comment, given_at, changed_at FROM rating_changes WHERE rating_id = $1 ORDER BY id"
    ).bind(rating).fetch_all(pool).await)
}

/// A rating about to be stored, with the credits taken from the request as stored.
pub struct NewRating<'a> {
    pub request: RequestId,
    pub resolution_no: i64,
    pub org: OrgId,
    pub rater: UserId,
    pub resolver: Option<UserId>,
    pub first_owner: Option<UserId>,
    pub rating: &'a CheckedRating,
    pub now: DateTime<Utc>,
}

/// Stores a rating; `None` when this resolution already has one (the unique key decides,
/// whichever of two concurrent ratings comes first).
pub async fn insert_in(tx: &mut Tx, new: &NewRating<'_>) -> Result<Option<RatingId>, sqlx::Error> {
    with_tx!(tx, conn => sqlx::query_scalar::<_, RatingId>(
        "INSERT INTO ratings (request_id, resolution_no, org_id, rater_id, resolver_id, first_owner_id, score, \
         reasons, comment, created_at, updated_at, reviewed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, NULL) \
         ON CONFLICT (request_id, resolution_no) DO NOTHING RETURNING id"
    )
    .bind(new.request).bind(new.resolution_no).bind(new.org).bind(new.rater).bind(new.resolver)
    .bind(new.first_owner).bind(new.rating.score.stars()).bind(reasons_to_text(&new.rating.reasons))
    .bind(&new.rating.comment).bind(new.now)
    .fetch_optional(&mut *conn).await)
}

/// Replaces a rating's values, keeping the ones it had. `seen` is the rating's `updated_at` as
/// the change was checked against: a concurrent change makes this one write nothing.
pub async fn change_in(
    tx: &mut Tx,
    rating: RatingId,
    seen: DateTime<Utc>,
    new: &CheckedRating,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    with_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO rating_changes (rating_id, score, reasons, comment, given_at, changed_at) \
             SELECT id, score, reasons, comment, updated_at, $2 FROM ratings WHERE id = $1 AND updated_at = $3"
        ).bind(rating).bind(now).bind(seen).execute(&mut *conn).await?;
        let updated = sqlx::query(
            "UPDATE ratings SET score = $1, reasons = $2, comment = $3, updated_at = $4 WHERE id = $5 AND updated_at = $6"
        )
        .bind(new.score.stars()).bind(reasons_to_text(&new.reasons)).bind(&new.comment).bind(now)
        .bind(rating).bind(seen)
        .execute(&mut *conn).await?;
        Ok(updated.rows_affected() == 1)
    })
}

/// A customer manager or admin has read the comment; credited agents may read it from now on.
pub async fn mark_reviewed(db: &Db, rating: RatingId, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("UPDATE ratings SET reviewed_at = $1 WHERE id = $2 AND reviewed_at IS NULL")
        .bind(now).bind(rating).execute(pool).await.map(|_| ()))
}

/// The follow-up facts the rules and the lifecycle need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowUpRecord {
    pub id: FollowUpId,
    pub rating_id: RatingId,
    pub request_id: RequestId,
    pub org_id: OrgId,
    pub manager_id: Option<UserId>,
    pub manager_name: Option<String>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub contact: Option<ContactMethod>,
    pub root_cause: Option<RootCause>,
    pub action_taken: Option<FollowUpAction>,
    pub outcome: Option<String>,
    pub version: i64,
}

const SELECT_FOLLOW_UP: &str = "SELECT f.id, f.rating_id, f.request_id, f.org_id, f.manager_id, m.display_name AS manager_name, \
     f.due_at, f.created_at, f.escalated_at, f.closed_at, c.display_name AS closed_by_name, f.contact, f.root_cause, \
     f.action_taken, f.outcome, f.version \
     FROM follow_ups f LEFT JOIN users m ON m.id = f.manager_id LEFT JOIN users c ON c.id = f.closed_by";

pub async fn follow_up(db: &Db, id: FollowUpId) -> Result<Option<FollowUpRecord>, sqlx::Error> {
    let sql = format!("{SELECT_FOLLOW_UP} WHERE f.id = $1");
    with_db!(db, pool => sqlx::query_as::<_, FollowUpRecord>(&sql).bind(id).fetch_optional(pool).await)
}

pub async fn follow_up_of(db: &Db, rating: RatingId) -> Result<Option<FollowUpRecord>, sqlx::Error> {
    let sql = format!("{SELECT_FOLLOW_UP} WHERE f.rating_id = $1");
    with_db!(db, pool => sqlx::query_as::<_, FollowUpRecord>(&sql).bind(rating).fetch_optional(pool).await)
}

pub async fn follow_up_events(db: &Db, id: FollowUpId) -> Result<Vec<FollowUpEvent>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, FollowUpEvent>(
        "SELECT e.kind, u.display_name AS actor_name, e.note, e.created_at FROM follow_up_events e \
         LEFT JOIN users u ON u.id = e.actor_id WHERE e.follow_up_id = $1 ORDER BY e.id"
    ).bind(id).fetch_all(pool).await)
}

/// The customer manager a new follow-up of `org` goes to: the first assigned active one.
pub async fn manager_for(db: &Db, org: OrgId) -> Result<Option<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>(
        "SELECT a.manager_id FROM manager_assignments a JOIN users u ON u.id = a.manager_id \
         WHERE a.org_id = $1 AND u.active = TRUE ORDER BY a.manager_id LIMIT 1"
    ).bind(org).fetch_optional(pool).await)
}

/// The active admins, who hold follow-ups without a manager and hear of overdue ones.
pub async fn admins(db: &Db) -> Result<Vec<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>(
        "SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.role = 'admin' AND u.active = TRUE ORDER BY m.user_id"
    ).fetch_all(pool).await)
}

pub struct NewFollowUp {
    pub rating: RatingId,
    pub request: RequestId,
    pub org: OrgId,
    pub manager: Option<UserId>,
    pub due_at: DateTime<Utc>,
    pub opened_by: UserId,
    pub now: DateTime<Utc>,
}

/// Opens the follow-up of a low rating, unless the rating has one already.
pub async fn open_in(tx: &mut Tx, new: &NewFollowUp) -> Result<Option<FollowUpId>, sqlx::Error> {
    let id = with_tx!(tx, conn => sqlx::query_scalar::<_, FollowUpId>(
        "INSERT INTO follow_ups (rating_id, request_id, org_id, manager_id, due_at, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (rating_id) DO NOTHING RETURNING id"
    )
    .bind(new.rating).bind(new.request).bind(new.org).bind(new.manager).bind(new.due_at).bind(new.now)
    .fetch_optional(&mut *conn).await)?;
    if let Some(id) = id {
        event_in(tx, id, Some(new.opened_by), FollowUpEventKind::Opened, None, new.now).await?;
    }
    Ok(id)
}

pub async fn event_in(
    tx: &mut Tx,
    follow_up: FollowUpId,
    actor: Option<UserId>,
    kind: FollowUpEventKind,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO follow_up_events (follow_up_id, actor_id, kind, note, created_at) VALUES ($1, $2, $3, $4, $5)"
    ).bind(follow_up).bind(actor).bind(kind).bind(note).bind(now).execute(&mut *conn).await.map(|_| ()))
}

/// Closes a follow-up seen at `version` with its outcome, and marks the rating's comment
/// reviewed. `false`: it was closed or changed meanwhile, and nothing was written.
pub async fn close(
    db: &Db,
    record: &FollowUpRecord,
    version: i64,
    by: UserId,
    outcome: &CheckedOutcome,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let updated = with_tx!(&mut tx, conn => sqlx::query(
        "UPDATE follow_ups SET closed_at = $1, closed_by = $2, contact = $3, root_cause = $4, action_taken = $5, \
         outcome = $6, version = version + 1 WHERE id = $7 AND version = $8 AND closed_at IS NULL"
    )
    .bind(now).bind(by).bind(outcome.contact).bind(outcome.root_cause).bind(outcome.action_taken)
    .bind(&outcome.outcome).bind(record.id).bind(version)
    .execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if updated != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    event_in(&mut tx, record.id, Some(by), FollowUpEventKind::Closed, Some(&outcome.outcome), now).await?;
    with_tx!(&mut tx, conn => sqlx::query("UPDATE ratings SET reviewed_at = $1 WHERE id = $2 AND reviewed_at IS NULL")
        .bind(now).bind(record.rating_id).execute(&mut *conn).await.map(|_| ()))?;
    tx.commit().await?;
    Ok(true)
}

fn scope_sql(scope: &RequestScope) -> Option<String> {
    if scope.everything {
        return Some("1 = 1".into());
    }
    if scope.orgs.is_empty() {
        return None;
    }
    // Organisation ids come from the signed-in user's memberships, never from the caller.
    let list: Vec<String> = scope.orgs.iter().map(|o| o.0.to_string()).collect();
    Some(format!("f.org_id IN ({})", list.join(", ")))
}

const STATE_OPEN: &str = "f.closed_at IS NULL";
const STATE_DUE_SOON: &str = "f.closed_at IS NULL AND f.due_at >= $1 AND f.due_at < $2";
const STATE_OVERDUE: &str = "f.closed_at IS NULL AND f.due_at < $1";
const STATE_CLOSED: &str = "f.closed_at IS NOT NULL";

fn state_sql(state: FollowUpState) -> &'static str {
    match state {
        FollowUpState::Open => STATE_OPEN,
        FollowUpState::DueSoon => STATE_DUE_SOON,
        FollowUpState::Overdue => STATE_OVERDUE,
        FollowUpState::Closed => STATE_CLOSED,
    }
}

const FILTER_SQL: &str = "($3 IS NULL OR f.org_id = $3) AND ($4 IS NULL OR g.resolver_id = $4 OR g.first_owner_id = $4)";

/// One tab of the follow-up list, within `scope`; due first, the newest closed first.
/// "Open" holds every follow-up not closed; "due soon" and "overdue" are parts of it.
pub async fn list(
    db: &Db,
    scope: &RequestScope,
    filter: &FollowUpFilter,
    now: DateTime<Utc>,
    due_soon: Duration,
) -> Result<Vec<FollowUpRow>, sqlx::Error> {
    let Some(scope) = scope_sql(scope) else { return Ok(Vec::new()) };
    let order = if filter.state == FollowUpState::Closed { "f.closed_at DESC, f.id DESC" } else { "f.due_at, f.id" };
    let sql = format!(
        "SELECT f.id, f.request_id, r.reference_no, r.title, o.name AS org_name, g.score, m.display_name AS manager_name, \
         rs.display_name AS resolver_name, f.due_at, f.escalated_at, f.closed_at \
         FROM follow_ups f JOIN ratings g ON g.id = f.rating_id JOIN requests r ON r.id = f.request_id \
         JOIN organisations o ON o.id = f.org_id LEFT JOIN users m ON m.id = f.manager_id \
         LEFT JOIN users rs ON rs.id = g.resolver_id \
         WHERE {scope} AND {} AND {FILTER_SQL} ORDER BY {order} LIMIT 200",
        state_sql(filter.state)
    );
    with_db!(db, pool => sqlx::query_as::<_, FollowUpRow>(&sql)
        .bind(now).bind(now + due_soon).bind(filter.org).bind(filter.agent)
        .fetch_all(pool).await)
}

/// How many follow-ups each tab holds under the same organisation and agent filter.
pub async fn counts(
    db: &Db,
    scope: &RequestScope,
    filter: &FollowUpFilter,
    now: DateTime<Utc>,
    due_soon: Duration,
) -> Result<Vec<i64>, sqlx::Error> {
    let Some(scope) = scope_sql(scope) else { return Ok(vec![0; FollowUpState::ALL.len()]) };
    let sums: Vec<String> = FollowUpState::ALL
        .iter()
        .map(|s| format!("COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0)", state_sql(*s)))
        .collect();
    let sql = format!(
        "SELECT {} FROM follow_ups f JOIN ratings g ON g.id = f.rating_id WHERE {scope} AND {FILTER_SQL}",
        sums.join(", ")
    );
    let row: (i64, i64, i64, i64) = with_db!(db, pool => sqlx::query_as(&sql)
        .bind(now).bind(now + due_soon).bind(filter.org).bind(filter.agent)
        .fetch_one(pool).await)?;
    Ok(vec![row.0, row.1, row.2, row.3])
}

/// The organisations and credited agents the list can be filtered by, within `scope`.
pub async fn filter_choices(
    db: &Db,
    scope: &RequestScope,
) -> Result<(Vec<(OrgId, String)>, Vec<(UserId, String)>), sqlx::Error> {
    let Some(scope) = scope_sql(scope) else { return Ok((Vec::new(), Vec::new())) };
    let orgs_sql = format!(
        "SELECT DISTINCT o.id, o.name FROM follow_ups f JOIN organisations o ON o.id = f.org_id WHERE {scope} ORDER BY o.name"
    );
    let agents_sql = format!(
        "SELECT DISTINCT u.id, u.display_name FROM follow_ups f JOIN ratings g ON g.id = f.rating_id \
         JOIN users u ON u.id = g.resolver_id OR u.id = g.first_owner_id WHERE {scope} ORDER BY u.display_name"
    );
    with_db!(db, pool => {
        let orgs = sqlx::query_as::<_, (OrgId, String)>(&orgs_sql).fetch_all(pool).await?;
        let agents = sqlx::query_as::<_, (UserId, String)>(&agents_sql).fetch_all(pool).await?;
        Ok((orgs, agents))
    })
}

/// Open follow-ups past their deadline that nobody escalated yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Overdue {
    pub id: FollowUpId,
    pub request_id: RequestId,
    pub reference_no: String,
    pub title: String,
}

pub async fn overdue_unescalated(db: &Db, now: DateTime<Utc>) -> Result<Vec<Overdue>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, Overdue>(
        "SELECT f.id, f.request_id, r.reference_no, r.title FROM follow_ups f JOIN requests r ON r.id = f.request_id \
         WHERE f.closed_at IS NULL AND f.escalated_at IS NULL AND f.due_at < $1 ORDER BY f.due_at LIMIT 100"
    ).bind(now).fetch_all(pool).await)
}

/// Marks a follow-up escalated, once: of two instances trying, one gets `true`.
pub async fn mark_escalated_in(tx: &mut Tx, id: FollowUpId, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let updated = with_tx!(tx, conn => sqlx::query(
        "UPDATE follow_ups SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL AND closed_at IS NULL"
    ).bind(now).bind(id).execute(&mut *conn).await.map(|r| r.rows_affected()))?;
    if updated == 1 {
        event_in(tx, id, None, FollowUpEventKind::Escalated, None, now).await?;
        return Ok(true);
    }
    Ok(false)
}

/// Resolved requests whose rating window ended before `before`, oldest first.
pub async fn unrated_expired(db: &Db, before: DateTime<Utc>) -> Result<Vec<RequestId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, RequestId>(
        "SELECT id FROM requests WHERE status = 'resolved' AND resolved_at < $1 ORDER BY resolved_at LIMIT 200"
    ).bind(before).fetch_all(pool).await)
}

/// The scores given to `orgs` since `since`, and the resolutions of their requests since then.
pub async fn period(db: &Db, orgs: &[OrgId], since: DateTime<Utc>) -> Result<(Vec<(OrgId, i64)>, Vec<(OrgId, i64)>), sqlx::Error> {
    if orgs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let list: Vec<String> = orgs.iter().map(|o| o.0.to_string()).collect();
    let list = list.join(", ");
    let scores_sql = format!("SELECT org_id, score FROM ratings WHERE org_id IN ({list}) AND created_at >= $1");
    let resolved_sql = format!(
        "SELECT r.org_id, COUNT(*) FROM request_events e JOIN requests r ON r.id = e.request_id \
         WHERE r.org_id IN ({list}) AND e.action = $2 AND e.created_at >= $1 GROUP BY r.org_id"
    );
    with_db!(db, pool => {
        let scores = sqlx::query_as::<_, (OrgId, i64)>(&scores_sql).bind(since).fetch_all(pool).await?;
        let resolved = sqlx::query_as::<_, (OrgId, i64)>(&resolved_sql).bind(since).bind(RequestAction::Resolve)
            .fetch_all(pool).await?;
        Ok((scores, resolved))
    })
}

/// Open follow-ups per organisation.
pub async fn open_per_org(db: &Db, orgs: &[OrgId]) -> Result<Vec<(OrgId, i64)>, sqlx::Error> {
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = orgs.iter().map(|o| o.0.to_string()).collect();
    let sql = format!("SELECT org_id, COUNT(*) FROM follow_ups WHERE closed_at IS NULL AND org_id IN ({}) GROUP BY org_id", list.join(", "));
    with_db!(db, pool => sqlx::query_as::<_, (OrgId, i64)>(&sql).fetch_all(pool).await)
}

/// Names of organisations, for the satisfaction page.
pub async fn org_names(db: &Db, orgs: &[OrgId]) -> Result<Vec<(OrgId, String)>, sqlx::Error> {
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = orgs.iter().map(|o| o.0.to_string()).collect();
    let sql = format!("SELECT id, name FROM organisations WHERE id IN ({}) ORDER BY name", list.join(", "));
    with_db!(db, pool => sqlx::query_as::<_, (OrgId, String)>(&sql).fetch_all(pool).await)
}
