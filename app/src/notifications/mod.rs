//! Notifications: every change that matters to a person reaches them by itself, live in the
//! browser and by email.
//!
//! A change writes its notifications (one row per recipient) and their emails (the outbox) in
//! its own transaction. The browser holds one server-sent event stream that replays the table
//! from the last id it saw, so a dropped connection or a restarted server loses nothing.

use crate::{
    i18n::Locale,
    i18n_support::status_label,
    kernel::{NotificationId, ReferenceNo, RequestId, RequestStatus, Role},
    text_enum,
};
use chrono::{DateTime, Utc};
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

pub mod api;
pub mod live_ui;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod email;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

text_enum!(
    /// What a notification is about; each kind has its own delivery preference.
    pub enum NotificationKind {
        /// A request of the recipient's changed status.
        StatusChanged => "status_changed",
        /// The center asked the requester for information; the request waits on them.
        NeedsInformation => "needs_information",
        /// The other side of a request wrote a public message.
        Reply => "reply",
        /// A request was claimed by, or transferred to, the recipient.
        Assigned => "assigned",
        /// A request's deadline is near (the SLA engine raises it).
        SlaWarning => "sla_warning",
        /// A request's deadline has passed (the SLA engine raises it).
        SlaBreach => "sla_breach",
        /// A request of the recipient's team is still unclaimed at half its first-response time.
        SlaUnclaimed => "sla_unclaimed",
        /// A request of the recipient's was resolved: they are asked to rate it.
        RatingRequested => "rating_requested",
        /// A requester rated a request the recipient worked.
        RatingReceived => "rating_received",
        /// A low rating waits for the recipient's follow-up (回访).
        FollowUpAssigned => "follow_up_assigned",
        /// A follow-up passed its deadline without an outcome.
        FollowUpOverdue => "follow_up_overdue",
        /// A policy page was published for the recipient's audience.
        PolicyPublished => "policy_published",
        /// A subsidiary's monthly service statement was issued.
        StatementIssued => "statement_issued",
        /// An org contact disputed a line of a statement the recipient manages (对账).
        StatementDisputed => "statement_disputed",
        /// A customer manager accepted or declined a dispute of the recipient's subsidiary.
        DisputeAnswered => "dispute_answered",
    }
);

impl NotificationKind {
    /// The kinds a person in `roles` can receive, for the preferences form.
    pub fn for_roles(roles: &[Role]) -> Vec<NotificationKind> {
        let client = roles.iter().any(|r| r.is_client_side());
        let agent = roles.contains(&Role::Agent);
        let manager = roles.contains(&Role::CustomerManager);
        let admin = roles.contains(&Role::Admin);
        let contact = roles.contains(&Role::OrgContact);
        NotificationKind::ALL
            .iter()
            .copied()
            .filter(|kind| match kind {
                // Agents hear when the client side withdraws or reopens their request.
                NotificationKind::StatusChanged => client || agent,
                NotificationKind::NeedsInformation | NotificationKind::RatingRequested => client,
                NotificationKind::FollowUpAssigned | NotificationKind::FollowUpOverdue => manager || admin,
                NotificationKind::Reply => client || agent,
                NotificationKind::Assigned | NotificationKind::RatingReceived => agent,
                NotificationKind::SlaWarning | NotificationKind::SlaBreach => agent || manager,
                NotificationKind::SlaUnclaimed => agent,
                NotificationKind::PolicyPublished => true,
                NotificationKind::StatementIssued => contact || manager,
                NotificationKind::StatementDisputed => manager,
                NotificationKind::DisputeAnswered => contact,
            })
            .collect()
    }

    /// Whether email is on for this kind when the person never chose.
    pub fn email_by_default(self) -> bool {
        !matches!(self, NotificationKind::PolicyPublished)
    }
}

