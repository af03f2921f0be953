//! Accounts, roles and sign-in sessions.

use crate::{i18n::Locale, id_type, orgs::OrgId, text_enum};
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

id_type!(
    /// A person with an account.
    UserId
);

text_enum!(
    /// What a person does in one organisation. A user holds at most one role per organisation.
    pub enum Role {
        Client => "client",
        OrgContact => "org_contact",
        Agent => "agent",
        CustomerManager => "customer_manager",
        Admin => "admin",
    }
);

text_enum!(
    /// A grant on top of memberships, given by an admin to FSSC staff.
    pub enum Permission {
        /// Writes and publishes policy pages (规章制度).
        Editor => "editor",
    }
);

text_enum!(
    /// The interface languages.
    pub enum Language {
        ZhCn => "zh-CN",
        En => "en",
    }
);

impl Language {
    pub fn locale(self) -> Locale {
        match self {
            Language::ZhCn => Locale::zh_CN,
            Language::En => Locale::en,
        }
    }

    pub fn from_locale(locale: Locale) -> Self {
        match locale {
            Locale::zh_CN => Language::ZhCn,
            Locale::en => Language::En,
        }
    }

    /// The name of the language in itself, as a switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::ZhCn => "中文",
            Language::En => "English",
        }
    }
}

impl Role {
    /// Roles that belong to a subsidiary rather than to the center.
    pub fn is_client_side(self) -> bool {
        matches!(self, Role::Client | Role::OrgContact)
    }
}

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
