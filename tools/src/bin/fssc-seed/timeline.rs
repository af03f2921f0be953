//! A request's life: the status it has reached for its age, the steps that led there, and
//! when each happened.

use crate::{
    catalogue::TypeInfo,
    options::LONG_TIMELINE,
    texts::{
        pdf_bytes, sha256_hex, slot_label, texts, AGENT_MESSAGES, ASKS, CLIENT_MESSAGES, NOTES, PROVIDES, REJECTIONS,
        RESOLUTIONS, TRANSFERS, WITHDRAWALS,
    },
    world::{Weighted, World},
};
use app::{
    kernel::{RequestAction, RequestStatus},
    sla::{calendar::WorkCalendar, working_time},
    time::CENTER_TIME_ZONE,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use std::collections::BTreeMap;
use tools::{
    bulk::{self, Attachment, Batch, Catalogue, Event, FollowUp, Pause, Rating, Request},
    rng::Rng,
};

/// One step of a request's life, before it has a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Submitted,
    ClientMessage,
    Claim,
    AgentMessage,
    InternalNote,
    Ask,
    Provide,
    Transfer,
    Resolve,
    Reject,
    Withdraw,
    Close,
}

/// Turns timestamps into requests with their timelines and files.
pub(crate) struct Generator<'a> {
    pub(crate) world: &'a World,
    pub(crate) types: Vec<TypeInfo>,
    pub(crate) type_weights: Weighted,
    pub(crate) teams: Vec<i64>,
    pub(crate) next_request: i64,
    pub(crate) next_event: i64,
    pub(crate) next_attachment: i64,
    pub(crate) next_rating: i64,
    pub(crate) next_follow_up: i64,
    pub(crate) counters: BTreeMap<i32, i64>,
    pub(crate) now: DateTime<Utc>,
    pub(crate) since: DateTime<Utc>,
    /// One weight per day of the window, from its first day.
    pub(crate) day_weights: Weighted,
    pub(crate) first_day: NaiveDate,
    pub(crate) long_timelines: usize,
    /// The portal's default calendar, on which the due instants are counted.
    pub(crate) calendar: WorkCalendar,
}

