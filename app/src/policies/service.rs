//! The steps behind the policy column's server functions: checks that need the database,
//! publishing in one transaction, and search.

use crate::{
    auth::CurrentUser,
    authz::PolicyScope,
    db::Db,
    error::{AppError, Conflict, Field, Problem},
    kernel::{Language, PolicyPageId, Slug, UserId},
    notifications::{NotificationKind, service as notify, service::About, store as notes},
    orgs::{OrgKind, store as orgs},
    policies::{
        AckReport, AckState, Audience, EditorChoices, EditorState, files, markdown, MAX_BODY_BYTES,
        PendingAck, PolicyCategory, PolicyDraft, PolicySummary, PolicyView,
        search::{index_terms, Query, Tier}, SEARCH_LIMIT, SearchHit,
        store::{self, CandidateRow, LiveRow, Publication}, TocEntry, VersionDiff, VersionEntry,
    },
    state::AppState,
    time::CENTER_TIME_ZONE,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// Characters of body text a search result shows around its match.
const SNIPPET_CHARS: usize = 120;

/// Checks a draft against the database: its category, audience and replacement page exist,
/// and no other page has its slug. Answers the slug and the replacing page.
async fn check(db: &Db, page: Option<PolicyPageId>, draft: &PolicyDraft) -> Result<(Slug, Option<PolicyPageId>), AppError> {
    let slug = draft.check()?;
    if !store::categories(db).await?.iter().any(|c| c.id == draft.category_id) {
        return Err(AppError::invalid(Field::Category, Problem::UnknownChoice));
    }
    if let Audience::Chosen { orgs, tiers } = &draft.audience {
        let mut orgs = orgs.clone();
        orgs.sort();
        orgs.dedup();
        let mut tiers = tiers.clone();
        tiers.sort();
        tiers.dedup();
        if store::known_audience(db, &orgs, &tiers).await? != (orgs.len(), tiers.len()) {
            return Err(AppError::invalid(Field::Audience, Problem::UnknownChoice));
        }
    }
    if let Some(owner) = store::page_id_by_slug(db, slug.as_str()).await? {
        if Some(owner) != page {
            return Err(AppError::Conflict(Conflict::SlugTaken));
        }
    }
    let superseded_by = match draft.superseded_by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(other) => {
            let id = store::page_id_by_slug(db, other)
                .await?
                .ok_or(AppError::invalid(Field::SupersededBy, Problem::UnknownChoice))?;
            if Some(id) == page || other == slug.as_str() {
                return Err(AppError::invalid(Field::SupersededBy, Problem::SelfReference));
            }
            Some(id)
        }
    };
    Ok((slug, superseded_by))
}

fn encode(draft: &PolicyDraft) -> Result<String, AppError> {
    serde_json::to_string(draft).map_err(|error| {
        tracing::error!(%error, "a policy draft could not be encoded");
        AppError::Internal
    })
}

/// Saves a new page's draft or replaces an existing page's, with the files it names (the
/// page holds them from now on); nothing is visible to readers yet.
pub async fn save_draft(
    db: &Db,
    editor: &CurrentUser,
    page: Option<PolicyPageId>,
    draft: &PolicyDraft,
    now: DateTime<Utc>,
) -> Result<PolicyPageId, AppError> {
    let (slug, _) = check(db, page, draft).await?;
    let mut draft = draft.clone();
    draft.files = files::check(db, editor, page, &draft.files).await?;
    let claimed: Vec<_> = draft.files.iter().map(|f| f.id).collect();
    let json = encode(&draft)?;
    let mut tx = db.begin_write().await?;
    let id = match page {
        Some(id) => {
            if !store::save_draft(&mut tx, id, &json, now).await? {
                tx.rollback().await?;
                return Err(AppError::NotFound);
            }
            id
        }
        None => match store::create_page(&mut tx, &slug, draft.category_id, &json, editor.id, now).await? {
            Some(id) => {
                tracing::info!(page = %id, slug = %slug, editor = %editor.id, "policy page created");
                id
            }
            None => {
                tx.rollback().await?;
                return Err(AppError::Conflict(Conflict::SlugTaken));
            }
        },
    };
    store::claim_files(&mut tx, id, &claimed).await?;
    tx.commit().await?;
    Ok(id)
}

