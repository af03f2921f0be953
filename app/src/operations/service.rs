//! The dashboard for one viewer and one address: the filter checked against what the viewer
//! may see, the facts read, the figures computed by [`super::metrics`].

use super::{
    filter, metrics::{self, RatingFacts, RequestFacts, Window}, store, Dashboard, DashboardAddress, DashboardChoices,
    DashboardFilter, FollowUpFigures, Rejections, TypeRejections, MONTH_END_WORKING_DAYS, WEEKLY_AFTER_DAYS,
};
use crate::{
    authz::OrgScope,
    db::Db,
    error::{AppError, Field, FieldError, Problem},
    kernel::RequestStatus,
    ratings::{metrics::csat, reasons_from_text, ReasonTag, RootCause},
    sla,
    time,
};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// The lists the viewer picks filters from: their subsidiaries, and the center's tiers, types,
/// teams and agents.
pub async fn choices(db: &Db, scope: &OrgScope) -> Result<DashboardChoices, AppError> {
    Ok(DashboardChoices {
        orgs: store::organisations(db, scope).await?,
        tiers: store::tiers(db).await?,
        types: store::types(db).await?,
        teams: store::teams(db).await?,
        agents: store::agents(db).await?,
    })
}

/// An id the viewer may not pick is refused the way an id that does not exist is: another
/// manager's subsidiary gets the same answer as a made-up number.
fn check_choices(filter: &DashboardFilter, choices: &DashboardChoices) -> Result<(), AppError> {
    let offered = |id: Option<i64>, list: &[super::Choice]| id.is_none_or(|id| list.iter().any(|c| c.id == id));
    let checks = [
        (Field::Organisation, offered(filter.org.map(|v| v.0), &choices.orgs)),
        (Field::Tier, offered(filter.tier.map(|v| v.0), &choices.tiers)),
        (Field::RequestType, offered(filter.request_type.map(|v| v.0), &choices.types)),
        (Field::Team, offered(filter.team.map(|v| v.0), &choices.teams)),
        (Field::Agent, offered(filter.agent.map(|v| v.0), &choices.agents)),
    ];
    let problems: Vec<FieldError> = checks
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(field, _)| FieldError { field, problem: Problem::UnknownChoice })
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(AppError::Invalid(problems)) }
}

/// The facts of the requests open at some moment of the window, with the working minutes each
/// resolution took and was paused on the request's own calendar.
async fn facts(db: &Db, calendars: &sla::service::Calendars, scope: &OrgScope, filter: &DashboardFilter, window: Window) -> Result<Vec<RequestFacts>, AppError> {
    let rows = store::facts(db, scope, filter, window.from, window.to).await?;
    let mut paused: HashMap<crate::kernel::RequestId, i64> = HashMap::new();
    let ends: HashMap<_, _> = rows.iter().filter_map(|r| Some((r.id, (r.resolved_at?, r.calendar_id)))).collect();
    for (id, started, ended) in store::pauses(db, scope, filter, window.from, window.to).await? {
        let Some((resolved, calendar_id)) = ends.get(&id) else { continue };
        if let Some((_, calendar)) = calendars.get(*calendar_id) {
            let end = ended.unwrap_or(*resolved).min(*resolved);
            *paused.entry(id).or_default() += sla::working_time::working_between(calendar, started, end.max(started)).num_minutes();
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            // The promise minus what was left of it when the work ended: the clock's own count,
            // pauses left out because the due instant already moved past them.
            let worked = r.resolved_at.and_then(|at| {
                sla::service::remaining_minutes(calendars, r.calendar_id, r.resolution_due, at).map(|left| r.resolution_minutes - left)
            });
            RequestFacts {
                org: r.org_id,
                type_id: r.type_id,
                status: r.status,
                created_at: r.created_at,
                first_responded_at: r.first_responded_at,
                first_response_due: r.first_response_due,
                resolved_at: r.resolved_at,
                resolution_due: r.resolution_due,
                ended_at: r.resolved_at.or((r.status == RequestStatus::Withdrawn).then_some(r.updated_at)),
                reject_reason: r.reject_reason,
                resolution_working_minutes: worked,
                first_owner: r.first_owner_id,
                // A rejection is the owner's act; a resolution names its resolver.
                finished_by: r.resolved_at.and(r.resolved_by.or(r.owner_id)),
                paused_minutes: paused.get(&r.id).copied().unwrap_or(0),
            }
        })
        .collect())
}

