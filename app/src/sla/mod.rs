//! Service-level targets: when a request is due, and how much time is left.
//!
//! Time counts on a working calendar ([`calendar`]): its periods, minus breaks, nights, days
//! off, and the request's pauses while the center waits on the client. The arithmetic is
//! [`working_time`], pure; how one request's targets stand is [`clock`], computed from what its
//! event log recorded (submission, pauses, first response, resolution), never kept as a
//! counter. Schedules move in and out of a calendar as files through [`calendar_file`]. The
//! admins' calendars are stored by `store`; `service` applies them to requests and runs the
//! warnings; `api` serves the calendar page (`calendars_ui`) and the request page's clock
//! panel (`panel_ui`).

pub mod api;
pub mod calendar;
pub mod calendar_file;
pub mod calendars_ui;
pub mod clock;
pub mod panel_ui;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod working_time;

use crate::{catalogue::Targets, kernel::{CalendarId, TeamId}, text_enum};
use calendar_file::DatedEntry;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

text_enum!(
    /// The two promises made to a request.
    pub enum SlaTarget {
        /// The first public reply or status change by an agent.
        FirstResponse => "first_response",
        /// Resolved or rejected.
        Resolution => "resolution",
    }
);

text_enum!(
    /// Why a clock stood still.
    pub enum PauseKind {
        /// The center asked the client and waited for the answer.
        AwaitingClient => "awaiting_client",
        /// The request stood resolved until the client reopened it.
        Resolved => "resolved",
    }
);

text_enum!(
    /// How far along a target an alert is raised.
    pub enum AlertLevel {
        /// Still unclaimed at half of the first-response target: the team hears.
        Unclaimed => "unclaimed",
        /// Three quarters of the target used: the owner hears.
        Warning => "warning",
        /// Past the due instant: the owner and the subsidiary's customer managers hear.
        Breach => "breach",
    }
);

/// A calendar as the admins' page shows and edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarView {
    pub id: CalendarId,
    pub name: String,
    pub zone: String,
    /// Each weekday's periods, Monday first, as the form writes them: `09:00-12:00 13:30-18:00`.
    pub week: Vec<String>,
    pub dates: Vec<DatedEntry>,
    pub is_default: bool,
    pub version: i64,
    /// Open requests counted on it.
    pub open_requests: i64,
}

/// A team or request type and the calendar it uses (`None`: the default one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarUser {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub calendar_id: Option<CalendarId>,
}

/// Everything the calendar page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSetup {
    pub calendars: Vec<CalendarView>,
    pub teams: Vec<CalendarUser>,
    pub types: Vec<CalendarUser>,
}

/// A calendar as the admin submits it. `version` is the one the admin edited (`None`: new).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarInput {
    pub name: String,
    pub zone: String,
    pub week: Vec<String>,
    pub is_default: bool,
    pub version: Option<i64>,
}

/// What a calendar is used by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalendarScope {
    Team(TeamId),
    RequestType(crate::kernel::TypeId),
}

/// The file formats a schedule is imported from and exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleFormat {
    Csv,
    Ics,
}

/// What an import would change, and how many open requests would be recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCheck {
    pub preview: calendar_file::ImportPreview,
    pub open_requests: i64,
}

/// The longest calendar name.
pub const CALENDAR_NAME_MAX: usize = 60;

/// One weekday's periods as the form writes them: `09:00-12:00 13:30-18:00`, or empty.
pub fn periods_text(periods: &[calendar::Period]) -> String {
    periods
        .iter()
        .map(|p| format!("{}-{}", p.start.format("%H:%M"), p.end.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads [`periods_text`]'s form back; separators may be spaces, commas or 、.
pub fn parse_periods(text: &str) -> Option<Vec<calendar::Period>> {
    let time = |s: &str| chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、' || c == ';')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (start, end) = part.split_once(['-', '–', '~'])?;
            Some(calendar::Period { start: time(start)?, end: time(end)? })
        })
        .collect()
}

/// Request types whose targets no tier changes: an urgent payment (紧急付款) is as short for
/// every subsidiary.
pub const UNSCALED_TYPES: &[&str] = &["urgent_payment"];

/// The targets of a request of type `code` from a subsidiary whose tier gives `percent` of the
/// standard hours.
pub fn targets_for(code: &str, targets: &Targets, percent: i64) -> Targets {
    if UNSCALED_TYPES.contains(&code) { *targets } else { scaled(targets, percent) }
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
    fn a_calendar_counts_working_hours_and_working_days() {
        let calendar = calendar::center_default().unwrap();
        let beijing = |m: u32, d: u32, h: u32, min: u32| {
            crate::time::CENTER_TIME_ZONE.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap().with_timezone(&Utc)
        };
        // National Day (1–7 October) is off and Saturday the 10th works: two working days after
        // the 1st counts from Thursday the 8th, then Friday the 9th and Saturday the 10th.
        assert_eq!(working_time::working_days_after(&calendar, beijing(10, 1, 10, 0), 2), beijing(10, 10, 10, 0));
        assert_eq!(working_time::working_days_after(&calendar, beijing(9, 30, 10, 0), 1), beijing(10, 8, 10, 0));
        // Eight working hours from Monday 09:00: 7.5 on Monday, half an hour on Tuesday.
        assert_eq!(working_time::add_working(&calendar, beijing(11, 23, 9, 0), Duration::hours(8)), beijing(11, 24, 9, 30));
    }

    #[test]
    fn a_tier_scales_the_targets_rounding_up() {
        let key = scaled(&targets(), 75);
        assert_eq!((key.first_response_hours, key.resolution_hours), (6, 36));
        assert_eq!((key.urgent_first_response_hours, key.urgent_resolution_hours), (1, 3));
        assert_eq!(scaled(&targets(), 100), targets());
        assert_eq!(scaled(&targets(), 150).resolution_hours, 72);
        assert_eq!(targets_for("urgent_payment", &targets(), 200), targets(), "urgent payments keep their hours");
        assert_eq!(targets_for("general_query", &targets(), 200).resolution_hours, 96);
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
