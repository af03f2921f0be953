//! SQL for attachments. The bytes are kept in chunks so that neither an upload nor a download
//! holds a whole file in memory.

use crate::{
    attachments::{Attachment, FileKind},
    db::{BeginWrite, Db},
    kernel::{AttachmentId, RequestId, UserId},
    with_db,
};
use chrono::{DateTime, Utc};

/// A file no request holds is a staged upload only if no policy page or catalogue slot has
/// claimed it: claimed files are never attached elsewhere, discarded or purged.
pub const UNCLAIMED: &str = "id NOT IN (SELECT attachment_id FROM policy_files) \
     AND id NOT IN (SELECT attachment_id FROM slot_examples)";

/// Bytes per stored chunk.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// Starts an upload; the row stays incomplete until [`finish`].
pub async fn begin_upload(
    db: &Db,
    uploader: UserId,
    file_name: &str,
    now: DateTime<Utc>,
) -> Result<AttachmentId, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, AttachmentId>(
        "INSERT INTO attachments (file_name, uploaded_by, created_at) VALUES ($1, $2, $3) RETURNING id"
    ).bind(file_name).bind(uploader).bind(now).fetch_one(pool).await)
}

pub async fn append_chunk(db: &Db, id: AttachmentId, seq: i64, bytes: &[u8]) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "INSERT INTO attachment_chunks (attachment_id, seq, bytes) VALUES ($1, $2, $3)"
    ).bind(id).bind(seq).bind(bytes).execute(pool).await.map(|_| ()))?;
    Ok(())
}

pub async fn finish(
    db: &Db,
    id: AttachmentId,
    kind: FileKind,
    size: i64,
    sha256: &str,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE attachments SET kind = $1, size_bytes = $2, sha256 = $3, complete = TRUE WHERE id = $4"
    ).bind(kind).bind(size).bind(sha256).bind(id).execute(pool).await.map(|_| ()))?;
    Ok(())
}

/// Removes an upload that failed or was refused, with its bytes.
pub async fn discard(db: &Db, id: AttachmentId) -> Result<(), sqlx::Error> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let done = sqlx::query(&format!("DELETE FROM attachments WHERE id = $1 AND request_id IS NULL AND {UNCLAIMED}"))
            .bind(id).execute(&mut *tx).await?;
        if done.rows_affected() == 1 {
            sqlx::query("DELETE FROM attachment_chunks WHERE attachment_id = $1").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await
    })
}

/// A staged file as a submission, a reply, a policy draft or the catalogue checks it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Staged {
    pub id: AttachmentId,
    pub file_name: String,
    pub kind: FileKind,
    pub size_bytes: i64,
}

/// Those of `ids` that `uploader` uploaded completely and that nothing holds yet: no request,
/// policy page or catalogue slot.
pub async fn staged(db: &Db, uploader: UserId, ids: &[AttachmentId]) -> Result<Vec<Staged>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT id, file_name, kind, size_bytes FROM attachments WHERE uploaded_by = $1 AND request_id IS NULL \
         AND complete = TRUE AND {UNCLAIMED} AND id IN ({})",
        placeholders.join(", ")
    );
    with_db!(db, pool => {
        let mut query = sqlx::query_as::<_, Staged>(&sql).bind(uploader);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })
}

/// Total size and count of what a request already holds.
pub async fn usage(db: &Db, request: RequestId) -> Result<(i64, i64), sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(
        "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT), COUNT(*) FROM attachments WHERE request_id = $1"
    ).bind(request).fetch_one(pool).await)
}

const SELECT_ATTACHMENT: &str = "SELECT a.id, a.file_name, a.kind, a.size_bytes, a.sha256, a.slot, \
     a.event_id, a.uploaded_by, u.display_name AS uploader_name, a.created_at \
     FROM attachments a JOIN users u ON u.id = a.uploaded_by";

