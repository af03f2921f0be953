//! Organisations: the FSSC itself and the subsidiaries it serves, with their service tiers.

use crate::{kernel::{OrgId, TierId}, text_enum};
use serde::{Deserialize, Serialize};

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;

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
    /// The SLA targets of this tier's subsidiaries, as a percentage of the request type's hours.
    pub sla_percent: i64,
    /// Higher comes first in the agents' queues, before the due time.
    pub queue_priority: i64,
}

pub const TIER_CODE_MAX: usize = 32;
pub const TIER_NAME_MAX: usize = 60;
pub const RANK_RANGE: (i64, i64) = (1, 99);
pub const SLA_PERCENT_RANGE: (i64, i64) = (25, 400);
pub const PRIORITY_RANGE: (i64, i64) = (0, 100);

/// A tier as an admin enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierInput {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub rank: i64,
    pub sla_percent: i64,
    pub queue_priority: i64,
}

impl TierInput {
    /// Every problem at once, each on its field.
    pub fn check(&self) -> Result<TierInput, Vec<crate::error::FieldError>> {
        use crate::error::{Field, FieldError, Problem};
        let mut errors = Vec::new();
        let code = self.code.trim().to_string();
        let code_ok = !code.is_empty()
            && code.len() <= TIER_CODE_MAX
            && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            errors.push(FieldError { field: Field::Code, problem: Problem::InvalidCode });
        }
        let mut names = Vec::new();
        for (field, name) in [(Field::NameZh, &self.name_zh), (Field::NameEn, &self.name_en)] {
            match crate::validation::single_line(field, name, TIER_NAME_MAX) {
                Ok(name) => names.push(name),
                Err(e) => errors.push(e),
            }
        }
        for (field, value, (min, max)) in [
            (Field::Rank, self.rank, RANK_RANGE),
            (Field::Multiplier, self.sla_percent, SLA_PERCENT_RANGE),
            (Field::Priority, self.queue_priority, PRIORITY_RANGE),
        ] {
            if !(min..=max).contains(&value) {
                errors.push(FieldError { field, problem: Problem::OutOfRange { min, max } });
            }
        }
        match names.as_slice() {
            [zh, en] if errors.is_empty() => Ok(TierInput {
                code,
                name_zh: zh.clone(),
                name_en: en.clone(),
                rank: self.rank,
                sla_percent: self.sla_percent,
                queue_priority: self.queue_priority,
            }),
            _ => Err(errors),
        }
    }
}

/// What the tiers page shows: the tiers and the subsidiaries with theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierSetup {
    pub tiers: Vec<Tier>,
    pub subsidiaries: Vec<Organisation>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Field, Problem};

    fn input() -> TierInput {
        TierInput {
            code: "strategic".into(),
            name_zh: "战略客户".into(),
            name_en: "Strategic client".into(),
            rank: 1,
            sla_percent: 80,
            queue_priority: 20,
        }
    }

    #[test]
    fn a_tier_keeps_its_numbers_within_bounds() {
        assert!(input().check().is_ok());
        let bad = TierInput { code: "Key Tier".into(), rank: 0, sla_percent: 10, queue_priority: 101, ..input() };
        let fields: Vec<_> = bad.check().unwrap_err().into_iter().map(|e| (e.field, e.problem)).collect();
        assert_eq!(
            fields,
            vec![
                (Field::Code, Problem::InvalidCode),
                (Field::Rank, Problem::OutOfRange { min: 1, max: 99 }),
                (Field::Multiplier, Problem::OutOfRange { min: 25, max: 400 }),
                (Field::Priority, Problem::OutOfRange { min: 0, max: 100 }),
            ]
        );
    }
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
