//! The steps behind the request server functions.

use super::{store, NewRequest, RequestId};
use crate::{
    auth::CurrentUser,
    db::Db,
    error::{AppError, Field, Problem},
    orgs::OrgId,
};

/// The organisation a request is submitted for: the one asked for, or the user's only
/// subsidiary. Whether the user may submit for it is for the authorization rules to say.
pub fn submitting_org(user: &CurrentUser, requested: Option<OrgId>) -> Result<OrgId, AppError> {
    if let Some(org) = requested {
        return Ok(org);
    }
    let mut orgs = user.submitting_memberships().map(|m| m.org_id);
    match (orgs.next(), orgs.next()) {
        (Some(only), None) => Ok(only),
        (Some(_), Some(_)) => Err(AppError::invalid(Field::Organisation, Problem::Required)),
        (None, _) => Err(AppError::Forbidden),
    }
}

pub async fn submit(
    db: &Db,
    user: &CurrentUser,
    org: OrgId,
    title: &str,
    description: &str,
) -> Result<RequestId, AppError> {
    let new = NewRequest::parse(title, description)?;
    let (id, reference) = store::insert(db, org, user.id, &new, chrono::Utc::now()).await?;
    tracing::info!(request = %id, %reference, user = %user.id, "request submitted");
    Ok(id)
}
