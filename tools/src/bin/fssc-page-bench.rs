//! Measures the busiest pages against the ceiling of this machine: each page served by the
//! portal, then its exact bytes served from memory by bare axum, under the same load.
//!
//! ```text
//! fssc-page-bench [--connections 64] [--seconds 10] [--warmup 2] [--server target/release/fssc-server]
//! ```
//!
//! `DATABASE_URL` names a database seeded by `fssc-seed` (and `DATABASE_SCHEMA` its PostgreSQL
//! schema, if not `public`). The bench starts the real server binary on a free loopback port
//! against it, signs in the seeded client with the most requests and the agent with the most
//! teams, and loads, one after the other:
//! - the client's "My requests";
//! - the page of a request with 30 events, as the agent;
//! - the agent's queue;
//! - the client's notification centre.
//!
//! Each page is loaded by `--connections` kept-alive connections for `--seconds`, after
//! `--warmup` seconds. Then a bare axum server in this process answers each page's bytes,
//! taken from the portal a moment before, to the same load. It prints requests/s, p50 and p99
//! latency and errors for both, and the portal's share of the ceiling.

use app::db::Db;
use tools::{
    bulk,
    child::{free_port, Server},
    http1::{self, sign_in, Connection, HTTP_TIMEOUT},
    BoxError,
};
use std::{
    net::SocketAddr,
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
    time::Duration,
};
use tokio::time::Instant;

const LONG_TIMELINE: i64 = 30;
const GOAL_SHARE: f64 = 0.10;
const GOAL_P99_MS: f64 = 10.0;

struct Options {
    connections: usize,
    seconds: u64,
    warmup: u64,
    server: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let mut options =
        Options { connections: 64, seconds: 10, warmup: 2, server: PathBuf::from("target/release/fssc-server") };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|_| format!("{flag} takes a whole number"));
        match flag.as_str() {
            "--connections" => options.connections = number()?.max(1) as usize,
            "--seconds" => options.seconds = number()?.max(1),
            "--warmup" => options.warmup = number()?,
            "--server" => options.server = PathBuf::from(&value),
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
            eprintln!("{message}\nusage: fssc-page-bench [--connections 64] [--seconds 10] [--warmup 2] [--server PATH]");
            return ExitCode::from(2);
        }
    };
    match run(&options).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("fssc-page-bench: {error}");
            ExitCode::from(1)
        }
    }
}

/// One page to load: who asks for it and the request that asks.
struct Page {
    name: String,
    path: String,
    cookie: String,
    request: Vec<u8>,
}

impl Page {
    fn new(name: String, path: String, cookie: &str, addr: SocketAddr) -> Page {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nCookie: {cookie}\r\nUser-Agent: fssc-page-bench\r\n\r\n"
        )
        .into_bytes();
        Page { name, path, cookie: cookie.to_string(), request }
    }
}

#[derive(Default)]
struct Outcome {
    answered: usize,
    errors: usize,
    /// Microseconds, sorted.
    latencies: Vec<u32>,
    seconds: f64,
    bytes: usize,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.answered as f64 / self.seconds
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i] as f64 / 1000.0
    }
}