impl<'a> Generator<'a> {
    pub(crate) fn new(
        world: &'a World,
        catalogue: &Catalogue,
        last: bulk::LastIds,
        counters: BTreeMap<i32, i64>,
        now: DateTime<Utc>,
        years: u32,
        calendar: WorkCalendar,
    ) -> Generator<'a> {
        let types: Vec<TypeInfo> =
            catalogue.types.iter().map(|t| TypeInfo::from_catalogue(t, &catalogue.teams)).collect();
        let type_weights = Weighted::new(types.iter().map(TypeInfo::volume));
        let since = now - Duration::days(365 * i64::from(years));
        let first_day = since.with_timezone(&CENTER_TIME_ZONE).date_naive();
        let last_day = now.with_timezone(&CENTER_TIME_ZONE).date_naive();
        let days = (last_day - first_day).num_days() + 1;
        let day_weights = Weighted::new((0..days).map(|d| {
            let day = first_day + Duration::days(d);
            let weekday = match day.weekday() {
                Weekday::Sat => 0.12,
                Weekday::Sun => 0.08,
                _ => 1.0,
            };
            // Month-end close (月结) and the reimbursement deadline fall on the last days.
            let to_month_end = days_in_month(day) - day.day();
            let month = if to_month_end <= 2 {
                2.6
            } else if day.day() <= 2 {
                1.6
            } else {
                1.0
            };
            // The center grows: the newest months are busier than the oldest.
            let growth = 0.85 + 0.3 * d as f64 / days as f64;
            weekday * month * growth
        }));
        Generator {
            world,
            types,
            type_weights,
            teams: catalogue.teams.iter().map(|t| t.0).collect(),
            next_request: last.request,
            next_event: last.event,
            next_attachment: last.attachment,
            next_rating: last.rating,
            next_follow_up: last.follow_up,
            counters,
            now,
            since,
            day_weights,
            first_day,
            long_timelines: 0,
            calendar,
        }
    }

    /// When each request was submitted, oldest first, so ids and reference numbers follow time.
    pub(crate) fn creation_times(&self, n: usize, rng: &mut Rng) -> Vec<DateTime<Utc>> {
        let mut times = Vec::with_capacity(n);
        while times.len() < n {
            let day = self.first_day + Duration::days(self.day_weights.draw(rng) as i64);
            // Mostly office hours; some work is sent in the evening or at night.
            let seconds = if rng.chance(0.88) {
                rng.between(8.5 * 3600.0, 18.5 * 3600.0)
            } else {
                rng.between(0.0, 86_400.0)
            };
            let local = day.and_time(NaiveTime::MIN) + Duration::seconds(seconds as i64);
            let Some(at) = CENTER_TIME_ZONE.from_local_datetime(&local).earliest() else { continue };
            let at = at.with_timezone(&Utc);
            if at > self.since && at < self.now - Duration::minutes(1) {
                times.push(at);
            }
        }
        times.sort();
        times
    }

    pub(crate) fn batch(&mut self, times: &[DateTime<Utc>], rng: &mut Rng) -> Batch {
        let mut batch = Batch::default();
        for created in times {
            self.request(*created, rng, &mut batch);
        }
        batch
    }

    pub(crate) fn request(&mut self, created: DateTime<Utc>, rng: &mut Rng, batch: &mut Batch) {
        self.next_request += 1;
        let id = self.next_request;
        let year = created.with_timezone(&CENTER_TIME_ZONE).year();
        let sequence = {
            let counter = self.counters.entry(year).or_insert(0);
            *counter += 1;
            *counter
        };
        let reference_no = format!("FS-{year}-{sequence:06}");
        let org = &self.world.orgs[self.world.org_weights.draw(rng)];
        // Now and then the finance lead submits personally.
        let requester = if rng.chance(0.04) { org.contact } else { org.clients[org.clerks.draw(rng)] };
        let ty = &self.types[self.type_weights.draw(rng)];
        let urgent = ty.urgent_allowed && rng.chance(0.04);
        let (first_hours, resolution_hours) = if urgent {
            (ty.urgent_first_response_hours, ty.urgent_resolution_hours)
        } else {
            (ty.first_response_hours, ty.resolution_hours)
        };
        let calendar = &self.calendar;
        let age = self.now - created;
        let status = status_for_age(rng, age, Duration::hours(resolution_hours));
        let long = matches!(status, RequestStatus::Closed | RequestStatus::Resolved)
            && age > Duration::days(3)
            && (self.long_timelines == 0 || rng.chance(0.0018));
        let steps = steps_for(rng, status, long);
        if long {
            self.long_timelines += 1;
        }

        // Times: the first response and the end of the work spread around the targets, some
        // late; closing follows resolution after the client rated it.
        let ends_work = matches!(status, RequestStatus::Resolved | RequestStatus::Rejected | RequestStatus::Closed | RequestStatus::Withdrawn);
        let room = age.num_seconds().max(60) as f64;
        let work = if ends_work {
            let factor = if rng.chance(0.85) { rng.between(0.1, 1.0) } else { rng.between(1.0, 2.5) };
            let cap = if status == RequestStatus::Closed { 0.6 } else { 0.95 };
            (resolution_hours as f64 * 3600.0 * factor).min(room * cap)
        } else {
            room * rng.between(0.2, 0.9)
        };
        let claim_after = {
            let factor = if rng.chance(0.85) { rng.between(0.05, 0.9) } else { rng.between(1.0, 2.0) };
            (first_hours as f64 * 3600.0 * factor).min(work * 0.3)
        };
        let close_after = if status == RequestStatus::Closed {
            let wanted = rng.between(2.0 * 3600.0, 5.0 * 86_400.0);
            work + wanted.min((room - work) * 0.9)
        } else {
            work
        };
        let times = step_times(rng, &steps, created, claim_after, work, close_after);

        let team_index = ty.team;
        let mut team = self.teams[team_index];
        let mut current = RequestStatus::Submitted;
        let mut owner: Option<i64> = None;
        let mut first_owner: Option<i64> = None;
        let mut first_responded_at = None;
        let mut awaiting_since: Option<DateTime<Utc>> = None;
        let mut pauses: Vec<Pause> = Vec::new();
        let mut resolved_at = None;
        let mut resolution: Option<String> = None;
        let mut reject_reason = None;
        let agents_of = |team_id: i64| -> &[i64] {
            let t = self.teams.iter().position(|t| *t == team_id).unwrap_or(0);
            let agents = &self.world.agents_by_team[t];
            if agents.is_empty() { &self.world.agents } else { agents }
        };
        for (step, at) in steps.iter().zip(&times) {
            self.next_event += 1;
            let mut event = Event {
                id: self.next_event,
                request_id: id,
                actor_id: requester,
                kind: "status_changed",
                action: None,
                from_status: Some(current),
                to_status: None,
                note: None,
                internal: false,
                owner_id: None,
                team_id: None,
                reason_code: None,
                created_at: *at,
            };
            match step {
                Step::Submitted => {
                    event.kind = "submitted";
                    event.from_status = None;
                    event.to_status = Some(RequestStatus::Submitted);
                }
                Step::ClientMessage => {
                    event.kind = "message";
                    event.from_status = None;
                    event.note = Some(rng.pick(CLIENT_MESSAGES).to_string());
                }
                Step::Claim => {
                    let agent = *rng.pick(agents_of(team));
                    event.actor_id = agent;
                    event.kind = "owner_changed";
                    event.owner_id = Some(agent);
                    moves_to(&mut event, &mut current, RequestStatus::InReview, RequestAction::Claim);
                    owner = Some(agent);
                    first_owner = first_owner.or(Some(agent));
                    first_responded_at = first_responded_at.or(Some(*at));
                }
                Step::AgentMessage => {
                    event.actor_id = owner.unwrap_or(requester);
                    event.kind = "message";
                    event.from_status = None;
                    event.note = Some(rng.pick(AGENT_MESSAGES).to_string());
                }
                Step::InternalNote => {
                    // Colleagues of the owner's team add notes too.
                    event.actor_id = if rng.chance(0.7) { owner.unwrap_or(requester) } else { *rng.pick(agents_of(team)) };
                    event.kind = "internal_note";
                    event.from_status = None;
                    event.internal = true;
                    event.note = Some(rng.pick(NOTES).to_string());
                }
                Step::Ask => {
                    event.actor_id = owner.unwrap_or(requester);
                    event.note = Some(rng.pick(ASKS).to_string());
                    moves_to(&mut event, &mut current, RequestStatus::AwaitingClient, RequestAction::AskForInformation);
                    awaiting_since = Some(*at);
                    pauses.push(Pause {
                        request_id: id,
                        started_at: *at,
                        ended_at: None,
                        reason: event.note.clone().unwrap_or_default(),
                        started_by: event.actor_id,
                    });
                }
                Step::Provide => {
                    event.kind = "message";
                    event.note = Some(rng.pick(PROVIDES).to_string());
                    moves_to(&mut event, &mut current, RequestStatus::InReview, RequestAction::ProvideInformation);
                    // The clock stood still while the request waited on the client.
                    awaiting_since = None;
                    if let Some(pause) = pauses.last_mut() {
                        pause.ended_at = Some(*at);
                    }
                }
                Step::Transfer => {
                    event.actor_id = owner.unwrap_or(requester);
                    let others: Vec<i64> = self.teams.iter().copied().filter(|t| *t != team).collect();
                    let to_team = if others.is_empty() { team } else { *rng.pick(&others) };
                    let agent = *rng.pick(agents_of(to_team));
                    event.kind = "owner_changed";
                    event.note = Some(rng.pick(TRANSFERS).to_string());
                    event.owner_id = Some(agent);
                    event.team_id = Some(to_team);
                    let same = current;
                    moves_to(&mut event, &mut current, same, RequestAction::Transfer);
                    team = to_team;
                    owner = Some(agent);
                }
                Step::Resolve => {
                    event.actor_id = owner.unwrap_or(requester);
                    let text = rng.pick(RESOLUTIONS).to_string();
                    event.note = Some(text.clone());
                    moves_to(&mut event, &mut current, RequestStatus::Resolved, RequestAction::Resolve);
                    resolution = Some(text);
                    resolved_at = Some(*at);
                }
                Step::Reject => {
                    event.actor_id = owner.unwrap_or(requester);
                    let (code, text) = *rng.pick(REJECTIONS);
                    event.note = Some(text.to_string());
                    event.reason_code = Some(code);
                    moves_to(&mut event, &mut current, RequestStatus::Rejected, RequestAction::Reject);
                    reject_reason = Some(code);
                    resolution = Some(text.to_string());
                    resolved_at = Some(*at);
                }
                Step::Withdraw => {
                    event.note = rng.chance(0.7).then(|| rng.pick(WITHDRAWALS).to_string());
                    if event.from_status == Some(RequestStatus::AwaitingClient) {
                        if let Some(pause) = pauses.last_mut() {
                            pause.ended_at = Some(*at);
                        }
                    }
                    moves_to(&mut event, &mut current, RequestStatus::Withdrawn, RequestAction::Withdraw);
                    awaiting_since = None;
                }
                Step::Close => {
                    moves_to(&mut event, &mut current, RequestStatus::Closed, RequestAction::Close);
                }
            }
            if *step == Step::Submitted && rng.chance(0.25) {
                self.next_attachment += 1;
                let size = 2_048 + rng.below(18_433);
                let bytes = pdf_bytes(rng, size, &reference_no);
                batch.attachments.push(Attachment {
                    id: self.next_attachment,
                    request_id: id,
                    event_id: event.id,
                    slot: ty.pdf_slot.clone(),
                    internal: false,
                    file_name: format!("{}-{reference_no}.pdf", slot_label(ty.pdf_slot.as_deref())),
                    kind: "pdf",
                    sha256: sha256_hex(&bytes),
                    uploaded_by: requester,
                    created_at: created - Duration::seconds(30 + rng.below(1_800) as i64),
                    bytes,
                });
            }
            batch.events.push(event);
        }
        debug_assert_eq!(current, status);
        // Due instants as the portal computes them: working time on the default calendar, the
        // pauses left out; an open pause keeps the due instant it had before it began.
        let (first, resolution_time) = (Duration::hours(first_hours), Duration::hours(resolution_hours));
        let counted: Vec<working_time::Pause> = pauses
            .iter()
            .filter_map(|p| Some(working_time::Pause { start: p.started_at, end: Some(p.ended_at?) }))
            .collect();
        let due = |amount| working_time::due_after(calendar, created, amount, &counted).unwrap_or(created + amount);
        let (first_response_due, resolution_due) = (due(first), due(resolution_time));
        batch.pauses.extend(pauses);

        // A resolution (not a rejection) is rated before the request closes; most are.
        let resolved_by = if reject_reason.is_none() { resolved_at.and(owner) } else { None };
        let (title, description, field_values) = texts(rng, ty, created, &reference_no);
        batch.requests.push(Request {
            id,
            reference_no,
            org_id: org.id,
            requester_id: requester,
            type_version_id: ty.version_id,
            team_id: team,
            title,
            description,
            field_values,
            urgent,
            urgent_reason: urgent.then(|| "月底前必须付款，否则影响供货。".to_string()),
            status,
            version: steps.len() as i64,
            owner_id: owner,
            first_owner_id: first_owner,
            first_response_due,
            resolution_due,
            first_response_minutes: first.num_minutes(),
            resolution_minutes: resolution_time.num_minutes(),
            first_responded_at,
            awaiting_since: if status == RequestStatus::AwaitingClient { awaiting_since } else { None },
            resolved_at,
            resolved_by,
            resolution_count: i64::from(resolved_by.is_some()),
            resolution,
            reject_reason,
            idempotency_key: format!("bench-{id:09}"),
            created_at: created,
            updated_at: times.last().copied().unwrap_or(created),
        });
        if let (Some(resolved), Some(_)) = (resolved_at, resolved_by) {
            let closed_at = (status == RequestStatus::Closed).then(|| times.last().copied()).flatten();
            let rated = if closed_at.is_some() { rng.chance(0.85) } else { rng.chance(0.35) };
            if rated {
                let until = closed_at.unwrap_or(self.now);
                let at = resolved + Duration::seconds(((until - resolved).num_seconds().max(2) as f64 * rng.between(0.1, 0.9)) as i64);
                self.rate(rng, (org.id, org.manager), id, requester, resolved_by, first_owner, resolved > resolution_due, at, batch);
            }
        }
    }
}

