//! SQL for the dashboard: the facts its figures are computed from, and the filter choices.
//! Ids in the scope and the filter are typed integers and are written into the statement;
//! instants are bound.

use super::{Backlog, Choice, DashboardFilter};
use crate::{
    authz::OrgScope,
    db::Db,
    kernel::{CalendarId, OrgId, RejectReason, RequestId, RequestStatus, TypeId, UserId},
    ratings::RootCause,
    with_db,
};
use chrono::{DateTime, Utc};

/// One request as the figures read it, with what its clock is counted on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FactRow {
    pub id: RequestId,
    pub org_id: OrgId,
    pub type_id: TypeId,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub first_response_due: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_due: DateTime<Utc>,
    pub reject_reason: Option<RejectReason>,
    pub calendar_id: Option<CalendarId>,
    pub resolution_minutes: i64,
    pub owner_id: Option<UserId>,
    pub first_owner_id: Option<UserId>,
    pub resolved_by: Option<UserId>,
}

/// The conditions on `requests r` (joined to `organisations o` and `request_type_versions v`)
/// that the scope and the filter's choices make, each starting with ` AND`.
fn conditions(scope: &OrgScope, filter: &DashboardFilter) -> String {
    let mut sql = String::new();
    if !scope.everything {
        let list: Vec<String> = scope.orgs.iter().map(|o| o.0.to_string()).collect();
        // An empty scope reads nothing rather than everything.
        sql.push_str(&format!(" AND r.org_id IN ({})", if list.is_empty() { "NULL".to_string() } else { list.join(", ") }));
    }
    if let Some(org) = filter.org {
        sql.push_str(&format!(" AND r.org_id = {}", org.0));
    }
    if let Some(tier) = filter.tier {
        sql.push_str(&format!(" AND o.tier_id = {}", tier.0));
    }
    if let Some(t) = filter.request_type {
        sql.push_str(&format!(" AND v.type_id = {}", t.0));
    }
    if let Some(team) = filter.team {
        sql.push_str(&format!(" AND r.team_id = {}", team.0));
    }
    if let Some(agent) = filter.agent {
        sql.push_str(&format!(" AND (r.owner_id = {0} OR r.resolved_by = {0} OR r.first_owner_id = {0})", agent.0));
    }
    sql
}

const FROM: &str = "FROM requests r JOIN organisations o ON o.id = r.org_id JOIN request_type_versions v ON v.id = r.type_version_id";

/// The requests that were open at some moment of `[from, to)`: submitted before its end and
/// not resolved, rejected or withdrawn before its start.
pub async fn facts(db: &Db, scope: &OrgScope, filter: &DashboardFilter, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<FactRow>, sqlx::Error> {
    let sql = format!(
        "SELECT r.id, r.org_id, v.type_id, r.status, r.created_at, r.updated_at, r.first_responded_at, r.first_response_due, \
         r.resolved_at, r.resolution_due, r.reject_reason, r.calendar_id, r.resolution_minutes, r.owner_id, \
         r.first_owner_id, r.resolved_by {FROM} \
         WHERE r.created_at < $2 AND (r.resolved_at IS NULL OR r.resolved_at >= $1) \
         AND NOT (r.status = 'withdrawn' AND r.updated_at < $1){}",
        conditions(scope, filter)
    );
    with_db!(db, pool => sqlx::query_as::<_, FactRow>(&sql).bind(from).bind(to).fetch_all(pool).await)
}

/// Open requests now, whatever the period.
pub async fn backlog(db: &Db, scope: &OrgScope, filter: &DashboardFilter) -> Result<Backlog, sqlx::Error> {
    let sql = format!(
        "SELECT r.status, COUNT(*) {FROM} WHERE r.status IN ('submitted', 'in_review', 'awaiting_client'){} GROUP BY r.status",
        conditions(scope, filter)
    );
    let rows = with_db!(db, pool => sqlx::query_as::<_, (RequestStatus, i64)>(&sql).fetch_all(pool).await)?;
    let count = |status: RequestStatus| rows.iter().find(|(s, _)| *s == status).map(|(_, n)| *n).unwrap_or(0);
    Ok(Backlog {
        unclaimed: count(RequestStatus::Submitted),
        in_progress: count(RequestStatus::InReview),
        awaiting_client: count(RequestStatus::AwaitingClient),
    })
}

/// A rating given in the period: its stars, reasons and whom it credits.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub score: i64,
    pub reasons: String,
    pub first_owner_id: Option<UserId>,
    pub resolver_id: Option<UserId>,
}