/// One notification as the bell, the toasts and the notification centre show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub request_id: Option<RequestId>,
    pub reference_no: Option<ReferenceNo>,
    /// The request's title, or the policy's.
    pub title: String,
    /// Where the notification leads, a path inside the portal.
    pub link: String,
    /// The request's status after the change.
    pub status: Option<RequestStatus>,
    pub actor_name: Option<String>,
    /// The start of the message or reason, when there is one.
    pub excerpt: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Notification {
    /// One line saying what happened, in the reader's language.
    pub fn headline(&self, locale: Locale) -> String {
        headline(locale, self.kind, self.reference_no.as_ref().map(|r| r.as_str()).unwrap_or(&self.title), self.status, self.actor_name.as_deref())
    }
}

/// What happened, in one line. Shared by the portal and the emails so they always agree.
pub fn headline(
    locale: Locale,
    kind: NotificationKind,
    subject: &str,
    status: Option<RequestStatus>,
    actor: Option<&str>,
) -> String {
    let actor = actor.unwrap_or("—");
    match kind {
        NotificationKind::StatusChanged => {
            let status = status.map(|s| status_label(locale, s)).unwrap_or("—");
            td_string!(locale, notify.status_changed, reference = subject, status = status)
        }
        NotificationKind::NeedsInformation => td_string!(locale, notify.needs_information, reference = subject),
        NotificationKind::Reply => td_string!(locale, notify.reply, reference = subject, actor = actor),
        NotificationKind::Assigned => td_string!(locale, notify.assigned, reference = subject, actor = actor),
        NotificationKind::SlaWarning => td_string!(locale, notify.sla_warning, reference = subject),
        NotificationKind::SlaBreach => td_string!(locale, notify.sla_breach, reference = subject),
        NotificationKind::SlaUnclaimed => td_string!(locale, notify.sla_unclaimed, reference = subject),
        NotificationKind::RatingReceived => td_string!(locale, notify.rating_received, reference = subject),
        NotificationKind::RatingRequested => td_string!(locale, notify.rating_requested, reference = subject),
        NotificationKind::FollowUpAssigned => td_string!(locale, notify.follow_up_assigned, reference = subject),
        NotificationKind::FollowUpOverdue => td_string!(locale, notify.follow_up_overdue, reference = subject),
        NotificationKind::PolicyPublished => td_string!(locale, notify.policy_published, title = subject),
        NotificationKind::StatementIssued => td_string!(locale, notify.statement_issued, title = subject),
        NotificationKind::StatementDisputed => td_string!(locale, notify.statement_disputed, title = subject, actor = actor),
        NotificationKind::DisputeAnswered => td_string!(locale, notify.dispute_answered, title = subject, actor = actor),
    }
}

pub fn kind_label(locale: Locale, kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::StatusChanged => td_string!(locale, notify.kind_status_changed),
        NotificationKind::NeedsInformation => td_string!(locale, notify.kind_needs_information),
        NotificationKind::Reply => td_string!(locale, notify.kind_reply),
        NotificationKind::Assigned => td_string!(locale, notify.kind_assigned),
        NotificationKind::SlaWarning => td_string!(locale, notify.kind_sla_warning),
        NotificationKind::SlaBreach => td_string!(locale, notify.kind_sla_breach),
        NotificationKind::SlaUnclaimed => td_string!(locale, notify.kind_sla_unclaimed),
        NotificationKind::RatingReceived => td_string!(locale, notify.kind_rating_received),
        NotificationKind::RatingRequested => td_string!(locale, notify.kind_rating_requested),
        NotificationKind::FollowUpAssigned => td_string!(locale, notify.kind_follow_up_assigned),
        NotificationKind::FollowUpOverdue => td_string!(locale, notify.kind_follow_up_overdue),
        NotificationKind::PolicyPublished => td_string!(locale, notify.kind_policy_published),
        NotificationKind::StatementIssued => td_string!(locale, notify.kind_statement_issued),
        NotificationKind::StatementDisputed => td_string!(locale, notify.kind_statement_disputed),
        NotificationKind::DisputeAnswered => td_string!(locale, notify.kind_dispute_answered),
    }
}