impl Generator<'_> {
    /// The client's rating given `at`, lower when the resolution came late, and the follow-up
    /// a score of 1 or 2 opens: closed with its findings unless it is recent.
    #[allow(clippy::too_many_arguments)]
    fn rate(
        &mut self,
        rng: &mut Rng,
        (org_id, manager): (i64, Option<i64>),
        request_id: i64,
        rater: i64,
        resolver: Option<i64>,
        first_owner: Option<i64>,
        late: bool,
        at: DateTime<Utc>,
        batch: &mut Batch,
    ) {
        // Scores 5 to 1.
        let weights: [f64; 5] = if late { [0.30, 0.30, 0.18, 0.14, 0.08] } else { [0.58, 0.26, 0.09, 0.045, 0.025] };
        let draw = rng.between(0.0, 1.0);
        let mut sum = 0.0;
        let score = 5 - weights.iter().position(|w| { sum += w; draw < sum }).unwrap_or(0) as i64;
        let reasons = if score <= 3 {
            let mut tags = vec![if late && rng.chance(0.7) { "timeliness" } else { *rng.pick(RATING_REASONS) }];
            if rng.chance(0.3) {
                let other = *rng.pick(RATING_REASONS);
                if !tags.contains(&other) {
                    tags.push(other);
                }
            }
            // In the order of the list, as the portal writes them.
            tags.sort_by_key(|t| RATING_REASONS.iter().position(|r| r == t));
            tags.join(",")
        } else {
            String::new()
        };
        let comment = if score <= 2 { rng.pick(LOW_COMMENTS).to_string() } else if rng.chance(0.1) { rng.pick(HIGH_COMMENTS).to_string() } else { String::new() };
        self.next_rating += 1;
        let rating_id = self.next_rating;
        let mut reviewed_at = None;
        if score <= 2 {
            self.next_follow_up += 1;
            let due_at = at + Duration::days(3);
            let age = self.now - at;
            let closed = (age > Duration::days(5) || (age > Duration::days(1) && rng.chance(0.5))).then(|| {
                let latest = (self.now - at).num_seconds().max(60) as f64;
                let when = at + Duration::seconds(rng.between(3_600.0, (5.0 * 86_400.0_f64).min(latest)) as i64);
                let by = manager.unwrap_or(rater);
                let cause = *rng.pick(ROOT_CAUSES);
                let action = *rng.pick(FOLLOW_UP_ACTIONS);
                let contact = *rng.pick(CONTACTS);
                (when, by, contact, cause, action, rng.pick(OUTCOMES).to_string())
            });
            reviewed_at = closed.as_ref().map(|c| c.0);
            batch.follow_ups.push(FollowUp {
                id: self.next_follow_up,
                rating_id,
                request_id,
                org_id,
                manager_id: manager,
                due_at,
                created_at: at,
                closed,
            });
        }
        batch.ratings.push(Rating {
            id: rating_id,
            request_id,
            org_id,
            rater_id: rater,
            resolver_id: resolver,
            first_owner_id: first_owner,
            score,
            reasons,
            comment,
            created_at: at,
            reviewed_at,
        });
    }
}

