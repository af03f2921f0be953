//! SQL for monthly statements: the billable requests of a month, and statements stored whole,
//! once per organisation, month and revision.

use super::{
    statement::{CreditReason, MonthSummary, Statement, StatementEntry, StatementLine, Totals, TypeTotal},
    store as prices, Currency, PriceList,
};
use crate::{
    authz::OrgScope,
    db::{Db, Tx},
    kernel::{OrgId, RequestId, TierId, TypeId},
    with_db, with_tx,
};
use chrono::{DateTime, NaiveDate, Utc};

/// A request resolved in `[from, to)` for `org`, with what its line needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BillableRow {
    pub id: RequestId,
    pub reference_no: String,
    pub type_id: TypeId,
    pub type_name: String,
    pub created_at: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub first_response_due: DateTime<Utc>,
    pub resolved_at: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
}

/// Resolved (not rejected, not withdrawn) in `[from, to)`: still resolved, or closed since.
pub async fn billable(db: &Db, org: OrgId, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<BillableRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, BillableRow>(
        "SELECT r.id, r.reference_no, v.type_id, v.name_zh AS type_name, r.created_at, r.first_responded_at, \
         r.first_response_due, r.resolved_at, r.resolution_due FROM requests r \
         JOIN request_type_versions v ON v.id = r.type_version_id \
         WHERE r.org_id = $1 AND r.resolved_at >= $2 AND r.resolved_at < $3 AND r.reject_reason IS NULL \
         AND r.status IN ('resolved', 'closed') ORDER BY r.resolved_at, r.id"
    ).bind(org).bind(from).bind(to).fetch_all(pool).await)
}

/// The version of the price list in force on `day`.
pub async fn price_list_on(db: &Db, day: NaiveDate) -> Result<Option<PriceList>, sqlx::Error> {
    Ok(prices::versions(db).await?.into_iter().find(|v| v.effective_from <= day))
}

/// The active subsidiaries with their tier.
pub async fn subsidiaries(db: &Db) -> Result<Vec<(OrgId, Option<TierId>)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (OrgId, Option<TierId>)>(
        "SELECT id, tier_id FROM organisations WHERE kind = 'subsidiary' AND active ORDER BY id"
    ).fetch_all(pool).await)
}

/// Whether `org` has a statement of `month` already (any revision).
pub async fn issued(db: &Db, org: OrgId, month: NaiveDate) -> Result<bool, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM statements WHERE org_id = $1 AND month = $2")
        .bind(org).bind(month).fetch_one(pool).await).map(|n| n > 0)
}

/// A statement about to be stored.
pub struct NewStatement<'a> {
    pub org: OrgId,
    pub month: NaiveDate,
    pub revision: i64,
    pub price_list: &'a PriceList,
    pub lines: &'a [StatementLine],
    pub totals: &'a Totals,
    pub summary: &'a MonthSummary,
    pub now: DateTime<Utc>,
}

/// Who hears of a subsidiary's statement: its org contacts and its customer managers.
pub async fn readers(db: &Db, org: OrgId) -> Result<Vec<crate::kernel::UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, crate::kernel::UserId>(
        "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.org_id = $1 AND m.role = 'org_contact' AND u.active \
         UNION SELECT a.manager_id FROM manager_assignments a JOIN users u ON u.id = a.manager_id WHERE a.org_id = $1 AND u.active"
    ).bind(org).fetch_all(pool).await)
}

