//! SQL for disputes of statement lines. Opening, declining and accepting each write in one
//! transaction with the notices they send; an accepted dispute writes its corrected revision
//! in that same transaction.

use super::{
    dispute::{Dispute, DisputeOutcome},
    statement_store::{self, NewStatement},
};
use crate::{
    db::Db,
    kernel::{OrgId, UserId},
    notifications::store::{self as notices, Batch},
    with_db, with_tx,
};
use chrono::{DateTime, NaiveDate, Utc};

const SELECT: &str = "SELECT d.id, d.statement_id, s.revision, d.line_no, l.reference_no, \
     COALESCE(l.corrected_minor, l.price_minor + l.surcharge_minor - l.credit_minor) AS charge_minor, \
     d.reason, a.display_name AS opened_by, d.opened_at, d.outcome, d.answer, b.display_name AS answered_by, \
     d.answered_at, d.corrected_minor, d.revision_id, s.org_id, s.month \
     FROM statement_disputes d JOIN statements s ON s.id = d.statement_id \
     JOIN statement_lines l ON l.statement_id = d.statement_id AND l.line_no = d.line_no \
     JOIN users a ON a.id = d.opened_by LEFT JOIN users b ON b.id = d.answered_by";

/// A dispute with the statement's organisation and month, for the caller's rules.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisputeRow {
    #[sqlx(flatten)]
    pub dispute: Dispute,
    pub org_id: OrgId,
    pub month: NaiveDate,
}

pub async fn get(db: &Db, id: i64) -> Result<Option<DisputeRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE d.id = $1");
    with_db!(db, pool => sqlx::query_as::<_, DisputeRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// Every dispute of every revision of `org`'s statement of `month`, oldest first: the thread
/// both sides read.
pub async fn of_month(db: &Db, org: OrgId, month: NaiveDate) -> Result<Vec<Dispute>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE s.org_id = $1 AND s.month = $2 ORDER BY d.opened_at, d.id");
    with_db!(db, pool => sqlx::query_as::<_, DisputeRow>(&sql).bind(org).bind(month).fetch_all(pool).await)
        .map(|rows| rows.into_iter().map(|r| r.dispute).collect())
}

/// The id of the newest revision of `org`'s statement of `month`.
pub async fn latest_revision(db: &Db, org: OrgId, month: NaiveDate) -> Result<Option<(i64, i64)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(
        "SELECT id, revision FROM statements WHERE org_id = $1 AND month = $2 ORDER BY revision DESC LIMIT 1"
    ).bind(org).bind(month).fetch_optional(pool).await)
}

/// The subsidiary's customer managers, who answer its disputes.
pub async fn managers(db: &Db, org: OrgId) -> Result<Vec<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>(
        "SELECT a.manager_id FROM manager_assignments a JOIN users u ON u.id = a.manager_id WHERE a.org_id = $1 AND u.active \
         ORDER BY a.manager_id"
    ).bind(org).fetch_all(pool).await)
}

/// Who opened a dispute.
pub async fn opener(db: &Db, dispute: i64) -> Result<Option<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>("SELECT opened_by FROM statement_disputes WHERE id = $1")
        .bind(dispute).fetch_optional(pool).await)
}

/// The subsidiary's org contacts, who hear the answer with the one who disputed.
pub async fn contacts(db: &Db, org: OrgId) -> Result<Vec<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>(
        "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.org_id = $1 AND m.role = 'org_contact' AND u.active ORDER BY m.user_id"
    ).bind(org).fetch_all(pool).await)
}

pub struct NewDispute<'a> {
    pub statement_id: i64,
    pub line_no: i64,
    pub opened_by: UserId,
    pub reason: &'a str,
    pub now: DateTime<Utc>,
}

/// Opens a dispute and sends its notices; `None` when the line was disputed already.
pub async fn open(db: &Db, new: &NewDispute<'_>, batch: &Batch) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let id = with_tx!(&mut tx, conn => sqlx::query_scalar::<_, i64>(
        "INSERT INTO statement_disputes (statement_id, line_no, opened_by, reason, opened_at, outcome) \
         VALUES ($1, $2, $3, $4, $5, 'open') ON CONFLICT (statement_id, line_no) DO NOTHING RETURNING id"
    ).bind(new.statement_id).bind(new.line_no).bind(new.opened_by).bind(new.reason).bind(new.now)
        .fetch_optional(&mut *conn).await)?;
    if id.is_none() {
        tx.rollback().await?;
        return Ok(None);
    }
    notices::write(&mut tx, batch, new.now).await?;
    tx.commit().await?;
    Ok(id)
}

pub struct Settlement<'a> {
    pub dispute: i64,
    pub by: UserId,
    pub answer: &'a str,
    pub now: DateTime<Utc>,
}

/// Declines an open dispute; `false` when it had its answer already.
pub async fn decline(db: &Db, settlement: &Settlement<'_>, batch: &Batch) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let changed = settle(&mut tx, settlement, DisputeOutcome::Declined, None, None).await?;
    if !changed {
        tx.rollback().await?;
        return Ok(false);
    }
    notices::write(&mut tx, batch, settlement.now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Accepts an open dispute by issuing `revision`; answers the revision's id, or `None` when
/// the dispute had its answer already or another revision took that number first.
pub async fn accept(
    db: &Db,
    settlement: &Settlement<'_>,
    corrected_minor: i64,
    revision: &NewStatement<'_>,
    batch: &Batch,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some(revision_id) = statement_store::write(&mut tx, revision).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    if !settle(&mut tx, settlement, DisputeOutcome::Accepted, Some(corrected_minor), Some(revision_id)).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    notices::write(&mut tx, batch, settlement.now).await?;
    tx.commit().await?;
    Ok(Some(revision_id))
}

async fn settle(
    tx: &mut crate::db::Tx,
    s: &Settlement<'_>,
    outcome: DisputeOutcome,
    corrected_minor: Option<i64>,
    revision_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    with_tx!(tx, conn => sqlx::query(
        "UPDATE statement_disputes SET outcome = $1, answer = $2, answered_by = $3, answered_at = $4, corrected_minor = $5, \
         revision_id = $6 WHERE id = $7 AND outcome = 'open'"
    ).bind(outcome).bind(s.answer).bind(s.by).bind(s.now).bind(corrected_minor).bind(revision_id).bind(s.dispute)
        .execute(&mut *conn).await.map(|done| done.rows_affected() == 1))
}
