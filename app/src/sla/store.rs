//! SQL for working calendars, the SLA clock's pauses, its alerts, and the scheduler's lease.

use crate::{
    db::{Db, Tx},
    kernel::{CalendarId, OrgId, ReferenceNo, RequestId, RequestStatus, TeamId, UserId},
    sla::{AlertLevel, CalendarUser, PauseKind, SlaTarget},
    with_db,
    with_tx,
};
use chrono::{DateTime, NaiveDate, Utc};

/// A calendar as stored: its week is JSON (see the migration).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredCalendar {
    pub id: CalendarId,
    pub name: String,
    pub zone: String,
    pub week: String,
    pub is_default: bool,
    pub version: i64,
}

/// One dated entry: `holiday`, or the weekday a make-up day works like (`mon` … `sun`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredDate {
    pub calendar_id: CalendarId,
    pub day: NaiveDate,
    pub rule: String,
}

pub async fn calendars(db: &Db) -> Result<Vec<StoredCalendar>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, StoredCalendar>(
        "SELECT id, name, zone, week, is_default, version FROM work_calendars ORDER BY is_default DESC, name"
    ).fetch_all(pool).await)
}

/// Every calendar's dated entries, in date order. A few dozen a year per calendar.
pub async fn all_dates(db: &Db) -> Result<Vec<StoredDate>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, StoredDate>(
        "SELECT calendar_id, day, rule FROM work_calendar_dates ORDER BY calendar_id, day"
    ).fetch_all(pool).await)
}

/// The calendar a new request is counted on: its type's, else its team's, else the default.
pub async fn calendar_for(db: &Db, type_id: crate::kernel::TypeId, team: TeamId) -> Result<Option<CalendarId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, Option<CalendarId>>(
        "SELECT COALESCE( \
            (SELECT calendar_id FROM request_types WHERE id = $1), \
            (SELECT calendar_id FROM teams WHERE id = $2), \
            (SELECT id FROM work_calendars WHERE is_default))"
    ).bind(type_id).bind(team).fetch_one(pool).await)
}

/// Writes the default calendar unless there is one. Safe when several instances start at once.
pub async fn ensure_default(
    db: &Db,
    name: &str,
    zone: &str,
    week: &str,
    dates: &[(NaiveDate, &str)],
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let created = with_tx!(&mut tx, conn => async {
        let exists = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM work_calendars WHERE is_default")
            .fetch_one(&mut *conn).await?;
        if exists > 0 {
            return Ok::<_, sqlx::Error>(None);
        }
        sqlx::query_scalar::<_, CalendarId>(
            "INSERT INTO work_calendars (name, zone, week, is_default, version, updated_at) \
             VALUES ($1, $2, $3, TRUE, 1, $4) ON CONFLICT DO NOTHING RETURNING id",
        ).bind(name).bind(zone).bind(week).bind(now).fetch_optional(&mut *conn).await
    }.await)?;
    let Some(id) = created else {
        tx.rollback().await?;
        return Ok(false);
    };
    replace_dates(&mut tx, id, dates).await?;
    tx.commit().await?;
    Ok(true)
}

/// What saving a calendar came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Done(CalendarId),
    /// Another calendar has this name.
    NameTaken,
    /// The calendar changed since the admin loaded it, or is gone.
    Stale,
}

/// Creates (`id` none) or changes a calendar inside the caller's transaction. Making it the
/// default takes that from the one that was.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    tx: &mut Tx,
    id: Option<CalendarId>,
    version: Option<i64>,
    name: &str,
    zone: &str,
    week: &str,
    is_default: bool,
    now: DateTime<Utc>,
) -> Result<Saved, sqlx::Error> {
    with_tx!(tx, conn => async {
        let taken = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM work_calendars WHERE name = $1 AND id <> $2")
            .bind(name).bind(id.unwrap_or(CalendarId(0))).fetch_one(&mut *conn).await?;
        if taken > 0 {
            return Ok(Saved::NameTaken);
        }
        if is_default {
            sqlx::query("UPDATE work_calendars SET is_default = FALSE WHERE is_default AND id <> $1")
                .bind(id.unwrap_or(CalendarId(0))).execute(&mut *conn).await?;
        }
        let saved = match id {
            None => sqlx::query_scalar::<_, CalendarId>(
                "INSERT INTO work_calendars (name, zone, week, is_default, version, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
            ).bind(name).bind(zone).bind(week).bind(is_default).bind(now).fetch_optional(&mut *conn).await?,
            // The default stays the default: another calendar takes it over, never nobody.
            Some(id) => sqlx::query_scalar::<_, CalendarId>(
                "UPDATE work_calendars SET name = $1, zone = $2, week = $3, is_default = (is_default OR $4), \
                 version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7 RETURNING id",
            ).bind(name).bind(zone).bind(week).bind(is_default).bind(now).bind(id).bind(version.unwrap_or(-1))
             .fetch_optional(&mut *conn).await?,
        };
        Ok::<_, sqlx::Error>(saved.map_or(Saved::Stale, Saved::Done))
    }.await)
}

