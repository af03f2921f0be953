//! Bulk loading of a large, realistic data set, for load tests and benchmarks, and the
//! look-ups with which the benchmark finds its subjects in it.
//!
//! Rows arrive with their ids already chosen, so that requests, their events and their files
//! can refer to each other without a round trip per row; [`finish`] moves PostgreSQL's
//! identity sequences past them. Everything is written with multi-row INSERTs, a batch to a
//! transaction: per-row statements and per-row commits would make a million events take hours.

use app::{db::{BeginWrite, Db}, kernel::{RequestAction, RequestStatus}, with_db};
use chrono::{DateTime, Utc};

/// PostgreSQL refuses a statement with more than 65535 parameters; this stays well below.
const MAX_PARAMS_POSTGRES: usize = 30_000;
/// SQLite allows 32766, but binding gets slow long before: sqlx asks SQLite for each
/// parameter's name, a lookup that walks the statement's parameters, so binding costs the square
/// of their number. Measured on 20,000 requests: 13.8 s with 3,000 parameters a statement,
/// 7.0 s with 1,000, 3 s with 100 to 250.
const MAX_PARAMS_SQLITE: usize = 200;
/// Beyond this many rows a statement gets no faster, only its text longer.
const MAX_ROWS: usize = 1_000;
/// File bytes make a statement large long before its parameters run out.
const MAX_CHUNK_ROWS: usize = 200;

fn max_params(db: &Db) -> usize {
    match db.backend() {
        app::db::Backend::Sqlite => MAX_PARAMS_SQLITE,
        app::db::Backend::Postgres => MAX_PARAMS_POSTGRES,
    }
}

fn rows_per_statement(max_params: usize, columns: usize, cap: usize) -> usize {
    (max_params / columns).clamp(1, cap)
}

/// `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), …` for `rows` rows.
fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns.len() {
            if column > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    sql
}

/// Inserts `$rows` into `$table` on the transaction `$tx`, as many rows a statement as
/// `$max_params` parameters and `$cap` allow, binding each row's values with `$bind`.
macro_rules! insert_rows {
    ($tx:expr, $max_params:expr, $table:expr, $columns:expr, $rows:expr, $cap:expr, |$q:ident, $r:ident| $bind:expr) => {{
        let columns: &[&str] = $columns;
        let per = rows_per_statement($max_params, columns.len(), $cap);
        for part in $rows.chunks(per) {
            let sql = insert_sql($table, columns, part.len());
            let mut $q = sqlx::query(&sql);
            for $r in part {
                $q = $bind;
            }
            $q.execute(&mut *$tx).await?;
        }
    }};
}

/// What the migrations put in place and the data set builds on.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub center_org: i64,
    /// `(id, code)`, best tier first.
    pub tiers: Vec<(i64, String)>,
    /// `(id, code)`.
    pub teams: Vec<(i64, String)>,
    /// The current version of every active request type.
    pub types: Vec<TypeVersion>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TypeVersion {
    pub id: i64,
    pub code: String,
    pub team_id: i64,
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    pub urgent_allowed: bool,
    pub urgent_first_response_hours: i64,
    pub urgent_resolution_hours: i64,
    /// The form as JSON: its fields and file slots.
    pub definition: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the database lacks {0}; were the migrations run?")]
    Missing(&'static str),
}

pub async fn catalogue(db: &Db) -> Result<Catalogue, BulkError> {
    let (center, tiers, teams, types) = with_db!(db, pool => {
        let center = sqlx::query_scalar::<_, i64>(
            "SELECT id FROM organisations WHERE kind = 'center' ORDER BY id LIMIT 1",
        ).fetch_optional(pool).await?;
        let tiers = sqlx::query_as::<_, (i64, String)>("SELECT id, code FROM tiers ORDER BY rank, id")
            .fetch_all(pool).await?;
        let teams = sqlx::query_as::<_, (i64, String)>("SELECT id, code FROM teams ORDER BY id")
            .fetch_all(pool).await?;
        let types = sqlx::query_as::<_, TypeVersion>(
            "SELECT v.id, t.code, v.team_id, v.first_response_hours, v.resolution_hours, v.urgent_allowed, \
             v.urgent_first_response_hours, v.urgent_resolution_hours, v.definition \
             FROM request_type_versions v JOIN request_types t ON t.id = v.type_id \
             WHERE v.version = t.current_version AND t.active = TRUE ORDER BY t.sort_order, t.id",
        ).fetch_all(pool).await?;
        (center, tiers, teams, types)
    });
    let center_org = center.ok_or(BulkError::Missing("the center organisation"))?;
    if tiers.is_empty() {
        return Err(BulkError::Missing("client tiers"));
    }
    if teams.is_empty() {
        return Err(BulkError::Missing("teams"));
    }
    if types.is_empty() {
        return Err(BulkError::Missing("request types"));
    }
    Ok(Catalogue { center_org, tiers, teams, types })
}

/// Whether an organisation with this code exists: a seeded data set starts with it.
pub async fn has_organisation(db: &Db, code: &str) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM organisations WHERE code = $1"
    ).bind(code).fetch_one(pool).await)?;
    Ok(n > 0)
}

