//! Replays the sign-in race (H1), the sign-in flood (H2) and the idle-connection flood (M2)
//! against the release server on loopback, with bounded counts, and prints PASS or FAIL for
//! each. These are loads rather than unit tests; `make bench-security` runs them.
//!
//! ```text
//! fssc-security-bench [--server target/release/fssc-server]
//! ```
//!
//! - H1: 99 concurrent wrong passwords for one account, then the right one: the right one must
//!   be refused (the account is locked), and at most 10 guesses may have been checked (401).
//! - H2: 300 concurrent sign-ins from 300 loopback addresses (so the per-address lock does not
//!   end the flood early): every answer is 401 or 503 with `Retry-After`, the server stays
//!   under 256 MB, and `/healthz` answers within 100 ms throughout.
//! - M2: 1,000 idle connections held open: `/healthz` answers within 100 ms, and a silent
//!   connection is closed within the idle timeout (5 s here) plus one second.

use tools::{
    child::{free_port, memory, Server, WorkDir},
    http1::form_encode,
    BoxError,
};
use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
    time::Instant,
};

const ACCOUNT: &str = "client.east@example.com";
const IDLE_TIMEOUT_SECS: u64 = 5;
const MEMORY_LIMIT_MB: f64 = 256.0;
const HEALTHZ_LIMIT_MS: f64 = 100.0;

#[tokio::main]
async fn main() -> ExitCode {
    let mut binary = PathBuf::from("target/release/fssc-server");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--server", Some(path)) => binary = PathBuf::from(path),
            _ => {
                eprintln!("usage: fssc-security-bench [--server target/release/fssc-server]");
                return ExitCode::from(2);
            }
        }
    }
    match run(binary).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("fssc-security-bench: {error}");
            ExitCode::from(2)
        }
    }
}

async fn run(binary: PathBuf) -> Result<bool, BoxError> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let work = WorkDir::create("fssc-security-bench")?;
    let data = &work.0;
    let port = free_port()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let url = format!("sqlite://{}/portal.db", data.display());
    let idle = IDLE_TIMEOUT_SECS.to_string();
    let mut server = Server::start_with(
        &binary,
        &url,
        None,
        port,
        data.join("server.log"),
        &[("HTTP_IDLE_TIMEOUT_SECS", idle.as_str())],
    )?;
    server.wait_healthy(addr).await?;
    println!("fssc-security-bench: {} on {addr} (SQLite), {} cores", binary.display(), cores());

    let mut passed = true;
    passed &= report("H1 sign-in race", sign_in_race(addr).await?);
    passed &= report("H2 sign-in flood", sign_in_flood(addr, server.pid()).await?);
    passed &= report("M2 idle connections", idle_connections(addr).await?);
    // The server goes before its directory.
    drop(server);
    drop(work);
    println!("{}", if passed { "ALL PASS" } else { "SOME FAILED" });
    Ok(passed)
}

fn cores() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}

/// One finding's outcome: whether it held, and what was measured.
struct Outcome {
    held: bool,
    figures: String,
}

fn report(name: &str, outcome: Outcome) -> bool {
    println!("{} {name}: {}", if outcome.held { "PASS" } else { "FAIL" }, outcome.figures);
    outcome.held
}

/// A sign-in from `from`, as the portal's own page sends it; answers the status and whether
/// `Retry-After` came with it.
async fn sign_in(addr: SocketAddr, from: IpAddr, email: &str, password: &str) -> Result<(u16, bool), BoxError> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    let mut stream = socket.connect(addr).await?;
    let body = format!("email={}&password={}", form_encode(email), form_encode(password));
    let request = format!(
        "POST /api/auth/sign_in HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await??;
    let text = String::from_utf8_lossy(&answer);
    let status = text.get(9..12).and_then(|s| s.parse().ok()).ok_or("no status line")?;
    Ok((status, text.to_ascii_lowercase().contains("\r\nretry-after:")))
}

async fn sign_in_race(addr: SocketAddr) -> Result<Outcome, BoxError> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let guesses: Vec<_> =
        (0..99).map(|n| tokio::spawn(async move { sign_in(addr, loopback, ACCOUNT, &format!("guess {n}")).await })).collect();
    let mut checked = 0;
    let mut refused = 0;
    for guess in guesses {
        match guess.await?? {
            (401, _) => checked += 1,
            (429, _) => refused += 1,
            (status, _) => return Err(format!("a wrong guess answered {status}").into()),
        }
    }
    let (right, _) = sign_in(addr, loopback, ACCOUNT, app::seed::DEMO_PASSWORD).await?;
    Ok(Outcome {
        held: checked <= 10 && right == 429,
        figures: format!("99 parallel wrong guesses: {checked} checked, {refused} refused; then the right password: {right}"),
    })
}

