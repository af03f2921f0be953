//! The demo subsidiaries' past: about three months of requests of every type, in every state,
//! with their timelines, ratings, low-score follow-ups and the policy column, ending now.
//!
//! A newcomer who starts the demo portal sees what the center does. Everything is written
//! through the services the portal itself uses (submission, the lifecycle's commands, rating,
//! closing a follow-up, publishing), at instants in the past and without telling anyone: three
//! months of notifications and email would flood the outbox. The plan is a pure function of
//! the moment it ends at and the calendar (a fixed pseudo-random sequence, no `rand`), so the
//! same day gives the same history; the unit tests below check what it promises.

use crate::{
    attachments::{self, store as files},
    auth::{CurrentUser, ssr::store as users},
    authz::{self, Action, RequestScope, Target},
    catalogue::{FieldInput, FieldKind, FieldSpec, RequestType, store as catalogue, Targets},
    db::Db,
    error::AppError,
    kernel::{AttachmentId, OrgId, RejectReason, RequestId, Side, UserId},
    orgs::store as orgs,
    policies::{Audience, PolicyDraft, service as policies, store as policy_store},
    ratings::{
        ContactMethod, FollowUpAction, FollowUpOutcome, RatingInput, ReasonTag, RootCause,
        service as ratings, store as rating_store,
    },
    requests::{
        Command, ListFilter, NewRequestInput, service as requests,
        store::{self as request_store, Applied},
    },
    sla::{calendar::WorkCalendar, service as sla, store as sla_store, working_time},
    state::AppState,
    time::CENTER_TIME_ZONE,
    validation::Email,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------
// A fixed pseudo-random sequence

/// xorshift64*: tiny, and the same seed gives the same history.
struct Rng(u64);

impl Rng {
    const SEED: u64 = 0x5EED_F55C_2026_0001;

    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The plan: who submits what when, and what becomes of it

/// The demo people the history is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Person {
    ClientEast,
    ContactEast,
    ClientWest,
    Agent1,
    Agent2,
    Manager,
    Admin,
}

impl Person {
    const ALL: [Person; 7] =
        [Person::ClientEast, Person::ContactEast, Person::ClientWest, Person::Agent1, Person::Agent2, Person::Manager, Person::Admin];

    fn email(self) -> &'static str {
        match self {
            Person::ClientEast => "client.east@example.com",
            Person::ContactEast => "contact.east@example.com",
            Person::ClientWest => "client.west@example.com",
            Person::Agent1 => "agent1@example.com",
            Person::Agent2 => "agent2@example.com",
            Person::Manager => "manager@example.com",
            Person::Admin => "admin@example.com",
        }
    }
}

/// The two demo subsidiaries, in this order.
const EAST: usize = 0;
const WEST: usize = 1;

/// What the plan needs of a request type: its code and its targets for each subsidiary, the
/// subsidiary's tier applied as submission applies it.
#[derive(Debug, Clone)]
struct TypeFacts {
    code: String,
    targets: [Targets; 2],
}

/// Where a request stands at the end of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fate {
    Submitted,
    InReview,
    AwaitingClient,
    /// Resolved and not rated yet: within the rating window.
    Resolved,
    /// Resolved, reopened by the client, and being worked again.
    ReopenedOpen,
    Rejected,
    Withdrawn,
    /// Resolved, rated and so closed.
    Closed,
    /// Resolved and closed by the portal when nobody rated it in time.
    ClosedUnrated,
    /// Resolved, reopened, resolved again, rated and closed.
    ReopenedClosed,
}

impl Fate {
    #[cfg(test)]
    const ALL: [Fate; 10] = [
        Fate::Submitted,
        Fate::InReview,
        Fate::AwaitingClient,
        Fate::Resolved,
        Fate::ReopenedOpen,
        Fate::Rejected,
        Fate::Withdrawn,
        Fate::Closed,
        Fate::ClosedUnrated,
        Fate::ReopenedClosed,
    ];
}

#[derive(Debug, Clone, PartialEq)]
struct Rating {
    score: i64,
    reasons: Vec<ReasonTag>,
    comment: &'static str,
}

