//! File transfer behind the raw `/files` endpoints of the server's edge. Files do not fit
//! server functions: they stream.
//!
//! An upload is the raw bytes of one file, its name in the `X-File-Name` header
//! (percent-encoded UTF-8), answered with [`UploadedFile`]. The browser sends one file per
//! call so that each has its own progress bar.

use crate::{
    attachments::{extension, FileKind, sanitize_file_name, sniff, store, UploadedFile},
    auth::CurrentUser,
    authz::{self, Action, Target},
    error::{AppError, Field, Problem},
    kernel::AttachmentId,
    requests::store as requests,
    state::AppState,
};
use axum::{
    body::Body,
    http::{header, HeaderMap, HeaderValue},
    response::Response,
};
use futures_util::StreamExt;
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

pub const FILE_NAME_HEADER: &str = "x-file-name";
/// Enough of the start of a file to recognise it.
const HEAD_BYTES: usize = 8 * 1024;
/// Enough of the end of a ZIP to read the names in its directory.
const TAIL_BYTES: usize = 256 * 1024;

fn file_problem(problem: Problem) -> AppError {
    AppError::invalid(Field::Files, problem)
}

/// Receives one uploaded file for `user`: its name from the `X-File-Name` header, its bytes
/// streamed into the store and checked against the limits and its claimed kind.
pub async fn receive(
    state: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    body: Body,
) -> Result<UploadedFile, AppError> {
    authz::may(user, Action::UploadFile, Target::Portal)?;
    let limits = state.settings.uploads;
    let raw_name = headers
        .get(FILE_NAME_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| percent_decode_str(v).decode_utf8_lossy().into_owned())
        .unwrap_or_default();
    let file_name = sanitize_file_name(&raw_name).ok_or(file_problem(Problem::UnsafeFileName))?;
    let claimed: Vec<FileKind> = extension(&file_name)
        .map(|ext| FileKind::ALL.iter().copied().filter(|k| k.extensions().contains(&ext.as_str())).collect())
        .unwrap_or_default();
    if claimed.is_empty() {
        return Err(file_problem(Problem::FileKindNotAllowed));
    }
    let declared_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = file_problem(Problem::FileTooLarge { max_mib: (limits.max_file_bytes / crate::kernel::MIB) as u32 });
    // A declared length far over the limit is refused by the body limit layer before it is sent;
    // one just over it is read and refused below, so the client sees the message.
    if declared_length.is_some_and(|n| n > limits.max_file_bytes + 64 * 1024) {
        return Err(too_large);
    }

    let now = chrono::Utc::now();
    let quota = Quota {
        user: user.id,
        day: now.with_timezone(&crate::time::zone(&user.time_zone)).date_naive(),
        limits,
    };
    if !store::take_file_quota(&state.db, user.id, quota.day, limits.daily_files).await? {
        return Err(quota.exhausted());
    }
    let id = store::begin_upload(&state.db, user.id, &file_name, now).await?;
    let outcome = stream_into(state, id, body, &quota).await;
    let checked = match outcome {
        Ok(Received { size: 0, .. }) => Err(file_problem(Problem::EmptyFile)),
        Ok(Received { refused: Some(problem), .. }) => Err(file_problem(problem)),
        Ok(received) => match sniff(&received.head, &received.tail, received.size) {
            Err(problem) => Err(file_problem(problem)),
            Ok(kind) if !claimed.contains(&kind) => Err(file_problem(Problem::ContentMismatch)),
            Ok(kind) => Ok((kind, received)),
        },
        Err(e) => Err(e),
    };
    match checked {
        Ok((kind, received)) => {
            store::finish(&state.db, id, kind, received.size as i64, &received.sha256).await?;
            tracing::info!(file = %id, user = %user.id, size = received.size, %kind, "file uploaded");
            Ok(UploadedFile { id, file_name, kind, size_bytes: received.size as i64 })
        }
        Err(e) => {
            if let Err(error) = store::discard(&state.db, id).await {
                tracing::warn!(%error, file = %id, "discarding a refused upload failed");
            }
            Err(e)
        }
    }
}

/// What the uploader may still send: the limits per file and today's quota.
struct Quota {
    user: crate::kernel::UserId,
    day: chrono::NaiveDate,
    limits: crate::kernel::UploadLimits,
}

impl Quota {
    fn problem(&self) -> Problem {
        Problem::DailyUploadQuota {
            files: self.limits.daily_files,
            max_mib: (self.limits.daily_bytes / crate::kernel::MIB) as u32,
        }
    }

    fn exhausted(&self) -> AppError {
        file_problem(self.problem())
    }
}

struct Received {
    size: u64,
    /// Why the bytes were not all taken: too large, or over the day's quota.
    refused: Option<Problem>,
    head: Vec<u8>,
    tail: Vec<u8>,
    sha256: String,
}

