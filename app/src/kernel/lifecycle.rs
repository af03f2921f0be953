//! The request lifecycle: one transition table, used by the browser to offer actions and by
//! the server to enforce them.

use crate::text_enum;
use serde::{Deserialize, Serialize};

text_enum!(
    pub enum RequestStatus {
        Submitted => "submitted",
        InReview => "in_review",
        AwaitingClient => "awaiting_client",
        Resolved => "resolved",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
        Closed => "closed",
    }
);

text_enum!(
    pub enum RequestAction {
        /// An agent takes the request and becomes its owner (首问负责制).
        Claim => "claim",
        /// The agent needs something from the client; the SLA clock pauses.
        AskForInformation => "ask_for_information",
        /// The client answers; the request goes back to the agent.
        ProvideInformation => "provide_information",
        Resolve => "resolve",
        Reject => "reject",
        /// The client takes the request back before it is resolved.
        Withdraw => "withdraw",
        /// The client reopens a resolved request within the grace period.
        Reopen => "reopen",
        /// After the rating, or after the grace period.
        Close => "close",
        /// The owner or an admin hands the request to another team or agent; the status stays.
        Transfer => "transfer",
    }
);

/// Which side of the service relationship performs an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The requester or their organisation's contact.
    Client,
    /// An FSSC agent.
    Center,
    /// The portal itself (timers).
    System,
}

use RequestAction as A;
use RequestStatus as S;

/// `(from, action, to, who)`: the whole lifecycle.
pub const TRANSITIONS: &[(RequestStatus, RequestAction, RequestStatus, Side)] = &[
    (S::Submitted, A::Claim, S::InReview, Side::Center),
    // A request transferred to a team without a person waits there to be claimed again.
    (S::InReview, A::Claim, S::InReview, Side::Center),
    (S::Submitted, A::Transfer, S::Submitted, Side::Center),
    (S::InReview, A::Transfer, S::InReview, Side::Center),
    (S::AwaitingClient, A::Transfer, S::AwaitingClient, Side::Center),
    (S::InReview, A::AskForInformation, S::AwaitingClient, Side::Center),
    (S::AwaitingClient, A::ProvideInformation, S::InReview, Side::Client),
    (S::InReview, A::Resolve, S::Resolved, Side::Center),
    (S::InReview, A::Reject, S::Rejected, Side::Center),
    (S::Submitted, A::Withdraw, S::Withdrawn, Side::Client),
    (S::InReview, A::Withdraw, S::Withdrawn, Side::Client),
    (S::AwaitingClient, A::Withdraw, S::Withdrawn, Side::Client),
    (S::Resolved, A::Reopen, S::InReview, Side::Client),
    (S::Resolved, A::Close, S::Closed, Side::Client),
    (S::Resolved, A::Close, S::Closed, Side::System),
    (S::Rejected, A::Close, S::Closed, Side::System),
];

impl RequestStatus {
    /// The status after `action` by `side`, or `None` when the table does not allow it.
    pub fn after(self, action: RequestAction, side: Side) -> Option<RequestStatus> {
        TRANSITIONS
            .iter()
            .find(|(from, a, _, s)| *from == self && *a == action && *s == side)
            .map(|(_, _, to, _)| *to)
    }

    /// The actions `side` may take from this status, in table order.
    pub fn actions_for(self, side: Side) -> Vec<RequestAction> {
        TRANSITIONS
            .iter()
            .filter(|(from, _, _, s)| *from == self && *s == side)
            .map(|(_, a, _, _)| *a)
            .collect()
    }

    /// No further work happens on the request.
    pub fn is_final(self) -> bool {
        matches!(self, S::Withdrawn | S::Closed)
    }
}

text_enum!(
    /// Why the center rejects a request; the list is the center's, the detail is free text.
    pub enum RejectReason {
        MissingDocuments => "missing_documents",
        InvalidInvoice => "invalid_invoice",
        OverBudget => "over_budget",
        NotApproved => "not_approved",
        Duplicate => "duplicate",
        OutOfScope => "out_of_scope",
        Other => "other",
    }
);

/// The human-readable, stable reference of a request, e.g. `FS-2026-000123`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(transparent))]
pub struct ReferenceNo(String);

impl ReferenceNo {
    pub fn new(year: i32, sequence: i64) -> ReferenceNo {
        ReferenceNo(format!("FS-{year}-{sequence:06}"))
    }

    /// Accepts `FS-2026-000123` in any letter case, as users type it into a search box.
    pub fn parse(raw: &str) -> Option<ReferenceNo> {
        let upper = raw.trim().to_uppercase();
        let rest = upper.strip_prefix("FS-")?;
        let (year, seq) = rest.split_once('-')?;
        let valid = year.len() == 4
            && year.chars().all(|c| c.is_ascii_digit())
            && seq.len() >= 6
            && seq.chars().all(|c| c.is_ascii_digit());
        valid.then_some(ReferenceNo(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReferenceNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_follows_the_brief() {
        let mut s = S::Submitted;
        for (action, side, expected) in [
            (A::Claim, Side::Center, S::InReview),
            (A::AskForInformation, Side::Center, S::AwaitingClient),
            (A::ProvideInformation, Side::Client, S::InReview),
            (A::Resolve, Side::Center, S::Resolved),
            (A::Close, Side::Client, S::Closed),
        ] {
            s = s.after(action, side).unwrap_or_else(|| panic!("{action} from {s}"));
            assert_eq!(s, expected);
        }
        assert!(s.is_final());
    }

    #[test]
    fn clients_cannot_resolve_and_agents_cannot_withdraw() {
        assert_eq!(S::InReview.after(A::Resolve, Side::Client), None);
        assert_eq!(S::Submitted.after(A::Withdraw, Side::Center), None);
        assert_eq!(S::Resolved.after(A::Withdraw, Side::Client), None);
        assert_eq!(S::Withdrawn.actions_for(Side::Client), vec![]);
    }

    #[test]
    fn a_submitted_request_offers_claim_to_agents_and_withdraw_to_clients() {
        assert_eq!(S::Submitted.actions_for(Side::Center), vec![A::Claim, A::Transfer]);
        assert_eq!(S::Submitted.actions_for(Side::Client), vec![A::Withdraw]);
    }
}