/// The draft an editor continues with: the unpublished one, or else the live version.
pub async fn draft_of(db: &Db, page: PolicyPageId) -> Result<PolicyDraft, AppError> {
    let record = store::page(db, page).await?.ok_or(AppError::NotFound)?;
    if let Some(json) = &record.draft {
        return serde_json::from_str(json).map_err(|error| {
            tracing::error!(%error, page = %page, "a stored policy draft is unreadable");
            AppError::Internal
        });
    }
    let number = record.live_version.ok_or(AppError::NotFound)?;
    let v = store::version(db, page, number).await?.ok_or(AppError::NotFound)?;
    let superseded_by = match v.superseded_by {
        Some(other) => store::page(db, other).await?.map(|p| p.slug),
        None => None,
    };
    Ok(PolicyDraft {
        slug: record.slug,
        category_id: record.category_id,
        title_zh: v.title_zh,
        title_en: v.title_en.unwrap_or_default(),
        body_zh: v.body_zh,
        body_en: v.body_en.unwrap_or_default(),
        tags: split_tags(&v.tags),
        effective_on: v.effective_on,
        valid_until: v.valid_until,
        superseded_by,
        audience: store::audience(db, page).await?,
        requires_ack: v.requires_ack,
        ack_deadline: v.ack_deadline.map(|at| at.with_timezone(&CENTER_TIME_ZONE).date_naive()),
        files: store::version_files(db, page, number).await?,
    })
}

/// What the editor opens: the draft to continue with and the publication planned for it.
pub async fn editor_state(db: &Db, page: PolicyPageId) -> Result<EditorState, AppError> {
    Ok(EditorState { draft: draft_of(db, page).await?, publish_at: store::publish_at(db, page).await? })
}

/// The last instant of the deadline day in the center's calendar.
fn deadline_instant(day: NaiveDate) -> DateTime<Utc> {
    crate::time::start_of_day(day + chrono::Days::new(1), CENTER_TIME_ZONE) - chrono::Duration::seconds(1)
}

/// The search index rows of one version: the title's terms, and everything else's.
fn index_rows(title_zh: &str, title_en: &str, body_zh: &str, body_en: &str, tags: &[String]) -> Vec<(String, &'static str)> {
    let title = index_terms(&format!("{title_zh}\n{title_en}"));
    let rest = index_terms(&format!(
        "{}\n{}\n{}",
        markdown::plain_text(body_zh),
        markdown::plain_text(body_en),
        tags.join("\n")
    ));
    title.into_iter().map(|t| (t, "t")).chain(rest.into_iter().map(|t| (t, "b"))).collect()
}

fn join_tags(tags: &[String]) -> String {
    tags.join("\n")
}

fn split_tags(tags: &str) -> Vec<String> {
    tags.lines().filter(|t| !t.trim().is_empty()).map(str::to_string).collect()
}

fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// Who a version is published by: an editor now, or the editor who planned it.
#[derive(Debug, Clone, Copy)]
pub struct Publisher<'a> {
    pub id: UserId,
    pub name: &'a str,
}

impl<'a> From<&'a CurrentUser> for Publisher<'a> {
    fn from(user: &'a CurrentUser) -> Self {
        Publisher { id: user.id, name: &user.display_name }
    }
}

/// Whether a publication was asked for now or planned earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Occasion {
    Now,
    /// Published only if this transaction claims the plan first.
    Planned,
    /// Published as of an instant in the past, telling nobody: the demo seed's history.
    Quiet,
}

/// Publishes the page's draft as if at `at`, without notifications: for history the portal did
/// not witness (the demo seed's policy column); see [`publish_draft`].
pub async fn publish_quietly(state: &AppState, editor: &CurrentUser, page: PolicyPageId, at: DateTime<Utc>) -> Result<i64, AppError> {
    publish_draft(state, editor.into(), page, at, Occasion::Quiet).await?.ok_or(AppError::Conflict(Conflict::Stale))
}

/// Publishes the page's draft now; see [`publish_draft`].
pub async fn publish(state: &AppState, editor: &CurrentUser, page: PolicyPageId, now: DateTime<Utc>) -> Result<i64, AppError> {
    publish_draft(state, editor.into(), page, now, Occasion::Now).await?.ok_or(AppError::Conflict(Conflict::Stale))
}

