//! Internal settlement (内部结算): the center's price list, versioned by the month it takes
//! effect, with a month-end surcharge (根据时间区别定价, 避免月底积压单据), a free quota per tier
//! and the SLA credits (奖惩) per request type and tier.

use crate::{
    error::{AppError, Field, FieldError, Problem},
    kernel::{TierId, TypeId},
    operations::Choice,
    text_enum,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub mod api;
pub mod dispute;
pub mod statement;
pub mod statement_ui;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod dispute_service;
#[cfg(feature = "ssr")]
pub mod dispute_store;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod statement_service;
#[cfg(feature = "ssr")]
pub mod statement_store;
#[cfg(feature = "ssr")]
pub mod store;

/// The largest price of one request, in major units.
pub const MAX_PRICE: i64 = 1_000_000;
/// The most working days at the end of a month a surcharge may cover.
pub const MAX_MONTH_END_DAYS: i64 = 10;

text_enum!(
    /// The currencies a price list may be kept in (ISO 4217).
    pub enum Currency {
        Cny => "CNY",
        Hkd => "HKD",
        Usd => "USD",
        Eur => "EUR",
    }
);

/// An amount in minor units (分 for CNY), shown with two decimals.
pub fn format_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", minor.abs() / 100, minor.abs() % 100)
}

/// Reads `1234.5`, `1,234.50` or `1234` as minor units; `None` for anything else, a negative
/// amount included.
pub fn parse_minor(text: &str) -> Option<i64> {
    let text: String = text.trim().chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = if fraction.is_empty() { 0 } else { format!("{fraction:0<2}").parse().ok()? };
    whole.checked_mul(100)?.checked_add(cents)
}

/// One request type's price as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceInput {
    pub type_id: TypeId,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaInput {
    pub tier_id: TierId,
    pub free_requests: i64,
}

/// The credit of one request type and tier, in percent of the request's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRule {
    pub type_id: TypeId,
    pub tier_id: TierId,
    pub first_response_percent: i64,
    pub resolution_percent: i64,
}

/// A new version of the price list, as the admin's form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceListInput {
    pub effective_from: String,
    pub currency: String,
    pub month_end_days: i64,
    pub month_end_percent: i64,
    pub credit_cap_percent: i64,
    pub prices: Vec<PriceInput>,
    pub quotas: Vec<QuotaInput>,
    pub credits: Vec<CreditRule>,
}

/// A stored version of the price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    pub id: i64,
    pub effective_from: NaiveDate,
    pub currency: Currency,
    pub month_end_days: i64,
    pub month_end_percent: i64,
    pub credit_cap_percent: i64,
    /// In minor units.
    pub prices: Vec<(TypeId, i64)>,
    pub quotas: Vec<(TierId, i64)>,
    pub credits: Vec<CreditRule>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// The price list page: every version, newest first, and what a new one is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceSetup {
    pub versions: Vec<PriceList>,
    pub types: Vec<Choice>,
    pub tiers: Vec<Choice>,
    /// The first month a new version may start: the month after the latest version's and
    /// after the current one.
    pub earliest: NaiveDate,
}

/// A version checked, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPriceList {
    pub effective_from: NaiveDate,
    pub currency: Currency,
    pub month_end_days: i64,
    pub month_end_percent: i64,
    pub credit_cap_percent: i64,
    pub prices: Vec<(TypeId, i64)>,
    pub quotas: Vec<(TierId, i64)>,
    pub credits: Vec<CreditRule>,
}

/// The first day of the month after `day`'s.
pub fn next_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(1))).unwrap_or(day)
}

