//! The one application error, shared by the browser and the server.
//!
//! Every server function returns `Result<T, AppError>`. The variant decides the HTTP status
//! and the message the user reads, in their language. Internal details are logged on the
//! server and never sent to the browser.

use crate::i18n::Locale;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
    Bytes,
};
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};
use crate::requests::{RequestAction, RequestStatus};

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
    BadScheduleEntry { number: u32, event: bool, problem: crate::sla::calendar_file::LineProblem },
    /// Neither CSV nor iCalendar as the import reads them.
    UnreadableFile,
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

    /// The message a person reads, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::Unauthenticated => td_string!(locale, errors.unauthenticated).to_string(),
            AppError::InvalidCredentials => {
                td_string!(locale, errors.invalid_credentials).to_string()
            }
            AppError::TooManyAttempts { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1);
                td_string!(locale, errors.too_many_attempts, minutes = minutes)
            }
            AppError::Busy { .. } => td_string!(locale, errors.busy).to_string(),
            AppError::Throttled { retry_after_secs } => {
                td_string!(locale, errors.throttled, seconds = retry_after_secs).to_string()
            }
            AppError::Forbidden => td_string!(locale, errors.forbidden).to_string(),
            AppError::NotFound => td_string!(locale, errors.not_found).to_string(),
            AppError::Invalid(errors) => {
                let parts: Vec<String> = errors.iter().map(|e| e.message(locale)).collect();
                if parts.is_empty() {
                    td_string!(locale, errors.invalid).to_string()
                } else {
                    parts.join(" ")
                }
            }
            AppError::Conflict(Conflict::EmailTaken) => {
                td_string!(locale, errors.email_taken).to_string()
            }
            AppError::Conflict(Conflict::Stale) => td_string!(locale, errors.stale).to_string(),
            AppError::Conflict(Conflict::OwnAccount) => {
                td_string!(locale, errors.own_account).to_string()
            }
            AppError::Conflict(Conflict::CodeTaken) => td_string!(locale, errors.code_taken).to_string(),
            AppError::Conflict(Conflict::SlugTaken) => td_string!(locale, errors.slug_taken).to_string(),
            AppError::Conflict(Conflict::AlreadyRated) => td_string!(locale, errors.already_rated).to_string(),
            AppError::Conflict(Conflict::RatingFinal) => td_string!(locale, errors.rating_final).to_string(),
            AppError::Conflict(Conflict::FollowUpClosed) => td_string!(locale, errors.follow_up_closed).to_string(),
            AppError::Conflict(Conflict::AlreadyAnswered) => td_string!(locale, errors.already_answered).to_string(),
            AppError::Conflict(Conflict::NotAskedToAcknowledge) => td_string!(locale, errors.not_asked_to_acknowledge).to_string(),
            AppError::Conflict(Conflict::AlreadyTaken { owner }) => {
                td_string!(locale, errors.already_taken, owner = owner)
            }
            AppError::Conflict(Conflict::IllegalTransition { from, action }) => td_string!(
                locale,
                errors.illegal_transition,
                action = crate::i18n_support::action_label(locale, *action),
                status = crate::i18n_support::status_label(locale, *from)
            ),
            AppError::Malformed => td_string!(locale, errors.malformed).to_string(),
            AppError::Internal => td_string!(locale, errors.internal).to_string(),
            AppError::Unreachable(_) => td_string!(locale, errors.unreachable).to_string(),
        }
    }
}

impl FieldError {
    pub fn message(&self, locale: Locale) -> String {
        let field = self.field.label(locale);
        self.problem.message(locale, field)
    }
}