/// The ratings given in `[from, to)` to the requests the filter holds.
pub async fn ratings(db: &Db, scope: &OrgScope, filter: &DashboardFilter, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<RatingRow>, sqlx::Error> {
    let sql = format!(
        "SELECT g.score, g.reasons, g.first_owner_id, g.resolver_id FROM ratings g JOIN requests r ON r.id = g.request_id \
         JOIN organisations o ON o.id = r.org_id JOIN request_type_versions v ON v.id = r.type_version_id \
         WHERE g.created_at >= $1 AND g.created_at < $2{}",
        conditions(scope, filter)
    );
    with_db!(db, pool => sqlx::query_as::<_, RatingRow>(&sql).bind(from).bind(to).fetch_all(pool).await)
}

/// The waits on the client (not the stretches a reopened request stood resolved) of the
/// requests resolved or rejected in `[from, to)`.
pub async fn pauses(
    db: &Db,
    scope: &OrgScope,
    filter: &DashboardFilter,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(RequestId, DateTime<Utc>, Option<DateTime<Utc>>)>, sqlx::Error> {
    let sql = format!(
        "SELECT p.request_id, p.started_at, p.ended_at FROM sla_pauses p JOIN requests r ON r.id = p.request_id \
         JOIN organisations o ON o.id = r.org_id JOIN request_type_versions v ON v.id = r.type_version_id \
         WHERE p.kind = 'awaiting_client' AND r.resolved_at >= $1 AND r.resolved_at < $2{}",
        conditions(scope, filter)
    );
    with_db!(db, pool => sqlx::query_as::<_, (RequestId, DateTime<Utc>, Option<DateTime<Utc>>)>(&sql)
        .bind(from).bind(to).fetch_all(pool).await)
}

/// The follow-ups of the low scores given in `[from, to)`: deadline, closing and root cause.
pub async fn follow_ups(
    db: &Db,
    scope: &OrgScope,
    filter: &DashboardFilter,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, Option<DateTime<Utc>>, Option<RootCause>)>, sqlx::Error> {
    let sql = format!(
        "SELECT f.due_at, f.closed_at, f.root_cause FROM follow_ups f JOIN requests r ON r.id = f.request_id \
         JOIN organisations o ON o.id = r.org_id JOIN request_type_versions v ON v.id = r.type_version_id \
         WHERE f.created_at >= $1 AND f.created_at < $2{}",
        conditions(scope, filter)
    );
    with_db!(db, pool => sqlx::query_as::<_, (DateTime<Utc>, Option<DateTime<Utc>>, Option<RootCause>)>(&sql)
        .bind(from).bind(to).fetch_all(pool).await)
}

/// Display names of users, for the agents' table.
pub async fn names(db: &Db, ids: &[UserId]) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
    let sql = format!("SELECT id, display_name FROM users WHERE id IN ({})", list.join(", "));
    with_db!(db, pool => sqlx::query_as::<_, (UserId, String)>(&sql).fetch_all(pool).await)
}

/// Resolutions in `[from, to)`: a request reopened and resolved again counts twice.
pub async fn resolutions(db: &Db, scope: &OrgScope, filter: &DashboardFilter, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM request_events e JOIN requests r ON r.id = e.request_id \
         JOIN organisations o ON o.id = r.org_id JOIN request_type_versions v ON v.id = r.type_version_id \
         WHERE e.action = 'resolve' AND e.created_at >= $1 AND e.created_at < $2{}",
        conditions(scope, filter)
    );
    with_db!(db, pool => sqlx::query_scalar::<_, i64>(&sql).bind(from).bind(to).fetch_one(pool).await)
}

