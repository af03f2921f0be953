//! The policy data set: a few subsidiaries, one editor and a few clients, and `pages` pages of
//! `versions` versions each, every version saved and published through the policy service, so
//! that versions, audiences, search index and notifications are exactly what editors make.
//!
//! Seeding resumes where it stopped: a page that has fewer versions than asked gets the rest.

use crate::{
    options::{BoxError, Options},
    texts,
};
use app::{
    auth::{CurrentUser, ssr::store as users},
    db::Db,
    kernel::{Language, OrgId, Permission, PolicyCategoryId, PolicyPageId, Role, TierId},
    orgs::{OrgKind, store as orgs},
    policies::{Audience, PolicyDraft, service, store},
    state::{AppState, Settings},
    time::CENTER_TIME_ZONE,
    validation::Email,
};
use chrono::{Days, NaiveDate, Utc};
use std::{sync::Arc, time::Instant};
use tools::rng::Rng;

/// The text generator's seed: the same pages on every database.
const TEXT_SEED: u64 = 0x0F55_C901_1C1E_5EED;
const EDITOR_EMAIL: &str = "policy.editor@bench.example.com";
/// The reader the benchmark acts as: a client of a standard-tier subsidiary.
pub(crate) const READER_EMAIL: &str = "policy.east@bench.example.com";
/// Days between a page's versions' effective dates.
const VERSION_SPACING_DAYS: u64 = 100;

pub(crate) fn slug(page: usize) -> String {
    format!("bench-policy-{page:04}")
}

/// The subsidiaries, tiers and people of the data set.
pub(crate) struct World {
    pub editor: CurrentUser,
    pub reader: CurrentUser,
    east: OrgId,
    west: OrgId,
    north: OrgId,
    south: OrgId,
    key: TierId,
    standard: TierId,
}

async fn person(db: &Db, hash: &str, address: &str, name: &str, org: OrgId, role: Role) -> Result<CurrentUser, BoxError> {
    let email = Email::parse(address).map_err(|_| format!("bad address {address}"))?;
    let id = match users::find_id_by_email(db, &email).await? {
        Some(id) => id,
        None => {
            let new = users::NewUser {
                email: &email,
                display_name: name,
                password_hash: hash,
                language: Language::ZhCn,
                time_zone: app::time::DEFAULT_TIME_ZONE,
            };
            users::create_user(db, new).await.map_err(|e| format!("creating {address}: {e:?}"))?
        }
    };
    users::set_membership(db, id, org, Some(role)).await?;
    Ok(users::load_current_user(db, id, 0).await?.ok_or(format!("{address} is inactive"))?)
}

impl World {
    /// Finds or makes the organisations and people; a second run finds them all.
    pub(crate) async fn ensure(db: &Db) -> Result<World, BoxError> {
        let center = orgs::center(db).await?.ok_or("no center organisation: the migration did not run")?.id;
        let key = orgs::tier_by_code(db, "key").await?.ok_or("no tier 'key'")?;
        let standard = orgs::tier_by_code(db, "standard").await?.ok_or("no tier 'standard'")?;
        let east = orgs::ensure(db, "PB-EAST", "华东制造（制度测试）", OrgKind::Subsidiary, Some(standard)).await?;
        let west = orgs::ensure(db, "PB-WEST", "西南贸易（制度测试）", OrgKind::Subsidiary, Some(key)).await?;
        let north = orgs::ensure(db, "PB-NORTH", "华北物流（制度测试）", OrgKind::Subsidiary, Some(standard)).await?;
        let south = orgs::ensure(db, "PB-SOUTH", "华南地产（制度测试）", OrgKind::Subsidiary, Some(key)).await?;
        let hash = app::auth::ssr::password::hash(app::seed::DEMO_PASSWORD).await.map_err(|e| format!("{e:?}"))?;
        let editor = person(db, &hash, EDITOR_EMAIL, "制度编辑", center, Role::Agent).await?;
        if !editor.has_permission(Permission::Editor) {
            users::set_permission(db, editor.id, Permission::Editor, true, editor.id, Utc::now()).await?;
        }
        let editor = users::load_current_user(db, editor.id, 0).await?.ok_or("the editor vanished")?;
        let reader = person(db, &hash, READER_EMAIL, "王芳", east, Role::Client).await?;
        person(db, &hash, "policy.west@bench.example.com", "李娜", west, Role::Client).await?;
        person(db, &hash, "policy.north@bench.example.com", "张伟", north, Role::Client).await?;
        person(db, &hash, "policy.south@bench.example.com", "刘洋", south, Role::Client).await?;
        Ok(World { editor, reader, east, west, north, south, key, standard })
    }

    /// Four pages in five are for everyone; the others for chosen subsidiaries or tiers, some
    /// of which include the reader's (east, standard tier).
    fn audience(&self, rng: &mut Rng) -> Audience {
        if rng.chance(0.8) {
            return Audience::Everyone;
        }
        let (orgs, tiers) = match rng.below(6) {
            0 => (vec![self.east], vec![]),
            1 => (vec![self.west], vec![]),
            2 => (vec![], vec![self.key]),
            3 => (vec![], vec![self.standard]),
            4 => (vec![self.east, self.north], vec![]),
            _ => (vec![self.south], vec![self.key]),
        };
        Audience::Chosen { orgs, tiers }
    }
}