impl Field {
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Field::Title => td_string!(locale, fields.title),
            Field::Description => td_string!(locale, fields.description),
            Field::Email => td_string!(locale, fields.email),
            Field::Password => td_string!(locale, fields.password),
            Field::NewPassword => td_string!(locale, fields.new_password),
            Field::ConfirmPassword => td_string!(locale, fields.confirm_password),
            Field::DisplayName => td_string!(locale, fields.display_name),
            Field::Organisation => td_string!(locale, fields.organisation),
            Field::Role => td_string!(locale, fields.role),
            Field::TimeZone => td_string!(locale, fields.time_zone),
            Field::Language => td_string!(locale, fields.language),
            Field::RequestType => td_string!(locale, fields.request_type),
            Field::Custom(_) => td_string!(locale, fields.custom),
            Field::Slot(_) => td_string!(locale, fields.slot),
            Field::Files => td_string!(locale, fields.files),
            Field::UrgentReason => td_string!(locale, fields.urgent_reason),
            Field::Message => td_string!(locale, fields.message),
            Field::Reason => td_string!(locale, fields.reason),
            Field::Resolution => td_string!(locale, fields.resolution),
            Field::Assignee => td_string!(locale, fields.assignee),
            Field::Team => td_string!(locale, fields.team),
            Field::Code => td_string!(locale, fields.code),
            Field::NameZh => td_string!(locale, fields.name_zh),
            Field::NameEn => td_string!(locale, fields.name_en),
            Field::Targets => td_string!(locale, fields.targets),
            Field::Definition => td_string!(locale, fields.definition),
            Field::Notifications => td_string!(locale, fields.notifications),
            Field::Slug => td_string!(locale, fields.slug),
            Field::Category => td_string!(locale, fields.category),
            Field::TitleEn => td_string!(locale, fields.title_en),
            Field::Body => td_string!(locale, fields.body),
            Field::BodyEn => td_string!(locale, fields.body_en),
            Field::Tags => td_string!(locale, fields.tags),
            Field::EffectiveDate => td_string!(locale, fields.effective_date),
            Field::ValidUntil => td_string!(locale, fields.valid_until),
            Field::SupersededBy => td_string!(locale, fields.superseded_by),
            Field::Audience => td_string!(locale, fields.audience),
            Field::Schedule => td_string!(locale, fields.schedule),
            Field::AckDeadline => td_string!(locale, fields.ack_deadline),
            Field::Synonyms => td_string!(locale, fields.synonyms),
            Field::PolicyLinks => td_string!(locale, fields.policy_links),
            Field::Score => td_string!(locale, fields.score),
            Field::Reasons => td_string!(locale, fields.reasons),
            Field::Comment => td_string!(locale, fields.comment),
            Field::Contact => td_string!(locale, fields.contact),
            Field::RootCause => td_string!(locale, fields.root_cause),
            Field::ActionTaken => td_string!(locale, fields.action_taken),
            Field::Outcome => td_string!(locale, fields.outcome),
            Field::Tier => td_string!(locale, fields.tier),
            Field::Rank => td_string!(locale, fields.rank),
            Field::Multiplier => td_string!(locale, fields.multiplier),
            Field::Priority => td_string!(locale, fields.priority),
            Field::CalendarName => td_string!(locale, fields.calendar_name),
            Field::WorkingHours(day) => crate::i18n_support::weekday_hours_label(locale, day),
            Field::Week => td_string!(locale, fields.week),
            Field::CalendarDates => td_string!(locale, fields.calendar_dates),
            Field::ScheduleFile => td_string!(locale, fields.schedule_file),
            Field::Calendar => td_string!(locale, fields.calendar),
        }
    }
}

