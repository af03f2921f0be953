//! The dashboard's tables as CSV for Excel: a UTF-8 byte order mark (without it Excel shows
//! Chinese as mojibake), CRLF lines, shares as percentages with one decimal, durations in
//! working hours with one decimal, and text a spreadsheet would run as a formula kept as text.

use super::{Dashboard, Table};
use crate::{
    spreadsheet::Csv,
    i18n_support::reject_reason_label,
    kernel::Language,
    ratings::ui::{reason_label, root_cause_label},
};
use leptos_i18n::td_string;

/// A share as a percentage with one decimal, empty when there is nothing to divide.
fn percent(share: Option<f64>) -> String {
    share.map(|s| format!("{:.1}", s * 100.0)).unwrap_or_default()
}

fn hours(minutes: i64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

/// The file name of a table's download.
pub fn file_name(dashboard: &Dashboard, table: Table) -> String {
    format!("{}-{}-{}.csv", table.as_str(), dashboard.filter.first_day, dashboard.filter.last_day)
}

pub fn table(dashboard: &Dashboard, table: Table, language: Language) -> String {
    let locale = language.locale();
    let mut csv = Csv::default();
    match table {
        Table::Volume => {
            csv.line(&[
                td_string!(locale, dashboard.csv_start),
                td_string!(locale, dashboard.submitted),
                td_string!(locale, dashboard.resolved),
                td_string!(locale, dashboard.open_at_end),
                td_string!(locale, dashboard.month_end),
            ]);
            for row in &dashboard.volume {
                csv.line(&[
                    row.start.to_string(),
                    row.submitted.to_string(),
                    row.resolved.to_string(),
                    row.open_at_end.to_string(),
                    if row.month_end { td_string!(locale, common.yes) } else { td_string!(locale, common.no) }.to_string(),
                ]);
            }
        }
        Table::Service => {
            csv.line(&[td_string!(locale, dashboard.csv_measure), td_string!(locale, dashboard.csv_value)]);
            let rows = [
                (td_string!(locale, dashboard.first_response_met), dashboard.first_response.met.to_string()),
                (td_string!(locale, dashboard.first_response_missed), dashboard.first_response.missed.to_string()),
                (td_string!(locale, dashboard.first_response_percent), percent(dashboard.first_response.share())),
                (td_string!(locale, dashboard.resolution_met), dashboard.resolution.met.to_string()),
                (td_string!(locale, dashboard.resolution_missed), dashboard.resolution.missed.to_string()),
                (td_string!(locale, dashboard.resolution_percent), percent(dashboard.resolution.share())),
                (td_string!(locale, dashboard.median_hours), dashboard.resolution_times.map(|t| hours(t.median_minutes)).unwrap_or_default()),
                (td_string!(locale, dashboard.p90_hours), dashboard.resolution_times.map(|t| hours(t.p90_minutes)).unwrap_or_default()),
                (td_string!(locale, dashboard.backlog_unclaimed), dashboard.backlog.unclaimed.to_string()),
                (td_string!(locale, dashboard.backlog_in_progress), dashboard.backlog.in_progress.to_string()),
                (td_string!(locale, dashboard.backlog_awaiting), dashboard.backlog.awaiting_client.to_string()),
            ];
            for (label, value) in rows {
                csv.line(&[label.to_string(), value]);
            }
        }
        Table::Satisfaction => {
            csv.line(&[td_string!(locale, dashboard.csv_measure), td_string!(locale, dashboard.csv_value)]);
            let c = &dashboard.csat;
            let rows = [
                (td_string!(locale, dashboard.ratings), c.ratings.to_string()),
                (td_string!(locale, dashboard.resolutions), c.resolutions.to_string()),
                (td_string!(locale, dashboard.csat_average), c.average.map(|a| format!("{a:.2}")).unwrap_or_default()),
                (td_string!(locale, dashboard.satisfied_percent), percent(c.satisfied_share)),
                (td_string!(locale, dashboard.response_percent), percent(c.response_rate)),
                (td_string!(locale, dashboard.low_scores), c.low_scores.to_string()),
            ];
            for (label, value) in rows {
                csv.line(&[label.to_string(), value]);
            }
            for (reason, n) in &dashboard.low_reasons {
                csv.line(&[format!("{}: {}", td_string!(locale, dashboard.low_reason), reason_label(locale, *reason)), n.to_string()]);
            }
        }
        Table::Rejections => {
            csv.line(&[
                td_string!(locale, dashboard.csv_group),
                td_string!(locale, dashboard.csv_name),
                td_string!(locale, dashboard.finished),
                td_string!(locale, dashboard.rejected),
                td_string!(locale, dashboard.rejection_percent),
            ]);
            let r = &dashboard.rejections;
            let share = |part: i64, whole: i64| percent((whole > 0).then(|| part as f64 / whole as f64));
            csv.line(&[
                td_string!(locale, dashboard.all_requests).to_string(),
                String::new(),
                r.finished.to_string(),
                r.rejected.to_string(),
                share(r.rejected, r.finished),
            ]);
            for (reason, n) in &r.by_reason {
                csv.line(&[
                    td_string!(locale, dashboard.by_reason).to_string(),
                    reject_reason_label(locale, *reason).to_string(),
                    r.finished.to_string(),
                    n.to_string(),
                    share(*n, r.finished),
                ]);
            }
            for t in &r.by_type {
                let name = match (language, &t.name_en) {
                    (Language::En, Some(en)) if !en.is_empty() => en.clone(),
                    _ => t.name_zh.clone(),
                };
                csv.line(&[
                    td_string!(locale, dashboard.by_type).to_string(),
                    name,
                    t.finished.to_string(),
                    t.rejected.to_string(),
                    share(t.rejected, t.finished),
                ]);
            }
        }
        Table::Agents => {
            csv.line(&[
                td_string!(locale, dashboard.agent),
                td_string!(locale, dashboard.first_owned),
                td_string!(locale, dashboard.kept),
                td_string!(locale, dashboard.passed_on),
                td_string!(locale, dashboard.finished_by_agent),
                td_string!(locale, dashboard.csat_first_owner),
                td_string!(locale, dashboard.csat_resolver),
                td_string!(locale, dashboard.paused_hours),
                td_string!(locale, dashboard.worked_hours),
                td_string!(locale, dashboard.paused_percent),
                td_string!(locale, dashboard.flagged),
            ]);
            for a in &dashboard.agents {
                csv.line(&[
                    a.name.clone(),
                    a.first_owned.to_string(),
                    a.kept.to_string(),
                    a.passed_on.to_string(),
                    a.finished.to_string(),
                    a.csat_as_first_owner.map(|v| format!("{v:.2}")).unwrap_or_default(),
                    a.csat_as_resolver.map(|v| format!("{v:.2}")).unwrap_or_default(),
                    hours(a.paused_minutes),
                    hours(a.worked_minutes),
                    percent(a.paused_share),
                    if a.flagged { td_string!(locale, common.yes) } else { td_string!(locale, common.no) }.to_string(),
                ]);
            }
        }
        Table::FollowUps => {
            csv.line(&[td_string!(locale, dashboard.csv_measure), td_string!(locale, dashboard.csv_value)]);
            let f = &dashboard.follow_ups;
            csv.line(&[td_string!(locale, dashboard.follow_ups_opened).to_string(), f.opened.to_string()]);
            csv.line(&[td_string!(locale, dashboard.follow_ups_open).to_string(), f.open.to_string()]);
            csv.line(&[td_string!(locale, dashboard.follow_ups_overdue).to_string(), f.overdue.to_string()]);
            for (cause, n) in &f.by_root_cause {
                csv.line(&[format!("{}: {}", td_string!(locale, dashboard.root_cause), root_cause_label(locale, *cause)), n.to_string()]);
            }
        }
        Table::Disputes => {
            csv.line(&[
                td_string!(locale, dashboard.disputes_month),
                td_string!(locale, dashboard.disputes_opened),
                td_string!(locale, dashboard.disputes_accepted),
                td_string!(locale, dashboard.disputes_declined),
                td_string!(locale, dashboard.disputes_open),
            ]);
            for d in &dashboard.disputes {
                csv.line(&[d.month.format("%Y-%m").to_string(), d.opened.to_string(), d.accepted.to_string(), d.declined.to_string(), d.open.to_string()]);
            }
        }
    }
    csv.finish()
}
