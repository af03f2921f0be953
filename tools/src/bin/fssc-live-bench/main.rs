//! Measures the live notification push: how long a committed status change takes to reach the
//! requesting client's open event stream, and what holding many streams costs the server.
//!
//! ```text
//! fssc-live-bench [--connections 100,500,2000] [--rate 50] [--seconds 20]
//!                 [--server target/release/fssc-server] [--postgres URL] [--timeout 1800]
//! ```
//!
//! For each connection count N it starts the real server binary on a free loopback port against
//! a fresh database: a SQLite file in a temporary directory, or with `--postgres` a new schema
//! in that database, dropped afterwards. It adds N clients of one subsidiary, signs each in over
//! HTTP, submits their requests and opens one `GET /events` stream per client. Once every
//! stream has sent its first event, the demo agent commits `--rate` status changes a second
//! for `--seconds` over random clients' requests (claim, then ask for information), each of
//! which notifies the requester.
//!
//! Latency is the moment the client parsed the pushed `notification` event minus the
//! notification's `created_at`, the server's time of the change; server and bench share this
//! machine's clock. Every change must arrive exactly once, at its requester's stream. The
//! server's resident memory comes from `/proc` while all streams are still open.
//!
//! Every stream costs a file descriptor on both sides, and the server inherits this process's
//! limit: the soft open-file limit must exceed the largest N by a margin. This binary checks
//! it, and `scripts/bench-live.sh` raises it with `ulimit -n` first.

mod load;
mod options;
mod scratch;
mod setup;
mod streams;

