//! The policy column's SQL.
//!
//! Every read for a reader takes the reader's [`PolicyScope`]; the audience test is part of the
//! statement, so no caller can forget it.

use crate::{
    kernel::{PolicyCategoryId, PolicyPageId, Slug},
    policies::{
        AckRow, Audience, EditorPage, FeedbackSummary, PolicyCategory, SuggestionCounts,
        VersionEntry,
    },
};
use super::PolicyFile;
use super::search::Query;
use crate::{
    authz::PolicyScope,
    db::{Backend, Db, Tx},
    kernel::{AttachmentId, OrgId, TierId, UserId},
    with_db,
    with_tx,
};
use chrono::{DateTime, NaiveDate, Utc};

/// Index rows written per statement: 3 parameters each keeps far below both engines' limits.
const TERMS_PER_STATEMENT: usize = 500;

/// The text of an SQL `IN (…)` list of the server's own ids; `NULL` (matching nothing) when
/// there are none.
fn in_list(ids: impl Iterator<Item = i64>) -> String {
    let text = ids.map(|id| id.to_string()).collect::<Vec<_>>().join(",");
    if text.is_empty() { "NULL".into() } else { text }
}

/// The audience test on a page aliased `p`. Organisation ids are the server's own integers,
/// never text from the client, so they are written into the statement.
fn visible(scope: &PolicyScope) -> String {
    if scope.everything {
        return "TRUE".into();
    }
    if scope.orgs.is_empty() {
        return "p.for_everyone".into();
    }
    let ids = in_list(scope.orgs.iter().map(|o| o.0));
    format!(
        "(p.for_everyone OR EXISTS (SELECT 1 FROM policy_audience a WHERE a.page_id = p.id AND \
         (a.org_id IN ({ids}) OR a.tier_id IN (SELECT o.tier_id FROM organisations o \
         WHERE o.id IN ({ids}) AND o.tier_id IS NOT NULL))))"
    )
}

pub async fn categories(db: &Db) -> Result<Vec<PolicyCategory>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, PolicyCategory>(
        "SELECT id, parent_id, code, name_zh, name_en FROM policy_categories ORDER BY position, id",
    ).fetch_all(pool).await)
}

/// Adds a category, or finds the one with this code.
pub async fn ensure_category(
    db: &Db,
    parent: Option<PolicyCategoryId>,
    code: &str,
    name_zh: &str,
    name_en: &str,
    position: i64,
) -> Result<PolicyCategoryId, sqlx::Error> {
    with_db!(db, pool => async {
        sqlx::query(
            "INSERT INTO policy_categories (parent_id, code, name_zh, name_en, position) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING",
        )
        .bind(parent).bind(code).bind(name_zh).bind(name_en).bind(position)
        .execute(pool).await?;
        sqlx::query_scalar::<_, PolicyCategoryId>("SELECT id FROM policy_categories WHERE code = $1")
            .bind(code).fetch_one(pool).await
    }.await)
}

/// How many of `orgs` and of `tiers` exist, to refuse an audience naming unknown ones.
pub async fn known_audience(db: &Db, orgs: &[OrgId], tiers: &[TierId]) -> Result<(usize, usize), sqlx::Error> {
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM organisations WHERE id IN ({})), (SELECT COUNT(*) FROM tiers WHERE id IN ({}))",
        in_list(orgs.iter().map(|o| o.0)),
        in_list(tiers.iter().map(|t| t.0)),
    );
    let (o, t) = with_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(&sql).fetch_one(pool).await)?;
    Ok((o as usize, t as usize))
}