impl PriceListInput {
    /// Checks the form against the request types and tiers that exist and the first month a
    /// new version may take effect: versions never overlap, and a month already under way (or
    /// priced by a later version) keeps its prices.
    pub fn check(&self, types: &[TypeId], tiers: &[TierId], earliest: NaiveDate) -> Result<CheckedPriceList, AppError> {
        let mut problems = Vec::new();
        let mut problem = |field, problem| problems.push(FieldError { field, problem });
        let effective_from = match NaiveDate::parse_from_str(self.effective_from.trim(), "%Y-%m-%d") {
            Ok(day) if day.day() != 1 => {
                problem(Field::EffectiveDate, Problem::FirstOfMonth);
                None
            }
            Ok(day) if day < earliest => {
                problem(Field::EffectiveDate, Problem::OverlapsVersion { earliest });
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                problem(Field::EffectiveDate, Problem::InvalidDate);
                None
            }
        };
        let currency = self.currency.parse::<Currency>().ok();
        if currency.is_none() {
            problem(Field::Currency, Problem::UnknownChoice);
        }
        let percent = |value: i64| (0..=100).contains(&value);
        if !(0..=MAX_MONTH_END_DAYS).contains(&self.month_end_days) {
            problem(Field::MonthEndDays, Problem::OutOfRange { min: 0, max: MAX_MONTH_END_DAYS });
        }
        if !percent(self.month_end_percent) {
            problem(Field::Surcharge, Problem::OutOfRange { min: 0, max: 100 });
        }
        if !percent(self.credit_cap_percent) {
            problem(Field::CreditCap, Problem::OutOfRange { min: 0, max: 100 });
        }
        let mut prices = Vec::new();
        for (n, price) in self.prices.iter().enumerate() {
            let field = Field::Price(n as u16);
            if !types.contains(&price.type_id) || prices.iter().any(|(t, _)| *t == price.type_id) {
                problem(field, Problem::UnknownChoice);
                continue;
            }
            match parse_minor(&price.amount) {
                Some(minor) if minor <= MAX_PRICE * 100 => prices.push((price.type_id, minor)),
                Some(_) => problem(field, Problem::OutOfRange { min: 0, max: MAX_PRICE }),
                // A minus sign is a refusal of its own: prices are never negative.
                None if price.amount.trim().starts_with('-') => problem(field, Problem::OutOfRange { min: 0, max: MAX_PRICE }),
                None => problem(field, Problem::NotAnAmount),
            }
        }
        let mut quotas = Vec::new();
        for (n, quota) in self.quotas.iter().enumerate() {
            if !tiers.contains(&quota.tier_id) || quotas.iter().any(|(t, _)| *t == quota.tier_id) {
                problem(Field::Quota(n as u16), Problem::UnknownChoice);
            } else if !(0..=100_000).contains(&quota.free_requests) {
                problem(Field::Quota(n as u16), Problem::OutOfRange { min: 0, max: 100_000 });
            } else {
                quotas.push((quota.tier_id, quota.free_requests));
            }
        }
        let mut credits: Vec<CreditRule> = Vec::new();
        for (n, rule) in self.credits.iter().enumerate() {
            let field = Field::Credit(n as u16);
            if !types.contains(&rule.type_id)
                || !tiers.contains(&rule.tier_id)
                || credits.iter().any(|c| c.type_id == rule.type_id && c.tier_id == rule.tier_id)
            {
                problem(field, Problem::UnknownChoice);
            } else if !percent(rule.first_response_percent) || !percent(rule.resolution_percent) {
                problem(field, Problem::OutOfRange { min: 0, max: 100 });
            } else {
                credits.push(*rule);
            }
        }
        match (effective_from, currency) {
            (Some(effective_from), Some(currency)) if problems.is_empty() => Ok(CheckedPriceList {
                effective_from,
                currency,
                month_end_days: self.month_end_days,
                month_end_percent: self.month_end_percent,
                credit_cap_percent: self.credit_cap_percent,
                prices,
                quotas,
                credits,
            }),
            _ => Err(AppError::Invalid(problems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn input() -> PriceListInput {
        PriceListInput {
            effective_from: "2027-01-01".into(),
            currency: "CNY".into(),
            month_end_days: 5,
            month_end_percent: 20,
            credit_cap_percent: 10,
            prices: vec![PriceInput { type_id: TypeId(1), amount: "120.00".into() }, PriceInput { type_id: TypeId(2), amount: "1,500.5".into() }],
            quotas: vec![QuotaInput { tier_id: TierId(1), free_requests: 20 }],
            credits: vec![CreditRule { type_id: TypeId(1), tier_id: TierId(1), first_response_percent: 10, resolution_percent: 30 }],
        }
    }

    fn problems(input: &PriceListInput) -> Vec<(Field, Problem)> {
        match input.check(&[TypeId(1), TypeId(2)], &[TierId(1)], day(2027, 1, 1)) {
            Err(AppError::Invalid(p)) => p.into_iter().map(|e| (e.field, e.problem)).collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn amounts_in_minor_units() {
        assert_eq!(parse_minor("120"), Some(12_000));
        assert_eq!(parse_minor("1,500.5"), Some(150_050));
        assert_eq!(parse_minor(" 0.07 "), Some(7));
        for bad in ["-5", "1.234", "abc", "", "1.2.3", "¥5"] {
            assert_eq!(parse_minor(bad), None, "{bad}");
        }
        assert_eq!(format_minor(150_050), "1500.50");
        assert_eq!(format_minor(-7), "-0.07");
    }

    #[test]
    fn a_good_version_is_checked_in_minor_units() {
        let checked = input().check(&[TypeId(1), TypeId(2)], &[TierId(1)], day(2027, 1, 1)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(checked.prices, vec![(TypeId(1), 12_000), (TypeId(2), 150_050)]);
        assert_eq!((checked.currency, checked.effective_from), (Currency::Cny, day(2027, 1, 1)));
    }

    #[test]
    fn negative_prices_unknown_currencies_overlaps_and_credits_over_100_percent_are_refused() {
        let mut bad = input();
        bad.prices[0].amount = "-120".into();
        bad.currency = "RMB".into();
        bad.credits[0].resolution_percent = 150;
        bad.effective_from = "2026-12-01".into();
        assert_eq!(
            problems(&bad),
            vec![
                (Field::EffectiveDate, Problem::OverlapsVersion { earliest: day(2027, 1, 1) }),
                (Field::Currency, Problem::UnknownChoice),
                (Field::Price(0), Problem::OutOfRange { min: 0, max: MAX_PRICE }),
                (Field::Credit(0), Problem::OutOfRange { min: 0, max: 100 }),
            ]
        );
        let mut mid_month = input();
        mid_month.effective_from = "2027-02-15".into();
        mid_month.month_end_percent = 101;
        mid_month.prices[1].type_id = TypeId(99);
        assert_eq!(
            problems(&mid_month),
            vec![(Field::EffectiveDate, Problem::FirstOfMonth), (Field::Surcharge, Problem::OutOfRange { min: 0, max: 100 }), (Field::Price(1), Problem::UnknownChoice)]
        );
        assert_eq!(next_month(day(2026, 12, 7)), day(2027, 1, 1));
    }
}
