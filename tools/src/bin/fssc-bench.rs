//! Times the database work behind the busiest pages, in-process, against a data set made by
//! `fssc-seed`, and prints a Markdown table of p50 / p95 / p99 / max per scenario:
//!
//! ```text
//! fssc-bench [--iterations 300] [--warmup 30]
//! ```
//!
//! Each scenario makes the same calls as its server function (see `app/src/requests/api.rs`),
//! minus session lookup and serialisation, so the figures are the server's time in the
//! database and in mapping rows. Then the operations dashboard with every panel (all
//! subsidiaries for a year, and the busiest one), and the statement job of last month, whose
//! statements are forgotten before each of its runs. The database is the one `DATABASE_URL`
//! names (default `sqlite://data/bench.db`).

use app::{
    auth::{CurrentUser, ssr::store::load_current_user},
    authz,
    authz::RequestScope,
    catalogue::store as catalogue,
    db::Db,
    kernel::{RequestId, UploadLimits, UserId},
    requests::{ListFilter, Queue, service, store},
    time,
};
use chrono::{Datelike, Utc};
use tools::bulk;
use std::{future::Future, process::ExitCode, time::Instant};

const DEFAULT_DATABASE_URL: &str = "sqlite://data/bench.db";
/// The seed gives a few hundred requests exactly this many events.
const LONG_TIMELINE: i64 = 30;
/// A deep page: the 50th page of 50 rows starts after 2,450 rows.
const DEEP_PAGE: usize = 50;
/// The goal a page's scenarios should meet at the 95th percentile.
const GOAL_MS: f64 = 50.0;
/// The goal of every panel of the operations dashboard, at its widest filter.
const DASHBOARD_GOAL_MS: f64 = 100.0;
/// The goal of the statement job for one month: every subsidiary's statement.
const STATEMENTS_GOAL_MS: f64 = 30_000.0;
/// Times the statement job is run, its statements forgotten before each run.
const STATEMENT_RUNS: usize = 3;

type BoxError = Box<dyn std::error::Error>;