/// The highest id in use in each table that receives rows with chosen ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct LastIds {
    pub organisation: i64,
    pub user: i64,
    pub request: i64,
    pub event: i64,
    pub attachment: i64,
    pub rating: i64,
    pub follow_up: i64,
}

pub async fn last_ids(db: &Db) -> Result<LastIds, sqlx::Error> {
    with_db!(db, pool => {
        let row = sqlx::query_as::<_, (i64, i64, i64, i64, i64, i64, i64)>(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM organisations), (SELECT COALESCE(MAX(id), 0) FROM users), \
             (SELECT COALESCE(MAX(id), 0) FROM requests), (SELECT COALESCE(MAX(id), 0) FROM request_events), \
             (SELECT COALESCE(MAX(id), 0) FROM attachments), (SELECT COALESCE(MAX(id), 0) FROM ratings), \
             (SELECT COALESCE(MAX(id), 0) FROM follow_ups)",
        ).fetch_one(pool).await?;
        Ok(LastIds {
            organisation: row.0,
            user: row.1,
            request: row.2,
            event: row.3,
            attachment: row.4,
            rating: row.5,
            follow_up: row.6,
        })
    })
}

/// `(year, last_value)` of the reference number counters.
pub async fn reference_counters(db: &Db) -> Result<Vec<(i32, i64)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i32, i64)>(
        "SELECT year, last_value FROM reference_counters ORDER BY year"
    ).fetch_all(pool).await)
}

#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub tier_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub language: &'static str,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Membership {
    pub user_id: i64,
    pub org_id: i64,
    pub role: &'static str,
}

/// Organisations, accounts and who belongs where.
#[derive(Debug, Clone, Default)]
pub struct People {
    pub organisations: Vec<Organisation>,
    pub users: Vec<User>,
    pub memberships: Vec<Membership>,
    /// `(manager_id, org_id)`.
    pub manager_assignments: Vec<(i64, i64)>,
    /// `(team_id, user_id)`.
    pub team_members: Vec<(i64, i64)>,
}

