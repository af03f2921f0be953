//! Files for download: `GET /editor/policies/{id}/acknowledgements.csv`, who of a policy
//! version's audience has confirmed reading it, for editors; and
//! `GET /admin/calendars/{id}/schedule.csv|.ics`, a working calendar's holidays and make-up
//! days, for admins; and `GET /dashboard/{table}.csv?…`, a table of the operations dashboard
//! for the filters of the address, for those who may read it.

use super::SignedIn;
use crate::state::ServerState;
use app::{AppError, authz::{self, Action, Target}, kernel::PolicyPageId, policies::service};
use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};

pub async fn acknowledgements_csv(State(state): State<ServerState>, signed_in: SignedIn, Path(id): Path<i64>) -> Response {
    let user = &signed_in.user;
    if let Err(error) = authz::may(user, Action::SeePolicyFeedback, Target::Portal) {
        return signed_in.refuse(error);
    }
    let report = match service::ack_report(&state.app.db, PolicyPageId(id), chrono::Utc::now()).await {
        Ok(Some(report)) => report,
        Ok(None) => return signed_in.refuse(AppError::NotFound),
        Err(error) => return signed_in.refuse(error),
    };
    let file_name = format!("acknowledgements-{id}-v{}.csv", report.version);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        service::ack_csv(&report, user.language, &user.time_zone),
    )
        .into_response()
}

async fn schedule(state: ServerState, signed_in: SignedIn, id: i64, format: app::sla::ScheduleFormat) -> Response {
    if let Err(error) = authz::may(&signed_in.user, Action::ManageCalendars, Target::Portal) {
        return signed_in.refuse(error);
    }
    let text = match app::sla::service::export(&state.app.db, app::kernel::CalendarId(id), format).await {
        Ok(text) => text,
        Err(error) => return signed_in.refuse(error),
    };
    let (content_type, extension) = match format {
        app::sla::ScheduleFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        app::sla::ScheduleFormat::Ics => ("text/calendar; charset=utf-8", "ics"),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"calendar-{id}.{extension}\"")),
        ],
        text,
    )
        .into_response()
}

pub async fn schedule_csv(State(state): State<ServerState>, signed_in: SignedIn, Path(id): Path<i64>) -> Response {
    schedule(state, signed_in, id, app::sla::ScheduleFormat::Csv).await
}

pub async fn schedule_ics(State(state): State<ServerState>, signed_in: SignedIn, Path(id): Path<i64>) -> Response {
    schedule(state, signed_in, id, app::sla::ScheduleFormat::Ics).await
}

pub async fn dashboard_csv(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(file): Path<String>,
    Query(address): Query<app::operations::DashboardAddress>,
) -> Response {
    use app::operations::{export, service, Table};
    let Some(table) = file.strip_suffix(".csv").and_then(|name| name.parse::<Table>().ok()) else {
        return signed_in.refuse(AppError::NotFound);
    };
    let user = &signed_in.user;
    let scope = match authz::operations_scope(user) {
        Ok(scope) => scope,
        Err(error) => return signed_in.refuse(error),
    };
    let flag = state.app.settings.paused_flag_percent;
    let dashboard = match service::dashboard(&state.app.db, &scope, &address, &user.time_zone, flag, chrono::Utc::now()).await {
        Ok(dashboard) => dashboard,
        Err(error) => return signed_in.refuse(error),
    };
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", export::file_name(&dashboard, table))),
        ],
        export::table(&dashboard, table, user.language),
    )
        .into_response()
}

/// `GET /statements/{id}/statement.csv`: a monthly statement for its organisation's readers.
pub async fn statement_csv(State(state): State<ServerState>, signed_in: SignedIn, Path(id): Path<i64>) -> Response {
    let user = &signed_in.user;
    let statement = match app::billing::statement_service::get(&state.app.db, id).await {
        Ok(statement) => statement,
        Err(error) => return signed_in.refuse(error),
    };
    if let Err(error) = authz::may(user, Action::ViewStatements, Target::Organisation(statement.org_id)) {
        return signed_in.refuse(error);
    }
    let file_name = format!("statement-{}-r{}.csv", statement.month.format("%Y-%m"), statement.revision);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        app::billing::statement::csv(&statement, user.language, &user.time_zone),
    )
        .into_response()
}
