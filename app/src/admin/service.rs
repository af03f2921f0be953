//! Checks and steps behind the admin server functions.

use super::DISPLAY_NAME_MAX;
use crate::{
    auth::{CurrentUser, ssr::{password, store as users, throttle}},
    db::Db,
    error::{AppError, Conflict, Field, FieldError, Problem},
    kernel::{Language, OrgId, Permission, Role, UserId},
    orgs::{OrgKind, store as orgs},
    state::AppState,
    time::DEFAULT_TIME_ZONE,
    validation,
    validation::{Checks, Email},
};

pub struct NewAccount {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub language: Language,
    pub org: OrgId,
    pub role: Role,
}

/// The value a role picker sends for "no role here".
pub const NO_ROLE: &str = "none";

pub fn parse_role_choice(raw: &str) -> Result<Option<Role>, AppError> {
    if raw == NO_ROLE {
        return Ok(None);
    }
    raw.parse::<Role>()
        .map(Some)
        .map_err(|_| AppError::invalid(Field::Role, Problem::UnknownChoice))
}

/// Roles belong to one side: subsidiaries hold client roles, the center holds staff roles.
async fn check_role_fits_org(db: &Db, org: OrgId, role: Role) -> Result<(), AppError> {
    let organisation = orgs::find(db, org)
        .await?
        .ok_or(AppError::invalid(Field::Organisation, Problem::UnknownChoice))?;
    let fits = match organisation.kind {
        OrgKind::Subsidiary => role.is_client_side(),
        OrgKind::Center => !role.is_client_side(),
    };
    if fits {
        Ok(())
    } else {
        Err(AppError::invalid(Field::Role, Problem::UnknownChoice))
    }
}

pub async fn create_account(db: &Db, form: NewAccount) -> Result<UserId, AppError> {
    let mut checks = Checks::default();
    let email = checks.check(Email::parse(&form.email));
    let display_name =
        checks.check(validation::single_line(Field::DisplayName, &form.display_name, DISPLAY_NAME_MAX));
    let password = checks.check(validation::new_password(Field::Password, &form.password));
    checks.finish()?;
    let (Some(email), Some(display_name), Some(password)) = (email, display_name, password) else {
        return Err(AppError::Internal);
    };
    check_role_fits_org(db, form.org, form.role).await?;
    if users::find_id_by_email(db, &email).await?.is_some() {
        return Err(AppError::Conflict(Conflict::EmailTaken));
    }
    let hash = password::hash(&password).await?;
    let id = users::create_user(
        db,
        users::NewUser {
            email: &email,
            display_name: &display_name,
            password_hash: &hash,
            language: form.language,
            time_zone: DEFAULT_TIME_ZONE,
        },
    )
    .await?;
    users::set_membership(db, id, form.org, Some(form.role)).await?;
    tracing::info!(user = %id, "account created");
    Ok(id)
}

pub async fn set_active(state: &AppState, admin: &CurrentUser, id: UserId, active: bool) -> Result<(), AppError> {
    if id == admin.id && !active {
        return Err(AppError::Conflict(Conflict::OwnAccount));
    }
    if users::set_active(&state.db, id, active).await? {
        tracing::info!(user = %id, active, "account activation changed");
        // A deactivated person's open pages stop receiving events at once.
        state.live.recheck(&state.db, id).await;
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The directory, with whose sign-in is locked now.
pub async fn directory(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<crate::auth::UserSummary>, AppError> {
    let mut users = users::list_users(db).await?;
    let locked = throttle::locked_accounts(db, now).await?;
    for user in &mut users {
        user.sign_in_locked = locked.contains(&user.email);
    }
    Ok(users)
}

/// Grants or takes back a permission; the user's next request sees it.
pub async fn set_permission(
    db: &Db,
    admin: &CurrentUser,
    id: UserId,
    permission: Permission,
    granted: bool,
) -> Result<(), AppError> {
    if users::email_of(db, id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if users::set_permission(db, id, permission, granted, admin.id, chrono::Utc::now()).await? {
        tracing::info!(user = %id, admin = %admin.id, %permission, granted, "permission changed");
    }
    Ok(())
}

/// Lifts the sign-in lock of an account (strangers' guesses, or the owner's own).
pub async fn unlock_sign_in(db: &Db, id: UserId) -> Result<(), AppError> {
    let email = users::email_of(db, id).await?.ok_or(AppError::NotFound)?;
    if throttle::unlock_account(db, &email).await? {
        tracing::info!(user = %id, "sign-in lock lifted by an admin");
    }
    Ok(())
}

pub async fn reset_password(state: &AppState, id: UserId, new_password: &str) -> Result<(), AppError> {
    let db = &state.db;
    let new_password = validation::new_password(Field::NewPassword, new_password)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if users::password_hash(db, id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let hash = password::hash(&new_password).await?;
    users::set_password(db, id, &hash).await?;
    state.live.recheck(db, id).await;
    tracing::info!(user = %id, "password reset by an admin");
    Ok(())
}

pub async fn set_membership(
    db: &Db,
    admin: &CurrentUser,
    id: UserId,
    org: OrgId,
    role: Option<Role>,
) -> Result<(), AppError> {
    if let Some(role) = role {
        check_role_fits_org(db, org, role).await?;
    }
    // Taking away one's own admin role could leave the portal without an admin.
    if id == admin.id && role != Some(Role::Admin) && admin.orgs_with_role(Role::Admin).any(|o| o == org) {
        return Err(AppError::Conflict(Conflict::OwnAccount));
    }
    if users::set_membership(db, id, org, role).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn set_manager_assignment(
    db: &Db,
    manager: UserId,
    org: OrgId,
    assigned: bool,
) -> Result<(), AppError> {
    let directory = users::list_users(db).await?;
    let is_manager = directory
        .iter()
        .any(|u| u.id == manager && u.memberships.iter().any(|m| m.role == Role::CustomerManager));
    if !is_manager {
        return Err(AppError::Invalid(vec![FieldError { field: Field::Role, problem: Problem::UnknownChoice }]));
    }
    match orgs::find(db, org).await? {
        Some(o) if o.kind == OrgKind::Subsidiary => {}
        _ => return Err(AppError::invalid(Field::Organisation, Problem::UnknownChoice)),
    }
    users::set_manager_assignment(db, manager, org, assigned).await?;
    Ok(())
}
