//! Holidays and make-up workdays as CSV or iCalendar files, so that next year's official
//! schedule is entered in one step, and what an import would change, shown before it is applied.
//!
//! CSV has one entry per line: `date,kind,works_like`, where `kind` is `holiday` (or 休) or
//! `workday` (or 班), and `works_like` names the weekday whose periods a make-up workday works
//! (`mon` … `sun`, Monday when left empty). A header line, blank lines and `#` comments are
//! allowed.
//!
//! iCalendar (RFC 5545, server only) has one all-day event per entry or per run of days off:
//! an event whose summary or categories say 班 (补班, 上班) or "workday" is a make-up workday,
//! any other is days off, from `DTSTART` up to the day before `DTEND`. Public holiday feeds
//! such as holiday-cn's are written this way.

use super::calendar::{DateRule, FIRST_YEAR, LAST_YEAR};
use crate::kernel::LineProblem;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// More lines than any real schedule has; a longer file is refused before it is read through.
pub const MAX_LINES: usize = 5_000;
/// Reporting stops after this many bad lines.
const MAX_REPORTED: usize = 20;

/// One dated entry of a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedEntry {
    pub date: NaiveDate,
    pub rule: DateRule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileError {
    TooLong { max_lines: usize },
    /// The bad lines, numbered from 1, at most the first twenty.
    BadLines(Vec<(usize, LineProblem)>),
    /// The bad events of an iCalendar file, numbered from 1 in the file's order.
    BadEvents(Vec<(usize, LineProblem)>),
    /// Not an iCalendar file.
    Unreadable,
    Empty,
}

/// Reads a CSV file of dated entries, in date order.
pub fn parse_csv(text: &str) -> Result<Vec<DatedEntry>, FileError> {
    if text.lines().nth(MAX_LINES).is_some() {
        return Err(FileError::TooLong { max_lines: MAX_LINES });
    }
    let mut entries = BTreeMap::new();
    let mut bad = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') || (index == 0 && line.to_ascii_lowercase().starts_with("date")) {
            continue;
        }
        match parse_line(line) {
            Ok(entry) if entries.contains_key(&entry.date) => bad.push((index + 1, LineProblem::RepeatedDate)),
            Ok(entry) => {
                entries.insert(entry.date, entry);
            }
            Err(problem) => bad.push((index + 1, problem)),
        }
        if bad.len() >= MAX_REPORTED {
            break;
        }
    }
    outcome(entries, bad, FileError::BadLines)
}

/// How a read ends: its bad entries if it has any, else its entries in date order.
fn outcome(
    entries: BTreeMap<NaiveDate, DatedEntry>,
    bad: Vec<(usize, LineProblem)>,
    as_error: fn(Vec<(usize, LineProblem)>) -> FileError,
) -> Result<Vec<DatedEntry>, FileError> {
    if !bad.is_empty() {
        return Err(as_error(bad));
    }
    if entries.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(entries.into_values().collect())
}

fn parse_line(line: &str) -> Result<DatedEntry, LineProblem> {
    let mut fields = line.split(',').map(str::trim);
    let date = fields
        .next()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or(LineProblem::BadDate)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return Err(LineProblem::DateOutOfRange);
    }
    let rule = match fields.next().map(str::to_ascii_lowercase).as_deref() {
        Some("holiday" | "休") => DateRule::Holiday,
        Some("workday" | "班") => match fields.next().filter(|w| !w.is_empty()) {
            None => DateRule::WorksLike(Weekday::Mon),
            Some(name) => DateRule::WorksLike(weekday(name).ok_or(LineProblem::UnknownWeekday)?),
        },
        _ => return Err(LineProblem::UnknownKind),
    };
    Ok(DatedEntry { date, rule })
}

fn weekday(name: &str) -> Option<Weekday> {
    name.parse::<Weekday>().ok()
}

