//! User administration: accounts, memberships and customer-manager assignments.

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod service;

/// The longest display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 80;

