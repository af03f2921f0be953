//! Requests: the documents and queries a subsidiary hands to the center.

use crate::{
    catalogue::{FieldInput, FieldValues, RequestType},
    error::{AppError, Field, FieldError, Problem},
    kernel::{
        AttachmentId, OrgId, ReferenceNo, RejectReason, RequestAction, RequestId, RequestStatus,
        Side, TeamId, TypeId, TypeVersionId, UploadLimits, UserId,
    },
    text_enum,
    validation::{Checks, multi_line, single_line},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub mod api;
pub mod page;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod notices;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

text_enum!(
    /// What happened to a request, as its timeline shows it.
    pub enum EventKind {
        Submitted => "submitted",
        StatusChanged => "status_changed",
        /// A public message from either side.
        Message => "message",
        /// A note only the center sees.
        InternalNote => "internal_note",
        /// Claimed or transferred.
        OwnerChanged => "owner_changed",
    }
);

text_enum!(
    /// The agents' queues.
    pub enum Queue {
        Unassigned => "unassigned",
        Mine => "mine",
        MyTeam => "team",
        DueSoon => "due_soon",
        Overdue => "overdue",
        AwaitingClient => "awaiting_client",
    }
);

text_enum!(
    pub enum Sort {
        Newest => "newest",
        Oldest => "oldest",
        DueFirst => "due",
        RecentlyUpdated => "updated",
    }
);

/// A row of a request list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RequestSummary {
    pub id: RequestId,
    pub reference_no: ReferenceNo,
    pub title: String,
    pub status: RequestStatus,
    pub urgent: bool,
    pub type_name_zh: String,
    pub type_name_en: String,
    pub org_code: String,
    pub org_name: String,
    pub requester_name: String,
    pub owner_name: Option<String>,
    pub resolution_due: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The subsidiary's tier's place in the agents' queues (higher first).
    pub queue_priority: i64,
    /// The calendar its clock counts on (`None`: the default).
    pub calendar_id: Option<crate::kernel::CalendarId>,
    /// Working minutes left to the resolution due instant (negative: overdue), while the clock
    /// runs; filled in after the query.
    #[cfg_attr(feature = "ssr", sqlx(default))]
    pub working_minutes_left: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RequestEvent {
    pub id: i64,
    pub kind: EventKind,
    pub action: Option<RequestAction>,
    pub actor_name: String,
    pub from_status: Option<RequestStatus>,
    pub to_status: Option<RequestStatus>,
    pub note: Option<String>,
    pub internal: bool,
    pub owner_name: Option<String>,
    pub team_name_zh: Option<String>,
    pub team_name_en: Option<String>,
    pub reason_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RequestRecord {
    pub id: RequestId,
    pub reference_no: ReferenceNo,
    pub org_id: OrgId,
    pub org_name: String,
    pub requester_id: UserId,
    pub requester_name: String,
    pub type_version_id: TypeVersionId,
    pub team_id: TeamId,
    pub team_name_zh: String,
    pub team_name_en: String,
    pub title: String,
    pub description: String,
    pub field_values: String,
    pub urgent: bool,
    pub urgent_reason: Option<String>,
    pub status: RequestStatus,
    pub version: i64,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub first_owner_name: Option<String>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub reject_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RequestRecord {
    pub fn values(&self) -> FieldValues {
        serde_json::from_str(&self.field_values).unwrap_or_default()
    }
}

/// What the viewer may do besides the status transitions, decided by the server's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Abilities {
    /// The viewer acts on the client side of the lifecycle table.
    pub client_side: bool,
    /// The viewer owns the request as its agent; center-side work is theirs.
    pub is_owner: bool,
    pub can_claim: bool,
    pub can_note: bool,
    pub can_transfer: bool,
    pub sees_internal: bool,
}

impl Abilities {
    /// The status transitions to offer: the lifecycle table, narrowed to what the viewer may do.
    pub fn transitions(&self, status: RequestStatus) -> Vec<RequestAction> {
        let mut actions = Vec::new();
        if self.can_claim || self.is_owner {
            actions.extend(status.actions_for(Side::Center).into_iter().filter(|a| match a {
                RequestAction::Claim => self.can_claim,
                // Transferring has its own form.
                RequestAction::Transfer => false,
                _ => self.is_owner,
            }));
        }
        if self.client_side {
            actions.extend(
                status
                    .actions_for(Side::Client)
                    .into_iter()
                    // Information is provided by replying; closing comes with the rating.
                    .filter(|a| !matches!(a, RequestAction::ProvideInformation | RequestAction::Close)),
            );
        }
        actions
    }

    /// Whether the viewer may post a public message now.
    pub fn can_reply(&self, status: RequestStatus) -> bool {
        !status.is_final()
            && !matches!(status, RequestStatus::Rejected)
            && ((self.client_side && status != RequestStatus::Resolved) || self.is_owner)
    }
}

/// The reason code of a close by the portal after the rating window.
pub const CLOSED_UNRATED: &str = "unrated";

/// What the new-request form needs: the types, the upload limits, and the policy pages the
/// types link to (within the user's audience), for the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionSetup {
    pub types: Vec<RequestType>,
    pub limits: UploadLimits,
    pub policies: Vec<crate::policies::LinkedPolicy>,
}

/// One page of a request list; `next` continues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub rows: Vec<RequestSummary>,
    pub next: Option<String>,
}