/// One thing that happens to a request after its submission.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Claim(Person),
    /// By the owner, for the center only.
    Note(&'static str),
    /// A public message of the owner.
    AgentMessage(&'static str),
    /// A public message of the requester.
    ClientMessage(&'static str),
    Ask(&'static str),
    /// The requester's answer to a question, with a file or not.
    Provide(&'static str, bool),
    Transfer { team: &'static str, agent: Person, reason: &'static str },
    Resolve(String),
    Reject(RejectReason, &'static str),
    Withdraw(&'static str),
    Reopen(&'static str),
    Rate(Rating),
    /// The portal closes a resolution nobody rated within the window.
    CloseUnrated,
    /// The customer manager closes the low score's follow-up.
    CloseFollowUp(usize),
    /// The follow-up passed its deadline open: the admins were told.
    Escalate,
}

#[derive(Debug, Clone)]
struct Plan {
    org: usize,
    requester: Person,
    type_index: usize,
    urgent: bool,
    submitted: DateTime<Utc>,
    fate: Fate,
    steps: Vec<(DateTime<Utc>, Step)>,
    /// Seeds the request's texts, so they do not depend on the order of planning.
    text_seed: u64,
}

impl Plan {
    fn rating(&self) -> Option<(DateTime<Utc>, &Rating)> {
        self.steps.iter().find_map(|(at, s)| match s {
            Step::Rate(r) => Some((*at, r)),
            _ => None,
        })
    }
}

/// What bounds the plan: the moment it ends at, the calendar its working hours come from, the
/// rating window and the follow-up deadline of the portal's settings.
struct Frame<'a> {
    now: DateTime<Utc>,
    calendar: &'a WorkCalendar,
    rating_window: Duration,
    follow_up_working_days: i64,
}

impl Frame<'_> {
    /// Nothing in the history happens later than this.
    fn limit(&self) -> DateTime<Utc> {
        self.now - Duration::minutes(15)
    }

    /// `hours` of working time after `from`.
    fn after(&self, from: DateTime<Utc>, hours: f64) -> DateTime<Utc> {
        working_time::add_working(self.calendar, from, Duration::minutes((hours * 60.0).max(1.0) as i64))
    }

    /// The instant `share` of the working time between two instants.
    fn within(&self, from: DateTime<Utc>, to: DateTime<Utc>, share: f64) -> DateTime<Utc> {
        let span = working_time::working_between(self.calendar, from, to);
        let at = working_time::add_working(self.calendar, from, Duration::seconds((span.num_seconds() as f64 * share) as i64));
        at.min(to)
    }

    fn works(&self, day: NaiveDate) -> bool {
        !self.calendar.periods_on(day).is_empty()
    }

    /// The window the plan keeps ratings, reopenings and unrated resolutions within.
    fn window(&self) -> Duration {
        self.rating_window.max(Duration::days(2))
    }
}

/// How many calendar days back the history starts.
const HISTORY_DAYS: i64 = 91;

/// The working days of the history, oldest first, each with whether it is one of the last five
/// working days of its month (the month-end peak).
fn working_days(frame: &Frame) -> Vec<(NaiveDate, bool)> {
    let today = frame.now.with_timezone(&CENTER_TIME_ZONE).date_naive();
    let first = today - Duration::days(HISTORY_DAYS);
    let mut month_end: HashMap<(i32, u32), Vec<NaiveDate>> = HashMap::new();
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= today).filter(|d| frame.works(*d)).collect();
    for day in &days {
        month_end.entry((day.year(), day.month())).or_insert_with(|| {
            let start = day.with_day(1).unwrap_or(*day);
            let mut all: Vec<NaiveDate> =
                start.iter_days().take_while(|d| d.month() == start.month()).filter(|d| frame.works(*d)).collect();
            let keep = all.len().saturating_sub(5);
            all.drain(..keep);
            all
        });
    }
    days.into_iter().map(|d| (d, month_end.get(&(d.year(), d.month())).is_some_and(|last| last.contains(&d)))).collect()
}

/// Requests a working day brings in, on average, outside and inside the month-end peak.
const DAILY: f64 = 1.3;
const DAILY_AT_MONTH_END: f64 = 3.6;

/// How often each type is asked for, relative to the others.
fn volume(code: &str) -> f64 {
    match code {
        "expense_reimbursement" => 30.0,
        "payment_request" => 20.0,
        "invoice" => 12.0,
        "general_query" => 10.0,
        "ledger_close" => 6.0,
        "system_access" => 6.0,
        "tax" => 5.0,
        "master_data" => 5.0,
        "fund_transfer" => 4.0,
        "urgent_payment" => 3.0,
        _ => 3.0,
    }
}

/// The demo agents who work a type's team (both for a team neither is in).
fn agents_for(code: &str) -> &'static [Person] {
    match code {
        "urgent_payment" | "fund_transfer" | "general_query" => &[Person::Agent1],
        "payment_request" | "invoice" | "tax" => &[Person::Agent2],
        _ => &[Person::Agent1, Person::Agent2],
    }
}

/// A hand-over some requests of a type see: to which team, which agent, and why.
fn transfer_for(code: &str, owner: Person) -> Option<Step> {
    let (team, agent, reason) = match code {
        "general_query" => ("tax", Person::Agent2, "咨询内容涉及增值税进项抵扣，转税务组答复。"),
        "payment_request" => ("treasury", Person::Agent1, "该笔付款需从集团资金池调拨头寸，转资金组处理。"),
        "expense_reimbursement" => ("tax", Person::Agent2, "报销中含个人所得税代扣事项，转税务组处理。"),
        "invoice" => ("expenses", Person::Agent1, "属于报销发票查验问题，转费用核算组跟进。"),
        _ => return None,
    };
    (agent != owner).then_some(Step::Transfer { team, agent, reason })
}

/// Plans the history ending at `frame.now`.
fn plan(frame: &Frame, types: &[TypeFacts]) -> Vec<Plan> {
    let mut rng = Rng::new(Rng::SEED);
    let limit = frame.limit();
    // Submission instants: working days, office hours mostly, more at month end.
    let mut times = Vec::new();
    for (day, peak) in working_days(frame) {
        let mean = if peak { DAILY_AT_MONTH_END } else { DAILY };
        let n = (mean + rng.between(-0.9, 0.9)).round().max(0.0) as usize;
        for _ in 0..n {
            let hours = if rng.chance(0.9) { rng.between(8.75, 17.9) } else { rng.between(18.5, 21.5) };
            let local = day.and_time(NaiveTime::MIN) + Duration::minutes((hours * 60.0) as i64);
            let Some(at) = CENTER_TIME_ZONE.from_local_datetime(&local).earliest() else { continue };
            let at = at.with_timezone(&Utc);
            if at < limit - Duration::minutes(30) {
                times.push(at);
            }
        }
    }
    times.sort();
    // Types from a shuffled deck: each type at least twice, the rest by volume.
    let n = times.len();
    let total: f64 = types.iter().map(|t| volume(&t.code)).sum();
    let mut deck: Vec<usize> = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let count = ((volume(&t.code) / total * n as f64).round() as usize).max(2);
        deck.extend(std::iter::repeat_n(i, count));
    }
    rng.shuffle(&mut deck);
    let mut plans: Vec<Plan> = times
        .iter()
        .enumerate()
        .map(|(i, at)| {
            let org = if rng.chance(0.57) { EAST } else { WEST };
            let requester = match org {
                EAST if rng.chance(0.2) => Person::ContactEast,
                EAST => Person::ClientEast,
                _ => Person::ClientWest,
            };
            let type_index = if types.is_empty() { 0 } else { deck.get(i).copied().unwrap_or_else(|| rng.below(types.len())) };
            let urgent = types.get(type_index).is_some_and(|t| t.targets[org].urgent_allowed) && rng.chance(0.05);
            Plan {
                org,
                requester,
                type_index,
                urgent,
                submitted: *at,
                fate: Fate::Submitted,
                steps: Vec::new(),
                text_seed: rng.next(),
            }
        })
        .collect();
    if types.is_empty() {
        return Vec::new();
    }

    let mut assigned = vec![false; plans.len()];
    let attempt = |plans: &mut Vec<Plan>, i: usize, fate: Fate, rng: &mut Rng| -> bool {
        let p = &plans[i];
        match timeline(frame, &types[p.type_index], p, fate, rng) {
            Some(steps) => {
                plans[i].fate = fate;
                plans[i].steps = steps;
                true
            }
            None => false,
        }
    };
    for org in [EAST, WEST] {
        // The newest requests show every open state.
        let newest: Vec<usize> = (0..plans.len()).rev().filter(|i| plans[*i].org == org).collect();
        for fate in [Fate::Submitted, Fate::InReview, Fate::Resolved, Fate::AwaitingClient, Fate::ReopenedOpen, Fate::InReview] {
            for &i in &newest {
                if !assigned[i] && attempt(&mut plans, i, fate, &mut rng) {
                    assigned[i] = true;
                    break;
                }
            }
        }
    }
    // The others by their age.
    for i in 0..plans.len() {
        if assigned[i] {
            continue;
        }
        let age = frame.now - plans[i].submitted;
        let (fates, weights): (&[Fate], &[f64]) = if age < Duration::days(2) {
            (&[Fate::InReview, Fate::Submitted, Fate::AwaitingClient, Fate::Resolved, Fate::Withdrawn], &[4.0, 1.5, 1.0, 2.0, 0.3])
        } else if age < Duration::days(8) {
            (
                &[Fate::Closed, Fate::Resolved, Fate::InReview, Fate::AwaitingClient, Fate::Rejected, Fate::Withdrawn],
                &[4.0, 2.5, 1.2, 0.8, 0.6, 0.3],
            )
        } else {
            (
                &[Fate::Closed, Fate::ClosedUnrated, Fate::Rejected, Fate::Withdrawn, Fate::ReopenedClosed],
                &[10.0, 1.2, 1.0, 0.6, 0.7],
            )
        };
        let wanted = fates[rng.weighted(weights)];
        for fate in [wanted, Fate::Closed, Fate::Resolved, Fate::InReview, Fate::Submitted] {
            if attempt(&mut plans, i, fate, &mut rng) {
                break;
            }
        }
        assigned[i] = true;
    }
    // Every subsidiary's past holds each way a request can end.
    for org in [EAST, WEST] {
        for fate in [Fate::Rejected, Fate::Withdrawn, Fate::ReopenedClosed, Fate::ClosedUnrated, Fate::Closed] {
            if plans.iter().any(|p| p.org == org && p.fate == fate) {
                continue;
            }
            let mut candidates: Vec<usize> = (0..plans.len())
                .filter(|i| plans[*i].org == org && matches!(plans[*i].fate, Fate::Closed | Fate::Resolved | Fate::InReview))
                .filter(|i| plans.iter().filter(|p| p.org == org && p.fate == plans[*i].fate).count() > 1)
                .collect();
            rng.shuffle(&mut candidates);
            for i in candidates {
                if attempt(&mut plans, i, fate, &mut rng) {
                    break;
                }
            }
        }
    }
    low_scores(frame, &mut plans, &mut rng);
    plans
}

/// Makes sure some ratings are low, one follow-up still open and one closed, then adds each
/// low score's follow-up: closed by the customer manager, or open (and escalated once overdue).
fn low_scores(frame: &Frame, plans: &mut [Plan], rng: &mut Rng) {
    let limit = frame.limit();
    let set_low = |plan: &mut Plan, score: i64, which: usize| {
        for (_, step) in plan.steps.iter_mut() {
            if let Step::Rate(rating) = step {
                *rating = LOW_RATINGS[which % LOW_RATINGS.len()].rating(score);
            }
        }
    };
    let mut rated: Vec<usize> = (0..plans.len()).filter(|i| plans[*i].rating().is_some()).collect();
    rated.sort_by_key(|i| plans[*i].rating().map(|(at, _)| at));
    let is_low = |p: &Plan| p.rating().is_some_and(|(_, r)| r.score <= 2);
    // The newest rating: its follow-up is still with the manager.
    if let Some(&newest) = rated.last() {
        if !is_low(&plans[newest]) {
            set_low(&mut plans[newest], 2, 1);
        }
    }
    // Two older ones, closed with an outcome.
    let older: Vec<usize> = rated.iter().copied().filter(|i| plans[*i].rating().is_some_and(|(at, _)| at < limit - Duration::days(10))).collect();
    let closable = older.iter().filter(|i| is_low(&plans[**i])).count();
    for k in closable..2 {
        if older.is_empty() {
            break;
        }
        let i = older[(older.len() * (k + 1)) / 3 % older.len()];
        if !is_low(&plans[i]) {
            set_low(&mut plans[i], 1 + k as i64 % 2, k + 2);
        }
    }
    let newest = rated.last().copied();
    for (index, plan) in plans.iter_mut().enumerate() {
        let Some((rated_at, rating)) = plan.rating() else { continue };
        if rating.score > 2 {
            continue;
        }
        let due = working_time::working_days_after(frame.calendar, rated_at, frame.follow_up_working_days);
        let close_at = frame.after(rated_at, rng.between(3.0, 22.0));
        let stays_open = Some(index) == newest || close_at >= limit || rng.chance(0.12);
        if !stays_open && close_at > due {
            plan.steps.push((due + Duration::minutes(1), Step::Escalate));
        }
        if !stays_open {
            plan.steps.push((close_at, Step::CloseFollowUp(rng.below(OUTCOMES.len()))));
        } else if due < limit {
            plan.steps.push((due + Duration::minutes(1), Step::Escalate));
        }
    }
}

/// The steps that bring a request of `facts` submitted as `plan` says to `fate`, or `None` when
/// the request is too young for it.
fn timeline(frame: &Frame, facts: &TypeFacts, plan: &Plan, fate: Fate, rng: &mut Rng) -> Option<Vec<(DateTime<Utc>, Step)>> {
    let c = plan.submitted;
    let limit = frame.limit();
    let window = frame.window();
    let targets = &facts.targets[plan.org];
    let (first, resolution) = if plan.urgent && targets.urgent_allowed {
        (targets.urgent_first_response_hours, targets.urgent_resolution_hours)
    } else {
        (targets.first_response_hours, targets.resolution_hours)
    };
    let (first, resolution) = (first as f64, resolution as f64);
    let agent = rng.pick(agents_for(&facts.code));
    // First response: mostly within the target, sometimes late.
    let claim_hours = if rng.chance(0.85) { first * rng.between(0.08, 0.8) } else { first * rng.between(1.15, 2.2) };
    // The work until the answer: mostly within the target, sometimes late.
    let work_hours = if rng.chance(0.78) { resolution * rng.between(0.2, 0.85) } else { resolution * rng.between(1.1, 1.8) };
    let asks = rng.chance(0.35);
    let client_hours = rng.between(1.0, 14.0);
    let natural_end = frame.after(c, work_hours + if asks { client_hours } else { 0.0 });
    let claim = frame.after(c, claim_hours);
    let code = facts.code.as_str();

    // What happens between the claim and the answer.
    let mut middle: Vec<Step> = Vec::new();
    if rng.chance(0.3) {
        middle.push(Step::Note(rng.pick(NOTES)));
    }
    let transfer = if rng.chance(0.12) { transfer_for(code, agent) } else { None };
    if let Some(step) = transfer.clone() {
        middle.push(step);
    }
    if rng.chance(0.2) {
        middle.push(Step::AgentMessage(rng.pick(AGENT_MESSAGES)));
    }
    if asks {
        let (ask, answer) = rng.pick(ASKS);
        middle.push(Step::Ask(ask));
        middle.push(Step::Provide(answer, rng.chance(0.5)));
    }
    if rng.chance(0.12) {
        middle.push(Step::ClientMessage(rng.pick(CLIENT_MESSAGES)));
    }
    let resolution_text = resolution_text(code, rng);
    let rating = rating(rng, matches!(fate, Fate::ReopenedClosed));

    // Spreads the middle steps over the working time between two instants.
    let spread = |steps: &[Step], from: DateTime<Utc>, to: DateTime<Utc>, rng: &mut Rng| -> Vec<(DateTime<Utc>, Step)> {
        let n = steps.len() as f64;
        steps
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let share = (k as f64 + rng.between(0.35, 0.85)) / (n + 0.5);
                (frame.within(from, to, share), s.clone())
            })
            .collect()
    };
    let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
    match fate {
        Fate::Submitted => {
            if limit - c > Duration::days(2) && rng.chance(0.6) {
                steps.push((frame.within(c, limit, 0.7), Step::ClientMessage("请问这笔单据什么时候能处理？比较着急，谢谢。")));
            }
        }
        Fate::InReview | Fate::AwaitingClient => {
            let claim = claim.min(frame.within(c, limit, 0.4));
            if claim <= c {
                return None;
            }
            steps.push((claim, Step::Claim(agent)));
            let mut rest: Vec<Step> = middle.iter().filter(|s| !matches!(s, Step::Ask(_) | Step::Provide(..))).cloned().collect();
            if fate == Fate::AwaitingClient {
                rest.push(Step::Ask(rng.pick(ASKS).0));
            } else if asks {
                let (ask, answer) = rng.pick(ASKS);
                rest.push(Step::Ask(ask));
                rest.push(Step::Provide(answer, rng.chance(0.5)));
            }
            let end = natural_end.min(limit);
            steps.extend(spread(&rest, claim, end.max(claim + Duration::minutes(20)), rng));
        }
        Fate::Resolved | Fate::Closed | Fate::ClosedUnrated | Fate::ReopenedOpen | Fate::ReopenedClosed => {
            let end = match fate {
                // Resolved lately: the client may still rate or reopen it.
                Fate::Resolved => natural_end.clamp(frame.now - (window - Duration::hours(36)), limit - Duration::minutes(30)),
                Fate::ReopenedOpen => natural_end.clamp(frame.now - (window - Duration::hours(48)), limit - Duration::hours(3)),
                _ => natural_end,
            };
            if end <= c + Duration::minutes(30) {
                return None;
            }
            let claim = claim.min(frame.within(c, end, 0.3));
            steps.push((claim, Step::Claim(agent)));
            steps.extend(spread(&middle, claim, end, rng));
            steps.push((end, Step::Resolve(resolution_text.clone())));
            let hours = |low: f64, high: f64, rng: &mut Rng| Duration::minutes((rng.between(low, high) * 60.0) as i64);
            match fate {
                Fate::Resolved => {}
                Fate::Closed => {
                    let within = (window - Duration::hours(12)).num_minutes() as f64 / 60.0;
                    steps.push((end + hours(0.5, within.min(60.0), rng), Step::Rate(rating)));
                }
                Fate::ClosedUnrated => {
                    steps.push((end + window + hours(0.02, 0.9, rng), Step::CloseUnrated));
                }
                Fate::ReopenedOpen => {
                    let room = ((limit - end).num_minutes() as f64 / 60.0 - 1.0).min(40.0);
                    if room < 1.0 {
                        return None;
                    }
                    let reopened = end + hours(0.5, room, rng);
                    steps.push((reopened, Step::Reopen(rng.pick(REOPENS))));
                    if rng.chance(0.6) {
                        steps.push((frame.within(reopened, limit, 0.5), Step::AgentMessage("已收到，正在重新核对，今天内给您答复。")));
                    }
                }
                _ => {
                    let reopened = end + hours(2.0, 40.0, rng);
                    steps.push((reopened, Step::Reopen(rng.pick(REOPENS))));
                    let again = frame.after(reopened, rng.between(1.0, 10.0));
                    steps.push((again, Step::Resolve(format!("已按您的反馈重新处理：{resolution_text}"))));
                    steps.push((again + hours(1.0, 30.0, rng), Step::Rate(rating)));
                }
            }
        }
        Fate::Rejected => {
            let end = frame.within(c, natural_end, rng.between(0.3, 0.8)).min(limit);
            if end <= c + Duration::minutes(30) {
                return None;
            }
            let claim = claim.min(frame.within(c, end, 0.4));
            steps.push((claim, Step::Claim(agent)));
            let rest: Vec<Step> = middle.iter().filter(|s| matches!(s, Step::Note(_) | Step::Ask(_) | Step::Provide(..))).cloned().collect();
            steps.extend(spread(&rest, claim, end, rng));
            let (reason, detail) = rng.pick(REJECTIONS);
            steps.push((end, Step::Reject(reason, detail)));
        }
        Fate::Withdrawn => {
            let end = frame.after(c, rng.between(0.5, 12.0)).min(limit);
            if end <= c + Duration::minutes(10) {
                return None;
            }
            if rng.chance(0.5) {
                let claim = claim.min(frame.within(c, end, 0.3));
                steps.push((claim, Step::Claim(agent)));
                if rng.chance(0.5) {
                    steps.push((frame.within(claim, end, 0.5), Step::Ask(rng.pick(ASKS).0)));
                }
            }
            steps.push((end, Step::Withdraw(rng.pick(WITHDRAWALS))));
        }
    }
    // Each step after the one before, and all of them in the past.
    let mut last = c;
    for (at, _) in steps.iter_mut() {
        if *at <= last {
            *at = last + Duration::minutes(3);
        }
        last = *at;
    }
    (last < limit).then_some(steps)
}

