//! The SLA clock applied: calendars checked and stored, due instants set at submission and
//! recomputed when a pause ends or a calendar changes, each request's clock panel, and the
//! scheduler's warnings.

use crate::{
    auth::CurrentUser,
    catalogue::Targets,
    db::Db,
    error::{AppError, Conflict, Field, FieldError, Problem},
    kernel::{CalendarId, RequestId, RequestStatus, TeamId, TypeId},
    sla::{
        AlertLevel, calendar::{CalendarError, DateRule, Week, WorkCalendar},
        calendar_file::{self, DatedEntry, FileError}, CALENDAR_NAME_MAX, CalendarInput,
        CalendarScope, CalendarSetup, CalendarView,
        clock::{self, PauseFacts, SlaPanel, TargetFacts}, ImportCheck, ScheduleFormat,
        SlaTarget, store::{self, ClockRow, Saved, StoredCalendar, StoredDate, StoredPause},
        working_time::{due_after, Pause, working_between, working_within},
    },
    state::AppState,
    validation::single_line,
};
use chrono::{DateTime, Duration, NaiveDate, Utc, Weekday};
use std::collections::{BTreeMap, HashMap};

/// The name the default calendar is created with.
pub const DEFAULT_CALENDAR_NAME: &str = "中国内地 · 标准工作日";

// ---------------------------------------------------------------------------------------------
// Calendars as stored, built into checked calendars

fn rule_text(rule: DateRule) -> &'static str {
    match rule {
        DateRule::Holiday => "holiday",
        DateRule::WorksLike(day) => match day {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        },
    }
}

fn rule_from_text(text: &str) -> Option<DateRule> {
    if text == "holiday" {
        return Some(DateRule::Holiday);
    }
    text.parse::<Weekday>().ok().map(DateRule::WorksLike)
}

fn week_json(week: &Week) -> Result<String, AppError> {
    serde_json::to_string(week).map_err(|_| AppError::Internal)
}

/// A stored calendar, checked again: what the database holds was checked when it was saved,
/// so a failure here is a defect, logged and reported as such.
fn built(stored: &StoredCalendar, dates: &[&StoredDate]) -> Result<WorkCalendar, AppError> {
    let week: Week = serde_json::from_str(&stored.week).map_err(|error| {
        tracing::error!(calendar = %stored.id, %error, "stored week unreadable");
        AppError::Internal
    })?;
    let (holidays, make_up) = split_dates(dates.iter().filter_map(|d| Some((d.day, rule_from_text(&d.rule)?))));
    WorkCalendar::new(&stored.zone, week, &holidays, &make_up).map_err(|error| {
        tracing::error!(calendar = %stored.id, ?error, "stored calendar refused");
        AppError::Internal
    })
}

fn split_dates(dates: impl Iterator<Item = (NaiveDate, DateRule)>) -> (Vec<NaiveDate>, Vec<(NaiveDate, Weekday)>) {
    let mut holidays = Vec::new();
    let mut make_up = Vec::new();
    for (date, rule) in dates {
        match rule {
            DateRule::Holiday => holidays.push(date),
            DateRule::WorksLike(like) => make_up.push((date, like)),
        }
    }
    (holidays, make_up)
}

/// Every calendar, checked, with which one is the default.
pub struct Calendars {
    by_id: HashMap<CalendarId, (StoredCalendar, WorkCalendar)>,
    default: Option<CalendarId>,
}

impl Calendars {
    /// The calendar a request is counted on (`None`: the default), with its stored row.
    pub fn get(&self, id: Option<CalendarId>) -> Option<&(StoredCalendar, WorkCalendar)> {
        self.by_id.get(&id.or(self.default)?)
    }

    /// Whether a request with calendar `own` (`None`: the default) counts on calendar `id`.
    fn counts_on(&self, own: Option<CalendarId>, id: CalendarId) -> bool {
        own.or(self.default) == Some(id)
    }

