//! Times the policy column on a large data set: search, the suggestions shown while a request
//! is written, a policy page and the list of pages, and prints a Markdown table of
//! p50 / p95 / p99 / max per scenario:
//!
//! ```text
//! fssc-policy-bench [--pages 4000] [--versions 5] [--iterations 200] [--warmup 20]
//! ```
//!
//! The database is the one `DATABASE_URL` names (default `sqlite://data/policy-bench.db`). It
//! is migrated, and seeded unless it already holds the data set: `pages` pages of `versions`
//! versions each, about 3,000 characters of Chinese finance policy a version (one page in five
//! with an English text too), saved and published one by one through the policy service, so
//! the versions, audiences and search index are the ones editors make. Seeding resumes where
//! an interrupted run stopped.
//!
//! Each scenario makes the same calls as its server function (see `app/src/policies/api.rs`),
//! minus session lookup and serialisation, as a client of a subsidiary whose audience includes
//! some of the pages that are not for everyone.

mod options;
mod seed;
mod texts;

use options::{
    parse_args, BoxError, Options, DEFAULT_DATABASE_URL, EVERY_MATCH, GOAL_MS, SUGGESTIONS, SUGGESTION_TITLE, USAGE,
};
use app::{
    auth::CurrentUser,
    authz,
    authz::PolicyScope,
    db::Db,
    kernel::PolicyPageId,
    policies::{search::Query, SEARCH_LIMIT, service, store},
    time::CENTER_TIME_ZONE,
    with_db,
};
use chrono::{NaiveDate, Utc};
use std::{
    future::Future,
    process::ExitCode,
    time::Instant,
};
use tools::rng::Rng;

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fssc-policy-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One scenario's timings.
struct Measured {
    name: String,
    results: usize,
    /// Milliseconds, sorted.
    samples: Vec<f64>,
}

impl Measured {
    /// Nearest-rank percentile.
    fn percentile(&self, p: f64) -> f64 {
        let rank = ((p / 100.0) * self.samples.len() as f64).ceil() as usize;
        self.samples[rank.clamp(1, self.samples.len()) - 1]
    }

    fn max(&self) -> f64 {
        self.samples.last().copied().unwrap_or(0.0)
    }
}