/// A request's files; internal ones only when `with_internal`.
pub async fn for_request(
    db: &Db,
    request: RequestId,
    with_internal: bool,
) -> Result<Vec<Attachment>, sqlx::Error> {
    let sql = format!(
        "{SELECT_ATTACHMENT} WHERE a.request_id = $1 {} ORDER BY a.id",
        if with_internal { "" } else { "AND a.internal = FALSE" }
    );
    with_db!(db, pool => sqlx::query_as::<_, Attachment>(&sql).bind(request).fetch_all(pool).await)
}

/// What a download needs to decide and to answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileFacts {
    pub request_id: Option<RequestId>,
    pub uploaded_by: UserId,
    pub internal: bool,
    pub file_name: String,
    pub kind: Option<FileKind>,
    pub size_bytes: i64,
    pub complete: bool,
    /// The policy page holding the file, if one does.
    pub policy_page: Option<crate::kernel::PolicyPageId>,
    /// Whether the file is the example image of a catalogue slot.
    pub slot_example: bool,
}

pub async fn file_facts(db: &Db, id: AttachmentId) -> Result<Option<FileFacts>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, FileFacts>(
        "SELECT a.request_id, a.uploaded_by, a.internal, a.file_name, a.kind, a.size_bytes, a.complete, \
         pf.page_id AS policy_page, (se.attachment_id IS NOT NULL) AS slot_example \
         FROM attachments a LEFT JOIN policy_files pf ON pf.attachment_id = a.id \
         LEFT JOIN slot_examples se ON se.attachment_id = a.id WHERE a.id = $1"
    ).bind(id).fetch_optional(pool).await)
}

/// One chunk of a file, in order from 0; `None` past the end.
pub async fn chunk(db: &Db, id: AttachmentId, seq: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, Vec<u8>>(
        "SELECT bytes FROM attachment_chunks WHERE attachment_id = $1 AND seq = $2"
    ).bind(id).bind(seq).fetch_optional(pool).await)
}

/// Deletes uploads that never became part of a request, and incomplete ones, older than
/// `before`: a submission that failed leaves nothing behind for longer than that.
pub async fn purge_abandoned(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            &format!("DELETE FROM attachment_chunks WHERE attachment_id IN \
             (SELECT id FROM attachments WHERE request_id IS NULL AND created_at < $1 AND {UNCLAIMED})"),
        ).bind(before).execute(&mut *tx).await?;
        let done = sqlx::query(&format!("DELETE FROM attachments WHERE request_id IS NULL AND created_at < $1 AND {UNCLAIMED}"))
            .bind(before).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    })
}

/// Takes one file of `uploader`'s quota for `day`; `false` (nothing taken) when none is left.
pub async fn take_file_quota(
    db: &Db,
    uploader: UserId,
    day: chrono::NaiveDate,
    max_files: u32,
) -> Result<bool, sqlx::Error> {
    let taken = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO upload_usage (user_id, day, files, bytes) VALUES ($1, $2, 1, 0) \
         ON CONFLICT (user_id, day) DO UPDATE SET files = upload_usage.files + 1 \
         WHERE upload_usage.files < $3 RETURNING files"
    ).bind(uploader).bind(day).bind(max_files as i64).fetch_optional(pool).await)?;
    Ok(taken.is_some_and(|files| files <= max_files as i64))
}

/// Takes `bytes` more of `uploader`'s quota for `day`; `false` (nothing taken) when that would
/// pass `max_bytes`. One statement, so parallel uploads cannot overshoot together.
pub async fn take_byte_quota(
    db: &Db,
    uploader: UserId,
    day: chrono::NaiveDate,
    bytes: u64,
    max_bytes: u64,
) -> Result<bool, sqlx::Error> {
    let taken = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "UPDATE upload_usage SET bytes = bytes + $3 WHERE user_id = $1 AND day = $2 AND bytes + $3 <= $4 RETURNING bytes"
    ).bind(uploader).bind(day).bind(bytes as i64).bind(max_bytes as i64).fetch_optional(pool).await)?;
    Ok(taken.is_some())
}

/// Forgets the counts of days before `before`.
pub async fn purge_upload_usage(db: &Db, before: chrono::NaiveDate) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM upload_usage WHERE day < $1")
        .bind(before).execute(pool).await.map(|r| r.rows_affected()))
}
