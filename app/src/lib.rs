//! The FSSC self-service portal: shared types, pages and server functions.
//!
//! Each capability lives in its own module with its types, server functions and UI.
//! Server-only code sits behind the `ssr` feature; the browser build uses `hydrate`.
#![recursion_limit = "256"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod admin;
pub mod attachments;
pub mod auth;
pub mod authz;
pub mod billing;
pub mod catalogue;
pub mod error;
pub mod forms;
pub mod frame;
pub mod i18n_support;
pub mod kernel;
pub mod notifications;
pub mod operations;
pub mod orgs;
pub mod policies;
pub mod ratings;
pub mod requests;
pub mod routes;
pub mod sla;
pub mod spreadsheet;
pub mod time;
pub mod validation;
pub mod widgets;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod state;

pub use error::AppError;
pub use routes::{shell, App};