fn rating(rng: &mut Rng, reopened: bool) -> Rating {
    let score = if reopened {
        [5, 4, 4, 3, 3, 2][rng.below(6)]
    } else {
        match rng.unit() {
            x if x < 0.58 => 5,
            x if x < 0.86 => 4,
            x if x < 0.94 => 3,
            x if x < 0.975 => 2,
            _ => 1,
        }
    };
    match score {
        1 | 2 => LOW_RATINGS[rng.below(LOW_RATINGS.len())].rating(score),
        3 => Rating { score, reasons: vec![ReasonTag::Timeliness], comment: rng.pick(&["结果没问题，就是处理时间长了点。", "中间补充材料来回了两次，希望一次说清楚。"]) },
        _ => Rating {
            score,
            reasons: Vec::new(),
            comment: if rng.chance(0.45) { rng.pick(GOOD_COMMENTS) } else { "" },
        },
    }
}

/// A low score's reasons and comment.
struct LowRating(&'static [ReasonTag], &'static str);

impl LowRating {
    fn rating(&self, score: i64) -> Rating {
        Rating { score, reasons: self.0.to_vec(), comment: self.1 }
    }
}

const LOW_RATINGS: &[LowRating] = &[
    LowRating(&[ReasonTag::Timeliness, ReasonTag::Communication], "月底前提交的单据拖了一周才处理，中间也没有人告知进度。"),
    LowRating(&[ReasonTag::Communication], "补充材料的要求前后说法不一致，来回沟通了三次。"),
    LowRating(&[ReasonTag::Accuracy], "金额录入错误被退回重做，耽误了供应商付款。"),
    LowRating(&[ReasonTag::ProcessRules], "同样的发票上个月可以报销，这个月却被退回，规则变了也没有通知。"),
    LowRating(&[ReasonTag::Attitude, ReasonTag::Timeliness], "电话催问时答复比较敷衍，希望改进。"),
];

