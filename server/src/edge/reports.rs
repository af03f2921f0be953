//! `GET /editor/policies/{id}/acknowledgements.csv`: who of a policy version's audience has
//! confirmed reading it, as a spreadsheet for editors.

use super::SignedIn;
use crate::ServerState;
use app::{
    authz::{self, Action, Target},
    policies::{service, PolicyPageId},
    AppError,
};
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
