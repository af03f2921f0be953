//! Working-time arithmetic on a [`WorkCalendar`]: pure functions of their arguments, with no
//! I/O and no reading of the clock, so that every figure can be recomputed from a request's
//! event log and gives the same answer everywhere.
//!
//! Time that counts is the calendar's working time minus the request's pauses (while the
//! center waits on the client). A due instant is the end of the last counted stretch needed,
//! so it is never inside a night, a break, a weekend, a holiday or a pause.

use super::calendar::WorkCalendar;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// A stretch while the clock was stopped; `end` is `None` while it still is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// The counted stretches from `from` onwards, in order: working intervals with the pauses cut
/// out, up to the end of the local day `last_day` or without end. Callers stop when they have
/// what they need.
fn counted_from<'a>(
    calendar: &'a WorkCalendar,
    from: DateTime<Utc>,
    last_day: Option<NaiveDate>,
    pauses: &'a [Pause],
) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + 'a {
    calendar
        .local_date(from)
        .iter_days()
        .take_while(move |day| last_day.is_none_or(|last| *day <= last))
        .flat_map(move |day| calendar.intervals_on(day))
        .filter(move |&(_, end)| end > from)
        .map(move |(start, end)| (start.max(from), end))
        .flat_map(move |interval| without_pauses(interval, pauses))
}

/// `interval` with every pause cut out: zero, one or several pieces.
fn without_pauses(
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    pauses: &[Pause],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut pieces = vec![(start, end)];
    for pause in pauses {
        let pause_end = pause.end.unwrap_or(DateTime::<Utc>::MAX_UTC);
        if pause_end <= start || pause.start >= end {
            continue;
        }
        pieces = pieces
            .into_iter()
            .flat_map(|(s, e)| {
                let before = (s, e.min(pause.start));
                let after = (s.max(pause_end), e);
                [before, after].into_iter().filter(|(a, b)| a < b)
            })
            .collect();
    }
    pieces
}

/// The working time between two instants, pauses not counted. Zero when `to` is not later.
pub fn counted_between(calendar: &WorkCalendar, from: DateTime<Utc>, to: DateTime<Utc>, pauses: &[Pause]) -> Duration {
    if to <= from {
        return Duration::zero();
    }
    let last_day = calendar.local_date(to);
    counted_from(calendar, from, Some(last_day), pauses)
        .take_while(|&(start, _)| start < to)
        .map(|(start, end)| end.min(to) - start)
        .sum()
}

/// The working time between two instants if it is no more than `limit`; `None` as soon as it
/// is known to be more, without counting the rest.
pub fn working_within(calendar: &WorkCalendar, from: DateTime<Utc>, to: DateTime<Utc>, limit: Duration) -> Option<Duration> {
    if to <= from {
        return Some(Duration::zero());
    }
    let mut total = Duration::zero();
    for (start, end) in counted_from(calendar, from, Some(calendar.local_date(to)), &[]).take_while(|&(start, _)| start < to) {
        total += end.min(to) - start;
        if total > limit {
            return None;
        }
    }
    Some(total)
}

/// The working time between two instants.
pub fn working_between(calendar: &WorkCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    counted_between(calendar, from, to, &[])
}

/// The instant at which `amount` of counted time has passed since `from`, or `None` while an
/// open pause holds the clock before it gets there. No time at all is due at once.
pub fn due_after(calendar: &WorkCalendar, from: DateTime<Utc>, amount: Duration, pauses: &[Pause]) -> Option<DateTime<Utc>> {
    if amount <= Duration::zero() {
        return Some(from);
    }
    // An open pause stops the clock for good; the target is due only if it is reached first.
    let closed: Vec<Pause> = pauses.iter().copied().filter(|p| p.end.is_some()).collect();
    let held_since = pauses.iter().filter(|p| p.end.is_none()).map(|p| p.start).min();
    let mut left = amount;
    // Ends: the weekly pattern has working time (the calendar checks it), dated entries stop at
    // the calendar's last year and closed pauses are finite, so counted time keeps coming.
    for (start, end) in counted_from(calendar, from, None, &closed) {
        let available = end - start;
        if left <= available {
            let due = start + left;
            return match held_since {
                Some(paused) if paused < due => None,
                _ => Some(due),
            };
        }
        left -= available;
    }
    None
}