/// Publishes the page's draft as its next version, in one transaction: the version, the
/// page's slug, category and audience, its search index, and the notifications that tell its
/// audience (in the portal and by email, as each person prefers). Answers the version number,
/// or `None` when a planned publication was taken by another instance.
async fn publish_draft(
    state: &AppState,
    editor: Publisher<'_>,
    page: PolicyPageId,
    now: DateTime<Utc>,
    occasion: Occasion,
) -> Result<Option<i64>, AppError> {
    let db = &state.db;
    let record = store::page(db, page).await?.ok_or(AppError::NotFound)?;
    let Some(json) = record.draft else {
        // Another instance published the planned draft a moment ago.
        return match occasion {
            Occasion::Now | Occasion::Quiet => Err(AppError::Conflict(Conflict::Stale)),
            Occasion::Planned => Ok(None),
        };
    };
    let draft: PolicyDraft = serde_json::from_str(&json).map_err(|error| {
        tracing::error!(%error, page = %page, "a stored policy draft is unreadable");
        AppError::Internal
    })?;
    let (slug, superseded_by) = check(db, Some(page), &draft).await?;
    let held = store::page_files(db, page).await?;
    // Saving the draft claimed its files; a file the page does not hold is not published.
    if draft.files.iter().any(|f| !held.iter().any(|h| h.id == f.id)) {
        return Err(AppError::invalid(Field::Files, Problem::UnknownFile));
    }
    let file_ids: Vec<_> = draft.files.iter().map(|f| f.id).collect();
    let tags = draft.clean_tags();
    let terms = index_rows(&draft.title_zh, &draft.title_en, &draft.body_zh, &draft.body_en, &tags);
    let title_en = non_empty(&draft.title_en);
    let publication = Publication {
        page,
        slug: &slug,
        category: draft.category_id,
        title_zh: draft.title_zh.trim(),
        title_en,
        body_zh: &draft.body_zh,
        body_en: title_en.and(non_empty(&draft.body_en)).map(|_| draft.body_en.as_str()),
        tags: &join_tags(&tags),
        effective_on: draft.effective_on,
        valid_until: draft.valid_until,
        superseded_by,
        requires_ack: draft.requires_ack,
        ack_deadline: draft.ack_deadline.filter(|_| draft.requires_ack).map(deadline_instant),
        audience: &draft.audience,
        terms: &terms,
        files: &file_ids,
        by: editor.id,
        now,
    };
    let about = About {
        request_id: None,
        reference_no: None,
        title: draft.title_zh.trim().to_string(),
        link: format!("/policies/{slug}"),
        status: None,
        actor_name: Some(editor.name.to_string()),
        excerpt: None,
    };
    let batch = if occasion == Occasion::Quiet {
        notes::Batch::default()
    } else {
        let readers = store::audience_members(db, &draft.audience, editor.id).await?;
        let targets: Vec<_> = readers.iter().map(|u| (*u, NotificationKind::PolicyPublished)).collect();
        notify::build(db, &state.settings, &about, &targets).await?
    };
    let mut tx = db.begin_write().await?;
    if occasion == Occasion::Planned && !store::claim_due(&mut tx, page, now).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let (_, in_force_since) = store::live_in_tx(&mut tx, page).await?.ok_or(AppError::NotFound)?;
    if in_force_since.is_some_and(|previous| draft.effective_on < previous) {
        tx.rollback().await?;
        return Err(AppError::invalid(Field::EffectiveDate, Problem::BeforePreviousVersion));
    }
    let Some(number) = store::publish(&mut tx, &publication).await? else {
        tx.rollback().await?;
        return Err(AppError::Conflict(Conflict::SlugTaken));
    };
    notes::write(&mut tx, &batch, now).await?;
    tx.commit().await?;
    state.live.committed(db, &batch.live_recipients());
    tracing::info!(page = %page, version = number, editor = %editor.id, terms = terms.len(), ?occasion, "policy version published");
    Ok(Some(number))
}

