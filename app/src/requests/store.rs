//! SQL for requests, their timeline and their files.

use crate::{
    attachments::store::UNCLAIMED,
    authz::{RequestScope, Target},
    db::{BeginWrite, Db, Tx},
    kernel::{
        AttachmentId, OrgId, ReferenceNo, RequestAction, RequestId, RequestStatus, TeamId,
        TypeVersionId, UserId,
    },
    requests::{
        AgentChoice, CannedReply, EventKind, ListFilter, PAGE_SIZE, Queue, QueueCounts,
        RequestEvent, RequestPage, RequestRecord, RequestSummary, Sort,
    },
    time::CENTER_TIME_ZONE,
    with_db,
    with_tx,
};
use chrono::{DateTime, Datelike, Utc};

/// Who may see and act on a request, and the state an action starts from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestState {
    pub org_id: OrgId,
    pub requester_id: UserId,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub first_owner_id: Option<UserId>,
    pub team_id: TeamId,
    pub type_version_id: TypeVersionId,
    pub status: RequestStatus,
    pub version: i64,
    pub reference_no: ReferenceNo,
    pub title: String,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub awaiting_since: Option<DateTime<Utc>>,
    pub resolution_due: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub reject_reason: Option<String>,
    /// How often the request was resolved; each resolution is rated on its own.
    pub resolution_count: i64,
    pub resolved_by: Option<UserId>,
}

impl RequestState {
    pub fn target(&self) -> Target {
        Target::Request { org: self.org_id, requester: self.requester_id, owner: self.owner_id }
    }
}

pub async fn state(db: &Db, id: RequestId) -> Result<Option<RequestState>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, RequestState>(
        "SELECT r.org_id, r.requester_id, r.owner_id, o.display_name AS owner_name, r.first_owner_id, \
         r.team_id, r.type_version_id, r.status, r.version, r.reference_no, r.title, r.first_responded_at, r.awaiting_since, \
         r.resolution_due, r.resolved_at, r.resolution, r.reject_reason, r.resolution_count, r.resolved_by \
         FROM requests r LEFT JOIN users o ON o.id = r.owner_id WHERE r.id = $1"
    ).bind(id).fetch_optional(pool).await)
}

/// A request about to be stored.
pub struct NewRecord<'a> {
    pub org: OrgId,
    pub requester: UserId,
    pub type_version: TypeVersionId,
    pub team: TeamId,
    pub title: &'a str,
    pub description: &'a str,
    pub field_values: &'a str,
    pub urgent: bool,
    pub urgent_reason: Option<&'a str>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    /// The calendar the promise is counted on (`None`: whichever is the default), and the
    /// promise in working minutes.
    pub calendar: Option<crate::kernel::CalendarId>,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    pub idempotency_key: &'a str,
    /// Staged uploads and the slot each fills.
    pub files: &'a [(AttachmentId, Option<String>)],
    /// The versions in force of the policy pages the type links to.
    pub policies: &'a [(crate::kernel::PolicyPageId, i64)],
    pub now: DateTime<Utc>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Inserted {
    New(RequestId, ReferenceNo),
    /// The same submission was stored before; nothing new was written.
    Repeat(RequestId),
    /// A file is not the requester's, not complete, or already used: nothing was written.
    UnknownFile,
}