const RATING_REASONS: &[&str] = &["timeliness", "accuracy", "communication", "attitude", "process_rules", "other"];
const ROOT_CAUSES: &[&str] = &["center_error", "client_documents", "policy_unclear", "system_problem", "expectation_gap", "other"];
const FOLLOW_UP_ACTIONS: &[&str] = &["explained", "redone", "coached_agent", "improved_process", "other"];
const CONTACTS: &[&str] = &["phone", "phone", "visit", "email", "not_reachable"];
const LOW_COMMENTS: &[&str] = &[
    "处理太慢，月结前才给结果。",
    "退回了两次，说明不清楚。",
    "回复只有一句话，没有解释原因。",
    "等了三天没人认领。",
    "结果有误，需要重新提交。",
];
const HIGH_COMMENTS: &[&str] = &["处理及时，谢谢！", "说明很清楚。", "当天就办好了。"];
const OUTCOMES: &[&str] = &[
    "已电话沟通，客户认可处理结果。",
    "重新处理后客户满意。",
    "已向客户说明制度要求，客户理解。",
    "已安排经办人培训，下月回访。",
];

pub(crate) fn moves_to(event: &mut Event, current: &mut RequestStatus, to: RequestStatus, action: RequestAction) {
    event.action = Some(action);
    event.to_status = Some(to);
    *current = to;
}

