//! The catalogue's links to policy pages: resolved when an admin saves a request type, shown
//! to the client with the form (within their audience), and recorded with each request in the
//! versions in force when it was submitted.

use crate::{
    auth::CurrentUser,
    authz,
    db::Db,
    error::AppError,
    kernel::{Language, PolicyPageId, RequestId},
    policies::{LinkedPolicy, RequestPolicies, store},
};
use chrono::NaiveDate;

/// The page at `slug` (as a request type's link names it), if there is one.
pub async fn page_at(db: &Db, slug: &str) -> Result<Option<PolicyPageId>, AppError> {
    Ok(store::page_id_by_slug(db, slug).await?)
}

fn linked(row: store::LinkRow, language: Language) -> LinkedPolicy {
    let title = super::service::title_of(language, &row.title_zh, row.title_en.as_deref());
    LinkedPolicy { page: row.page_id, slug: row.slug, title, version: row.number }
}

/// Of the pages request types link to, those `user` may read, in their versions in force on
/// `today`. Links to pages outside the user's audience, unpublished or expired, are left out.
pub async fn for_pages(
    db: &Db,
    user: &CurrentUser,
    mut pages: Vec<PolicyPageId>,
    today: NaiveDate,
) -> Result<Vec<LinkedPolicy>, AppError> {
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
