//! The portal's server binary run as a child process, and what /proc says of its memory.

use crate::{http1::http, BoxError};
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};
use tokio::time::Instant;

const HEALTH_TIMEOUT: Duration = Duration::from_secs(60);

/// The server as a child process, killed when this value goes.
pub struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    pub fn start(binary: &Path, url: &str, schema: Option<&str>, port: u16, log: PathBuf) -> Result<Server, BoxError> {
        Self::start_with(binary, url, schema, port, log, &[])
    }

    /// As [`Server::start`], with further environment variables (limits, timeouts).
    pub fn start_with(
        binary: &Path,
        url: &str,
        schema: Option<&str>,
        port: u16,
        log: PathBuf,
        env: &[(&str, &str)],
    ) -> Result<Server, BoxError> {
        let file = std::fs::File::create(&log)?;
        let mut command = Command::new(binary);
        command
            // Mail or a public URL from the caller's shell would change what is measured.
            .env_remove("SMTP_HOST")
            .env_remove("PUBLIC_URL")
            .env_remove("DATABASE_SCHEMA")
            .env("DATABASE_URL", url)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("FSSC_DEMO_SEED", "1")
            // The measurements assume the demo accounts without their months of history.
            .env("FSSC_DEMO_HISTORY", "0")
            // The benchmarks drive each account far harder than a person can.
            .env("RATE_LIMIT_BURST", "1000000")
            .env("RUST_LOG", "warn")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file);
        if let Some(schema) = schema {
            command.env("DATABASE_SCHEMA", schema);
        }
        command.envs(env.iter().copied());
        let child = command.spawn().map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        Ok(Server { child, log })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub async fn wait_healthy(&mut self, addr: SocketAddr) -> Result<(), BoxError> {
        let deadline = Instant::now() + HEALTH_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("the server exited during start-up ({status})").into());
            }
            let probe = tokio::time::timeout(Duration::from_secs(2), http(addr, "GET", "/healthz", &[], b"")).await;
            if let Ok(Ok(response)) = probe {
                if response.status == 200 {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(format!("GET /healthz did not answer 200 within {} s", HEALTH_TIMEOUT.as_secs()).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].iter().map(|line| format!("    {line}\n")).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Memory {
    /// Megabytes resident now.
    pub rss: f64,
    /// The most ever resident.
    pub peak: f64,
}

pub fn memory(pid: u32) -> Result<Memory, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let megabytes = |key: &str| -> Result<f64, BoxError> {
        let line = status.lines().find(|l| l.starts_with(key)).ok_or(format!("no {key} in /proc/{pid}/status"))?;
        let kb: f64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .ok_or(format!("odd line in /proc/{pid}/status: {line}"))?;
        Ok(kb / 1024.0)
    };
    Ok(Memory { rss: megabytes("VmRSS:")?, peak: megabytes("VmHWM:")? })
}

/// A loopback port nobody listens on.
pub fn free_port() -> Result<u16, BoxError> {
    // The port is free once this listener closes; the server binds it a moment later.
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A temporary directory for one run's SQLite file and server log, removed afterwards.
pub struct WorkDir(pub PathBuf);

impl WorkDir {
    /// `name` tells runs of one tool apart; the process id tells concurrent tools apart.
    pub fn create(name: &str) -> std::io::Result<WorkDir> {
        let path = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
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