    /// How many of the open requests (`open`: counts per request calendar) count on `id`.
    fn open_on(&self, open: &[(Option<CalendarId>, i64)], id: CalendarId) -> i64 {
        open.iter().filter(|(own, _)| self.counts_on(*own, id)).map(|(_, n)| n).sum()
    }

    fn of(&self, id: Option<CalendarId>) -> Result<&WorkCalendar, AppError> {
        self.get(id).map(|(_, calendar)| calendar).ok_or_else(|| {
            tracing::error!(calendar = ?id, "no calendar to count on");
            AppError::Internal
        })
    }
}

pub async fn calendars(db: &Db) -> Result<Calendars, AppError> {
    let stored = store::calendars(db).await?;
    let dates = store::all_dates(db).await?;
    let mut by_id = HashMap::new();
    let mut default = None;
    for calendar in stored {
        let own: Vec<&StoredDate> = dates.iter().filter(|d| d.calendar_id == calendar.id).collect();
        let checked = built(&calendar, &own)?;
        if calendar.is_default {
            default = Some(calendar.id);
        }
        by_id.insert(calendar.id, (calendar, checked));
    }
    Ok(Calendars { by_id, default })
}

/// Creates the default calendar, the 2026 Mainland China schedule on 09:00–12:00 and
/// 13:30–18:00, unless there is one.
pub async fn ensure_default(db: &Db) -> Result<bool, AppError> {
    let calendar = super::calendar::center_default().map_err(|_| AppError::Internal)?;
    let dates: Vec<(NaiveDate, &str)> = calendar.dates().iter().map(|(d, r)| (*d, rule_text(*r))).collect();
    let week = week_json(calendar.week())?;
    let zone = calendar.zone().name().to_string();
    Ok(store::ensure_default(db, DEFAULT_CALENDAR_NAME, &zone, &week, &dates, Utc::now()).await?)
}

// ---------------------------------------------------------------------------------------------
// Requests: the promise at submission, pauses, recomputation, the panel

/// What a request is promised when it is submitted.
#[derive(Debug, Clone, Copy)]
pub struct Promise {
    pub calendar_id: CalendarId,
    pub first_response: Duration,
    pub resolution: Duration,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
}

/// The promise to a request of `type_id` handled by `team`, submitted at `at`, under
/// `targets` (already scaled by the subsidiary's tier).
pub async fn promise(db: &Db, type_id: TypeId, team: TeamId, targets: &Targets, urgent: bool, at: DateTime<Utc>) -> Result<Promise, AppError> {
    let calendars = calendars(db).await?;
    let calendar_id = store::calendar_for(db, type_id, team).await?.or(calendars.default).ok_or_else(|| {
        tracing::error!("no default calendar");
        AppError::Internal
    })?;
    let calendar = calendars.of(Some(calendar_id))?;
    let (first, resolution) = if urgent && targets.urgent_allowed {
        (targets.urgent_first_response_hours, targets.urgent_resolution_hours)
    } else {
        (targets.first_response_hours, targets.resolution_hours)
    };
    let (first, resolution) = (Duration::hours(first), Duration::hours(resolution));
    Ok(Promise {
        calendar_id,
        first_response: first,
        resolution,
        first_response_due: super::working_time::add_working(calendar, at, first),
        resolution_due: super::working_time::add_working(calendar, at, resolution),
    })
}

/// The same time of day `days` working days after `from` on the default calendar: follow-ups
/// are due so.
pub async fn working_days_later(db: &Db, from: DateTime<Utc>, days: i64) -> Result<DateTime<Utc>, AppError> {
    Ok(super::working_time::working_days_after(calendars(db).await?.of(None)?, from, days))
}

impl From<&StoredPause> for PauseFacts {
    fn from(stored: &StoredPause) -> Self {
        PauseFacts {
            pause: Pause { start: stored.started_at, end: stored.ended_at },
            kind: stored.kind,
            reason: stored.reason.clone(),
        }
    }
}

fn as_pauses(stored: &[StoredPause]) -> Vec<Pause> {
    stored.iter().map(|p| Pause { start: p.started_at, end: p.ended_at }).collect()
}

