//! What every handler of the server can reach: the portal's state, the session store for
//! long-lived streams, and the origin that state-changing requests must come from.

use crate::{edge::origin::OwnOrigin, sessions::PortalSessionStore};
use app::state::AppState;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

#[derive(Clone)]
pub struct ServerState {
    pub leptos_options: LeptosOptions,
    pub app: AppState,
    /// Long-lived event streams check their session against the store itself.
    pub sessions: PortalSessionStore,
    /// State-changing requests must come from pages of this origin.
    pub origin: OwnOrigin,
}

impl FromRef<ServerState> for OwnOrigin {
    fn from_ref(state: &ServerState) -> Self {
        state.origin.clone()
    }
}

impl FromRef<ServerState> for AppState {
    fn from_ref(state: &ServerState) -> Self {
        state.app.clone()
    }
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos_options.clone()
    }
}