/// Subsidiaries in the scope, by name.
pub async fn organisations(db: &Db, scope: &OrgScope) -> Result<Vec<Choice>, sqlx::Error> {
    let mut sql = "SELECT id, name AS name_zh, NULL AS name_en FROM organisations WHERE kind = 'subsidiary'".to_string();
    if !scope.everything {
        let list: Vec<String> = scope.orgs.iter().map(|o| o.0.to_string()).collect();
        sql.push_str(&format!(" AND id IN ({})", if list.is_empty() { "NULL".to_string() } else { list.join(", ") }));
    }
    sql.push_str(" ORDER BY name");
    with_db!(db, pool => sqlx::query_as::<_, (i64, String, Option<String>)>(&sql).fetch_all(pool).await)
        .map(|rows| rows.into_iter().map(|(id, name_zh, name_en)| Choice { id, name_zh, name_en }).collect())
}

pub async fn tiers(db: &Db) -> Result<Vec<Choice>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i64, String, Option<String>)>(
        "SELECT id, name_zh, name_en FROM tiers ORDER BY rank, code"
    ).fetch_all(pool).await)
    .map(|rows| rows.into_iter().map(|(id, name_zh, name_en)| Choice { id, name_zh, name_en }).collect())
}

/// Request types by their current names.
pub async fn types(db: &Db) -> Result<Vec<Choice>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i64, String, Option<String>)>(
        "SELECT t.id, v.name_zh, v.name_en FROM request_types t \
         JOIN request_type_versions v ON v.type_id = t.id AND v.version = t.current_version ORDER BY t.sort_order, t.id"
    ).fetch_all(pool).await)
    .map(|rows| rows.into_iter().map(|(id, name_zh, name_en)| Choice { id, name_zh, name_en }).collect())
}

pub async fn teams(db: &Db) -> Result<Vec<Choice>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i64, String, Option<String>)>(
        "SELECT id, name_zh, name_en FROM teams ORDER BY id"
    ).fetch_all(pool).await)
    .map(|rows| rows.into_iter().map(|(id, name_zh, name_en)| Choice { id, name_zh, name_en }).collect())
}

/// The people who hold the agent role, active or not: a departed agent's work still counts.
pub async fn agents(db: &Db) -> Result<Vec<Choice>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i64, String, Option<String>)>(
        "SELECT DISTINCT u.id, u.display_name, NULL AS name_en FROM users u JOIN memberships m ON m.user_id = u.id \
         WHERE m.role = 'agent' ORDER BY u.display_name"
    ).fetch_all(pool).await)
    .map(|rows| rows.into_iter().map(|(id, name_zh, name_en)| Choice { id, name_zh, name_en }).collect())
}

/// The disputes of statement lines opened in `[from, to)` whose requests the filter holds, by
/// the month the statement covers: opened, accepted, declined and still open.
pub async fn disputes(
    db: &Db,
    scope: &OrgScope,
    filter: &DashboardFilter,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<super::DisputeMonth>, sqlx::Error> {
    let sql = format!(
        "SELECT s.month, COUNT(*), SUM(CASE WHEN d.outcome = 'accepted' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN d.outcome = 'declined' THEN 1 ELSE 0 END), SUM(CASE WHEN d.outcome = 'open' THEN 1 ELSE 0 END) \
         FROM statement_disputes d JOIN statements s ON s.id = d.statement_id \
         JOIN statement_lines l ON l.statement_id = d.statement_id AND l.line_no = d.line_no \
         JOIN requests r ON r.id = l.request_id JOIN organisations o ON o.id = r.org_id \
         JOIN request_type_versions v ON v.id = r.type_version_id \
         WHERE d.opened_at >= $1 AND d.opened_at < $2{} GROUP BY s.month ORDER BY s.month",
        conditions(scope, filter)
    );
    let rows = with_db!(db, pool => sqlx::query_as::<_, (chrono::NaiveDate, i64, i64, i64, i64)>(&sql).bind(from).bind(to).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(month, opened, accepted, declined, open)| super::DisputeMonth { month, opened, accepted, declined, open })
        .collect())
}