/// Stores a request with its reference number, first event and files, all or nothing.
pub async fn insert(db: &Db, new: &NewRecord<'_>) -> Result<Inserted, sqlx::Error> {
    // Reference numbers count per calendar year of the center.
    let year = new.now.with_timezone(&CENTER_TIME_ZONE).year();
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let earlier = sqlx::query_scalar::<_, RequestId>(
            "SELECT id FROM requests WHERE requester_id = $1 AND idempotency_key = $2",
        ).bind(new.requester).bind(new.idempotency_key).fetch_optional(&mut *tx).await?;
        if let Some(id) = earlier {
            return Ok(Inserted::Repeat(id));
        }
        let sequence = sqlx::query_scalar::<_, i64>(
            "INSERT INTO reference_counters (year, last_value) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last_value = reference_counters.last_value + 1 \
             RETURNING last_value",
        ).bind(year).fetch_one(&mut *tx).await?;
        let reference = ReferenceNo::new(year, sequence);
        let id = sqlx::query_scalar::<_, RequestId>(
            "INSERT INTO requests (reference_no, org_id, requester_id, type_version_id, team_id, title, \
             description, field_values, urgent, urgent_reason, status, version, first_response_due, \
             resolution_due, idempotency_key, created_at, updated_at, calendar_id, first_response_minutes, \
             resolution_minutes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14, $15, $15, $16, $17, $18) RETURNING id",
        )
        .bind(&reference).bind(new.org).bind(new.requester).bind(new.type_version).bind(new.team)
        .bind(new.title).bind(new.description).bind(new.field_values).bind(new.urgent)
        .bind(new.urgent_reason).bind(RequestStatus::Submitted).bind(new.first_response_due)
        .bind(new.resolution_due).bind(new.idempotency_key).bind(new.now)
        .bind(new.calendar).bind(new.first_response_minutes).bind(new.resolution_minutes)
        .fetch_one(&mut *tx).await?;
        let event = sqlx::query_scalar::<_, i64>(
            "INSERT INTO request_events (request_id, actor_id, kind, from_status, to_status, note, internal, created_at) \
             VALUES ($1, $2, $3, NULL, $4, NULL, FALSE, $5) RETURNING id",
        )
        .bind(id).bind(new.requester).bind(EventKind::Submitted).bind(RequestStatus::Submitted).bind(new.now)
        .fetch_one(&mut *tx).await?;
        for (file, slot) in new.files {
            let attached = sqlx::query(&format!(
                "UPDATE attachments SET request_id = $1, event_id = $2, slot = $3, internal = FALSE \
                 WHERE id = $4 AND uploaded_by = $5 AND request_id IS NULL AND complete = TRUE AND {UNCLAIMED}",
            ))
            .bind(id).bind(event).bind(slot.as_deref()).bind(*file).bind(new.requester)
            .execute(&mut *tx).await?;
            if attached.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(Inserted::UnknownFile);
            }
        }
        // The policy pages this form suggested, and those the client opened, stay with the
        // request (the form's suggestions were recorded under the same key).
        sqlx::query("UPDATE policy_suggestions SET request_id = $1 WHERE user_id = $2 AND form_key = $3 AND request_id IS NULL")
            .bind(id).bind(new.requester).bind(new.idempotency_key)
            .execute(&mut *tx).await?;
        for (page, version) in new.policies {
            sqlx::query("INSERT INTO request_policy_versions (request_id, page_id, version) VALUES ($1, $2, $3)")
                .bind(id).bind(*page).bind(*version)
                .execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Inserted::New(id, reference))
    })
}

/// The request a submission with this idempotency key stored before, if any.
pub async fn by_idempotency_key(db: &Db, requester: UserId, key: &str) -> Result<Option<RequestId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, RequestId>(
        "SELECT id FROM requests WHERE requester_id = $1 AND idempotency_key = $2"
    ).bind(requester).bind(key).fetch_optional(pool).await)
}

/// The state after an action, and the timeline entry that records it.
#[derive(Debug, Clone)]
pub struct Change {
    pub actor: UserId,
    pub status: RequestStatus,
    pub owner_id: Option<UserId>,
    pub first_owner_id: Option<UserId>,
    pub team_id: TeamId,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub awaiting_since: Option<DateTime<Utc>>,
    pub resolution_due: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub reject_reason: Option<String>,
    pub resolution_count: i64,
    pub resolved_by: Option<UserId>,
    /// When the request was resolved, on the change that reopens it: its clock did not count
    /// the time since.
    pub stood_resolved_since: Option<DateTime<Utc>>,
    pub event: NewEvent,
    pub files: Vec<AttachmentId>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub action: Option<RequestAction>,
    pub from_status: Option<RequestStatus>,
    pub to_status: Option<RequestStatus>,
    pub note: Option<String>,
    pub internal: bool,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub reason_code: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    Done { version: i64 },
    /// The request is no longer at the version the change was computed from.
    Stale,
    UnknownFile,
}

