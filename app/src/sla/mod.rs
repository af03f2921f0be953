//! Service-level targets: when a request is due, and how much time is left.
//!
//! Request deadlines are counted by [`PlainHours`], and working days as weekdays. Working
//! calendars with breaks, holidays and make-up workdays (调休) are [`calendar`], and the
//! working-time arithmetic on them, with pauses, is [`working_time`]; a calendar takes
//! [`PlainHours`]' place behind the [`Clock`] trait without touching callers. Schedules move in
//! and out of a calendar as files through [`calendar_file`].

pub mod calendar;
pub mod calendar_file;
pub mod working_time;

use crate::catalogue::Targets;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Adds service time to an instant.
pub trait Clock {
    fn add_hours(&self, from: DateTime<Utc>, hours: i64) -> DateTime<Utc>;
    /// The same time of day `days` working days later, in the center's time zone.
    fn add_working_days(&self, from: DateTime<Utc>, days: i64) -> DateTime<Utc>;
}

/// Every hour counts; working days are Monday to Friday.
pub struct PlainHours;

impl Clock for PlainHours {
    fn add_hours(&self, from: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
        from + Duration::hours(hours)
    }

    fn add_working_days(&self, from: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        use chrono::{Datelike, Weekday};
        let mut at = from.with_timezone(&crate::time::CENTER_TIME_ZONE);
        let mut left = days.max(0);
        // Something arriving on a weekend starts counting from the next Monday.
        while matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
            at += Duration::days(1);
        }
        while left > 0 {
            at += Duration::days(1);
            if !matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
                left -= 1;
            }
        }
        at.with_timezone(&Utc)
    }
}

/// Working time on a calendar: hours skip nights, breaks and days off, and a working day is a
/// day with working periods, make-up days included.
impl Clock for calendar::WorkCalendar {
    fn add_hours(&self, from: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
        working_time::add_working(self, from, Duration::hours(hours))
    }

    fn add_working_days(&self, from: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        use chrono::TimeZone;
        let local = from.with_timezone(&self.zone());
        let works = |date: &chrono::NaiveDate| !self.periods_on(*date).is_empty();
        // Something arriving on a day off starts counting from the next working day. Both
        // searches end: the calendar's week has working time.
        let mut date = local.date_naive().iter_days().find(works).unwrap_or(local.date_naive());
        for _ in 0..days.max(0) {
            date = date.iter_days().skip(1).find(works).unwrap_or(date);
        }
        let at = date.and_time(local.time());
        self.zone()
            .from_local_datetime(&at)
            .earliest()
            .map_or(from, |due| due.with_timezone(&Utc))
    }
}

/// A tier's share of the standard hours: `percent` of each target, rounded up to whole hours
/// and never below one.
pub fn scaled(targets: &Targets, percent: i64) -> Targets {
    let scale = |hours: i64| ((hours * percent + 99) / 100).max(1);
    Targets {
        first_response_hours: scale(targets.first_response_hours),
        resolution_hours: scale(targets.resolution_hours),
        urgent_allowed: targets.urgent_allowed,
        urgent_first_response_hours: scale(targets.urgent_first_response_hours),
        urgent_resolution_hours: scale(targets.urgent_resolution_hours),
    }
}

/// The two deadlines of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
}

/// The deadlines of a request submitted at `at` under `targets`.
pub fn deadlines(clock: &impl Clock, targets: &Targets, urgent: bool, at: DateTime<Utc>) -> Deadlines {
    let (first, resolution) = if urgent && targets.urgent_allowed {
        (targets.urgent_first_response_hours, targets.urgent_resolution_hours)
    } else {
        (targets.first_response_hours, targets.resolution_hours)
    };
    Deadlines {
        first_response_due: clock.add_hours(at, first),
        resolution_due: clock.add_hours(at, resolution),
    }
}

/// The clock stops while the center waits on the client: the deadline moves by the pause.
pub fn after_pause(due: DateTime<Utc>, paused_at: DateTime<Utc>, resumed_at: DateTime<Utc>) -> DateTime<Utc> {
    due + (resumed_at - paused_at).max(Duration::zero())
}

/// How a deadline stands at `now`, for lists and pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// Met or no longer running.
    Stopped,
    OnTime { minutes_left: i64 },
    /// Less than this many minutes left.
    DueSoon { minutes_left: i64 },
    Overdue { minutes_over: i64 },
}

/// "Due soon" starts this long before the deadline; the agents' queue uses the same window.
pub const DUE_SOON: Duration = Duration::hours(4);

pub fn standing(due: DateTime<Utc>, running: bool, now: DateTime<Utc>) -> Standing {
    if !running {
        return Standing::Stopped;
    }
    let left = due - now;
    if left < Duration::zero() {
        Standing::Overdue { minutes_over: (-left).num_minutes() }
    } else if left < DUE_SOON {
        Standing::DueSoon { minutes_left: left.num_minutes() }
    } else {
        Standing::OnTime { minutes_left: left.num_minutes() }
    }
}

