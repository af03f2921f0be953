//! The catalogue's links to policy pages: resolved when an admin saves a request type, shown
//! to the client with the form (within their audience), and recorded with each request in the
//! versions in force when it was submitted.

use super::{store, LinkedPolicy, PolicyPageId, RequestPolicies};
use crate::{
    auth::{CurrentUser, Language},
    authz,
    catalogue::TypeDefinition,
    db::Db,
    error::{AppError, Field, FieldError, Problem},
    requests::RequestId,
};
use chrono::NaiveDate;

/// Finds the page behind every link of `definition` by its address, or reports each link
/// that leads nowhere on its own field (the type's list, or the slot).
pub async fn resolve(db: &Db, definition: &mut TypeDefinition) -> Result<(), AppError> {
    let mut errors = Vec::new();
    for link in definition.policies.iter_mut() {
        link.page = store::page_id_by_slug(db, &link.slug).await?;
        if link.page.is_none() && !errors.iter().any(|e: &FieldError| e.field == Field::PolicyLinks) {
            errors.push(FieldError { field: Field::PolicyLinks, problem: Problem::UnknownPolicyPage });
        }
    }
    for (i, slot) in definition.slots.iter_mut().enumerate() {
        if let Some(link) = slot.policy.as_mut() {
            link.page = store::page_id_by_slug(db, &link.slug).await?;
            if link.page.is_none() {
                errors.push(FieldError { field: Field::Slot(i as u16), problem: Problem::UnknownPolicyPage });
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(errors)) }
}

fn linked(row: store::LinkRow, language: Language) -> LinkedPolicy {
    let title = super::service::title_of(language, &row.title_zh, row.title_en.as_deref());
    LinkedPolicy { page: row.page_id, slug: row.slug, title, version: row.number }
}

/// The pages the types link to that `user` may read, in their versions in force on `today`.
/// Links to pages outside the user's audience, unpublished or expired, are left out.
pub async fn for_types<'a>(
    db: &Db,
    user: &CurrentUser,
    definitions: impl IntoIterator<Item = &'a TypeDefinition>,
    today: NaiveDate,
) -> Result<Vec<LinkedPolicy>, AppError> {
    let mut pages: Vec<PolicyPageId> =
        definitions.into_iter().flat_map(|d| d.policy_links().filter_map(|l| l.page)).collect();
    pages.sort();
    pages.dedup();
    if pages.is_empty() {
        return Ok(Vec::new());
    }
    let rows = store::linked_versions(db, &authz::policy_scope(user), &pages, today).await?;
    Ok(rows.into_iter().map(|row| linked(row, user.language)).collect())
}

/// What the center's staff see of a request's policies: the versions its type linked to at
/// submission, and the suggestions its form showed.
pub async fn for_request(db: &Db, request: RequestId, language: Language) -> Result<RequestPolicies, AppError> {
    let linked = store::request_versions(db, request.0)
        .await?
        .into_iter()
        .map(|row| linked(row, language))
        .collect();
    let seen = super::service::seen_before_submitting(db, request, language).await?;
    Ok(RequestPolicies { linked, seen })
}