/// The instant `amount` of working time after `from`.
pub fn add_working(calendar: &WorkCalendar, from: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
    due_after(calendar, from, amount, &[]).unwrap_or(from)
}

/// The same time of day `days` working days after `from`, in the calendar's zone; a working day
/// is a day with working periods, make-up days included. Something arriving on a day off counts
/// from the next working day.
pub fn working_days_after(calendar: &WorkCalendar, from: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    use chrono::TimeZone;
    let local = from.with_timezone(&calendar.zone());
    let works = |date: &NaiveDate| !calendar.periods_on(*date).is_empty();
    // Both searches end: the calendar's week has working time.
    let mut date = local.date_naive().iter_days().find(works).unwrap_or(local.date_naive());
    for _ in 0..days.max(0) {
        date = date.iter_days().skip(1).find(works).unwrap_or(date);
    }
    calendar
        .zone()
        .from_local_datetime(&date.and_time(local.time()))
        .earliest()
        .map_or(from, |due| due.with_timezone(&Utc))
}

/// True when `at` is inside a working period (its start included, its end not).
#[cfg(test)]
fn is_working(calendar: &WorkCalendar, at: DateTime<Utc>) -> bool {
    calendar.intervals_on(calendar.local_date(at)).any(|(start, end)| start <= at && at < end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::calendar::{center_default, standard_week, Period, Week};
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn shanghai(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    fn plain() -> WorkCalendar {
        WorkCalendar::new("Asia/Shanghai", standard_week(), &[], &[]).unwrap()
    }

    fn hours(h: i64) -> Duration {
        Duration::hours(h)
    }

    #[test]
    fn across_the_lunch_break() {
        // Monday 23 November 2026, 11:00 + 2 h: one hour before lunch, one after 13:30.
        assert_eq!(add_working(&plain(), shanghai(2026, 11, 23, 11, 0), hours(2)), shanghai(2026, 11, 23, 14, 30));
        assert_eq!(working_between(&plain(), shanghai(2026, 11, 23, 11, 0), shanghai(2026, 11, 23, 14, 30)), hours(2));
        // A target that ends with the morning is due at noon, not when the afternoon starts.
        assert_eq!(add_working(&plain(), shanghai(2026, 11, 23, 9, 0), hours(3)), shanghai(2026, 11, 23, 12, 0));
    }

    #[test]
    fn a_plain_friday_at_five_with_eight_hours_is_due_on_monday_afternoon() {
        // Friday 27 November 2026: 17:00–18:00 is one hour, Monday 09:00–12:00 three more, and
        // the last four run from 13:30 to 17:30. (Monday 16:30 would be a seven-hour target.)
        let due = add_working(&plain(), shanghai(2026, 11, 27, 17, 0), hours(8));
        assert_eq!(due, shanghai(2026, 11, 30, 17, 30));
        assert_eq!(add_working(&plain(), shanghai(2026, 11, 27, 17, 0), hours(7)), shanghai(2026, 11, 30, 16, 30));
    }

    #[test]
    fn spring_festival_counts_the_make_up_saturday() {
        // Friday 13 February 2026 at 17:00 + 8 h: an hour on Friday, seven on Saturday the 14th.
        let due = add_working(&center_default().unwrap(), shanghai(2026, 2, 13, 17, 0), hours(8));
        assert_eq!(due, shanghai(2026, 2, 14, 17, 30));
        // From Saturday the 14th at 17:00, the festival (15–23) is skipped up to Tuesday the 24th.
        let due = add_working(&center_default().unwrap(), shanghai(2026, 2, 14, 17, 0), hours(8));
        assert_eq!(due, shanghai(2026, 2, 24, 17, 30));
    }

    #[test]
    fn national_day_is_skipped_and_saturday_the_tenth_works() {
        let calendar = center_default().unwrap();
        // Wednesday 30 September at 17:00: an hour that day, then nothing until Thursday 8 October.
        assert_eq!(add_working(&calendar, shanghai(2026, 9, 30, 17, 0), hours(8)), shanghai(2026, 10, 8, 17, 30));
        // Friday 9 October at 17:00: Saturday the 10th is a make-up workday.
        assert_eq!(add_working(&calendar, shanghai(2026, 10, 9, 17, 0), hours(8)), shanghai(2026, 10, 10, 17, 30));
        assert_eq!(working_between(&calendar, shanghai(2026, 10, 1, 0, 0), shanghai(2026, 10, 8, 0, 0)), Duration::zero());
    }

    #[test]
    fn a_two_hour_pause_moves_the_due_instant_by_two_working_hours() {
        let calendar = plain();
        let start = shanghai(2026, 11, 23, 9, 0);
        // Without a pause: Monday 7.5 h, then half an hour on Tuesday.
        assert_eq!(due_after(&calendar, start, hours(8), &[]), Some(shanghai(2026, 11, 24, 9, 30)));
        let pause = Pause { start: shanghai(2026, 11, 23, 10, 0), end: Some(shanghai(2026, 11, 23, 12, 0)) };
        assert_eq!(due_after(&calendar, start, hours(8), &[pause]), Some(shanghai(2026, 11, 24, 11, 30)));
        // Over the lunch break, 11:00–14:30 is still two working hours.
        let over_lunch = Pause { start: shanghai(2026, 11, 23, 11, 0), end: Some(shanghai(2026, 11, 23, 14, 30)) };
        assert_eq!(due_after(&calendar, start, hours(8), &[over_lunch]), Some(shanghai(2026, 11, 24, 11, 30)));
        assert_eq!(counted_between(&calendar, start, shanghai(2026, 11, 23, 18, 0), &[over_lunch]), Duration::minutes(330));
    }

    #[test]
    fn an_open_pause_holds_the_due_instant() {
        let calendar = plain();
        let start = shanghai(2026, 11, 23, 9, 0);
        let open = Pause { start: shanghai(2026, 11, 23, 10, 0), end: None };
        assert_eq!(due_after(&calendar, start, hours(8), &[open]), None);
        // A target reached before the pause began is still due.
        assert_eq!(due_after(&calendar, start, hours(1), &[open]), Some(shanghai(2026, 11, 23, 10, 0)));
        assert_eq!(counted_between(&calendar, start, shanghai(2026, 11, 25, 9, 0), &[open]), hours(1));
    }

    #[test]
    fn nothing_counts_outside_working_time() {
        let calendar = plain();
        assert!(is_working(&calendar, shanghai(2026, 11, 23, 9, 0)));
        assert!(!is_working(&calendar, shanghai(2026, 11, 23, 12, 0)));
        assert!(!is_working(&calendar, shanghai(2026, 11, 28, 10, 0)), "Saturday");
        // Submitted on Saturday night: the clock starts on Monday at nine.
        assert_eq!(add_working(&calendar, shanghai(2026, 11, 28, 22, 0), Duration::minutes(1)), shanghai(2026, 11, 30, 9, 1));
    }

    /// Random weekly patterns: each weekday gets up to three periods on a quarter-hour grid.
    fn weeks() -> impl Strategy<Value = Week> {
        let day = proptest::collection::btree_set(0u32..96, 0..=6).prop_map(|marks| {
            let marks: Vec<u32> = marks.into_iter().collect();
            marks
                .chunks_exact(2)
                .filter_map(|pair| Period::hm((pair[0] / 4, pair[0] % 4 * 15), (pair[1] / 4, pair[1] % 4 * 15)))
                .collect::<Vec<_>>()
        });
        proptest::array::uniform7(day).prop_filter("the week has working time", |week| week.iter().any(|d| !d.is_empty()))
    }

    fn calendars() -> impl Strategy<Value = WorkCalendar> {
        prop_oneof![
            Just(center_default().unwrap()),
            weeks().prop_map(|week| {
                let (holidays, make_up) = crate::sla::calendar::china_2026();
                let make_up: Vec<_> = make_up
                    .into_iter()
                    .filter_map(|(date, _)| {
                        week.iter()
                            .position(|d| !d.is_empty())
                            .and_then(|i| chrono::Weekday::try_from(i as u8).ok())
                            .map(|like| (date, like))
                    })
                    .collect();
                WorkCalendar::new("Asia/Shanghai", week, &holidays, &make_up).unwrap()
            }),
        ]
    }

    /// Instants from December 2025 to January 2027: any second, or on the quarter-hour grid of
    /// the periods, where the edge cases are.
    fn instants() -> impl Strategy<Value = DateTime<Utc>> {
        let from = shanghai(2025, 12, 1, 0, 0).timestamp();
        let to = shanghai(2027, 1, 31, 0, 0).timestamp();
        prop_oneof![from..to, (0..(to - from) / 900).prop_map(move |q| from + q * 900)]
            .prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
    }

    /// Amounts of working time in minutes, some on the quarter-hour grid.
    fn minutes(range: std::ops::Range<i64>) -> impl Strategy<Value = i64> {
        let quarters = (range.start + 14) / 15..range.end / 15;
        prop_oneof![range, quarters.prop_map(|q| q * 15)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn adding_then_measuring_gives_back_the_amount(calendar in calendars(), from in instants(), minutes in minutes(0..20_000)) {
            let due = add_working(&calendar, from, Duration::minutes(minutes));
            prop_assert_eq!(working_between(&calendar, from, due), Duration::minutes(minutes));
        }

        #[test]
        fn more_time_is_never_due_earlier(calendar in calendars(), from in instants(), a in minutes(0..20_000), b in minutes(0..20_000)) {
            let (less, more) = (a.min(b), a.max(b));
            prop_assert!(add_working(&calendar, from, Duration::minutes(less)) <= add_working(&calendar, from, Duration::minutes(more)));
        }

        #[test]
        fn a_due_instant_ends_working_time(calendar in calendars(), from in instants(), minutes in minutes(1..20_000)) {
            let due = add_working(&calendar, from, Duration::minutes(minutes));
            // The second before it was worked: it is the end of a counted stretch, not a moment
            // of a night, a break or a holiday.
            prop_assert!(is_working(&calendar, due - Duration::seconds(1)));
        }

        #[test]
        fn measuring_adds_up_over_consecutive_intervals(calendar in calendars(), a in instants(), b in instants(), c in instants()) {
            let mut points = [a, b, c];
            points.sort();
            let [a, b, c] = points;
            prop_assert_eq!(
                working_between(&calendar, a, b) + working_between(&calendar, b, c),
                working_between(&calendar, a, c)
            );
        }

        #[test]
        fn measuring_within_a_limit_agrees_with_measuring(calendar in calendars(), a in instants(), b in instants(), limit in minutes(0..20_000)) {
            let whole = working_between(&calendar, a, b);
            let limit = Duration::minutes(limit);
            prop_assert_eq!(working_within(&calendar, a, b, limit), (whole <= limit).then_some(whole));
        }

        #[test]
        fn a_closed_pause_moves_the_due_instant_by_the_working_time_it_held(
            calendar in calendars(), from in instants(), minutes in minutes(1..10_000), offset in minutes(0..20_000), length in minutes(0..5_000)
        ) {
            let start = from + Duration::minutes(offset);
            let pause = Pause { start, end: Some(start + Duration::minutes(length)) };
            let plain_due = add_working(&calendar, from, Duration::minutes(minutes));
            let paused_due = due_after(&calendar, from, Duration::minutes(minutes), &[pause]);
            prop_assert!(paused_due.is_some());
            let paused_due = paused_due.unwrap_or(plain_due);
            // The counted time up to the new due instant is the target, and the pause held
            // exactly the working time between the two due instants, or none if it came after.
            prop_assert_eq!(counted_between(&calendar, from, paused_due, &[pause]), Duration::minutes(minutes));
            if start >= plain_due {
                prop_assert_eq!(paused_due, plain_due);
            } else {
                let held = working_between(&calendar, start.max(from), pause.end.unwrap_or(start).min(paused_due));
                prop_assert_eq!(working_between(&calendar, plain_due, paused_due), held);
            }
        }
    }
}
