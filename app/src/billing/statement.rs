//! A subsidiary's monthly service statement (服务结算单), computed from its billable requests
//! and the price list in force, with no I/O: the job, the tests and a revision compute it the
//! same way.
//!
//! - **Billable**: a request resolved in the month (its resolution instant, in the center's
//!   zone). Rejected and withdrawn requests are not billed; rejections are reported by reason.
//! - **Price**: the price list's price for the request's type (none: zero).
//! - **Free quota**: the first requests of the month, as many as the subsidiary's tier gets free,
//!   by resolution instant, cost nothing and earn no credit.
//! - **Month-end surcharge**: requests submitted in the last N working days of their month cost
//!   the price list's percentage more.
//! - **Credits (奖惩)**: a missed first response credits its percentage of the price, a missed
//!   resolution its own; both can apply. Due instants already leave out the time paused while
//!   the center waited on the client. The month's credits are at most the cap's share of the
//!   month's price and surcharges.
//! - **Corrections (对账)**: an accepted dispute issues a new revision in which the disputed
//!   line costs what the customer manager set; that line leaves the cap, and the difference
//!   to its price and surcharge is the revision's correction.
//! - Amounts are in minor units; percentages round half up to the unit.

use super::{CreditRule, Currency, PriceList};
use crate::{
    kernel::{RejectReason, RequestId, TierId, TypeId},
    operations::Attainment,
    ratings::metrics::Csat,
    text_enum,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

text_enum!(
    /// Why a line earns a credit.
    pub enum CreditReason {
        None => "none",
        FirstResponse => "first_response",
        Resolution => "resolution",
        Both => "both",
    }
);

/// What the statement needs of one billable request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillableRequest {
    pub id: RequestId,
    pub reference_no: String,
    pub type_id: TypeId,
    pub type_name: String,
    pub submitted_at: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub first_response_due: DateTime<Utc>,
    pub resolved_at: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    /// The day of submission in the center's zone.
    pub submitted_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub request_id: RequestId,
    pub reference_no: String,
    pub type_id: TypeId,
    pub type_name: String,
    pub submitted_at: DateTime<Utc>,
    pub resolved_at: DateTime<Utc>,
    pub free: bool,
    pub price_minor: i64,
    pub surcharge_minor: i64,
    pub credit_minor: i64,
    pub credit_reason: CreditReason,
    /// What the line costs after an accepted dispute: it replaces the price, surcharge and
    /// credit, and the line leaves the month's credit cap.
    #[serde(default)]
    pub corrected_minor: Option<i64>,
}

impl StatementLine {
    /// What the line costs before the month's cap: price and surcharge less its credit, or
    /// the corrected charge.
    pub fn charge(&self) -> i64 {
        self.corrected_minor.unwrap_or(self.price_minor + self.surcharge_minor - self.credit_minor)
    }
}

/// One request type's lines, added up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeTotal {
    pub type_id: TypeId,
    pub type_name: String,
    pub requests: i64,
    pub amount_minor: i64,
    pub credit_minor: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub price_minor: i64,
    pub surcharge_minor: i64,
    /// The lines' credits before the cap.
    pub credits_minor: i64,
    /// The credit the month gets, after the cap.
    pub credit_minor: i64,
    /// Accepted disputes: each corrected line's charge less its price and surcharge (zero or
    /// less).
    #[serde(default)]
    pub corrections_minor: i64,
    pub total_minor: i64,
    pub capped: bool,
    pub per_type: Vec<TypeTotal>,
}

/// How the month went, kept with the statement as it was when issued.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthSummary {
    pub first_response: Attainment,
    pub resolution: Attainment,
    pub csat: Csat,
    pub rejections: Vec<(RejectReason, i64)>,
    pub open_follow_ups: i64,
}

/// An issued statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub id: i64,
    pub org_id: crate::kernel::OrgId,
    pub org_name: String,
    /// The first day of the month it covers.
    pub month: NaiveDate,
    pub revision: i64,
    pub currency: Currency,
    pub price_list_id: i64,
    pub price_list_from: NaiveDate,
    pub lines: Vec<StatementLine>,
    pub totals: Totals,
    pub summary: MonthSummary,
    pub issued_at: DateTime<Utc>,
    /// The newest revision of the month: this one's id unless a correction followed.
    pub newest_id: i64,
    /// Until when this revision's lines may be disputed.
    pub dispute_until: DateTime<Utc>,
    /// The disputes of every revision of the month, oldest first.
    pub disputes: Vec<super::dispute::Dispute>,
    /// What the rules let the reader do, for the page's controls; the server asks again.
    #[serde(default)]
    pub viewer_may_dispute: bool,
    #[serde(default)]
    pub viewer_may_answer: bool,
}