/// The follow-ups of the period's low scores, counted.
fn follow_up_figures(rows: &[(DateTime<Utc>, Option<DateTime<Utc>>, Option<RootCause>)], now: DateTime<Utc>) -> FollowUpFigures {
    FollowUpFigures {
        opened: rows.len() as i64,
        open: rows.iter().filter(|(_, closed, _)| closed.is_none()).count() as i64,
        overdue: rows.iter().filter(|(due, closed, _)| closed.is_none() && *due < now).count() as i64,
        by_root_cause: RootCause::ALL
            .iter()
            .map(|cause| (*cause, rows.iter().filter(|(_, closed, c)| closed.is_some() && *c == Some(*cause)).count() as i64))
            .filter(|(_, n)| *n > 0)
            .collect(),
    }
}

/// The dashboard of `address` for a viewer who reaches `scope`, in their zone. Agents whose
/// paused share is above `paused_flag_percent` are flagged.
pub async fn dashboard(
    db: &Db,
    scope: &OrgScope,
    address: &DashboardAddress,
    zone_name: &str,
    paused_flag_percent: i64,
    now: DateTime<Utc>,
) -> Result<Dashboard, AppError> {
    let zone = time::zone(zone_name);
    let filter = filter::parse(address, now.with_timezone(&zone).date_naive())?;
    let choices = choices(db, scope).await?;
    check_choices(&filter, &choices)?;
    let window = Window {
        from: time::start_of_day(filter.first_day, zone),
        to: time::start_of_day(filter.last_day + Duration::days(1), zone),
        now,
    };
    let calendars = sla::service::calendars(db).await?;
    let facts = facts(db, &calendars, scope, &filter, window).await?;

    let default_calendar = calendars.get(None).map(|(_, c)| c);
    let is_working = |day| default_calendar.is_some_and(|c| !c.periods_on(day).is_empty());
    let month_end = metrics::month_end_days(filter.first_day, filter.last_day, MONTH_END_WORKING_DAYS, is_working);
    let weekly = (filter.last_day - filter.first_day).num_days() + 1 > WEEKLY_AFTER_DAYS;
    // Days still ahead have had no volume: bars for them would show today's backlog as theirs.
    let today = now.with_timezone(&zone).date_naive();
    let volume = metrics::volume(&facts, filter.first_day, filter.last_day.min(today), weekly, zone, &month_end);

    let ratings = store::ratings(db, scope, &filter, window.from, window.to).await?;
    let scores: Vec<i64> = ratings.iter().map(|r| r.score).collect();
    let resolutions = store::resolutions(db, scope, &filter, window.from, window.to).await?;
    let low_reasons = ReasonTag::ALL
        .iter()
        .map(|tag| {
            let n = ratings.iter().filter(|r| r.score <= 2 && reasons_from_text(&r.reasons).contains(tag)).count();
            (*tag, n as i64)
        })
        .filter(|(_, n)| *n > 0)
        .collect();

    let (finished, rejected, by_reason, by_type) = metrics::rejections(&facts, window);
    let by_type = by_type
        .into_iter()
        .map(|(type_id, (finished, rejected))| {
            let name = choices.types.iter().find(|c| c.id == type_id.0);
            TypeRejections {
                type_id,
                name_zh: name.map(|c| c.name_zh.clone()).unwrap_or_default(),
                name_en: name.and_then(|c| c.name_en.clone()),
                finished,
                rejected,
            }
        })
        .collect();

    let credits: Vec<RatingFacts> =
        ratings.iter().map(|r| RatingFacts { score: r.score, first_owner: r.first_owner_id, resolver: r.resolver_id }).collect();
    let mut agents = metrics::agents(&facts, &credits, window, paused_flag_percent);
    let ids: Vec<_> = agents.iter().map(|a| a.agent).collect();
    let names: HashMap<_, _> = store::names(db, &ids).await?.into_iter().collect();
    for a in &mut agents {
        a.name = names.get(&a.agent).cloned().unwrap_or_default();
    }
    agents.sort_by(|a, b| a.name.cmp(&b.name));
    let follow_ups = follow_up_figures(&store::follow_ups(db, scope, &filter, window.from, window.to).await?, now);
    let disputes = store::disputes(db, scope, &filter, window.from, window.to).await?;

    Ok(Dashboard {
        agents,
        paused_flag_percent,
        follow_ups,
        disputes,
        backlog: store::backlog(db, scope, &filter).await?,
        first_response: metrics::first_response_attainment(&facts, window),
        resolution: metrics::resolution_attainment(&facts, window),
        resolution_times: metrics::resolution_times(&facts, window),
        csat: csat(&scores, resolutions),
        low_reasons,
        rejections: Rejections { finished, rejected, by_reason, by_type },
        weekly,
        volume,
        filter,
        choices,
    })
}