/// Plans the draft's publication at `at`. The draft must be publishable as it stands; a plan
/// in the past is refused. The draft may still change until then.
pub async fn schedule(db: &Db, editor: &CurrentUser, page: PolicyPageId, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), AppError> {
    if at <= now {
        return Err(AppError::invalid(Field::Schedule, Problem::InThePast));
    }
    let record = store::page(db, page).await?.ok_or(AppError::NotFound)?;
    let json = record.draft.ok_or(AppError::Conflict(Conflict::Stale))?;
    let draft: PolicyDraft = serde_json::from_str(&json).map_err(|error| {
        tracing::error!(%error, page = %page, "a stored policy draft is unreadable");
        AppError::Internal
    })?;
    check(db, Some(page), &draft).await?;
    if !store::schedule(db, page, at, editor.id).await? {
        return Err(AppError::Conflict(Conflict::Stale));
    }
    tracing::info!(page = %page, %at, editor = %editor.id, "policy publication planned");
    Ok(())
}

pub async fn cancel_schedule(db: &Db, editor: &CurrentUser, page: PolicyPageId) -> Result<(), AppError> {
    if !store::cancel_schedule(db, page).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(page = %page, editor = %editor.id, "planned policy publication cancelled");
    Ok(())
}

/// Publishes every planned draft that is due, once each even when several instances run this
/// at the same moment. A draft that can no longer be published (its slug was taken, its date
/// falls before a version published meanwhile) loses its plan and stays a draft; the log says
/// why. Answers how many versions this call published.
pub async fn publish_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut published = 0;
    for (page, by, name) in store::due(&state.db, now).await? {
        match publish_draft(state, Publisher { id: by, name: &name }, page, now, Occasion::Planned).await {
            Ok(Some(_)) => published += 1,
            Ok(None) => {}
            Err(error @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound)) => {
                tracing::warn!(page = %page, ?error, "a planned policy publication could not be made; the draft stays");
                store::cancel_schedule(&state.db, page).await?;
            }
            Err(error) => return Err(error),
        }
    }
    Ok(published)
}

pub async fn unpublish(db: &Db, editor: &CurrentUser, page: PolicyPageId, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let done = store::unpublish(&mut tx, page, now).await?;
    tx.commit().await?;
    if !done {
        return Err(AppError::NotFound);
    }
    tracing::info!(page = %page, editor = %editor.id, "policy page unpublished");
    Ok(())
}

/// A title and body in the reader's language, or in the other one when it has none.
fn in_language(language: Language, zh: &str, en: Option<&str>) -> (String, bool) {
    match (language, en.and_then(non_empty)) {
        (Language::En, Some(en)) => (en.to_string(), false),
        (Language::En, None) => (zh.to_string(), true),
        _ => (zh.to_string(), false),
    }
}

pub(super) fn title_of(language: Language, zh: &str, en: Option<&str>) -> String {
    in_language(language, zh, en).0
}

/// Renders a version for a reader. `number` is `None` for the live version.
pub async fn view(
    db: &Db,
    reader: &CurrentUser,
    scope: &PolicyScope,
    addressed: &PolicyScope,
    language: Language,
    slug: &str,
    number: Option<i64>,
    today: NaiveDate,
) -> Result<PolicyView, AppError> {
    let page = store::visible_page(db, scope, slug).await?.ok_or(AppError::NotFound)?;
    let live = page.live_version.ok_or(AppError::NotFound)?;
    let v = store::version(db, page.id, number.unwrap_or(live)).await?.ok_or(AppError::NotFound)?;
    let (title, _) = in_language(language, &v.title_zh, v.title_en.as_deref());
    let (body, fallback) = in_language(language, &v.body_zh, v.body_en.as_deref());
    let rendered = markdown::render(&body);
    let superseded_by = match v.superseded_by {
        Some(other) => store::is_visible(db, scope, other)
            .await?
            .map(|row| (row.slug.clone(), title_of(language, &row.title_zh, row.title_en.as_deref()))),
        None => None,
    };
    let category = store::categories(db).await?.into_iter().find(|c| c.id == page.category_id);
    let ack = if v.requires_ack && v.number == live && store::visible_page(db, addressed, slug).await?.is_some() {
        match store::acknowledged_at(db, page.id, v.number, reader.id).await? {
            Some(at) => AckState::Given { at },
            None => AckState::Due { deadline: v.ack_deadline },
        }
    } else {
        AckState::NotAsked
    };
    Ok(PolicyView {
        slug: page.slug,
        title,
        html: rendered.html,
        toc: toc(rendered.toc),
        fallback,
        category,
        tags: split_tags(&v.tags),
        version: v.number,
        live_version: live,
        effective_on: v.effective_on,
        valid_until: v.valid_until,
        expired: v.valid_until.is_some_and(|until| until < today),
        superseded_by,
        published_at: v.published_at,
        ack,
        my_feedback: store::my_feedback(db, page.id, v.number, reader.id).await?,
        files: store::version_files(db, page.id, v.number).await?,
    })
}