/// A statement in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementEntry {
    pub id: i64,
    pub org_name: String,
    pub month: NaiveDate,
    pub revision: i64,
    pub currency: Currency,
    pub total_minor: i64,
    pub credit_minor: i64,
    pub lines: i64,
    pub issued_at: DateTime<Utc>,
}

/// `percent` of `amount`, rounded half up.
pub fn share(amount: i64, percent: i64) -> i64 {
    (amount * percent + 50) / 100
}

/// The lines of a month, in resolution order. `month_end` holds the month-end working days
/// of the months the requests were submitted in.
pub fn lines(requests: &[BillableRequest], prices: &PriceList, tier: Option<TierId>, month_end: &BTreeSet<NaiveDate>) -> Vec<StatementLine> {
    let mut ordered: Vec<&BillableRequest> = requests.iter().collect();
    ordered.sort_by_key(|r| (r.resolved_at, r.id));
    let free = tier.and_then(|t| prices.quotas.iter().find(|(id, _)| *id == t)).map(|(_, n)| *n).unwrap_or(0).max(0) as usize;
    ordered
        .into_iter()
        .enumerate()
        .map(|(n, r)| {
            let is_free = n < free;
            let price = if is_free { 0 } else { prices.prices.iter().find(|(t, _)| *t == r.type_id).map(|(_, p)| *p).unwrap_or(0) };
            let surcharge = if month_end.contains(&r.submitted_on) { share(price, prices.month_end_percent) } else { 0 };
            let rule = tier
                .and_then(|t| prices.credits.iter().find(|c| c.type_id == r.type_id && c.tier_id == t))
                .copied()
                .unwrap_or(CreditRule { type_id: r.type_id, tier_id: TierId(0), first_response_percent: 0, resolution_percent: 0 });
            let late_answer = r.first_responded_at.is_none_or(|at| at > r.first_response_due);
            let late_end = r.resolved_at > r.resolution_due;
            let credit = if late_answer { share(price, rule.first_response_percent) } else { 0 }
                + if late_end { share(price, rule.resolution_percent) } else { 0 };
            let reason = match (late_answer, late_end) {
                (true, true) => CreditReason::Both,
                (true, false) => CreditReason::FirstResponse,
                (false, true) => CreditReason::Resolution,
                (false, false) => CreditReason::None,
            };
            StatementLine {
                request_id: r.id,
                reference_no: r.reference_no.clone(),
                type_id: r.type_id,
                type_name: r.type_name.clone(),
                submitted_at: r.submitted_at,
                resolved_at: r.resolved_at,
                free: is_free,
                price_minor: price,
                surcharge_minor: surcharge,
                credit_minor: credit,
                credit_reason: if credit > 0 { reason } else { CreditReason::None },
                corrected_minor: None,
            }
        })
        .collect()
}

/// The month's totals: the credits capped at `cap_percent` of the price and surcharges. A
/// corrected line counts its corrected charge instead, outside the cap.
pub fn totals(lines: &[StatementLine], cap_percent: i64) -> Totals {
    let price: i64 = lines.iter().map(|l| l.price_minor).sum();
    let surcharge: i64 = lines.iter().map(|l| l.surcharge_minor).sum();
    let as_issued = || lines.iter().filter(|l| l.corrected_minor.is_none());
    let credits: i64 = as_issued().map(|l| l.credit_minor).sum();
    let cap = as_issued().map(|l| l.price_minor + l.surcharge_minor).sum::<i64>() * cap_percent / 100;
    let credit = credits.min(cap);
    let corrections: i64 = lines
        .iter()
        .filter_map(|l| l.corrected_minor.map(|c| c - l.price_minor - l.surcharge_minor))
        .sum();
    let mut per_type: Vec<TypeTotal> = Vec::new();
    for l in lines {
        let (amount, line_credit) = match l.corrected_minor {
            Some(corrected) => (corrected, 0),
            None => (l.price_minor + l.surcharge_minor, l.credit_minor),
        };
        match per_type.iter_mut().find(|t| t.type_id == l.type_id) {
            Some(t) => {
                t.requests += 1;
                t.amount_minor += amount;
                t.credit_minor += line_credit;
            }
            None => per_type.push(TypeTotal {
                type_id: l.type_id,
                type_name: l.type_name.clone(),
                requests: 1,
                amount_minor: amount,
                credit_minor: line_credit,
            }),
        }
    }
    Totals {
        price_minor: price,
        surcharge_minor: surcharge,
        credits_minor: credits,
        credit_minor: credit,
        corrections_minor: corrections,
        total_minor: price + surcharge - credit + corrections,
        capped: credits > cap,
        per_type,
    }
}