/// Creates a page holding only a draft. `None` when the slug is taken.
pub async fn create_page(
    tx: &mut Tx,
    slug: &Slug,
    category: PolicyCategoryId,
    draft: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Option<PolicyPageId>, sqlx::Error> {
    with_tx!(tx, conn => sqlx::query_scalar::<_, PolicyPageId>(
        "INSERT INTO policy_pages (slug, category_id, for_everyone, live_version, draft, created_by, created_at, updated_at) \
         VALUES ($1, $2, TRUE, NULL, $3, $4, $5, $5) ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(slug.as_str()).bind(category).bind(draft).bind(by).bind(now)
    .fetch_optional(&mut *conn).await)
}

/// Replaces a page's draft. The slug and category change only when a version is published.
pub async fn save_draft(tx: &mut Tx, page: PolicyPageId, draft: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let changed = with_tx!(tx, conn => sqlx::query("UPDATE policy_pages SET draft = $1, updated_at = $2 WHERE id = $3")
        .bind(draft).bind(now).bind(page).execute(&mut *conn).await.map(|done| done.rows_affected()))?;
    Ok(changed == 1)
}

/// Makes staged uploads the page's own; files it already holds stay as they are.
pub async fn claim_files(tx: &mut Tx, page: PolicyPageId, files: &[AttachmentId]) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => {
        for file in files {
            sqlx::query("INSERT INTO policy_files (attachment_id, page_id) VALUES ($1, $2) ON CONFLICT (attachment_id) DO NOTHING")
                .bind(*file).bind(page).execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// The files a page holds, in its drafts and versions.
pub async fn page_files(db: &Db, page: PolicyPageId) -> Result<Vec<PolicyFile>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, PolicyFile>(
        "SELECT a.id, a.file_name, a.size_bytes FROM policy_files f JOIN attachments a ON a.id = f.attachment_id \
         WHERE f.page_id = $1 ORDER BY a.id",
    ).bind(page).fetch_all(pool).await)
}

/// Whether a published page `scope` may see carries the file in one of its versions.
pub async fn file_readable(db: &Db, scope: &PolicyScope, file: AttachmentId) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*) FROM policy_version_files f JOIN policy_pages p ON p.id = f.page_id \
         WHERE f.attachment_id = $1 AND p.live_version IS NOT NULL AND {}",
        visible(scope)
    );
    let found = with_db!(db, pool => sqlx::query_scalar::<_, i64>(&sql).bind(file).fetch_one(pool).await)?;
    Ok(found > 0)
}

/// The files of one version, in order.
pub async fn version_files(db: &Db, page: PolicyPageId, number: i64) -> Result<Vec<PolicyFile>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, PolicyFile>(
        "SELECT a.id, a.file_name, a.size_bytes FROM policy_version_files f JOIN attachments a ON a.id = f.attachment_id \
         WHERE f.page_id = $1 AND f.number = $2 ORDER BY f.seq",
    ).bind(page).bind(number).fetch_all(pool).await)
}

/// The policy pages of `pages` that `scope` may see, in their live versions in force on
/// `today`: what a request type's links lead to.
pub async fn linked_versions(
    db: &Db,
    scope: &PolicyScope,
    pages: &[PolicyPageId],
    today: NaiveDate,
) -> Result<Vec<LinkRow>, sqlx::Error> {
    let sql = format!(
        "SELECT p.id AS page_id, p.slug, v.title_zh, v.title_en, v.number FROM policy_pages p \
         JOIN policy_versions v ON v.page_id = p.id AND v.number = p.live_version \
         WHERE p.id IN ({}) AND (v.valid_until IS NULL OR v.valid_until >= $1) AND {} ORDER BY p.id",
        in_list(pages.iter().map(|p| p.0)),
        visible(scope)
    );
    with_db!(db, pool => sqlx::query_as::<_, LinkRow>(&sql).bind(today).fetch_all(pool).await)
}

/// A policy version a request type led to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub page_id: PolicyPageId,
    pub slug: String,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub number: i64,
}

/// The policy versions recorded with a request at submission.
pub async fn request_versions(db: &Db, request: i64) -> Result<Vec<LinkRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, LinkRow>(
        "SELECT p.id AS page_id, p.slug, v.title_zh, v.title_en, v.number FROM request_policy_versions r \
         JOIN policy_pages p ON p.id = r.page_id JOIN policy_versions v ON v.page_id = r.page_id AND v.number = r.version \
         WHERE r.request_id = $1 ORDER BY p.id",
    ).bind(request).fetch_all(pool).await)
}

/// A page as its editor works on it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PageRecord {
    pub id: PolicyPageId,
    pub slug: String,
    pub category_id: PolicyCategoryId,
    pub live_version: Option<i64>,
    pub draft: Option<String>,
}

pub async fn page(db: &Db, id: PolicyPageId) -> Result<Option<PageRecord>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, PageRecord>(
        "SELECT id, slug, category_id, live_version, draft FROM policy_pages WHERE id = $1",
    ).bind(id).fetch_optional(pool).await)
}

/// The page with this slug, if `scope` may see it and it is published.
pub async fn visible_page(db: &Db, scope: &PolicyScope, slug: &str) -> Result<Option<PageRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT p.id, p.slug, p.category_id, p.live_version, NULL AS draft FROM policy_pages p \
         WHERE p.slug = $1 AND p.live_version IS NOT NULL AND {}",
        visible(scope)
    );
    with_db!(db, pool => sqlx::query_as::<_, PageRecord>(&sql).bind(slug).fetch_optional(pool).await)
}

pub async fn page_id_by_slug(db: &Db, slug: &str) -> Result<Option<PolicyPageId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, PolicyPageId>("SELECT id FROM policy_pages WHERE slug = $1")
        .bind(slug).fetch_optional(pool).await)
}