struct Options {
    iterations: usize,
    warmup: usize,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options { iterations: 300, warmup: 30 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let number = value.parse::<usize>().map_err(|_| format!("{arg}: not a number: {value}"))?;
        match arg.as_str() {
            "--iterations" => options.iterations = number.max(1),
            "--warmup" => options.warmup = number,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\nusage: fssc-bench [--iterations 300] [--warmup 30]");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fssc-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One scenario's timings.
struct Measured {
    name: String,
    rows: usize,
    goal_ms: f64,
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
/// rows it returned, which the table shows so that a fast empty answer cannot pass unnoticed.
async fn measure<F, Fut>(name: impl Into<String>, options: &Options, mut work: F) -> Result<Measured, BoxError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize, BoxError>>,
{
    let name = name.into();
    let mut rows = 0;
    for _ in 0..options.warmup {
        rows = work().await?;
    }
    let mut samples = Vec::with_capacity(options.iterations);
    for _ in 0..options.iterations {
        let started = Instant::now();
        rows = work().await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    let measured = Measured { name, rows, goal_ms: GOAL_MS, samples };
    eprintln!(
        "  {:<58} p50 {:>7.2} ms  p95 {:>7.2} ms",
        measured.name,
        measured.percentile(50.0),
        measured.percentile(95.0)
    );
    Ok(measured)
}

/// The statement job of this month's first working day, as an instance holding its lease runs
/// it: last month's statement of every subsidiary, with the notices to their readers. The
/// month's statements and notices are forgotten before each run, so every run issues them all.
async fn statements(db: &Db, now: chrono::DateTime<Utc>) -> Result<Measured, BoxError> {
    let state = app::state::AppState {
        db: db.clone(),
        settings: std::sync::Arc::new(app::state::Settings::new("http://bench.invalid")),
        live: Default::default(),
    };
    let today = now.with_timezone(&time::CENTER_TIME_ZONE).date_naive();
    let last_month = today.with_day(1).and_then(|d| d.checked_sub_months(chrono::Months::new(1))).ok_or("no last month")?;
    let mut samples = Vec::new();
    let mut issued = 0;
    for _ in 0..STATEMENT_RUNS {
        bulk::forget_statements(db, last_month).await?;
        let started = Instant::now();
        issued = app::billing::statement_service::issue_due(&state, "fssc-bench", std::time::Duration::from_secs(600), now).await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        if issued == 0 {
            return Err("the statement job issued nothing: is there a price list, and is today after the month's first working day?".into());
        }
    }
    // What the job issued stays, as it would in the portal.
    samples.sort_by(f64::total_cmp);
    let measured = Measured {
        name: format!("statement job: every subsidiary's statement of {} ({STATEMENT_RUNS} runs)", last_month.format("%Y-%m")),
        rows: issued,
        goal_ms: STATEMENTS_GOAL_MS,
        samples,
    };
    eprintln!("  {:<58} p50 {:>7.0} ms  max {:>7.0} ms", measured.name, measured.percentile(50.0), measured.max());
    Ok(measured)
}

async fn user(db: &Db, id: i64) -> Result<CurrentUser, BoxError> {
    Ok(load_current_user(db, UserId(id), 0).await?.ok_or(format!("user {id} is missing or inactive"))?)
}

/// The list filter that continues after `pages - 1` pages, found by following `next` as the
/// browser does. `None` when the list is shorter.
async fn cursor_for_page(db: &Db, scope: &RequestScope, pages: usize) -> Result<Option<ListFilter>, BoxError> {
    let mut filter = ListFilter::default();
    for _ in 1..pages {
        let page = store::list(db, scope, &filter, |day| time::start_of_day(day, time::CENTER_TIME_ZONE)).await?;
        match page.next {
            Some(next) => filter.after = Some(next),
            None => return Ok(None),
        }
    }
    Ok(Some(filter))
}

/// The deepest page up to `wanted` that the list has, and the filter that fetches it.
async fn deepest_page(db: &Db, scope: &RequestScope, total: i64, wanted: usize) -> Result<(usize, ListFilter), BoxError> {
    let pages = (total.max(1) as usize).div_ceil(store_page_size()).min(wanted);
    let filter = cursor_for_page(db, scope, pages).await?.ok_or("the list ended before its last page")?;
    Ok((pages, filter))
}

fn store_page_size() -> usize {
    app::requests::PAGE_SIZE as usize
}

async fn list_scenario(
    db: &Db,
    options: &Options,
    name: String,
    scope: &RequestScope,
    filter: &ListFilter,
) -> Result<Measured, BoxError> {
    measure(name, options, move || async move {
        let page = store::list(db, scope, filter, |day| time::start_of_day(day, time::CENTER_TIME_ZONE)).await?;
        Ok(page.rows.len())
    })
    .await
}

async fn run(options: Options) -> Result<(), BoxError> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
    let connected = Db::connect(&url).await?;
    let db = &connected;
    let backend = match db.backend() {
        app::db::Backend::Sqlite => "SQLite",
        app::db::Backend::Postgres => "PostgreSQL",
    };
    let counts = bulk::counts(db).await?;
    let subjects = bulk::subjects(db, LONG_TIMELINE)
        .await?
        .ok_or("no clients, org contacts or agents: seed the database with fssc-seed first")?;
    let long_request = subjects
        .long_request
        .ok_or(format!("no request has {LONG_TIMELINE} events: seed the database with fssc-seed first"))?;
    eprintln!("{backend}: {} requests; timing {} iterations after {} warm-up runs", counts.requests, options.iterations, options.warmup);

    let (client_id, client_total) = subjects.client;
    let (contact_id, _, org_total) = subjects.org_contact;
    let client = user(db, client_id).await?;
    let contact = user(db, contact_id).await?;
    let agent = user(db, subjects.agent).await?;
    let client_scope = authz::request_scope(&client);
    let contact_scope = authz::request_scope(&contact);
    let agent_scope = authz::request_scope(&agent);
    let teams = &catalogue::teams_of(db, agent.id).await?;
    let agent = &agent;

    let mut results = Vec::new();
    let first = ListFilter::default();
    results.push(list_scenario(db, &options, format!("client: my requests, page 1 ({client_total} in all)"), &client_scope, &first).await?);
    let (page, deep) = deepest_page(db, &client_scope, client_total, DEEP_PAGE).await?;
    results.push(list_scenario(db, &options, format!("client: my requests, page {page} (the last)"), &client_scope, &deep).await?);

    results.push(list_scenario(db, &options, format!("org contact: subsidiary's requests, page 1 ({org_total} in all)"), &contact_scope, &first).await?);
    let (page, deep) = deepest_page(db, &contact_scope, org_total, DEEP_PAGE).await?;
    results.push(list_scenario(db, &options, format!("org contact: subsidiary's requests, page {page}"), &contact_scope, &deep).await?);

    results.push(list_scenario(db, &options, "agent: all requests, page 1".into(), &agent_scope, &first).await?);
    let (page, deep) = deepest_page(db, &agent_scope, counts.requests, DEEP_PAGE).await?;
    results.push(list_scenario(db, &options, format!("agent: all requests, page {page}"), &agent_scope, &deep).await?);

    for (queue, label) in [(Queue::Unassigned, "unassigned"), (Queue::Overdue, "overdue")] {
        results.push(
            measure(format!("agent queue: {label}, page 1"), &options, move || async move {
                let page = store::queue(db, queue, agent.id, &teams, Utc::now(), None).await?;
                Ok(page.rows.len())
            })
            .await?,
        );
    }
    results.push(
        measure("agent queue: tab counts", &options, move || async move {
            store::queue_counts(db, agent.id, &teams, Utc::now()).await?;
            Ok(1)
        })
        .await?,
    );
    results.push(
        measure("agent queue page (work_queue: teams, counts, unassigned)", &options, move || async move {
            let (_, page) = service::queue(db, &agent, Queue::Unassigned, None).await?;
            Ok(page.rows.len())
        })
        .await?,
    );

    let id = RequestId(long_request);
    let requester_id = store::state(db, id).await?.ok_or("the long request vanished")?.requester_id;
    let requester = user(db, requester_id.0).await?;
    for (viewer, label) in [(agent, "agent"), (&requester, "requester")] {
        results.push(
            measure(format!("request page, {LONG_TIMELINE} events ({label})"), &options, move || async move {
                let state = store::state(db, id).await?.ok_or("the long request vanished")?;
                let detail = app::requests::page::detail(db, viewer, id, &state, UploadLimits::default(), &Default::default()).await?;
                Ok(detail.events.len())
            })
            .await?,
        );
    }

    // The operations dashboard at its widest: every organisation, the last year. Heavier than a
    // page of a list, so timed fewer times.
    let dashboard_options = Options { iterations: options.iterations.min(30), warmup: options.warmup.min(3) };
    let everything = authz::OrgScope { everything: true, orgs: Vec::new() };
    let today = Utc::now().with_timezone(&time::CENTER_TIME_ZONE).date_naive();
    let year = app::operations::DashboardAddress {
        from: Some((today - chrono::Duration::days(364)).to_string()),
        to: Some(today.to_string()),
        ..Default::default()
    };
    let (everything, year) = (&everything, &year);
    let mut dashboard = measure(
        format!("operations dashboard, every panel: all organisations, one year ({} runs)", dashboard_options.iterations),
        &dashboard_options,
        move || async move {
            let d = app::operations::service::dashboard(db, everything, year, time::DEFAULT_TIME_ZONE, 25, Utc::now()).await?;
            Ok(d.volume.len())
        },
    )
    .await?;
    dashboard.goal_ms = DASHBOARD_GOAL_MS;
    results.push(dashboard);
    let org_id = subjects.org_contact.1;
    let one_org = app::operations::DashboardAddress { org: Some(org_id.to_string()), ..year.clone() };
    let one_org = &one_org;
    let mut dashboard = measure(
        format!("operations dashboard, every panel: the busiest subsidiary, one year ({} runs)", dashboard_options.iterations),
        &dashboard_options,
        move || async move {
            let d = app::operations::service::dashboard(db, everything, one_org, time::DEFAULT_TIME_ZONE, 25, Utc::now()).await?;
            Ok(d.volume.len())
        },
    )
    .await?;
    dashboard.goal_ms = DASHBOARD_GOAL_MS;
    results.push(dashboard);
    results.push(statements(db, Utc::now()).await?);

    println!("### {backend}\n");
    println!(
        "{} organisations, {} users, {} requests ({} open), {} events, {} files, {} ratings, {} follow-ups. \
         {} timed runs per scenario after {} warm-up runs, one at a time.\n",
        counts.organisations,
        counts.users,
        counts.requests,
        counts.open,
        counts.events,
        counts.attachments,
        counts.ratings,
        counts.follow_ups,
        options.iterations,
        options.warmup
    );
    println!("| scenario | rows | p50 ms | p95 ms | p99 ms | max ms | goal: p95 under | met |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |");
    for m in &results {
        let p95 = m.percentile(95.0);
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |",
            m.name,
            m.rows,
            m.percentile(50.0),
            p95,
            m.percentile(99.0),
            m.max(),
            if m.goal_ms >= 1_000.0 { format!("{:.0} s", m.goal_ms / 1_000.0) } else { format!("{:.0} ms", m.goal_ms) },
            if p95 < m.goal_ms { "yes" } else { "**no**" }
        );
    }
    println!();
    connected.close().await;
    Ok(())
}
