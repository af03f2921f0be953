//! Server functions of the notification centre. Each authenticates, asks the rules, then
//! makes one call.

use crate::{
    error::AppError,
    kernel::NotificationId,
    notifications::{NotificationPage, NotificationSummary, Preferences},
};
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    notifications::{service, store},
    state::app_state,
};

/// The unread count for the bell, and where the live stream starts; `None` for a visitor.
#[server(endpoint = "notifications/summary")]
pub async fn bell_summary() -> Result<Option<NotificationSummary>, AppError> {
    let user = match current_user().await {
        Ok(user) => user,
        Err(AppError::Unauthenticated) => return Ok(None),
        Err(other) => return Err(other),
    };
    authz::may(&user, Action::HandleOwnNotifications, Target::User(user.id))?;
    Ok(Some(store::summary(&app_state()?.db, user.id).await?))
}

/// A page of the user's notifications, newest first.
#[server(endpoint = "notifications/list")]
pub async fn list_notifications(before: Option<NotificationId>) -> Result<NotificationPage, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::HandleOwnNotifications, Target::User(user.id))?;
    Ok(store::page(&app_state()?.db, user.id, before).await?)
}

/// Marks one notification read; answers the unread count.
#[server(endpoint = "notifications/read")]
pub async fn mark_notification_read(id: NotificationId) -> Result<i64, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let recipient = store::recipient_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    authz::may(&user, Action::HandleOwnNotifications, Target::User(recipient))?;
    service::mark_read(&state, &user, id).await
}

/// Marks all of the user's notifications read; answers the unread count.
#[server(endpoint = "notifications/read-all")]
pub async fn mark_all_notifications_read() -> Result<i64, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::HandleOwnNotifications, Target::User(user.id))?;
    service::mark_all_read(&app_state()?, &user).await
}

#[server(endpoint = "notifications/preferences")]
pub async fn notification_preferences() -> Result<Preferences, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::HandleOwnNotifications, Target::User(user.id))?;
    service::preferences(&app_state()?, &user).await
}

#[server(endpoint = "notifications/save-preferences", input = Json)]
pub async fn save_notification_preferences(preferences: Preferences) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::HandleOwnNotifications, Target::User(user.id))?;
    service::save_preferences(&app_state()?, &user, &preferences).await
}
