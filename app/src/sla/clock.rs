//! How one request's targets stand: what was promised, what has counted, what is left, and
//! why the clock stopped. Computed from what the request's history records (submission,
//! pauses, first response, resolution) and a calendar, with no I/O, so the request page, the
//! lists and the warnings give the same figures.

use super::{
    calendar::WorkCalendar,
    working_time::{counted_between, due_after, Pause},
    PauseKind, SlaTarget,
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Where one target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClockState {
    /// Counting, with time left.
    Running,
    /// Stopped while the center waits on the client.
    Paused,
    /// Reached within the target.
    Met,
    /// Past the target, still open or reached late.
    Breached,
    /// Ended without being reached: the request was withdrawn.
    Stopped,
}

/// One target of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetClock {
    pub target: SlaTarget,
    /// The promise, in working minutes.
    pub promised_minutes: i64,
    /// Working minutes counted so far, pauses left out.
    pub counted_minutes: i64,
    /// Working minutes left; negative when overdue.
    pub remaining_minutes: i64,
    /// When it falls due; `None` while paused, since the end of the pause is not known.
    pub due_at: Option<DateTime<Utc>>,
    /// When it was reached.
    pub reached_at: Option<DateTime<Utc>>,
    pub state: ClockState,
}

/// A stretch while the clock stood still.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseView {
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub kind: PauseKind,
    /// The question the client was asked, or the client's reason for reopening.
    pub reason: String,
    /// Working minutes it held back.
    pub working_minutes: i64,
}

/// A request's clock panel: both targets, the pauses, and what they were computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPanel {
    pub calendar_name: String,
    pub zone: String,
    pub submitted_at: DateTime<Utc>,
    pub targets: Vec<TargetClock>,
    pub pauses: Vec<PauseView>,
    /// Working minutes paused in all.
    pub paused_minutes: i64,
    pub computed_at: DateTime<Utc>,
}

/// What a request's history records of one pause.
#[derive(Debug, Clone)]
pub struct PauseFacts {
    pub pause: Pause,
    pub kind: PauseKind,
    pub reason: String,
}

/// What a request's history says about one target.
#[derive(Debug, Clone, Copy)]
pub struct TargetFacts {
    pub target: SlaTarget,
    pub promised: Duration,
    /// When the target was reached, if it was.
    pub reached_at: Option<DateTime<Utc>>,
    /// The request ended without reaching it (withdrawn, or closed unresolved).
    pub abandoned_at: Option<DateTime<Utc>>,
}

/// Where one target stands at `now`.
pub fn target_clock(
    calendar: &WorkCalendar,
    submitted_at: DateTime<Utc>,
    facts: TargetFacts,
    pauses: &[Pause],
    now: DateTime<Utc>,
) -> TargetClock {
    let end = facts.reached_at.or(facts.abandoned_at).unwrap_or(now).min(now.max(submitted_at));
    let counted = counted_between(calendar, submitted_at, end, pauses);
    let remaining = facts.promised - counted;
    let due_at = due_after(calendar, submitted_at, facts.promised, pauses);
    let paused_now = pauses.iter().any(|p| p.start <= end && p.end.is_none_or(|e| e > end));
    let state = match (facts.reached_at, facts.abandoned_at) {
        (Some(_), _) if remaining >= Duration::zero() => ClockState::Met,
        (Some(_), _) => ClockState::Breached,
        (None, Some(_)) => ClockState::Stopped,
        (None, None) if remaining < Duration::zero() => ClockState::Breached,
        (None, None) if paused_now => ClockState::Paused,
        (None, None) => ClockState::Running,
    };
    TargetClock {
        target: facts.target,
        promised_minutes: facts.promised.num_minutes(),
        counted_minutes: counted.num_minutes(),
        remaining_minutes: remaining.num_minutes(),
        due_at,
        reached_at: facts.reached_at,
        state,
    }
}

/// The working minutes each pause held back, in the calendar's time.
pub fn pause_views(
    calendar: &WorkCalendar,
    pauses: &[PauseFacts],
    now: DateTime<Utc>,
) -> Vec<PauseView> {
    pauses
        .iter()
        .map(|PauseFacts { pause, kind, reason }| PauseView {
            started_at: pause.start,
            ended_at: pause.end,
            kind: *kind,
            reason: reason.clone(),
            working_minutes: counted_between(calendar, pause.start, pause.end.unwrap_or(now).max(pause.start), &[])
                .num_minutes(),
        })
        .collect()
}

