//! Working calendars: when the center works, in its own time zone.
//!
//! A calendar has a weekly pattern (working periods per weekday, breaks being the gaps between
//! them) and dated entries that override the pattern: holidays, which are off, and make-up
//! workdays (调休上班), which work with the periods of a chosen weekday whatever their own
//! weekday is. A calendar is checked once, when it is built, so that the arithmetic in
//! [`super::working_time`] can rely on it: periods are ordered and apart, and the week has
//! working time, which is what guarantees that adding working time always ends.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One stretch of working time within a day, from `start` up to (not including) `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Period {
    /// A period from `start` to `end`, given as hours and minutes.
    pub fn hm(start: (u32, u32), end: (u32, u32)) -> Option<Period> {
        Some(Period {
            start: NaiveTime::from_hms_opt(start.0, start.1, 0)?,
            end: NaiveTime::from_hms_opt(end.0, end.1, 0)?,
        })
    }
}

/// What a dated entry does to its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateRule {
    /// Off, whatever the weekday.
    Holiday,
    /// Working, with the periods of this weekday.
    WorksLike(Weekday),
}

/// The weekly pattern: each weekday's periods, Monday first.
pub type Week = [Vec<Period>; 7];

/// Why a calendar cannot be used. Each names what to correct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalendarError {
    UnknownTimeZone(String),
    PeriodEndsBeforeStart(Weekday),
    OverlappingPeriods(Weekday),
    NoWorkingTime,
    DateOutOfRange(NaiveDate),
    HolidayAndMakeUp(NaiveDate),
    /// A make-up day borrows the periods of a weekday that has none.
    MakeUpWithoutHours(NaiveDate),
}

/// The first and last years a dated entry may fall in.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2100;

/// A checked working calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkCalendar {
    zone: Tz,
    week: Week,
    dates: BTreeMap<NaiveDate, DateRule>,
}

impl WorkCalendar {
    /// Checks and builds a calendar. `holidays` and `make_up_days` may come in any order; a
    /// date in both is refused rather than one silently winning.
    pub fn new(
        zone: &str,
        week: Week,
        holidays: &[NaiveDate],
        make_up_days: &[(NaiveDate, Weekday)],
    ) -> Result<WorkCalendar, CalendarError> {
        let zone: Tz = zone.parse().map_err(|_| CalendarError::UnknownTimeZone(zone.to_owned()))?;
        let mut week = week;
        for (index, periods) in week.iter_mut().enumerate() {
            let weekday = weekday_from_monday(index);
            periods.sort_by_key(|p| p.start);
            if periods.iter().any(|p| p.end <= p.start) {
                return Err(CalendarError::PeriodEndsBeforeStart(weekday));
            }
            if periods.windows(2).any(|pair| pair[1].start < pair[0].end) {
                return Err(CalendarError::OverlappingPeriods(weekday));
            }
        }
        if week.iter().all(Vec::is_empty) {
            return Err(CalendarError::NoWorkingTime);
        }
        let in_range = |date: NaiveDate| (FIRST_YEAR..=LAST_YEAR).contains(&date.year());
        let mut dates = BTreeMap::new();
        for &date in holidays {
            if !in_range(date) {
                return Err(CalendarError::DateOutOfRange(date));
            }
            dates.insert(date, DateRule::Holiday);
        }
        for &(date, like) in make_up_days {
            if !in_range(date) {
                return Err(CalendarError::DateOutOfRange(date));
            }
            if dates.get(&date) == Some(&DateRule::Holiday) {
                return Err(CalendarError::HolidayAndMakeUp(date));
            }
            if week[like.num_days_from_monday() as usize].is_empty() {
                return Err(CalendarError::MakeUpWithoutHours(date));
            }
            dates.insert(date, DateRule::WorksLike(like));
        }
        Ok(WorkCalendar { zone, week, dates })
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    pub fn week(&self) -> &Week {
        &self.week
    }

    pub fn dates(&self) -> &BTreeMap<NaiveDate, DateRule> {
        &self.dates
    }

    /// The periods worked on `date`: its own entry if it has one, else its weekday's.
    pub fn periods_on(&self, date: NaiveDate) -> &[Period] {
        match self.dates.get(&date) {
            Some(DateRule::Holiday) => &[],
            Some(DateRule::WorksLike(like)) => &self.week[like.num_days_from_monday() as usize],
            None => &self.week[date.weekday().num_days_from_monday() as usize],
        }
    }

    /// The working intervals of `date` as instants.
    pub(super) fn intervals_on(&self, date: NaiveDate) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        self.periods_on(date).iter().filter_map(move |period| {
            let start = self.instant(date, period.start)?;
            let end = self.instant(date, period.end)?;
            (start < end).then_some((start, end))
        })
    }

    /// The local date an instant falls on.
    pub(super) fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// A wall-clock time on `date` as an instant. A time skipped by a daylight-saving change
    /// is taken an hour later; a repeated one is taken the first time.
    fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        let local = date.and_time(time);
        self.zone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| self.zone.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest())
            .map(|at| at.with_timezone(&Utc))
    }
}

fn weekday_from_monday(index: usize) -> Weekday {
    Weekday::try_from(index as u8).unwrap_or(Weekday::Mon)
}