/// What stays the same across a page's versions.
struct PagePlan {
    category: PolicyCategoryId,
    audience: Audience,
    english: bool,
    /// Days before today of the last version's effective date.
    last_effective_ago: u64,
    expired: bool,
    requires_ack: bool,
}

fn plan(world: &World, categories: &[(String, PolicyCategoryId)], page: usize) -> PagePlan {
    let mut rng = Rng::new(TEXT_SEED ^ 0xA0D1_E0CE ^ (page as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let code = texts::topic_of(TEXT_SEED, page).category;
    let category = categories.iter().find(|(c, _)| c == code).or(categories.first()).map(|(_, id)| *id).expect("categories");
    let expired = rng.chance(0.03);
    PagePlan {
        category,
        audience: world.audience(&mut rng),
        english: page % 5 == 3,
        last_effective_ago: rng.below(90) as u64 + if expired { 200 } else { 0 },
        expired,
        requires_ack: rng.chance(0.05),
    }
}

fn draft(plan: &PagePlan, page: usize, version: usize, versions: usize, today: NaiveDate) -> PolicyDraft {
    let text = texts::page_text(TEXT_SEED, page, version, plan.english);
    let ago = plan.last_effective_ago + (versions - version) as u64 * VERSION_SPACING_DAYS;
    let effective_on = today - Days::new(ago);
    let last = version == versions;
    PolicyDraft {
        slug: slug(page),
        category_id: plan.category,
        title_zh: text.title_zh,
        title_en: text.title_en,
        body_zh: text.body_zh,
        body_en: text.body_en,
        tags: text.tags,
        effective_on,
        valid_until: (last && plan.expired).then(|| effective_on + Days::new(VERSION_SPACING_DAYS)),
        superseded_by: None,
        audience: plan.audience.clone(),
        requires_ack: last && plan.requires_ack,
        ack_deadline: (last && plan.requires_ack).then(|| effective_on + Days::new(30)),
        files: Vec::new(),
    }
}

/// Whether the data set of these options is all there: its last page has every version.
pub(crate) async fn complete(db: &Db, options: &Options) -> Result<bool, BoxError> {
    Ok(match store::page_id_by_slug(db, &slug(options.pages)).await? {
        Some(id) => store::page(db, id).await?.and_then(|p| p.live_version).unwrap_or(0) >= options.versions as i64,
        None => false,
    })
}

/// Publishes whatever versions are missing; answers how many it published.
pub(crate) async fn seed(db: &Db, world: &World, options: &Options) -> Result<usize, BoxError> {
    let started = Instant::now();
    let state = AppState {
        db: db.clone(),
        settings: Arc::new(Settings::new("http://127.0.0.1:3000")),
        live: Default::default(),
    };
    let categories: Vec<(String, PolicyCategoryId)> =
        store::categories(db).await?.into_iter().map(|c| (c.code, c.id)).collect();
    let today = Utc::now().with_timezone(&CENTER_TIME_ZONE).date_naive();
    let total = options.pages * options.versions;
    let mut published = 0;
    for page in 1..=options.pages {
        let (mut id, done): (Option<PolicyPageId>, usize) = match store::page_id_by_slug(db, &slug(page)).await? {
            Some(id) => (Some(id), store::page(db, id).await?.and_then(|p| p.live_version).unwrap_or(0) as usize),
            None => (None, 0),
        };
        if done >= options.versions {
            continue;
        }
        let plan = plan(world, &categories, page);
        for version in done + 1..=options.versions {
            let d = draft(&plan, page, version, options.versions, today);
            let saved = service::save_draft(db, &world.editor, id, &d, Utc::now())
                .await
                .map_err(|e| format!("saving {} v{version}: {e:?}", slug(page)))?;
            id = Some(saved);
            let number = service::publish(&state, &world.editor, saved, Utc::now())
                .await
                .map_err(|e| format!("publishing {} v{version}: {e:?}", slug(page)))?;
            if number != version as i64 {
                return Err(format!("{} was published as version {number}, expected {version}", slug(page)).into());
            }
            published += 1;
        }
        if page % 200 == 0 || page == options.pages {
            let seconds = started.elapsed().as_secs_f64();
            eprintln!(
                "  {page:>6} / {} pages, {published} versions published, {seconds:.0} s ({:.0} versions/s)",
                options.pages,
                published as f64 / seconds.max(0.001)
            );
        }
    }
    if published > 0 && published < total {
        eprintln!("  resumed: {} versions were already there", total - published);
    }
    finish(db).await?;
    Ok(published)
}

/// Leaves the database as it would be minutes after the publications. Every publication
/// rewrites its page's index rows, so seeding leaves about `versions - 1` dead rows of
/// policy_terms per live one; before autovacuum has cleaned them and analysed the tables,
/// PostgreSQL plans the search for an empty index (measured on 100 pages: 20-50 ms instead
/// of 5-10 ms).
async fn finish(db: &Db) -> Result<(), sqlx::Error> {
    match db {
        Db::Postgres(pool) => {
            sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
        }
        Db::Sqlite(pool) => {
            // Folds the write-ahead log back into the database file, so the benchmark does not
            // start by checkpointing it.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
        }
    }
    Ok(())
}
