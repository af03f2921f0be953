//! The catalogue of request types and the FSSC teams that work them.
//!
//! A type's form, attachment slots and targets are versioned: editing a type adds a version,
//! and a request keeps the version it was submitted with.

use crate::{
    attachments::FileKind,
    error::{AppError, Field, FieldError, Problem},
    i18n::Locale,
    i18n_support::Bilingual,
    kernel::{AttachmentId, PolicyPageId, TeamId, TypeId, TypeVersionId},
    text_enum,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod api;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

text_enum!(
    pub enum TypeKind {
        /// 单据: a reimbursement form, an invoice, a payment request.
        Document => "document",
        /// 咨询: a question.
        Query => "query",
    }
);

text_enum!(
    pub enum FieldKind {
        Text => "text",
        LongText => "long_text",
        /// An amount with its currency.
        Amount => "amount",
        Date => "date",
        Choice => "choice",
        /// A Chinese invoice number: 8 digits (paper and older e-invoices) or 20 (全电发票).
        InvoiceNumber => "invoice_number",
    }
);

text_enum!(
    pub enum Currency {
        Cny => "CNY",
        Usd => "USD",
        Eur => "EUR",
        Hkd => "HKD",
        Jpy => "JPY",
        Gbp => "GBP",
        Sgd => "SGD",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Bilingual,
}

/// One custom field of a type's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub key: String,
    pub label: Bilingual,
    pub kind: FieldKind,
    pub required: bool,
    #[serde(default)]
    pub help: Bilingual,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

/// A named place for a file the type asks for, e.g. "invoice" or "approval form".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SlotSpec {
    pub key: String,
    pub label: Bilingual,
    pub required: bool,
    pub kinds: Vec<FileKind>,
    /// What qualifies, as the checklist tells the client ("the invoice must carry the
    /// company's tax number").
    #[serde(default)]
    pub explanation: Bilingual,
    /// An image of a document that qualifies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<AttachmentId>,
    /// The rule this document comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyLink>,
}

/// A link from the catalogue to a policy page, optionally to one of its headings. Admins
/// write it as the page's address (`travel-expenses#hotels`); the server resolves the page,
/// so the link follows the page if its address changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyLink {
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// Set by the server when the type is saved; what a client sends here is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PolicyPageId>,
}

impl PolicyLink {
    /// `slug` or `slug#anchor`, as an admin types it; `None` for an empty text. Whether the
    /// page exists is for the server to say.
    pub fn from_text(text: &str) -> Option<PolicyLink> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let (slug, anchor) = match text.split_once('#') {
            Some((slug, anchor)) => (slug.trim(), Some(anchor.trim()).filter(|a| !a.is_empty())),
            None => (text, None),
        };
        Some(PolicyLink { slug: slug.to_string(), anchor: anchor.map(str::to_string), page: None })
    }

    /// Whether the link is well formed: a page address, and a heading id without spaces.
    pub fn check(&self) -> Result<(), Problem> {
        crate::kernel::Slug::parse(&self.slug)?;
        let bad_anchor = self.anchor.as_ref().is_some_and(|a| {
            a.chars().count() > 100 || a.chars().any(|c| c.is_control() || c.is_whitespace() || c == '"' || c == '<')
        });
        if bad_anchor { Err(Problem::InvalidSlug) } else { Ok(()) }
    }

    /// The text [`PolicyLink::from_text`] reads back.
    pub fn to_text(&self) -> String {
        match &self.anchor {
            Some(anchor) => format!("{}#{anchor}", self.slug),
            None => self.slug.clone(),
        }
    }
}

/// A type's form and attachment slots, stored as JSON with each version.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TypeDefinition {
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    #[serde(default)]
    pub slots: Vec<SlotSpec>,
    /// The policy pages that govern this type, shown with the form and recorded, version by
    /// version, with each request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicyLink>,
}

impl TypeDefinition {
    /// Every policy link of the type: its own, then the slots'.
    pub fn policy_links(&self) -> impl Iterator<Item = &PolicyLink> {
        self.policies.iter().chain(self.slots.iter().filter_map(|s| s.policy.as_ref()))
    }

    /// The pages the type's links resolved to, for the policies capability to show.
    pub fn linked_pages(&self) -> Vec<PolicyPageId> {
        self.policy_links().filter_map(|l| l.page).collect()
    }

    pub fn policy_links_mut(&mut self) -> impl Iterator<Item = &mut PolicyLink> {
        self.policies.iter_mut().chain(self.slots.iter_mut().filter_map(|s| s.policy.as_mut()))
    }
}

/// A type as a list filter names it: no form, no targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeName {
    pub type_id: TypeId,
    pub name: Bilingual,
}

