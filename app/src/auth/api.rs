//! Server functions for signing in and out and for one's own account.

use crate::{auth::CurrentUser, error::AppError, kernel::Language};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::{current_user, service},
    authz::{self, Action, Target},
    state::app_state,
};

/// The signed-in user, or `None` for a visitor.
#[server(endpoint = "auth/whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    let state = app_state()?;
    let session = crate::auth::ssr::request_session().await?;
    crate::auth::ssr::page_user(&state, &session).await.0
}

/// Signs in and returns the user's preferred language. Works as a plain form post too.
#[server(endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<Language, AppError> {
    let state = app_state()?;
    let session = crate::auth::ssr::request_session().await?;
    let client_ip = service::client_ip().await;
    let device = service::request_device();
    let user = service::sign_in(&state, &session, &client_ip, device.as_ref(), &email, &password).await?;
    service::remember_language(user.language);
    // A plain form post is sent on; the browser's own code loads the start page itself.
    if service::is_plain_form_post() {
        leptos_axum::redirect(crate::auth::START_PAGE);
    }
    Ok(user.language)
}

#[server(endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = crate::auth::ssr::request_session().await?;
    let signed_in = session.get::<crate::auth::ssr::SessionAuth>(crate::auth::ssr::SESSION_AUTH_KEY).await?;
    session.flush().await?;
    // The tabs of this session close their event streams now, not at their next heartbeat.
    if let Some(auth) = signed_in {
        let state = app_state()?;
        state.live.recheck(&state.db, auth.user_id).await;
    }
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(endpoint = "auth/change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::EditOwnAccount, Target::User(user.id))?;
    let state = app_state()?;
    let session = crate::auth::ssr::request_session().await?;
    service::change_password(
        &state,
        &session,
        &user,
        &current_password,
        &new_password,
        &confirm_password,
    )
    .await
}

/// Saves the user's language and time zone; `None` leaves a setting as it is.
#[server(endpoint = "auth/preferences")]
pub async fn update_preferences(
    language: Option<Language>,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::EditOwnAccount, Target::User(user.id))?;
    let state = app_state()?;
    service::update_preferences(&state, &user, language, time_zone.as_deref()).await
}
