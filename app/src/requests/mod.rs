//! Requests: the documents and queries a subsidiary hands to the center.

use crate::{
    auth::UserId,
    error::{AppError, Field},
    id_type,
    orgs::OrgId,
    text_enum,
    validation::{multi_line, single_line, Checks},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod api;
pub mod status;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

pub use status::{RequestAction, RequestStatus, Side};

id_type!(
    /// A request's internal id. Users see its [`ReferenceNo`].
    RequestId
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

text_enum!(
    /// What happened to a request, as its timeline shows it.
    pub enum EventKind {
        Submitted => "submitted",
        StatusChanged => "status_changed",
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
    pub org_code: String,
    pub org_name: String,
    pub requester_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RequestEvent {
    pub id: i64,
    pub kind: EventKind,
    pub actor_name: String,
    pub from_status: Option<RequestStatus>,
    pub to_status: Option<RequestStatus>,
    pub note: Option<String>,
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
    pub title: String,
    pub description: String,
    pub status: RequestStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A request as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub request: RequestRecord,
    pub events: Vec<RequestEvent>,
}

/// One page of a request list; `next_before` continues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub rows: Vec<RequestSummary>,
    pub next_before: Option<RequestId>,
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{FieldError, Problem};

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