/// One version of a request type, as the submission form and the request page use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestType {
    pub version_id: TypeVersionId,
    pub type_id: TypeId,
    pub code: String,
    pub version: i64,
    pub name: Bilingual,
    pub kind: TypeKind,
    pub team_id: TeamId,
    pub team_name: Bilingual,
    pub targets: Targets,
    pub definition: TypeDefinition,
    pub active: bool,
}

impl RequestType {
    /// This version as an admin's edit starts from it.
    pub fn as_draft(&self) -> TypeDraft {
        TypeDraft {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind,
            team_id: self.team_id,
            targets: self.targets,
            definition: self.definition.clone(),
            active: self.active,
        }
    }
}

/// Hours to the first response and to resolution, normal and urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    pub first_response_hours: i64,
    pub resolution_hours: i64,
    pub urgent_allowed: bool,
    pub urgent_first_response_hours: i64,
    pub urgent_resolution_hours: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Team {
    pub id: TeamId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

impl Team {
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::en => &self.name_en,
            _ => &self.name_zh,
        }
    }
}

/// What a user typed into one custom field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FieldInput {
    pub key: String,
    pub value: String,
    #[serde(default)]
    pub currency: Option<String>,
}

/// A checked custom field value, as stored with the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Amount { amount: String, currency: Currency },
    Text(String),
}

pub type FieldValues = BTreeMap<String, FieldValue>;

pub const TEXT_FIELD_MAX: usize = 200;
pub const LONG_TEXT_FIELD_MAX: usize = 5_000;
/// Up to a thousand billion, with cents: more than any single payment the center handles.
const AMOUNT_INTEGER_DIGITS_MAX: usize = 13;

impl TypeDefinition {
    /// Checks the custom fields of a submission against this form. Every problem is reported
    /// at once, each on its field, so the browser can show them before the user submits.
    pub fn check_fields(&self, inputs: &[FieldInput]) -> Result<FieldValues, Vec<FieldError>> {
        let mut values = FieldValues::new();
        let mut errors = Vec::new();
        for (index, spec) in self.fields.iter().enumerate() {
            let field = Field::Custom(index as u16);
            let input = inputs.iter().find(|i| i.key == spec.key);
            let raw = input.map(|i| i.value.trim()).unwrap_or("");
            if raw.is_empty() {
                if spec.required {
                    errors.push(FieldError { field, problem: Problem::Required });
                }
                continue;
            }
            match spec.check(raw, input.and_then(|i| i.currency.as_deref())) {
                Ok(value) => {
                    values.insert(spec.key.clone(), value);
                }
                Err(problem) => errors.push(FieldError { field, problem }),
            }
        }
        if errors.is_empty() { Ok(values) } else { Err(errors) }
    }

    pub fn field_index(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.key == key)
    }
}

impl FieldSpec {
    fn check(&self, raw: &str, currency: Option<&str>) -> Result<FieldValue, Problem> {
        match self.kind {
            FieldKind::Text => {
                if raw.chars().count() > TEXT_FIELD_MAX {
                    return Err(Problem::TooLong { max: TEXT_FIELD_MAX as u32 });
                }
                if raw.chars().any(char::is_control) {
                    return Err(Problem::ControlCharacters);
                }
                Ok(FieldValue::Text(raw.to_string()))
            }
            FieldKind::LongText => {
                let text = raw.replace("\r\n", "\n");
                if text.chars().count() > LONG_TEXT_FIELD_MAX {
                    return Err(Problem::TooLong { max: LONG_TEXT_FIELD_MAX as u32 });
                }
                if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    return Err(Problem::ControlCharacters);
                }
                Ok(FieldValue::Text(text))
            }
            FieldKind::Amount => {
                let amount = parse_amount(raw).ok_or(Problem::NotAnAmount)?;
                let currency = match currency.map(str::trim).filter(|c| !c.is_empty()) {
                    None => Currency::Cny,
                    Some(code) => code.parse::<Currency>().map_err(|_| Problem::UnknownChoice)?,
                };
                Ok(FieldValue::Amount { amount, currency })
            }
            FieldKind::Date => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|d| FieldValue::Text(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| Problem::InvalidDate),
            FieldKind::Choice => self
                .choices
                .iter()
                .find(|c| c.value == raw)
                .map(|c| FieldValue::Text(c.value.clone()))
                .ok_or(Problem::UnknownChoice),
            FieldKind::InvoiceNumber => {
                let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                let valid = (digits.len() == 8 || digits.len() == 20)
                    && digits.chars().all(|c| c.is_ascii_digit());
                if valid { Ok(FieldValue::Text(digits)) } else { Err(Problem::InvalidInvoiceNumber) }
            }
        }
    }

    /// The value as a reader expects it: the choice's label, the amount with its currency.
    pub fn display(&self, value: &FieldValue, locale: Locale) -> String {
        match value {
            FieldValue::Amount { amount, currency } => format!("{currency} {}", group_thousands(amount)),
            FieldValue::Text(text) if self.kind == FieldKind::Choice => self
                .choices
                .iter()
                .find(|c| &c.value == text)
                .map(|c| c.label.get(locale).to_string())
                .unwrap_or_else(|| text.clone()),
            FieldValue::Text(text) => text.clone(),
        }
    }
}

