//! The operations figures, each defined once here and stated in words on `/measures`. Every
//! function is pure: the facts come in, the figure goes out, so a fixed data set can be
//! computed by hand in the tests below.
//!
//! - **Period**: whole days in the viewer's time zone, first and last included. An event falls
//!   in the period when its instant does.
//! - **Submitted**: requests whose submission falls in the bar's days.
//! - **Resolved**: requests resolved or rejected (退单) in the bar's days; either ends the
//!   center's work and the resolution target.
//! - **Open at the end of a day**: submitted by then and not yet resolved, rejected or
//!   withdrawn.
//! - **Month-end days**: the last five working days of each month on the center's default
//!   calendar.
//! - **First-response attainment**: of the requests first answered in the period, those
//!   answered by their due instant; requests still unanswered whose due instant fell in the
//!   period and has passed count as missed.
//! - **Resolution attainment**: of the requests resolved or rejected in the period, those
//!   finished by their due instant; open requests whose clock runs (not waiting on the client)
//!   and whose due instant fell in the period and has passed count as missed. Due instants
//!   already leave out the time paused while the center waited on the client.
//! - **Resolution time**: working minutes from submission to resolution, pauses left out
//!   (the promise minus what was left of it); median and 90th percentile by nearest rank.
//! - **Rejection rate**: rejected ÷ resolved or rejected, in the period.
//! - **CSAT**: [`crate::ratings::metrics`], on the ratings given in the period.
//! - **First-owner accountability (首问)**: per agent, over the requests finished in the
//!   period: those the agent claimed first, of them those the agent finished (kept) or someone
//!   else did (passed on); the CSAT of the ratings given in the period that credit the agent
//!   as first owner, and as resolver.
//! - **Paused share**: per agent, over the requests the agent finished in the period: working
//!   minutes paused while waiting on the client ÷ (paused + counted working minutes). Above the
//!   center's threshold the agent is flagged: asking the client is right, parking work is not.
//! - **Follow-ups**: of the low scores given in the period, the follow-ups opened, still open,
//!   open past their deadline, and the root causes of those closed.

use super::{AgentFigures, Attainment, Durations, VolumeRow};
use crate::kernel::{OrgId, RejectReason, RequestStatus, TypeId, UserId};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet};

/// What the figures need to know of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub org: OrgId,
    pub type_id: TypeId,
    pub status: RequestStatus,
    pub created_at: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub first_response_due: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_due: DateTime<Utc>,
    /// When it stopped being open: resolved, rejected or withdrawn.
    pub ended_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<RejectReason>,
    /// Working minutes from submission to resolution, pauses left out.
    pub resolution_working_minutes: Option<i64>,
    pub first_owner: Option<UserId>,
    /// Who resolved it, or the owner who rejected it.
    pub finished_by: Option<UserId>,
    /// Working minutes paused while waiting on the client.
    pub paused_minutes: i64,
}

/// Who a rating given in the period credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingFacts {
    pub score: i64,
    pub first_owner: Option<UserId>,
    pub resolver: Option<UserId>,
}

/// The instants a period covers: `from` included, `to` excluded; `now` for what is overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

impl Window {
    pub fn holds(&self, at: DateTime<Utc>) -> bool {
        at >= self.from && at < self.to
    }

    /// Whether a due instant fell in the period and has passed.
    fn overdue(&self, due: DateTime<Utc>) -> bool {
        self.holds(due) && due < self.now
    }
}

fn is_open(status: RequestStatus) -> bool {
    matches!(status, RequestStatus::Submitted | RequestStatus::InReview | RequestStatus::AwaitingClient)
}

pub fn first_response_attainment(facts: &[RequestFacts], window: Window) -> Attainment {
    let mut result = Attainment::default();
    for f in facts {
        match f.first_responded_at {
            Some(at) if window.holds(at) => {
                if at <= f.first_response_due { result.met += 1 } else { result.missed += 1 }
            }
            None if is_open(f.status) && window.overdue(f.first_response_due) => result.missed += 1,
            _ => {}
        }
    }
    result
}