/// Stores a statement with its lines and the notices of it in one transaction; `None` when
/// that revision exists (another instance issued it first), and then nobody is told.
pub async fn insert(db: &Db, new: &NewStatement<'_>, notices: &crate::notifications::store::Batch) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some(id) = write(&mut tx, new).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    crate::notifications::store::write(&mut tx, notices, new.now).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Writes a statement and its lines inside `tx`; `None` when that revision exists.
pub(super) async fn write(tx: &mut Tx, new: &NewStatement<'_>) -> Result<Option<i64>, sqlx::Error> {
    let summary = serde_json::to_string(new.summary).unwrap_or_else(|_| "{}".into());
    let t = new.totals;
    let id = with_tx!(&mut *tx, conn => sqlx::query_scalar::<_, i64>(
        "INSERT INTO statements (org_id, month, revision, price_list_id, currency, price_minor, surcharge_minor, credits_minor, \
         credit_minor, total_minor, capped, summary, issued_at, corrections_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (org_id, month, revision) DO NOTHING RETURNING id"
    ).bind(new.org).bind(new.month).bind(new.revision).bind(new.price_list.id).bind(new.price_list.currency)
        .bind(t.price_minor).bind(t.surcharge_minor).bind(t.credits_minor).bind(t.credit_minor).bind(t.total_minor)
        .bind(t.capped).bind(&summary).bind(new.now).bind(t.corrections_minor).fetch_optional(&mut *conn).await)?;
    let Some(id) = id else { return Ok(None) };
    for (n, l) in new.lines.iter().enumerate() {
        with_tx!(&mut *tx, conn => sqlx::query(
            "INSERT INTO statement_lines (statement_id, line_no, request_id, reference_no, type_id, type_name, submitted_at, \
             resolved_at, free, price_minor, surcharge_minor, credit_minor, credit_reason, corrected_minor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ).bind(id).bind(n as i64 + 1).bind(l.request_id).bind(&l.reference_no).bind(l.type_id).bind(&l.type_name)
            .bind(l.submitted_at).bind(l.resolved_at).bind(l.free).bind(l.price_minor).bind(l.surcharge_minor)
            .bind(l.credit_minor).bind(l.credit_reason).bind(l.corrected_minor).execute(&mut *conn).await.map(|_| ()))?;
    }
    Ok(Some(id))
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    id: i64,
    org_id: OrgId,
    org_name: String,
    month: NaiveDate,
    revision: i64,
    currency: Currency,
    price_list_id: i64,
    price_list_from: NaiveDate,
    price_minor: i64,
    surcharge_minor: i64,
    credits_minor: i64,
    credit_minor: i64,
    corrections_minor: i64,
    total_minor: i64,
    capped: bool,
    summary: String,
    issued_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    request_id: RequestId,
    reference_no: String,
    type_id: TypeId,
    type_name: String,
    submitted_at: DateTime<Utc>,
    resolved_at: DateTime<Utc>,
    free: bool,
    price_minor: i64,
    surcharge_minor: i64,
    credit_minor: i64,
    credit_reason: CreditReason,
    corrected_minor: Option<i64>,
}

/// One statement with its lines; the organisation is in it for the caller's rules.
pub async fn get(db: &Db, id: i64) -> Result<Option<Statement>, sqlx::Error> {
    let (head, lines) = with_db!(db, pool => {
        let head = sqlx::query_as::<_, HeadRow>(
            "SELECT s.id, s.org_id, o.name AS org_name, s.month, s.revision, s.currency, s.price_list_id, p.effective_from AS price_list_from, \
             s.price_minor, s.surcharge_minor, s.credits_minor, s.credit_minor, s.corrections_minor, s.total_minor, s.capped, s.summary, \
             s.issued_at \
             FROM statements s JOIN organisations o ON o.id = s.org_id JOIN price_lists p ON p.id = s.price_list_id WHERE s.id = $1"
        ).bind(id).fetch_optional(pool).await?;
        let lines = sqlx::query_as::<_, LineRow>(
            "SELECT request_id, reference_no, type_id, type_name, submitted_at, resolved_at, free, price_minor, surcharge_minor, \
             credit_minor, credit_reason, corrected_minor FROM statement_lines WHERE statement_id = $1 ORDER BY line_no"
        ).bind(id).fetch_all(pool).await?;
        Ok::<_, sqlx::Error>((head, lines))
    })?;
    let Some(h) = head else { return Ok(None) };
    let lines: Vec<StatementLine> = lines
        .into_iter()
        .map(|l| StatementLine {
            request_id: l.request_id,
            reference_no: l.reference_no,
            type_id: l.type_id,
            type_name: l.type_name,
            submitted_at: l.submitted_at,
            resolved_at: l.resolved_at,
            free: l.free,
            price_minor: l.price_minor,
            surcharge_minor: l.surcharge_minor,
            credit_minor: l.credit_minor,
            credit_reason: l.credit_reason,
            corrected_minor: l.corrected_minor,
        })
        .collect();
    let per_type: Vec<TypeTotal> = super::statement::totals(&lines, 100).per_type;
    Ok(Some(Statement {
        id: h.id,
        org_id: h.org_id,
        org_name: h.org_name,
        month: h.month,
        revision: h.revision,
        currency: h.currency,
        price_list_id: h.price_list_id,
        price_list_from: h.price_list_from,
        totals: Totals {
            price_minor: h.price_minor,
            surcharge_minor: h.surcharge_minor,
            credits_minor: h.credits_minor,
            credit_minor: h.credit_minor,
            corrections_minor: h.corrections_minor,
            total_minor: h.total_minor,
            capped: h.capped,
            per_type,
        },
        summary: serde_json::from_str(&h.summary).unwrap_or_default(),
        lines,
        issued_at: h.issued_at,
        // What the service adds: the newest revision, the window and the thread.
        newest_id: h.id,
        dispute_until: h.issued_at,
        disputes: Vec::new(),
        viewer_may_dispute: false,
        viewer_may_answer: false,
    }))
}

/// The statements of the organisations in `scope`, newest month first.
pub async fn list(db: &Db, scope: &OrgScope) -> Result<Vec<StatementEntry>, sqlx::Error> {
    let mut sql = "SELECT s.id, o.name AS org_name, s.month, s.revision, s.currency, s.total_minor, s.credit_minor, \
         (SELECT COUNT(*) FROM statement_lines l WHERE l.statement_id = s.id) AS lines, s.issued_at \
         FROM statements s JOIN organisations o ON o.id = s.org_id"
        .to_string();
    if !scope.everything {
        let list: Vec<String> = scope.orgs.iter().map(|o| o.0.to_string()).collect();
        sql.push_str(&format!(" WHERE s.org_id IN ({})", if list.is_empty() { "NULL".into() } else { list.join(", ") }));
    }
    sql.push_str(" ORDER BY s.month DESC, o.name, s.revision DESC");
    with_db!(db, pool => sqlx::query_as::<_, (i64, String, NaiveDate, i64, Currency, i64, i64, i64, DateTime<Utc>)>(&sql).fetch_all(pool).await)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, org_name, month, revision, currency, total_minor, credit_minor, lines, issued_at)| StatementEntry {
                    id, org_name, month, revision, currency, total_minor, credit_minor, lines, issued_at,
                })
                .collect()
        })
}
