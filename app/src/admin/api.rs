//! Server functions of the admin's user directory. Each one is refused unless the rules
//! let the caller manage users.

use crate::{
    auth::UserSummary,
    error::AppError,
    kernel::{Language, OrgId, Permission, Role, UserId},
    notifications::FailedEmail,
    orgs::Organisation,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    admin::service,
    auth::ssr::current_user,
    authz::{self, Action, Target},
    orgs::store as orgs,
    state::app_state,
};

#[server(endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::Portal)?;
    service::directory(&app_state()?.db, chrono::Utc::now()).await
}

/// Emails the mail server refused for good, newest first: an address to correct, usually.
#[server(endpoint = "admin/failed_emails")]
pub async fn failed_emails() -> Result<Vec<FailedEmail>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::Portal)?;
    Ok(crate::notifications::store::failed_emails(&app_state()?.db, 50).await?)
}

#[server(endpoint = "admin/organisations")]
pub async fn list_organisations() -> Result<Vec<Organisation>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::Portal)?;
    Ok(orgs::list(&app_state()?.db).await?)
}

#[server(endpoint = "admin/create_user")]
pub async fn create_user(
    email: String,
    display_name: String,
    password: String,
    language: Language,
    org: OrgId,
    role: Role,
) -> Result<UserId, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::Portal)?;
    let form = service::NewAccount { email, display_name, password, language, org, role };
    service::create_account(&app_state()?.db, form).await
}

#[server(endpoint = "admin/set_active")]
pub async fn set_user_active(id: UserId, active: bool) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::User(id))?;
    service::set_active(&app_state()?, &user, id, active).await
}

#[server(endpoint = "admin/unlock_sign_in")]
pub async fn unlock_sign_in(id: UserId) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::User(id))?;
    service::unlock_sign_in(&app_state()?.db, id).await
}

#[server(endpoint = "admin/reset_password")]
pub async fn reset_password(id: UserId, new_password: String) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::User(id))?;
    service::reset_password(&app_state()?, id, &new_password).await
}

/// Sets the user's role in `org`; the role `none` removes the membership.
#[server(endpoint = "admin/set_membership")]
pub async fn set_membership(id: UserId, org: OrgId, role: String) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::User(id))?;
    let role = service::parse_role_choice(&role)?;
    service::set_membership(&app_state()?.db, &user, id, org, role).await
}

#[server(endpoint = "admin/set_manager_assignment")]
pub async fn set_manager_assignment(
    manager: UserId,
    org: OrgId,
    assigned: bool,
) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManageUsers, Target::User(manager))?;
    service::set_manager_assignment(&app_state()?.db, manager, org, assigned).await
}

/// Grants or takes back a permission such as editor.
#[server(endpoint = "admin/set_permission")]
pub async fn set_permission(id: UserId, permission: Permission, granted: bool) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::GrantPermissions, Target::User(id))?;
    service::set_permission(&app_state()?.db, &user, id, permission, granted).await
}
