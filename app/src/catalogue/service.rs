//! The steps behind the catalogue's server functions.

use super::{store, TypeDraft, TypeId};
use crate::{
    auth::CurrentUser,
    db::Db,
    error::{AppError, Conflict, Field, Problem},
};

pub async fn save(
    db: &Db,
    admin: &CurrentUser,
    existing: Option<(TypeId, i64)>,
    draft: &TypeDraft,
) -> Result<TypeId, AppError> {
    draft.check()?;
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
    match store::save_type(db, existing, draft, admin.id, chrono::Utc::now()).await {
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