/// Moves a calendar to its next version when its dates change, refusing an edit made on an
/// older one.
pub async fn bump(tx: &mut Tx, id: CalendarId, version: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    with_tx!(tx, conn => sqlx::query(
        "UPDATE work_calendars SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
    ).bind(now).bind(id).bind(version).execute(&mut *conn).await.map(|done| done.rows_affected() == 1))
}

/// Sets a calendar's dated entries to exactly `dates`.
pub async fn replace_dates(tx: &mut Tx, id: CalendarId, dates: &[(NaiveDate, &str)]) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => async {
        sqlx::query("DELETE FROM work_calendar_dates WHERE calendar_id = $1").bind(id).execute(&mut *conn).await?;
        for (day, rule) in dates {
            sqlx::query("INSERT INTO work_calendar_dates (calendar_id, day, rule) VALUES ($1, $2, $3)")
                .bind(id).bind(*day).bind(*rule).execute(&mut *conn).await?;
        }
        Ok::<_, sqlx::Error>(())
    }.await)
}

/// Teams and request types with the calendar each uses.
pub async fn calendar_users(db: &Db) -> Result<(Vec<CalendarUser>, Vec<CalendarUser>), sqlx::Error> {
    with_db!(db, pool => {
        let teams = sqlx::query_as::<_, (i64, String, String, Option<CalendarId>)>(
            "SELECT id, name_zh, name_en, calendar_id FROM teams ORDER BY code"
        ).fetch_all(pool).await?;
        let types = sqlx::query_as::<_, (i64, String, String, Option<CalendarId>)>(
            "SELECT t.id, v.name_zh, v.name_en, t.calendar_id FROM request_types t \
             JOIN request_type_versions v ON v.type_id = t.id AND v.version = t.current_version \
             WHERE t.active ORDER BY t.sort_order, t.code"
        ).fetch_all(pool).await?;
        let user = |(id, name_zh, name_en, calendar_id)| CalendarUser { id, name_zh, name_en, calendar_id };
        Ok((teams.into_iter().map(user).collect(), types.into_iter().map(user).collect()))
    })
}

/// Points a team or a request type at a calendar (`None`: the default). False when either is
/// unknown.
pub async fn assign(db: &Db, scope: super::CalendarScope, calendar: Option<CalendarId>) -> Result<bool, sqlx::Error> {
    let (table, id) = match scope {
        super::CalendarScope::Team(team) => ("teams", team.0),
        super::CalendarScope::RequestType(t) => ("request_types", t.0),
    };
    let sql = format!(
        "UPDATE {table} SET calendar_id = $1 WHERE id = $2 \
         AND ($1 IS NULL OR EXISTS (SELECT 1 FROM work_calendars WHERE id = $1))"
    );
    with_db!(db, pool => sqlx::query(&sql).bind(calendar).bind(id).execute(pool).await.map(|done| done.rows_affected() == 1))
}

/// The statuses in which a request's clocks can still run.
const OPEN: &str = "('submitted', 'in_review', 'awaiting_client')";

/// Open requests per calendar (`None`: counted on the default).
pub async fn open_counts(db: &Db) -> Result<Vec<(Option<CalendarId>, i64)>, sqlx::Error> {
    let sql = format!("SELECT calendar_id, COUNT(*) FROM requests WHERE status IN {OPEN} GROUP BY calendar_id");
    with_db!(db, pool => sqlx::query_as::<_, (Option<CalendarId>, i64)>(&sql).fetch_all(pool).await)
}

/// What the clock needs of a request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClockRow {
    pub id: RequestId,
    pub reference_no: ReferenceNo,
    pub title: String,
    pub org_id: OrgId,
    pub owner_id: Option<UserId>,
    pub team_id: TeamId,
    pub calendar_id: Option<CalendarId>,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
}

const SELECT_CLOCK: &str = "SELECT id, reference_no, title, org_id, owner_id, team_id, calendar_id, status, created_at, \
     first_response_minutes, resolution_minutes, first_responded_at, resolved_at, updated_at, \
     first_response_due, resolution_due FROM requests";

pub async fn clock_row(db: &Db, id: RequestId) -> Result<Option<ClockRow>, sqlx::Error> {
    let sql = format!("{SELECT_CLOCK} WHERE id = $1");
    with_db!(db, pool => sqlx::query_as::<_, ClockRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// Open requests: those whose clocks run (`running_only`), or also those waiting on the client.
pub async fn open_clocks(db: &Db, running_only: bool) -> Result<Vec<ClockRow>, sqlx::Error> {
    let statuses = if running_only { "('submitted', 'in_review')" } else { OPEN };
    let sql = format!("{SELECT_CLOCK} WHERE status IN {statuses} ORDER BY id");
    with_db!(db, pool => sqlx::query_as::<_, ClockRow>(&sql).fetch_all(pool).await)
}

/// A stretch while the clock stood still, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredPause {
    pub request_id: RequestId,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub reason: String,
    pub started_by: Option<UserId>,
    pub kind: PauseKind,
}

pub async fn pauses_of(db: &Db, id: RequestId) -> Result<Vec<StoredPause>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, StoredPause>(
        "SELECT request_id, started_at, ended_at, reason, started_by, kind FROM sla_pauses WHERE request_id = $1 ORDER BY started_at, id"
    ).bind(id).fetch_all(pool).await)
}

