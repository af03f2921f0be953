//! Holidays and make-up workdays as CSV, so that next year's official schedule is entered in
//! one step, and what an import would change, shown before it is applied.
//!
//! One entry per line: `date,kind,works_like`, where `kind` is `holiday` (or 休) or `workday`
//! (or 班), and `works_like` names the weekday whose periods a make-up workday works (`mon` …
//! `sun`, Monday when left empty). A header line, blank lines and `#` comments are allowed.

use super::calendar::{DateRule, FIRST_YEAR, LAST_YEAR};
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

/// What is wrong with a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineProblem {
    BadDate,
    UnknownKind,
    UnknownWeekday,
    DateOutOfRange,
    /// The date is already on an earlier line of the file.
    RepeatedDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileError {
    TooLong { max_lines: usize },
    /// The bad lines, numbered from 1, at most the first twenty.
    BadLines(Vec<(usize, LineProblem)>),
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
    if !bad.is_empty() {
        return Err(FileError::BadLines(bad));
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
