//! Server side of authentication: password hashing, sign-in throttling, sessions, SQL.

pub mod devices;
pub mod password;
pub mod service;
pub mod store;
pub mod throttle;

use crate::{auth::CurrentUser, error::AppError, kernel::UserId, state::app_state};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the session remembers about who signed in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionAuth {
    pub user_id: UserId,
    /// The user's session epoch at sign-in. Deactivation and password resets raise the
    /// user's epoch, which ends every older session at its next request.
    pub epoch: i64,
    pub signed_in_at: DateTime<Utc>,
}

pub const SESSION_AUTH_KEY: &str = "auth";

/// What the server found in the session of the request it renders a page for; the page
/// hands it to the browser (see `auth::session`).
#[derive(Clone, Debug)]
pub struct ResolvedUser(pub Result<Option<CurrentUser>, AppError>);
/// When this session last extended its idle expiry.
const SESSION_TOUCHED_KEY: &str = "touched_at";

/// The session of the request being answered, from the session layer around the server.
pub async fn request_session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer around the server function");
        AppError::Internal
    })
}

/// Authenticates the request: the session must name an active user whose epoch still
/// matches and whose sign-in is within the absolute lifetime. While a page renders, the
/// server functions it calls share the user the page handler resolved from the same session.
pub async fn current_user() -> Result<CurrentUser, AppError> {
    if let Some(resolved) = leptos::prelude::use_context::<ResolvedUser>() {
        return resolved.0?.ok_or(AppError::Unauthenticated);
    }
    let state = app_state()?;
    let session = request_session().await?;
    user_of_session(&state, &session).await
}

/// The user a page is rendered for: `None` for a visitor, an error only when the database
/// could not tell.
pub async fn page_user(
    state: &crate::state::AppState,
    session: &tower_sessions::Session,
) -> ResolvedUser {
    ResolvedUser(match user_of_session(state, session).await {
        Ok(user) => Ok(Some(user)),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(other) => Err(other),
    })
}

/// The signed-in user of `session`, for handlers outside server functions (file transfer).
pub async fn user_of_session(
    state: &crate::state::AppState,
    session: &tower_sessions::Session,
) -> Result<CurrentUser, AppError> {
    let Some(auth) = session.get::<SessionAuth>(SESSION_AUTH_KEY).await? else {
        return Err(AppError::Unauthenticated);
    };
    if Utc::now() - auth.signed_in_at > state.settings.session_absolute {
        session.flush().await?;
        return Err(AppError::Unauthenticated);
    }
    match store::load_current_user(&state.db, auth.user_id, auth.epoch).await? {
        Some(user) => {
            keep_alive(session, state.settings.session_idle).await?;
            Ok(user)
        }
        None => {
            session.flush().await?;
            Err(AppError::Unauthenticated)
        }
    }
}

/// Extends the idle expiry of an active session. The store only moves the expiry when the
/// session is saved, so the session is re-saved once a quarter of the idle window has passed,
/// instead of on every request.
async fn keep_alive(session: &tower_sessions::Session, idle: chrono::Duration) -> Result<(), AppError> {
    let now = Utc::now();
    let touched: Option<DateTime<Utc>> = session.get(SESSION_TOUCHED_KEY).await?;
    if touched.is_none_or(|at| now - at >= idle / 4) {
        session.insert(SESSION_TOUCHED_KEY, now).await?;
    }
    Ok(())
}

/// Whether a session signed in as `auth` still stands: within its absolute lifetime, for an
/// active account whose epoch has not moved. Long-lived event streams ask this again and again.
pub async fn still_valid(state: &crate::state::AppState, auth: &SessionAuth) -> Result<bool, AppError> {
    if Utc::now() - auth.signed_in_at > state.settings.session_absolute {
        return Ok(false);
    }
    Ok(store::load_current_user(&state.db, auth.user_id, auth.epoch).await?.is_some())
}