/// How much of a target has been used, in per cent, for the warnings.
pub fn used_percent(promised: Duration, remaining: Duration) -> i64 {
    let promised = promised.num_seconds().max(1);
    (promised - remaining.num_seconds()) * 100 / promised
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::calendar::center_default;
    use chrono::TimeZone;

    fn beijing(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        crate::time::CENTER_TIME_ZONE.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    fn facts(hours: i64) -> TargetFacts {
        TargetFacts { target: SlaTarget::Resolution, promised: Duration::hours(hours), reached_at: None, abandoned_at: None }
    }

    #[test]
    fn a_running_target_counts_only_working_time() {
        let calendar = center_default().unwrap();
        // Friday 27 November 17:00 + 8 working hours: 1 h on Friday, then 3 h before lunch and
        // 4 h after it on Monday, so 17:30.
        let submitted = beijing(11, 27, 17, 0);
        let clock = target_clock(&calendar, submitted, facts(8), &[], beijing(11, 30, 10, 0));
        assert_eq!(clock.state, ClockState::Running);
        assert_eq!(clock.counted_minutes, 120, "Friday 17–18 and Monday 9–10");
        assert_eq!(clock.remaining_minutes, 6 * 60);
        assert_eq!(clock.due_at, Some(beijing(11, 30, 17, 30)));
    }

    #[test]
    fn an_open_pause_stops_the_clock_and_hides_the_due_instant() {
        let calendar = center_default().unwrap();
        let submitted = beijing(11, 30, 9, 0);
        let pause = Pause { start: beijing(11, 30, 10, 0), end: None };
        let clock = target_clock(&calendar, submitted, facts(8), &[pause], beijing(11, 30, 15, 0));
        assert_eq!(clock.state, ClockState::Paused);
        assert_eq!(clock.counted_minutes, 60);
        assert_eq!(clock.due_at, None);
        let views = pause_views(&calendar, &[PauseFacts { pause, kind: PauseKind::AwaitingClient, reason: "发票抬头?".into() }], beijing(11, 30, 15, 0));
        assert_eq!(views[0].working_minutes, 2 * 60 + 90, "10–12 and 13:30–15:00");
    }

    #[test]
    fn a_two_hour_pause_moves_the_due_instant_by_two_working_hours() {
        let calendar = center_default().unwrap();
        let submitted = beijing(11, 30, 9, 0);
        let plain = target_clock(&calendar, submitted, facts(8), &[], submitted).due_at.unwrap();
        let pause = Pause { start: beijing(11, 30, 10, 0), end: Some(beijing(11, 30, 12, 0)) };
        let paused = target_clock(&calendar, submitted, facts(8), &[pause], beijing(11, 30, 13, 0));
        assert_eq!(plain, beijing(12, 1, 9, 30));
        assert_eq!(paused.due_at, Some(beijing(12, 1, 11, 30)));
        assert_eq!(paused.state, ClockState::Running);
    }

    #[test]
    fn a_target_reached_late_is_breached_and_on_time_is_met() {
        let calendar = center_default().unwrap();
        let submitted = beijing(11, 30, 9, 0);
        let on_time = TargetFacts { reached_at: Some(beijing(11, 30, 11, 0)), ..facts(2) };
        assert_eq!(target_clock(&calendar, submitted, on_time, &[], beijing(12, 3, 9, 0)).state, ClockState::Met);
        let late = TargetFacts { reached_at: Some(beijing(11, 30, 14, 0)), ..facts(2) };
        let clock = target_clock(&calendar, submitted, late, &[], beijing(12, 3, 9, 0));
        assert_eq!(clock.state, ClockState::Breached);
        assert_eq!(clock.remaining_minutes, -90, "3 h 30 of working time for a 2 h target");
        let withdrawn = TargetFacts { abandoned_at: Some(beijing(11, 30, 10, 0)), ..facts(2) };
        assert_eq!(target_clock(&calendar, submitted, withdrawn, &[], beijing(12, 3, 9, 0)).state, ClockState::Stopped);
        assert_eq!(used_percent(Duration::hours(4), Duration::hours(1)), 75);
    }
}