/// One request's pauses out of the pauses of many.
fn pauses_of(stored: &[StoredPause], id: RequestId) -> Vec<Pause> {
    as_pauses(&stored.iter().filter(|p| p.request_id == id).cloned().collect::<Vec<_>>())
}

/// Both due instants of a request under its pauses, or `None` while one is open.
fn dues(calendar: &WorkCalendar, row: &ClockRow, pauses: &[Pause]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((
        due_after(calendar, row.created_at, Duration::minutes(row.first_response_minutes), pauses)?,
        due_after(calendar, row.created_at, Duration::minutes(row.resolution_minutes), pauses)?,
    ))
}

/// The resolution due instant once the clock runs again at `at`: the client answered, so the
/// open pause ends; or the client reopened the request, which stood resolved since
/// `stood_resolved`.
pub async fn resolution_due_on_resume(
    db: &Db,
    id: RequestId,
    at: DateTime<Utc>,
    stood_resolved: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(row) = store::clock_row(db, id).await? else { return Ok(None) };
    let calendars = calendars(db).await?;
    let mut pauses = as_pauses(&store::pauses_of(db, id).await?);
    for pause in pauses.iter_mut().filter(|p| p.end.is_none()) {
        pause.end = Some(at.max(pause.start));
    }
    pauses.extend(stood_resolved.map(|since| Pause { start: since.min(at), end: Some(at) }));
    Ok(dues(calendars.of(row.calendar_id)?, &row, &pauses).map(|(_, resolution)| resolution))
}

/// Recomputes the due instants of every open request counted on `changed` (its own or, for
/// the default, by having none) under `calendars`, inside the caller's transaction. Requests
/// waiting on the client keep theirs until they resume.
async fn recompute_open(db: &Db, tx: &mut crate::db::Tx, calendars: &Calendars, changed: CalendarId) -> Result<usize, AppError> {
    let rows = store::open_clocks(db, false).await?;
    let pauses = store::open_pauses(db).await?;
    let mut dues_now = Vec::new();
    for row in rows.iter().filter(|r| calendars.counts_on(r.calendar_id, changed)) {
        if let Some((first, resolution)) = dues(calendars.of(row.calendar_id)?, row, &pauses_of(&pauses, row.id)) {
            if (first, resolution) != (row.first_response_due, row.resolution_due) {
                dues_now.push((row.id, first, resolution));
            }
        }
    }
    store::set_dues(tx, &dues_now).await?;
    Ok(dues_now.len())
}

/// A request's clock panel at `now`.
pub async fn panel(db: &Db, id: RequestId, now: DateTime<Utc>) -> Result<SlaPanel, AppError> {
    let row = store::clock_row(db, id).await?.ok_or(AppError::NotFound)?;
    let calendars = calendars(db).await?;
    let (stored, calendar) = calendars.get(row.calendar_id).ok_or(AppError::Internal)?;
    let stored_pauses = store::pauses_of(db, id).await?;
    let pauses = as_pauses(&stored_pauses);
    let ended = matches!(row.status, RequestStatus::Resolved | RequestStatus::Rejected | RequestStatus::Closed)
        .then_some(row.resolved_at)
        .flatten();
    // Withdrawn, or closed without a resolution: the clock stopped at the last change.
    let abandoned = (ended.is_none() && row.status.is_final()).then_some(row.updated_at);
    let targets = vec![
        clock::target_clock(
            calendar,
            row.created_at,
            TargetFacts {
                target: SlaTarget::FirstResponse,
                promised: Duration::minutes(row.first_response_minutes),
                reached_at: row.first_responded_at,
                abandoned_at: abandoned,
            },
            &pauses,
            now,
        ),
        clock::target_clock(
            calendar,
            row.created_at,
            TargetFacts {
                target: SlaTarget::Resolution,
                promised: Duration::minutes(row.resolution_minutes),
                reached_at: ended,
                abandoned_at: abandoned,
            },
            &pauses,
            now,
        ),
    ];
    let pause_views = clock::pause_views(calendar, &stored_pauses.iter().map(PauseFacts::from).collect::<Vec<_>>(), now);
    Ok(SlaPanel {
        calendar_name: stored.name.clone(),
        zone: stored.zone.clone(),
        submitted_at: row.created_at,
        paused_minutes: pause_views.iter().map(|p| p.working_minutes).sum(),
        targets,
        pauses: pause_views,
        computed_at: now,
    })
}

