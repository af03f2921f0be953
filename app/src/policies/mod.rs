//! The policy column (规章制度): pages the center publishes in versions, each for everyone or
//! for chosen subsidiaries and tiers, found by a search that understands Chinese without
//! spaces.
//!
//! A page outside a reader's audience does not exist for that reader: every read goes through
//! the reader's [`crate::authz::PolicyScope`] in SQL, so a page, its versions and its search
//! hits are all "not found" alike.

use crate::{
    error::{AppError, Field, FieldError, Problem},
    i18n_support::Bilingual,
    kernel::{AttachmentId, OrgId, PolicyCategoryId, PolicyPageId, Slug, TierId},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub mod acknowledgements;
pub mod api;
pub mod compare;
pub mod editor;
pub mod files;
pub mod search;
pub mod suggestions;
pub mod synonyms;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod diff;
#[cfg(feature = "ssr")]
pub mod links;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Largest body of one language: a policy is a document, not an archive.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;
/// Synonym sets the editors may keep; each widens every query that names one of its terms.
pub const MAX_SYNONYM_SETS: usize = 500;
/// Pages the new-request form suggests at most.
pub const SUGGESTIONS: usize = 5;
/// A suggestion opened and followed by no request within this many hours counts as a question
/// the page answered.
pub const DEFLECTED_AFTER_HOURS: i64 = 24;
/// Results a search shows; a reader who needs more refines the query.
pub const SEARCH_LIMIT: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PolicyCategory {
    pub id: PolicyCategoryId,
    pub parent_id: Option<PolicyCategoryId>,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

impl PolicyCategory {
    pub fn name(&self) -> Bilingual {
        Bilingual::new(self.name_zh.clone(), self.name_en.clone())
    }
}

/// Who may read a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Everyone,
    /// Members of these organisations, and of every organisation in these tiers.
    Chosen { orgs: Vec<OrgId>, tiers: Vec<TierId> },
}

/// What an editor writes; it becomes a version when published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDraft {
    pub slug: String,
    pub category_id: PolicyCategoryId,
    pub title_zh: String,
    /// Empty when the page has no English text; English readers then see the Chinese one.
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
    pub tags: Vec<String>,
    pub effective_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// The slug of the page that replaces this one.
    pub superseded_by: Option<String>,
    pub audience: Audience,
    /// Readers in the audience must confirm they have read this version.
    pub requires_ack: bool,
    /// The last day, in the center's calendar, to confirm; only with `requires_ack`.
    #[serde(default)]
    pub ack_deadline: Option<NaiveDate>,
    /// The signed originals (PDF), in the order readers see them.
    #[serde(default)]
    pub files: Vec<PolicyFile>,
}

impl PolicyDraft {
    /// Every problem of the text alone, all at once, so the editor fixes them in one pass.
    /// What needs the database (a taken slug, unknown organisations) is checked by the service.
    pub fn check(&self) -> Result<Slug, AppError> {
        let mut errors = Vec::new();
        let mut fail = |field, problem| errors.push(FieldError { field, problem });
        let slug = Slug::parse(&self.slug).map_err(|p| fail(Field::Slug, p.into())).ok();
        match self.title_zh.trim().chars().count() {
            0 => fail(Field::Title, Problem::Required),
            n if n > MAX_TITLE_CHARS => fail(Field::Title, Problem::TooLong { max: MAX_TITLE_CHARS as u32 }),
            _ => {}
        }
        if self.title_en.trim().chars().count() > MAX_TITLE_CHARS {
            fail(Field::TitleEn, Problem::TooLong { max: MAX_TITLE_CHARS as u32 });
        }
        // The English text is whole or absent: a title without a body, or the reverse, would
        // show English readers half a page.
        match (self.title_en.trim().is_empty(), self.body_en.trim().is_empty()) {
            (false, true) => fail(Field::BodyEn, Problem::Required),
            (true, false) => fail(Field::TitleEn, Problem::Required),
            _ => {}
        }
        if self.body_zh.trim().is_empty() {
            fail(Field::Body, Problem::Required);
        }
        for (field, body) in [(Field::Body, &self.body_zh), (Field::BodyEn, &self.body_en)] {
            if body.len() > MAX_BODY_BYTES {
                fail(field, Problem::TooBig { max_kib: (MAX_BODY_BYTES / 1024) as u32 });
            }
        }
        if [&self.title_zh, &self.title_en].iter().any(|t| t.chars().any(char::is_control)) {
            fail(Field::Title, Problem::ControlCharacters);
        }
        if self.tags.len() > MAX_TAGS {
            fail(Field::Tags, Problem::TooMany);
        } else if self.tags.iter().any(|t| t.trim().is_empty() || t.chars().count() > MAX_TAG_CHARS) {
            fail(Field::Tags, Problem::TooLong { max: MAX_TAG_CHARS as u32 });
        }
        if self.valid_until.is_some_and(|until| until < self.effective_on) {
            fail(Field::ValidUntil, Problem::BeforeEffectiveDate);
        }
        if self.requires_ack && self.ack_deadline.is_some_and(|deadline| deadline < self.effective_on) {
            fail(Field::AckDeadline, Problem::BeforeEffectiveDate);
        }
        if self.files.len() > MAX_FILES {
            fail(Field::Files, Problem::TooManyFiles { max: MAX_FILES as u32 });
        }
        if let Audience::Chosen { orgs, tiers } = &self.audience {
            if orgs.is_empty() && tiers.is_empty() {
                fail(Field::Audience, Problem::Required);
            }
        }
        match (slug, errors.is_empty()) {
            (Some(slug), true) => Ok(slug),
            _ => Err(AppError::Invalid(errors)),
        }
    }

