//! The dashboard's address: reading the filters a bookmark carries, and writing them back.

use super::{DashboardAddress, DashboardFilter, Preset, MAX_PERIOD_YEARS};
use crate::{
    error::{AppError, Field, FieldError, Problem},
    kernel::{OrgId, TeamId, TierId, TypeId, UserId},
};
use chrono::{Datelike, Months, NaiveDate};

/// The first and last day of a preset period around `today`.
pub fn preset_days(preset: Preset, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let month_start = today.with_day(1).unwrap_or(today);
    let month_end = |start: NaiveDate| start.checked_add_months(Months::new(1)).and_then(|n| n.pred_opt()).unwrap_or(start);
    match preset {
        Preset::ThisMonth => (month_start, month_end(month_start)),
        Preset::LastMonth => {
            let start = month_start.checked_sub_months(Months::new(1)).unwrap_or(month_start);
            (start, month_end(start))
        }
        Preset::ThisQuarter => {
            let start = NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1).unwrap_or(month_start);
            let end = start.checked_add_months(Months::new(3)).and_then(|n| n.pred_opt()).unwrap_or(start);
            (start, end)
        }
        Preset::ThisYear => (
            NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(month_start),
            NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(month_start),
        ),
    }
}

fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Reads the address: a preset, else the dates given, else this month. Ids are
/// only read as numbers here: whether the viewer may filter on them is the service's check.
pub fn parse(address: &DashboardAddress, today: NaiveDate) -> Result<DashboardFilter, AppError> {
    let mut problems = Vec::new();
    let preset = match given(&address.period) {
        Some(text) => match text.parse::<Preset>() {
            Ok(p) => Some(p),
            Err(_) => {
                problems.push((Field::PeriodFrom, Problem::UnknownChoice));
                None
            }
        },
        None => None,
    };
    let date = |field: Field, text: &Option<String>, problems: &mut Vec<(Field, Problem)>| {
        given(text).and_then(|t| match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push((field, Problem::InvalidDate));
                None
            }
        })
    };
    let from = date(Field::PeriodFrom, &address.from, &mut problems);
    let to = date(Field::PeriodTo, &address.to, &mut problems);
    // A preset chosen wins over the dates the form still shows; without one, typed dates
    // count, and with neither the view is this month.
    let typed = preset.is_none() && (from.is_some() || to.is_some());
    let (first_day, last_day) = if typed {
        let first = from.or(to).unwrap_or(today);
        (first, to.unwrap_or(today.max(first)))
    } else {
        preset_days(preset.unwrap_or(Preset::ThisMonth), today)
    };
    if last_day < first_day {
        problems.push((Field::PeriodTo, Problem::EndsBeforeStart));
    } else if first_day.checked_add_months(Months::new(12 * MAX_PERIOD_YEARS)).is_none_or(|limit| last_day >= limit) {
        problems.push((Field::PeriodTo, Problem::PeriodTooLong { max_years: MAX_PERIOD_YEARS }));
    }
    let id = |field: Field, text: &Option<String>, problems: &mut Vec<(Field, Problem)>| {
        given(text).and_then(|t| match t.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                problems.push((field, Problem::UnknownChoice));
                None
            }
        })
    };
    let org = id(Field::Organisation, &address.org, &mut problems).map(OrgId);
    let tier = id(Field::Tier, &address.tier, &mut problems).map(TierId);
    let request_type = id(Field::RequestType, &address.request_type, &mut problems).map(TypeId);
    let team = id(Field::Team, &address.team, &mut problems).map(TeamId);
    let agent = id(Field::Agent, &address.agent, &mut problems).map(UserId);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.into_iter().map(|(field, problem)| FieldError { field, problem }).collect()));
    }
    Ok(DashboardFilter { preset: if typed { None } else { preset }, first_day, last_day, org, tier, request_type, team, agent })
}