/// Working minutes left until each due instant, for the lists: `None` for requests whose clock
/// does not run. Computed on the request's own calendar.
pub fn remaining_minutes(calendars: &Calendars, calendar_id: Option<CalendarId>, due: DateTime<Utc>, now: DateTime<Utc>) -> Option<i64> {
    let (_, calendar) = calendars.get(calendar_id)?;
    Some(if due >= now { working_between(calendar, now, due).num_minutes() } else { -working_between(calendar, due, now).num_minutes() })
}

// ---------------------------------------------------------------------------------------------
// The admins' calendar page

pub async fn setup(db: &Db) -> Result<CalendarSetup, AppError> {
    let calendars = calendars(db).await?;
    let open = store::open_counts(db).await?;
    let mut views: Vec<CalendarView> = calendars
        .by_id
        .values()
        .map(|(stored, calendar)| CalendarView {
            id: stored.id,
            name: stored.name.clone(),
            zone: stored.zone.clone(),
            week: calendar.week().iter().map(|p| super::periods_text(p)).collect(),
            dates: calendar.dates().iter().map(|(date, rule)| DatedEntry { date: *date, rule: *rule }).collect(),
            is_default: stored.is_default,
            version: stored.version,
            open_requests: calendars.open_on(&open, stored.id),
        })
        .collect();
    views.sort_by(|a, b| b.is_default.cmp(&a.is_default).then(a.name.cmp(&b.name)));
    let (teams, types) = store::calendar_users(db).await?;
    Ok(CalendarSetup { calendars: views, teams, types })
}

/// The input's name, zone and week, each checked, every problem reported on its field.
fn checked_input(input: &CalendarInput) -> Result<(String, String, Week), AppError> {
    let mut errors = Vec::new();
    let name = single_line(Field::CalendarName, &input.name, CALENDAR_NAME_MAX);
    if let Err(e) = &name {
        errors.push(*e);
    }
    let mut week: Week = Default::default();
    if input.week.len() != 7 {
        errors.push(FieldError { field: Field::Week, problem: Problem::InvalidPeriods });
    }
    for (day, text) in input.week.iter().take(7).enumerate() {
        match super::parse_periods(text) {
            Some(periods) => week[day] = periods,
            None => errors.push(FieldError { field: Field::WorkingHours(day as u8), problem: Problem::InvalidPeriods }),
        }
    }
    match name {
        Ok(name) if errors.is_empty() => Ok((name, input.zone.trim().to_string(), week)),
        _ => Err(AppError::Invalid(errors)),
    }
}

/// A calendar's own error, on the field that has to change.
pub fn calendar_problem(error: CalendarError) -> AppError {
    use super::calendar::{FIRST_YEAR, LAST_YEAR};
    let day = |d: Weekday| d.num_days_from_monday() as u8;
    let (field, problem) = match error {
        CalendarError::UnknownTimeZone(_) => (Field::TimeZone, Problem::UnknownChoice),
        CalendarError::PeriodEndsBeforeStart(d) => (Field::WorkingHours(day(d)), Problem::PeriodEndsBeforeStart),
        CalendarError::OverlappingPeriods(d) => (Field::WorkingHours(day(d)), Problem::OverlappingPeriods),
        CalendarError::NoWorkingTime => (Field::Week, Problem::NoWorkingTime),
        CalendarError::DateOutOfRange(date) => {
            (Field::CalendarDates, Problem::DateOutOfRange { date, first: FIRST_YEAR, last: LAST_YEAR })
        }
        CalendarError::HolidayAndMakeUp(date) => (Field::CalendarDates, Problem::HolidayAndMakeUp { date }),
        CalendarError::MakeUpWithoutHours(date) => (Field::CalendarDates, Problem::MakeUpWithoutHours { date }),
    };
    AppError::invalid(field, problem)
}