/// Every page, for the editors' list.
pub async fn editor_pages(db: &Db) -> Result<Vec<EditorPage>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: PolicyPageId,
        slug: String,
        title: Option<String>,
        live_version: Option<i64>,
        has_draft: bool,
        publish_at: Option<DateTime<Utc>>,
        updated_at: DateTime<Utc>,
    }
    let rows = with_db!(db, pool => sqlx::query_as::<_, Row>(
        "SELECT p.id, p.slug, v.title_zh AS title, p.live_version, p.draft IS NOT NULL AS has_draft, p.publish_at, p.updated_at \
         FROM policy_pages p LEFT JOIN policy_versions v ON v.page_id = p.id AND v.number = p.live_version \
         ORDER BY p.updated_at DESC, p.id DESC",
    ).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|r| EditorPage {
            id: r.id,
            title: r.title.unwrap_or_else(|| r.slug.clone()),
            slug: r.slug,
            live_version: r.live_version,
            has_draft: r.has_draft,
            publish_at: r.publish_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// One published version, whole.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRecord {
    pub page_id: PolicyPageId,
    pub number: i64,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub body_zh: String,
    pub body_en: Option<String>,
    pub tags: String,
    pub effective_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub superseded_by: Option<PolicyPageId>,
    pub requires_ack: bool,
    pub ack_deadline: Option<DateTime<Utc>>,
    pub published_at: DateTime<Utc>,
}

const VERSION_COLUMNS: &str = "page_id, number, title_zh, title_en, body_zh, body_en, tags, effective_on, \
     valid_until, superseded_by, requires_ack, ack_deadline, published_at";

pub async fn version(db: &Db, page: PolicyPageId, number: i64) -> Result<Option<VersionRecord>, sqlx::Error> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM policy_versions WHERE page_id = $1 AND number = $2");
    with_db!(db, pool => sqlx::query_as::<_, VersionRecord>(&sql).bind(page).bind(number).fetch_optional(pool).await)
}

/// A search candidate: its page and its live version's titles.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateRow {
    pub page_id: PolicyPageId,
    pub number: i64,
    pub slug: String,
    pub category_id: PolicyCategoryId,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub effective_on: NaiveDate,
}

fn id_list(pages: &[PolicyPageId]) -> String {
    in_list(pages.iter().map(|p| p.0))
}

/// The titles of these pages' live versions; ranking needs no more.
pub async fn candidates(db: &Db, pages: &[PolicyPageId]) -> Result<Vec<CandidateRow>, sqlx::Error> {
    if pages.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT p.id AS page_id, v.number, p.slug, p.category_id, v.title_zh, v.title_en, v.effective_on \
         FROM policy_pages p JOIN policy_versions v ON v.page_id = p.id AND v.number = p.live_version \
         WHERE p.id IN ({})",
        id_list(pages)
    );
    with_db!(db, pool => sqlx::query_as::<_, CandidateRow>(&sql).fetch_all(pool).await)
}

/// The bodies of these pages' live versions, for the results shown.
pub async fn live_bodies(db: &Db, pages: &[PolicyPageId]) -> Result<Vec<(PolicyPageId, String, Option<String>)>, sqlx::Error> {
    if pages.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT p.id, v.body_zh, v.body_en FROM policy_pages p \
         JOIN policy_versions v ON v.page_id = p.id AND v.number = p.live_version WHERE p.id IN ({})",
        id_list(pages)
    );
    with_db!(db, pool => sqlx::query_as::<_, (PolicyPageId, String, Option<String>)>(&sql).fetch_all(pool).await)
}

/// Who may read a page, as its editor set it.
pub async fn audience(db: &Db, page: PolicyPageId) -> Result<Audience, sqlx::Error> {
    let everyone = with_db!(db, pool => sqlx::query_scalar::<_, bool>("SELECT for_everyone FROM policy_pages WHERE id = $1")
        .bind(page).fetch_one(pool).await)?;
    if everyone {
        return Ok(Audience::Everyone);
    }
    let rows = with_db!(db, pool => sqlx::query_as::<_, (Option<OrgId>, Option<TierId>)>(
        "SELECT org_id, tier_id FROM policy_audience WHERE page_id = $1 ORDER BY org_id, tier_id",
    ).bind(page).fetch_all(pool).await)?;
    Ok(Audience::Chosen {
        orgs: rows.iter().filter_map(|(o, _)| *o).collect(),
        tiers: rows.iter().filter_map(|(_, t)| *t).collect(),
    })
}

pub async fn history(db: &Db, page: PolicyPageId) -> Result<Vec<VersionEntry>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, VersionEntry>(
        "SELECT v.number, v.effective_on, v.published_at, u.display_name AS published_by \
         FROM policy_versions v JOIN users u ON u.id = v.published_by WHERE v.page_id = $1 ORDER BY v.number DESC",
    ).bind(page).fetch_all(pool).await)
}

