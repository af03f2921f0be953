//! The one application error, shared by the browser and the server.
//!
//! Every server function returns `Result<T, AppError>`. The variant decides the HTTP status
//! and carries typed values (a status, an action, a weekday, a line's problem); the message
//! the user reads is chosen in their language where it is shown (`i18n_support::errors`).
//! Internal details are logged on the server and never sent to the browser.

use crate::kernel::{LineProblem, RequestAction, RequestStatus, SlugProblem};
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
    Bytes,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("too many sign-in attempts; retry in {retry_after_secs}s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// The server is at capacity for this kind of work (password checks); try again shortly.
    #[error("busy; retry in {retry_after_secs}s")]
    Busy { retry_after_secs: u64 },
    /// This browser called an expensive endpoint faster than its rate limit allows.
    #[error("too many calls; retry in {retry_after_secs}s")]
    Throttled { retry_after_secs: u64 },
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// A body or query the server could not read. What the parser said is logged, never sent:
    /// it names the portal's internal types.
    #[error("malformed call")]
    Malformed,
    #[error("internal error")]
    Internal,
    #[error("service unreachable: {0}")]
    Unreachable(String),
}

/// One problem with one input field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Title,
    Description,
    Email,
    Password,
    NewPassword,
    ConfirmPassword,
    DisplayName,
    Organisation,
    Role,
    TimeZone,
    Language,
    RequestType,
    /// The n-th custom field of the request type's form.
    Custom(u16),
    /// The n-th attachment slot of the request type.
    Slot(u16),
    Files,
    UrgentReason,
    Message,
    Reason,
    Resolution,
    Assignee,
    Team,
    Code,
    NameZh,
    NameEn,
    Targets,
    Definition,
    Notifications,
    Slug,
    Category,
    /// The English title; [`Field::Title`] is the Chinese one, which every page has.
    TitleEn,
    Body,
    BodyEn,
    Tags,
    EffectiveDate,
    ValidUntil,
    SupersededBy,
    Audience,
    Schedule,
    AckDeadline,
    Synonyms,
    /// The policy pages a request type links to.
    PolicyLinks,
    /// A rating's stars.
    Score,
    /// Why the client gave the score.
    Reasons,
    Comment,
    /// How the customer manager reached the client.
    Contact,
    RootCause,
    ActionTaken,
    /// What the follow-up found and did, in words.
    Outcome,
    Tier,
    Rank,
    Multiplier,
    Priority,
    /// A working calendar's name.
    CalendarName,
    /// One weekday's working periods, Monday = 0.
    WorkingHours(u8),
    /// The calendar's week as a whole.
    Week,
    /// A calendar's dated entries: holidays and make-up workdays.
    CalendarDates,
    /// A schedule file being imported.
    ScheduleFile,
    /// The calendar a team or request type uses.
    Calendar,
    /// The first day of a reporting period.
    PeriodFrom,
    /// The last day of a reporting period.
    PeriodTo,
    /// The agent a report is filtered on.
    Agent,
    Currency,
    /// How many working days at the end of a month a surcharge covers.
    MonthEndDays,
    /// The month-end surcharge, in percent.
    Surcharge,
    /// The cap of a month's credits, in percent of its total.
    CreditCap,
    /// The price of the n-th request type of a price list.
    Price(u16),
    /// The free quota of the n-th tier of a price list.
    Quota(u16),
    /// The n-th credit rule of a price list.
    Credit(u16),
    /// A customer manager's answer to a dispute.
    Answer,
    /// What a disputed line costs once corrected.
    CorrectedAmount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooLong { max: u32 },
    TooShort { min: u32 },
    InvalidEmail,
    Mismatch,
    Incorrect,
    UnknownChoice,
    ControlCharacters,
    NotAnAmount,
    InvalidDate,
    InvalidInvoiceNumber,
    InvalidCode,
    InvalidTargets,
    InvalidDefinition,
    TooMany,
    FileTooLarge { max_mib: u32 },
    RequestFilesTooLarge { max_mib: u32 },
    TooManyFiles { max: u32 },
    /// The user's uploads today reached the daily quota.
    DailyUploadQuota { files: u32, max_mib: u32 },
    EmptyFile,
    FileKindNotAllowed,
    ContentMismatch,
    UnsafeFileName,
    /// A ZIP-based document declaring more content, or a higher compression, than a real one.
    SuspiciousArchive,
    /// A staged file that is not this user's, or already used.
    UnknownFile,
    /// Reopening is allowed only for a while after resolution.
    TooLate,
    /// Not a page address: lower-case letters, digits and single hyphens only.
    InvalidSlug,
    /// A valid-until date before the effective date.
    BeforeEffectiveDate,
    /// An effective date before the one of the version in force now.
    BeforePreviousVersion,
    /// A moment that has already passed.
    InThePast,
    /// A page cannot replace itself.
    SelfReference,
    /// A number outside its allowed range.
    OutOfRange { min: i64, max: i64 },
    /// A text larger than this many KiB.
    TooBig { max_kib: u32 },
    /// A synonym set on this line (counting from 1) names fewer than two terms.
    LoneTerm { line: u32 },
    /// A link to a policy page that does not exist.
    UnknownPolicyPage,
    /// A working period ending at or before its start.
    PeriodEndsBeforeStart,
    /// Two working periods of one day overlap.
    OverlappingPeriods,
    /// Not periods as `09:00-12:00 13:30-18:00`.
    InvalidPeriods,
    /// A week in which no day has working time.
    NoWorkingTime,
    /// A dated entry outside the years a calendar covers.
    DateOutOfRange { date: chrono::NaiveDate, first: i32, last: i32 },
    /// A date that is both a holiday and a make-up workday.
    HolidayAndMakeUp { date: chrono::NaiveDate },
    /// A make-up day borrowing the hours of a weekday that has none.
    MakeUpWithoutHours { date: chrono::NaiveDate },
    /// A file of more lines than an import reads.
    TooManyLines { max: u32 },
    /// One bad line (CSV) or event (iCalendar) of a schedule file, numbered from 1.
    BadScheduleEntry { number: u32, event: bool, problem: LineProblem },
    /// Neither CSV nor iCalendar as the import reads them.
    UnreadableFile,
    /// A reporting period whose last day comes before its first.
    EndsBeforeStart,
    /// A reporting period longer than a report reads.
    PeriodTooLong { max_years: u32 },
    /// A date that must be the first day of a month.
    FirstOfMonth,
    /// A price list version starting in a month another version already prices, or that has
    /// begun; `earliest` is the first month a new version may start.
    OverlapsVersion { earliest: chrono::NaiveDate },
    /// A corrected amount that does not lower what the line costs.
    NotLower,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    EmailTaken,
    CodeTaken,
    /// Another policy page has this address.
    SlugTaken,
    /// The reader already answered this question for this version.
    AlreadyAnswered,
    /// This version does not ask this reader to confirm having read it.
    NotAskedToAcknowledge,
    /// Another agent claimed the request first.
    AlreadyTaken { owner: String },
    /// The request's state does not allow this action now.
    IllegalTransition { from: RequestStatus, action: RequestAction },
    /// The object changed since the user loaded it.
    Stale,
    /// An admin may not lock themselves out.
    OwnAccount,
    /// This resolution of the request has been rated already.
    AlreadyRated,
    /// The time to change this rating has passed.
    RatingFinal,
    /// The follow-up is closed already.
    FollowUpClosed,
    /// The time to dispute the statement's lines has passed.
    DisputeWindowClosed,
    /// A newer revision of the statement exists: disputes go to the latest one.
    Superseded,
    /// This line of this revision was disputed already.
    AlreadyDisputed,
    /// The dispute has its answer already.
    DisputeAnswered,
}

