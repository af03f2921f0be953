//! `POST /files`, `GET /files/{id}`, `DELETE /files/{id}`: file transfer for signed-in users.

use super::SignedIn;
use crate::state::ServerState;
use app::{attachments::transfer, kernel::AttachmentId};
use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

/// Takes one file's bytes; answers the staged file as JSON.
pub async fn upload(State(state): State<ServerState>, signed_in: SignedIn, headers: HeaderMap, body: Body) -> Response {
    match transfer::receive(&state.app, &signed_in.user, &headers, body).await {
        Ok(file) => (StatusCode::CREATED, Json(file)).into_response(),
        Err(error) => signed_in.refuse(error),
    }
}

/// The uploader removes a file before submitting it.
pub async fn remove(State(state): State<ServerState>, signed_in: SignedIn, Path(id): Path<i64>) -> Response {
    match transfer::discard(&state.app, &signed_in.user, AttachmentId(id)).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => signed_in.refuse(error),
    }
}

#[derive(serde::Deserialize)]
pub struct DownloadQuery {
    #[serde(default)]
    inline: Option<String>,
}

/// The file's bytes; `?inline=1` previews images and PDFs in the page.
pub async fn download(
    State(state): State<ServerState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<DownloadQuery>,
) -> Response {
    let inline = query.inline.is_some_and(|v| v == "1" || v == "true");
    match transfer::serve(&state.app, &signed_in.user, AttachmentId(id), inline).await {
        Ok(response) => response,
        Err(error) => signed_in.refuse(error),
    }
}