/// A schedule file's error, with each bad line or event by its number.
pub fn file_problem(error: FileError) -> AppError {
    let entry = |event: bool| {
        move |(number, problem): (usize, crate::kernel::LineProblem)| FieldError {
            field: Field::ScheduleFile,
            problem: Problem::BadScheduleEntry { number: number as u32, event, problem },
        }
    };
    match error {
        FileError::TooLong { max_lines } => {
            AppError::invalid(Field::ScheduleFile, Problem::TooManyLines { max: max_lines as u32 })
        }
        FileError::BadLines(lines) => AppError::Invalid(lines.into_iter().map(entry(false)).collect()),
        FileError::BadEvents(events) => AppError::Invalid(events.into_iter().map(entry(true)).collect()),
        FileError::Unreadable => AppError::invalid(Field::ScheduleFile, Problem::UnreadableFile),
        FileError::Empty => AppError::invalid(Field::ScheduleFile, Problem::EmptyFile),
    }
}

/// Creates or changes a calendar and recomputes the open requests counted on it, in one
/// transaction.
pub async fn save(db: &Db, admin: &CurrentUser, id: Option<CalendarId>, input: &CalendarInput) -> Result<CalendarId, AppError> {
    let (name, zone, week) = checked_input(input)?;
    let mut all = calendars(db).await?;
    let current_dates = match id {
        Some(id) => all.by_id.get(&id).ok_or(AppError::NotFound)?.1.dates().clone(),
        None => BTreeMap::new(),
    };
    let (holidays, make_up) = split_dates(current_dates.iter().map(|(d, r)| (*d, *r)));
    let calendar = WorkCalendar::new(&zone, week.clone(), &holidays, &make_up).map_err(calendar_problem)?;
    let week = week_json(&week)?;
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let saved = store::save(&mut tx, id, input.version, &name, &zone, &week, input.is_default, now).await?;
    let saved_id = match saved {
        Saved::Done(saved_id) => saved_id,
        Saved::NameTaken => {
            tx.rollback().await?;
            return Err(AppError::Conflict(Conflict::CodeTaken));
        }
        Saved::Stale => {
            tx.rollback().await?;
            return Err(AppError::Conflict(Conflict::Stale));
        }
    };
    // The recomputation counts on the calendar as it now stands, before it is committed.
    let stored = StoredCalendar {
        id: saved_id,
        name: name.clone(),
        zone,
        week,
        is_default: input.is_default || all.default == Some(saved_id),
        version: input.version.unwrap_or(0) + 1,
    };
    all.by_id.insert(saved_id, (stored, calendar));
    if input.is_default {
        all.default = Some(saved_id);
    }
    // Requests with no calendar of their own follow the default, so they move too.
    let moved = recompute_open(db, &mut tx, &all, saved_id).await?;
    tx.commit().await?;
    tracing::info!(calendar = %saved_id, %name, admin = %admin.id, recomputed = moved, "calendar saved");
    Ok(saved_id)
}

fn parse_file(format: ScheduleFormat, text: &str) -> Result<Vec<DatedEntry>, AppError> {
    match format {
        ScheduleFormat::Csv => calendar_file::parse_csv(text),
        ScheduleFormat::Ics => calendar_file::parse_ics(text),
    }
    .map_err(file_problem)
}

/// The calendar after `incoming` is merged into its dates, checked.
fn with_dates(calendar: &WorkCalendar, dates: &BTreeMap<NaiveDate, DateRule>) -> Result<WorkCalendar, AppError> {
    let (holidays, make_up) = split_dates(dates.iter().map(|(d, r)| (*d, *r)));
    WorkCalendar::new(calendar.zone().name(), calendar.week().clone(), &holidays, &make_up).map_err(calendar_problem)
}