/// Records whether a version helped its reader, once per reader and version.
pub async fn give_feedback(
    db: &Db,
    reader: &CurrentUser,
    scope: &PolicyScope,
    slug: &str,
    version: i64,
    helpful: bool,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let page = store::visible_page(db, scope, slug).await?.ok_or(AppError::NotFound)?;
    store::version(db, page.id, version).await?.ok_or(AppError::NotFound)?;
    let comment = comment.trim();
    if comment.chars().count() > super::MAX_FEEDBACK_CHARS {
        return Err(AppError::invalid(Field::Message, Problem::TooLong { max: super::MAX_FEEDBACK_CHARS as u32 }));
    }
    if comment.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(Field::Message, Problem::ControlCharacters));
    }
    let comment = Some(comment).filter(|c| !c.is_empty());
    if !store::give_feedback(db, page.id, version, reader.id, helpful, comment, now).await? {
        return Err(AppError::Conflict(Conflict::AlreadyAnswered));
    }
    Ok(())
}

/// The category tree and the published pages a reader may see, newest effective date first.
pub async fn browse(
    db: &Db,
    scope: &PolicyScope,
    language: Language,
    today: NaiveDate,
) -> Result<(Vec<PolicyCategory>, Vec<PolicySummary>), AppError> {
    let pages = store::visible_live(db, scope).await?.iter().map(|row| summary(row, language, today)).collect();
    Ok((store::categories(db).await?, pages))
}

/// A page's published versions, newest first, if the reader may see the page.
pub async fn history(db: &Db, scope: &PolicyScope, slug: &str) -> Result<Vec<VersionEntry>, AppError> {
    let page = store::visible_page(db, scope, slug).await?.ok_or(AppError::NotFound)?;
    Ok(store::history(db, page.id).await?)
}

/// What the editor chooses from: categories, active subsidiaries and tiers.
pub async fn editor_choices(db: &Db) -> Result<EditorChoices, AppError> {
    let orgs = orgs::list(db).await?.into_iter().filter(|o| o.kind == OrgKind::Subsidiary && o.active).collect();
    Ok(EditorChoices { categories: store::categories(db).await?, orgs, tiers: orgs::tiers(db).await? })
}

fn summary(row: &LiveRow, language: Language, today: NaiveDate) -> PolicySummary {
    PolicySummary {
        slug: row.slug.clone(),
        title: title_of(language, &row.title_zh, row.title_en.as_deref()),
        category_id: row.category_id,
        effective_on: row.effective_on,
        expired: row.valid_until.is_some_and(|until| until < today),
    }
}

/// The synonym sets, each the terms of one line separated by spaces, commas or `=`.
pub async fn synonym_sets(db: &Db) -> Result<Vec<Vec<String>>, AppError> {
    Ok(store::synonyms(db).await?.iter().map(|line| parse_synonym_set(line)).filter(|s| s.len() > 1).collect())
}

/// Replaces the editors' synonym list with `text`, one set per line (`报销 = 报账`). Every line
/// must name two terms or more; blank lines are skipped and repeated sets kept once. Queries
/// use the list as they run, so nothing needs indexing again.
pub async fn save_synonyms(db: &Db, editor: &CurrentUser, text: &str, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut sets: Vec<String> = Vec::new();
    for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let terms = parse_synonym_set(line);
        if terms.len() < 2 {
            return Err(AppError::invalid(Field::Synonyms, Problem::LoneTerm { line: number as u32 + 1 }));
        }
        if terms.iter().any(|t| t.chars().count() > super::MAX_TAG_CHARS) {
            return Err(AppError::invalid(Field::Synonyms, Problem::TooLong { max: super::MAX_TAG_CHARS as u32 }));
        }
        let set = terms.join(" ");
        if !sets.contains(&set) {
            sets.push(set);
        }
    }
    if sets.len() > super::MAX_SYNONYM_SETS {
        return Err(AppError::invalid(Field::Synonyms, Problem::TooMany));
    }
    let mut tx = db.begin_write().await?;
    store::replace_synonyms(&mut tx, &sets, editor.id, now).await?;
    tx.commit().await?;
    tracing::info!(sets = sets.len(), editor = %editor.id, "policy synonyms replaced");
    Ok(sets.len())
}

