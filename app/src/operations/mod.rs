//! Operations analysis (运营分析): whether the center keeps its promise of time and quality,
//! for the customer managers' subsidiaries and, for admins and center leads, all of them.
//!
//! The figures are defined once, in [`metrics`]; the store reads the facts they are computed
//! from; the page draws them as server-rendered SVG with a table and a sentence beside each
//! chart, and every table downloads as CSV.

use crate::{
    kernel::{OrgId, RejectReason, TeamId, TierId, TypeId, UserId},
    ratings::{metrics::Csat, ReasonTag, RootCause},
    text_enum,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub mod api;
pub mod filter;
pub mod metrics;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

/// Periods longer than a view whose days each get a bar are shown week by week.
pub const WEEKLY_AFTER_DAYS: i64 = 62;
/// The longest period a report reads.
pub const MAX_PERIOD_YEARS: u32 = 5;
/// The working days at the end of each month marked as the month-end peak (月底积压).
pub const MONTH_END_WORKING_DAYS: usize = 5;

text_enum!(
    /// The periods one picks without typing dates.
    pub enum Preset {
        ThisMonth => "this_month",
        LastMonth => "last_month",
        ThisQuarter => "this_quarter",
        ThisYear => "this_year",
    }
);

text_enum!(
    /// The dashboard's tables, each downloadable as CSV.
    pub enum Table {
        Volume => "volume",
        Service => "service",
        Satisfaction => "satisfaction",
        Rejections => "rejections",
        Agents => "agents",
        FollowUps => "follow_ups",
        Disputes => "disputes",
    }
);

/// The dashboard's filters as the address carries them: text, checked by the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardAddress {
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub org: Option<String>,
    pub tier: Option<String>,
    #[serde(rename = "type")]
    pub request_type: Option<String>,
    pub team: Option<String>,
    pub agent: Option<String>,
}

/// The filters once checked: a period of whole days in the viewer's zone, last day included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardFilter {
    pub preset: Option<Preset>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub org: Option<OrgId>,
    pub tier: Option<TierId>,
    pub request_type: Option<TypeId>,
    pub team: Option<TeamId>,
    pub agent: Option<UserId>,
}

/// One choice of a filter's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// What the viewer may filter on: only what their scope holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardChoices {
    pub orgs: Vec<Choice>,
    pub tiers: Vec<Choice>,
    pub types: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub agents: Vec<Choice>,
}

/// One day or week of the volume chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeRow {
    /// The first day of the bar.
    pub start: NaiveDate,
    pub submitted: i64,
    pub resolved: i64,
    /// Requests open at the end of the bar's last day.
    pub open_at_end: i64,
    /// One of the last working days of its month, when documents pile up.
    pub month_end: bool,
}

/// Open requests now, by where they wait.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backlog {
    pub unclaimed: i64,
    pub in_progress: i64,
    pub awaiting_client: i64,
}

/// Targets met and missed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attainment {
    pub met: i64,
    pub missed: i64,
}

impl Attainment {
    /// Met ÷ measured; `None` when nothing was measured.
    pub fn share(self) -> Option<f64> {
        let measured = self.met + self.missed;
        (measured > 0).then(|| self.met as f64 / measured as f64)
    }
}

/// Resolution times in working minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Durations {
    pub count: i64,
    pub median_minutes: i64,
    pub p90_minutes: i64,
}

/// Rejections (退单) of one request type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeRejections {
    pub type_id: TypeId,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub finished: i64,
    pub rejected: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejections {
    /// Requests resolved or rejected in the period.
    pub finished: i64,
    pub rejected: i64,
    pub by_reason: Vec<(RejectReason, i64)>,
    pub by_type: Vec<TypeRejections>,
}

/// One agent's accountability (首问负责制) and pauses, over the requests finished in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentFigures {
    pub agent: UserId,
    pub name: String,
    /// Requests this agent claimed first.
    pub first_owned: i64,
    /// Of those, finished by this agent.
    pub kept: i64,
    /// Of those, finished by someone else after a transfer.
    pub passed_on: i64,
    /// Requests this agent resolved or rejected.
    pub finished: i64,
    pub csat_as_first_owner: Option<f64>,
    pub csat_as_resolver: Option<f64>,
    /// Working minutes paused while waiting on the client, on the requests this agent finished.
    pub paused_minutes: i64,
    /// Working minutes counted on them, pauses left out.
    pub worked_minutes: i64,
    /// Paused ÷ (paused + counted).
    pub paused_share: Option<f64>,
    /// The share is above the center's threshold.
    pub flagged: bool,
}

/// Follow-ups of the low scores given in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpFigures {
    pub opened: i64,
    pub open: i64,
    /// Still open past their deadline.
    pub overdue: i64,
    /// Root causes found in the closed ones.
    pub by_root_cause: Vec<(RootCause, i64)>,
}

/// Everything the dashboard shows for one filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub filter: DashboardFilter,
    pub choices: DashboardChoices,
    /// Bars are weeks (starting on Monday) rather than days.
    pub weekly: bool,
    pub volume: Vec<VolumeRow>,
    pub backlog: Backlog,
    pub first_response: Attainment,
    pub resolution: Attainment,
    pub resolution_times: Option<Durations>,
    pub csat: Csat,
    pub low_reasons: Vec<(ReasonTag, i64)>,
    pub rejections: Rejections,
    pub agents: Vec<AgentFigures>,
    /// The paused share above which an agent is flagged, in percent.
    pub paused_flag_percent: i64,
    pub follow_ups: FollowUpFigures,
    /// Disputes of statement lines (对账) opened in the period, by the month billed.
    pub disputes: Vec<DisputeMonth>,
}

/// The disputes of one billed month's statements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeMonth {
    /// The first day of the month the statements cover.
    pub month: chrono::NaiveDate,
    pub opened: i64,
    pub accepted: i64,
    pub declined: i64,
    /// Still waiting for the customer manager's answer.
    pub open: i64,
}
