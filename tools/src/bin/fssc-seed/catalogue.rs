//! The request types as the portal's catalogue defines them, as far as filling in a form goes.

use tools::bulk;

/// A custom field of a type's form, as far as filling it in goes.
pub(crate) struct FormField {
    pub(crate) key: String,
    pub(crate) kind: String,
    pub(crate) required: bool,
    pub(crate) choices: Vec<String>,
}

/// What the generator needs to know of one request type.
pub(crate) struct TypeInfo {
    pub(crate) version_id: i64,
    pub(crate) code: String,
    pub(crate) team: usize,
    pub(crate) first_response_hours: i64,
    pub(crate) resolution_hours: i64,
    pub(crate) urgent_allowed: bool,
    pub(crate) urgent_first_response_hours: i64,
    pub(crate) urgent_resolution_hours: i64,
    pub(crate) fields: Vec<FormField>,
    /// The first file slot that takes a PDF.
    pub(crate) pdf_slot: Option<String>,
}

impl TypeInfo {
    pub(crate) fn from_catalogue(version: &bulk::TypeVersion, teams: &[(i64, String)]) -> TypeInfo {
        let definition: serde_json::Value = serde_json::from_str(&version.definition).unwrap_or_default();
        let text = |v: &serde_json::Value, key: &str| v.get(key).and_then(|s| s.as_str()).unwrap_or("").to_string();
        let fields = definition
            .get("fields")
            .and_then(|f| f.as_array())
            .map(|list| {
                list.iter()
                    .map(|f| FormField {
                        key: text(f, "key"),
                        kind: text(f, "kind"),
                        required: f.get("required").and_then(|r| r.as_bool()).unwrap_or(false),
                        choices: f
                            .get("choices")
                            .and_then(|c| c.as_array())
                            .map(|c| c.iter().map(|c| text(c, "value")).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let pdf_slot = definition.get("slots").and_then(|s| s.as_array()).and_then(|slots| {
            slots.iter().find_map(|slot| {
                let takes_pdf = slot
                    .get("kinds")
                    .and_then(|k| k.as_array())
                    .is_some_and(|kinds| kinds.iter().any(|k| k.as_str() == Some("pdf")));
                takes_pdf.then(|| text(slot, "key"))
            })
        });
        TypeInfo {
            version_id: version.id,
            code: version.code.clone(),
            team: teams.iter().position(|t| t.0 == version.team_id).unwrap_or(0),
            first_response_hours: version.first_response_hours,
            resolution_hours: version.resolution_hours,
            urgent_allowed: version.urgent_allowed,
            urgent_first_response_hours: version.urgent_first_response_hours,
            urgent_resolution_hours: version.urgent_resolution_hours,
            fields,
            pdf_slot,
        }
    }

    /// How often clients use this type, relative to the others.
    pub(crate) fn volume(&self) -> f64 {
        match self.code.as_str() {
            "expense_reimbursement" => 30.0,
            "payment_request" => 20.0,
            "invoice" => 12.0,
            "general_query" => 10.0,
            "ledger_close" => 6.0,
            "system_access" => 6.0,
            "tax" => 5.0,
            "master_data" => 5.0,
            "fund_transfer" => 4.0,
            "urgent_payment" => 2.0,
            _ => 3.0,
        }
    }
}
