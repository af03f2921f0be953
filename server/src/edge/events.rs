//! `GET /events`: the signed-in tab's live notifications as server-sent events.

use super::SignedIn;
use crate::{live::LiveStream, state::ServerState};
use app::{
    AppError,
    auth::{ssr::{SESSION_AUTH_KEY, SessionAuth}},
    authz,
    authz::{Action, Target},
    kernel::NotificationId,
    notifications::store,
};
use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    /// The newest notification id the page already shows, for the first connection.
    after: Option<i64>,
}

pub async fn events(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
) -> Response {
    let user = &signed_in.user;
    if let Err(error) = authz::may(user, Action::HandleOwnNotifications, Target::User(user.id)) {
        return signed_in.refuse(error);
    }
    let auth = match signed_in.session.get::<SessionAuth>(SESSION_AUTH_KEY).await {
        Ok(Some(auth)) => auth,
        _ => return signed_in.refuse(AppError::Unauthenticated),
    };
    // A reconnecting browser names the last event it received; that wins over the page's hint.
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(query.after);
    let cursor = match resume {
        Some(id) => NotificationId(id),
        None => match store::summary(&state.app.db, user.id).await {
            Ok(summary) => summary.latest.unwrap_or(NotificationId(0)),
            Err(error) => return signed_in.refuse(error.into()),
        },
    };
    let session_id = signed_in.session.id();
    LiveStream::new(state.app.clone(), state.sessions.clone(), session_id, auth, cursor)
        .into_sse()
        .into_response()
}