/// Writes a change computed from the request at `from_version`: the new state, the event, the
/// files and the notifications it causes, in one transaction. Nothing is written if the request
/// moved on meanwhile.
pub async fn apply(
    db: &Db,
    id: RequestId,
    from_version: i64,
    change: &Change,
    notices: &crate::notifications::store::Batch,
) -> Result<Applied, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let applied = apply_in(&mut tx, id, from_version, change).await?;
    if applied != (Applied::Done { version: from_version + 1 }) {
        tx.rollback().await?;
        return Ok(applied);
    }
    crate::notifications::store::write(&mut tx, notices, change.now).await?;
    tx.commit().await?;
    Ok(applied)
}

/// [`apply`] inside a transaction the caller holds, for a change that is part of a larger
/// write (a rating closes its request). On anything but `Done` the caller rolls back.
pub async fn apply_in(tx: &mut Tx, id: RequestId, from_version: i64, change: &Change) -> Result<Applied, sqlx::Error> {
    let applied = write_change(tx, id, from_version, change).await?;
    if applied != (Applied::Done { version: from_version + 1 }) {
        return Ok(applied);
    }
    // The clock stops when the request starts waiting on the client and runs again when it
    // stops waiting, whatever the way out (an answer, a withdrawal).
    let waiting = |s: Option<RequestStatus>| s == Some(RequestStatus::AwaitingClient);
    let (from, to) = (change.event.from_status, change.event.to_status);
    if to.is_some() && waiting(from) != waiting(to) {
        let reason = change.event.note.as_deref().unwrap_or_default();
        let starts = waiting(to).then_some((reason, change.actor));
        crate::sla::store::pause_change(tx, id, starts, waiting(from), change.now).await?;
    }
    if let Some(since) = change.stood_resolved_since {
        let reason = change.event.note.as_deref().unwrap_or_default();
        crate::sla::store::stood_resolved(tx, id, since.min(change.now), change.now, reason, change.actor).await?;
    }
    Ok(applied)
}

async fn write_change(tx: &mut Tx, id: RequestId, from_version: i64, change: &Change) -> Result<Applied, sqlx::Error> {
    with_tx!(tx, conn => async {
        let updated = sqlx::query(
            "UPDATE requests SET status = $1, owner_id = $2, first_owner_id = $3, team_id = $4, \
             first_responded_at = $5, awaiting_since = $6, resolution_due = $7, resolved_at = $8, \
             resolution = $9, reject_reason = $10, resolution_count = $11, resolved_by = $12, \
             version = version + 1, updated_at = $13 \
             WHERE id = $14 AND version = $15",
        )
        .bind(change.status).bind(change.owner_id).bind(change.first_owner_id).bind(change.team_id)
        .bind(change.first_responded_at).bind(change.awaiting_since).bind(change.resolution_due)
        .bind(change.resolved_at).bind(change.resolution.as_deref()).bind(change.reject_reason.as_deref())
        .bind(change.resolution_count).bind(change.resolved_by)
        .bind(change.now).bind(id).bind(from_version)
        .execute(&mut *conn).await?;
        if updated.rows_affected() != 1 {
            return Ok(Applied::Stale);
        }
        let e = &change.event;
        let event = sqlx::query_scalar::<_, i64>(
            "INSERT INTO request_events (request_id, actor_id, kind, action, from_status, to_status, note, \
             internal, owner_id, team_id, reason_code, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(id).bind(change.actor).bind(e.kind).bind(e.action).bind(e.from_status).bind(e.to_status)
        .bind(e.note.as_deref()).bind(e.internal).bind(e.owner_id).bind(e.team_id)
        .bind(e.reason_code.as_deref()).bind(change.now)
        .fetch_one(&mut *conn).await?;
        for file in &change.files {
            let attached = sqlx::query(&format!(
                "UPDATE attachments SET request_id = $1, event_id = $2, internal = $3 \
                 WHERE id = $4 AND uploaded_by = $5 AND request_id IS NULL AND complete = TRUE AND {UNCLAIMED}",
            ))
            .bind(id).bind(event).bind(e.internal).bind(*file).bind(change.actor)
            .execute(&mut *conn).await?;
            if attached.rows_affected() != 1 {
                return Ok(Applied::UnknownFile);
            }
        }
        // Reopening withdraws the invitation to rate the resolution it undoes.
        if e.action == Some(RequestAction::Reopen) {
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE request_id = $2 AND kind = $3 AND read_at IS NULL")
                .bind(change.now).bind(id).bind(crate::notifications::NotificationKind::RatingRequested)
                .execute(&mut *conn).await?;
        }
        Ok::<_, sqlx::Error>(Applied::Done { version: from_version + 1 })
    }.await)
}

pub async fn record(db: &Db, id: RequestId) -> Result<Option<RequestRecord>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, RequestRecord>(
        "SELECT r.id, r.reference_no, r.org_id, o.name AS org_name, r.requester_id, \
         u.display_name AS requester_name, r.type_version_id, r.team_id, t.name_zh AS team_name_zh, \
         t.name_en AS team_name_en, r.title, r.description, r.field_values, r.urgent, r.urgent_reason, \
         r.status, r.version, r.owner_id, ow.display_name AS owner_name, fo.display_name AS first_owner_name, \
         r.first_response_due, r.resolution_due, r.first_responded_at, r.resolved_at, r.resolution, \
         r.reject_reason, r.created_at, r.updated_at \
         FROM requests r JOIN organisations o ON o.id = r.org_id JOIN users u ON u.id = r.requester_id \
         JOIN teams t ON t.id = r.team_id LEFT JOIN users ow ON ow.id = r.owner_id \
         LEFT JOIN users fo ON fo.id = r.first_owner_id WHERE r.id = $1",
    ).bind(id).fetch_optional(pool).await)
}

