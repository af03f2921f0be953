//! Times are stored in UTC and shown in the viewer's time zone.

use crate::kernel::Language;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The center's own zone: the default for users and the calendar of reference numbers.
pub const CENTER_TIME_ZONE: Tz = chrono_tz::Asia::Shanghai;
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// The zones a user can choose; the subsidiaries of a Chinese group are mostly in these.
pub const OFFERED_TIME_ZONES: &[&str] = &[
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/London",
    "Africa/Johannesburg",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
];

pub fn is_offered_time_zone(name: &str) -> bool {
    OFFERED_TIME_ZONES.contains(&name) && name.parse::<Tz>().is_ok()
}

/// The zone named `name`, or the center's zone when the name is unknown.
pub fn zone(name: &str) -> Tz {
    name.parse::<Tz>().unwrap_or(CENTER_TIME_ZONE)
}

/// The first instant of `day` in `zone`, for filters that take calendar days.
pub fn start_of_day(day: chrono::NaiveDate, zone: Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    zone.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The instant a person in `zone_name` means by a `datetime-local` value (`2026-12-01T09:30`).
/// In the hour skipped by a clock change the earlier reading is taken.
pub fn parse_local_minute(text: &str, zone_name: &str) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    let local = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok()?;
    zone(zone_name).from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc))
}

/// A date and time as a person in `zone_name` reading `language` expects it.
pub fn format_datetime(at: DateTime<Utc>, zone_name: &str, language: Language) -> String {
    let local = at.with_timezone(&zone(zone_name));
    match language {
        Language::ZhCn => local.format("%Y-%m-%d %H:%M").to_string(),
        Language::En => local.format("%-d %b %Y, %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_local_minute_is_read_in_the_writers_zone() {
        assert_eq!(parse_local_minute("2026-12-01T09:30", "Asia/Shanghai"), Some(Utc.with_ymd_and_hms(2026, 12, 1, 1, 30, 0).unwrap()));
        assert_eq!(parse_local_minute("2026-12-01T09:30", "Europe/Berlin"), Some(Utc.with_ymd_and_hms(2026, 12, 1, 8, 30, 0).unwrap()));
        assert_eq!(parse_local_minute("tomorrow", "Asia/Shanghai"), None);
    }

    #[test]
    fn formats_in_the_viewers_zone_and_language() {
        let at = Utc.with_ymd_and_hms(2026, 1, 31, 18, 30, 0).unwrap();
        assert_eq!(format_datetime(at, "Asia/Shanghai", Language::ZhCn), "2026-02-01 02:30");
        assert_eq!(format_datetime(at, "Europe/London", Language::En), "31 Jan 2026, 18:30");
        assert_eq!(format_datetime(at, "Nowhere/Else", Language::ZhCn), "2026-02-01 02:30");
    }

    #[test]
    fn daylight_saving_is_applied() {
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(format_datetime(summer, "Europe/Berlin", Language::ZhCn), "2026-07-01 14:00");
        assert_eq!(format_datetime(summer, "America/New_York", Language::ZhCn), "2026-07-01 08:00");
    }

    #[test]
    fn every_offered_zone_is_compiled_in() {
        for name in OFFERED_TIME_ZONES {
            assert!(is_offered_time_zone(name), "{name}");
        }
        assert!(!is_offered_time_zone("Mars/Olympus"));
    }
}
