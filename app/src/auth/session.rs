//! Who is signed in, for every page.
//!
//! The server resolves the user from the session before it renders a page and hands it to the
//! browser inside the page, so no component ever waits for it. A component that waited would
//! build its children inside a suspended closure, and the server's renderer calls such
//! closures more than once: every call made the page's resources again, rendered the page two
//! or three times, and left titles reading signals of discarded copies.

use super::{
    api::SignOut,
    CurrentUser,
};
use crate::error::AppError;
use leptos::{prelude::*, server_fn::ServerFn};

/// The signed-in user of this page, or none for a visitor. Provided once at the root.
#[derive(Clone, Copy)]
pub struct SessionContext {
    user: RwSignal<Result<Option<CurrentUser>, AppError>>,
}

impl SessionContext {
    /// The user as the page was rendered for them, untracked: pages build their content once.
    pub fn current(&self) -> Result<Option<CurrentUser>, AppError> {
        self.user.get_untracked()
    }

    pub fn is_signed_in(&self) -> bool {
        self.user.with_untracked(|u| matches!(u, Ok(Some(_))))
    }

    /// Keeps the page's copy in step with a saved change of the user's own settings.
    pub fn update_user(&self, change: impl FnOnce(&mut CurrentUser)) {
        self.user.update(|u| {
            if let Ok(Some(user)) = u {
                change(user)
            }
        });
    }

    /// Where the sign-out form posts. Signing out loads a whole new page, so nothing of the
    /// session (navigation, event stream) outlives it.
    pub fn sign_out_url() -> &'static str {
        SignOut::PATH
    }
}

/// Provides [`SessionContext`]. Called first in the app, so the value it carries into the page
/// keeps the same place among the page's serialized data on the server and in the browser.
pub fn provide_session() {
    let shared = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use_context::<super::ssr::ResolvedUser>().map(|r| r.0).unwrap_or(Ok(None))
        }
        #[cfg(not(feature = "ssr"))]
        {
            Ok(None)
        }
    });
    provide_context(SessionContext { user: RwSignal::new(shared.into_inner()) });
}

pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}
