//! Who people are in the portal: their role in an organisation, the grants on top, and the
//! language they read.

use crate::text_enum;

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
        /// Reads the operations dashboard of every organisation (中心负责人).
        CenterLead => "center_lead",
    }
);

text_enum!(
    /// The interface languages.
    pub enum Language {
        ZhCn => "zh-CN",
        En => "en",
    }
);

impl Role {
    /// Roles that belong to a subsidiary rather than to the center.
    pub fn is_client_side(self) -> bool {
        matches!(self, Role::Client | Role::OrgContact)
    }
}

impl Language {
    /// The name of the language in itself, as a switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::ZhCn => "中文",
            Language::En => "English",
        }
    }
}