/// The timeline; internal notes only when `with_internal`.
pub async fn events(db: &Db, id: RequestId, with_internal: bool) -> Result<Vec<RequestEvent>, sqlx::Error> {
    let sql = format!(
        "SELECT e.id, e.kind, e.action, u.display_name AS actor_name, e.from_status, e.to_status, e.note, \
         e.internal, ow.display_name AS owner_name, t.name_zh AS team_name_zh, t.name_en AS team_name_en, \
         e.reason_code, e.created_at \
         FROM request_events e JOIN users u ON u.id = e.actor_id LEFT JOIN users ow ON ow.id = e.owner_id \
         LEFT JOIN teams t ON t.id = e.team_id WHERE e.request_id = $1 {} ORDER BY e.id",
        if with_internal { "" } else { "AND e.internal = FALSE" }
    );
    with_db!(db, pool => sqlx::query_as::<_, RequestEvent>(&sql).bind(id).fetch_all(pool).await)
}

const SELECT_SUMMARY: &str = "SELECT r.id, r.reference_no, r.title, r.status, r.urgent, \
     v.name_zh AS type_name_zh, v.name_en AS type_name_en, o.code AS org_code, o.name AS org_name, \
     u.display_name AS requester_name, ow.display_name AS owner_name, r.resolution_due, r.created_at, \
     r.updated_at, COALESCE(ti.queue_priority, 0) AS queue_priority, r.calendar_id \
     FROM requests r JOIN organisations o ON o.id = r.org_id JOIN users u ON u.id = r.requester_id \
     JOIN request_type_versions v ON v.id = r.type_version_id LEFT JOIN users ow ON ow.id = r.owner_id \
     LEFT JOIN tiers ti ON ti.id = o.tier_id";

/// A value bound to a list query.
#[derive(Debug, Clone)]
enum Param {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
}

/// Builds a WHERE clause with numbered placeholders, in the dialect both engines accept.
#[derive(Default)]
struct Conditions {
    clauses: Vec<String>,
    params: Vec<Param>,
}

impl Conditions {
    fn bind(&mut self, p: Param) -> String {
        self.params.push(p);
        format!("${}", self.params.len())
    }

    fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn where_clause(&self) -> String {
        if self.clauses.is_empty() { String::new() } else { format!("WHERE {}", self.clauses.join(" AND ")) }
    }
}

macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut q = $query;
        for p in $params {
            q = match p {
                Param::Int(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.clone()),
                Param::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// Where a keyset page continues: the last row's sort value and id.
fn parse_cursor(raw: &str) -> Option<(Option<DateTime<Utc>>, i64)> {
    let (at, id) = raw.split_once('_')?;
    let id = id.parse().ok()?;
    if at.is_empty() {
        return Some((None, id));
    }
    let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    Some((Some(at), id))
}

fn cursor_of(row: &RequestSummary, sort: Sort) -> String {
    match sort {
        Sort::Newest | Sort::Oldest => format!("_{}", row.id),
        Sort::DueFirst => format!("{}_{}", row.resolution_due.to_rfc3339(), row.id),
        Sort::RecentlyUpdated => format!("{}_{}", row.updated_at.to_rfc3339(), row.id),
    }
}

/// Adds the keyset condition and returns the ORDER BY for `sort`.
fn order_and_continue(c: &mut Conditions, sort: Sort, after: Option<&str>) -> &'static str {
    let cursor = after.and_then(parse_cursor);
    match sort {
        Sort::Newest => {
            if let Some((_, id)) = cursor {
                let p = c.bind(Param::Int(id));
                c.push(format!("r.id < {p}"));
            }
            "ORDER BY r.id DESC"
        }
        Sort::Oldest => {
            if let Some((_, id)) = cursor {
                let p = c.bind(Param::Int(id));
                c.push(format!("r.id > {p}"));
            }
            "ORDER BY r.id ASC"
        }
        Sort::DueFirst => {
            if let Some((Some(at), id)) = cursor {
                let (pa, pb) = (c.bind(Param::Time(at)), c.bind(Param::Int(id)));
                c.push(format!("(r.resolution_due, r.id) > ({pa}, {pb})"));
            }
            "ORDER BY r.resolution_due ASC, r.id ASC"
        }
        Sort::RecentlyUpdated => {
            if let Some((Some(at), id)) = cursor {
                let (pa, pb) = (c.bind(Param::Time(at)), c.bind(Param::Int(id)));
                c.push(format!("(r.updated_at, r.id) < ({pa}, {pb})"));
            }
            "ORDER BY r.updated_at DESC, r.id DESC"
        }
    }
}

async fn fetch_page(
    db: &Db,
    c: Conditions,
    order: &str,
    cursor: impl Fn(&RequestSummary) -> String,
) -> Result<RequestPage, sqlx::Error> {
    let sql = format!("{SELECT_SUMMARY} {} {order} LIMIT {}", c.where_clause(), PAGE_SIZE + 1);
    let mut rows = with_db!(db, pool => {
        bind_params!(sqlx::query_as::<_, RequestSummary>(&sql), &c.params).fetch_all(pool).await?
    });
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(cursor)
    } else {
        None
    };
    Ok(RequestPage { rows, next })
}

fn scope_condition(c: &mut Conditions, scope: &RequestScope) {
    if scope.everything {
        return;
    }
    let mut visible = Vec::new();
    if let Some(requester) = scope.requester {
        let p = c.bind(Param::Int(requester.0));
        visible.push(format!("r.requester_id = {p}"));
    }
    if !scope.orgs.is_empty() {
        let list: Vec<String> = scope.orgs.iter().map(|o| c.bind(Param::Int(o.0))).collect();
        visible.push(format!("r.org_id IN ({})", list.join(", ")));
    }
    c.push(format!("({})", visible.join(" OR ")));
}