/// The entries as CSV, in the form [`parse_csv`] reads.
pub fn to_csv(dates: &BTreeMap<NaiveDate, DateRule>) -> String {
    let mut out = String::from("date,kind,works_like\n");
    for (date, rule) in dates {
        match rule {
            DateRule::Holiday => out.push_str(&format!("{date},holiday,\n")),
            DateRule::WorksLike(like) => out.push_str(&format!("{date},workday,{}\n", like.to_string().to_lowercase())),
        }
    }
    out
}

/// Reads an iCalendar file of all-day events, in date order.
#[cfg(feature = "ssr")]
pub fn parse_ics(text: &str) -> Result<Vec<DatedEntry>, FileError> {
    use icalendar::parser::{read_calendar, unfold, Component};

    fn events<'a>(components: &'a [Component<'a>], out: &mut Vec<&'a Component<'a>>) {
        for component in components {
            if component.name.as_str().eq_ignore_ascii_case("VEVENT") {
                out.push(component);
            }
            events(&component.components, out);
        }
    }

    // Unfolding copies the file; the line limit keeps that and the parse small.
    if text.lines().nth(MAX_ICS_LINES).is_some() {
        return Err(FileError::TooLong { max_lines: MAX_ICS_LINES });
    }
    let unfolded = unfold(text);
    let calendar = read_calendar(&unfolded).map_err(|_| FileError::Unreadable)?;
    let mut found = Vec::new();
    events(&calendar.components, &mut found);
    let mut entries = BTreeMap::new();
    let mut bad = Vec::new();
    for (index, event) in found.iter().enumerate() {
        let value = |name: &str| {
            event
                .properties
                .iter()
                .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
                .map(|p| p.val.as_str().trim().to_owned())
        };
        match event_entries(value("DTSTART"), value("DTEND"), value("SUMMARY"), value("CATEGORIES"), value(WORKS_LIKE)) {
            Ok(dated) => {
                for entry in dated {
                    if entries.insert(entry.date, entry).is_some_and(|earlier| earlier != entry) {
                        bad.push((index + 1, LineProblem::RepeatedDate));
                    }
                }
            }
            Err(problem) => bad.push((index + 1, problem)),
        }
        if bad.len() >= MAX_REPORTED {
            break;
        }
    }
    outcome(entries, bad, FileError::BadEvents)
}

/// An iCalendar file is longer than a CSV for the same schedule: about ten lines an event.
pub const MAX_ICS_LINES: usize = 50_000;
/// The longest run of days off one event may cover.
#[cfg(feature = "ssr")]
const MAX_EVENT_DAYS: i64 = 31;
/// The property that carries a make-up day's borrowed weekday in the files this portal writes.
#[cfg(feature = "ssr")]
const WORKS_LIKE: &str = "X-FSSC-WORKS-LIKE";

#[cfg(feature = "ssr")]
fn event_entries(
    start: Option<String>,
    end: Option<String>,
    summary: Option<String>,
    categories: Option<String>,
    works_like: Option<String>,
) -> Result<Vec<DatedEntry>, LineProblem> {
    // A date value is `YYYYMMDD`; a date-time value starts with one.
    let date = |value: &str| value.get(..8).and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok());
    let start = start.as_deref().and_then(date).ok_or(LineProblem::BadDate)?;
    let end = match end.as_deref() {
        None => start.succ_opt().unwrap_or(start),
        Some(value) => date(value).ok_or(LineProblem::BadDate)?.max(start.succ_opt().unwrap_or(start)),
    };
    let days = (end - start).num_days();
    if !(FIRST_YEAR..=LAST_YEAR).contains(&start.year()) || !(FIRST_YEAR..=LAST_YEAR).contains(&end.year()) {
        return Err(LineProblem::DateOutOfRange);
    }
    if days > MAX_EVENT_DAYS {
        return Err(LineProblem::TooManyDays);
    }
    let text = format!("{} {}", summary.unwrap_or_default(), categories.unwrap_or_default()).to_lowercase();
    let rule = if text.contains('班') || text.contains("workday") {
        match works_like.filter(|w| !w.is_empty()) {
            None => DateRule::WorksLike(Weekday::Mon),
            Some(name) => DateRule::WorksLike(weekday(&name).ok_or(LineProblem::UnknownWeekday)?),
        }
    } else {
        DateRule::Holiday
    };
    Ok(start.iter_days().take(days as usize).map(|date| DatedEntry { date, rule }).collect())
}

