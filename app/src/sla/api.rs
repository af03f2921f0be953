//! Server functions for working calendars (admins only). A request's clock is served with the
//! request (`requests::api::request_clock`).

use crate::{
    error::AppError,
    kernel::CalendarId,
    sla::{CalendarInput, CalendarScope, CalendarSetup, ImportCheck, ScheduleFormat},
};
use chrono::NaiveDate;
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    sla::service,
    state::app_state,
};

#[server(endpoint = "calendars/setup")]
pub async fn load_calendar_setup() -> Result<CalendarSetup, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageCalendars, Target::Portal)?;
    service::setup(&app_state()?.db).await
}

/// Creates a calendar (`id` none) or changes its name, zone, week or default flag; the open
/// requests counted on it are recomputed.
#[server(endpoint = "calendars/save", input = Json)]
pub async fn save_calendar(id: Option<CalendarId>, calendar: CalendarInput) -> Result<CalendarId, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageCalendars, Target::Portal)?;
    service::save(&app_state()?.db, &user, id, &calendar).await
}

/// What importing a schedule file would change; nothing is written.
#[server(endpoint = "calendars/check-import", input = Json)]
pub async fn check_schedule_import(id: CalendarId, format: ScheduleFormat, text: String) -> Result<ImportCheck, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageCalendars, Target::Portal)?;
    service::check_import(&app_state()?.db, id, format, &text).await
}

/// Imports a schedule file into the calendar the admin saw at `version`; answers how many open
/// requests got new due instants.
#[server(endpoint = "calendars/import", input = Json)]
pub async fn import_schedule(id: CalendarId, version: i64, format: ScheduleFormat, text: String) -> Result<usize, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageCalendars, Target::Portal)?;
    service::import(&app_state()?.db, &user, id, version, format, &text).await
}

#[server(endpoint = "calendars/remove-date", input = Json)]
pub async fn remove_calendar_date(id: CalendarId, version: i64, date: NaiveDate) -> Result<usize, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageCalendars, Target::Portal)?;
    service::remove_date(&app_state()?.db, &user, id, version, date).await
}

#[server(endpoint = "calendars/assign", input = Json)]
pub async fn assign_calendar(scope: CalendarScope, calendar: Option<CalendarId>) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageCalendars, Target::Portal)?;
    service::assign(&app_state()?.db, &user, scope, calendar).await
}

