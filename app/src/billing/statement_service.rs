//! Issuing the monthly statements: on the first working day of a month, each subsidiary's
//! statement of the month before, exactly once across instances.

use super::{
    statement::{self, BillableRequest, MonthSummary, Statement, StatementEntry},
    statement_store::{self as store, NewStatement},
};
use crate::{
    authz::OrgScope,
    db::Db,
    error::AppError,
    kernel::{OrgId, TierId},
    notifications::NotificationKind,
    operations::{self, metrics::month_end_days, DashboardAddress},
    sla,
    state::AppState,
    time::{self, CENTER_TIME_ZONE},
};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};

const LEASE: &str = "statements";

/// The first working day of `month` on the default calendar (the 1st without a calendar).
fn first_working_day(calendars: &sla::service::Calendars, month: NaiveDate) -> NaiveDate {
    let Some((_, calendar)) = calendars.get(None) else { return month };
    (0..31).map(|n| month + Duration::days(n)).find(|d| !calendar.periods_on(*d).is_empty()).unwrap_or(month)
}

/// Whether the subsidiary's readers are told of a statement: not for the demo's past months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Telling {
    Readers,
    Nobody,
}

/// Revision 1 of `org`'s statement of `month` (its first day), unless one exists or no price
/// list is in force then; its org contacts and customer managers are told in the same
/// transaction. Answers the new statement's id.
pub async fn issue(
    state: &AppState,
    org: OrgId,
    tier: Option<TierId>,
    month: NaiveDate,
    telling: Telling,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let db = &state.db;
    if store::issued(db, org, month).await? {
        return Ok(None);
    }
    let Some(prices) = store::price_list_on(db, month).await? else {
        return Ok(None);
    };
    let next = month.checked_add_months(Months::new(1)).unwrap_or(month);
    let (from, to) = (time::start_of_day(month, CENTER_TIME_ZONE), time::start_of_day(next, CENTER_TIME_ZONE));
    let requests: Vec<BillableRequest> = store::billable(db, org, from, to)
        .await?
        .into_iter()
        .map(|r| BillableRequest {
            submitted_on: r.created_at.with_timezone(&CENTER_TIME_ZONE).date_naive(),
            id: r.id,
            reference_no: r.reference_no,
            type_id: r.type_id,
            type_name: r.type_name,
            submitted_at: r.created_at,
            first_responded_at: r.first_responded_at,
            first_response_due: r.first_response_due,
            resolved_at: r.resolved_at,
            resolution_due: r.resolution_due,
        })
        .collect();
    let calendars = sla::service::calendars(db).await?;
    let earliest = requests.iter().map(|r| r.submitted_on).min().unwrap_or(month).min(month);
    let is_working = |d| calendars.get(None).is_some_and(|(_, c)| !c.periods_on(d).is_empty());
    let month_end = month_end_days(earliest.with_day(1).unwrap_or(earliest), next, prices.month_end_days.max(0) as usize, is_working);
    let month_end = if prices.month_end_days == 0 { Default::default() } else { month_end };
    let lines = statement::lines(&requests, &prices, tier, &month_end);
    let totals = statement::totals(&lines, prices.credit_cap_percent);
    // The month as the operations dashboard defines it, for this subsidiary alone.
    let everything = OrgScope { everything: true, orgs: Vec::new() };
    let address = DashboardAddress {
        from: Some(month.to_string()),
        to: next.pred_opt().map(|d| d.to_string()),
        org: Some(org.0.to_string()),
        ..Default::default()
    };
    let d = operations::service::dashboard(db, &everything, &address, time::DEFAULT_TIME_ZONE, 100, now).await?;
    let summary = MonthSummary {
        first_response: d.first_response,
        resolution: d.resolution,
        csat: d.csat,
        rejections: d.rejections.by_reason,
        open_follow_ups: d.follow_ups.open,
    };
    let new = NewStatement { org, month, revision: 1, price_list: &prices, lines: &lines, totals: &totals, summary: &summary, now };
    let notices = match telling {
        Telling::Nobody => Default::default(),
        Telling::Readers => {
            let about = crate::notifications::service::About {
                request_id: None,
                reference_no: None,
                title: format!("{} {}", d.choices.orgs.iter().find(|c| c.id == org.0).map(|c| c.name_zh.as_str()).unwrap_or_default(), month.format("%Y-%m")),
                link: "/statements".into(),
                status: None,
                actor_name: None,
                excerpt: None,
            };
            let targets: Vec<_> = store::readers(db, org).await?.into_iter().map(|u| (u, NotificationKind::StatementIssued)).collect();
            crate::notifications::service::build(db, &state.settings, &about, &targets).await?
        }
    };
    let id = store::insert(db, &new, &notices).await?;
    if id.is_some() {
        state.live.committed(db, &notices.live_recipients());
    }
    if let Some(id) = id {
        tracing::info!(statement = id, org = %org, %month, total = totals.total_minor, "monthly statement issued");
    }
    Ok(id)
}

/// One tick of the statement job: if this instance holds the lease and the first working day
/// of this month has come, issues last month's statement of every subsidiary that has none.
/// Answers how many were issued.
pub async fn issue_due(state: &AppState, holder: &str, lease: std::time::Duration, now: DateTime<Utc>) -> Result<usize, AppError> {
    let db = &state.db;
    let until = now + Duration::from_std(lease).unwrap_or(Duration::minutes(1));
    if !sla::store::take_lease(db, LEASE, holder, now, until).await? {
        return Ok(0);
    }
    let today = now.with_timezone(&CENTER_TIME_ZONE).date_naive();
    let this_month = today.with_day(1).unwrap_or(today);
    let calendars = sla::service::calendars(db).await?;
    if today < first_working_day(&calendars, this_month) {
        return Ok(0);
    }
    let last_month = this_month.checked_sub_months(Months::new(1)).unwrap_or(this_month);
    // A center that keeps no price list issues no statements; checked once, not per subsidiary.
    if store::price_list_on(db, last_month).await?.is_none() {
        return Ok(0);
    }
    let mut issued = 0;
    for (org, tier) in store::subsidiaries(db).await? {
        if issue(state, org, tier, last_month, Telling::Readers, now).await?.is_some() {
            issued += 1;
        }
    }
    Ok(issued)
}

/// Until when a revision issued at `issued_at` may be disputed.
pub async fn window_end(db: &Db, issued_at: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    sla::service::working_days_later(db, issued_at, super::dispute::WINDOW_WORKING_DAYS).await
}

pub async fn list(db: &Db, scope: &OrgScope) -> Result<Vec<StatementEntry>, AppError> {
    Ok(store::list(db, scope).await?)
}

/// A statement with its newest revision's id, its dispute window and the month's disputes,
/// for a reader whose rules are asked with its organisation.
pub async fn get(db: &Db, id: i64) -> Result<Statement, AppError> {
    let mut statement = store::get(db, id).await?.ok_or(AppError::NotFound)?;
    statement.newest_id = super::dispute_store::latest_revision(db, statement.org_id, statement.month).await?.map(|(id, _)| id).unwrap_or(id);
    statement.dispute_until = window_end(db, statement.issued_at).await?;
    statement.disputes = super::dispute_store::of_month(db, statement.org_id, statement.month).await?;
    Ok(statement)
}