pub fn parse_synonym_set(line: &str) -> Vec<String> {
    let mut terms: Vec<String> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '=' | '、' | ';' | '；'))
        .map(super::search::normalize)
        .filter(|t| !t.is_empty())
        .collect();
    terms.dedup();
    terms
}

/// Finds the pages a reader may see that are in force today, best first: the whole query in
/// the title, then every term in the title, then anywhere; newer effective dates first within
/// each rank.
pub async fn search(
    db: &Db,
    scope: &PolicyScope,
    language: Language,
    text: &str,
    today: NaiveDate,
    limit: usize,
) -> Result<Vec<SearchHit>, AppError> {
    Ok(ranked_hits(db, scope, language, text, today, limit).await?.into_iter().map(|(_, hit)| hit).collect())
}

/// [`search`], each hit with its page.
async fn ranked_hits(
    db: &Db,
    scope: &PolicyScope,
    language: Language,
    text: &str,
    today: NaiveDate,
    limit: usize,
) -> Result<Vec<(PolicyPageId, SearchHit)>, AppError> {
    let synonyms = synonym_sets(db).await?;
    let Some(query) = Query::parse(text, &synonyms) else { return Ok(Vec::new()) };
    let limit = limit.min(SEARCH_LIMIT);
    let matches = store::matching_pages(db, scope, &query, today, limit).await?;
    let in_title: HashMap<PolicyPageId, bool> = matches.iter().map(|m| (m.page_id, m.in_title)).collect();
    let ids: Vec<PolicyPageId> = matches.iter().map(|m| m.page_id).collect();
    let rows = store::candidates(db, &ids).await?;
    let mut ranked: Vec<(Tier, &CandidateRow)> = rows
        .iter()
        .filter_map(|row| {
            if !in_title.get(&row.page_id).copied().unwrap_or(false) {
                return Some((Tier::Body, row));
            }
            let title = format!("{}\n{}", row.title_zh, row.title_en.as_deref().unwrap_or(""));
            query.tier(&title, true).map(|tier| (tier, row))
        })
        .collect();
    ranked.sort_by(|(a_tier, a), (b_tier, b)| {
        a_tier.cmp(b_tier).then(b.effective_on.cmp(&a.effective_on)).then(a.page_id.cmp(&b.page_id))
    });
    ranked.truncate(limit);
    let shown: Vec<PolicyPageId> = ranked.iter().map(|(_, row)| row.page_id).collect();
    let bodies: HashMap<PolicyPageId, (String, Option<String>)> =
        store::live_bodies(db, &shown).await?.into_iter().map(|(id, zh, en)| (id, (zh, en))).collect();
    Ok(ranked
        .into_iter()
        .map(|(_, row)| {
            let (zh, en) = bodies.get(&row.page_id).cloned().unwrap_or_default();
            let hit = SearchHit {
                slug: row.slug.clone(),
                title: title_of(language, &row.title_zh, row.title_en.as_deref()),
                version: row.number,
                category_id: row.category_id,
                effective_on: row.effective_on,
                snippet: snippet(&query, language, &zh, en.as_deref()),
            };
            (row.page_id, hit)
        })
        .collect())
}