/// A published page as a line of the reader's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveRow {
    pub page_id: PolicyPageId,
    pub slug: String,
    pub category_id: PolicyCategoryId,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub effective_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// Published pages with their live version's titles and dates, as [`LiveRow`]s.
const LIVE_ROWS: &str = "SELECT p.id AS page_id, p.slug, p.category_id, v.title_zh, v.title_en, v.effective_on, \
     v.valid_until FROM policy_pages p JOIN policy_versions v ON v.page_id = p.id AND v.number = p.live_version";

/// Every published page `scope` may see, newest effective date first.
pub async fn visible_live(db: &Db, scope: &PolicyScope) -> Result<Vec<LiveRow>, sqlx::Error> {
    let sql = format!("{LIVE_ROWS} WHERE {} ORDER BY v.effective_on DESC, p.id DESC", visible(scope));
    with_db!(db, pool => sqlx::query_as::<_, LiveRow>(&sql).fetch_all(pool).await)
}

/// Whether `scope` may see the published page `page` (for links between pages).
pub async fn is_visible(db: &Db, scope: &PolicyScope, page: PolicyPageId) -> Result<Option<LiveRow>, sqlx::Error> {
    let sql = format!("{LIVE_ROWS} WHERE p.id = $1 AND {}", visible(scope));
    with_db!(db, pool => sqlx::query_as::<_, LiveRow>(&sql).bind(page).fetch_optional(pool).await)
}

/// A page whose live version satisfies a query, before ranking by title.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MatchRow {
    pub page_id: PolicyPageId,
    /// Whether the title's own terms satisfy the query.
    pub in_title: bool,
    pub effective_on: NaiveDate,
}

/// Query terms per presence mask: bits 2^0..2^30 keep each mask's sum an `integer` sum, which
/// PostgreSQL answers as `bigint`, so masks compare with `&` on both databases.
const TERMS_PER_MASK: usize = 31;