/// The pauses of every open request, in request and time order.
pub async fn open_pauses(db: &Db) -> Result<Vec<StoredPause>, sqlx::Error> {
    let sql = format!(
        "SELECT p.request_id, p.started_at, p.ended_at, p.reason, p.started_by, p.kind FROM sla_pauses p \
         JOIN requests r ON r.id = p.request_id WHERE r.status IN {OPEN} ORDER BY p.request_id, p.started_at, p.id"
    );
    with_db!(db, pool => sqlx::query_as::<_, StoredPause>(&sql).fetch_all(pool).await)
}


/// Starts a pause (the request now waits on the client) or ends the open one, with the event
/// that does it, inside that event's transaction.
pub async fn pause_change(
    tx: &mut Tx,
    id: RequestId,
    starts: Option<(&str, UserId)>,
    ends: bool,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => async {
        if ends {
            sqlx::query("UPDATE sla_pauses SET ended_at = $1 WHERE request_id = $2 AND ended_at IS NULL")
                .bind(at).bind(id).execute(&mut *conn).await?;
        }
        if let Some((reason, by)) = starts {
            sqlx::query("INSERT INTO sla_pauses (request_id, started_at, ended_at, reason, started_by) VALUES ($1, $2, NULL, $3, $4)")
                .bind(id).bind(at).bind(reason).bind(by).execute(&mut *conn).await?;
        }
        Ok::<_, sqlx::Error>(())
    }.await)
}

/// Records that a reopened request stood resolved from `since` until `until`, with the client's
/// reason for reopening, inside the reopening's transaction.
pub async fn stood_resolved(
    tx: &mut Tx,
    id: RequestId,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    reason: &str,
    by: UserId,
) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => sqlx::query(
        "INSERT INTO sla_pauses (request_id, started_at, ended_at, reason, started_by, kind) VALUES ($1, $2, $3, $4, $5, $6)"
    ).bind(id).bind(since).bind(until).bind(reason).bind(by).bind(PauseKind::Resolved)
        .execute(&mut *conn).await.map(|_| ()))
}

/// Writes recomputed due instants.
pub async fn set_dues(tx: &mut Tx, dues: &[(RequestId, DateTime<Utc>, DateTime<Utc>)]) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => async {
        for (id, first_response, resolution) in dues {
            sqlx::query("UPDATE requests SET first_response_due = $1, resolution_due = $2 WHERE id = $3")
                .bind(*first_response).bind(*resolution).bind(*id).execute(&mut *conn).await?;
        }
        Ok::<_, sqlx::Error>(())
    }.await)
}

/// Claims the right to send one alert. True once per request, target, level and due instant,
/// whichever instance asks first.
pub async fn claim_alert(
    db: &Db,
    id: RequestId,
    target: SlaTarget,
    level: AlertLevel,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "INSERT INTO sla_alerts (request_id, target, level, due_at, sent_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT DO NOTHING"
    ).bind(id).bind(target).bind(level).bind(due_at).bind(now).execute(pool).await
        .map(|done| done.rows_affected() == 1))
}

/// Gives back a claimed alert whose delivery failed, so that the next tick sends it.
pub async fn release_alert(db: &Db, id: RequestId, target: SlaTarget, level: AlertLevel, due_at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "DELETE FROM sla_alerts WHERE request_id = $1 AND target = $2 AND level = $3 AND due_at = $4"
    ).bind(id).bind(target).bind(level).bind(due_at).execute(pool).await.map(|_| ()))
}

/// The alerts sent for a request, in order.
pub async fn alerts_of(db: &Db, id: RequestId) -> Result<Vec<(SlaTarget, AlertLevel, DateTime<Utc>)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (SlaTarget, AlertLevel, DateTime<Utc>)>(
        "SELECT target, level, due_at FROM sla_alerts WHERE request_id = $1 ORDER BY sent_at, target, level"
    ).bind(id).fetch_all(pool).await)
}

/// Takes or renews the lease on a job until `until`. True when `holder` holds it now: nobody
/// held it, the last lease ran out, or it was `holder`'s own.
pub async fn take_lease(db: &Db, job: &str, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "INSERT INTO job_leases (name, holder, held_until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until \
         WHERE job_leases.held_until < $4 OR job_leases.holder = excluded.holder"
    ).bind(job).bind(holder).bind(until).bind(now).execute(pool).await
        .map(|done| done.rows_affected() == 1))
}

/// The agents of a team, for the unclaimed alert.
pub async fn team_agents(db: &Db, team: TeamId) -> Result<Vec<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>(
        "SELECT m.user_id FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 AND u.active ORDER BY m.user_id"
    ).bind(team).fetch_all(pool).await)
}