/// One page of the notification centre; `next` continues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPage {
    pub rows: Vec<Notification>,
    pub unread: i64,
    pub next: Option<NotificationId>,
}

/// What the bell needs on first render, and where the live stream starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NotificationSummary {
    pub unread: i64,
    /// The newest notification id so far; the stream sends what comes after it.
    pub latest: Option<NotificationId>,
}

/// How one kind of notification reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct KindPreference {
    pub kind: NotificationKind,
    pub in_app: bool,
    pub email: bool,
}

impl KindPreference {
    pub fn default_for(kind: NotificationKind) -> Self {
        KindPreference { kind, in_app: true, email: kind.email_by_default() }
    }
}

/// A person's notification preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub kinds: Vec<KindPreference>,
    /// One email a day instead of one per event.
    pub daily_digest: bool,
    /// For organisation contacts: hear of status changes of all the subsidiary's requests.
    pub follow_organisation: bool,
    /// Whether the portal sends email at all (SMTP configured).
    pub email_available: bool,
    /// Whether the person may follow their organisation.
    pub may_follow_organisation: bool,
}

/// What the live stream sends, as JSON in each server-sent event.
/// An email the portal gave up on, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FailedEmail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub attempts: i64,
    /// The mail server's answer, or why no server was asked.
    pub last_error: String,
    pub failed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveBatch {
    pub notifications: Vec<Notification>,
    pub unread: i64,
}

/// The first `max` characters of `text` on one line, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

pub const EXCERPT_MAX: usize = 140;
pub const PAGE_SIZE: i64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_one_line_and_cut_by_characters() {
        assert_eq!(excerpt("请补充\n酒店   发票", 140), "请补充 酒店 发票");
        assert_eq!(excerpt(&"发".repeat(200), 5), "发发发发发…");
        assert_eq!(excerpt("short", 5), "short");
    }

    #[test]
    fn each_role_is_offered_only_the_kinds_it_can_receive() {
        let client = NotificationKind::for_roles(&[Role::Client]);
        assert!(client.contains(&NotificationKind::NeedsInformation));
        assert!(!client.contains(&NotificationKind::Assigned));
        assert!(client.contains(&NotificationKind::RatingRequested), "clients are asked to rate");
        let agent = NotificationKind::for_roles(&[Role::Agent]);
        assert!(agent.contains(&NotificationKind::Assigned));
        assert!(agent.contains(&NotificationKind::SlaBreach));
        assert!(agent.contains(&NotificationKind::StatusChanged));
        assert!(!agent.contains(&NotificationKind::NeedsInformation));
        assert!(!agent.contains(&NotificationKind::RatingRequested), "agents never rate");
        assert!(!agent.contains(&NotificationKind::FollowUpAssigned));
        let manager = NotificationKind::for_roles(&[Role::CustomerManager]);
        assert_eq!(
            manager,
            vec![
                NotificationKind::SlaWarning,
                NotificationKind::SlaBreach,
                NotificationKind::FollowUpAssigned,
                NotificationKind::FollowUpOverdue,
                NotificationKind::PolicyPublished,
                NotificationKind::StatementIssued,
                NotificationKind::StatementDisputed,
            ]
        );
    }

    #[test]
    fn headlines_name_the_reference_and_status_in_both_languages() {
        let reference = "FS-2026-000123";
        let zh = headline(Locale::zh_CN, NotificationKind::StatusChanged, reference, Some(RequestStatus::AwaitingClient), None);
        assert!(zh.contains(reference) && zh.contains("待补充资料"), "{zh}");
        let en = headline(Locale::en, NotificationKind::Reply, reference, None, Some("Zhang Wei"));
        assert!(en.contains(reference) && en.contains("Zhang Wei"), "{en}");
    }
}
