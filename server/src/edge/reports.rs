//! Files for download: `GET /editor/policies/{id}/acknowledgements.csv`, who of a policy
//! version's audience has confirmed reading it, for editors; and
//! `GET /admin/calendars/{id}/schedule.csv|.ics`, a working calendar's holidays and make-up
//! days, for admins.

use super::SignedIn;
use crate::state::ServerState;
use app::{AppError, authz::{self, Action, Target}, kernel::PolicyPageId, policies::service};
use axum::{
    extract::{Path, State},
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