/// The entries as an iCalendar file: one all-day event a date, which [`parse_ics`] reads back.
#[cfg(feature = "ssr")]
pub fn to_ics(dates: &BTreeMap<NaiveDate, DateRule>) -> String {
    use icalendar::{Calendar, Component, Event, EventLike};
    let mut calendar = Calendar::new();
    calendar.name("FSSC working calendar");
    for (date, rule) in dates {
        let mut event = Event::new();
        event.uid(&format!("{date}@fssc-calendar")).starts(*date).ends(date.succ_opt().unwrap_or(*date));
        match rule {
            DateRule::Holiday => event.summary("休 holiday"),
            DateRule::WorksLike(like) => {
                event.summary("班 workday").add_property(WORKS_LIKE, like.to_string().to_lowercase())
            }
        };
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

/// What an import would do to a calendar's dated entries. Dates the file does not name are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub added: Vec<DatedEntry>,
    /// Each changed date with its entry before and after.
    pub changed: Vec<(DatedEntry, DatedEntry)>,
    pub unchanged: usize,
}

pub fn preview(current: &BTreeMap<NaiveDate, DateRule>, incoming: &[DatedEntry]) -> ImportPreview {
    let mut preview = ImportPreview::default();
    for entry in incoming {
        match current.get(&entry.date) {
            None => preview.added.push(*entry),
            Some(rule) if *rule == entry.rule => preview.unchanged += 1,
            Some(rule) => preview.changed.push((DatedEntry { date: entry.date, rule: *rule }, *entry)),
        }
    }
    preview
}

/// The dated entries after an import, as the holidays and make-up days a calendar is built from.
pub fn merged(
    current: &BTreeMap<NaiveDate, DateRule>,
    incoming: &[DatedEntry],
) -> (Vec<NaiveDate>, Vec<(NaiveDate, Weekday)>) {
    let mut all = current.clone();
    all.extend(incoming.iter().map(|e| (e.date, e.rule)));
    let holidays = all.iter().filter(|(_, r)| **r == DateRule::Holiday).map(|(d, _)| *d).collect();
    let make_up = all
        .iter()
        .filter_map(|(d, r)| match r {
            DateRule::WorksLike(like) => Some((*d, *like)),
            DateRule::Holiday => None,
        })
        .collect();
    (holidays, make_up)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::calendar::{center_default, standard_week, WorkCalendar};

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    #[test]
    fn a_schedule_file_round_trips() {
        let calendar = center_default().unwrap();
        let text = to_csv(calendar.dates());
        let entries = parse_csv(&text).unwrap();
        assert_eq!(entries.len(), calendar.dates().len());
        let (holidays, make_up) = merged(&BTreeMap::new(), &entries);
        let again = WorkCalendar::new("Asia/Shanghai", standard_week(), &holidays, &make_up).unwrap();
        assert_eq!(again, calendar);
    }

    #[test]
    fn chinese_kinds_comments_and_a_header_are_read() {
        let text = "\u{feff}date,kind,works_like\n# 2027 春节\n2027-02-06, 班 ,sat\n\n2027-02-08,休\n";
        assert_eq!(
            parse_csv(text).unwrap(),
            vec![
                DatedEntry { date: date(2, 6), rule: DateRule::WorksLike(Weekday::Sat) },
                DatedEntry { date: date(2, 8), rule: DateRule::Holiday },
            ]
        );
    }

    #[test]
    fn bad_lines_are_reported_by_number_and_nothing_is_read() {
        let text = "2027-13-01,holiday\n2027-01-01,vacation\n2027-01-02,workday,someday\n2101-01-01,holiday\n2027-01-03,holiday\n2027-01-03,workday\n";
        assert_eq!(
            parse_csv(text),
            Err(FileError::BadLines(vec![
                (1, LineProblem::BadDate),
                (2, LineProblem::UnknownKind),
                (3, LineProblem::UnknownWeekday),
                (4, LineProblem::DateOutOfRange),
                (6, LineProblem::RepeatedDate),
            ]))
        );
        assert_eq!(parse_csv("not a calendar at all"), Err(FileError::BadLines(vec![(1, LineProblem::BadDate)])));
        assert_eq!(parse_csv("date,kind\n\n"), Err(FileError::Empty));
    }

    #[test]
    fn a_file_of_a_hundred_thousand_lines_is_refused_unread() {
        let text = "2027-01-01,holiday\n".repeat(100_000);
        assert_eq!(parse_csv(&text), Err(FileError::TooLong { max_lines: MAX_LINES }));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_schedule_round_trips_through_icalendar() {
        let calendar = center_default().unwrap();
        let entries = parse_ics(&to_ics(calendar.dates())).unwrap();
        let (holidays, make_up) = merged(&BTreeMap::new(), &entries);
        assert_eq!(WorkCalendar::new("Asia/Shanghai", standard_week(), &holidays, &make_up).unwrap(), calendar);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_public_holiday_feed_is_read_as_runs_of_days_off_and_make_up_days() {
        let feed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:中国法定节假日\r\n\
            BEGIN:VEVENT\r\nUID:2027-10-01\r\nDTSTART;VALUE=DATE:20271001\r\nDTEND;VALUE=DATE:20271008\r\nSUMMARY:国庆节 假期\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:2027-10-09\r\nDTSTART;VALUE=DATE:20271009\r\nSUMMARY:国庆节 补班\r\nEND:VEVENT\r\n\
            END:VCALENDAR\r\n";
        let entries = parse_ics(feed).unwrap();
        assert_eq!(entries.len(), 8);
        assert!(entries[..7].iter().all(|e| e.rule == DateRule::Holiday));
        assert_eq!((entries[0].date, entries[6].date), (date(10, 1), date(10, 7)));
        assert_eq!(entries[7], DatedEntry { date: date(10, 9), rule: DateRule::WorksLike(Weekday::Mon) });
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn unreadable_long_and_bad_icalendar_files_are_refused() {
        assert_eq!(parse_ics("date,kind\n2027-01-01,holiday\n"), Err(FileError::Unreadable));
        let long = format!("BEGIN:VCALENDAR\r\n{}END:VCALENDAR\r\n", "X-NOTE:x\r\n".repeat(100_000));
        assert_eq!(parse_ics(&long), Err(FileError::TooLong { max_lines: MAX_ICS_LINES }));
        let bad = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:21010101\r\nSUMMARY:休\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nDTSTART:tomorrow\r\nSUMMARY:休\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20280101\r\nSUMMARY:休\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_eq!(
            parse_ics(bad),
            Err(FileError::BadEvents(vec![
                (1, LineProblem::DateOutOfRange),
                (2, LineProblem::BadDate),
                (3, LineProblem::TooManyDays),
            ]))
        );
        assert_eq!(parse_ics("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"), Err(FileError::Empty));
    }

    #[test]
    fn the_preview_shows_what_an_import_adds_and_changes() {
        let mut current = BTreeMap::new();
        current.insert(date(1, 1), DateRule::Holiday);
        current.insert(date(2, 6), DateRule::Holiday);
        let incoming = [
            DatedEntry { date: date(1, 1), rule: DateRule::Holiday },
            DatedEntry { date: date(2, 6), rule: DateRule::WorksLike(Weekday::Mon) },
            DatedEntry { date: date(2, 8), rule: DateRule::Holiday },
        ];
        let preview = preview(&current, &incoming);
        assert_eq!(preview.unchanged, 1);
        assert_eq!(preview.added, vec![incoming[2]]);
        assert_eq!(preview.changed, vec![(DatedEntry { date: date(2, 6), rule: DateRule::Holiday }, incoming[1])]);
        // Applied, the file's entry wins and dates it does not name stay.
        let (holidays, make_up) = merged(&current, &incoming);
        assert_eq!(holidays, vec![date(1, 1), date(2, 8)]);
        assert_eq!(make_up, vec![(date(2, 6), Weekday::Mon)]);
    }
}
