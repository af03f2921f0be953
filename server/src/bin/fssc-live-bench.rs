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

use app::{
    auth::{
        ssr::{password, store as users},
        Language, Role,
    },
    catalogue::store as catalogue,
    db::Db,
    orgs::{store as orgs, OrgKind},
    seed::DEMO_PASSWORD,
    validation::Email,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use server::{
    bench::{self, find, http, memory, BoxError, Chunked, Head, Server, HTTP_TIMEOUT, MAX_LINE_BYTES, MAX_RESPONSE_BYTES},
    rng::Rng,
};
use std::{
    collections::{HashMap, HashSet, VecDeque},
    future::Future,
    net::SocketAddr,
    path::PathBuf,
    process::ExitCode,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::{watch, OwnedSemaphorePermit, Semaphore},
    task::JoinSet,
    time::Instant,
};

const DEFAULT_CONNECTIONS: [usize; 3] = [100, 500, 2000];
const DEFAULT_SERVER: &str = "target/release/fssc-server";
const AGENT_EMAIL: &str = "agent1@example.com";
/// A type without fields or required files, in a team the demo agent belongs to.
const TYPE_CODE: &str = "general_query";
const ORG_CODE: &str = "LIVE-BENCH";
/// Each sign-in verifies an Argon2 hash; more at once would only queue on the server's cores.
const SIGN_IN_CONCURRENCY: usize = 8;
/// Accounts and submissions: SQLite takes one writer at a time anyway.
const SETUP_CONCURRENCY: usize = 8;
/// Streams connecting but not yet answered; thousands at once would overflow the listen backlog
/// and wait out SYN retransmits, which measures the kernel, not the portal.
const OPENING_CONCURRENCY: usize = 64;
/// Agent calls under way at once: enough to hold the rate when one call is slow.
const MAX_IN_FLIGHT: usize = 16;
/// How long pushed events may trail the last committed change.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
const GOAL_P99_MS: f64 = 50.0;
const GOAL_RSS_MB: f64 = 256.0;
/// Descriptors besides the streams: database, listener, log, runtime.
const SPARE_FILES: u64 = 256;


struct Options {
    connections: Vec<usize>,
    rate: u64,
    seconds: u64,
    server: PathBuf,
    postgres: Option<String>,
    timeout: u64,
}

const USAGE: &str = "usage: fssc-live-bench [--connections 100,500,2000] [--rate 50] [--seconds 20] \
                     [--server target/release/fssc-server] [--postgres URL] [--timeout 1800]";

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        connections: DEFAULT_CONNECTIONS.to_vec(),
        rate: 50,
        seconds: 20,
        server: DEFAULT_SERVER.into(),
        postgres: None,
        timeout: 1800,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let number = |text: &str| {
            text.trim().replace('_', "").parse::<u64>().ok().filter(|n| *n > 0).ok_or(format!("{arg}: not a positive number: {text}"))
        };
        match arg.as_str() {
            "--connections" => {
                options.connections =
                    value.split(',').map(|n| number(n).map(|n| n as usize)).collect::<Result<_, _>>()?;
            }
            "--rate" => options.rate = number(&value)?,
            "--seconds" => options.seconds = number(&value)?,
            "--server" => options.server = value.into(),
            "--postgres" => options.postgres = Some(value),
            "--timeout" => options.timeout = number(&value)?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if let Some(url) = &options.postgres {
        if !Db::is_postgres_url(url) || !is_loopback_url(url) {
            return Err(format!("--postgres must name a PostgreSQL server on this machine: {url}"));
        }
    }
    Ok(options)
}

/// Whether a database URL points at this machine (or at a Unix socket).
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    matches!(host, "" | "localhost" | "::1") || host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

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
    let work = WorkDir::create(n)?;
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

/// Adds `n` clients of one subsidiary; answers their email addresses.
async fn create_clients(db: &Db, n: usize) -> Result<Vec<String>, BoxError> {
    let tier = orgs::tier_by_code(db, "standard").await?;
    let org = orgs::ensure(db, ORG_CODE, "Live bench subsidiary", OrgKind::Subsidiary, tier).await?;
    // Argon2 is deliberately slow: one hash serves every account.
    let hash = Arc::new(password::hash(DEMO_PASSWORD).await?);
    let emails: Vec<String> = (0..n).map(|i| format!("live.client{i:05}@bench.example.com")).collect();
    let db = db.clone();
    limited(emails.clone(), SETUP_CONCURRENCY, move |email| {
        let db = db.clone();
        let hash = hash.clone();
        async move {
            let parsed = Email::parse(&email).map_err(|e| format!("{email}: {e:?}"))?;
            let new = users::NewUser {
                email: &parsed,
                display_name: &email,
                password_hash: hash.as_str(),
                language: Language::ZhCn,
                time_zone: app::time::DEFAULT_TIME_ZONE,
            };
            let id = users::create_user(&db, new).await?;
            if !users::set_membership(&db, id, org, Some(Role::Client)).await? {
                return Err(format!("no membership for {email}").into());
            }
            Ok(())
        }
    })
    .await?;
    Ok(emails)
}

async fn sign_in(addr: SocketAddr, email: String) -> Result<String, BoxError> {
    bench::sign_in(addr, &email).await
}

/// A request and the index of the client who submitted it.
#[derive(Debug, Clone, Copy)]
struct Submitted {
    id: i64,
    client: usize,
}

async fn submit_requests(
    addr: SocketAddr,
    cookies: &[String],
    per_client: usize,
    type_id: i64,
) -> Result<Vec<Submitted>, BoxError> {
    let jobs: Vec<(usize, usize, String)> = cookies
        .iter()
        .enumerate()
        .flat_map(|(client, cookie)| (0..per_client).map(move |k| (client, k, cookie.clone())))
        .collect();
    limited(jobs, SETUP_CONCURRENCY, move |(client, k, cookie)| async move {
        let body = json!({"input": {
            "type_id": type_id,
            "org": null,
            "title": format!("Live bench query {client}-{k}"),
            "description": "",
            "fields": [],
            "urgent": false,
            "urgent_reason": "",
            "files": [],
            "idempotency_key": format!("live-bench-{client}-{k}"),
        }});
        let id = call(addr, &cookie, "requests/submit", &body).await?;
        Ok(Submitted { id, client })
    })
    .await
}

/// Runs `work` on every item, at most `limit` at a time; answers the results in item order, or
/// the first failure (the other calls are then abandoned).
async fn limited<T, R, F, Fut>(items: Vec<T>, limit: usize, work: F) -> Result<Vec<R>, BoxError>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R, BoxError>> + Send + 'static,
    R: Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limit.max(1)));
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let mut tasks = JoinSet::new();
    let mut keep = |joined: Result<(usize, Result<R, BoxError>), tokio::task::JoinError>| -> Result<(), BoxError> {
        let (index, result) = joined?;
        results[index] = Some(result?);
        Ok(())
    };
    for (index, item) in items.into_iter().enumerate() {
        let permit = permits.clone().acquire_owned().await?;
        let job = work(item);
        tasks.spawn(async move {
            let _permit = permit;
            (index, job.await)
        });
        while let Some(joined) = tasks.try_join_next() {
            keep(joined)?;
        }
    }
    while let Some(joined) = tasks.join_next().await {
        keep(joined)?;
    }
    results.into_iter().map(|r| r.ok_or_else(|| "a task gave no result".into())).collect()
}

