//! The words for the kernel's values and the application's errors, in the viewer's language.
//! The values themselves (`kernel`, `error`) know no language: a message is chosen here, where it
//! is shown.

use crate::{
    i18n::Locale,
    kernel::{Language, LineProblem, RejectReason, RequestAction, RequestStatus, Role},
};
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

mod errors;

pub fn role_label(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Client => td_string!(locale, roles.client),
        Role::OrgContact => td_string!(locale, roles.org_contact),
        Role::Agent => td_string!(locale, roles.agent),
        Role::CustomerManager => td_string!(locale, roles.customer_manager),
        Role::Admin => td_string!(locale, roles.admin),
    }
}

pub fn status_label(locale: Locale, status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Submitted => td_string!(locale, status.submitted),
        RequestStatus::InReview => td_string!(locale, status.in_review),
        RequestStatus::AwaitingClient => td_string!(locale, status.awaiting_client),
        RequestStatus::Resolved => td_string!(locale, status.resolved),
        RequestStatus::Rejected => td_string!(locale, status.rejected),
        RequestStatus::Withdrawn => td_string!(locale, status.withdrawn),
        RequestStatus::Closed => td_string!(locale, status.closed),
    }
}

pub fn action_label(locale: Locale, action: RequestAction) -> &'static str {
    match action {
        RequestAction::Claim => td_string!(locale, actions.claim),
        RequestAction::AskForInformation => td_string!(locale, actions.ask_for_information),
        RequestAction::ProvideInformation => td_string!(locale, actions.provide_information),
        RequestAction::Resolve => td_string!(locale, actions.resolve),
        RequestAction::Reject => td_string!(locale, actions.reject),
        RequestAction::Withdraw => td_string!(locale, actions.withdraw),
        RequestAction::Reopen => td_string!(locale, actions.reopen),
        RequestAction::Close => td_string!(locale, actions.close),
        RequestAction::Transfer => td_string!(locale, actions.transfer),
    }
}

/// The portal language a browser asks for: the first of its languages the portal speaks.
pub fn locale_from_accept_language(header: Option<&str>) -> Locale {
    let Some(header) = header else { return Locale::zh_CN };
    let mut tags: Vec<(f32, String)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    for (_, tag) in tags {
        if tag.starts_with("zh") {
            return Locale::zh_CN;
        }
        if tag.starts_with("en") {
            return Locale::en;
        }
    }
    Locale::zh_CN
}

pub fn reject_reason_label(locale: Locale, reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::MissingDocuments => td_string!(locale, reject.missing_documents),
        RejectReason::InvalidInvoice => td_string!(locale, reject.invalid_invoice),
        RejectReason::OverBudget => td_string!(locale, reject.over_budget),
        RejectReason::NotApproved => td_string!(locale, reject.not_approved),
        RejectReason::Duplicate => td_string!(locale, reject.duplicate),
        RejectReason::OutOfScope => td_string!(locale, reject.out_of_scope),
        RejectReason::Other => td_string!(locale, reject.other),
    }
}

/// "Monday's working hours" and so on; `day` counts from Monday = 0.
pub fn weekday_hours_label(locale: Locale, day: u8) -> &'static str {
    match day {
        0 => td_string!(locale, fields.hours_mon),
        1 => td_string!(locale, fields.hours_tue),
        2 => td_string!(locale, fields.hours_wed),
        3 => td_string!(locale, fields.hours_thu),
        4 => td_string!(locale, fields.hours_fri),
        5 => td_string!(locale, fields.hours_sat),
        _ => td_string!(locale, fields.hours_sun),
    }
}

pub fn weekday_label(locale: Locale, day: chrono::Weekday) -> &'static str {
    match day {
        chrono::Weekday::Mon => td_string!(locale, calendars.mon),
        chrono::Weekday::Tue => td_string!(locale, calendars.tue),
        chrono::Weekday::Wed => td_string!(locale, calendars.wed),
        chrono::Weekday::Thu => td_string!(locale, calendars.thu),
        chrono::Weekday::Fri => td_string!(locale, calendars.fri),
        chrono::Weekday::Sat => td_string!(locale, calendars.sat),
        chrono::Weekday::Sun => td_string!(locale, calendars.sun),
    }
}

pub fn line_problem_label(locale: Locale, problem: LineProblem) -> &'static str {
    match problem {
        LineProblem::BadDate => td_string!(locale, problems.line_bad_date),
        LineProblem::UnknownKind => td_string!(locale, problems.line_unknown_kind),
        LineProblem::UnknownWeekday => td_string!(locale, problems.line_unknown_weekday),
        LineProblem::DateOutOfRange => td_string!(locale, problems.line_date_out_of_range),
        LineProblem::RepeatedDate => td_string!(locale, problems.line_repeated_date),
        LineProblem::TooManyDays => td_string!(locale, problems.line_too_many_days),
    }
}

impl Language {
    pub fn locale(self) -> Locale {
        match self {
            Language::ZhCn => Locale::zh_CN,
            Language::En => Locale::en,
        }
    }

    pub fn from_locale(locale: Locale) -> Self {
        match locale {
            Locale::zh_CN => Language::ZhCn,
            Locale::en => Language::En,
        }
    }
}

/// A text in both of the portal's languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Bilingual {
    pub zh: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Bilingual { zh: zh.into(), en: en.into() }
    }

    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::en if !self.en.is_empty() => &self.en,
            _ => &self.zh,
        }
    }
}