/// `/healthz` latencies in milliseconds, sampled every 20 ms until `stop` is set.
async fn sample_healthz(addr: SocketAddr, stop: tokio::sync::watch::Receiver<bool>) -> Vec<f64> {
    let mut samples = Vec::new();
    while !*stop.borrow() {
        let started = Instant::now();
        let answered = tokio::time::timeout(Duration::from_secs(10), healthz(addr)).await;
        samples.push(if matches!(answered, Ok(Ok(200))) { started.elapsed().as_secs_f64() * 1000.0 } else { f64::INFINITY });
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    samples
}

async fn healthz(addr: SocketAddr) -> Result<u16, BoxError> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0))
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

async fn sign_in_flood(addr: SocketAddr, pid: u32) -> Result<Outcome, BoxError> {
    let before = memory(pid)?.rss;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let sampler = tokio::spawn(sample_healthz(addr, stopped));
    let started = Instant::now();
    let attempts: Vec<_> = (0..300u32)
        .map(|n| {
            // Each from an address of its own: 127.0.1.0 to 127.0.2.43.
            let from = IpAddr::V4(Ipv4Addr::new(127, 0, 1 + (n / 256) as u8, (n % 256) as u8));
            tokio::spawn(async move { sign_in(addr, from, &format!("nobody{n}@example.com"), "wrong password").await })
        })
        .collect();
    let (mut checked, mut busy, mut other) = (0, 0, 0);
    for attempt in attempts {
        match attempt.await?? {
            (401, _) => checked += 1,
            (503, true) => busy += 1,
            _ => other += 1,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = stop.send(true);
    let mut samples = sampler.await?;
    let peak = memory(pid)?.peak;
    let worst = samples.iter().copied().fold(0.0, f64::max);
    let median = percentile(&mut samples, 0.5);
    Ok(Outcome {
        held: other == 0 && peak < MEMORY_LIMIT_MB && worst < HEALTHZ_LIMIT_MS,
        figures: format!(
            "300 parallel sign-ins in {seconds:.1} s: {checked} checked, {busy} told to retry, {other} other; \
             RSS {before:.0} MB before, peak {peak:.0} MB (limit {MEMORY_LIMIT_MB:.0}); \
             /healthz p50 {median:.1} ms, worst {worst:.1} ms over {} samples (limit {HEALTHZ_LIMIT_MS:.0})",
            samples.len()
        ),
    })
}

async fn idle_connections(addr: SocketAddr) -> Result<Outcome, BoxError> {
    let first_connected = Instant::now();
    let mut idle = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        idle.push(TcpStream::connect(addr).await?);
    }
    let mut samples = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let ok = matches!(tokio::time::timeout(Duration::from_secs(10), healthz(addr)).await, Ok(Ok(200)));
        samples.push(if ok { started.elapsed().as_secs_f64() * 1000.0 } else { f64::INFINITY });
    }
    let worst = samples.iter().copied().fold(0.0, f64::max);
    let median = percentile(&mut samples, 0.5);
    // The first of them has been silent since it connected: the server must close it.
    let mut silent = idle.swap_remove(0);
    let mut buffer = [0u8; 64];
    let closed_after = match tokio::time::timeout(Duration::from_secs(IDLE_TIMEOUT_SECS + 5), silent.read(&mut buffer)).await {
        Ok(Ok(0)) | Ok(Err(_)) => Some(first_connected.elapsed().as_secs_f64()),
        _ => None,
    };
    drop(idle);
    let closed_in_time = closed_after.is_some_and(|s| s <= (IDLE_TIMEOUT_SECS + 1) as f64);
    Ok(Outcome {
        held: worst < HEALTHZ_LIMIT_MS && closed_in_time,
        figures: format!(
            "1,000 idle connections: /healthz p50 {median:.1} ms, worst {worst:.1} ms (limit {HEALTHZ_LIMIT_MS:.0}); \
             a silent connection {} (idle timeout {IDLE_TIMEOUT_SECS} s)",
            match closed_after {
                Some(seconds) => format!("was closed by the server after {seconds:.1} s"),
                None => format!("was still open after {} s", IDLE_TIMEOUT_SECS + 5),
            }
        ),
    })
}