impl DashboardFilter {
    /// The query string that shows this view again, without the leading `?`.
    pub fn query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = match self.preset {
            Some(p) => vec![("period", p.as_str().to_string())],
            None => vec![("from", self.first_day.to_string()), ("to", self.last_day.to_string())],
        };
        let ids = [
            ("org", self.org.map(|v| v.0)),
            ("tier", self.tier.map(|v| v.0)),
            ("type", self.request_type.map(|v| v.0)),
            ("team", self.team.map(|v| v.0)),
            ("agent", self.agent.map(|v| v.0)),
        ];
        pairs.extend(ids.into_iter().filter_map(|(k, v)| v.map(|v| (k, v.to_string()))));
        pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn address(pairs: &[(&str, &str)]) -> DashboardAddress {
        let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string());
        DashboardAddress {
            period: get("period"),
            from: get("from"),
            to: get("to"),
            org: get("org"),
            tier: get("tier"),
            request_type: get("type"),
            team: get("team"),
            agent: get("agent"),
        }
    }

    fn problems(result: Result<DashboardFilter, AppError>) -> Vec<(Field, Problem)> {
        match result {
            Err(AppError::Invalid(p)) => p.into_iter().map(|e| (e.field, e.problem)).collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn presets_around_a_day() {
        let today = day(2026, 12, 7);
        assert_eq!(preset_days(Preset::ThisMonth, today), (day(2026, 12, 1), day(2026, 12, 31)));
        assert_eq!(preset_days(Preset::LastMonth, today), (day(2026, 11, 1), day(2026, 11, 30)));
        assert_eq!(preset_days(Preset::ThisQuarter, today), (day(2026, 10, 1), day(2026, 12, 31)));
        assert_eq!(preset_days(Preset::ThisYear, today), (day(2026, 1, 1), day(2026, 12, 31)));
        assert_eq!(preset_days(Preset::LastMonth, day(2027, 1, 15)), (day(2026, 12, 1), day(2026, 12, 31)));
    }

    #[test]
    fn an_empty_address_is_this_month_and_reads_back() {
        let f = parse(&DashboardAddress::default(), day(2026, 12, 7)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((f.first_day, f.last_day), (day(2026, 12, 1), day(2026, 12, 31)));
        let f = parse(&address(&[("from", "2026-10-01"), ("to", "2026-10-31"), ("org", "3"), ("type", "2")]), day(2026, 12, 7))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(f.query(), "from=2026-10-01&to=2026-10-31&org=3&type=2");
        assert_eq!(f.org, Some(OrgId(3)));
    }

    #[test]
    fn a_period_ending_before_it_starts_or_over_five_years_is_refused() {
        let today = day(2026, 12, 7);
        assert_eq!(problems(parse(&address(&[("from", "2026-11-30"), ("to", "2026-11-01")]), today)), vec![(Field::PeriodTo, Problem::EndsBeforeStart)]);
        assert_eq!(
            problems(parse(&address(&[("from", "2020-01-01"), ("to", "2025-01-01")]), today)),
            vec![(Field::PeriodTo, Problem::PeriodTooLong { max_years: 5 })]
        );
        // Exactly five years, last day included, is the longest allowed.
        assert!(parse(&address(&[("from", "2020-01-01"), ("to", "2024-12-31")]), today).is_ok());
    }

    #[test]
    fn words_where_dates_or_ids_belong_are_refused_by_field() {
        let p = problems(parse(&address(&[("from", "yesterday"), ("org", "abc"), ("agent", "-4"), ("period", "decade")]), day(2026, 12, 7)));
        assert!(p.contains(&(Field::PeriodFrom, Problem::InvalidDate)));
        assert!(p.contains(&(Field::PeriodFrom, Problem::UnknownChoice)));
        assert!(p.contains(&(Field::Organisation, Problem::UnknownChoice)));
        assert!(p.contains(&(Field::Agent, Problem::UnknownChoice)));
    }
}