/// What importing `text` would change, without changing anything.
pub async fn check_import(db: &Db, id: CalendarId, format: ScheduleFormat, text: &str) -> Result<ImportCheck, AppError> {
    let incoming = parse_file(format, text)?;
    let all = calendars(db).await?;
    let (_, calendar) = all.by_id.get(&id).ok_or(AppError::NotFound)?;
    let mut dates = calendar.dates().clone();
    dates.extend(incoming.iter().map(|e| (e.date, e.rule)));
    with_dates(calendar, &dates)?;
    let open_requests = all.open_on(&store::open_counts(db).await?, id);
    Ok(ImportCheck { preview: calendar_file::preview(calendar.dates(), &incoming), open_requests })
}

/// Changes a calendar's dates to `dates`, if it is still at `version`, and recomputes its open
/// requests, in one transaction.
async fn set_dates(
    db: &Db,
    admin: &CurrentUser,
    id: CalendarId,
    version: i64,
    change: impl FnOnce(&mut BTreeMap<NaiveDate, DateRule>),
) -> Result<usize, AppError> {
    let mut all = calendars(db).await?;
    let (_, calendar) = all.by_id.get(&id).ok_or(AppError::NotFound)?;
    let mut dates = calendar.dates().clone();
    change(&mut dates);
    let changed = with_dates(calendar, &dates)?;
    let rows: Vec<(NaiveDate, &str)> = dates.iter().map(|(d, r)| (*d, rule_text(*r))).collect();
    let mut tx = db.begin_write().await?;
    if !store::bump(&mut tx, id, version, Utc::now()).await? {
        tx.rollback().await?;
        return Err(AppError::Conflict(Conflict::Stale));
    }
    store::replace_dates(&mut tx, id, &rows).await?;
    if let Some(entry) = all.by_id.get_mut(&id) {
        entry.1 = changed;
    }
    let moved = recompute_open(db, &mut tx, &all, id).await?;
    tx.commit().await?;
    tracing::info!(calendar = %id, admin = %admin.id, dates = rows.len(), recomputed = moved, "calendar dates changed");
    Ok(moved)
}

/// Imports a schedule file into a calendar: the dates it names are set, the others kept.
pub async fn import(db: &Db, admin: &CurrentUser, id: CalendarId, version: i64, format: ScheduleFormat, text: &str) -> Result<usize, AppError> {
    let incoming = parse_file(format, text)?;
    set_dates(db, admin, id, version, |dates| dates.extend(incoming.iter().map(|e| (e.date, e.rule)))).await
}

/// Takes one date's own entry away: it follows the week again.
pub async fn remove_date(db: &Db, admin: &CurrentUser, id: CalendarId, version: i64, date: NaiveDate) -> Result<usize, AppError> {
    set_dates(db, admin, id, version, |dates| {
        dates.remove(&date);
    })
    .await
}

/// A calendar's dates as a file.
pub async fn export(db: &Db, id: CalendarId, format: ScheduleFormat) -> Result<String, AppError> {
    let all = calendars(db).await?;
    let (_, calendar) = all.by_id.get(&id).ok_or(AppError::NotFound)?;
    Ok(match format {
        ScheduleFormat::Csv => calendar_file::to_csv(calendar.dates()),
        ScheduleFormat::Ics => calendar_file::to_ics(calendar.dates()),
    })
}

/// Points a team or request type at a calendar; requests submitted from now on count on it.
pub async fn assign(db: &Db, admin: &CurrentUser, scope: CalendarScope, calendar: Option<CalendarId>) -> Result<(), AppError> {
    if !store::assign(db, scope, calendar).await? {
        return Err(AppError::invalid(Field::Calendar, Problem::UnknownChoice));
    }
    tracing::info!(?scope, calendar = ?calendar, admin = %admin.id, "calendar assigned");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The scheduler's warnings

/// One alert to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueAlert {
    pub request: RequestId,
    pub target: SlaTarget,
    pub level: AlertLevel,
    pub due_at: DateTime<Utc>,
}