/// The pages `scope` may see, in force on `today`, whose live version satisfies `query`: every
/// group has an alternative whose terms are all in the page's index rows. Answers every page
/// whose title alone satisfies it (their order needs the titles) and, after them, the newest
/// others up to `limit` rows in all.
///
/// The database does the grouping: each index row of a query term adds its term's bit to the
/// page's title mask or body mask (a term has at most one row per field, so the sums are bit
/// sets), and an alternative holds when its bits are all set. So the work is one pass over the
/// terms' index rows with two sums per page, and the answer is no longer than asked, however
/// many pages hold the query's characters.
pub async fn matching_pages(
    db: &Db,
    scope: &PolicyScope,
    query: &Query,
    today: NaiveDate,
    limit: usize,
) -> Result<Vec<MatchRow>, sqlx::Error> {
    let terms = query.all_terms();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let masks = terms.len().div_ceil(TERMS_PER_MASK);
    // $1 is today; term i is ${i + 2}, bit i % 31 of mask i / 31.
    let slot = |i: usize| (i / TERMS_PER_MASK, 1_i64 << (i % TERMS_PER_MASK));
    let values = (0..terms.len())
        .map(|i| {
            let (mask, bit) = slot(i);
            format!("(${}, {mask}, {bit})", i + 2)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sums = (0..masks)
        .map(|k| {
            format!(
                "SUM(CASE WHEN q.mask = {k} AND t.field = 'b' THEN q.bit ELSE 0 END) AS body{k}, \
                 SUM(CASE WHEN q.mask = {k} AND t.field = 't' THEN q.bit ELSE 0 END) AS title{k}"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let satisfied = |in_title: bool| {
        let groups = query.groups().iter().map(|group| {
            let alternatives = group.alternatives().iter().map(|alternative| {
                let mut wanted = vec![0_i64; masks];
                for term in alternative.required_terms() {
                    if let Some(i) = terms.iter().position(|t| *t == term) {
                        let (mask, bit) = slot(i);
                        wanted[mask] |= bit;
                    }
                }
                let held = wanted
                    .iter()
                    .enumerate()
                    .filter(|(_, bits)| **bits != 0)
                    .map(|(k, bits)| {
                        let held = if in_title { format!("m.title{k}") } else { format!("(m.title{k} | m.body{k})") };
                        format!("({held} & {bits}) = {bits}")
                    });
                format!("({})", held.collect::<Vec<_>>().join(" AND "))
            });
            format!("({})", alternatives.collect::<Vec<_>>().join(" OR "))
        });
        groups.collect::<Vec<_>>().join(" AND ")
    };
    // SQLite would take the version through its unique (page_id, number) index and read the
    // row, whose dates sit behind the body on overflow pages: three times slower on a large
    // column. The dates index answers alone.
    let versions = match db.backend() {
        Backend::Sqlite => "policy_versions v INDEXED BY policy_versions_dates",
        Backend::Postgres => "policy_versions v",
    };
    let sql = format!(
        "WITH q (term, mask, bit) AS (VALUES {values}), \
         m AS (SELECT t.page_id, {sums} FROM q JOIN policy_terms t ON t.term = q.term GROUP BY t.page_id), \
         ranked AS (SELECT m.page_id, ({in_title}) AS in_title, v.effective_on, \
           ROW_NUMBER() OVER (ORDER BY ({in_title}) DESC, v.effective_on DESC, m.page_id) AS place \
           FROM m JOIN policy_pages p ON p.id = m.page_id \
           JOIN {versions} ON v.page_id = p.id AND v.number = p.live_version \
           WHERE {all} AND (v.valid_until IS NULL OR v.valid_until >= $1) AND {visible}) \
         SELECT page_id, in_title, effective_on FROM ranked WHERE in_title OR place <= {limit} ORDER BY place",
        in_title = satisfied(true),
        all = satisfied(false),
        visible = visible(scope),
    );
    with_db!(db, pool => {
        let mut statement = sqlx::query_as::<_, MatchRow>(&sql).bind(today);
        for term in &terms {
            statement = statement.bind(term);
        }
        statement.fetch_all(pool).await
    })
}

pub async fn synonyms(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, String>("SELECT terms FROM policy_synonyms ORDER BY id")
        .fetch_all(pool).await)
}

/// Replaces the synonym list in one transaction.
pub async fn replace_synonyms(tx: &mut Tx, sets: &[String], by: UserId, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_tx!(tx, conn => {
        sqlx::query("DELETE FROM policy_synonyms").execute(&mut *conn).await?;
        for set in sets {
            sqlx::query("INSERT INTO policy_synonyms (terms, updated_by, updated_at) VALUES ($1, $2, $3)")
                .bind(set).bind(by).bind(now).execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// The active people a page is for, but `except` (who publishes it), to tell them of it.
pub async fn audience_members(db: &Db, audience: &Audience, except: UserId) -> Result<Vec<UserId>, sqlx::Error> {
    let reach = match audience {
        Audience::Everyone => "TRUE".to_string(),
        Audience::Chosen { orgs, tiers } => {
            format!("(o.id IN ({}) OR o.tier_id IN ({}))", in_list(orgs.iter().map(|o| o.0)), in_list(tiers.iter().map(|t| t.0)))
        }
    };
    let sql = format!(
        "SELECT DISTINCT u.id FROM users u JOIN memberships m ON m.user_id = u.id \
         JOIN organisations o ON o.id = m.org_id WHERE u.active = TRUE AND u.id <> $1 AND {reach} ORDER BY u.id"
    );
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>(&sql).bind(except).fetch_all(pool).await)
}

/// What publishing writes: the version, and the page's new shape.
pub struct Publication<'a> {
    pub page: PolicyPageId,
    pub slug: &'a Slug,
    pub category: PolicyCategoryId,
    pub title_zh: &'a str,
    pub title_en: Option<&'a str>,
    pub body_zh: &'a str,
    pub body_en: Option<&'a str>,
    pub tags: &'a str,
    pub effective_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub superseded_by: Option<PolicyPageId>,
    pub requires_ack: bool,
    pub ack_deadline: Option<DateTime<Utc>>,
    pub audience: &'a Audience,
    /// (term, 't' or 'b') rows of the search index.
    pub terms: &'a [(String, &'static str)],
    /// The version's files, claimed by the page, in order.
    pub files: &'a [AttachmentId],
    pub by: UserId,
    pub now: DateTime<Utc>,
}

/// The page's current live version and its effective date, read inside the publishing
/// transaction so two editors publishing at once cannot both pass the date check.
pub async fn live_in_tx(tx: &mut Tx, page: PolicyPageId) -> Result<Option<(Option<i64>, Option<NaiveDate>)>, sqlx::Error> {
    with_tx!(tx, conn => sqlx::query_as::<_, (Option<i64>, Option<NaiveDate>)>(
        "SELECT p.live_version, v.effective_on FROM policy_pages p \
         LEFT JOIN policy_versions v ON v.page_id = p.id AND v.number = p.live_version WHERE p.id = $1",
    ).bind(page).fetch_optional(&mut *conn).await)
}

/// Writes a new version and makes it live, with its audience and search index; answers its
/// number. `None` when another page took the slug meanwhile.
pub async fn publish(tx: &mut Tx, p: &Publication<'_>) -> Result<Option<i64>, sqlx::Error> {
    let (everyone, orgs, tiers) = match p.audience {
        Audience::Everyone => (true, &[][..], &[][..]),
        Audience::Chosen { orgs, tiers } => (false, orgs.as_slice(), tiers.as_slice()),
    };
    with_tx!(tx, conn => {
        let taken = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM policy_pages WHERE slug = $1 AND id <> $2")
            .bind(p.slug.as_str()).bind(p.page).fetch_one(&mut *conn).await?;
        if taken > 0 {
            return Ok(None);
        }
        let number = sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM policy_versions WHERE page_id = $1",
        ).bind(p.page).fetch_one(&mut *conn).await?;
        sqlx::query(
            "INSERT INTO policy_versions (page_id, number, title_zh, title_en, body_zh, body_en, tags, effective_on, \
             valid_until, superseded_by, requires_ack, ack_deadline, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(p.page).bind(number).bind(p.title_zh).bind(p.title_en).bind(p.body_zh).bind(p.body_en).bind(p.tags)
        .bind(p.effective_on).bind(p.valid_until).bind(p.superseded_by).bind(p.requires_ack).bind(p.ack_deadline)
        .bind(p.by).bind(p.now)
        .execute(&mut *conn).await?;
        sqlx::query(
            "UPDATE policy_pages SET slug = $1, category_id = $2, for_everyone = $3, live_version = $4, draft = NULL, \
             publish_at = NULL, scheduled_by = NULL, updated_at = $5 WHERE id = $6",
        )
        .bind(p.slug.as_str()).bind(p.category).bind(everyone).bind(number).bind(p.now).bind(p.page)
        .execute(&mut *conn).await?;
        for (seq, file) in p.files.iter().enumerate() {
            sqlx::query("INSERT INTO policy_version_files (page_id, number, seq, attachment_id) VALUES ($1, $2, $3, $4)")
                .bind(p.page).bind(number).bind(seq as i64).bind(*file).execute(&mut *conn).await?;
        }
        sqlx::query("DELETE FROM policy_audience WHERE page_id = $1").bind(p.page).execute(&mut *conn).await?;
        for org in orgs {
            sqlx::query("INSERT INTO policy_audience (page_id, org_id, tier_id) VALUES ($1, $2, NULL)")
                .bind(p.page).bind(org).execute(&mut *conn).await?;
        }
        for tier in tiers {
            sqlx::query("INSERT INTO policy_audience (page_id, org_id, tier_id) VALUES ($1, NULL, $2)")
                .bind(p.page).bind(tier).execute(&mut *conn).await?;
        }
        sqlx::query("DELETE FROM policy_terms WHERE page_id = $1").bind(p.page).execute(&mut *conn).await?;
        for chunk in p.terms.chunks(TERMS_PER_STATEMENT) {
            let values = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!("INSERT INTO policy_terms (term, field, page_id) VALUES {values}");
            let mut insert = sqlx::query(&sql);
            for (term, field) in chunk {
                insert = insert.bind(term).bind(*field).bind(p.page);
            }
            insert.execute(&mut *conn).await?;
        }
        Ok(Some(number))
    })
}

/// Takes a page out of reading and search; its versions stay for the record. `false` when it
/// was not published.
pub async fn unpublish(tx: &mut Tx, page: PolicyPageId, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    with_tx!(tx, conn => {
        let done = sqlx::query(
            "UPDATE policy_pages SET live_version = NULL, updated_at = $1 WHERE id = $2 AND live_version IS NOT NULL",
        ).bind(now).bind(page).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM policy_terms WHERE page_id = $1").bind(page).execute(&mut *conn).await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Records a reader's answer for one version; `false` when they had already answered it.
pub async fn give_feedback(
    db: &Db,
    page: PolicyPageId,
    version: i64,
    user: UserId,
    helpful: bool,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let added = with_db!(db, pool => sqlx::query(
        "INSERT INTO policy_feedback (page_id, version, user_id, helpful, comment, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (page_id, version, user_id) DO NOTHING",
    )
    .bind(page).bind(version).bind(user).bind(helpful).bind(comment).bind(now)
    .execute(pool).await.map(|done| done.rows_affected()))?;
    Ok(added == 1)
}

pub async fn my_feedback(db: &Db, page: PolicyPageId, version: i64, user: UserId) -> Result<Option<bool>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, bool>(
        "SELECT helpful FROM policy_feedback WHERE page_id = $1 AND version = $2 AND user_id = $3",
    ).bind(page).bind(version).bind(user).fetch_optional(pool).await)
}

/// Every answer to a page, newest version first, for its editors.
pub async fn feedback(db: &Db, page: PolicyPageId) -> Result<Vec<FeedbackSummary>, sqlx::Error> {
    let rows = with_db!(db, pool => sqlx::query_as::<_, (i64, bool, Option<String>, DateTime<Utc>)>(
        "SELECT version, helpful, comment, created_at FROM policy_feedback WHERE page_id = $1 \
         ORDER BY version DESC, created_at DESC",
    ).bind(page).fetch_all(pool).await)?;
    let mut summaries: Vec<FeedbackSummary> = Vec::new();
    for (version, helpful, comment, at) in rows {
        if summaries.last().is_none_or(|s| s.version != version) {
            summaries.push(FeedbackSummary { version, helpful: 0, not_helpful: 0, comments: Vec::new() });
        }
        if let Some(summary) = summaries.last_mut() {
            if helpful { summary.helpful += 1 } else { summary.not_helpful += 1 }
            if let Some(text) = comment {
                summary.comments.push((helpful, text, at));
            }
        }
    }
    Ok(summaries)
}

/// Plans the draft's publication at `at`; `false` when the page has no draft.
pub async fn schedule(db: &Db, page: PolicyPageId, at: DateTime<Utc>, by: UserId) -> Result<bool, sqlx::Error> {
    let changed = with_db!(db, pool => sqlx::query(
        "UPDATE policy_pages SET publish_at = $1, scheduled_by = $2 WHERE id = $3 AND draft IS NOT NULL",
    ).bind(at).bind(by).bind(page).execute(pool).await.map(|done| done.rows_affected()))?;
    Ok(changed == 1)
}

/// Drops a planned publication; `false` when none was planned.
pub async fn cancel_schedule(db: &Db, page: PolicyPageId) -> Result<bool, sqlx::Error> {
    let changed = with_db!(db, pool => sqlx::query(
        "UPDATE policy_pages SET publish_at = NULL, scheduled_by = NULL WHERE id = $1 AND publish_at IS NOT NULL",
    ).bind(page).execute(pool).await.map(|done| done.rows_affected()))?;
    Ok(changed == 1)
}

pub async fn publish_at(db: &Db, page: PolicyPageId) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, Option<DateTime<Utc>>>("SELECT publish_at FROM policy_pages WHERE id = $1")
        .bind(page).fetch_optional(pool).await).map(Option::flatten)
}

/// Pages whose planned publication is due at `now`, with who planned it, earliest first.
pub async fn due(db: &Db, now: DateTime<Utc>) -> Result<Vec<(PolicyPageId, UserId, String)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (PolicyPageId, UserId, String)>(
        "SELECT p.id, u.id, u.display_name FROM policy_pages p JOIN users u ON u.id = p.scheduled_by \
         WHERE p.publish_at IS NOT NULL AND p.publish_at <= $1 ORDER BY p.publish_at, p.id",
    ).bind(now).fetch_all(pool).await)
}

/// Takes a due publication for this transaction. Of two instances running the job at once,
/// only one gets `true`: the row is locked (PostgreSQL) or the database is (SQLite) until the
/// transaction ends, and the other then finds nothing planned.
pub async fn claim_due(tx: &mut Tx, page: PolicyPageId, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    with_tx!(tx, conn => sqlx::query(
        "UPDATE policy_pages SET publish_at = NULL, scheduled_by = NULL \
         WHERE id = $1 AND publish_at IS NOT NULL AND publish_at <= $2",
    ).bind(page).bind(now).execute(&mut *conn).await.map(|done| done.rows_affected() == 1))
}

/// Records that `user` has read `version`; `false` when they already had.
pub async fn acknowledge(db: &Db, page: PolicyPageId, version: i64, user: UserId, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let added = with_db!(db, pool => sqlx::query(
        "INSERT INTO policy_acknowledgements (page_id, version, user_id, acknowledged_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (page_id, version, user_id) DO NOTHING",
    ).bind(page).bind(version).bind(user).bind(now).execute(pool).await.map(|done| done.rows_affected()))?;
    Ok(added == 1)
}

pub async fn acknowledged_at(db: &Db, page: PolicyPageId, version: i64, user: UserId) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, DateTime<Utc>>(
        "SELECT acknowledged_at FROM policy_acknowledgements WHERE page_id = $1 AND version = $2 AND user_id = $3",
    ).bind(page).bind(version).bind(user).fetch_optional(pool).await)
}

