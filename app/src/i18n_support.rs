//! Labels for domain values, in the viewer's language.

use crate::{
    auth::Role,
    i18n::Locale,
    requests::{RejectReason, RequestAction, RequestStatus},
};
use leptos_i18n::td_string;

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
