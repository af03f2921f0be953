//! User administration: accounts, memberships and customer-manager assignments.

use crate::{
    auth::{Language, Membership, Permission, UserId},
    orgs::OrgId,
};
use serde::{Deserialize, Serialize};

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod service;

/// The longest display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 80;

/// One account as the admin's directory lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub language: Language,
    pub time_zone: String,
    pub active: bool,
    /// Sign-in is locked after too many failures; an admin may lift it.
    pub sign_in_locked: bool,
    pub memberships: Vec<Membership>,
    pub managed_orgs: Vec<OrgId>,
    pub permissions: Vec<Permission>,
}
