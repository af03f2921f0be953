//! The steps behind the catalogue's server functions.

use super::{store, TypeDefinition, TypeDraft, TypeId};
use crate::{
    attachments::{store as files, AttachmentId, FileKind},
    auth::CurrentUser,
    db::Db,
    error::{AppError, Conflict, Field, FieldError, Problem},
};

pub async fn save(
    db: &Db,
    admin: &CurrentUser,
    existing: Option<(TypeId, i64)>,
    draft: &TypeDraft,
) -> Result<TypeId, AppError> {
    draft.check()?;
    let mut draft = draft.clone();
    crate::policies::links::resolve(db, &mut draft.definition).await?;
    let examples = check_examples(db, admin, &draft.definition).await?;
    let draft = &draft;
    if !store::teams(db).await?.iter().any(|t| t.id == draft.team_id) {
        return Err(AppError::invalid(Field::Team, Problem::UnknownChoice));
    }
    if let Some((id, _)) = existing {
        let current = store::current_type(db, id).await?.ok_or(AppError::NotFound)?;
        // The code identifies the type in links and reports; it never changes.
        if current.code != draft.code {
            return Err(AppError::invalid(Field::Code, Problem::InvalidCode));
        }
    }
    match store::save_type(db, existing, draft, &examples, admin.id, chrono::Utc::now()).await {
        Ok(Some(id)) => {
            tracing::info!(type_id = %id.0, code = %draft.code, admin = %admin.id, "request type saved");
            Ok(id)
        }
        Ok(None) => Err(AppError::Conflict(Conflict::Stale)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AppError::Conflict(Conflict::CodeTaken))
        }
        Err(e) => Err(e.into()),
    }
}

/// Each slot's example is an image the catalogue already holds, or a PNG or JPEG this admin
/// uploaded that nothing holds yet. Answers the examples to hold.
async fn check_examples(db: &Db, admin: &CurrentUser, definition: &TypeDefinition) -> Result<Vec<AttachmentId>, AppError> {
    let mut errors = Vec::new();
    let mut examples = Vec::new();
    for (i, slot) in definition.slots.iter().enumerate() {
        let Some(id) = slot.example else { continue };
        if store::is_example(db, id).await? {
            examples.push(id);
            continue;
        }
        let field = Field::Slot(i as u16);
        match files::staged(db, admin.id, &[id]).await?.first().map(|f| f.kind) {
            Some(FileKind::Png | FileKind::Jpeg) => examples.push(id),
            Some(_) => errors.push(FieldError { field, problem: Problem::FileKindNotAllowed }),
            None => errors.push(FieldError { field, problem: Problem::UnknownFile }),
        }
    }
    if errors.is_empty() { Ok(examples) } else { Err(AppError::Invalid(errors)) }
}
