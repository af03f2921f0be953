//! Ratings of resolved requests (客户满意度) and the follow-up (回访) of every low score.
//!
//! The submitter rates each resolution once; the rating closes the request and credits the
//! agent who resolved it and the first owner separately. A score of 1 or 2 opens a follow-up
//! for the organisation's customer manager in the same transaction.

use crate::{
    error::{Field, FieldError, Problem},
    kernel::{FollowUpId, OrgId, RatingId, ReferenceNo, RequestId, UserId},
    text_enum,
    validation::multi_line,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod api;
pub mod metrics;
pub mod ui;
pub mod follow_ups_ui;
pub mod measures_ui;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

text_enum!(
    /// Why a client gave the score; at least one is required for a low score.
    pub enum ReasonTag {
        Timeliness => "timeliness",
        Accuracy => "accuracy",
        Communication => "communication",
        Attitude => "attitude",
        ProcessRules => "process_rules",
        Other => "other",
    }
);

text_enum!(
    /// How the customer manager reached the client, or that they could not.
    pub enum ContactMethod {
        Phone => "phone",
        Visit => "visit",
        Email => "email",
        NotReachable => "not_reachable",
    }
);

text_enum!(
    /// Why the score was low, as the customer manager found it (查找低分原因).
    pub enum RootCause {
        CenterError => "center_error",
        ClientDocuments => "client_documents",
        PolicyUnclear => "policy_unclear",
        SystemProblem => "system_problem",
        ExpectationGap => "expectation_gap",
        Other => "other",
    }
);

text_enum!(
    /// What was done about it.
    pub enum FollowUpAction {
        Explained => "explained",
        Redone => "redone",
        CoachedAgent => "coached_agent",
        ImprovedProcess => "improved_process",
        /// The client changed the rating to above 2 before the follow-up was closed.
        RatingRevised => "rating_revised",
        Other => "other",
    }
);

text_enum!(
    pub enum FollowUpEventKind {
        Opened => "opened",
        RatingChanged => "rating_changed",
        Escalated => "escalated",
        Closed => "closed",
    }
);

text_enum!(
    /// The tabs of the follow-up list.
    pub enum FollowUpState {
        Open => "open",
        DueSoon => "due_soon",
        Overdue => "overdue",
        Closed => "closed",
    }
);

/// A score of one to five stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Score(u8);

impl Score {
    pub const ALL: [Score; 5] = [Score(1), Score(2), Score(3), Score(4), Score(5)];

    pub fn new(stars: i64) -> Option<Score> {
        (1..=5).contains(&stars).then_some(Score(stars as u8))
    }

    pub fn stars(self) -> i64 {
        self.0 as i64
    }

    /// A low score (1 or 2) is followed up by a customer manager.
    pub fn is_low(self) -> bool {
        self.0 <= 2
    }

    /// A satisfied client gave 4 or 5.
    pub fn is_satisfied(self) -> bool {
        self.0 >= 4
    }
}

impl TryFrom<i64> for Score {
    type Error = String;
    fn try_from(stars: i64) -> Result<Self, Self::Error> {
        Score::new(stars).ok_or_else(|| format!("{stars} is not a score of 1 to 5"))
    }
}

impl From<Score> for i64 {
    fn from(score: Score) -> i64 {
        score.stars()
    }
}

pub const COMMENT_MAX: usize = 2000;
pub const OUTCOME_MAX: usize = 2000;

/// What the client sends: the score as a plain number, so that a wrong one is reported on
/// its field rather than as an unreadable call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingInput {
    pub score: i64,
    pub reasons: Vec<ReasonTag>,
    pub comment: String,
}

/// A rating that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRating {
    pub score: Score,
    /// In the order of [`ReasonTag::ALL`], each once.
    pub reasons: Vec<ReasonTag>,
    pub comment: String,
}