/// The lines of `base` with line `line_no` (from 1) charged `corrected`: what a corrected
/// revision holds. `None` when the statement has no such line.
pub fn corrected_lines(base: &[StatementLine], line_no: i64, corrected: i64) -> Option<Vec<StatementLine>> {
    let index = usize::try_from(line_no.checked_sub(1)?).ok()?;
    let mut lines = base.to_vec();
    lines.get_mut(index)?.corrected_minor = Some(corrected);
    Some(lines)
}

/// The statement as CSV for Excel: one row per billable request, amounts in major units with
/// two decimals, times in `zone`, then the totals.
pub fn csv(statement: &Statement, language: crate::kernel::Language, zone: &str) -> String {
    use leptos_i18n::td_string;
    let locale = language.locale();
    let money = super::format_minor;
    let mut csv = crate::spreadsheet::Csv::default();
    csv.line(&[
        td_string!(locale, statements.reference),
        td_string!(locale, statements.request_type),
        td_string!(locale, statements.submitted),
        td_string!(locale, statements.resolved),
        td_string!(locale, statements.price),
        td_string!(locale, statements.surcharge),
        td_string!(locale, statements.credit),
        td_string!(locale, statements.credit_reason),
        td_string!(locale, statements.corrected),
    ]);
    let at = |t: DateTime<Utc>| crate::time::format_datetime(t, zone, language);
    for l in &statement.lines {
        csv.line(&[
            l.reference_no.clone(),
            l.type_name.clone(),
            at(l.submitted_at),
            at(l.resolved_at),
            if l.free { td_string!(locale, statements.free).to_string() } else { money(l.price_minor) },
            money(l.surcharge_minor),
            money(l.credit_minor),
            credit_reason_label(locale, l.credit_reason).to_string(),
            l.corrected_minor.map(money).unwrap_or_default(),
        ]);
    }
    let t = &statement.totals;
    let total = |label: &str, minor: i64| vec![label.to_string(), String::new(), String::new(), String::new(), money(minor)];
    csv.line(&total(td_string!(locale, statements.total_price), t.price_minor));
    csv.line(&total(td_string!(locale, statements.total_surcharge), t.surcharge_minor));
    csv.line(&total(td_string!(locale, statements.total_credit), -t.credit_minor));
    if t.corrections_minor != 0 {
        csv.line(&total(td_string!(locale, statements.total_corrections), t.corrections_minor));
    }
    csv.line(&total(td_string!(locale, statements.total_due), t.total_minor));
    csv.finish()
}