/// Writes `people` in one transaction. Every account gets the same password hash: hashing is
/// deliberately slow, and thousands of distinct hashes would prove nothing.
pub async fn insert_people(db: &Db, password_hash: &str, people: &People) -> Result<(), sqlx::Error> {
    let limit = max_params(db);
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        insert_rows!(tx, limit, "organisations", &["id", "code", "name", "kind", "tier_id", "active", "created_at"],
            people.organisations, MAX_ROWS, |q, o| q.bind(o.id).bind(o.code.as_str()).bind(o.name.as_str())
                .bind("subsidiary").bind(o.tier_id).bind(true).bind(o.created_at));
        insert_rows!(tx, limit, "users", &["id", "email", "display_name", "password_hash", "language", "time_zone",
            "active", "session_epoch", "created_at", "updated_at"],
            people.users, MAX_ROWS, |q, u| q.bind(u.id).bind(u.email.as_str()).bind(u.display_name.as_str())
                .bind(password_hash).bind(u.language).bind(app::time::DEFAULT_TIME_ZONE).bind(true)
                .bind(0i64).bind(u.created_at).bind(u.created_at));
        insert_rows!(tx, limit, "memberships", &["user_id", "org_id", "role"],
            people.memberships, MAX_ROWS, |q, m| q.bind(m.user_id).bind(m.org_id).bind(m.role));
        insert_rows!(tx, limit, "manager_assignments", &["manager_id", "org_id"],
            people.manager_assignments, MAX_ROWS, |q, a| q.bind(a.0).bind(a.1));
        insert_rows!(tx, limit, "team_members", &["team_id", "user_id"],
            people.team_members, MAX_ROWS, |q, m| q.bind(m.0).bind(m.1));
        tx.commit().await
    })
}

#[derive(Debug, Clone)]
pub struct Request {
    pub id: i64,
    pub reference_no: String,
    pub org_id: i64,
    pub requester_id: i64,
    pub type_version_id: i64,
    pub team_id: i64,
    pub title: String,
    pub description: String,
    pub field_values: String,
    pub urgent: bool,
    pub urgent_reason: Option<String>,
    pub status: RequestStatus,
    pub version: i64,
    pub owner_id: Option<i64>,
    pub first_owner_id: Option<i64>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    /// The promise in working minutes, counted on the default calendar.
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub awaiting_since: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The agent credited with the resolution; resolutions counted (1 once resolved).
    pub resolved_by: Option<i64>,
    pub resolution_count: i64,
    pub resolution: Option<String>,
    pub reject_reason: Option<&'static str>,
    pub idempotency_key: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub request_id: i64,
    pub actor_id: i64,
    pub kind: &'static str,
    pub action: Option<RequestAction>,
    pub from_status: Option<RequestStatus>,
    pub to_status: Option<RequestStatus>,
    pub note: Option<String>,
    pub internal: bool,
    pub owner_id: Option<i64>,
    pub team_id: Option<i64>,
    pub reason_code: Option<&'static str>,
    pub created_at: DateTime<Utc>,
}

/// A finished upload that belongs to a request, with its bytes.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: i64,
    pub request_id: i64,
    pub event_id: i64,
    pub slot: Option<String>,
    pub internal: bool,
    pub file_name: String,
    pub kind: &'static str,
    pub sha256: String,
    pub uploaded_by: i64,
    pub created_at: DateTime<Utc>,
    pub bytes: Vec<u8>,
}

/// Requests with everything that refers to them.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub requests: Vec<Request>,
    pub events: Vec<Event>,
    pub attachments: Vec<Attachment>,
    pub pauses: Vec<Pause>,
    pub ratings: Vec<Rating>,
    pub follow_ups: Vec<FollowUp>,
}