/// Calls a server function whose input is JSON and whose answer is a number.
async fn call(addr: SocketAddr, cookie: &str, endpoint: &str, body: &serde_json::Value) -> Result<i64, BoxError> {
    let headers = [("Content-Type", "application/json"), ("Accept", "application/json"), ("Cookie", cookie)];
    let response = http(addr, "POST", &format!("/api/{endpoint}"), &headers, body.to_string().as_bytes()).await?;
    if !(200..300).contains(&response.status) {
        return Err(format!("{endpoint} answered {}: {}", response.status, response.text()).into());
    }
    serde_json::from_slice::<i64>(&response.body)
        .map_err(|_| format!("{endpoint} answered {} instead of a number", response.text()).into())
}

// ---------------------------------------------------------------------------------------------
// The agent's load

#[derive(Debug, Clone, Copy)]
enum Op {
    Claim(i64),
    Ask { id: i64, version: i64 },
}

#[derive(Default)]
struct LoadState {
    sent: AtomicUsize,
    failed: AtomicUsize,
    /// Confirmed changes per request.
    expected: Mutex<HashMap<i64, usize>>,
    /// Claimed requests with their new version, ready to be asked about.
    asks: Mutex<VecDeque<(i64, i64)>>,
    failures: Mutex<Vec<String>>,
}

struct Load {
    sent: usize,
    failed: usize,
    expected: HashMap<i64, usize>,
    failures: Vec<String>,
    /// Seconds from the first change issued to the last one confirmed.
    elapsed: f64,
}