/// Runs `work` `warmup` times untimed, then `iterations` times timed. `work` answers how many
/// results it returned, which the table shows so that a fast empty answer cannot pass unnoticed.
async fn measure<F, Fut>(name: impl Into<String>, options: &Options, mut work: F) -> Result<Measured, BoxError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize, BoxError>>,
{
    let name = name.into();
    let mut results = 0;
    for _ in 0..options.warmup {
        results = work().await?;
    }
    let mut samples = Vec::with_capacity(options.iterations);
    for _ in 0..options.iterations {
        let started = Instant::now();
        results = work().await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    let measured = Measured { name, results, samples };
    eprintln!(
        "  {:<64} p50 {:>7.2} ms  p95 {:>7.2} ms",
        measured.name,
        measured.percentile(50.0),
        measured.percentile(95.0)
    );
    Ok(measured)
}

/// The size of the data set, for the table's heading.
struct DataSet {
    live_pages: i64,
    versions: i64,
    terms: i64,
    body_chars: i64,
}

async fn data_set(db: &Db) -> Result<DataSet, sqlx::Error> {
    let (live_pages, versions, terms, body_chars) = with_db!(db, pool => sqlx::query_as::<_, (i64, i64, i64, i64)>(
        "SELECT (SELECT COUNT(*) FROM policy_pages WHERE live_version IS NOT NULL), \
         (SELECT COUNT(*) FROM policy_versions), (SELECT COUNT(*) FROM policy_terms), \
         (SELECT COALESCE(SUM(LENGTH(body_zh)), 0) FROM policy_versions)",
    ).fetch_one(pool).await)?;
    Ok(DataSet { live_pages, versions, terms, body_chars })
}

/// How much of the index a query reads, and how many pages it matches before the limit: the
/// shape behind its time.
async fn query_shape(db: &Db, scope: &PolicyScope, text: &str, today: NaiveDate) -> Result<(i64, usize), BoxError> {
    let synonyms = service::synonym_sets(db).await?;
    let Some(query) = Query::parse(text, &synonyms) else { return Ok((0, 0)) };
    let terms = query.all_terms();
    let placeholders = (1..=terms.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT COUNT(*) FROM policy_terms WHERE term IN ({placeholders})");
    let rows = with_db!(db, pool => {
        let mut count = sqlx::query_scalar::<_, i64>(&sql);
        for term in &terms {
            count = count.bind(term);
        }
        count.fetch_one(pool).await
    })?;
    let every = store::matching_pages(db, scope, &query, today, EVERY_MATCH).await?;
    Ok((rows, every.len()))
}

/// Median milliseconds of `runs` runs of `work`.
async fn median_ms<F, Fut, T>(runs: usize, mut work: F) -> Result<f64, BoxError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, BoxError>>,
{
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        work().await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples[samples.len() / 2])
}

/// One search split into the statements it makes (see `service::search`): the matches (every
/// title match and the newest others up to 20), their titles, the bodies of the 20 shown; what
/// is left is the service's own work (ranking by title, snippets).
struct Breakdown {
    text: &'static str,
    rows: i64,
    matching: usize,
    kept: usize,
    matches: f64,
    candidates: f64,
    bodies: f64,
    whole: f64,
}

async fn breakdown(db: &Db, scope: &PolicyScope, reader: &CurrentUser, text: &'static str, today: NaiveDate) -> Result<Breakdown, BoxError> {
    const RUNS: usize = 21;
    let (rows, matching) = query_shape(db, scope, text, today).await?;
    let synonyms = service::synonym_sets(db).await?;
    let Some(query) = Query::parse(text, &synonyms) else {
        return Err(format!("{text:?} is not a query").into());
    };
    let query = &query;
    let kept: Vec<PolicyPageId> =
        store::matching_pages(db, scope, query, today, SEARCH_LIMIT).await?.iter().map(|m| m.page_id).collect();
    let (kept, shown) = (&kept, &kept[..kept.len().min(SEARCH_LIMIT)]);
    Ok(Breakdown {
        text,
        rows,
        matching,
        kept: kept.len(),
        matches: median_ms(RUNS, || async move { Ok(store::matching_pages(db, scope, query, today, SEARCH_LIMIT).await?) })
            .await?,
        candidates: median_ms(RUNS, || async move { Ok(store::candidates(db, kept).await?) }).await?,
        bodies: median_ms(RUNS, || async move { Ok(store::live_bodies(db, shown).await?) }).await?,
        whole: median_ms(RUNS, || async move {
            Ok(service::search(db, scope, reader.language, text, today, SEARCH_LIMIT).await?)
        })
        .await?,
    })
}

async fn search_scenario(
    db: &Db,
    options: &Options,
    reader: &CurrentUser,
    label: &str,
    text: &str,
    limit: usize,
    today: NaiveDate,
) -> Result<Measured, BoxError> {
    let scope = &authz::policy_scope(reader);
    let (rows, matching) = query_shape(db, scope, text, today).await?;
    let name = format!("{label} \"{text}\" ({matching} pages match, {rows} index rows)");
    measure(name, options, move || async move {
        Ok(service::search(db, scope, reader.language, text, today, limit).await?.len())
    })
    .await
}

async fn run(options: Options) -> Result<(), BoxError> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
    let connected = Db::connect(&url).await?;
    let db = &connected;
    db.migrate().await?;
    let backend = match db.backend() {
        app::db::Backend::Sqlite => "SQLite",
        app::db::Backend::Postgres => "PostgreSQL",
    };
    eprintln!("database: {} ({backend})", redact(&url));

    let world = seed::World::ensure(db).await?;
    if seed::complete(db, &options).await? {
        eprintln!("already seeded ({} pages of {} versions); nothing to do", options.pages, options.versions);
    } else {
        let started = Instant::now();
        eprintln!("seeding {} pages × {} versions through the policy service", options.pages, options.versions);
        let published = seed::seed(db, &world, &options).await?;
        let seconds = started.elapsed().as_secs_f64();
        eprintln!("seeded {published} versions in {seconds:.1} s ({:.1} versions/s)", published as f64 / seconds.max(0.001));
        println!("Seeding on {backend}: {published} versions published in {seconds:.0} s.\n");
    }

    let today = Utc::now().with_timezone(&CENTER_TIME_ZONE).date_naive();
    let reader = &world.reader;
    let scope = &authz::policy_scope(reader);
    let addressed = &authz::audience_scope(reader);
    let language = reader.language;
    let slugs: Vec<String> = store::visible_live(db, scope).await?.into_iter().map(|row| row.slug).collect();
    if slugs.is_empty() {
        return Err("the reader sees no published page".into());
    }
    let size = data_set(db).await?;
    eprintln!(
        "{backend}: {} live pages ({} visible to the reader), {} versions, {} index rows; timing {} iterations after {} warm-up runs",
        size.live_pages,
        slugs.len(),
        size.versions,
        size.terms,
        options.iterations,
        options.warmup
    );

    const QUERIES: [(&str, &str); 6] = [
        ("search, 1 character:", "税"),
        ("search, 2 characters:", "差旅"),
        ("search, 4 characters:", "差旅报销"),
        ("search, 8 characters:", "员工差旅费用报销"),
        ("search, English:", "invoice"),
        ("search, nothing found:", "火箭发射场"),
    ];
    let mut results = Vec::new();
    for (label, text) in QUERIES {
        results.push(search_scenario(db, &options, reader, label, text, SEARCH_LIMIT, today).await?);
    }
    results.push(search_scenario(db, &options, reader, "suggestions (5):", SUGGESTION_TITLE, SUGGESTIONS, today).await?);

    let mut rng = Rng::new(0xB0_0C5);
    let slugs = &slugs;
    results.push(
        measure(format!("policy page, a random one of {} (live version)", slugs.len()), &options, || {
            let slug = rng.pick(slugs).clone();
            async move {
                let view = service::view(db, reader, scope, addressed, language, &slug, None, today).await?;
                Ok(usize::from(!view.html.is_empty()))
            }
        })
        .await?,
    );
    results.push(
        measure("browse: category tree and every visible page", &options, move || async move {
            let (_, pages) = service::browse(db, scope, language, today).await?;
            Ok(pages.len())
        })
        .await?,
    );
    let mut split = Vec::new();
    for (_, text) in QUERIES.into_iter().chain([("", SUGGESTION_TITLE)]) {
        split.push(breakdown(db, scope, reader, text, today).await?);
    }
    let browse_sql = median_ms(21, || async move { Ok(store::visible_live(db, scope).await?) }).await?;

    println!("### {backend}\n");
    println!(
        "{} live pages ({} visible to the reader, a client of a standard-tier subsidiary), {} versions \
         averaging {} characters of Chinese, {} rows in policy_terms. {} timed runs per scenario after {} warm-up runs, \
         one at a time.\n",
        size.live_pages,
        slugs.len(),
        size.versions,
        size.body_chars / size.versions.max(1),
        size.terms,
        options.iterations,
        options.warmup
    );
    println!("| scenario | results | p50 ms | p95 ms | p99 ms | max ms | p95 < {GOAL_MS:.0} ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | :---: |");
    for m in &results {
        let p95 = m.percentile(95.0);
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            m.name,
            m.results,
            m.percentile(50.0),
            p95,
            m.percentile(99.0),
            m.max(),
            if p95 < GOAL_MS { "yes" } else { "**no**" }
        );
    }
    println!();
    println!("Where a search's time goes on {backend} (medians of 21 runs, ms): the statements of `service::search`, and the rest of it.\n");
    println!("| query | index rows | pages matching | pages ranked | matching_pages | candidates | live_bodies | rest | whole search |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for b in &split {
        println!(
            "| \"{}\" | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            b.text,
            b.rows,
            b.matching,
            b.kept,
            b.matches,
            b.candidates,
            b.bodies,
            (b.whole - b.matches - b.candidates - b.bodies).max(0.0),
            b.whole
        );
    }
    println!("\nBrowse: `store::visible_live` alone takes {browse_sql:.2} ms (median of 21 runs).\n");
    connected.close().await;
    Ok(())
}

/// Hides a PostgreSQL password, should the URL carry one.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
            let colon = scheme + 3 + url[scheme + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..colon], &url[at..])
        }
        _ => url.to_string(),
    }
}