/// A client's rating of a resolution, crediting its resolver and first owner.
#[derive(Debug, Clone)]
pub struct Rating {
    pub id: i64,
    pub request_id: i64,
    pub org_id: i64,
    pub rater_id: i64,
    pub resolver_id: Option<i64>,
    pub first_owner_id: Option<i64>,
    pub score: i64,
    /// Reason codes, comma-separated, as `ratings::reasons_to_text` writes them.
    pub reasons: String,
    pub comment: String,
    pub created_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// The customer manager's follow-up (回访) of a low score, open or closed with its findings.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub id: i64,
    pub rating_id: i64,
    pub request_id: i64,
    pub org_id: i64,
    pub manager_id: Option<i64>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// When closed: when, by whom, how the client was reached, the root cause and what was done.
    pub closed: Option<(DateTime<Utc>, i64, &'static str, &'static str, &'static str, String)>,
}

/// A stretch while a request waited on the client, and the question asked.
#[derive(Debug, Clone)]
pub struct Pause {
    pub request_id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub reason: String,
    pub started_by: i64,
}

/// Bytes per stored chunk, as the upload endpoint cuts them.
const CHUNK_BYTES: usize = app::attachments::store::CHUNK_BYTES;

/// Writes a batch in one transaction, parents before children so foreign keys hold throughout.
pub async fn insert_batch(db: &Db, batch: &Batch) -> Result<(), sqlx::Error> {
    let chunks: Vec<(i64, i64, &[u8])> = batch
        .attachments
        .iter()
        .flat_map(|a| a.bytes.chunks(CHUNK_BYTES).enumerate().map(move |(seq, bytes)| (a.id, seq as i64, bytes)))
        .collect();
    let limit = max_params(db);
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        insert_rows!(tx, limit, "requests", &["id", "reference_no", "org_id", "requester_id", "type_version_id", "team_id",
            "title", "description", "field_values", "urgent", "urgent_reason", "status", "version", "owner_id",
            "first_owner_id", "first_response_due", "resolution_due", "first_responded_at", "awaiting_since",
            "resolved_at", "resolution", "reject_reason", "idempotency_key", "created_at", "updated_at",
            "first_response_minutes", "resolution_minutes", "resolved_by", "resolution_count"],
            batch.requests, MAX_ROWS, |q, r| q.bind(r.id).bind(r.reference_no.as_str()).bind(r.org_id)
                .bind(r.requester_id).bind(r.type_version_id).bind(r.team_id).bind(r.title.as_str())
                .bind(r.description.as_str()).bind(r.field_values.as_str()).bind(r.urgent)
                .bind(r.urgent_reason.as_deref()).bind(r.status.as_str()).bind(r.version).bind(r.owner_id)
                .bind(r.first_owner_id).bind(r.first_response_due).bind(r.resolution_due)
                .bind(r.first_responded_at).bind(r.awaiting_since).bind(r.resolved_at)
                .bind(r.resolution.as_deref()).bind(r.reject_reason).bind(r.idempotency_key.as_str())
                .bind(r.created_at).bind(r.updated_at).bind(r.first_response_minutes).bind(r.resolution_minutes)
                .bind(r.resolved_by).bind(r.resolution_count));
        insert_rows!(tx, limit, "request_events", &["id", "request_id", "actor_id", "kind", "action", "from_status",
            "to_status", "note", "internal", "owner_id", "team_id", "reason_code", "created_at"],
            batch.events, MAX_ROWS, |q, e| q.bind(e.id).bind(e.request_id).bind(e.actor_id).bind(e.kind)
                .bind(e.action.map(RequestAction::as_str)).bind(e.from_status.map(RequestStatus::as_str)).bind(e.to_status.map(RequestStatus::as_str)).bind(e.note.as_deref()).bind(e.internal)
                .bind(e.owner_id).bind(e.team_id).bind(e.reason_code).bind(e.created_at));
        insert_rows!(tx, limit, "attachments", &["id", "request_id", "event_id", "slot", "internal", "file_name", "kind",
            "size_bytes", "sha256", "complete", "uploaded_by", "created_at"],
            batch.attachments, MAX_ROWS, |q, a| q.bind(a.id).bind(a.request_id).bind(a.event_id)
                .bind(a.slot.as_deref()).bind(a.internal).bind(a.file_name.as_str()).bind(a.kind)
                .bind(a.bytes.len() as i64).bind(a.sha256.as_str()).bind(true).bind(a.uploaded_by)
                .bind(a.created_at));
        insert_rows!(tx, limit, "attachment_chunks", &["attachment_id", "seq", "bytes"],
            chunks, MAX_CHUNK_ROWS, |q, c| q.bind(c.0).bind(c.1).bind(c.2));
        insert_rows!(tx, limit, "sla_pauses", &["request_id", "started_at", "ended_at", "reason", "started_by"],
            batch.pauses, MAX_ROWS, |q, p| q.bind(p.request_id).bind(p.started_at).bind(p.ended_at)
                .bind(p.reason.as_str()).bind(p.started_by));
        insert_rows!(tx, limit, "ratings", &["id", "request_id", "resolution_no", "org_id", "rater_id", "resolver_id",
            "first_owner_id", "score", "reasons", "comment", "created_at", "updated_at", "reviewed_at"],
            batch.ratings, MAX_ROWS, |q, g| q.bind(g.id).bind(g.request_id).bind(1_i64).bind(g.org_id).bind(g.rater_id)
                .bind(g.resolver_id).bind(g.first_owner_id).bind(g.score).bind(g.reasons.as_str())
                .bind(g.comment.as_str()).bind(g.created_at).bind(g.created_at).bind(g.reviewed_at));
        insert_rows!(tx, limit, "follow_ups", &["id", "rating_id", "request_id", "org_id", "manager_id", "due_at",
            "created_at", "closed_at", "closed_by", "contact", "root_cause", "action_taken", "outcome", "version"],
            batch.follow_ups, MAX_ROWS, |q, f| q.bind(f.id).bind(f.rating_id).bind(f.request_id).bind(f.org_id)
                .bind(f.manager_id).bind(f.due_at).bind(f.created_at).bind(f.closed.as_ref().map(|c| c.0))
                .bind(f.closed.as_ref().map(|c| c.1)).bind(f.closed.as_ref().map(|c| c.2))
                .bind(f.closed.as_ref().map(|c| c.3)).bind(f.closed.as_ref().map(|c| c.4))
                .bind(f.closed.as_ref().map(|c| c.5.as_str())).bind(if f.closed.is_some() { 2_i64 } else { 1 }));
        tx.commit().await
    })
}