async fn run(options: &Options) -> Result<bool, BoxError> {
    let url = std::env::var("DATABASE_URL").map_err(|_| "set DATABASE_URL to a database seeded by fssc-seed")?;
    let schema = std::env::var("DATABASE_SCHEMA").ok().filter(|s| !s.is_empty() && s != "public");
    let db = Db::connect_in_schema(&url, schema.as_deref()).await?;
    let backend = match db.backend() {
        app::db::Backend::Sqlite => "SQLite",
        app::db::Backend::Postgres => "PostgreSQL",
    };
    let counts = bulk::counts(&db).await?;
    let subjects = bulk::subjects(&db, LONG_TIMELINE)
        .await?
        .ok_or("no clients or agents: seed the database with fssc-seed first")?;
    let long_request =
        subjects.long_request.ok_or(format!("no request has {LONG_TIMELINE} events: seed with fssc-seed first"))?;
    let client = bulk::email_of(&db, subjects.client.0).await?;
    let agent = bulk::email_of(&db, subjects.agent).await?;
    db.close().await;

    let port = free_port()?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let log = std::env::temp_dir().join(format!("fssc-page-bench-{}.log", std::process::id()));
    let mut portal = Server::start(&options.server, &url, schema.as_deref(), port, log.clone())?;
    portal.wait_healthy(addr).await?;
    let client_cookie = sign_in(addr, &client).await?;
    let agent_cookie = sign_in(addr, &agent).await?;
    let pages = vec![
        Page::new(format!("client: my requests ({} in all)", subjects.client.1), "/requests".into(), &client_cookie, addr),
        Page::new(format!("agent: request page, {LONG_TIMELINE} events"), format!("/requests/{long_request}"), &agent_cookie, addr),
        Page::new("agent: queue".into(), "/queue".into(), &agent_cookie, addr),
        Page::new("client: notification centre".into(), "/notifications".into(), &client_cookie, addr),
    ];

    println!(
        "### Pages against bare axum: {backend}, {} requests, {} connections for {} s after {} s warm-up\n",
        counts.requests, options.connections, options.seconds, options.warmup
    );
    println!("| page | bytes | portal req/s | p50 ms | p99 ms | errors | bare axum req/s | p50 ms | p99 ms | errors | share |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut all_met = true;
    for page in &pages {
        let body = fetch_body(addr, page).await?;
        load(addr, page, options, options.warmup).await;
        let measured = load(addr, page, options, options.seconds).await;
        let ceiling = bare_ceiling(page, &body, options).await?;
        let share = measured.rate() / ceiling.rate();
        let met = share >= GOAL_SHARE && measured.percentile_ms(0.99) < GOAL_P99_MS && measured.errors == 0;
        all_met &= met;
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.0} | {:.2} | {:.2} | {} | {:.1} %{} |",
            page.name,
            body.len(),
            measured.rate(),
            measured.percentile_ms(0.5),
            measured.percentile_ms(0.99),
            measured.errors,
            ceiling.rate(),
            ceiling.percentile_ms(0.5),
            ceiling.percentile_ms(0.99),
            ceiling.errors,
            share * 100.0,
            if met { "" } else { " (below goal)" },
        );
        if measured.bytes != body.len() * measured.answered {
            eprintln!("warning: {}: answers of other lengths than the first", page.name);
        }
    }
    println!(
        "\nGoal: each page at {:.0} % of the ceiling or more, p99 under {GOAL_P99_MS} ms, no errors: {}.",
        GOAL_SHARE * 100.0,
        if all_met { "met" } else { "not met" }
    );
    let panics = std::fs::read_to_string(&log).unwrap_or_default().matches("panicked").count();
    if panics > 0 {
        println!("The server log has {panics} panics:\n{}", portal.log_tail(20));
        all_met = false;
    }
    drop(portal);
    let _ = std::fs::remove_file(&log);
    Ok(all_met)
}

/// The page as the portal answers it now.
async fn fetch_body(addr: SocketAddr, page: &Page) -> Result<Vec<u8>, BoxError> {
    let headers = [("Accept", "text/html"), ("Cookie", page.cookie.as_str())];
    let response = http1::http(addr, "GET", &page.path, &headers, b"").await?;
    if response.status != 200 {
        return Err(format!("{} answered {}: {}", page.path, response.status, response.text()).into());
    }
    Ok(response.body)
}

/// `connections` kept-alive connections send the page's request for `seconds`.
async fn load(addr: SocketAddr, page: &Page, options: &Options, seconds: u64) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let request: Arc<[u8]> = page.request.clone().into();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..options.connections {
        let request = Arc::clone(&request);
        workers.spawn(async move {
            let mut outcome = Outcome::default();
            let mut connection = None;
            while Instant::now() < deadline {
                if connection.is_none() {
                    match Connection::open(addr).await {
                        Ok(c) => connection = Some(c),
                        Err(_) => {
                            outcome.errors += 1;
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let Some(open) = connection.as_mut() else { continue };
                let sent = Instant::now();
                match tokio::time::timeout(HTTP_TIMEOUT, open.exchange(&request)).await {
                    Ok(Ok((200, length))) => {
                        outcome.answered += 1;
                        outcome.bytes += length;
                        outcome.latencies.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    }
                    Ok(Ok(_)) => outcome.errors += 1,
                    _ => {
                        outcome.errors += 1;
                        connection = None;
                    }
                }
            }
            outcome
        });
    }
    let mut total = Outcome::default();
    while let Some(done) = workers.join_next().await {
        match done {
            Ok(outcome) => {
                total.answered += outcome.answered;
                total.errors += outcome.errors;
                total.bytes += outcome.bytes;
                total.latencies.extend(outcome.latencies);
            }
            Err(_) => total.errors += 1,
        }
    }
    total.seconds = started.elapsed().as_secs_f64();
    total.latencies.sort_unstable();
    total
}

/// The same bytes from memory: what this machine can serve at all over HTTP with axum.
async fn bare_ceiling(page: &Page, body: &[u8], options: &Options) -> Result<Outcome, BoxError> {
    use axum::{http::header, routing::get, Router};
    let body = axum::body::Bytes::copy_from_slice(body);
    let app = Router::new().fallback(get(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body) }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let served = tokio::spawn(async move { axum::serve(listener, app).await });
    load(addr, page, options, options.warmup).await;
    let outcome = load(addr, page, options, options.seconds).await;
    served.abort();
    Ok(outcome)
}