const GOOD_COMMENTS: &[&str] = &[
    "处理及时，谢谢！",
    "非常专业，效率很高。",
    "感谢耐心解答，说明很清楚。",
    "月底这么忙还能按时处理，辛苦了！",
    "一次就办好了，点赞。",
];

/// Outcomes of closed follow-ups.
const OUTCOMES: &[(ContactMethod, RootCause, FollowUpAction, &str)] = &[
    (
        ContactMethod::Phone,
        RootCause::CenterError,
        FollowUpAction::CoachedAgent,
        "已电话联系客户，确认为我方录入错误导致退回。已对经办人进行辅导，并在复核清单中增加金额双人核对。客户表示理解。",
    ),
    (
        ContactMethod::Visit,
        RootCause::PolicyUnclear,
        FollowUpAction::ImprovedProcess,
        "走访客户财务部，客户反映退回标准不清楚。已在政策专栏更新《发票开具要求》，补充常见退回原因及示例，并在月度例会上宣讲。",
    ),
    (
        ContactMethod::Phone,
        RootCause::ClientDocuments,
        FollowUpAction::Explained,
        "经核实，延误原因是原始单据缺少审批签字。已向客户解释补件要求并发送《差旅费报销标准》链接，客户接受解释。",
    ),
    (
        ContactMethod::Email,
        RootCause::ExpectationGap,
        FollowUpAction::Explained,
        "客户期望当天完成，已邮件说明该类事项的服务时限及紧急付款通道的使用条件，双方约定后续紧急事项先电话沟通。",
    ),
];

// ---------------------------------------------------------------------------------------------
// What people write

const SUPPLIERS: &[&str] = &["顺丰速运", "中国移动", "京东物流", "宝钢股份", "联想集团", "德勤咨询", "国家电网", "美的集团", "用友网络", "金蝶软件"];
const CITIES: &[&str] = &["上海", "北京", "广州", "深圳", "成都", "重庆", "武汉", "杭州", "西安", "昆明"];

const NOTES: &[&str] = &[
    "该供应商上月有一笔重复付款，注意核对。",
    "金额超过审批权限，需财务经理复核。",
    "本月预算余额不足，已提醒客户经理关注。",
    "发票已在税务系统查验通过。",
    "客户为重点客户，请优先处理。",
];
const AGENT_MESSAGES: &[&str] = &[
    "您好，单据已收到，正在审核中。",
    "已核对发票信息，金额无误，继续处理。",
    "审批流程已提交，预计今天内完成。",
    "您好，已排入本周付款计划。",
];
const CLIENT_MESSAGES: &[&str] = &[
    "请问目前处理到哪一步了？",
    "这笔款项比较急，麻烦尽快处理，谢谢！",
    "补充说明：该费用已经部门负责人同意。",
    "附件中的发票是电子发票，原件无需邮寄。",
];
/// A question and the client's answer to it.
const ASKS: &[(&str, &str)] = &[
    ("请补充经部门负责人签字的审批单扫描件。", "已补充审批单，请查收。"),
    ("发票抬头与公司全称不一致，请提供抬头正确的发票。", "重新开具的发票已上传。"),
    ("请提供合同首页及签字页。", "合同首页和签字页已上传。"),
    ("请说明该笔费用对应的成本中心。", "成本中心为 CC-1003（销售部）。"),
    ("收款账号与供应商主数据不一致，请确认。", "已确认，收款账号以附件中的银行回函为准。"),
];
const REJECTIONS: &[(RejectReason, &str)] = &[
    (RejectReason::MissingDocuments, "缺少必要的原始单据，请补齐后重新提交。"),
    (RejectReason::InvalidInvoice, "发票查验不通过（发票状态为已作废），请联系开票方重开。"),
    (RejectReason::OverBudget, "该项支出超出本年度预算，请先办理预算调整。"),
    (RejectReason::NotApproved, "缺少有效审批，请按授权审批表完成审批后重新提交。"),
    (RejectReason::Duplicate, "与之前提交的申请重复，原申请已在处理中。"),
];
const WITHDRAWALS: &[&str] = &["提交错了，重新提交。", "业务取消，不再需要处理。", "已线下处理完毕。"];
const REOPENS: &[&str] = &[
    "到账金额与申请金额不一致，请再核对一下。",
    "处理结果和我们的问题不符，请重新看一下。",
    "凭证摘要写错了，麻烦更正。",
];

fn resolution_text(code: &str, rng: &mut Rng) -> String {
    let options: &[&str] = match code {
        "expense_reimbursement" => &["已审核通过并完成入账，报销款将于下一个付款日支付。", "已审核通过，款项已支付至报销人工资卡。"],
        "payment_request" => &["款项已于今日支付，请留意到账情况。", "已审核通过并排入本周付款计划，付款后系统会通知您。"],
        "urgent_payment" => &["已走紧急付款通道，款项已支付，银行回单见系统。"],
        "invoice" => &["发票已开具，电子版已发送至购买方邮箱。", "经查验，该发票真实有效，可以正常入账。"],
        "fund_transfer" => &["资金已调拨到账，请核对银行流水。"],
        "tax" => &["已答复：该项目可按规定抵扣，具体口径见附言。", "已完成申报数据核对，无需调整。"],
        "ledger_close" => &["调整分录已过账，本期报表已更新。", "已完成月结检查，科目余额核对一致。"],
        "master_data" => &["主数据已更新，今日起生效。"],
        "system_access" => &["权限已开通，请重新登录系统。", "问题已修复，请清除浏览器缓存后重试。"],
        _ => &["已答复，如有疑问请再次提交。", "已按政策专栏的说明答复，请查阅。"],
    };
    rng.pick(options).to_string()
}

/// The title and description of a request.
fn texts(code: &str, org: usize, at: DateTime<Utc>, rng: &mut Rng) -> (String, String) {
    let local = at.with_timezone(&CENTER_TIME_ZONE);
    let month = local.month();
    let supplier = rng.pick(SUPPLIERS);
    let city = rng.pick(CITIES);
    let previous = if month == 1 { 12 } else { month - 1 };
    let title = match code {
        "expense_reimbursement" => match rng.below(4) {
            0 => format!("{month}月{city}出差差旅费报销"),
            1 => format!("{month}月业务招待费报销"),
            2 => "部门办公用品采购报销".to_string(),
            _ => format!("{month}月外部培训费报销"),
        },
        "payment_request" => format!("支付{supplier}{previous}月服务费"),
        "urgent_payment" => format!("紧急支付{supplier}预付款"),
        "invoice" => match rng.below(3) {
            0 => format!("为{supplier}开具增值税专用发票"),
            1 => format!("查验{supplier}开具的发票"),
            _ => "申请开具红字发票".to_string(),
        },
        "fund_transfer" => format!("{month}月下旬资金调拨"),
        "tax" => match rng.below(2) {
            0 => format!("{previous}月增值税申报咨询"),
            _ => "企业所得税汇算清缴问题".to_string(),
        },
        "ledger_close" => format!("{}年{previous}月月结调整", local.year()),
        "master_data" => match rng.below(2) {
            0 => format!("新增供应商：{supplier}"),
            _ => format!("变更{supplier}银行账户"),
        },
        "system_access" => match rng.below(3) {
            0 => "新员工ERP系统权限申请".to_string(),
            1 => "费控系统无法登录".to_string(),
            _ => "影像系统上传发票失败".to_string(),
        },
        "general_query" => match rng.below(3) {
            0 => "关于差旅住宿标准的咨询".to_string(),
            1 => format!("查询{supplier}付款进度"),
            _ => "月末报销截止时间咨询".to_string(),
        },
        other => format!("{other}事项"),
    };
    let who = if org == EAST { "华东制造" } else { "西南贸易" };
    let description = match code {
        "general_query" | "tax" => format!("{title}：请财务共享中心协助解答。{who}财务部，分机 {}。", 8000 + rng.below(2000)),
        _ => format!("{title}，相关单据见附件，请审核。如有问题请联系我（{who}，分机 {}）。", 8000 + rng.below(2000)),
    };
    (title, description)
}