    /// Tags trimmed, without repeats, in the order written.
    pub fn clean_tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = Vec::new();
        for tag in self.tags.iter().map(|t| t.trim()) {
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_string());
            }
        }
        tags
    }
}

/// What an editor chooses from: categories, and the organisations and tiers of an audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorChoices {
    pub categories: Vec<PolicyCategory>,
    pub orgs: Vec<crate::orgs::Organisation>,
    pub tiers: Vec<crate::orgs::Tier>,
}

/// A page as an editor sees it in the list of pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorPage {
    pub id: PolicyPageId,
    pub slug: String,
    pub title: String,
    pub live_version: Option<i64>,
    pub has_draft: bool,
    /// When the draft will be published on its own.
    pub publish_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A page as its editor opens it: the text to continue with and any publication planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorState {
    pub draft: PolicyDraft,
    pub publish_at: Option<DateTime<Utc>>,
}

/// One line of the reader's list of pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySummary {
    pub slug: String,
    pub title: String,
    pub category_id: PolicyCategoryId,
    pub effective_on: NaiveDate,
    pub expired: bool,
}

/// A heading of a page, for its table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A version of a page, rendered for one reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub slug: String,
    pub title: String,
    /// Sanitized HTML; nothing in it runs.
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The text is in the other language, because the reader's is missing.
    pub fallback: bool,
    pub category: Option<PolicyCategory>,
    pub tags: Vec<String>,
    pub version: i64,
    /// The version live now; older versions say they are old.
    pub live_version: i64,
    pub effective_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub expired: bool,
    /// Slug and title of the page that replaces this one, when the reader may see it.
    pub superseded_by: Option<(String, String)>,
    pub published_at: DateTime<Utc>,
    /// Whether this reader must confirm this version, and whether they have.
    pub ack: AckState,
    /// The reader's answer to "was this helpful?" for this version, if given.
    pub my_feedback: Option<bool>,
    /// This version's signed originals.
    pub files: Vec<PolicyFile>,
}

/// One published version in a page's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct VersionEntry {
    pub number: i64,
    pub effective_on: NaiveDate,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
}

/// Longest comment on a page, in characters.
pub const MAX_FEEDBACK_CHARS: usize = 1000;

/// What readers said of one version of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackSummary {
    pub version: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    /// Comments, newest first: (helpful?, text, when).
    pub comments: Vec<(bool, String, DateTime<Utc>)>,
}

/// Whether a reader must confirm having read a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AckState {
    /// The version asks nothing of this reader (it does not ask, or they are not its audience).
    NotAsked,
    Due { deadline: Option<DateTime<Utc>> },
    Given { at: DateTime<Utc> },
}

/// A version a reader has still to confirm, for the banner on every page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAck {
    pub slug: String,
    pub title: String,
    pub version: i64,
    pub deadline: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// Who of a version's audience has confirmed it, per organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckReport {
    pub version: i64,
    pub title: String,
    pub deadline: Option<DateTime<Utc>>,
    pub deadline_passed: bool,
    /// Ordered by organisation, then name.
    pub rows: Vec<AckRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AckRow {
    pub organisation: String,
    pub name: String,
    pub email: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Two versions of a page, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionDiff {
    pub slug: String,
    pub title: String,
    pub from: i64,
    pub to: i64,
    /// Every published version, newest first, to choose another pair.
    pub versions: Vec<i64>,
    pub lines: Vec<DiffLine>,
}

/// A line of a comparison. In a changed line, the characters that changed are marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Removed(Vec<search::Piece>),
    Added(Vec<search::Piece>),
    /// Unchanged lines left out between changes.
    Skipped(usize),
}

