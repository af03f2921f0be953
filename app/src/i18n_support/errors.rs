//! The message each error shows a person, in their language. The error carries typed values
//! (a status, an action, a weekday, a line's problem); the words for them are chosen here.

use super::{action_label, line_problem_label, status_label, weekday_hours_label};
use crate::{
    error::{AppError, Conflict, Field, FieldError, Problem},
    i18n::Locale,
};
use leptos_i18n::td_string;

impl AppError {
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
            AppError::Conflict(Conflict::DisputeWindowClosed) => td_string!(locale, errors.dispute_window_closed).to_string(),
            AppError::Conflict(Conflict::Superseded) => td_string!(locale, errors.superseded).to_string(),
            AppError::Conflict(Conflict::AlreadyDisputed) => td_string!(locale, errors.already_disputed).to_string(),
            AppError::Conflict(Conflict::DisputeAnswered) => td_string!(locale, errors.dispute_answered).to_string(),
            AppError::Conflict(Conflict::AlreadyAnswered) => td_string!(locale, errors.already_answered).to_string(),
            AppError::Conflict(Conflict::NotAskedToAcknowledge) => td_string!(locale, errors.not_asked_to_acknowledge).to_string(),
            AppError::Conflict(Conflict::AlreadyTaken { owner }) => {
                td_string!(locale, errors.already_taken, owner = owner)
            }
            AppError::Conflict(Conflict::IllegalTransition { from, action }) => td_string!(
                locale,
                errors.illegal_transition,
                action = action_label(locale, *action),
                status = status_label(locale, *from)
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
            Field::WorkingHours(day) => weekday_hours_label(locale, day),
            Field::Week => td_string!(locale, fields.week),
            Field::CalendarDates => td_string!(locale, fields.calendar_dates),
            Field::ScheduleFile => td_string!(locale, fields.schedule_file),
            Field::Calendar => td_string!(locale, fields.calendar),
            Field::PeriodFrom => td_string!(locale, fields.period_from),
            Field::PeriodTo => td_string!(locale, fields.period_to),
            Field::Agent => td_string!(locale, fields.agent),
            Field::Currency => td_string!(locale, fields.currency),
            Field::MonthEndDays => td_string!(locale, fields.month_end_days),
            Field::Surcharge => td_string!(locale, fields.surcharge),
            Field::CreditCap => td_string!(locale, fields.credit_cap),
            Field::Price(_) => td_string!(locale, fields.price),
            Field::Quota(_) => td_string!(locale, fields.quota),
            Field::Credit(_) => td_string!(locale, fields.credit),
            Field::Answer => td_string!(locale, fields.answer),
            Field::CorrectedAmount => td_string!(locale, fields.corrected_amount),
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
                let what = line_problem_label(locale, problem);
                if event {
                    td_string!(locale, problems.bad_schedule_event, number = number, problem = what)
                } else {
                    td_string!(locale, problems.bad_schedule_line, number = number, problem = what)
                }
            }
            Problem::UnreadableFile => td_string!(locale, problems.unreadable_file, field = field),
            Problem::EndsBeforeStart => td_string!(locale, problems.ends_before_start, field = field).to_string(),
            Problem::PeriodTooLong { max_years } => td_string!(locale, problems.period_too_long, max = max_years).to_string(),
            Problem::FirstOfMonth => td_string!(locale, problems.first_of_month, field = field).to_string(),
            Problem::OverlapsVersion { earliest } => td_string!(locale, problems.overlaps_version, earliest = earliest.to_string()).to_string(),
            Problem::NotLower => td_string!(locale, problems.not_lower, field = field).to_string(),
        }
    }
}