/// A value for a field of the type's form.
fn field_value(spec: &FieldSpec, code: &str, org: usize, at: DateTime<Utc>, rng: &mut Rng) -> (String, Option<String>) {
    let local = at.with_timezone(&CENTER_TIME_ZONE).date_naive();
    let company = if org == EAST { "华东制造" } else { "西南贸易" };
    match spec.kind {
        FieldKind::Amount => {
            let (low, high) = match code {
                "expense_reimbursement" => (180.0, 9_800.0),
                "payment_request" => (12_000.0, 680_000.0),
                "urgent_payment" => (50_000.0, 450_000.0),
                "fund_transfer" => (500_000.0, 8_000_000.0),
                _ => (1_000.0, 120_000.0),
            };
            (format!("{:.2}", rng.between(low, high)), Some("CNY".to_string()))
        }
        FieldKind::Date => {
            let day = match spec.key.as_str() {
                "expense_date" => local - Duration::days(rng.between(2.0, 20.0) as i64),
                "value_date" => local + Duration::days(rng.between(1.0, 3.0) as i64),
                _ => local + Duration::days(rng.between(3.0, 15.0) as i64),
            };
            (day.format("%Y-%m-%d").to_string(), None)
        }
        FieldKind::Choice => (spec.choices.get(rng.below(spec.choices.len())).map(|c| c.value.clone()).unwrap_or_default(), None),
        FieldKind::InvoiceNumber => {
            let digits: String = (0..20).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
            (digits, None)
        }
        FieldKind::LongText => (
            match spec.key.as_str() {
                "justification" => "供应商要求款到发货，生产线急需原材料，走标准流程将导致停产。".to_string(),
                "change" => "开户行由“中国银行成都分行”变更为“招商银行成都高新支行”，账号随之变更，附银行开户证明。".to_string(),
                _ => "详见附件。".to_string(),
            },
            None,
        ),
        FieldKind::Text => (
            match spec.key.as_str() {
                "cost_center" => format!("CC-{}", 1001 + rng.below(8)),
                "payee" | "buyer" => format!("{}有限公司", rng.pick(SUPPLIERS)),
                "bank_account" => format!("招商银行 6214 83{:02} {:04} {:04}", rng.below(100), rng.below(10_000), rng.below(10_000)),
                "contract_no" => format!("HT-{}-{:04}", local.year(), 100 + rng.below(900)),
                "from_account" => format!("{company} 工商银行基本户 ****{:04}", rng.below(10_000)),
                "to_account" => format!("{company} 建设银行一般户 ****{:04}", rng.below(10_000)),
                "period" => {
                    let month = local.with_day(1).unwrap_or(local) - Duration::days(1);
                    month.format("%Y-%m").to_string()
                }
                "account" => "6602 管理费用".to_string(),
                _ => "见附件".to_string(),
            },
            None,
        ),
    }
}

/// A small, well-formed one-page PDF with a few lines of text.
fn pdf(lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 770 Td 16 TL\n");
    for line in lines {
        let safe: String = line.chars().filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\')).collect();
        content.push_str(&format!("({safe}) Tj T*\n"));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    out.into_bytes()
}

// ---------------------------------------------------------------------------------------------
// Writing the plan through the portal's services

fn owned(text: &str) -> String {
    text.to_string()
}

/// The demo people as the services take them.
struct People {
    users: HashMap<Person, CurrentUser>,
}

impl People {
    async fn load(db: &Db) -> Result<People, AppError> {
        let mut users_by = HashMap::new();
        for person in Person::ALL {
            let email = Email::parse(person.email()).map_err(|e| AppError::Invalid(vec![e]))?;
            let credentials = users::find_credentials(db, &email).await?.ok_or(AppError::Internal)?;
            let user = users::load_current_user(db, credentials.id, credentials.session_epoch).await?.ok_or(AppError::Internal)?;
            users_by.insert(person, user);
        }
        Ok(People { users: users_by })
    }

    fn get(&self, person: Person) -> &CurrentUser {
        &self.users[&person]
    }

    fn by_id(&self, id: Option<UserId>) -> Result<&CurrentUser, AppError> {
        self.users.values().find(|u| Some(u.id) == id).ok_or_else(|| {
            tracing::error!(user = ?id, "the demo history met a request owned by someone outside the demo");
            AppError::Internal
        })
    }
}

/// Writes the policy column and, unless the demo subsidiaries have requests already, their
/// history up to `now`.
pub(super) async fn seed(state: &AppState, now: DateTime<Utc>) -> Result<(), AppError> {
    let db = &state.db;
    let people = People::load(db).await?;
    let pages = seed_policies(state, &people, now).await?;
    let mut org_ids = Vec::new();
    for code in ["SUB-EAST", "SUB-WEST"] {
        org_ids.push(orgs::find_by_code(db, code).await?.ok_or(AppError::Internal)?.id);
    }
    let scope = RequestScope { everything: false, requester: None, orgs: org_ids.clone() };
    let existing = request_store::list(db, &scope, &ListFilter::default(), |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc()).await?;
    if !existing.rows.is_empty() {
        if pages > 0 {
            tracing::info!(pages, "demo policy pages published");
        }
        return Ok(());
    }
    let calendars = sla::calendars(db).await?;
    let (_, calendar) = calendars.get(None).ok_or(AppError::Internal)?;
    let types = catalogue::current_types(db, false).await?;
    let mut percents = Vec::new();
    for org in &org_ids {
        percents.push(orgs::sla_percent(db, *org).await?);
    }
    let facts: Vec<TypeFacts> = types
        .iter()
        .map(|t| TypeFacts {
            code: t.code.clone(),
            targets: [0, 1].map(|o| crate::sla::targets_for(&t.code, &t.targets, percents[o])),
        })
        .collect();
    let frame = Frame {
        now,
        calendar,
        rating_window: state.settings.ratings.close_unrated_after,
        follow_up_working_days: state.settings.ratings.follow_up_working_days,
    };
    let plans = plan(&frame, &facts);
    // Every step of every request, in the order they happened.
    let mut order: Vec<(DateTime<Utc>, usize, usize)> = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        order.push((p.submitted, i, 0));
        order.extend(p.steps.iter().enumerate().map(|(k, (at, _))| (*at, i, k + 1)));
    }
    order.sort();
    let mut ids: Vec<Option<RequestId>> = vec![None; plans.len()];
    let writer = Writer { state, people: &people, orgs: &org_ids };
    for (at, i, k) in order {
        let plan = &plans[i];
        if k == 0 {
            ids[i] = Some(writer.submit(plan, &types[plan.type_index], i, at).await?);
        } else {
            let id = ids[i].ok_or(AppError::Internal)?;
            writer.step(id, plan, &plan.steps[k - 1].1, at).await.inspect_err(|error| {
                tracing::error!(?error, request = %id, step = ?plan.steps[k - 1].1, "a step of the demo history failed");
            })?;
        }
    }
    // The SLA alerts the history's open requests reached were sent back then: the scheduler
    // sends only what they reach from now on.
    let ours: Vec<RequestId> = ids.iter().flatten().copied().collect();
    let rows: Vec<_> = sla_store::open_clocks(db, true).await?.into_iter().filter(|r| ours.contains(&r.id)).collect();
    for alert in sla::alerts_reached(&calendars, &rows, now) {
        sla_store::claim_alert(db, alert.request, alert.target, alert.level, alert.due_at, alert.due_at.min(now)).await?;
    }
    tracing::info!(requests = plans.len(), pages, "demo history created");
    Ok(())
}

struct Writer<'a> {
    state: &'a AppState,
    people: &'a People,
    orgs: &'a [OrgId],
}