/// Requests within `scope` narrowed by `filter`, one keyset page at a time. `day_bounds`
/// turns the filter's calendar days into instants in the viewer's zone.
pub async fn list(
    db: &Db,
    scope: &RequestScope,
    filter: &ListFilter,
    day_bounds: impl Fn(chrono::NaiveDate) -> DateTime<Utc>,
) -> Result<RequestPage, sqlx::Error> {
    if scope.is_empty() {
        return Ok(RequestPage { rows: Vec::new(), next: None });
    }
    let mut c = Conditions::default();
    scope_condition(&mut c, scope);
    if let Some(status) = filter.status {
        let p = c.bind(Param::Text(status.as_str().into()));
        c.push(format!("r.status = {p}"));
    }
    if let Some(type_id) = filter.type_id {
        let p = c.bind(Param::Int(type_id.0));
        c.push(format!("r.type_version_id IN (SELECT id FROM request_type_versions WHERE type_id = {p})"));
    }
    if let Some(from) = filter.from {
        let p = c.bind(Param::Time(day_bounds(from)));
        c.push(format!("r.created_at >= {p}"));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        let p = c.bind(Param::Time(day_bounds(to)));
        c.push(format!("r.created_at < {p}"));
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match ReferenceNo::parse(search) {
            Some(reference) => {
                let p = c.bind(Param::Text(reference.as_str().into()));
                c.push(format!("r.reference_no = {p}"));
            }
            None => {
                let escaped = search.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                let p = c.bind(Param::Text(format!("%{escaped}%")));
                c.push(format!("LOWER(r.title) LIKE {p} ESCAPE '\\'"));
            }
        }
    }
    let sort = filter.sort.unwrap_or(Sort::Newest);
    let order = order_and_continue(&mut c, sort, filter.after.as_deref());
    fetch_page(db, c, order, |r| cursor_of(r, sort)).await
}

const OPEN: &str = "('submitted', 'in_review', 'awaiting_client')";
/// Statuses in which the resolution clock runs.
const RUNNING: &str = "('submitted', 'in_review')";

/// One of the agents' queues, most urgent first.
pub async fn queue(
    db: &Db,
    queue: Queue,
    agent: UserId,
    teams: &[TeamId],
    now: DateTime<Utc>,
    after: Option<&str>,
) -> Result<RequestPage, sqlx::Error> {
    let mut c = Conditions::default();
    match queue {
        Queue::Unassigned => c.push("r.owner_id IS NULL AND r.status IN ('submitted', 'in_review')".into()),
        Queue::Mine => {
            let p = c.bind(Param::Int(agent.0));
            c.push(format!("r.owner_id = {p} AND r.status IN ('submitted', 'in_review')"));
        }
        Queue::MyTeam => {
            if teams.is_empty() {
                return Ok(RequestPage { rows: Vec::new(), next: None });
            }
            let list: Vec<String> = teams.iter().map(|t| c.bind(Param::Int(t.0))).collect();
            c.push(format!("r.team_id IN ({}) AND r.status IN {OPEN}", list.join(", ")));
        }
        Queue::DueSoon => {
            let (a, b) = (c.bind(Param::Time(now)), c.bind(Param::Time(now + crate::sla::DUE_SOON)));
            c.push(format!("r.status IN {RUNNING} AND r.resolution_due >= {a} AND r.resolution_due < {b}"));
        }
        Queue::Overdue => {
            let p = c.bind(Param::Time(now));
            c.push(format!("r.status IN {RUNNING} AND r.resolution_due < {p}"));
        }
        Queue::AwaitingClient => {
            let p = c.bind(Param::Int(agent.0));
            c.push(format!("r.status = 'awaiting_client' AND r.owner_id = {p}"));
        }
    }
    // The subsidiary's tier first, then the due time: a key client's request waits less.
    const PRIORITY: &str = "COALESCE(ti.queue_priority, 0)";
    if let Some((priority, rest)) = after.and_then(|a| a.split_once('~')) {
        if let (Ok(priority), Some((Some(at), id))) = (priority.parse::<i64>(), parse_cursor(rest)) {
            let (pp, pa, pb) = (c.bind(Param::Int(priority)), c.bind(Param::Time(at)), c.bind(Param::Int(id)));
            c.push(format!("({PRIORITY} < {pp} OR ({PRIORITY} = {pp} AND (r.resolution_due, r.id) > ({pa}, {pb})))"));
        }
    }
    let order = "ORDER BY COALESCE(ti.queue_priority, 0) DESC, r.resolution_due ASC, r.id ASC";
    fetch_page(db, c, order, |r| format!("{}~{}", r.queue_priority, cursor_of(r, Sort::DueFirst))).await
}