/// Issues `changes` status changes at the steady rate, as the demo agent.
async fn drive_load(
    addr: SocketAddr,
    agent: Arc<String>,
    requests: &[Submitted],
    changes: usize,
    options: &Options,
    seed: u64,
) -> Result<Load, BoxError> {
    let mut order: Vec<i64> = requests.iter().map(|r| r.id).collect();
    Rng::new(seed).shuffle(&mut order);
    let mut claims = order.into_iter();
    let state = Arc::new(LoadState::default());
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / options.rate as f64));
    let started = Instant::now();
    let give_up = started + Duration::from_secs(options.seconds * 2 + 30);
    let mut calls = JoinSet::new();
    let mut issued = 0;
    while issued < changes {
        if Instant::now() >= give_up {
            return Err(format!("issued only {issued} of {changes} changes in {:.0} s", started.elapsed().as_secs_f64()).into());
        }
        tick.tick().await;
        while calls.try_join_next().is_some() {}
        // An ask as soon as its claim is confirmed keeps requests moving; a new claim otherwise.
        let next = lock(&state.asks).pop_front();
        let op = match next {
            Some((id, version)) => Op::Ask { id, version },
            None => match claims.next() {
                Some(id) => Op::Claim(id),
                // Every request claimed, their asks still under way: try at the next tick.
                None => continue,
            },
        };
        let permit = permits.clone().acquire_owned().await?;
        issued += 1;
        calls.spawn(act(addr, agent.clone(), op, state.clone(), permit));
    }
    let finished = tokio::time::timeout(HTTP_TIMEOUT + Duration::from_secs(5), async {
        while calls.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        return Err("agent calls were still under way after the HTTP timeout".into());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let expected = std::mem::take(&mut *lock(&state.expected));
    let failures = std::mem::take(&mut *lock(&state.failures));
    Ok(Load {
        sent: state.sent.load(Ordering::SeqCst),
        failed: state.failed.load(Ordering::SeqCst),
        expected,
        failures,
        elapsed,
    })
}

async fn act(addr: SocketAddr, agent: Arc<String>, op: Op, state: Arc<LoadState>, _permit: OwnedSemaphorePermit) {
    let (id, version, command) = match op {
        // A new request is at version 1; a claim does not check it anyway.
        Op::Claim(id) => (id, 1, json!("Claim")),
        Op::Ask { id, version } => {
            (id, version, json!({"AskForInformation": {"message": "Please send the signed contract."}}))
        }
    };
    let body = json!({"id": id, "version": version, "command": command});
    match call(addr, &agent, "requests/act", &body).await {
        Ok(new_version) => {
            *lock(&state.expected).entry(id).or_default() += 1;
            state.sent.fetch_add(1, Ordering::SeqCst);
            if matches!(op, Op::Claim(_)) {
                lock(&state.asks).push_back((id, new_version));
            }
        }
        Err(error) => {
            state.failed.fetch_add(1, Ordering::SeqCst);
            let mut failures = lock(&state.failures);
            if failures.len() < 5 {
                failures.push(format!("{op:?}: {error}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The clients' event streams

/// One `notification` event as a client parsed it.
struct Received {
    client: usize,
    notification: i64,
    request: Option<i64>,
    latency_ms: f64,
}

/// The fields of a pushed notification the bench checks.
#[derive(Deserialize)]
struct Pushed {
    id: i64,
    request_id: Option<i64>,
    created_at: DateTime<Utc>,
}

#[derive(Default)]
struct StreamState {
    /// Streams that have had their first event.
    ready: AtomicUsize,
    /// Notification events received so far.
    count: AtomicUsize,
    received: Mutex<Vec<Received>>,
    failures: Mutex<Vec<String>>,
}

struct Streams {
    shared: Arc<StreamState>,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Streams {
    /// Opens one stream per cookie and waits until each has sent its first (`unread`) event:
    /// from then on the server has registered it and will push to it.
    async fn open(addr: SocketAddr, cookies: &[String]) -> Result<Streams, BoxError> {
        let shared = Arc::new(StreamState::default());
        let (stop, stopped) = watch::channel(false);
        let opening = Arc::new(Semaphore::new(OPENING_CONCURRENCY));
        let mut tasks = JoinSet::new();
        let deadline = Instant::now() + Duration::from_secs(60) + Duration::from_millis(50 * cookies.len() as u64);
        let failed = |shared: &StreamState| {
            let failures = lock(&shared.failures);
            failures.first().map(|first| format!("{} streams failed while opening; the first: {first}", failures.len()))
        };
        for (client, cookie) in cookies.iter().enumerate() {
            let permit = tokio::time::timeout_at(deadline, opening.clone().acquire_owned())
                .await
                .map_err(|_| format!("streams were still opening after {} of {} had started", client, cookies.len()))??;
            if let Some(message) = failed(&shared) {
                return Err(message.into());
            }
            tasks.spawn(hold_stream(addr, client, cookie.clone(), shared.clone(), permit, stopped.clone()));
        }
        loop {
            let ready = shared.ready.load(Ordering::SeqCst);
            if ready == cookies.len() {
                break;
            }
            if let Some(message) = failed(&shared) {
                return Err(message.into());
            }
            if Instant::now() >= deadline {
                return Err(format!("only {ready} of {} streams had their first event in time", cookies.len()).into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(Streams { shared, stop, tasks })
    }

    /// Closes every stream; answers what they received and how those that ended early failed.
    async fn close(mut self) -> (Vec<Received>, Vec<String>) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(STOP_TIMEOUT, async { while self.tasks.join_next().await.is_some() {} }).await;
        self.tasks.abort_all();
        let received = std::mem::take(&mut *lock(&self.shared.received));
        let failures = std::mem::take(&mut *lock(&self.shared.failures));
        (received, failures)
    }
}

async fn hold_stream(
    addr: SocketAddr,
    client: usize,
    cookie: String,
    shared: Arc<StreamState>,
    opening: OwnedSemaphorePermit,
    mut stop: watch::Receiver<bool>,
) {
    let outcome = tokio::select! {
        outcome = read_stream(addr, client, &cookie, &shared, opening) => outcome,
        _ = stop.wait_for(|stop| *stop) => Ok(()),
    };
    if let Err(error) = outcome {
        lock(&shared.failures).push(format!("client {client}: {error}"));
    }
}

/// Reads one client's stream until the server ends it (an error here) or the bench stops it.
async fn read_stream(
    addr: SocketAddr,
    client: usize,
    cookie: &str,
    shared: &StreamState,
    opening: OwnedSemaphorePermit,
) -> Result<(), BoxError> {
    let mut opening = Some(opening);
    let mut stream = tokio::time::timeout(HTTP_TIMEOUT, TcpStream::connect(addr))
        .await
        .map_err(|_| "connecting timed out")??;
    let request = format!(
        "GET /events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\
         Cache-Control: no-cache\r\nConnection: keep-alive\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buffer = vec![0u8; 8192];
    let mut raw = Vec::new();
    let head = loop {
        let n = tokio::time::timeout(HTTP_TIMEOUT, stream.read(&mut buffer))
            .await
            .map_err(|_| "no answer to GET /events in time")??;
        if n == 0 {
            return Err("the server closed the connection without answering".into());
        }
        raw.extend_from_slice(&buffer[..n]);
        if let Some(head) = Head::parse(&raw)? {
            break head;
        }
        if raw.len() > MAX_LINE_BYTES {
            return Err("the answer's head is too long".into());
        }
    };
    if head.status != 200 {
        return Err(format!("GET /events answered {}: {}", head.status, String::from_utf8_lossy(&raw[head.len..])).into());
    }
    let mut chunked = head.is_chunked().then(Chunked::default);
    let mut events = EventParser::default();
    let mut payload = Vec::new();
    let mut input = raw.split_off(head.len);
    loop {
        payload.clear();
        match &mut chunked {
            Some(decoder) => decoder.feed(&input, &mut payload)?,
            None => payload.extend_from_slice(&input),
        }
        events.push(&payload)?;
        while let Some(event) = events.next_event() {
            let at = Utc::now();
            match event.kind.as_str() {
                "unread" => {
                    if opening.take().is_some() {
                        shared.ready.fetch_add(1, Ordering::SeqCst);
                    }
                }
                "notification" => {
                    let pushed: Pushed = serde_json::from_str(&event.data)
                        .map_err(|e| format!("unreadable notification {}: {e}", event.data))?;
                    let latency = at.signed_duration_since(pushed.created_at);
                    let latency_ms = latency.num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0;
                    lock(&shared.received).push(Received {
                        client,
                        notification: pushed.id,
                        request: pushed.request_id,
                        latency_ms,
                    });
                    shared.count.fetch_add(1, Ordering::SeqCst);
                }
                _ => {}
            }
        }
        if chunked.as_ref().is_some_and(Chunked::is_done) {
            return Err("the server ended the stream".into());
        }
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        input.clear();
        input.extend_from_slice(&buffer[..n]);
    }
}

/// One server-sent event: its `event:` name and its `data:` lines joined.
struct SseEvent {
    kind: String,
    data: String,
}

/// Splits a server-sent event stream into events (blocks ended by a blank line).
#[derive(Default)]
struct EventParser {
    buffer: Vec<u8>,
}

impl EventParser {
    fn push(&mut self, bytes: &[u8]) -> Result<(), BoxError> {
        // Lines may end in CRLF too; no field the portal sends contains a raw CR.
        self.buffer.extend(bytes.iter().filter(|b| **b != b'\r'));
        if self.buffer.len() > MAX_RESPONSE_BYTES as usize {
            return Err("an event never ended".into());
        }
        Ok(())
    }

    /// The next complete event; keep-alive comments are skipped.
    fn next_event(&mut self) -> Option<SseEvent> {
        loop {
            let end = find(&self.buffer, b"\n\n")?;
            let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&block);
            let mut event = SseEvent { kind: "message".into(), data: String::new() };
            let mut any = false;
            let mut data_lines = 0;
            for line in text.lines() {
                if line.starts_with(':') {
                    continue;
                }
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => event.kind = value.to_string(),
                    "data" => {
                        if data_lines > 0 {
                            event.data.push('\n');
                        }
                        event.data.push_str(value);
                        data_lines += 1;
                    }
                    "id" | "retry" => {}
                    _ => continue,
                }
                any = true;
            }
            if any {
                return Some(event);
            }
        }
    }
}

fn free_port() -> Result<u16, BoxError> {
    // The port is free once this listener closes; the server binds it a moment later.
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A temporary directory for one run's SQLite file and server log, removed afterwards.
struct WorkDir(PathBuf);

impl WorkDir {
    fn create(n: usize) -> std::io::Result<WorkDir> {
        let path = std::env::temp_dir().join(format!("fssc-live-bench-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)?;
        Ok(WorkDir(path))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL schemas this run made, dropped whatever becomes of the run.
struct Schemas {
    admin: Option<Db>,
    made: Mutex<Vec<String>>,
}

impl Schemas {
    async fn connect(postgres: Option<&str>) -> Result<Schemas, BoxError> {
        let admin = match postgres {
            Some(url) => Some(Db::connect(url).await?),
            None => None,
        };
        Ok(Schemas { admin, made: Mutex::new(Vec::new()) })
    }

    async fn create(&self, schema: &str) -> Result<(), BoxError> {
        let Some(Db::Postgres(pool)) = &self.admin else { return Err("no PostgreSQL connection".into()) };
        // A schema left by an earlier run with the same process id would hold stale data.
        sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).execute(pool).await?;
        sqlx::query(&format!("CREATE SCHEMA \"{schema}\"")).execute(pool).await?;
        lock(&self.made).push(schema.to_string());
        Ok(())
    }

    async fn drop_all(&self) {
        let Some(Db::Postgres(pool)) = &self.admin else { return };
        let made = std::mem::take(&mut *lock(&self.made));
        for schema in made {
            let dropped = tokio::time::timeout(
                Duration::from_secs(30),
                sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE")).execute(pool),
            )
            .await;
            match dropped {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => eprintln!("warning: could not drop schema {schema}: {error}"),
                Err(_) => eprintln!("warning: dropping schema {schema} took too long; drop it by hand"),
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking stream task must not hide what the others received.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_on_blank_lines_and_skip_comments() {
        let mut parser = EventParser::default();
        parser.push(b": keep-alive\n\nid: 7\nevent: notification\ndata: {\"id\":7}\n\nevent: unr").expect("push");
        let event = parser.next_event().expect("one event");
        assert_eq!((event.kind.as_str(), event.data.as_str()), ("notification", "{\"id\":7}"));
        assert!(parser.next_event().is_none());
        parser.push(b"ead\r\ndata: 3\r\n\r\n").expect("push");
        let event = parser.next_event().expect("the rest");
        assert_eq!((event.kind.as_str(), event.data.as_str()), ("unread", "3"));
    }

    #[test]
    fn only_loopback_databases() {
        assert!(is_loopback_url("postgres://postgres@127.0.0.1:5432/postgres"));
        assert!(is_loopback_url("postgres://u:p@localhost/db"));
        assert!(is_loopback_url("postgresql://[::1]:5432/db"));
        assert!(!is_loopback_url("postgres://postgres@db.example.com:5432/postgres"));
        assert!(!is_loopback_url("postgres://postgres@10.0.0.5/postgres"));
    }
}