/// Makes the loaded data behave like data the portal wrote itself: reference numbers and ids
/// of later submissions continue after it, and the planner knows its size.
pub async fn finish(db: &Db, counters: &[(i32, i64)]) -> Result<(), sqlx::Error> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        for (year, last) in counters {
            sqlx::query(
                "INSERT INTO reference_counters (year, last_value) VALUES ($1, $2) \
                 ON CONFLICT (year) DO UPDATE SET last_value = CASE \
                 WHEN excluded.last_value > reference_counters.last_value THEN excluded.last_value \
                 ELSE reference_counters.last_value END",
            ).bind(*year).bind(*last).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    match db {
        Db::Postgres(pool) => {
            // Rows inserted with explicit ids leave the identity sequences behind; the next
            // real insert would collide.
            for table in ["organisations", "users", "requests", "request_events", "attachments", "ratings", "follow_ups", "price_lists"] {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                ))
                .execute(pool)
                .await?;
            }
            // Autovacuum would get there within minutes; a benchmark run right away should not
            // measure plans made for empty tables.
            sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
        }
        Db::Sqlite(pool) => {
            // Folds the write-ahead log back into the database file, so the benchmark does not
            // start by checkpointing hundreds of megabytes.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
        }
    }
    Ok(())
}

/// Row counts of the data set, for the reports.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct Counts {
    pub organisations: i64,
    pub users: i64,
    pub requests: i64,
    pub events: i64,
    pub attachments: i64,
    pub open: i64,
    pub ratings: i64,
    pub follow_ups: i64,
}

pub async fn counts(db: &Db) -> Result<Counts, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, Counts>(
        "SELECT (SELECT COUNT(*) FROM organisations) AS organisations, (SELECT COUNT(*) FROM users) AS users, \
         (SELECT COUNT(*) FROM requests) AS requests, (SELECT COUNT(*) FROM request_events) AS events, \
         (SELECT COUNT(*) FROM attachments) AS attachments, \
         (SELECT COUNT(*) FROM requests WHERE status IN ('submitted', 'in_review', 'awaiting_client')) AS open, \
         (SELECT COUNT(*) FROM ratings) AS ratings, (SELECT COUNT(*) FROM follow_ups) AS follow_ups"
    ).fetch_one(pool).await)
}