/// What a list is narrowed to. Dates are the viewer's calendar days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListFilter {
    pub status: Option<RequestStatus>,
    pub type_id: Option<TypeId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub search: Option<String>,
    pub sort: Option<Sort>,
    pub after: Option<String>,
}

/// The queue tabs' counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct QueueCounts {
    pub unassigned: i64,
    pub mine: i64,
    pub team: i64,
    pub due_soon: i64,
    pub overdue: i64,
    pub awaiting_client: i64,
}

impl QueueCounts {
    pub fn get(&self, queue: Queue) -> i64 {
        match queue {
            Queue::Unassigned => self.unassigned,
            Queue::Mine => self.mine,
            Queue::MyTeam => self.team,
            Queue::DueSoon => self.due_soon,
            Queue::Overdue => self.overdue,
            Queue::AwaitingClient => self.awaiting_client,
        }
    }
}

/// A submission as the browser sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewRequestInput {
    pub type_id: Option<TypeId>,
    pub org: Option<OrgId>,
    pub title: String,
    pub description: String,
    pub fields: Vec<FieldInput>,
    pub urgent: bool,
    pub urgent_reason: String,
    /// Staged uploads, each with the slot it fills (or none: "other files").
    pub files: Vec<(AttachmentId, Option<String>)>,
    /// Chosen by the browser once per form; a retried submit carries the same key.
    pub idempotency_key: String,
}

/// Something a person does to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    Claim,
    /// A public message; the client's reply to a question also hands the request back.
    Reply { message: String, files: Vec<AttachmentId> },
    Note { message: String, files: Vec<AttachmentId> },
    AskForInformation { message: String },
    Resolve { resolution: String },
    Reject { reason: RejectReason, detail: String },
    Withdraw { reason: String },
    Reopen { reason: String },
    Transfer { team: TeamId, agent: Option<UserId>, reason: String },
}

impl Command {
    pub fn files(&self) -> &[AttachmentId] {
        match self {
            Command::Reply { files, .. } | Command::Note { files, .. } => files,
            _ => &[],
        }
    }
}

/// An agent a request can be transferred to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AgentChoice {
    pub id: UserId,
    pub display_name: String,
    pub team_id: TeamId,
}

/// A team's saved text, insertable into a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CannedReply {
    pub id: i64,
    pub team_id: TeamId,
    pub title: String,
    pub body: String,
}

/// How long after resolution a client may reopen.
pub const REOPEN_WITHIN_DAYS: i64 = 7;
pub const MESSAGE_MAX: usize = 10_000;
pub const REASON_MAX: usize = 1_000;
pub const SEARCH_MAX: usize = 100;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const PAGE_SIZE: i64 = 50;

/// A new request's text, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub title: String,
    pub description: String,
}

impl NewRequest {
    pub fn parse(title: &str, description: &str) -> Result<NewRequest, AppError> {
        let mut checks = Checks::default();
        let title = checks.check(single_line(Field::Title, title, TITLE_MAX));
        let description =
            checks.check(multi_line(Field::Description, description, DESCRIPTION_MAX, false));
        checks.finish()?;
        match (title, description) {
            (Some(title), Some(description)) => Ok(NewRequest { title, description }),
            _ => Err(AppError::Internal),
        }
    }
}

/// A submission that passed every check that needs only its request type.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSubmission {
    pub text: NewRequest,
    pub values: FieldValues,
    /// Urgent, and the type allows it.
    pub urgent: bool,
    pub urgent_reason: Option<String>,
}