/// The counts on the queue tabs, each counted by its own index-backed query.
pub async fn queue_counts(
    db: &Db,
    agent: UserId,
    teams: &[TeamId],
    now: DateTime<Utc>,
) -> Result<QueueCounts, sqlx::Error> {
    let team_list = if teams.is_empty() {
        "NULL".to_string()
    } else {
        teams.iter().map(|t| t.0.to_string()).collect::<Vec<_>>().join(", ")
    };
    let soon = now + crate::sla::DUE_SOON;
    let sql = format!(
        "SELECT \
         (SELECT COUNT(*) FROM requests WHERE owner_id IS NULL AND status IN ('submitted', 'in_review')) AS unassigned, \
         (SELECT COUNT(*) FROM requests WHERE owner_id = $1 AND status IN ('submitted', 'in_review')) AS mine, \
         (SELECT COUNT(*) FROM requests WHERE team_id IN ({team_list}) AND status IN {OPEN}) AS team, \
         (SELECT COUNT(*) FROM requests WHERE status IN {RUNNING} AND resolution_due >= $2 AND resolution_due < $3) AS due_soon, \
         (SELECT COUNT(*) FROM requests WHERE status IN {RUNNING} AND resolution_due < $2) AS overdue, \
         (SELECT COUNT(*) FROM requests WHERE status = 'awaiting_client' AND owner_id = $1) AS awaiting_client"
    );
    with_db!(db, pool => sqlx::query_as::<_, QueueCounts>(&sql)
        .bind(agent).bind(now).bind(soon).fetch_one(pool).await)
}

/// Agents a request can be handed to, with their teams.
pub async fn agents(db: &Db) -> Result<Vec<AgentChoice>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, AgentChoice>(
        "SELECT u.id, u.display_name, tm.team_id FROM users u \
         JOIN memberships m ON m.user_id = u.id AND m.role = 'agent' \
         JOIN team_members tm ON tm.user_id = u.id \
         WHERE u.active = TRUE ORDER BY tm.team_id, u.display_name"
    ).fetch_all(pool).await)
}

/// Whether `agent` is an active agent in `team`.
pub async fn is_agent_in_team(db: &Db, agent: UserId, team: TeamId) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users u JOIN memberships m ON m.user_id = u.id AND m.role = 'agent' \
         JOIN team_members tm ON tm.user_id = u.id AND tm.team_id = $2 WHERE u.id = $1 AND u.active = TRUE"
    ).bind(agent).bind(team).fetch_one(pool).await)?;
    Ok(n > 0)
}

pub async fn canned_replies(db: &Db, teams: &[TeamId]) -> Result<Vec<CannedReply>, sqlx::Error> {
    if teams.is_empty() {
        return Ok(Vec::new());
    }
    let list = teams.iter().map(|t| t.0.to_string()).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT id, team_id, title, body FROM canned_replies WHERE team_id IN ({list}) ORDER BY team_id, title");
    with_db!(db, pool => sqlx::query_as::<_, CannedReply>(&sql).fetch_all(pool).await)
}

pub async fn add_canned_reply(
    db: &Db,
    team: TeamId,
    title: &str,
    body: &str,
    author: UserId,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO canned_replies (team_id, title, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    ).bind(team).bind(title).bind(body).bind(author).bind(now).fetch_one(pool).await)
}

pub async fn delete_canned_reply(db: &Db, id: i64, teams: &[TeamId]) -> Result<bool, sqlx::Error> {
    if teams.is_empty() {
        return Ok(false);
    }
    let list = teams.iter().map(|t| t.0.to_string()).collect::<Vec<_>>().join(", ");
    let sql = format!("DELETE FROM canned_replies WHERE id = $1 AND team_id IN ({list})");
    let done = with_db!(db, pool => sqlx::query(&sql).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM requests").fetch_one(pool).await)
}
