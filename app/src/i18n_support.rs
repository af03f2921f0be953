//! Labels for domain values, in the viewer's language.

use crate::{
    auth::Role,
    i18n::Locale,
    requests::RequestStatus,
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