impl Writer<'_> {
    /// Stages a small PDF as `user`'s upload at `at`.
    async fn upload(&self, user: &CurrentUser, name: &str, lines: &[String], at: DateTime<Utc>) -> Result<AttachmentId, AppError> {
        let db = &self.state.db;
        let bytes = pdf(lines);
        let tail = &bytes[bytes.len().saturating_sub(64)..];
        let kind = attachments::sniff(&bytes, tail, bytes.len() as u64).map_err(|_| AppError::Internal)?;
        let id = files::begin_upload(db, user.id, name, at).await?;
        files::append_chunk(db, id, 0, &bytes).await?;
        use sha2::Digest;
        let sha = format!("{:x}", sha2::Sha256::digest(&bytes));
        files::finish(db, id, kind, bytes.len() as i64, &sha).await?;
        Ok(id)
    }

    async fn submit(&self, plan: &Plan, request_type: &RequestType, index: usize, at: DateTime<Utc>) -> Result<RequestId, AppError> {
        let db = &self.state.db;
        let user = self.people.get(plan.requester);
        let org = self.orgs[plan.org];
        authz::may(user, Action::SubmitRequest, Target::Organisation(org))?;
        let mut rng = Rng::new(plan.text_seed);
        let (title, description) = texts(&request_type.code, plan.org, at, &mut rng);
        let mut fields: Vec<FieldInput> = Vec::new();
        for spec in &request_type.definition.fields {
            if spec.required || rng.chance(0.6) {
                let (value, currency) = field_value(spec, &request_type.code, plan.org, at, &mut rng);
                fields.push(FieldInput { key: spec.key.clone(), value, currency });
            }
        }
        let mut staged = Vec::new();
        let date = at.with_timezone(&CENTER_TIME_ZONE).format("%Y%m%d").to_string();
        for slot in &request_type.definition.slots {
            let takes_pdf = slot.kinds.contains(&attachments::FileKind::Pdf);
            if !takes_pdf || !(slot.required || rng.chance(0.4)) {
                continue;
            }
            let name = format!("{}_{date}.pdf", slot.label.zh);
            let lines = vec![
                "FSSC demo document".to_string(),
                format!("Slot: {}", slot.key),
                format!("Date: {date}"),
                format!("No. {:08}", rng.below(100_000_000)),
            ];
            let file = self.upload(user, &name, &lines, at - Duration::minutes(3)).await?;
            staged.push((file, Some(slot.key.clone())));
        }
        let input = NewRequestInput {
            type_id: Some(request_type.type_id),
            org: Some(org),
            title,
            description,
            fields,
            urgent: plan.urgent,
            urgent_reason: if plan.urgent { "客户要求本周内完成，逾期将产生违约金。".to_string() } else { String::new() },
            files: staged,
            idempotency_key: format!("demo-history-{index:04}"),
        };
        let limits = &self.state.settings.uploads;
        Ok(requests::submit_at(db, limits, user, org, &input, at).await?.0)
    }

    /// Applies one lifecycle command as `user`, after the same check the server function makes.
    async fn act(&self, user: &CurrentUser, id: RequestId, command: Command, at: DateTime<Utc>) -> Result<(), AppError> {
        let db = &self.state.db;
        let state = request_store::state(db, id).await?.ok_or(AppError::NotFound)?;
        requests::authorize(user, &state, &command)?;
        requests::act_quietly(db, &self.state.settings.uploads, user, id, &state, command, at).await?;
        Ok(())
    }

    async fn step(&self, id: RequestId, plan: &Plan, step: &Step, at: DateTime<Utc>) -> Result<(), AppError> {
        let db = &self.state.db;
        let requester = self.people.get(plan.requester);
        let state = request_store::state(db, id).await?.ok_or(AppError::NotFound)?;
        let owner = || self.people.by_id(state.owner_id);
        match step {
            Step::Claim(agent) => self.act(self.people.get(*agent), id, Command::Claim, at).await,
            Step::Note(t) => self.act(owner()?, id, Command::Note { message: owned(t), files: Vec::new() }, at).await,
            Step::AgentMessage(t) => self.act(owner()?, id, Command::Reply { message: owned(t), files: Vec::new() }, at).await,
            Step::ClientMessage(t) => self.act(requester, id, Command::Reply { message: owned(t), files: Vec::new() }, at).await,
            Step::Ask(t) => self.act(owner()?, id, Command::AskForInformation { message: owned(t) }, at).await,
            Step::Provide(t, with_file) => {
                let mut files = Vec::new();
                if *with_file {
                    let date = at.with_timezone(&CENTER_TIME_ZONE).format("%Y%m%d").to_string();
                    let lines = vec!["FSSC demo document".to_string(), "Supplement".to_string(), format!("Date: {date}")];
                    files.push(self.upload(requester, &format!("补充材料_{date}.pdf"), &lines, at - Duration::minutes(2)).await?);
                }
                self.act(requester, id, Command::Reply { message: owned(t), files }, at).await
            }
            Step::Transfer { team, agent, reason } => {
                let team = catalogue::team_by_code(db, team).await?.ok_or(AppError::Internal)?;
                let agent = Some(self.people.get(*agent).id);
                self.act(owner()?, id, Command::Transfer { team, agent, reason: owned(reason) }, at).await
            }
            Step::Resolve(t) => self.act(owner()?, id, Command::Resolve { resolution: t.clone() }, at).await,
            Step::Reject(reason, detail) => self.act(owner()?, id, Command::Reject { reason: *reason, detail: owned(detail) }, at).await,
            Step::Withdraw(t) => self.act(requester, id, Command::Withdraw { reason: owned(t) }, at).await,
            Step::Reopen(t) => self.act(requester, id, Command::Reopen { reason: owned(t) }, at).await,
            Step::Rate(rating) => {
                authz::may(requester, Action::RateRequest, state.target())?;
                let input = RatingInput { score: rating.score, reasons: rating.reasons.clone(), comment: owned(rating.comment) };
                ratings::rate_quietly(db, &self.state.settings.ratings, requester, id, &state, &input, at).await?;
                Ok(())
            }
            Step::CloseUnrated => {
                // As the portal's job closes it: on the requester's side, marked as the portal's.
                let change = requests::closing(&state, state.requester_id, Side::System, true, at).ok_or(AppError::Internal)?;
                let mut tx = db.begin_write().await?;
                match request_store::apply_in(&mut tx, id, state.version, &change).await? {
                    Applied::Done { .. } => Ok(tx.commit().await?),
                    _ => {
                        tx.rollback().await?;
                        Err(AppError::Internal)
                    }
                }
            }
            Step::CloseFollowUp(which) => {
                let record = self.follow_up(id).await?;
                let manager = self.people.get(Person::Manager);
                authz::may(manager, Action::CloseFollowUp, ratings::follow_up_target(&record))?;
                let (contact, root_cause, action_taken, outcome) = OUTCOMES[*which % OUTCOMES.len()];
                let outcome = FollowUpOutcome {
                    contact: Some(contact),
                    root_cause: Some(root_cause),
                    action_taken: Some(action_taken),
                    outcome: outcome.to_string(),
                };
                ratings::close_follow_up_at(db, manager, &record, record.version, &outcome, at).await
            }
            Step::Escalate => {
                // As the portal's job marks it; the admins' notice is not sent again.
                let record = self.follow_up(id).await?;
                let mut tx = db.begin_write().await?;
                rating_store::mark_escalated_in(&mut tx, record.id, at).await?;
                Ok(tx.commit().await?)
            }
        }
    }

    async fn follow_up(&self, id: RequestId) -> Result<rating_store::FollowUpRecord, AppError> {
        let db = &self.state.db;
        let rating = rating_store::latest(db, id).await?.ok_or(AppError::Internal)?;
        Ok(rating_store::follow_up_of(db, rating.id).await?.ok_or(AppError::Internal)?)
    }
}

// ---------------------------------------------------------------------------------------------
// The policy column

/// A page of the demo policy column: its slug, category code, titles, bodies and tags.
struct DemoPage {
    slug: &'static str,
    category: &'static str,
    title_zh: &'static str,
    title_en: &'static str,
    body_zh: &'static str,
    body_en: &'static str,
    tags: &'static [&'static str],
    /// How many days before now it was published.
    published_days_ago: i64,
}