pub fn credit_reason_label(locale: crate::i18n::Locale, reason: CreditReason) -> &'static str {
    use leptos_i18n::td_string;
    match reason {
        CreditReason::None => "",
        CreditReason::FirstResponse => td_string!(locale, statements.late_first_response),
        CreditReason::Resolution => td_string!(locale, statements.late_resolution),
        CreditReason::Both => td_string!(locale, statements.late_both),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).single().unwrap_or_default()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn request(id: i64, type_id: i64, submitted: u32, resolved: u32) -> BillableRequest {
        BillableRequest {
            id: RequestId(id),
            reference_no: format!("FS-{id}"),
            type_id: TypeId(type_id),
            type_name: format!("type {type_id}"),
            submitted_at: at(submitted, 2),
            first_responded_at: Some(at(submitted, 3)),
            first_response_due: at(submitted, 4),
            resolved_at: at(resolved, 2),
            resolution_due: at(resolved, 2) + Duration::days(1),
            submitted_on: day(submitted),
        }
    }

    /// Type 1 costs 100.00, type 2 costs 40.00; 20 % more in the month-end days (26–30 Nov);
    /// the key tier (1) gets one request free and 10 % / 30 % credits on type 1; cap 10 %.
    fn prices() -> PriceList {
        PriceList {
            id: 1,
            effective_from: day(1),
            currency: Currency::Cny,
            month_end_days: 5,
            month_end_percent: 20,
            credit_cap_percent: 10,
            prices: vec![(TypeId(1), 10_000), (TypeId(2), 4_000)],
            quotas: vec![(TierId(1), 1)],
            credits: vec![CreditRule { type_id: TypeId(1), tier_id: TierId(1), first_response_percent: 10, resolution_percent: 30 }],
            created_by: String::new(),
            created_at: at(1, 0),
        }
    }

    /// Four requests of a key-tier subsidiary, resolved in this order:
    /// - A (type 2, resolved 3rd): free, the month's one free request.
    /// - B (type 1, resolved 5th, on time): 100.00.
    /// - C (type 1, submitted on the 26th, a month-end day; resolved 27th a day late and
    ///   answered late): 100.00 + 20.00, credit 10.00 + 30.00 = 40.00 (both).
    /// - D (type 2, submitted 27th, resolved 28th): 40.00 + 8.00, no credit rule for type 2.
    ///
    /// Price 240.00, surcharges 28.00; credits 40.00 capped at 10 % of 268.00 = 26.80;
    /// total 268.00 − 26.80 = 241.20.
    #[test]
    fn a_month_computed_by_hand() {
        let a = request(1, 2, 2, 3);
        let b = request(2, 1, 4, 5);
        let mut c = request(3, 1, 26, 27);
        c.first_responded_at = Some(at(26, 6));
        c.resolution_due = at(26, 2);
        let d = request(4, 2, 27, 28);
        let month_end: BTreeSet<NaiveDate> = (26..=30).map(day).collect();
        let lines = lines(&[d.clone(), c, b, a], &prices(), Some(TierId(1)), &month_end);
        let shown: Vec<(i64, bool, i64, i64, i64, CreditReason)> =
            lines.iter().map(|l| (l.request_id.0, l.free, l.price_minor, l.surcharge_minor, l.credit_minor, l.credit_reason)).collect();
        assert_eq!(
            shown,
            vec![
                (1, true, 0, 0, 0, CreditReason::None),
                (2, false, 10_000, 0, 0, CreditReason::None),
                (3, false, 10_000, 2_000, 4_000, CreditReason::Both),
                (4, false, 4_000, 800, 0, CreditReason::None),
            ]
        );
        let t = totals(&lines, 10);
        assert_eq!((t.price_minor, t.surcharge_minor, t.credits_minor, t.credit_minor, t.total_minor, t.capped), (24_000, 2_800, 4_000, 2_680, 24_120, true));
        assert_eq!(t.per_type.iter().map(|p| (p.type_id.0, p.requests, p.amount_minor)).collect::<Vec<_>>(), vec![(2, 2, 4_800), (1, 2, 22_000)]);
        // Without the cap's bite, the credits stand as the lines say.
        assert_eq!(totals(&lines, 50).credit_minor, 4_000);
        // A standard-tier subsidiary (no quota, no credit rule) pays every request.
        let standard = super::lines(&[d], &prices(), Some(TierId(2)), &month_end);
        assert_eq!((standard[0].free, standard[0].price_minor), (false, 4_000));
        assert_eq!(share(333, 50), 167, "half up");
    }

    /// The month above after an accepted dispute of line 3 (C, 120.00 less its 40.00 credit)
    /// corrected to 50.00: C leaves the cap, so the others' credits (none) stand whole.
    /// Price 240.00 + surcharges 28.00 − credit 0 + correction (50.00 − 120.00) = 198.00.
    /// Line 4 (D, 48.00) corrected to 0 as well: 198.00 − 48.00 = 150.00.
    #[test]
    fn a_corrected_line_replaces_its_charge_and_leaves_the_cap() {
        let a = request(1, 2, 2, 3);
        let b = request(2, 1, 4, 5);
        let mut c = request(3, 1, 26, 27);
        c.first_responded_at = Some(at(26, 6));
        c.resolution_due = at(26, 2);
        let d = request(4, 2, 27, 28);
        let month_end: BTreeSet<NaiveDate> = (26..=30).map(day).collect();
        let issued = lines(&[a, b, c, d], &prices(), Some(TierId(1)), &month_end);
        assert_eq!(issued[2].charge(), 8_000, "120.00 less a 40.00 credit");
        let revised = corrected_lines(&issued, 3, 5_000).unwrap_or_default();
        let t = totals(&revised, 10);
        assert_eq!((t.credits_minor, t.credit_minor, t.corrections_minor, t.total_minor), (0, 0, -7_000, 19_800));
        assert_eq!(t.per_type.iter().map(|p| (p.type_id.0, p.amount_minor, p.credit_minor)).collect::<Vec<_>>(), vec![(2, 4_800, 0), (1, 15_000, 0)]);
        let twice = corrected_lines(&revised, 4, 0).unwrap_or_default();
        assert_eq!(totals(&twice, 10).total_minor, 15_000);
        assert_eq!(issued[2].corrected_minor, None, "the issued revision is left as it was");
        assert!(corrected_lines(&issued, 5, 0).is_none() && corrected_lines(&issued, 0, 0).is_none(), "no such line");
    }
}