/// The center's standard week: Monday to Friday, 09:00–12:00 and 13:30–18:00.
pub fn standard_week() -> Week {
    let day = || {
        [Period::hm((9, 0), (12, 0)), Period::hm((13, 30), (18, 0))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
    };
    [day(), day(), day(), day(), day(), Vec::new(), Vec::new()]
}

/// The Mainland China public holidays of 2026 and their make-up workdays, as set by the State
/// Council's notice of 4 November 2025 (the same dates as the MIT-licensed holiday-cn data).
/// Make-up days work the standard hours of a Monday.
pub fn china_2026() -> (Vec<NaiveDate>, Vec<(NaiveDate, Weekday)>) {
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d);
    let span = |m: u32, from: u32, to: u32| (from..=to).filter_map(move |d| day(m, d));
    let holidays = span(1, 1, 3)
        .chain(span(2, 15, 23))
        .chain(span(4, 4, 6))
        .chain(span(5, 1, 5))
        .chain(span(6, 19, 21))
        .chain(span(9, 25, 27))
        .chain(span(10, 1, 7))
        .collect();
    let make_up = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)]
        .into_iter()
        .filter_map(|(m, d)| day(m, d).map(|date| (date, Weekday::Mon)))
        .collect();
    (holidays, make_up)
}

/// The center's default calendar: Asia/Shanghai, the standard week and the 2026 schedule.
pub fn center_default() -> Result<WorkCalendar, CalendarError> {
    let (holidays, make_up) = china_2026();
    WorkCalendar::new(crate::time::DEFAULT_TIME_ZONE, standard_week(), &holidays, &make_up)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn with_monday(periods: Vec<Period>) -> Week {
        let mut week = standard_week();
        week[0] = periods;
        week
    }

    #[test]
    fn the_2026_schedule_has_its_days_off_and_make_up_saturdays_and_sundays() {
        let (holidays, make_up) = china_2026();
        assert_eq!(holidays.len(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
        let make_up_weekdays: Vec<_> = make_up.iter().map(|(d, _)| d.weekday()).collect();
        assert_eq!(make_up_weekdays, [Weekday::Sun, Weekday::Sat, Weekday::Sat, Weekday::Sat, Weekday::Sun, Weekday::Sat]);
        let calendar = center_default().unwrap();
        assert!(calendar.periods_on(date(2026, 10, 1)).is_empty(), "National Day is off");
        assert!(calendar.periods_on(date(2026, 2, 16)).is_empty(), "a Monday of Spring Festival is off");
        assert_eq!(calendar.periods_on(date(2026, 2, 14)).len(), 2, "Saturday 14 February works");
        assert!(calendar.periods_on(date(2026, 2, 21)).is_empty(), "a plain Saturday is off");
        assert_eq!(calendar.periods_on(date(2026, 12, 1)), standard_week()[1].as_slice());
    }

    #[test]
    fn bad_calendars_are_refused_with_what_is_wrong() {
        let none = || Vec::<NaiveDate>::new();
        let p = |a: (u32, u32), b: (u32, u32)| Period::hm(a, b).unwrap();
        assert_eq!(
            WorkCalendar::new("Asia/Shanghai", with_monday(vec![p((9, 0), (12, 0)), p((11, 0), (14, 0))]), &none(), &[]),
            Err(CalendarError::OverlappingPeriods(Weekday::Mon))
        );
        assert_eq!(
            WorkCalendar::new("Asia/Shanghai", with_monday(vec![p((12, 0), (9, 0))]), &none(), &[]),
            Err(CalendarError::PeriodEndsBeforeStart(Weekday::Mon))
        );
        assert_eq!(
            WorkCalendar::new("Asia/Shanghai", Default::default(), &none(), &[]),
            Err(CalendarError::NoWorkingTime)
        );
        assert_eq!(
            WorkCalendar::new("Asia/Shanghai", standard_week(), &[date(2026, 10, 10)], &[(date(2026, 10, 10), Weekday::Mon)]),
            Err(CalendarError::HolidayAndMakeUp(date(2026, 10, 10)))
        );
        assert_eq!(
            WorkCalendar::new("Asia/Shanghai", standard_week(), &[date(2101, 1, 1)], &[]),
            Err(CalendarError::DateOutOfRange(date(2101, 1, 1)))
        );
        assert_eq!(
            WorkCalendar::new("Mars/Olympus_Mons", standard_week(), &none(), &[]),
            Err(CalendarError::UnknownTimeZone("Mars/Olympus_Mons".into()))
        );
        assert_eq!(
            WorkCalendar::new("Asia/Shanghai", standard_week(), &none(), &[(date(2026, 10, 10), Weekday::Sun)]),
            Err(CalendarError::MakeUpWithoutHours(date(2026, 10, 10)))
        );
    }

    #[test]
    fn periods_given_out_of_order_are_ordered() {
        let late = Period::hm((13, 30), (18, 0)).unwrap();
        let early = Period::hm((9, 0), (12, 0)).unwrap();
        let calendar = WorkCalendar::new("Asia/Hong_Kong", with_monday(vec![late, early]), &[], &[]).unwrap();
        assert_eq!(calendar.week()[0], vec![early, late]);
    }
}