impl Problem {
    pub fn message(self, locale: Locale, field: &str) -> String {
        match self {
            Problem::Required => td_string!(locale, problems.required, field = field),
            Problem::TooLong { max } => td_string!(locale, problems.too_long, field = field, max = max),
            Problem::TooShort { min } => {
                td_string!(locale, problems.too_short, field = field, min = min)
            }
            Problem::LoneTerm { line } => td_string!(locale, problems.lone_term, field = field, line = line),
            Problem::InvalidEmail => td_string!(locale, problems.invalid_email, field = field),
            Problem::Mismatch => td_string!(locale, problems.mismatch, field = field),
            Problem::Incorrect => td_string!(locale, problems.incorrect, field = field),
            Problem::UnknownPolicyPage => td_string!(locale, problems.unknown_policy_page, field = field),
            Problem::UnknownChoice => td_string!(locale, problems.unknown_choice, field = field),
            Problem::ControlCharacters => {
                td_string!(locale, problems.control_characters, field = field)
            }
            Problem::NotAnAmount => td_string!(locale, problems.not_an_amount, field = field),
            Problem::InvalidDate => td_string!(locale, problems.invalid_date, field = field),
            Problem::InvalidInvoiceNumber => {
                td_string!(locale, problems.invalid_invoice_number, field = field)
            }
            Problem::InvalidCode => td_string!(locale, problems.invalid_code, field = field),
            Problem::InvalidTargets => td_string!(locale, problems.invalid_targets, field = field),
            Problem::InvalidDefinition => {
                td_string!(locale, problems.invalid_definition, field = field)
            }
            Problem::TooMany => td_string!(locale, problems.too_many, field = field),
            Problem::OutOfRange { min, max } => td_string!(locale, problems.out_of_range, field = field, min = min, max = max),
            Problem::FileTooLarge { max_mib } => {
                td_string!(locale, problems.file_too_large, max = max_mib)
            }
            Problem::RequestFilesTooLarge { max_mib } => {
                td_string!(locale, problems.request_files_too_large, max = max_mib)
            }
            Problem::TooManyFiles { max } => td_string!(locale, problems.too_many_files, max = max),
            Problem::DailyUploadQuota { files, max_mib } => {
                td_string!(locale, problems.daily_upload_quota, files = files, max = max_mib).to_string()
            }
            Problem::EmptyFile => td_string!(locale, problems.empty_file).to_string(),
            Problem::FileKindNotAllowed => td_string!(locale, problems.file_kind_not_allowed).to_string(),
            Problem::ContentMismatch => td_string!(locale, problems.content_mismatch).to_string(),
            Problem::UnsafeFileName => td_string!(locale, problems.unsafe_file_name).to_string(),
            Problem::SuspiciousArchive => td_string!(locale, problems.suspicious_archive).to_string(),
            Problem::UnknownFile => td_string!(locale, problems.unknown_file).to_string(),
            Problem::TooLate => td_string!(locale, problems.too_late).to_string(),
            Problem::InvalidSlug => td_string!(locale, problems.invalid_slug, field = field),
            Problem::BeforeEffectiveDate => td_string!(locale, problems.before_effective_date, field = field),
            Problem::BeforePreviousVersion => {
                td_string!(locale, problems.before_previous_version, field = field)
            }
            Problem::InThePast => td_string!(locale, problems.in_the_past, field = field),
            Problem::SelfReference => td_string!(locale, problems.self_reference, field = field),
            Problem::TooBig { max_kib } => td_string!(locale, problems.too_big, field = field, max = max_kib),
            Problem::PeriodEndsBeforeStart => td_string!(locale, problems.period_ends_before_start, field = field),
            Problem::OverlappingPeriods => td_string!(locale, problems.overlapping_periods, field = field),
            Problem::InvalidPeriods => td_string!(locale, problems.invalid_periods, field = field),
            Problem::NoWorkingTime => td_string!(locale, problems.no_working_time).to_string(),
            Problem::DateOutOfRange { date, first, last } => {
                td_string!(locale, problems.date_out_of_range, date = date.to_string(), first = first, last = last)
            }
            Problem::HolidayAndMakeUp { date } => td_string!(locale, problems.holiday_and_make_up, date = date.to_string()),
            Problem::MakeUpWithoutHours { date } => td_string!(locale, problems.make_up_without_hours, date = date.to_string()),
            Problem::TooManyLines { max } => td_string!(locale, problems.too_many_lines, field = field, max = max),
            Problem::BadScheduleEntry { number, event, problem } => {
                let what = crate::i18n_support::line_problem_label(locale, problem);
                if event {
                    td_string!(locale, problems.bad_schedule_event, number = number, problem = what)
                } else {
                    td_string!(locale, problems.bad_schedule_line, number = number, problem = what)
                }
            }
            Problem::UnreadableFile => td_string!(locale, problems.unreadable_file, field = field),
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