pub fn resolution_attainment(facts: &[RequestFacts], window: Window) -> Attainment {
    let mut result = Attainment::default();
    for f in facts {
        match f.resolved_at {
            Some(at) if window.holds(at) => {
                if at <= f.resolution_due { result.met += 1 } else { result.missed += 1 }
            }
            None if matches!(f.status, RequestStatus::Submitted | RequestStatus::InReview) && window.overdue(f.resolution_due) => {
                result.missed += 1
            }
            _ => {}
        }
    }
    result
}

/// The value at rank ⌈p·n⌉ of sorted values (nearest rank), `p` in (0, 1].
pub fn nearest_rank(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied()
}

pub fn resolution_times(facts: &[RequestFacts], window: Window) -> Option<Durations> {
    let mut minutes: Vec<i64> = facts
        .iter()
        .filter(|f| f.resolved_at.is_some_and(|at| window.holds(at)))
        .filter_map(|f| f.resolution_working_minutes)
        .collect();
    minutes.sort_unstable();
    Some(Durations {
        count: minutes.len() as i64,
        median_minutes: nearest_rank(&minutes, 0.5)?,
        p90_minutes: nearest_rank(&minutes, 0.9)?,
    })
}

/// The first days of the bars from `first` to `last`: every day, or every Monday-started week
/// (the first bar starts on `first` itself).
pub fn bar_starts(first: NaiveDate, last: NaiveDate, weekly: bool) -> Vec<NaiveDate> {
    let mut starts = Vec::new();
    let mut day = first;
    while day <= last {
        starts.push(day);
        day = if weekly {
            day + Duration::days(7 - i64::from(day.weekday().num_days_from_monday()))
        } else {
            day + Duration::days(1)
        };
    }
    starts
}

/// The last `n` working days of every month that the days from `first` to `last` touch.
pub fn month_end_days(first: NaiveDate, last: NaiveDate, n: usize, is_working: impl Fn(NaiveDate) -> bool) -> BTreeSet<NaiveDate> {
    let mut days = BTreeSet::new();
    let mut month = NaiveDate::from_ymd_opt(first.year(), first.month(), 1);
    while let Some(start) = month.filter(|m| *m <= last) {
        let next = start.checked_add_months(chrono::Months::new(1));
        let mut day = next.map(|n| n - Duration::days(1));
        let mut found = 0;
        while let Some(d) = day.filter(|d| *d >= start && found < n) {
            if is_working(d) {
                days.insert(d);
                found += 1;
            }
            day = d.pred_opt();
        }
        month = next;
    }
    days
}

/// Submitted, resolved and open per bar. `zone` decides which day an instant belongs to.
pub fn volume(facts: &[RequestFacts], first: NaiveDate, last: NaiveDate, weekly: bool, zone: Tz, month_end: &BTreeSet<NaiveDate>) -> Vec<VolumeRow> {
    let starts = bar_starts(first, last, weekly);
    let bar_of = |at: DateTime<Utc>| -> Option<usize> {
        let day = at.with_timezone(&zone).date_naive();
        if day < first || day > last {
            return None;
        }
        Some(starts.partition_point(|s| *s <= day) - 1)
    };
    let mut rows: Vec<VolumeRow> = starts
        .iter()
        .enumerate()
        .map(|(i, start)| {
            let end = starts.get(i + 1).map(|d| *d - Duration::days(1)).unwrap_or(last);
            VolumeRow { start: *start, submitted: 0, resolved: 0, open_at_end: 0, month_end: month_end.range(*start..=end).next().is_some() }
        })
        .collect();
    // Opened and ended per bar; what was open before the first day carries in.
    let mut change: BTreeMap<usize, i64> = BTreeMap::new();
    let mut open_before = 0;
    for f in facts {
        let created_day = f.created_at.with_timezone(&zone).date_naive();
        let ended_day = f.ended_at.map(|at| at.with_timezone(&zone).date_naive());
        if created_day < first && ended_day.is_none_or(|d| d >= first) {
            open_before += 1;
        }
        if let Some(i) = bar_of(f.created_at) {
            rows[i].submitted += 1;
            *change.entry(i).or_default() += 1;
        }
        if let Some(i) = f.resolved_at.and_then(bar_of) {
            rows[i].resolved += 1;
        }
        if let Some(i) = f.ended_at.and_then(bar_of) {
            // A request opened before the period and ended in it leaves the carried count.
            *change.entry(i).or_default() -= 1;
        }
    }
    let mut open = open_before;
    for (i, row) in rows.iter_mut().enumerate() {
        open += change.get(&i).copied().unwrap_or(0);
        row.open_at_end = open;
    }
    rows
}