impl AppError {
    pub fn invalid(field: Field, problem: Problem) -> Self {
        AppError::Invalid(vec![FieldError { field, problem }])
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::TooManyAttempts { .. } | AppError::Throttled { .. } => 429,
            AppError::Busy { .. } => 503,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::Malformed => 400,
            AppError::Internal => 500,
            AppError::Unreachable(_) => 503,
        }
    }

    /// The errors that belong to one field, for showing next to that control.
    pub fn field_problems(&self, field: Field) -> Vec<Problem> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .filter(|e| e.field == field)
                .map(|e| e.problem)
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl From<SlugProblem> for Problem {
    fn from(problem: SlugProblem) -> Self {
        match problem {
            SlugProblem::Required => Problem::Required,
            SlugProblem::TooLong { max } => Problem::TooLong { max },
            SlugProblem::Invalid => Problem::InvalidSlug,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail)
            | ServerFnErrorErr::MissingArg(detail)
            | ServerFnErrorErr::Deserialization(detail)
            | ServerFnErrorErr::UnsupportedRequestMethod(detail) => {
                #[cfg(feature = "ssr")]
                tracing::info!(%detail, "refused a malformed call");
                let _ = detail;
                AppError::Malformed
            }
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Response(m) => {
                AppError::Unreachable(m)
            }
            _ => AppError::Internal,
        }
    }

    // Serialising is the last step of a failed server function on the server, so it is the one
    // place that sees every error: it sets the HTTP status there, keeping server functions thin.
    fn ser(&self) -> Bytes {
        #[cfg(feature = "ssr")]
        ssr::set_response_status(self);
        <JsonEncoding as leptos::server_fn::Encodes<Self>>::encode(self)
            .unwrap_or_else(|_| Bytes::from_static(b"\"Internal\""))
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{AppError, Conflict};
    use leptos::prelude::use_context;

    pub(super) fn set_response_status(error: &AppError) {
        // A plain form post (no JavaScript) is answered with a redirect back to the form;
        // a status other than 302 would stop the browser from following it.
        let plain_form_post = use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false);
        if plain_form_post {
            return;
        }
        if let (Some(response), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::StatusCode::from_u16(error.status()),
        ) {
            response.set_status(status);
            if let AppError::TooManyAttempts { retry_after_secs }
            | AppError::Busy { retry_after_secs }
            | AppError::Throttled { retry_after_secs } = error
            {
                if let Ok(value) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.insert_header(http::header::RETRY_AFTER, value);
                }
            }
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(error: sqlx::Error) -> Self {
            match &error {
                sqlx::Error::RowNotFound => AppError::NotFound,
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    tracing::info!(%error, "unique constraint refused a write");
                    AppError::Conflict(Conflict::Stale)
                }
                _ => {
                    tracing::error!(%error, "database error");
                    AppError::Internal
                }
            }
        }
    }

    impl From<tower_sessions::session::Error> for AppError {
        fn from(error: tower_sessions::session::Error) -> Self {
            tracing::error!(%error, "session store error");
            AppError::Internal
        }
    }
}