/// Pages that may answer the question a client is typing as a request title: the search, at
/// most [`super::SUGGESTIONS`], within the client's audience. What was shown is recorded for
/// the form, so the request keeps it.
pub async fn suggest(
    db: &Db,
    reader: &CurrentUser,
    scope: &PolicyScope,
    form_key: &str,
    title: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<super::Suggestion>, AppError> {
    let form_key = crate::validation::form_key(form_key)?;
    if title.chars().count() > super::MAX_TITLE_CHARS {
        return Err(AppError::invalid(Field::Title, Problem::TooLong { max: super::MAX_TITLE_CHARS as u32 }));
    }
    let hits = ranked_hits(db, scope, reader.language, title, today, super::SUGGESTIONS).await?;
    let shown: Vec<(PolicyPageId, i64)> = hits.iter().map(|(page, hit)| (*page, hit.version)).collect();
    store::record_suggestions(db, reader.id, form_key, &shown, now).await?;
    Ok(hits.into_iter().map(|(_, hit)| super::Suggestion { slug: hit.slug, title: hit.title, version: hit.version }).collect())
}

/// Records that the client opened a page their form suggested.
pub async fn opened_suggestion(
    db: &Db,
    reader: &CurrentUser,
    scope: &PolicyScope,
    form_key: &str,
    slug: &str,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let form_key = crate::validation::form_key(form_key)?;
    let page = store::visible_page(db, scope, slug).await?.ok_or(AppError::NotFound)?;
    if !store::mark_opened(db, reader.id, form_key, page.id, version, now).await? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The policy versions a request's form showed its client before submission.
pub async fn seen_before_submitting(db: &Db, request: crate::kernel::RequestId, language: Language) -> Result<Vec<super::SeenPolicy>, AppError> {
    Ok(store::seen_with_request(db, request.0)
        .await?
        .into_iter()
        .map(|row| super::SeenPolicy {
            title: title_of(language, &row.title_zh, row.title_en.as_deref()),
            slug: row.slug,
            version: row.version,
            opened_at: row.opened_at,
        })
        .collect())
}

/// How often the new-request form suggested a page, and what came of it.
pub async fn suggestion_counts(db: &Db, page: PolicyPageId, now: DateTime<Utc>) -> Result<super::SuggestionCounts, AppError> {
    Ok(store::suggestion_counts(db, page, now - chrono::Duration::hours(super::DEFLECTED_AFTER_HOURS)).await?)
}

/// The words around the match, from the reader's language if the match is there.
fn snippet(query: &Query, language: Language, zh: &str, en: Option<&str>) -> Vec<super::search::Piece> {
    let (body, _) = in_language(language, zh, en);
    let first = query.snippet(&markdown::plain_text(&body), SNIPPET_CHARS);
    if first.iter().any(|p| p.hit) {
        return first;
    }
    let other = if body == zh { en.unwrap_or("") } else { zh };
    let second = query.snippet(&markdown::plain_text(other), SNIPPET_CHARS);
    if second.iter().any(|p| p.hit) { second } else { first }
}

/// Renders an editor's Markdown exactly as a reader will see it.
pub fn preview(body: &str) -> Result<(String, Vec<TocEntry>), AppError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(AppError::invalid(Field::Body, Problem::TooBig { max_kib: (MAX_BODY_BYTES / 1024) as u32 }));
    }
    let rendered = markdown::render(body);
    Ok((rendered.html, toc(rendered.toc)))
}

fn toc(headings: Vec<markdown::Heading>) -> Vec<TocEntry> {
    headings.into_iter().map(|h| TocEntry { level: h.level, id: h.id, text: h.text }).collect()
}

/// Records that the reader has read the live version `version`, which must ask them to.
/// Confirming twice is harmless.
pub async fn acknowledge(
    db: &Db,
    reader: &CurrentUser,
    scope: &PolicyScope,
    addressed: &PolicyScope,
    slug: &str,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let page = store::visible_page(db, scope, slug).await?.ok_or(AppError::NotFound)?;
    let v = store::version(db, page.id, version).await?.ok_or(AppError::NotFound)?;
    let asked = v.requires_ack && Some(version) == page.live_version && store::visible_page(db, addressed, slug).await?.is_some();
    if !asked {
        return Err(AppError::Conflict(Conflict::NotAskedToAcknowledge));
    }
    if store::acknowledge(db, page.id, version, reader.id, now).await? {
        tracing::info!(page = %page.id, version, reader = %reader.id, "policy version acknowledged");
    }
    Ok(())
}