/// Minutes as whole days, hours and minutes, for "time left" texts.
pub fn split_minutes(minutes: i64) -> (i64, i64, i64) {
    (minutes / (60 * 24), (minutes / 60) % 24, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn targets() -> Targets {
        Targets {
            first_response_hours: 8,
            resolution_hours: 48,
            urgent_allowed: true,
            urgent_first_response_hours: 1,
            urgent_resolution_hours: 4,
        }
    }

    #[test]
    fn urgent_requests_get_the_short_targets_only_where_allowed() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let normal = deadlines(&PlainHours, &targets(), false, at);
        assert_eq!(normal.resolution_due, at + Duration::hours(48));
        let urgent = deadlines(&PlainHours, &targets(), true, at);
        assert_eq!(urgent.first_response_due, at + Duration::hours(1));
        let mut no_urgency = targets();
        no_urgency.urgent_allowed = false;
        assert_eq!(deadlines(&PlainHours, &no_urgency, true, at), normal);
    }

    #[test]
    fn working_days_skip_the_weekend_in_the_centers_zone() {
        let beijing = |d: u32, h: u32| {
            crate::time::CENTER_TIME_ZONE.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap().with_timezone(&Utc)
        };
        // 2026-11-26 is a Thursday: two working days later is Monday the 30th, same hour.
        assert_eq!(PlainHours.add_working_days(beijing(26, 10), 2), beijing(30, 10));
        // Tuesday 24th + 2 = Thursday 26th.
        assert_eq!(PlainHours.add_working_days(beijing(24, 10), 2), beijing(26, 10));
        // Saturday the 28th counts from Monday: + 2 = Wednesday, December 2nd.
        let saturday = beijing(28, 23);
        let wednesday = crate::time::CENTER_TIME_ZONE.with_ymd_and_hms(2026, 12, 2, 23, 0, 0).unwrap().with_timezone(&Utc);
        assert_eq!(PlainHours.add_working_days(saturday, 2), wednesday);
        // Friday 23:00 in Beijing is still Friday 15:00 UTC, but the weekday is the center's.
        assert_eq!(PlainHours.add_working_days(beijing(27, 23), 1), beijing(30, 23));
    }

    #[test]
    fn a_calendar_counts_working_hours_and_working_days() {
        let calendar = calendar::center_default().unwrap();
        let beijing = |m: u32, d: u32, h: u32, min: u32| {
            crate::time::CENTER_TIME_ZONE.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap().with_timezone(&Utc)
        };
        // National Day (1–7 October) is off and Saturday the 10th works: two working days after
        // the 1st counts from Thursday the 8th, then Friday the 9th and Saturday the 10th.
        assert_eq!(calendar.add_working_days(beijing(10, 1, 10, 0), 2), beijing(10, 10, 10, 0));
        assert_eq!(calendar.add_working_days(beijing(9, 30, 10, 0), 1), beijing(10, 8, 10, 0));
        let due = deadlines(&calendar, &targets(), false, beijing(11, 23, 9, 0));
        // Eight working hours from Monday 09:00: 7.5 on Monday, half an hour on Tuesday.
        assert_eq!(due.first_response_due, beijing(11, 24, 9, 30));
    }

    #[test]
    fn a_tier_scales_the_targets_rounding_up() {
        let key = scaled(&targets(), 75);
        assert_eq!((key.first_response_hours, key.resolution_hours), (6, 36));
        assert_eq!((key.urgent_first_response_hours, key.urgent_resolution_hours), (1, 3));
        assert_eq!(scaled(&targets(), 100), targets());
        assert_eq!(scaled(&targets(), 150).resolution_hours, 72);
    }

    #[test]
    fn waiting_on_the_client_moves_the_deadline() {
        let due = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
        let paused = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        assert_eq!(after_pause(due, paused, paused + Duration::hours(5)), due + Duration::hours(5));
    }

    #[test]
    fn standing_marks_soon_and_overdue() {
        let due = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        assert_eq!(standing(due, true, due - Duration::hours(5)), Standing::OnTime { minutes_left: 300 });
        assert_eq!(standing(due, true, due - Duration::minutes(30)), Standing::DueSoon { minutes_left: 30 });
        assert_eq!(standing(due, true, due + Duration::minutes(90)), Standing::Overdue { minutes_over: 90 });
        assert_eq!(standing(due, false, due + Duration::hours(1)), Standing::Stopped);
        assert_eq!(split_minutes(60 * 27 + 5), (1, 3, 5));
        assert_eq!(split_minutes(65), (0, 1, 5));
    }
}