/// A positive amount with at most two decimals, as a canonical decimal string. Thousands
/// separators are accepted (`1,234.50`, `1，234.50`) because people paste them.
pub fn parse_amount(raw: &str) -> Option<String> {
    let cleaned: String = raw.trim().chars().filter(|c| !matches!(c, ',' | '，' | ' ')).collect();
    let (whole, fraction) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    let valid = !whole.is_empty()
        && whole.len() <= AMOUNT_INTEGER_DIGITS_MAX
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.len() <= 2
        && fraction.chars().all(|c| c.is_ascii_digit());
    if !valid {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let canonical = format!("{whole}.{fraction:0<2}");
    (canonical != "0.00").then_some(canonical)
}

fn group_thousands(amount: &str) -> String {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{fraction}")
}

/// A type as an admin edits it: every version-bearing property at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeDraft {
    pub code: String,
    pub name: Bilingual,
    pub kind: TypeKind,
    pub team_id: TeamId,
    pub targets: Targets,
    pub definition: TypeDefinition,
    pub active: bool,
}

pub const TYPE_CODE_MAX: usize = 40;
pub const TYPE_NAME_MAX: usize = 60;
pub const MAX_FIELDS: usize = 30;
pub const MAX_SLOTS: usize = 10;
pub const MAX_POLICY_LINKS: usize = 10;
/// Characters of a slot's explanation, per language.
pub const EXPLANATION_MAX: usize = 300;
/// A year: longer targets are typing mistakes.
pub const TARGET_HOURS_MAX: i64 = 24 * 365;

impl TypeDraft {
    /// Checks what an admin entered; the problems are reported together.
    pub fn check(&self) -> Result<(), AppError> {
        let mut errors = Vec::new();
        let code_ok = !self.code.is_empty()
            && self.code.len() <= TYPE_CODE_MAX
            && self.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            errors.push(FieldError { field: Field::Code, problem: Problem::InvalidCode });
        }
        for (field, name) in [(Field::NameZh, &self.name.zh), (Field::NameEn, &self.name.en)] {
            if let Err(e) = crate::validation::single_line(field, name, TYPE_NAME_MAX) {
                errors.push(e);
            }
        }
        let t = &self.targets;
        let hours = [
            t.first_response_hours,
            t.resolution_hours,
            t.urgent_first_response_hours,
            t.urgent_resolution_hours,
        ];
        if hours.iter().any(|h| *h < 1 || *h > TARGET_HOURS_MAX)
            || t.first_response_hours > t.resolution_hours
            || t.urgent_first_response_hours > t.urgent_resolution_hours
        {
            errors.push(FieldError { field: Field::Targets, problem: Problem::InvalidTargets });
        }
        let mut keys: Vec<&str> = Vec::new();
        for (i, f) in self.definition.fields.iter().enumerate() {
            let bad_key = f.key.is_empty()
                || f.key.len() > TYPE_CODE_MAX
                || !f.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                || keys.contains(&f.key.as_str());
            let bad_choices = f.kind == FieldKind::Choice && f.choices.is_empty();
            if bad_key || bad_choices || f.label.zh.trim().is_empty() || f.label.en.trim().is_empty() {
                errors.push(FieldError { field: Field::Custom(i as u16), problem: Problem::InvalidDefinition });
            }
            keys.push(&f.key);
        }
        for (i, s) in self.definition.slots.iter().enumerate() {
            let bad = s.key.is_empty()
                || s.kinds.is_empty()
                || keys.contains(&s.key.as_str())
                || s.label.zh.trim().is_empty()
                || s.label.en.trim().is_empty();
            if bad {
                errors.push(FieldError { field: Field::Slot(i as u16), problem: Problem::InvalidDefinition });
            }
            keys.push(&s.key);
        }
        for (i, s) in self.definition.slots.iter().enumerate() {
            let long = [&s.explanation.zh, &s.explanation.en].iter().any(|t| t.chars().count() > EXPLANATION_MAX);
            if long {
                errors.push(FieldError { field: Field::Slot(i as u16), problem: Problem::TooLong { max: EXPLANATION_MAX as u32 } });
            }
        }
        if self.definition.policies.len() > MAX_POLICY_LINKS {
            errors.push(FieldError { field: Field::PolicyLinks, problem: Problem::TooMany });
        } else if let Some(problem) = self.definition.policies.iter().find_map(|l| l.check().err()) {
            errors.push(FieldError { field: Field::PolicyLinks, problem });
        }
        for (i, s) in self.definition.slots.iter().enumerate() {
            if let Some(problem) = s.policy.as_ref().and_then(|l| l.check().err()) {
                errors.push(FieldError { field: Field::Slot(i as u16), problem });
            }
        }
        if self.definition.fields.len() > MAX_FIELDS || self.definition.slots.len() > MAX_SLOTS {
            errors.push(FieldError { field: Field::Definition, problem: Problem::TooMany });
        }
        if errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(errors)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_links_are_page_addresses_with_an_optional_heading() {
        let link = PolicyLink::from_text(" travel-expenses # 二、住宿标准 ").expect("a link");
        assert_eq!((link.slug.as_str(), link.anchor.as_deref()), ("travel-expenses", Some("二、住宿标准")));
        assert_eq!(link.to_text(), "travel-expenses#二、住宿标准");
        assert_eq!(link.check(), Ok(()));
        assert!(PolicyLink::from_text("  ").is_none());
        assert_eq!(PolicyLink::from_text("../etc").map(|l| l.check()), Some(Err(Problem::InvalidSlug)));
        assert_eq!(PolicyLink::from_text("travel#has space").map(|l| l.check()), Some(Err(Problem::InvalidSlug)));
    }