/// The versions the reader has still to confirm, nearest deadline first.
pub async fn pending_acks(
    db: &Db,
    reader: &CurrentUser,
    addressed: &PolicyScope,
    language: Language,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Vec<PendingAck>, AppError> {
    Ok(store::pending_acks(db, addressed, reader.id, today)
        .await?
        .into_iter()
        .map(|row| PendingAck {
            title: title_of(language, &row.title_zh, row.title_en.as_deref()),
            slug: row.slug,
            version: row.number,
            overdue: row.ack_deadline.is_some_and(|deadline| deadline < now),
            deadline: row.ack_deadline,
        })
        .collect())
}

/// Who of the live version's audience has confirmed it; `None` when it asks nobody to.
pub async fn ack_report(db: &Db, page: PolicyPageId, now: DateTime<Utc>) -> Result<Option<AckReport>, AppError> {
    let record = store::page(db, page).await?.ok_or(AppError::NotFound)?;
    let Some(number) = record.live_version else { return Ok(None) };
    let v = store::version(db, page, number).await?.ok_or(AppError::NotFound)?;
    if !v.requires_ack {
        return Ok(None);
    }
    Ok(Some(AckReport {
        version: number,
        title: v.title_zh,
        deadline: v.ack_deadline,
        deadline_passed: v.ack_deadline.is_some_and(|deadline| deadline < now),
        rows: store::ack_report(db, page, number).await?,
    }))
}

/// The report as CSV for Excel: a UTF-8 byte order mark (without it Excel reads Chinese as
/// mojibake), CRLF lines, times in `zone`.
pub fn ack_csv(report: &AckReport, language: Language, zone: &str) -> String {
    use leptos_i18n::td_string;
    let locale = language.locale();
    let header = [
        td_string!(locale, policies.csv_organisation),
        td_string!(locale, policies.csv_name),
        td_string!(locale, policies.csv_email),
        td_string!(locale, policies.csv_acknowledged),
        td_string!(locale, policies.csv_acknowledged_at),
    ];
    let (yes, no) = (td_string!(locale, common.yes), td_string!(locale, common.no));
    let mut csv = crate::spreadsheet::Csv::default();
    csv.line(&header);
    for row in &report.rows {
        let at = row.acknowledged_at.map(|at| crate::time::format_datetime(at, zone, language)).unwrap_or_default();
        csv.line(&[row.organisation.as_str(), &row.name, &row.email, if row.acknowledged_at.is_some() { yes } else { no }, &at]);
    }
    csv.finish()
}

/// Two versions of a page the reader may see, compared line by line, title first. The text is
/// the reader's language when both versions have it, else Chinese.
pub async fn compare(
    db: &Db,
    scope: &PolicyScope,
    language: Language,
    slug: &str,
    from: i64,
    to: i64,
) -> Result<VersionDiff, AppError> {
    let page = store::visible_page(db, scope, slug).await?.ok_or(AppError::NotFound)?;
    let old = store::version(db, page.id, from).await?.ok_or(AppError::NotFound)?;
    let new = store::version(db, page.id, to).await?.ok_or(AppError::NotFound)?;
    let english = language == Language::En && old.body_en.is_some() && new.body_en.is_some();
    let text = |v: &store::VersionRecord| match (english, &v.title_en, &v.body_en) {
        (true, Some(title), Some(body)) => format!("# {title}\n\n{body}"),
        _ => format!("# {}\n\n{}", v.title_zh, v.body_zh),
    };
    Ok(VersionDiff {
        slug: page.slug,
        title: title_of(language, &new.title_zh, new.title_en.as_deref()),
        from,
        to,
        versions: store::history(db, page.id).await?.into_iter().map(|v| v.number).collect(),
        lines: super::diff::compare(&text(&old), &text(&new)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_opens_in_excel_with_chinese_intact() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T02:30:00Z").map(|t| t.with_timezone(&Utc)).ok();
        let report = AckReport {
            version: 2,
            title: "员工差旅费用报销标准".into(),
            deadline: None,
            deadline_passed: false,
            rows: vec![
                super::super::AckRow { organisation: "华东制造".into(), name: "李娜".into(), email: "li@example.cn".into(), acknowledged_at: at },
                super::super::AckRow { organisation: "华东制造".into(), name: "王芳".into(), email: "wang@example.cn".into(), acknowledged_at: None },
            ],
        };
        let csv = ack_csv(&report, Language::ZhCn, "Asia/Shanghai");
        assert!(csv.starts_with('\u{feff}'), "a byte order mark first");
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "组织,姓名,邮箱,是否已确认,确认时间");
        assert_eq!(lines[1], "华东制造,李娜,li@example.cn,是,2026-12-01 10:30");
        assert_eq!(lines[2], "华东制造,王芳,wang@example.cn,否,");
    }
}
