//! The command line, and the fixed settings of a run.

use app::db::Db;
use std::{path::PathBuf, time::Duration};

const DEFAULT_CONNECTIONS: [usize; 3] = [100, 500, 2000];
const DEFAULT_SERVER: &str = "target/release/fssc-server";
pub(crate) const AGENT_EMAIL: &str = "agent1@example.com";
/// A type without fields or required files, in a team the demo agent belongs to.
pub(crate) const TYPE_CODE: &str = "general_query";
pub(crate) const ORG_CODE: &str = "LIVE-BENCH";
/// Each sign-in verifies an Argon2 hash; more at once would only queue on the server's cores.
pub(crate) const SIGN_IN_CONCURRENCY: usize = 8;
/// Accounts and submissions: SQLite takes one writer at a time anyway.
pub(crate) const SETUP_CONCURRENCY: usize = 8;
/// Streams connecting but not yet answered; thousands at once would overflow the listen backlog
/// and wait out SYN retransmits, which measures the kernel, not the portal.
pub(crate) const OPENING_CONCURRENCY: usize = 64;
/// Agent calls under way at once: enough to hold the rate when one call is slow.
pub(crate) const MAX_IN_FLIGHT: usize = 16;
/// How long pushed events may trail the last committed change.
pub(crate) const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const STOP_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const GOAL_P99_MS: f64 = 50.0;
pub(crate) const GOAL_RSS_MB: f64 = 256.0;
/// Descriptors besides the streams: database, listener, log, runtime.
pub(crate) const SPARE_FILES: u64 = 256;

pub(crate) struct Options {
    pub(crate) connections: Vec<usize>,
    pub(crate) rate: u64,
    pub(crate) seconds: u64,
    pub(crate) server: PathBuf,
    pub(crate) postgres: Option<String>,
    pub(crate) timeout: u64,
}

pub(crate) const USAGE: &str = "usage: fssc-live-bench [--connections 100,500,2000] [--rate 50] [--seconds 20] \
                     [--server target/release/fssc-server] [--postgres URL] [--timeout 1800]";

pub(crate) fn parse_args() -> Result<Options, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_databases() {
        assert!(is_loopback_url("postgres://postgres@127.0.0.1:5432/postgres"));
        assert!(is_loopback_url("postgres://u:p@localhost/db"));
        assert!(is_loopback_url("postgresql://[::1]:5432/db"));
        assert!(!is_loopback_url("postgres://postgres@db.example.com:5432/postgres"));
        assert!(!is_loopback_url("postgres://postgres@10.0.0.5/postgres"));
    }
}