/// A page the new-request form suggests while the client types the title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub slug: String,
    pub title: String,
    pub version: i64,
}

/// A policy version the new-request form showed the client before they submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenPolicy {
    pub slug: String,
    pub title: String,
    pub version: i64,
    /// When the client opened it, if they did.
    pub opened_at: Option<DateTime<Utc>>,
}

/// A policy page a request type links to, in the version in force, as one reader may open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedPolicy {
    pub page: PolicyPageId,
    pub slug: String,
    pub title: String,
    pub version: i64,
}

impl LinkedPolicy {
    /// The page's address, at `anchor` if given.
    pub fn href(&self, anchor: Option<&str>) -> String {
        match anchor {
            Some(anchor) => format!("/policies/{}#{anchor}", self.slug),
            None => format!("/policies/{}", self.slug),
        }
    }
}

/// The policy versions behind a request, for the center's staff: those its type linked to
/// when it was submitted, and those the form suggested to the client.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestPolicies {
    pub linked: Vec<LinkedPolicy>,
    pub seen: Vec<SeenPolicy>,
}

/// How the new-request form's suggestions of a page fared, for its editors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SuggestionCounts {
    /// Forms that showed the page.
    pub suggested: i64,
    /// Forms where the client opened it.
    pub opened: i64,
    /// Forms submitted as a request after showing it.
    pub submitted: i64,
    /// Forms where the client opened it and submitted nothing for a day: deflected questions.
    pub deflected: i64,
}

/// A search result: where it is, and the words around the match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub slug: String,
    pub title: String,
    /// The live version found.
    pub version: i64,
    pub category_id: PolicyCategoryId,
    pub effective_on: NaiveDate,
    pub snippet: Vec<search::Piece>,
}

/// Files on one version, at most.
pub const MAX_FILES: usize = 10;

/// A file of a policy page, as the editor lists it and the reader downloads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct PolicyFile {
    pub id: AttachmentId,
    pub file_name: String,
    pub size_bytes: i64,
}

impl PolicyFile {
    pub fn download_url(&self) -> String {
        format!("/files/{}", self.id)
    }

    pub fn preview_url(&self) -> String {
        format!("/files/{}?inline=1", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PolicyDraft {
        PolicyDraft {
            slug: "travel-expenses".into(),
            category_id: PolicyCategoryId(1),
            title_zh: "员工差旅费用报销标准".into(),
            title_en: String::new(),
            body_zh: "## 适用范围\n全体员工。".into(),
            body_en: String::new(),
            tags: vec!["差旅".into(), " 差旅 ".into(), "报销".into()],
            effective_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            valid_until: None,
            superseded_by: None,
            audience: Audience::Everyone,
            requires_ack: false,
            ack_deadline: None,
            files: vec![],
        }
    }

    fn problems(result: Result<Slug, AppError>) -> Vec<(Field, Problem)> {
        match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn a_good_draft_passes_and_tags_lose_repeats() {
        let d = draft();
        assert_eq!(d.check().map(|s| s.as_str().to_string()), Ok("travel-expenses".into()));
        assert_eq!(d.clean_tags(), vec!["差旅".to_string(), "报销".to_string()]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut d = draft();
        d.slug = "../x".into();
        d.title_zh = "  ".into();
        d.body_zh = "x".repeat(MAX_BODY_BYTES + 1);
        d.valid_until = NaiveDate::from_ymd_opt(2025, 12, 31);
        d.audience = Audience::Chosen { orgs: vec![], tiers: vec![] };
        d.requires_ack = true;
        d.ack_deadline = NaiveDate::from_ymd_opt(2025, 12, 1);
        let found = problems(d.check());
        for expected in [
            (Field::Slug, Problem::InvalidSlug),
            (Field::Title, Problem::Required),
            (Field::Body, Problem::TooBig { max_kib: 1024 }),
            (Field::ValidUntil, Problem::BeforeEffectiveDate),
            (Field::Audience, Problem::Required),
            (Field::AckDeadline, Problem::BeforeEffectiveDate),
        ] {
            assert!(found.contains(&expected), "{expected:?} missing from {found:?}");
        }
    }

    #[test]
    fn the_english_text_is_whole_or_absent() {
        let mut d = draft();
        d.title_en = "Travel expenses".into();
        assert_eq!(problems(d.check()), vec![(Field::BodyEn, Problem::Required)]);
        d.title_en.clear();
        d.body_en = "Hotels: at most CNY 600 a night.".into();
        assert_eq!(problems(d.check()), vec![(Field::TitleEn, Problem::Required)]);
    }
}