/// A live version its reader has still to confirm.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingRow {
    pub slug: String,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub number: i64,
    pub ack_deadline: Option<DateTime<Utc>>,
}

/// The live versions in force on `today` that ask `user`, addressed through `scope`, to
/// confirm them and that they have not confirmed; nearest deadline first.
pub async fn pending_acks(db: &Db, scope: &PolicyScope, user: UserId, today: NaiveDate) -> Result<Vec<PendingRow>, sqlx::Error> {
    let sql = format!(
        "SELECT p.slug, v.title_zh, v.title_en, v.number, v.ack_deadline FROM policy_pages p \
         JOIN policy_versions v ON v.page_id = p.id AND v.number = p.live_version \
         WHERE v.requires_ack = TRUE AND (v.valid_until IS NULL OR v.valid_until >= $2) AND {} \
         AND NOT EXISTS (SELECT 1 FROM policy_acknowledgements a \
                         WHERE a.page_id = p.id AND a.version = v.number AND a.user_id = $1) \
         ORDER BY v.ack_deadline IS NULL, v.ack_deadline, v.published_at, p.id",
        visible(scope)
    );
    with_db!(db, pool => sqlx::query_as::<_, PendingRow>(&sql).bind(user).bind(today).fetch_all(pool).await)
}

