//! Signed originals on policy pages. They are uploaded like every file (the attachments
//! module's kind sniffing, limits and quotas), become the page's own when its draft is saved,
//! and are fixed to each version when it is published. A file is served to whoever may read
//! a published page carrying it, and to editors; for anyone else it does not exist.

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        attachments::{FileKind, store as uploads},
        auth::CurrentUser,
        authz::{self, Action, Target},
        db::Db,
        error::{AppError, Field, Problem},
        kernel::{AttachmentId, PolicyPageId},
        policies::{PolicyFile, store},
    };

    /// Checks the files a draft names: each is one the page already holds, or a PDF this
    /// editor uploaded that nothing holds yet. Answers the draft's files as stored (names and
    /// sizes from the server, not from the client), in the editor's order.
    pub async fn check(
        db: &Db,
        editor: &CurrentUser,
        page: Option<PolicyPageId>,
        files: &[PolicyFile],
    ) -> Result<Vec<PolicyFile>, AppError> {
        let mut seen = std::collections::HashSet::new();
        if !files.iter().all(|f| seen.insert(f.id)) {
            return Err(AppError::invalid(Field::Files, Problem::UnknownFile));
        }
        let held = match page {
            Some(page) => store::page_files(db, page).await?,
            None => Vec::new(),
        };
        let ids: Vec<AttachmentId> = files.iter().map(|f| f.id).filter(|id| !held.iter().any(|h| h.id == *id)).collect();
        // Only a PDF is a signed original; any other upload is no file of this page.
        let staged: Vec<PolicyFile> = uploads::staged(db, editor.id, &ids)
            .await?
            .into_iter()
            .filter(|f| f.kind == FileKind::Pdf)
            .map(|f| PolicyFile { id: f.id, file_name: f.file_name, size_bytes: f.size_bytes })
            .collect();
        files
            .iter()
            .map(|file| {
                held.iter()
                    .chain(staged.iter())
                    .find(|known| known.id == file.id)
                    .cloned()
                    .ok_or(AppError::invalid(Field::Files, Problem::UnknownFile))
            })
            .collect()
    }

    /// Whether `user` may download `file`, which `page` holds: editors always (drafts
    /// included), readers when a published version they may see carries it. Otherwise the
    /// file does not exist for them.
    pub async fn may_read(db: &Db, user: &CurrentUser, file: AttachmentId) -> Result<(), AppError> {
        if authz::may(user, Action::WritePolicies, Target::Portal).is_ok() {
            return Ok(());
        }
        authz::may(user, Action::ReadPolicies, Target::Portal).map_err(|_| AppError::NotFound)?;
        if store::file_readable(db, &authz::policy_scope(user), file).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}