impl NewRequestInput {
    /// Checks the submission against its type: text, the type's fields, the urgency reason and
    /// the attachment slots. The form lists what is still missing from the same answer that
    /// the server refuses with, so the two cannot disagree. What needs the database (whose
    /// files these are, their kinds, the limits) the server checks after this.
    pub fn check(&self, request_type: &RequestType) -> Result<CheckedSubmission, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let text = NewRequest::parse(&self.title, &self.description).map_err(|e| {
            if let AppError::Invalid(list) = e {
                errors.extend(list)
            }
        });
        let values = request_type.definition.check_fields(&self.fields).map_err(|list| errors.extend(list));
        let urgent = self.urgent && request_type.targets.urgent_allowed;
        let urgent_reason = if urgent {
            multi_line(Field::UrgentReason, &self.urgent_reason, REASON_MAX, true).map_err(|e| errors.push(e)).ok()
        } else {
            None
        };
        let slots = &request_type.definition.slots;
        if self.files.iter().any(|(_, slot)| slot.as_ref().is_some_and(|key| !slots.iter().any(|s| &s.key == key))) {
            errors.push(FieldError { field: Field::Files, problem: Problem::UnknownChoice });
        }
        for (index, spec) in slots.iter().enumerate() {
            let filled = self.files.iter().any(|(_, s)| s.as_deref() == Some(spec.key.as_str()));
            if spec.required && !filled {
                errors.push(FieldError { field: Field::Slot(index as u16), problem: Problem::Required });
            }
        }
        match (text, values) {
            (Ok(text), Ok(values)) if errors.is_empty() => Ok(CheckedSubmission { text, values, urgent, urgent_reason }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{FieldError, Problem};

    /// A reimbursement-like type: one required amount, one required invoice slot, urgent allowed.
    fn typed() -> RequestType {
        use crate::{
            attachments::FileKind,
            catalogue::{FieldKind, FieldSpec, SlotSpec, Targets, TypeDefinition, TypeKind},
            i18n_support::Bilingual,
        };
        RequestType {
            version_id: TypeVersionId(1),
            type_id: TypeId(1),
            code: "expense".into(),
            version: 1,
            name: Bilingual::new("费用报销", "Expense reimbursement"),
            kind: TypeKind::Document,
            team_id: TeamId(1),
            team_name: Bilingual::default(),
            targets: Targets {
                first_response_hours: 8,
                resolution_hours: 40,
                urgent_allowed: true,
                urgent_first_response_hours: 2,
                urgent_resolution_hours: 8,
            },
            definition: TypeDefinition {
                fields: vec![FieldSpec {
                    key: "amount".into(),
                    label: Bilingual::new("金额", "Amount"),
                    kind: FieldKind::Amount,
                    required: true,
                    help: Bilingual::default(),
                    choices: vec![],
                }],
                slots: vec![SlotSpec {
                    key: "invoice".into(),
                    label: Bilingual::new("发票", "Invoice"),
                    required: true,
                    kinds: vec![FileKind::Pdf],
                    ..Default::default()
                }],
                policies: vec![],
            },
            active: true,
        }
    }

    fn submission() -> NewRequestInput {
        NewRequestInput {
            type_id: Some(TypeId(1)),
            org: None,
            title: "十月差旅费报销".into(),
            description: String::new(),
            fields: vec![FieldInput { key: "amount".into(), value: "1,280.50".into(), currency: Some("CNY".into()) }],
            urgent: false,
            urgent_reason: String::new(),
            files: vec![(AttachmentId(7), Some("invoice".into()))],
            idempotency_key: "k".into(),
        }
    }

    #[test]
    fn a_complete_submission_passes_its_type_check() {
        let checked = submission().check(&typed()).expect("complete");
        assert_eq!(checked.text.title, "十月差旅费报销");
        assert!(checked.values.contains_key("amount"));
        assert!(!checked.urgent);
    }

    #[test]
    fn everything_missing_is_reported_at_once() {
        let empty = NewRequestInput {
            title: " ".into(),
            fields: vec![],
            files: vec![],
            urgent: true,
            ..submission()
        };
        let errors = empty.check(&typed()).expect_err("incomplete");
        for field in [Field::Title, Field::Custom(0), Field::Slot(0), Field::UrgentReason] {
            assert!(
                errors.contains(&FieldError { field, problem: Problem::Required }),
                "{field:?} should be required: {errors:?}"
            );
        }
    }

    #[test]
    fn a_file_for_a_slot_the_type_lacks_is_refused() {
        let mut input = submission();
        input.files.push((AttachmentId(8), Some("passport".into())));
        let errors = input.check(&typed()).expect_err("unknown slot");
        assert!(errors.contains(&FieldError { field: Field::Files, problem: Problem::UnknownChoice }));
    }

    #[test]
    fn reference_numbers_are_zero_padded_and_parse_back() {
        let r = ReferenceNo::new(2026, 123);
        assert_eq!(r.as_str(), "FS-2026-000123");
        assert_eq!(ReferenceNo::parse(" fs-2026-000123 "), Some(r));
        assert_eq!(ReferenceNo::new(2027, 1_234_567).as_str(), "FS-2027-1234567");
        assert_eq!(ReferenceNo::parse("FS-26-000123"), None);
        assert_eq!(ReferenceNo::parse("XX-2026-000123"), None);
    }

    #[test]
    fn new_request_reports_every_problem_at_once() {
        let err = NewRequest::parse("", &"x".repeat(DESCRIPTION_MAX + 1)).unwrap_err();
        assert_eq!(
            err,
            AppError::Invalid(vec![
                FieldError { field: Field::Title, problem: Problem::Required },
                FieldError {
                    field: Field::Description,
                    problem: Problem::TooLong { max: DESCRIPTION_MAX as u32 }
                },
            ])
        );
        assert!(NewRequest::parse(&"标".repeat(TITLE_MAX), "").is_ok());
        assert!(NewRequest::parse(&"t".repeat(10_000), "").is_err());
    }
}