/// The people and the request the benchmark acts as and opens.
#[derive(Debug, Clone, Copy)]
pub struct Subjects {
    /// The client who submitted the most requests, and how many.
    pub client: (i64, i64),
    /// The contact of the subsidiary with the most requests, that subsidiary, and its count.
    pub org_contact: (i64, i64, i64),
    /// An agent with the most teams.
    pub agent: i64,
    /// A request whose timeline has this many events, if there is one.
    pub long_request: Option<i64>,
}

pub async fn subjects(db: &Db, events_wanted: i64) -> Result<Option<Subjects>, sqlx::Error> {
    with_db!(db, pool => {
        let client = sqlx::query_as::<_, (i64, i64)>(
            "SELECT r.requester_id, COUNT(*) AS n FROM requests r \
             JOIN memberships m ON m.user_id = r.requester_id AND m.org_id = r.org_id AND m.role = 'client' \
             GROUP BY r.requester_id ORDER BY n DESC, r.requester_id LIMIT 1",
        ).fetch_optional(pool).await?;
        let org_contact = sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT m.user_id, c.org_id, c.n FROM \
             (SELECT org_id, COUNT(*) AS n FROM requests GROUP BY org_id) c \
             JOIN memberships m ON m.org_id = c.org_id AND m.role = 'org_contact' \
             ORDER BY c.n DESC, m.user_id LIMIT 1",
        ).fetch_optional(pool).await?;
        let agent = sqlx::query_scalar::<_, i64>(
            "SELECT m.user_id FROM memberships m JOIN team_members tm ON tm.user_id = m.user_id \
             WHERE m.role = 'agent' GROUP BY m.user_id ORDER BY COUNT(*) DESC, m.user_id LIMIT 1",
        ).fetch_optional(pool).await?;
        let long_request = sqlx::query_scalar::<_, i64>(
            "SELECT request_id FROM request_events GROUP BY request_id HAVING COUNT(*) = $1 \
             ORDER BY request_id DESC LIMIT 1",
        ).bind(events_wanted).fetch_optional(pool).await?;
        Ok(match (client, org_contact, agent) {
            (Some(client), Some(org_contact), Some(agent)) => Some(Subjects { client, org_contact, agent, long_request }),
            _ => None,
        })
    })
}

/// Deletes the statements of `month` (its first day) with their lines and disputes, and the
/// notices of statements issued: the benchmark issues the month again and again.
pub async fn forget_statements(db: &Db, month: chrono::NaiveDate) -> Result<(), sqlx::Error> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        for sql in [
            "DELETE FROM statement_disputes WHERE statement_id IN (SELECT id FROM statements WHERE month = $1)",
            "DELETE FROM statement_lines WHERE statement_id IN (SELECT id FROM statements WHERE month = $1)",
            "DELETE FROM statements WHERE month = $1",
        ] {
            sqlx::query(sql).bind(month).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM email_outbox WHERE user_id IN (SELECT user_id FROM notifications WHERE kind = 'statement_issued') AND sent_at IS NULL")
            .execute(&mut *tx).await?;
        sqlx::query("DELETE FROM notifications WHERE kind = 'statement_issued'").execute(&mut *tx).await?;
        tx.commit().await
    })
}

/// The email a seeded user signs in with.
pub async fn email_of(db: &Db, user_id: i64) -> Result<String, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, String>("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_their_placeholders_row_after_row() {
        assert_eq!(insert_sql("t", &["a", "b"], 2), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
    }

    #[test]
    fn statements_stay_under_both_parameter_limits() {
        for columns in [2, 3, 13, 25] {
            let rows = rows_per_statement(MAX_PARAMS_POSTGRES, columns, MAX_ROWS);
            assert!(rows * columns <= 65_535, "{columns} columns");
            let rows = rows_per_statement(MAX_PARAMS_SQLITE, columns, MAX_ROWS);
            assert!(rows * columns <= 32_766, "{columns} columns");
            assert!(rows >= 1);
        }
    }
}