use load::drive_load;
use options::{
    parse_args, Options, AGENT_EMAIL, DRAIN_TIMEOUT, GOAL_P99_MS, GOAL_RSS_MB, SIGN_IN_CONCURRENCY, SPARE_FILES, TYPE_CODE,
    USAGE,
};
use scratch::Schemas;
use setup::{create_clients, limited, sign_in, submit_requests};
use streams::Streams;
use app::{catalogue::store as catalogue, db::Db};
use tools::{
    child::{free_port, memory, Server, WorkDir},
    BoxError,
};
use std::{
    collections::{HashMap, HashSet},
    net::SocketAddr,
    process::ExitCode,
    sync::{atomic::Ordering, Arc},
    time::Duration,
};
use tokio::time::Instant;

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
    let schemas = match Schemas::connect(options.postgres.as_deref()).await {
        Ok(schemas) => schemas,
        Err(error) => {
            eprintln!("fssc-live-bench: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut rows = Vec::new();
    let outcome = tokio::select! {
        outcome = tokio::time::timeout(Duration::from_secs(options.timeout), run(&options, &schemas, &mut rows)) => {
            outcome.unwrap_or_else(|_| Err(format!("stopped after the global timeout of {} s", options.timeout).into()))
        }
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    // The run's future is gone by now, and with it its server; the schemas can go.
    schemas.drop_all().await;
    let clean = print_report(&options, &rows);
    match outcome {
        Ok(()) if clean => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("fssc-live-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options, schemas: &Schemas, rows: &mut Vec<Outcome>) -> Result<(), BoxError> {
    let largest = options.connections.iter().copied().max().unwrap_or(0) as u64;
    check_open_files(largest)?;
    if !options.server.is_file() {
        return Err(format!(
            "no server binary at {}: build it with `cargo build --release -p server --bin fssc-server`",
            options.server.display()
        )
        .into());
    }
    eprintln!(
        "{}: {} changes a second for {} s at {:?} connections",
        backend_name(options),
        options.rate,
        options.seconds,
        options.connections
    );
    for &n in &options.connections {
        eprintln!("== {n} connections");
        let result = run_one(options, schemas, n).await;
        // Each count gets its own schema; it goes as soon as its server has.
        schemas.drop_all().await;
        match result {
            Ok(row) => {
                eprintln!(
                    "  {} changes, {} received; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; server RSS {:.1} MB",
                    row.changes,
                    row.received,
                    row.percentile(50.0),
                    row.percentile(99.0),
                    row.max(),
                    row.rss_end
                );
                rows.push(Outcome::Measured(row));
            }
            Err(error) => {
                eprintln!("  failed: {error}");
                rows.push(Outcome::Failed { connections: n, error: error.to_string() });
            }
        }
    }
    Ok(())
}

fn backend_name(options: &Options) -> &'static str {
    if options.postgres.is_some() { "PostgreSQL" } else { "SQLite" }
}

/// Refuses to start when the streams would run out of file descriptors halfway.
fn check_open_files(connections: u64) -> Result<(), BoxError> {
    let limits = std::fs::read_to_string("/proc/self/limits")?;
    let soft = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .ok_or("cannot read the open-file limit from /proc/self/limits")?;
    if soft == "unlimited" {
        return Ok(());
    }
    let soft: u64 = soft.parse().map_err(|_| format!("odd open-file limit {soft}"))?;
    let needed = connections + SPARE_FILES;
    if soft < needed {
        return Err(format!(
            "the open-file limit is {soft}, below the {needed} that {connections} streams need: \
             raise it with `ulimit -n 65536` (scripts/bench-live.sh does)"
        )
        .into());
    }
    Ok(())
}

/// The figures of one connection count.
struct Row {
    connections: usize,
    /// Status changes the server confirmed.
    changes: usize,
    /// Notification events parsed by the clients.
    received: usize,
    /// Changes whose notification never reached their requester's stream.
    lost: usize,
    /// Events beyond one per change, or at the wrong client.
    unexpected: usize,
    failed_calls: usize,
    failed_streams: usize,
    /// Milliseconds, sorted.
    latencies: Vec<f64>,
    achieved_rate: f64,
    rss_signed_in: f64,
    rss_streams_open: f64,
    rss_end: f64,
    rss_peak: f64,
    notes: Vec<String>,
}

impl Row {
    /// Nearest-rank percentile.
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }

    fn max(&self) -> f64 {
        self.latencies.last().copied().unwrap_or(f64::NAN)
    }

    fn complete(&self) -> bool {
        self.lost == 0 && self.unexpected == 0 && self.failed_calls == 0 && self.failed_streams == 0 && self.changes > 0
    }

    fn meets_goal(&self) -> bool {
        self.complete() && self.percentile(99.0) <= GOAL_P99_MS && self.rss_end <= GOAL_RSS_MB
    }
}

enum Outcome {
    Measured(Row),
    Failed { connections: usize, error: String },
}

/// Prints the Markdown table; answers whether every row is complete.
fn print_report(options: &Options, rows: &[Outcome]) -> bool {
    if rows.is_empty() {
        return false;
    }
    let mut clean = true;
    println!("### Live notifications on {}\n", backend_name(options));
    println!(
        "{} status changes a second for {} s, committed by one agent over HTTP on random clients' \
         requests; every client holds one `/events` stream. A fresh server and database for each \
         row. Latency: the client's receipt of the event minus the notification's `created_at`.\n",
        options.rate, options.seconds
    );
    println!(
        "| connections | changes | received | p50 ms | p99 ms | max ms | server RSS MB | p99 ≤ {GOAL_P99_MS:.0} ms and RSS ≤ {GOAL_RSS_MB:.0} MB |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |");
    for outcome in rows {
        match outcome {
            Outcome::Measured(row) => println!(
                "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {} |",
                row.connections,
                row.changes,
                row.received,
                row.percentile(50.0),
                row.percentile(99.0),
                row.max(),
                row.rss_end,
                if row.meets_goal() { "yes" } else { "**no**" }
            ),
            Outcome::Failed { connections, .. } => {
                println!("| {connections} | failed | | | | | | **no** |")
            }
        }
    }
    println!();
    for outcome in rows {
        match outcome {
            Outcome::Measured(row) => {
                println!(
                    "- {} connections: server RSS {:.1} MB after the sign-ins, {:.1} MB with every stream \
                     open before the load, {:.1} MB at its end (peak {:.1} MB); changes committed at {:.1}/s.",
                    row.connections, row.rss_signed_in, row.rss_streams_open, row.rss_end, row.rss_peak, row.achieved_rate
                );
                if !row.complete() {
                    clean = false;
                    let message = format!(
                        "MISMATCH at {} connections: {} changes committed, {} notifications received \
                         ({} lost, {} unexpected), {} failed agent calls, {} streams ended early",
                        row.connections, row.changes, row.received, row.lost, row.unexpected, row.failed_calls, row.failed_streams
                    );
                    println!("- **{message}**");
                    eprintln!("fssc-live-bench: {message}");
                }
                for note in &row.notes {
                    println!("  - {note}");
                }
            }
            Outcome::Failed { connections, error } => {
                clean = false;
                println!("- {connections} connections: **failed**: {}", error.lines().next().unwrap_or(""));
            }
        }
    }
    println!();
    clean
}

/// One connection count from a fresh server to its figures.
async fn run_one(options: &Options, schemas: &Schemas, n: usize) -> Result<Row, BoxError> {
    let work = WorkDir::create(&format!("fssc-live-bench-{n}"))?;
    let (url, schema) = match &options.postgres {
        None => (format!("sqlite://{}/portal.db", work.0.display()), None),
        Some(url) => {
            let schema = format!("live_bench_{}_{n}", std::process::id());
            schemas.create(&schema).await?;
            (url.clone(), Some(schema))
        }
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    // Declared after `work`, so it is killed before its directory goes.
    let mut server = Server::start(&options.server, &url, schema.as_deref(), addr.port(), work.0.join("server.log"))?;
    match measure(options, n, addr, &url, schema.as_deref(), &mut server).await {
        Ok(row) => Ok(row),
        Err(error) => Err(format!("{error}\n  server log, last lines:\n{}", server.log_tail(20)).into()),
    }
}

async fn measure(
    options: &Options,
    n: usize,
    addr: SocketAddr,
    url: &str,
    schema: Option<&str>,
    server: &mut Server,
) -> Result<Row, BoxError> {
    let started = Instant::now();
    server.wait_healthy(addr).await?;
    eprintln!("  server up (migrated, demo data) in {:.1} s", started.elapsed().as_secs_f64());

    let phase = Instant::now();
    let db = Db::connect_in_schema(url, schema).await?;
    let type_id = catalogue::current_types(&db, true)
        .await?
        .into_iter()
        .find(|t| t.code == TYPE_CODE)
        .ok_or(format!("the catalogue has no {TYPE_CODE} type"))?
        .type_id;
    let emails = create_clients(&db, n).await;
    db.close().await;
    let emails = emails?;
    eprintln!("  {n} clients created in {:.1} s", phase.elapsed().as_secs_f64());

    let phase = Instant::now();
    let agent = Arc::new(sign_in(addr, AGENT_EMAIL.to_string()).await?);
    let cookies = limited(emails, SIGN_IN_CONCURRENCY, move |email| sign_in(addr, email)).await?;
    let rss_signed_in = memory(server.pid())?.rss;
    eprintln!("  {n} clients signed in in {:.1} s", phase.elapsed().as_secs_f64());

    // Each request takes two changes (claim, ask); clients get more than one when the load
    // needs more than two per client.
    let changes = (options.rate * options.seconds) as usize;
    let per_client = changes.div_ceil(2).div_ceil(n).max(1);
    let phase = Instant::now();
    let requests = submit_requests(addr, &cookies, per_client, type_id.0).await?;
    eprintln!("  {} requests submitted in {:.1} s", requests.len(), phase.elapsed().as_secs_f64());

    let phase = Instant::now();
    let streams = Streams::open(addr, &cookies).await?;
    let rss_streams_open = memory(server.pid())?.rss;
    eprintln!("  {n} streams open and answered in {:.1} s", phase.elapsed().as_secs_f64());

    let load = drive_load(addr, agent, &requests, changes, options, n as u64).await?;
    eprintln!("  {} changes committed in {:.1} s", load.sent, load.elapsed);

    // Events may trail the last confirmed change a little; wait for them, boundedly.
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    while streams.shared.count.load(Ordering::SeqCst) < load.sent && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let memory_end = memory(server.pid())?;
    let (received, stream_failures) = streams.close().await;

    let owner: HashMap<i64, usize> = requests.iter().map(|r| (r.id, r.client)).collect();
    let mut per_request: HashMap<i64, usize> = HashMap::new();
    let mut seen = HashSet::new();
    let mut unexpected = 0;
    for r in &received {
        let ours = r.request.is_some_and(|id| owner.get(&id) == Some(&r.client));
        if !ours || !seen.insert(r.notification) {
            unexpected += 1;
            continue;
        }
        if let Some(id) = r.request {
            *per_request.entry(id).or_default() += 1;
        }
    }
    let mut matched = 0;
    for (id, sent) in &load.expected {
        let got = per_request.get(id).copied().unwrap_or(0);
        matched += got.min(*sent);
        unexpected += got.saturating_sub(*sent);
    }
    let mut latencies: Vec<f64> = received.iter().map(|r| r.latency_ms).collect();
    latencies.sort_by(f64::total_cmp);
    let mut notes = Vec::new();
    notes.extend(load.failures.iter().map(|f| format!("agent call failed: {f}")));
    notes.extend(stream_failures.iter().take(5).map(|f| format!("stream ended early: {f}")));
    if latencies.first().is_some_and(|l| *l < 0.0) {
        notes.push("some latencies are negative: `created_at` is later than the receipt".into());
    }
    Ok(Row {
        connections: n,
        changes: load.sent,
        received: received.len(),
        lost: load.sent - matched.min(load.sent),
        unexpected,
        failed_calls: load.failed,
        failed_streams: stream_failures.len(),
        latencies,
        achieved_rate: load.sent as f64 / load.elapsed.max(f64::EPSILON),
        rss_signed_in,
        rss_streams_open,
        rss_end: memory_end.rss,
        rss_peak: memory_end.peak,
        notes,
    })
}
