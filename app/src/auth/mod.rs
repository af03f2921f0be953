//! Accounts, roles and sign-in sessions.

use crate::kernel::{Language, OrgId, Permission, Role, UserId};
use serde::{Deserialize, Serialize};

pub mod api;
pub mod session;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod ssr;

/// Where a user lands after signing in.
pub const START_PAGE: &str = "/requests";

/// The name of the session cookie, for the server that sets it and the tools that sign in.
pub const SESSION_COOKIE: &str = "fssc_session";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Membership {
    pub org_id: OrgId,
    pub org_code: String,
    pub org_name: String,
    pub role: Role,
}

/// The signed-in person, as loaded from the database for every request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub language: Language,
    pub time_zone: String,
    pub memberships: Vec<Membership>,
    /// Subsidiaries this user follows as customer manager (客户经理).
    pub managed_orgs: Vec<OrgId>,
    /// What an admin granted on top of the memberships.
    pub permissions: Vec<Permission>,
}

impl CurrentUser {
    pub fn has_permission(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.memberships.iter().any(|m| m.role == role)
    }

    pub fn orgs_with_role(&self, role: Role) -> impl Iterator<Item = OrgId> + '_ {
        self.memberships.iter().filter(move |m| m.role == role).map(|m| m.org_id)
    }

    /// Organisations on whose behalf this user may submit requests.
    pub fn submitting_memberships(&self) -> impl Iterator<Item = &Membership> {
        self.memberships.iter().filter(|m| m.role.is_client_side())
    }

    pub fn is_staff(&self) -> bool {
        self.memberships.iter().any(|m| !m.role.is_client_side())
    }
}

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