/// Rejections in the period: all, per reason (in the reasons' order, those that occurred) and
/// per request type (finished, rejected).
pub fn rejections(facts: &[RequestFacts], window: Window) -> (i64, i64, Vec<(RejectReason, i64)>, BTreeMap<TypeId, (i64, i64)>) {
    let (mut finished, mut rejected) = (0, 0);
    let mut by_reason: Vec<(RejectReason, i64)> = RejectReason::ALL.iter().map(|r| (*r, 0)).collect();
    let mut by_type: BTreeMap<TypeId, (i64, i64)> = BTreeMap::new();
    for f in facts.iter().filter(|f| f.resolved_at.is_some_and(|at| window.holds(at))) {
        finished += 1;
        let entry = by_type.entry(f.type_id).or_default();
        entry.0 += 1;
        if let Some(reason) = f.reject_reason {
            rejected += 1;
            entry.1 += 1;
            if let Some(entry) = by_reason.iter_mut().find(|(r, _)| *r == reason) {
                entry.1 += 1;
            }
        }
    }
    by_reason.retain(|(_, n)| *n > 0);
    (finished, rejected, by_reason, by_type)
}

/// Accountability and paused share per agent, by agent id; names are the caller's.
/// `flag_percent`: the paused share above which an agent is flagged.
pub fn agents(facts: &[RequestFacts], ratings: &[RatingFacts], window: Window, flag_percent: i64) -> Vec<AgentFigures> {
    let mut by_agent: BTreeMap<UserId, AgentFigures> = BTreeMap::new();
    fn entry(map: &mut BTreeMap<UserId, AgentFigures>, agent: UserId) -> &mut AgentFigures {
        map.entry(agent).or_insert_with(|| AgentFigures {
            agent,
            name: String::new(),
            first_owned: 0,
            kept: 0,
            passed_on: 0,
            finished: 0,
            csat_as_first_owner: None,
            csat_as_resolver: None,
            paused_minutes: 0,
            worked_minutes: 0,
            paused_share: None,
            flagged: false,
        })
    }
    for f in facts.iter().filter(|f| f.resolved_at.is_some_and(|at| window.holds(at))) {
        if let Some(first) = f.first_owner {
            let a = entry(&mut by_agent, first);
            a.first_owned += 1;
            if f.finished_by == Some(first) { a.kept += 1 } else { a.passed_on += 1 }
        }
        if let Some(by) = f.finished_by {
            let a = entry(&mut by_agent, by);
            a.finished += 1;
            a.paused_minutes += f.paused_minutes;
            a.worked_minutes += f.resolution_working_minutes.unwrap_or(0);
        }
    }
    let mean = |scores: Vec<i64>| (!scores.is_empty()).then(|| scores.iter().sum::<i64>() as f64 / scores.len() as f64);
    let credited: BTreeSet<UserId> = ratings.iter().flat_map(|r| [r.first_owner, r.resolver]).flatten().collect();
    for agent in credited {
        let as_first = mean(ratings.iter().filter(|r| r.first_owner == Some(agent)).map(|r| r.score).collect());
        let as_resolver = mean(ratings.iter().filter(|r| r.resolver == Some(agent)).map(|r| r.score).collect());
        let a = entry(&mut by_agent, agent);
        a.csat_as_first_owner = as_first;
        a.csat_as_resolver = as_resolver;
    }
    by_agent
        .into_values()
        .map(|mut a| {
            let whole = a.paused_minutes + a.worked_minutes;
            a.paused_share = (whole > 0).then(|| a.paused_minutes as f64 / whole as f64);
            a.flagged = a.paused_share.is_some_and(|s| s * 100.0 > flag_percent as f64);
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

    /// An instant given as Shanghai wall time on a day of November 2026.
    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        SHANGHAI.with_ymd_and_hms(2026, 11, day, hour, 0, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    fn request(created: DateTime<Utc>) -> RequestFacts {
        RequestFacts {
            org: OrgId(1),
            type_id: TypeId(1),
            status: RequestStatus::InReview,
            created_at: created,
            first_responded_at: None,
            first_response_due: created + Duration::hours(4),
            resolved_at: None,
            resolution_due: created + Duration::days(2),
            ended_at: None,
            reject_reason: None,
            resolution_working_minutes: None,
            first_owner: None,
            finished_by: None,
            paused_minutes: 0,
        }
    }

    fn resolved(mut r: RequestFacts, responded: DateTime<Utc>, done: DateTime<Utc>, minutes: i64) -> RequestFacts {
        r.status = RequestStatus::Resolved;
        r.first_responded_at = Some(responded);
        r.resolved_at = Some(done);
        r.ended_at = Some(done);
        r.resolution_working_minutes = Some(minutes);
        r
    }

    /// November 2026 in Shanghai, looked at on 1 December.
    fn november() -> Window {
        Window { from: at(1, 0), to: at(1, 0) + Duration::days(30), now: at(1, 0) + Duration::days(30) }
    }

    /// Five requests of November, hand-computed:
    /// - A: answered in 1 h (met), resolved in a day (met), 300 working minutes.
    /// - B: answered in 6 h (missed), resolved in 3 days (missed), 900 minutes.
    /// - C: answered in 2 h (met), rejected in a day (met), 120 minutes, missing documents.
    /// - D: never answered, still unclaimed, both due instants passed: missed twice.
    /// - E: answered in 1 h (met), waiting on the client: its resolution is not measured.
    ///
    /// First response: 3 met, 2 missed = 60 %. Resolution: 2 met (A, C), 2 missed (B, D) = 50 %.
    /// Times of A, B, C sorted: 120, 300, 900 → median (rank 2) 300, p90 (rank 3) 900.
    /// Rejection rate: 1 of 3 finished.
    fn five() -> Vec<RequestFacts> {
        let a = resolved(request(at(2, 9)), at(2, 10), at(3, 9), 300);
        let b = resolved(request(at(3, 9)), at(3, 15), at(6, 9), 900);
        let mut c = resolved(request(at(4, 9)), at(4, 11), at(5, 9), 120);
        c.status = RequestStatus::Rejected;
        c.reject_reason = Some(RejectReason::MissingDocuments);
        let mut d = request(at(10, 9));
        d.status = RequestStatus::Submitted;
        let mut e = request(at(12, 9));
        e.status = RequestStatus::AwaitingClient;
        e.first_responded_at = Some(at(12, 10));
        e.resolution_due = at(13, 9);
        vec![a, b, c, d, e]
    }

    #[test]
    fn attainment_counts_answers_and_open_overdue_requests() {
        let facts = five();
        assert_eq!(first_response_attainment(&facts, november()), Attainment { met: 3, missed: 2 });
        assert_eq!(resolution_attainment(&facts, november()), Attainment { met: 2, missed: 2 });
        assert_eq!(resolution_attainment(&facts, november()).share(), Some(0.5));
        assert_eq!(Attainment::default().share(), None);
    }

    #[test]
    fn a_due_instant_still_ahead_is_not_missed() {
        let facts = five();
        // Looked at on 10 November at 10:00: D's answer was due at 13:00, not yet missed.
        let early = Window { now: at(10, 10), ..november() };
        assert_eq!(first_response_attainment(&facts, early).missed, 1);
    }

    #[test]
    fn median_and_p90_by_nearest_rank() {
        let t = resolution_times(&five(), november());
        assert_eq!(t, Some(Durations { count: 3, median_minutes: 300, p90_minutes: 900 }));
        let ten: Vec<i64> = (1..=10).map(|n| n * 10).collect();
        assert_eq!((nearest_rank(&ten, 0.5), nearest_rank(&ten, 0.9)), (Some(50), Some(90)));
        assert_eq!(nearest_rank(&[], 0.5), None);
    }

    #[test]
    fn rejections_per_reason_and_type() {
        let (finished, rejected, by_reason, by_type) = rejections(&five(), november());
        assert_eq!((finished, rejected), (3, 1));
        assert_eq!(by_reason, vec![(RejectReason::MissingDocuments, 1)]);
        assert_eq!(by_type.get(&TypeId(1)), Some(&(3, 1)));
    }

    #[test]
    fn volume_per_day_in_the_viewers_zone_with_the_open_count() {
        let mut facts = five();
        // Submitted on 31 October at 23:30 in Shanghai (15:30 UTC), resolved on 2 November:
        // carried in as open, it leaves the count on the 2nd.
        let late = SHANGHAI.with_ymd_and_hms(2026, 10, 31, 23, 30, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default();
        facts.push(resolved(request(late), at(2, 9), at(2, 12), 60));
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let rows = volume(&facts, first, last, false, SHANGHAI, &BTreeSet::new());
        assert_eq!(rows.len(), 30);
        let day = |n: usize| &rows[n - 1];
        assert_eq!((day(1).submitted, day(1).open_at_end), (0, 1));
        // The 2nd: A submitted, the late one resolved: one open (A).
        assert_eq!((day(2).submitted, day(2).resolved, day(2).open_at_end), (1, 1, 1));
        // The 3rd: B submitted, A resolved.
        assert_eq!((day(3).submitted, day(3).resolved, day(3).open_at_end), (1, 1, 1));
        // By the 12th: D and E are open, B and C finished.
        assert_eq!(day(12).open_at_end, 2);
        assert_eq!(rows.iter().map(|r| r.submitted).sum::<i64>(), 5);
        // Weekly bars: 1 November is a Sunday, so the second bar starts on Monday the 2nd.
        let weeks = volume(&facts, first, last, true, SHANGHAI, &BTreeSet::new());
        assert_eq!(weeks.iter().map(|w| w.start.day()).collect::<Vec<_>>(), vec![1, 2, 9, 16, 23, 30]);
        assert_eq!(weeks[1].submitted, 3);
    }

    /// Agent 7 first owned A, B and C and finished A and C; agent 8 finished B after a
    /// transfer, with 300 of its minutes paused waiting on the client.
    /// Agent 7: first owned 3, kept 2, passed on 1, finished 2; paused 0 of 300 + 120 = 0 %.
    /// Agent 8: finished 1; paused 300 ÷ (300 + 900) = 25 %: flagged above 20 %, not above 25 %.
    /// Ratings: A 5 (7 first and resolver), B 2 (7 first, 8 resolver): agent 7 as first owner
    /// 3.5, as resolver 5.0; agent 8 as resolver 2.0.
    #[test]
    fn first_owners_keep_or_pass_on_and_pauses_are_flagged() {
        let mut facts = five();
        for f in facts.iter_mut().take(3) {
            f.first_owner = Some(UserId(7));
            f.finished_by = Some(UserId(7));
        }
        facts[1].finished_by = Some(UserId(8));
        facts[1].paused_minutes = 300;
        let ratings = [
            RatingFacts { score: 5, first_owner: Some(UserId(7)), resolver: Some(UserId(7)) },
            RatingFacts { score: 2, first_owner: Some(UserId(7)), resolver: Some(UserId(8)) },
        ];
        let figures = agents(&facts, &ratings, november(), 20);
        let seven = &figures[0];
        assert_eq!((seven.agent, seven.first_owned, seven.kept, seven.passed_on, seven.finished), (UserId(7), 3, 2, 1, 2));
        assert_eq!((seven.paused_share, seven.flagged), (Some(0.0), false));
        assert_eq!((seven.csat_as_first_owner, seven.csat_as_resolver), (Some(3.5), Some(5.0)));
        let eight = &figures[1];
        assert_eq!((eight.first_owned, eight.finished, eight.paused_share, eight.flagged), (0, 1, Some(0.25), true));
        assert_eq!((eight.csat_as_first_owner, eight.csat_as_resolver), (None, Some(2.0)));
        assert!(!agents(&facts, &ratings, november(), 25)[1].flagged, "exactly at the threshold is not above it");
    }

    #[test]
    fn the_last_five_working_days_of_each_month() {
        // Weekdays only: November 2026 ends on Monday 30th; its last five working days are
        // 24–27 and 30. December's are 25 and 28–31.
        let weekdays = |d: NaiveDate| d.weekday().num_days_from_monday() < 5;
        let first = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap_or_default();
        let days: Vec<u32> = month_end_days(first, last, 5, weekdays).iter().map(|d| d.day()).collect();
        assert_eq!(days, vec![24, 25, 26, 27, 30, 25, 28, 29, 30, 31]);
    }
}
