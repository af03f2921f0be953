//! The steps behind the catalogue's server functions.

use crate::{
    attachments::{FileKind, store as files},
    auth::CurrentUser,
    catalogue::{store, TypeDefinition, TypeDraft},
    db::Db,
    error::{AppError, Conflict, Field, FieldError, Problem},
    kernel::{AttachmentId, TypeId},
    policies::links as policy_links,
};

pub async fn save(
    db: &Db,
    admin: &CurrentUser,
    existing: Option<(TypeId, i64)>,
    draft: &TypeDraft,
) -> Result<TypeId, AppError> {
    draft.check()?;
    let mut draft = draft.clone();
    resolve_policy_links(db, &mut draft.definition).await?;
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

/// Finds the page behind every link of `definition` by its address, or reports each link
/// that leads nowhere on its own field (the type's list, or the slot).
async fn resolve_policy_links(db: &Db, definition: &mut TypeDefinition) -> Result<(), AppError> {
    let mut errors = Vec::new();
    for link in definition.policies.iter_mut() {
        link.page = policy_links::page_at(db, &link.slug).await?;
        if link.page.is_none() && !errors.iter().any(|e: &FieldError| e.field == Field::PolicyLinks) {
            errors.push(FieldError { field: Field::PolicyLinks, problem: Problem::UnknownPolicyPage });
        }
    }
    for (i, slot) in definition.slots.iter_mut().enumerate() {
        if let Some(link) = slot.policy.as_mut() {
            link.page = policy_links::page_at(db, &link.slug).await?;
            if link.page.is_none() {
                errors.push(FieldError { field: Field::Slot(i as u16), problem: Problem::UnknownPolicyPage });
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(errors)) }
}