/// Writes the body in chunks as it arrives, hashing it and keeping its first and last bytes.
/// Each chunk is charged to the day's quota before it is stored.
async fn stream_into(
    state: &AppState,
    id: AttachmentId,
    body: Body,
    quota: &Quota,
) -> Result<Received, AppError> {
    let max = quota.limits.max_file_bytes;
    let mut stream = body.into_data_stream();
    let mut hasher = Sha256::new();
    let mut pending: Vec<u8> = Vec::with_capacity(store::CHUNK_BYTES);
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let mut tail: Vec<u8> = Vec::new();
    let mut size: u64 = 0;
    let mut seq = 0;
    while let Some(frame) = stream.next().await {
        let bytes = frame.map_err(|error| {
            tracing::debug!(%error, file = %id, "upload interrupted");
            AppError::Malformed
        })?;
        size += bytes.len() as u64;
        if size > max {
            let problem = Problem::FileTooLarge { max_mib: (max / crate::kernel::MIB) as u32 };
            return Ok(refuse_rest(stream, size, problem).await);
        }
        hasher.update(&bytes);
        if head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - head.len()).min(bytes.len());
            head.extend_from_slice(&bytes[..take]);
        }
        tail.extend_from_slice(&bytes);
        if tail.len() > TAIL_BYTES {
            tail.drain(..tail.len() - TAIL_BYTES);
        }
        pending.extend_from_slice(&bytes);
        while pending.len() >= store::CHUNK_BYTES {
            let rest = pending.split_off(store::CHUNK_BYTES);
            if !charge(state, quota, pending.len()).await? {
                return Ok(refuse_rest(stream, size, quota.problem()).await);
            }
            store::append_chunk(&state.db, id, seq, &pending).await?;
            seq += 1;
            pending = rest;
        }
    }
    if !pending.is_empty() {
        if !charge(state, quota, pending.len()).await? {
            return Ok(Received { size, refused: Some(quota.problem()), head, tail, sha256: String::new() });
        }
        store::append_chunk(&state.db, id, seq, &pending).await?;
    }
    Ok(Received { size, refused: None, head, tail, sha256: format!("{:x}", hasher.finalize()) })
}

async fn charge(state: &AppState, quota: &Quota, bytes: usize) -> Result<bool, AppError> {
    Ok(store::take_byte_quota(&state.db, quota.user, quota.day, bytes as u64, quota.limits.daily_bytes).await?)
}

/// Reads the rest of a refused body (the body limit layer bounds it) so the client finishes
/// sending and reads the refusal, instead of seeing its connection reset mid-upload.
async fn refuse_rest(
    mut stream: impl futures_util::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Unpin,
    size: u64,
    problem: Problem,
) -> Received {
    while let Some(frame) = stream.next().await {
        if frame.is_err() {
            break;
        }
    }
    Received { size, refused: Some(problem), head: Vec::new(), tail: Vec::new(), sha256: String::new() }
}

/// The uploader removes a file before submitting it (`DELETE /files/{id}`).
pub async fn discard(state: &AppState, user: &CurrentUser, id: AttachmentId) -> Result<(), AppError> {
    let facts = store::file_facts(&state.db, id).await?.ok_or(AppError::NotFound)?;
    // A file that is part of a request, a policy page or the catalogue stays with it.
    if facts.request_id.is_some() || facts.policy_page.is_some() || facts.slot_example {
        return Err(AppError::NotFound);
    }
    authz::may(user, Action::HandleOwnUpload, Target::User(facts.uploaded_by))?;
    Ok(store::discard(&state.db, id).await?)
}

/// The bytes of a file the user may see (`GET /files/{id}`); `inline` previews images and
/// PDFs, every other kind is always a download.
pub async fn serve(state: &AppState, user: &CurrentUser, id: AttachmentId, inline: bool) -> Result<Response, AppError> {
    let facts = store::file_facts(&state.db, id).await?.ok_or(AppError::NotFound)?;
    match (facts.request_id, facts.policy_page) {
        (Some(request), _) => {
            let access = requests::state(&state.db, request).await?.ok_or(AppError::NotFound)?;
            authz::may(user, Action::ViewRequest, access.target())?;
            if facts.internal {
                authz::may(user, Action::ViewInternal, access.target())?;
            }
        }
        (None, Some(_)) => crate::policies::files::may_read(&state.db, user, id).await?,
        // Everyone who may submit sees what a qualifying document looks like.
        (None, None) if facts.slot_example => authz::may(user, Action::ViewCatalogue, Target::Portal)?,
        // Before submission only its uploader sees a file.
        (None, None) => authz::may(user, Action::HandleOwnUpload, Target::User(facts.uploaded_by))?,
    }
    let kind = match (facts.complete, facts.kind) {
        (true, Some(kind)) => kind,
        _ => return Err(AppError::NotFound),
    };
    let db = state.db.clone();
    let chunks = futures_util::stream::unfold(Some(0i64), move |seq| {
        let db = db.clone();
        async move {
            let seq = seq?;
            match store::chunk(&db, id, seq).await {
                Ok(Some(bytes)) => Some((Ok::<_, std::io::Error>(bytes), Some(seq + 1))),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e)), None)),
            }
        }
    })
    // The body may be polled once more after its end; an unfused unfold would panic there.
    .fuse();
    let disposition = content_disposition(&facts.file_name, inline && kind.previewable());
    let mut response = Response::new(Body::from_stream(chunks));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.content_type()));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(facts.size_bytes.max(0) as u64));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The request page shows previews in a frame of its own.
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `attachment` (or `inline`) with an ASCII fallback name and the UTF-8 name (RFC 6266).
pub fn content_disposition(name: &str, inline: bool) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded = utf8_percent_encode(name, NON_ALPHANUMERIC);
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_survive_in_content_disposition() {
        assert_eq!(
            content_disposition("发票.pdf", false),
            "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E5%8F%91%E7%A5%A8%2Epdf"
        );
        assert!(content_disposition("a\"b.png", true).starts_with("inline; filename=\"a_b.png\""));
    }
}
