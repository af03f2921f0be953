//! Organisations: the FSSC itself and the subsidiaries it serves, with their service tiers.

use crate::{id_type, text_enum};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod store;

id_type!(
    /// An organisation: the center or one subsidiary.
    OrgId
);
id_type!(
    /// A service tier (客户分级); SLA targets will depend on it.
    TierId
);

text_enum!(
    pub enum OrgKind {
        /// The Financial Shared Services Center; agents and admins belong to it.
        Center => "center",
        /// A subsidiary: the center's client.
        Subsidiary => "subsidiary",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Tier {
    pub id: TierId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Lower is more important.
    pub rank: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Organisation {
    pub id: OrgId,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub tier_id: Option<TierId>,
    pub tier_code: Option<String>,
    pub active: bool,
}