    fn expense_form() -> TypeDefinition {
        TypeDefinition {
            fields: vec![
                FieldSpec {
                    key: "amount".into(),
                    label: Bilingual::new("金额", "Amount"),
                    kind: FieldKind::Amount,
                    required: true,
                    help: Bilingual::default(),
                    choices: vec![],
                },
                FieldSpec {
                    key: "date".into(),
                    label: Bilingual::new("日期", "Date"),
                    kind: FieldKind::Date,
                    required: true,
                    help: Bilingual::default(),
                    choices: vec![],
                },
                FieldSpec {
                    key: "invoice_no".into(),
                    label: Bilingual::new("发票号码", "Invoice number"),
                    kind: FieldKind::InvoiceNumber,
                    required: false,
                    help: Bilingual::default(),
                    choices: vec![],
                },
            ],
            slots: vec![],
            policies: vec![],
        }
    }

    fn input(key: &str, value: &str) -> FieldInput {
        FieldInput { key: key.into(), value: value.into(), currency: None }
    }

    #[test]
    fn amounts_are_positive_decimals_with_at_most_cents() {
        assert_eq!(parse_amount("1,234.5"), Some("1234.50".into()));
        assert_eq!(parse_amount("0012"), Some("12.00".into()));
        assert_eq!(parse_amount("1，000"), Some("1000.00".into()));
        for bad in ["", "abc", "12.345", "-5", "1e5", "0", "0.00", "12.3.4", "１２"] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_missing_or_malformed_field_is_reported_on_its_own_index() {
        let form = expense_form();
        let errors = form.check_fields(&[input("amount", "twelve"), input("invoice_no", "1234")]).unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError { field: Field::Custom(0), problem: Problem::NotAnAmount },
                FieldError { field: Field::Custom(1), problem: Problem::Required },
                FieldError { field: Field::Custom(2), problem: Problem::InvalidInvoiceNumber },
            ]
        );
    }

    #[test]
    fn valid_values_are_stored_in_canonical_form() {
        let form = expense_form();
        let values = form
            .check_fields(&[
                FieldInput { key: "amount".into(), value: "1,000".into(), currency: Some("USD".into()) },
                input("date", "2026-11-02"),
                input("invoice_no", "1234 5678 9012 3456 7890"),
            ])
            .unwrap();
        assert_eq!(values["amount"], FieldValue::Amount { amount: "1000.00".into(), currency: Currency::Usd });
        assert_eq!(values["invoice_no"], FieldValue::Text("12345678901234567890".into()));
        assert_eq!(form.fields[0].display(&values["amount"], Locale::en), "USD 1,000.00");
        let stored = serde_json::to_string(&values).unwrap();
        let back: FieldValues = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, values);
    }

    #[test]
    fn dates_must_be_real_calendar_days() {
        let form = expense_form();
        let errors = form.check_fields(&[input("amount", "1"), input("date", "2026-02-30")]).unwrap_err();
        assert_eq!(errors, vec![FieldError { field: Field::Custom(1), problem: Problem::InvalidDate }]);
    }
}
