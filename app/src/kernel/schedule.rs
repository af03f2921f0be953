//! What can be wrong with one line of a working-calendar file: the import reports it, and the
//! application error carries it to the user.

use serde::{Deserialize, Serialize};

/// What is wrong with a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LineProblem {
    BadDate,
    UnknownKind,
    UnknownWeekday,
    DateOutOfRange,
    /// The date is already on an earlier line of the file.
    RepeatedDate,
    /// An event covers more days off than any holiday has.
    TooManyDays,
}
