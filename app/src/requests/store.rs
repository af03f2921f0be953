//! SQL for requests and their events.

use super::{
    EventKind, NewRequest, ReferenceNo, RequestDetail, RequestEvent, RequestId, RequestPage,
    RequestRecord, RequestStatus, RequestSummary, PAGE_SIZE,
};
use crate::{
    auth::UserId,
    authz::RequestScope,
    db::{BeginWrite, Db},
    orgs::OrgId,
    time::CENTER_TIME_ZONE,
    with_db,
};
use chrono::{DateTime, Datelike, Utc};

/// Who may see a request: the facts the authorization rules need.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct AccessFacts {
    pub org_id: OrgId,
    pub requester_id: UserId,
}

/// Stores a new request with its reference number and its first timeline event, all or
/// nothing.
pub async fn insert(
    db: &Db,
    org: OrgId,
    requester: UserId,
    new: &NewRequest,
    now: DateTime<Utc>,
) -> Result<(RequestId, ReferenceNo), sqlx::Error> {
    // Reference numbers count per calendar year of the center.
    let year = now.with_timezone(&CENTER_TIME_ZONE).year();
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let sequence = sqlx::query_scalar::<_, i64>(
            "INSERT INTO reference_counters (year, last_value) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last_value = reference_counters.last_value + 1 \
             RETURNING last_value",
        ).bind(year).fetch_one(&mut *tx).await?;
        let reference = ReferenceNo::new(year, sequence);
        let id = sqlx::query_scalar::<_, RequestId>(
            "INSERT INTO requests (reference_no, org_id, requester_id, title, description, status, \
             version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(&reference).bind(org).bind(requester).bind(&new.title).bind(&new.description)
        .bind(RequestStatus::Submitted).bind(now)
        .fetch_one(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO request_events (request_id, actor_id, kind, from_status, to_status, note, created_at) \
             VALUES ($1, $2, $3, NULL, $4, NULL, $5)",
        )
        .bind(id).bind(requester).bind(EventKind::Submitted).bind(RequestStatus::Submitted).bind(now)
        .execute(&mut *tx).await?;
        tx.commit().await?;
        Ok((id, reference))
    })
}

pub async fn access_facts(db: &Db, id: RequestId) -> Result<Option<AccessFacts>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, AccessFacts>(
        "SELECT org_id, requester_id FROM requests WHERE id = $1"
    ).bind(id).fetch_optional(pool).await)
}

pub async fn detail(db: &Db, id: RequestId) -> Result<Option<RequestDetail>, sqlx::Error> {
    with_db!(db, pool => {
        let request = sqlx::query_as::<_, RequestRecord>(
            "SELECT r.id, r.reference_no, r.org_id, o.name AS org_name, r.requester_id, \
             u.display_name AS requester_name, r.title, r.description, r.status, r.version, \
             r.created_at, r.updated_at \
             FROM requests r JOIN organisations o ON o.id = r.org_id JOIN users u ON u.id = r.requester_id \
             WHERE r.id = $1",
        ).bind(id).fetch_optional(pool).await?;
        let Some(request) = request else { return Ok(None) };
        let events = sqlx::query_as::<_, RequestEvent>(
            "SELECT e.id, e.kind, u.display_name AS actor_name, e.from_status, e.to_status, e.note, e.created_at \
             FROM request_events e JOIN users u ON u.id = e.actor_id \
             WHERE e.request_id = $1 ORDER BY e.id",
        ).bind(id).fetch_all(pool).await?;
        Ok(Some(RequestDetail { request, events }))
    })
}

/// The newest requests within `scope`, one page at a time, continuing below `before`.
pub async fn list(
    db: &Db,
    scope: &RequestScope,
    before: Option<RequestId>,
) -> Result<RequestPage, sqlx::Error> {
    if scope.is_empty() {
        return Ok(RequestPage { rows: Vec::new(), next_before: None });
    }
    let mut conditions = Vec::new();
    let mut next = 1;
    let mut placeholder = || {
        let p = format!("${next}");
        next += 1;
        p
    };
    if !scope.everything {
        let mut visible = Vec::new();
        if scope.requester.is_some() {
            visible.push(format!("r.requester_id = {}", placeholder()));
        }
        if !scope.orgs.is_empty() {
            let list: Vec<String> = scope.orgs.iter().map(|_| placeholder()).collect();
            visible.push(format!("r.org_id IN ({})", list.join(", ")));
        }
        conditions.push(format!("({})", visible.join(" OR ")));
    }
    if before.is_some() {
        conditions.push(format!("r.id < {}", placeholder()));
    }
    let limit = placeholder();
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT r.id, r.reference_no, r.title, r.status, o.code AS org_code, o.name AS org_name, \
         u.display_name AS requester_name, r.created_at, r.updated_at \
         FROM requests r JOIN organisations o ON o.id = r.org_id JOIN users u ON u.id = r.requester_id \
         {where_clause} ORDER BY r.id DESC LIMIT {limit}"
    );
    let mut rows = with_db!(db, pool => {
        let mut query = sqlx::query_as::<_, RequestSummary>(&sql);
        if !scope.everything {
            if let Some(requester) = scope.requester {
                query = query.bind(requester);
            }
            for org in &scope.orgs {
                query = query.bind(*org);
            }
        }
        if let Some(before) = before {
            query = query.bind(before);
        }
        query.bind(PAGE_SIZE + 1).fetch_all(pool).await?
    });
    let next_before = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(RequestPage { rows, next_before })
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM requests").fetch_one(pool).await)
}