/// Publishes the demo policy pages that do not exist yet; answers how many it created.
async fn seed_policies(state: &AppState, people: &People, now: DateTime<Utc>) -> Result<usize, AppError> {
    let db = &state.db;
    let admin = people.get(Person::Admin);
    let categories = policy_store::categories(db).await?;
    let today = now.with_timezone(&CENTER_TIME_ZONE).date_naive();
    let mut created = 0;
    for page in DEMO_PAGES {
        if policy_store::page_id_by_slug(db, page.slug).await?.is_some() {
            continue;
        }
        let Some(category) = categories.iter().find(|c| c.code == page.category) else { continue };
        let published = today - Duration::days(page.published_days_ago);
        let at = CENTER_TIME_ZONE
            .from_local_datetime(&published.and_time(NaiveTime::from_hms_opt(10, 30, 0).unwrap_or(NaiveTime::MIN)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now)
            .min(now);
        let draft = PolicyDraft {
            slug: page.slug.to_string(),
            category_id: category.id,
            title_zh: page.title_zh.to_string(),
            title_en: page.title_en.to_string(),
            body_zh: page.body_zh.to_string(),
            body_en: page.body_en.to_string(),
            tags: page.tags.iter().map(|t| t.to_string()).collect(),
            effective_on: published,
            valid_until: None,
            superseded_by: None,
            audience: Audience::Everyone,
            requires_ack: false,
            ack_deadline: None,
            files: Vec::new(),
        };
        let id = policies::save_draft(db, admin, None, &draft, at).await?;
        policies::publish_quietly(state, admin, id, at).await?;
        // The month-end schedule was revised lately: its history shows two versions.
        if page.slug == MONTH_END_SLUG {
            let revised_on = today - Duration::days(9);
            let revised_at = (at + Duration::days(page.published_days_ago - 9)).min(now);
            let revised = PolicyDraft {
                body_zh: MONTH_END_V2_ZH.to_string(),
                body_en: MONTH_END_V2_EN.to_string(),
                effective_on: revised_on,
                ..draft
            };
            policies::save_draft(db, admin, Some(id), &revised, revised_at).await?;
            policies::publish_quietly(state, admin, id, revised_at).await?;
        }
        created += 1;
    }
    Ok(created)
}

const MONTH_END_SLUG: &str = "month-end-close-schedule";

const DEMO_PAGES: &[DemoPage] = &[
    DemoPage {
        slug: "travel-expense-standards",
        category: "travel",
        title_zh: "差旅费报销标准",
        title_en: "Travel expense standards",
        body_zh: "## 适用范围\n\n本标准适用于集团各子公司员工因公出差发生的交通、住宿及伙食补助费用的报销。\n\n## 住宿标准（每人每晚，含税）\n\n| 城市 | 员工 | 部门经理及以上 |\n| --- | --- | --- |\n| 北京、上海、广州、深圳 | 600 元 | 800 元 |\n| 省会城市及计划单列市 | 450 元 | 600 元 |\n| 其他地区 | 350 元 | 450 元 |\n\n超标准部分由个人承担；确因会议统一安排超标准的，须附会议通知。\n\n## 交通\n\n- 火车：二等座；单程 6 小时以上可乘坐软卧。\n- 飞机：经济舱，须通过集团商旅平台预订。\n- 市内交通：凭发票据实报销，每日不超过 100 元。\n\n## 伙食补助\n\n按出差自然天数每天 100 元包干，无需发票。\n\n## 报销时限与材料\n\n1. 出差结束后 **30 天内** 提交报销申请，逾期须说明原因并经部门负责人审批。\n2. 附件须包括：发票（电子发票上传 PDF 或 OFD 原件）、出差审批单、行程单或车票。\n3. 发票抬头须为子公司全称，并注明纳税人识别号。\n\n如有疑问，请在门户提交“一般咨询”。",
        body_en: "## Scope\n\nThese standards apply to transport, accommodation and meal allowances of employees of all subsidiaries travelling on business.\n\n## Accommodation (per person and night, tax included)\n\n| City | Staff | Department managers and above |\n| --- | --- | --- |\n| Beijing, Shanghai, Guangzhou, Shenzhen | CNY 600 | CNY 800 |\n| Provincial capitals | CNY 450 | CNY 600 |\n| Elsewhere | CNY 350 | CNY 450 |\n\nAnything above the standard is borne by the traveller, unless a conference booked it (attach the invitation).\n\n## Transport\n\n- Train: second class; soft sleeper for journeys over 6 hours.\n- Air: economy, booked through the group travel platform.\n- Local transport: as invoiced, at most CNY 100 a day.\n\n## Meal allowance\n\nCNY 100 per calendar day of travel, no invoice needed.\n\n## Deadline and documents\n\n1. Submit the claim within **30 days** of your return; later claims need your department head's approval.\n2. Attach the invoices (e-invoices as the original PDF or OFD), the travel approval and tickets or itinerary.\n3. Invoices must carry the subsidiary's full name and taxpayer number.\n\nQuestions: submit a general query in the portal.",
        tags: &["差旅", "报销", "住宿", "交通"],
        published_days_ago: 96,
    },
    DemoPage {
        slug: "invoice-requirements",
        category: "tax",
        title_zh: "发票开具要求",
        title_en: "Invoice requirements",
        body_zh: "## 购买方信息\n\n发票的购买方名称、纳税人识别号必须与子公司工商登记信息完全一致。抬头错误的发票一律退回，请联系开票方重开。\n\n## 电子发票\n\n- 全面数字化的电子发票（全电发票）号码为 20 位，请上传版式文件原件（PDF 或 OFD），不要上传截图。\n- 同一张电子发票不得重复报销，系统会自动查重。\n\n## 增值税专用发票\n\n用于抵扣进项税额的专用发票，须在开票之日起 360 天内完成勾选确认。请在收到发票后及时提交。\n\n## 常见退回原因\n\n1. 抬头或税号错误；\n2. 发票已作废或红冲；\n3. 货物或服务名称笼统（如只写“办公用品”而无明细清单）；\n4. 金额与合同、审批单不一致。\n\n## 申请开具发票\n\n子公司需要对外开具发票的，请在门户提交“发票开具与查验”申请，注明购买方信息、金额及开票内容。",
        body_en: "## Buyer details\n\nThe buyer's name and taxpayer number on an invoice must match the subsidiary's registration exactly. Invoices with the wrong name are returned; ask the issuer for a new one.\n\n## Electronic invoices\n\n- Fully digital e-invoices carry a 20-digit number: upload the original file (PDF or OFD), not a screenshot.\n- An e-invoice can be claimed once; the portal checks for duplicates.\n\n## Special VAT invoices\n\nSpecial VAT invoices used for input tax credit must be confirmed within 360 days of issue: submit them as soon as you receive them.\n\n## Common reasons for return\n\n1. Wrong buyer name or taxpayer number;\n2. The invoice was cancelled or credited;\n3. Vague description of goods or services without a detailed list;\n4. Amount differs from the contract or approval.\n\n## Asking for an invoice\n\nTo have an invoice issued, submit an \"Invoice issue or verification\" request with the buyer, the amount and what is invoiced.",
        tags: &["发票", "税务", "全电发票"],
        published_days_ago: 94,
    },
    DemoPage {
        slug: MONTH_END_SLUG,
        category: "service",
        title_zh: "月末结账时间安排",
        title_en: "Month-end close schedule",
        body_zh: MONTH_END_V1_ZH,
        body_en: MONTH_END_V1_EN,
        tags: &["月结", "截止时间", "报销"],
        published_days_ago: 90,
    },
    DemoPage {
        slug: "service-time-limits",
        category: "service",
        title_zh: "服务时限承诺",
        title_en: "Service time limits",
        body_zh: "财务共享服务中心对每类服务实行限时办结。时限按中心工作日历的工作时间计算（工作日 9:00–12:00、13:30–18:00），等待客户补充材料期间暂停计时。\n\n| 服务类型 | 首次响应 | 办结 |\n| --- | --- | --- |\n| 费用报销 | 8 小时 | 48 小时 |\n| 付款申请 | 8 小时 | 72 小时 |\n| 紧急付款 | 1 小时 | 4 小时 |\n| 发票开具与查验 | 8 小时 | 48 小时 |\n| 资金调拨 | 4 小时 | 24 小时 |\n| 税务事项 | 8 小时 | 72 小时 |\n| 总账与月结 | 8 小时 | 48 小时 |\n| 主数据变更 | 8 小时 | 48 小时 |\n| 系统权限与问题 | 4 小时 | 24 小时 |\n| 一般咨询 | 8 小时 | 40 小时 |\n\n重点客户的时限按其客户分级相应缩短。未能按时办结的，客户经理将主动联系说明原因。",
        body_en: "The center promises a time limit for each service. Limits count working time of the center's calendar (working days 9:00–12:00 and 13:30–18:00) and pause while the center waits for the client.\n\n| Service | First response | Resolution |\n| --- | --- | --- |\n| Expense reimbursement | 8 h | 48 h |\n| Payment request | 8 h | 72 h |\n| Urgent payment | 1 h | 4 h |\n| Invoice issue or verification | 8 h | 48 h |\n| Fund transfer | 4 h | 24 h |\n| Tax matter | 8 h | 72 h |\n| General ledger and month-end close | 8 h | 48 h |\n| Master data change | 8 h | 48 h |\n| System access or problem | 4 h | 24 h |\n| General query | 8 h | 40 h |\n\nKey clients' limits are shorter, by their tier. When a limit is missed, the customer manager contacts the client to explain.",
        tags: &["SLA", "服务时限", "限时办结"],
        published_days_ago: 92,
    },
    DemoPage {
        slug: "faq-returned-documents",
        category: "faq",
        title_zh: "常见问题：单据为什么被退回？",
        title_en: "FAQ: why was my document returned?",
        body_zh: "**问：单据被退回后怎么办？**\n\n答：打开门户中的申请，查看退回原因。补齐材料后直接在原申请中回复并上传附件即可，无需重新提交。\n\n**问：被驳回（rejected）和需要补充材料有什么区别？**\n\n答：需要补充材料时申请处于“待客户补充”状态，计时暂停，补充后继续处理；被驳回表示该申请不能办理（如重复提交、超预算），请按驳回说明处理后重新提交。\n\n**问：办结后发现问题怎么办？**\n\n答：办结后 7 天内可在申请页面点击“重新打开”并说明原因。\n\n**问：为什么要评价？**\n\n答：每条评价都会被客户经理查看，1–2 星的评价会逐条回访并记录改进措施。",
        body_en: "**Q: My document was returned. What now?**\n\nA: Open the request in the portal and read why. Reply in the same request with the missing documents attached; there is no need to submit again.\n\n**Q: What is the difference between \"rejected\" and \"awaiting your information\"?**\n\nA: While the center waits for information the clock stops and work continues once you answer. A rejected request cannot be handled (a duplicate, over budget): follow the explanation and submit a new one.\n\n**Q: Something is wrong with a resolved request.**\n\nA: Within 7 days of the resolution, reopen it from its page and say why.\n\n**Q: Why rate?**\n\nA: Customer managers read every rating, and follow up every 1- or 2-star rating with the client and record what was improved.",
        tags: &["常见问题", "退回", "评价"],
        published_days_ago: 60,
    },
];

const MONTH_END_V1_ZH: &str = "为保证月度报表按时出具，请各子公司按以下时间提交单据：\n\n| 事项 | 截止时间 |\n| --- | --- |\n| 费用报销 | 每月倒数第 3 个工作日 17:00 |\n| 付款申请（当月付款） | 每月倒数第 2 个工作日 12:00 |\n| 月结调整、计提 | 每月最后一个工作日 15:00 |\n| 发票认证 | 每月最后一个工作日 12:00 |\n\n截止后提交的单据顺延至下月处理。月末最后五个工作日为业务高峰，请尽量提前提交，避免集中在最后两天。\n\n月结完成后，中心于次月第 3 个工作日发布各子公司月度财务报表。";

const MONTH_END_V1_EN: &str = "So that monthly reports are ready on time, please submit documents by:\n\n| What | Deadline |\n| --- | --- |\n| Expense claims | third-last working day, 17:00 |\n| Payment requests (paid this month) | second-last working day, 12:00 |\n| Month-end adjustments and accruals | last working day, 15:00 |\n| Invoice confirmation | last working day, 12:00 |\n\nDocuments submitted later are handled next month. The last five working days are the center's peak: please submit early rather than in the last two days.\n\nThe center publishes each subsidiary's monthly statements on the third working day of the next month.";

const MONTH_END_V2_ZH: &str = "为保证月度报表按时出具，请各子公司按以下时间提交单据（本版起付款申请截止时间提前）：\n\n| 事项 | 截止时间 |\n| --- | --- |\n| 费用报销 | 每月倒数第 3 个工作日 17:00 |\n| 付款申请（当月付款） | **每月倒数第 3 个工作日 12:00** |\n| 月结调整、计提 | 每月最后一个工作日 15:00 |\n| 发票认证 | 每月最后一个工作日 12:00 |\n\n截止后提交的单据顺延至下月处理。月末最后五个工作日为业务高峰，请尽量提前提交，避免集中在最后两天。紧急付款不受上述截止时间限制，但须说明紧急原因。\n\n月结完成后，中心于次月第 3 个工作日发布各子公司月度财务报表。";

const MONTH_END_V2_EN: &str = "So that monthly reports are ready on time, please submit documents by (payment requests are due earlier from this version on):\n\n| What | Deadline |\n| --- | --- |\n| Expense claims | third-last working day, 17:00 |\n| Payment requests (paid this month) | **third-last working day, 12:00** |\n| Month-end adjustments and accruals | last working day, 15:00 |\n| Invoice confirmation | last working day, 12:00 |\n\nDocuments submitted later are handled next month. The last five working days are the center's peak: please submit early rather than in the last two days. Urgent payments are not bound by these deadlines but must say why they are urgent.\n\nThe center publishes each subsidiary's monthly statements on the third working day of the next month.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::calendar::center_default;

    fn targets(first: i64, resolution: i64, urgent: bool) -> Targets {
        Targets {
            first_response_hours: first,
            resolution_hours: resolution,
            urgent_allowed: urgent,
            urgent_first_response_hours: 2,
            urgent_resolution_hours: 8,
        }
    }

    fn catalogue() -> Vec<TypeFacts> {
        [
            ("expense_reimbursement", 8, 48, true),
            ("payment_request", 8, 72, true),
            ("urgent_payment", 1, 4, false),
            ("invoice", 8, 48, true),
            ("fund_transfer", 4, 24, true),
            ("tax", 8, 72, false),
            ("ledger_close", 8, 48, true),
            ("master_data", 8, 48, false),
            ("system_access", 4, 24, true),
            ("general_query", 8, 40, false),
        ]
        .into_iter()
        .map(|(code, f, r, u)| TypeFacts { code: code.into(), targets: [targets((f * 3 + 3) / 4, (r * 3 + 3) / 4, u), targets(f, r, u)] })
        .collect()
    }

    fn planned(now: DateTime<Utc>) -> Vec<Plan> {
        let calendar = center_default().unwrap();
        let frame = Frame { now, calendar: &calendar, rating_window: Duration::days(7), follow_up_working_days: 2 };
        plan(&frame, &catalogue())
    }

    /// Ends the history at several moments of the year, so that what it promises does not
    /// depend on the day the demo starts.
    fn ends() -> Vec<DateTime<Utc>> {
        ["2026-12-07T09:18:00Z", "2026-10-08T02:00:00Z", "2026-03-02T06:30:00Z", "2026-06-30T10:00:00Z", "2027-01-15T04:00:00Z"]
            .iter()
            .map(|t| t.parse().unwrap())
            .collect()
    }

    #[test]
    fn every_subsidiary_has_every_state_and_the_catalogue_every_type() {
        for now in ends() {
            let plans = planned(now);
            assert!((80..220).contains(&plans.len()), "{now}: {} requests", plans.len());
            for org in [EAST, WEST] {
                for fate in Fate::ALL {
                    assert!(plans.iter().any(|p| p.org == org && p.fate == fate), "{now}: subsidiary {org} has no {fate:?}");
                }
            }
            for t in 0..catalogue().len() {
                assert!(plans.iter().any(|p| p.type_index == t), "{now}: no request of type {t}");
            }
        }
    }

    #[test]
    fn everything_happened_in_the_past_in_order() {
        for now in ends() {
            for p in planned(now) {
                let mut last = p.submitted;
                let rated = p.rating().map(|(at, _)| at);
                for (at, step) in &p.steps {
                    // Follow-up steps come after the rating, in their own order.
                    if !matches!(step, Step::Escalate | Step::CloseFollowUp(_)) {
                        assert!(*at > last, "{now}: {step:?} of {:?} at {at} is not after {last}", p.fate);
                        last = *at;
                    } else {
                        assert!(rated.is_some_and(|r| *at > r), "{now}: a follow-up step before its rating");
                    }
                    assert!(*at < now, "{now}: {step:?} at {at} is in the future");
                }
            }
        }
    }

    #[test]
    fn the_month_end_is_busier_than_the_rest_of_the_month() {
        let now: DateTime<Utc> = "2026-12-07T09:18:00Z".parse().unwrap();
        let calendar = center_default().unwrap();
        let frame = Frame { now, calendar: &calendar, rating_window: Duration::days(7), follow_up_working_days: 2 };
        let days = working_days(&frame);
        let peak: Vec<NaiveDate> = days.iter().filter(|(_, p)| *p).map(|(d, _)| *d).collect();
        assert!(peak.contains(&NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()));
        assert!(!peak.contains(&NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()));
        let plans = plan(&frame, &catalogue());
        let on = |peak_day: bool| {
            let n = days.iter().filter(|(_, p)| *p == peak_day).count() as f64;
            let count = plans
                .iter()
                .filter(|p| {
                    let day = p.submitted.with_timezone(&CENTER_TIME_ZONE).date_naive();
                    days.iter().any(|(d, pk)| *d == day && *pk == peak_day)
                })
                .count() as f64;
            count / n
        };
        assert!(on(true) > 2.0 * on(false), "per day: month end {}, other days {}", on(true), on(false));
    }

    #[test]
    fn ratings_are_mostly_good_and_low_scores_are_followed_up() {
        for now in ends() {
            let plans = planned(now);
            let scores: Vec<i64> = plans.iter().filter_map(|p| p.rating().map(|(_, r)| r.score)).collect();
            let good = scores.iter().filter(|s| **s >= 4).count();
            assert!(good * 10 >= scores.len() * 7, "{now}: {good} of {} ratings are 4 or 5", scores.len());
            let low: Vec<&Plan> = plans.iter().filter(|p| p.rating().is_some_and(|(_, r)| r.score <= 2)).collect();
            assert!(low.iter().all(|p| p.rating().is_some_and(|(_, r)| !r.reasons.is_empty() && !r.comment.is_empty())));
            let closed = |p: &&Plan| p.steps.iter().any(|(_, s)| matches!(s, Step::CloseFollowUp(_)));
            assert!(low.iter().any(closed), "{now}: no follow-up closed");
            assert!(low.iter().any(|p| !closed(p)), "{now}: no follow-up open");
        }
    }

    #[test]
    fn the_same_day_plans_the_same_history() {
        let now = ends()[0];
        let (a, b) = (planned(now), planned(now));
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| x.submitted == y.submitted && x.fate == y.fate && x.steps == y.steps));
    }

    #[test]
    fn the_demo_files_are_pdfs_the_upload_check_accepts() {
        let bytes = pdf(&["FSSC demo document".into(), "No. 12345678".into()]);
        let tail = &bytes[bytes.len() - 64..];
        assert_eq!(attachments::sniff(&bytes, tail, bytes.len() as u64), Ok(attachments::FileKind::Pdf));
    }
}
