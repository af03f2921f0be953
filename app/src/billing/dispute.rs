//! Disputes of a statement's lines (对账): an org contact disputes one line with a reason within
//! [`WINDOW_WORKING_DAYS`] working days of the revision's issue; a customer manager of the
//! subsidiary accepts it, which issues a corrected revision in which the line costs what the
//! manager set, or declines it with a reason. Both sides read the thread on the statement.

use super::parse_minor;
use crate::{
    error::{AppError, Field, FieldError, Problem},
    text_enum,
    validation::{multi_line, Checks},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long after a revision's issue its lines may be disputed, in working days.
pub const WINDOW_WORKING_DAYS: i64 = 10;

/// The longest reason or answer, in characters.
pub const TEXT_MAX: usize = 2_000;

text_enum!(
    /// Where a dispute stands.
    pub enum DisputeOutcome {
        Open => "open",
        Accepted => "accepted",
        Declined => "declined",
    }
);

/// One dispute and its answer, as both sides read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Dispute {
    pub id: i64,
    /// The revision whose line is disputed.
    pub statement_id: i64,
    pub revision: i64,
    /// The line's number in that revision, from 1.
    pub line_no: i64,
    pub reference_no: String,
    /// What the line cost in that revision, in minor units.
    pub charge_minor: i64,
    pub reason: String,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub outcome: DisputeOutcome,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// What the line costs after an accepted dispute.
    pub corrected_minor: Option<i64>,
    /// The corrected revision an accepted dispute issued.
    pub revision_id: Option<i64>,
}

/// An org contact's dispute of one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeInput {
    pub statement_id: i64,
    pub line_no: i64,
    pub reason: String,
}

impl DisputeInput {
    /// The reason, checked.
    pub fn check(&self) -> Result<String, AppError> {
        multi_line(Field::Reason, &self.reason, TEXT_MAX, true).map_err(|e| AppError::Invalid(vec![e]))
    }
}

/// A customer manager's answer to a dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerInput {
    pub dispute_id: i64,
    pub accept: bool,
    /// What the line costs from the corrected revision on, when accepted ("0.00" waives it).
    pub corrected_amount: String,
    /// Why: the manager's words to the subsidiary, kept as the revision's reason.
    pub answer: String,
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted: the line costs `corrected_minor` in the corrected revision.
    Accept { corrected_minor: i64, answer: String },
    Decline { answer: String },
}

impl AnswerInput {
    /// The answer, checked against the line's charge now: a correction lowers it.
    pub fn check(&self, charge_minor: i64) -> Result<Answer, AppError> {
        let mut errors = Checks::default();
        let answer = errors.check(multi_line(Field::Answer, &self.answer, TEXT_MAX, true));
        let corrected = if self.accept {
            match parse_minor(&self.corrected_amount) {
                None => {
                    errors.push(FieldError { field: Field::CorrectedAmount, problem: Problem::NotAnAmount });
                    None
                }
                Some(amount) if amount >= charge_minor => {
                    errors.push(FieldError { field: Field::CorrectedAmount, problem: Problem::NotLower });
                    None
                }
                Some(amount) => Some(amount),
            }
        } else {
            None
        };
        errors.finish()?;
        let answer = answer.ok_or(AppError::Internal)?;
        Ok(match corrected {
            Some(corrected_minor) => Answer::Accept { corrected_minor, answer },
            None => Answer::Decline { answer },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(accept: bool, amount: &str, text: &str) -> AnswerInput {
        AnswerInput { dispute_id: 1, accept, corrected_amount: amount.into(), answer: text.into() }
    }

    #[test]
    fn an_accepted_dispute_lowers_the_line_and_every_answer_says_why() {
        assert_eq!(answer(true, "0", "重复计费").check(8_000), Ok(Answer::Accept { corrected_minor: 0, answer: "重复计费".into() }));
        assert_eq!(answer(true, "50.5", "按时效扣减").check(8_000), Ok(Answer::Accept { corrected_minor: 5_050, answer: "按时效扣减".into() }));
        assert_eq!(answer(false, "", "计费无误").check(8_000), Ok(Answer::Decline { answer: "计费无误".into() }));
        let problems = |input: AnswerInput, charge| match input.check(charge) {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.problem)).collect::<Vec<_>>(),
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(problems(answer(true, "80.00", "x"), 8_000), vec![(Field::CorrectedAmount, Problem::NotLower)], "no change is no correction");
        assert_eq!(problems(answer(true, "-1", "x"), 8_000), vec![(Field::CorrectedAmount, Problem::NotAnAmount)]);
        assert_eq!(
            problems(answer(true, "abc", "  "), 8_000),
            vec![(Field::Answer, Problem::Required), (Field::CorrectedAmount, Problem::NotAnAmount)]
        );
        assert_eq!(problems(answer(false, "", &"长".repeat(TEXT_MAX + 1)), 8_000), vec![(Field::Answer, Problem::TooLong { max: TEXT_MAX as u32 })]);
        let blank = DisputeInput { statement_id: 1, line_no: 1, reason: " \n ".into() };
        assert_eq!(blank.check(), Err(AppError::invalid(Field::Reason, Problem::Required)));
    }
}