pub(crate) fn days_in_month(day: NaiveDate) -> u32 {
    let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|next| next.pred_opt())
        .map(|last| last.day())
        .unwrap_or(30)
}

/// Where a request of this age stands: young ones are mostly open, old ones done.
pub(crate) fn status_for_age(rng: &mut Rng, age: Duration, target: Duration) -> RequestStatus {
    use RequestStatus::*;
    let table: &[(RequestStatus, f64)] = if age < target {
        &[(Submitted, 30.0), (InReview, 38.0), (AwaitingClient, 14.0), (Resolved, 12.0), (Rejected, 2.0), (Withdrawn, 4.0)]
    } else if age < Duration::days(7) {
        &[(Submitted, 3.0), (InReview, 9.0), (AwaitingClient, 8.0), (Resolved, 55.0), (Rejected, 10.0), (Withdrawn, 5.0), (Closed, 10.0)]
    } else if age < Duration::days(28) {
        &[(Submitted, 0.5), (InReview, 1.5), (AwaitingClient, 3.0), (Resolved, 15.0), (Rejected, 7.0), (Withdrawn, 5.0), (Closed, 68.0)]
    } else {
        &[(Resolved, 2.0), (Rejected, 4.0), (Withdrawn, 5.0), (Closed, 89.0)]
    };
    let weights = Weighted::new(table.iter().map(|(_, w)| *w));
    table[weights.draw(rng)].0
}