/// Every active member of the page's audience, per organisation, with when they confirmed
/// `version` (if they did).
pub async fn ack_report(db: &Db, page: PolicyPageId, version: i64) -> Result<Vec<AckRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, AckRow>(
        "SELECT DISTINCT o.name AS organisation, u.display_name AS name, u.email, a.acknowledged_at \
         FROM users u JOIN memberships m ON m.user_id = u.id JOIN organisations o ON o.id = m.org_id \
         JOIN policy_pages p ON p.id = $1 \
         LEFT JOIN policy_acknowledgements a ON a.page_id = p.id AND a.version = $2 AND a.user_id = u.id \
         WHERE u.active = TRUE AND (p.for_everyone \
            OR o.id IN (SELECT org_id FROM policy_audience WHERE page_id = p.id AND org_id IS NOT NULL) \
            OR o.tier_id IN (SELECT tier_id FROM policy_audience WHERE page_id = p.id AND tier_id IS NOT NULL)) \
         ORDER BY o.name, u.display_name, u.email",
    ).bind(page).bind(version).fetch_all(pool).await)
}

/// Records that a form of `user` (known by `form_key`) suggested these page versions.
pub async fn record_suggestions(
    db: &Db,
    user: UserId,
    form_key: &str,
    shown: &[(PolicyPageId, i64)],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => async {
        for (page, version) in shown {
            sqlx::query(
                "INSERT INTO policy_suggestions (user_id, form_key, page_id, version, suggested_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (user_id, form_key, page_id, version) DO NOTHING",
            ).bind(user).bind(form_key).bind(page).bind(version).bind(now).execute(pool).await?;
        }
        Ok(())
    }.await)
}

