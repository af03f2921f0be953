//! Server side of authentication: password hashing, sign-in throttling, sessions, SQL.

pub mod password;
pub mod service;
pub mod store;
pub mod throttle;

use super::{CurrentUser, UserId};
use crate::{error::AppError, state::app_state};
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

/// Authenticates the request: the session must name an active user whose epoch still
/// matches and whose sign-in is within the absolute lifetime.
pub async fn current_user() -> Result<CurrentUser, AppError> {
    let state = app_state()?;
    let session = service::request_session().await?;
    let Some(auth) = session.get::<SessionAuth>(SESSION_AUTH_KEY).await? else {
        return Err(AppError::Unauthenticated);
    };
    if Utc::now() - auth.signed_in_at > state.settings.session_absolute {
        session.flush().await?;
        return Err(AppError::Unauthenticated);
    }
    match store::load_current_user(&state.db, auth.user_id, auth.epoch).await? {
        Some(user) => Ok(user),
        None => {
            session.flush().await?;
            Err(AppError::Unauthenticated)
        }
    }
}