impl RatingInput {
    pub fn check(&self) -> Result<CheckedRating, Vec<FieldError>> {
        let mut errors = Vec::new();
        let score = Score::new(self.score);
        if score.is_none() {
            errors.push(FieldError { field: Field::Score, problem: Problem::UnknownChoice });
        }
        let reasons: Vec<ReasonTag> = ReasonTag::ALL.iter().copied().filter(|r| self.reasons.contains(r)).collect();
        if score.is_some_and(Score::is_low) && reasons.is_empty() {
            errors.push(FieldError { field: Field::Reasons, problem: Problem::Required });
        }
        let comment = multi_line(Field::Comment, &self.comment, COMMENT_MAX, false).map_err(|e| errors.push(e)).ok();
        match (score, comment) {
            (Some(score), Some(comment)) if errors.is_empty() => Ok(CheckedRating { score, reasons, comment }),
            _ => Err(errors),
        }
    }
}

pub fn reasons_to_text(reasons: &[ReasonTag]) -> String {
    reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

pub fn reasons_from_text(text: &str) -> Vec<ReasonTag> {
    text.split(',').filter_map(|code| code.parse().ok()).collect()
}

/// A rating as its reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingView {
    pub id: RatingId,
    pub resolution_no: i64,
    pub score: Score,
    pub reasons: Vec<ReasonTag>,
    /// `None` when this reader may not read it yet (an agent before the manager's review).
    pub comment: Option<String>,
    pub comment_withheld: bool,
    pub rater_name: String,
    pub resolver_name: Option<String>,
    pub first_owner_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Until when the rater may still change it; `None` for everyone else or when too late.
    pub changeable_until: Option<DateTime<Utc>>,
    /// Earlier values, oldest first; for the center's staff.
    pub history: Vec<RatingChange>,
    /// A customer manager or admin has read the comment.
    pub reviewed: bool,
    /// This reader may mark the comment as read.
    pub can_review: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RatingChange {
    pub score: i64,
    pub reasons: String,
    pub comment: String,
    pub given_at: DateTime<Utc>,
    pub changed_at: DateTime<Utc>,
}

/// A follow-up as the center's staff see it on the request page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpView {
    pub id: FollowUpId,
    pub version: i64,
    /// `None`: the organisation has no customer manager, so the admins hold it.
    pub manager_name: Option<String>,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub contact: Option<ContactMethod>,
    pub root_cause: Option<RootCause>,
    pub action_taken: Option<FollowUpAction>,
    pub outcome: Option<String>,
    pub can_close: bool,
    pub events: Vec<FollowUpEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FollowUpEvent {
    pub kind: FollowUpEventKind,
    pub actor_name: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What the client is told while their low rating is followed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpNotice {
    pub manager_name: Option<String>,
    pub closed: bool,
}

/// Everything the request page shows about ratings, for this reader.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Feedback {
    /// The reader is the submitter and the current resolution is not rated yet.
    pub can_rate: bool,
    /// The latest resolution's rating, when the reader may see it.
    pub rating: Option<RatingView>,
    pub follow_up: Option<FollowUpView>,
    pub notice: Option<FollowUpNotice>,
}

/// How a customer manager closes a follow-up: every part is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpOutcome {
    pub contact: Option<ContactMethod>,
    pub root_cause: Option<RootCause>,
    pub action_taken: Option<FollowUpAction>,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedOutcome {
    pub contact: ContactMethod,
    pub root_cause: RootCause,
    pub action_taken: FollowUpAction,
    pub outcome: String,
}

impl FollowUpOutcome {
    pub fn check(&self) -> Result<CheckedOutcome, Vec<FieldError>> {
        let mut errors = Vec::new();
        let required = |field, present: bool, errors: &mut Vec<FieldError>| {
            if !present {
                errors.push(FieldError { field, problem: Problem::Required });
            }
        };
        required(Field::Contact, self.contact.is_some(), &mut errors);
        required(Field::RootCause, self.root_cause.is_some(), &mut errors);
        required(Field::ActionTaken, self.action_taken.is_some(), &mut errors);
        let outcome = multi_line(Field::Outcome, &self.outcome, OUTCOME_MAX, true).map_err(|e| errors.push(e)).ok();
        match (self.contact, self.root_cause, self.action_taken, outcome) {
            (Some(contact), Some(root_cause), Some(action_taken), Some(outcome)) if errors.is_empty() => {
                Ok(CheckedOutcome { contact, root_cause, action_taken, outcome })
            }
            _ => Err(errors),
        }
    }
}

/// Which follow-ups the list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpFilter {
    pub state: FollowUpState,
    pub org: Option<OrgId>,
    pub agent: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FollowUpRow {
    pub id: FollowUpId,
    pub request_id: RequestId,
    pub reference_no: ReferenceNo,
    pub title: String,
    pub org_name: String,
    pub score: i64,
    pub manager_name: Option<String>,
    pub resolver_name: Option<String>,
    pub due_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpList {
    pub rows: Vec<FollowUpRow>,
    /// Per tab, in the order of [`FollowUpState::ALL`].
    pub counts: Vec<i64>,
    pub orgs: Vec<(OrgId, String)>,
    pub agents: Vec<(UserId, String)>,
}

/// An organisation's satisfaction over the last 30 and 90 days, for its customer manager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgSatisfaction {
    pub org_id: OrgId,
    pub org_name: String,
    pub last_30: metrics::Csat,
    pub last_90: metrics::Csat,
    pub open_follow_ups: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(score: i64, reasons: &[ReasonTag], comment: &str) -> RatingInput {
        RatingInput { score, reasons: reasons.to_vec(), comment: comment.into() }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<(Field, Problem)> {
        errors.into_iter().map(|e| (e.field, e.problem)).collect()
    }

    #[test]
    fn scores_outside_one_to_five_are_refused_on_the_score() {
        for bad in [0, 6, -1, 50] {
            assert_eq!(fields(input(bad, &[], "").check().unwrap_err()), vec![(Field::Score, Problem::UnknownChoice)], "{bad}");
        }
        assert!(serde_json::from_str::<Score>("2.5").is_err());
        assert!(serde_json::from_str::<Score>("\"five\"").is_err());
        assert_eq!(serde_json::from_str::<Score>("5").ok(), Score::new(5));
    }

    #[test]
    fn a_low_score_needs_a_reason_and_a_high_one_does_not() {
        assert_eq!(fields(input(1, &[], "").check().unwrap_err()), vec![(Field::Reasons, Problem::Required)]);
        assert_eq!(fields(input(2, &[], "").check().unwrap_err()), vec![(Field::Reasons, Problem::Required)]);
        assert!(input(3, &[], "").check().is_ok());
        let ok = input(2, &[ReasonTag::Other, ReasonTag::Timeliness, ReasonTag::Other], " 太慢了 ").check().unwrap();
        assert_eq!(ok.reasons, vec![ReasonTag::Timeliness, ReasonTag::Other], "list order, each once");
        assert_eq!(ok.comment, "太慢了");
        assert!(ok.score.is_low());
    }

    #[test]
    fn a_comment_holds_two_thousand_characters() {
        assert!(input(5, &[], &"好".repeat(2000)).check().is_ok());
        assert_eq!(
            fields(input(5, &[], &"好".repeat(2001)).check().unwrap_err()),
            vec![(Field::Comment, Problem::TooLong { max: 2000 })]
        );
    }

    #[test]
    fn a_follow_up_closes_only_with_every_part_of_the_outcome() {
        let empty = FollowUpOutcome { contact: None, root_cause: None, action_taken: None, outcome: " ".into() };
        assert_eq!(
            fields(empty.check().unwrap_err()),
            vec![
                (Field::Contact, Problem::Required),
                (Field::RootCause, Problem::Required),
                (Field::ActionTaken, Problem::Required),
                (Field::Outcome, Problem::Required),
            ]
        );
        let full = FollowUpOutcome {
            contact: Some(ContactMethod::Phone),
            root_cause: Some(RootCause::ClientDocuments),
            action_taken: Some(FollowUpAction::Explained),
            outcome: "已电话说明补件要求".into(),
        };
        assert!(full.check().is_ok());
    }

    #[test]
    fn reasons_survive_their_stored_text() {
        let reasons = vec![ReasonTag::Timeliness, ReasonTag::ProcessRules];
        assert_eq!(reasons_from_text(&reasons_to_text(&reasons)), reasons);
        assert_eq!(reasons_from_text(""), vec![]);
    }
}