/// The steps that lead to `status`; `long` makes it exactly [`LONG_TIMELINE`] steps.
pub(crate) fn steps_for(rng: &mut Rng, status: RequestStatus, long: bool) -> Vec<Step> {
    let extra = [0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 6][rng.below(12)];
    let mut steps = vec![Step::Submitted];
    let withdraw_early = status == RequestStatus::Withdrawn && rng.chance(0.5);
    if status == RequestStatus::Submitted || withdraw_early {
        if extra > 1 {
            steps.push(Step::ClientMessage);
        }
        if status == RequestStatus::Withdrawn {
            steps.push(Step::Withdraw);
        }
        return steps;
    }
    steps.push(Step::Claim);
    let ending: Vec<Step> = match status {
        RequestStatus::AwaitingClient => vec![Step::Ask],
        RequestStatus::Resolved => vec![Step::Resolve],
        RequestStatus::Rejected => vec![Step::Reject],
        RequestStatus::Withdrawn => vec![Step::Withdraw],
        RequestStatus::Closed if rng.chance(0.12) => vec![Step::Reject, Step::Close],
        RequestStatus::Closed => vec![Step::Resolve, Step::Close],
        _ => Vec::new(),
    };
    let mut remaining = if long { LONG_TIMELINE.saturating_sub(steps.len() + ending.len()) } else { extra };
    let mut client_turn = false;
    while remaining > 0 {
        let r = rng.unit();
        if remaining >= 2 && r < 0.3 {
            steps.extend([Step::Ask, Step::Provide]);
            remaining -= 2;
            continue;
        }
        let step = if r < 0.45 {
            Step::InternalNote
        } else if r < 0.47 && !long {
            Step::Transfer
        } else {
            client_turn = !client_turn;
            if client_turn { Step::ClientMessage } else { Step::AgentMessage }
        };
        steps.push(step);
        remaining -= 1;
    }
    steps.extend(ending);
    steps
}

/// Times for `steps`, in seconds after `created`: the claim at `claim_after`, the work spread
/// up to `work`, and a closing step at `close_after`.
pub(crate) fn step_times(
    rng: &mut Rng,
    steps: &[Step],
    created: DateTime<Utc>,
    claim_after: f64,
    work: f64,
    close_after: f64,
) -> Vec<DateTime<Utc>> {
    let claim = steps.iter().position(|s| *s == Step::Claim);
    let closes = steps.last() == Some(&Step::Close);
    let work_end = if closes { steps.len() - 1 } else { steps.len() };
    let start = claim.map(|c| c + 1).unwrap_or(1);
    let start_at = claim.map(|_| claim_after).unwrap_or(0.0);
    // Steps after the claim fall at sorted random points, the last one exactly at the end.
    let mut points: Vec<f64> = (start..work_end).map(|_| rng.between(start_at, work)).collect();
    points.sort_by(f64::total_cmp);
    if let Some(last) = points.last_mut() {
        *last = work;
    }
    let mut seconds = vec![0.0];
    if claim.is_some() {
        seconds.push(claim_after);
    }
    seconds.extend(points);
    if closes {
        seconds.push(close_after);
    }
    // Steps a second apart at least, so the timeline's order is the time order.
    let mut previous = -1.0f64;
    seconds
        .into_iter()
        .map(|s| {
            let s = s.max(previous + 1.0);
            previous = s;
            created + Duration::seconds(s as i64)
        })
        .collect()
}