/// Records that the client opened a suggestion of their form; `false` when the form never
/// suggested it.
pub async fn mark_opened(db: &Db, user: UserId, form_key: &str, page: PolicyPageId, version: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let changed = with_db!(db, pool => sqlx::query(
        "UPDATE policy_suggestions SET opened_at = COALESCE(opened_at, $1) \
         WHERE user_id = $2 AND form_key = $3 AND page_id = $4 AND version = $5",
    ).bind(now).bind(user).bind(form_key).bind(page).bind(version).execute(pool).await.map(|done| done.rows_affected()))?;
    Ok(changed == 1)
}

/// A suggestion kept with a request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeenRow {
    pub slug: String,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub version: i64,
    pub opened_at: Option<DateTime<Utc>>,
}

/// The page versions the request's form suggested, opened ones first.
pub async fn seen_with_request(db: &Db, request: i64) -> Result<Vec<SeenRow>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, SeenRow>(
        "SELECT p.slug, v.title_zh, v.title_en, s.version, s.opened_at FROM policy_suggestions s \
         JOIN policy_pages p ON p.id = s.page_id JOIN policy_versions v ON v.page_id = s.page_id AND v.number = s.version \
         WHERE s.request_id = $1 ORDER BY s.opened_at IS NULL, s.opened_at, s.id",
    ).bind(request).fetch_all(pool).await)
}

/// How the suggestions of a page fared, counted per form; a form opened and left without a
/// request since before `abandoned_before` counts as deflected.
pub async fn suggestion_counts(db: &Db, page: PolicyPageId, abandoned_before: DateTime<Utc>) -> Result<SuggestionCounts, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, SuggestionCounts>(
        "SELECT COUNT(*) AS suggested, \
                COALESCE(SUM(CASE WHEN opened IS NOT NULL THEN 1 ELSE 0 END), 0) AS opened, \
                COALESCE(SUM(CASE WHEN submitted IS NOT NULL THEN 1 ELSE 0 END), 0) AS submitted, \
                COALESCE(SUM(CASE WHEN opened IS NOT NULL AND submitted IS NULL AND last_seen < $2 THEN 1 ELSE 0 END), 0) AS deflected \
         FROM (SELECT user_id, form_key, MAX(opened_at) AS opened, MAX(request_id) AS submitted, MAX(suggested_at) AS last_seen \
               FROM policy_suggestions WHERE page_id = $1 GROUP BY user_id, form_key) forms",
    ).bind(page).bind(abandoned_before).fetch_one(pool).await)
}