/// The alerts the running requests have reached at `now`. Pure: remaining working time is
/// measured from now to the stored due instant, which already counts the pauses.
pub fn alerts_reached(calendars: &Calendars, rows: &[ClockRow], now: DateTime<Utc>) -> Vec<DueAlert> {
    let mut alerts = Vec::new();
    for row in rows {
        let Some((_, calendar)) = calendars.get(row.calendar_id) else { continue };
        let mut check = |target, promised_minutes: i64, due: DateTime<Utc>, unclaimed: bool| {
            let promised = Duration::minutes(promised_minutes);
            // Only the last half (unclaimed) or quarter of a target raises an alert, so the
            // measuring stops once more than that is known to be left.
            let alerting = (if unclaimed { promised / 2 } else { promised / 4 }) + Duration::seconds(1);
            let left = if due > now { working_within(calendar, now, due, alerting) } else { Some(Duration::zero()) };
            let Some(left) = left else { return };
            let used = clock::used_percent(promised, left);
            let level = if due <= now {
                Some(AlertLevel::Breach)
            } else if used >= 75 {
                Some(AlertLevel::Warning)
            } else {
                None
            };
            if unclaimed && used >= 50 {
                alerts.push(DueAlert { request: row.id, target, level: AlertLevel::Unclaimed, due_at: due });
            }
            if let Some(level) = level {
                // A breach that is reached first still warns: the owner hears both once.
                if level == AlertLevel::Breach {
                    alerts.push(DueAlert { request: row.id, target, level: AlertLevel::Warning, due_at: due });
                }
                alerts.push(DueAlert { request: row.id, target, level, due_at: due });
            }
        };
        if row.first_responded_at.is_none() {
            check(SlaTarget::FirstResponse, row.first_response_minutes, row.first_response_due, row.owner_id.is_none());
        }
        check(SlaTarget::Resolution, row.resolution_minutes, row.resolution_due, false);
    }
    alerts
}

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// False when another instance holds the lease.
    pub ran: bool,
    pub sent: usize,
}

/// The scheduler's name for its lease.
pub const LEASE: &str = "sla-alerts";

/// A name for this instance's hold on the lease, distinct across hosts and restarts.
pub fn lease_holder() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    format!("{}-{:016x}", std::process::id(), OsRng.next_u64())
}

/// One scheduler tick: if this instance (`holder`) holds the lease, sends each alert the running
/// requests reached that no instance has sent before.
pub async fn tick(state: &AppState, holder: &str, lease: std::time::Duration, now: DateTime<Utc>) -> Result<Tick, AppError> {
    let until = now + Duration::from_std(lease).unwrap_or(Duration::minutes(1));
    if !store::take_lease(&state.db, LEASE, holder, now, until).await? {
        return Ok(Tick::default());
    }
    let calendars = calendars(&state.db).await?;
    let rows = store::open_clocks(&state.db, true).await?;
    let mut sent = 0;
    for alert in alerts_reached(&calendars, &rows, now) {
        if !store::claim_alert(&state.db, alert.request, alert.target, alert.level, alert.due_at, now).await? {
            continue;
        }
        let Some(row) = rows.iter().find(|r| r.id == alert.request) else { continue };
        let about = crate::notifications::service::About::request(row.id, row.reference_no.as_str(), &row.title);
        let result = match alert.level {
            AlertLevel::Unclaimed => {
                let agents = store::team_agents(&state.db, row.team_id).await?;
                crate::notifications::service::sla_unclaimed(state, &about, &agents, now).await
            }
            level => {
                crate::notifications::service::sla_alert(state, &about, row.org_id, row.owner_id, level == AlertLevel::Breach, now)
                    .await
            }
        };
        match result {
            Ok(_) => sent += 1,
            // Nothing of it was written (one transaction), so it is given back for the next tick.
            Err(error) => {
                tracing::warn!(request = %row.id, ?alert, %error, "SLA alert not delivered; retried next tick");
                store::release_alert(&state.db, alert.request, alert.target, alert.level, alert.due_at).await?;
            }
        }
    }
    Ok(Tick { ran: true, sent })
}

