//! Settings from the environment, with defaults that run a local portal.

use app::state::{Settings, ThrottlePolicy};
use std::{env, net::SocketAddr, path::PathBuf};

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// PostgreSQL schema for the session table; tables of the portal follow `search_path`.
    pub database_schema: String,
    pub addr: SocketAddr,
    pub settings: Settings,
    /// Where `cargo leptos build` wrote the site (`pkg/`, favicon, ...).
    pub site_root: PathBuf,
    pub seed_demo: bool,
    /// With the demo seed: three months of past requests, ratings, follow-ups and policy pages
    /// for the demo subsidiaries (`FSSC_DEMO_HISTORY`, on unless `0`, `false` or `no`).
    pub demo_history: bool,
    pub bootstrap_admin: Option<(String, String)>,
    /// SMTP for email notifications; `None` turns email off.
    pub mail: Option<crate::mailer::MailConfig>,
    pub connections: crate::edge::connections::ConnectionLimits,
    pub rate: crate::edge::rate::RateLimit,
    /// How often the SLA scheduler looks for warnings and breaches to send.
    pub sla_tick: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("{name} has an invalid value `{value}`")]
pub struct ConfigError {
    name: &'static str,
    value: String,
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        Some(value) => value.parse().map_err(|_| ConfigError { name, value }),
        None => Ok(default),
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let host: std::net::IpAddr = parsed("HOST", [127, 0, 0, 1].into())?;
        let port: u16 = parsed("PORT", 3000)?;
        let addr = SocketAddr::new(host, port);
        let public_url = var("PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}"));
        let mut settings = Settings::new(public_url);
        settings.session_idle = chrono::Duration::minutes(parsed("SESSION_IDLE_MINUTES", 30)?);
        settings.session_absolute = chrono::Duration::hours(parsed("SESSION_MAX_HOURS", 12)?);
        settings.throttle = ThrottlePolicy::default();
        let mib = app::kernel::MIB;
        settings.uploads = app::kernel::UploadLimits {
            max_file_bytes: parsed("UPLOAD_MAX_FILE_MB", 20u64)? * mib,
            max_request_bytes: parsed("UPLOAD_MAX_REQUEST_MB", 100u64)? * mib,
            max_files_per_request: parsed("UPLOAD_MAX_FILES", 20u32)?,
            daily_files: parsed("UPLOAD_DAILY_FILES", 200u32)?,
            daily_bytes: parsed("UPLOAD_DAILY_MB", 2048u64)? * mib,
        };
        settings.ratings = app::state::RatingPolicy {
            close_unrated_after: chrono::Duration::days(parsed("RATING_CLOSE_AFTER_DAYS", 7)?),
            change_within: chrono::Duration::days(parsed("RATING_CHANGE_WITHIN_DAYS", 7)?),
            follow_up_working_days: parsed("FOLLOW_UP_WORKING_DAYS", 2)?,
            agents_see_comments_at_once: parsed("AGENTS_SEE_RATING_COMMENTS", false)?,
            tell_client_of_follow_up: parsed("TELL_CLIENT_OF_FOLLOW_UP", true)?,
        };
        settings.paused_flag_percent = parsed("PAUSED_SHARE_FLAG_PERCENT", 25i64)?.clamp(0, 100);
        let bootstrap_admin = match (var("FSSC_ADMIN_EMAIL"), var("FSSC_ADMIN_PASSWORD")) {
            (Some(email), Some(password)) => Some((email, password)),
            _ => None,
        };
        let seed_demo = matches!(var("FSSC_DEMO_SEED").as_deref(), Some("1" | "true" | "yes"));
        let demo_history = seed_demo && !matches!(var("FSSC_DEMO_HISTORY").as_deref(), Some("0" | "false" | "no"));
        let mail = mail_from_env()?;
        let connections = crate::edge::connections::ConnectionLimits {
            idle_timeout: std::time::Duration::from_secs(parsed("HTTP_IDLE_TIMEOUT_SECS", 30u64)?.max(1)),
            drain_timeout: std::time::Duration::from_secs(parsed("HTTP_DRAIN_TIMEOUT_SECS", 30u64)?),
        };
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/fssc.db".into()),
            database_schema: var("DATABASE_SCHEMA").unwrap_or_else(|| "public".into()),
            addr,
            settings,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()).into(),
            seed_demo,
            demo_history,
            bootstrap_admin,
            mail,
            connections,
            rate: crate::edge::rate::RateLimit {
                burst: parsed("RATE_LIMIT_BURST", 60u32)?,
                per_second: parsed("RATE_LIMIT_PER_SECOND", 10u32)?,
            },
            sla_tick: std::time::Duration::from_millis(parsed("SLA_TICK_MS", 60_000u64)?.max(100)),
        })
    }
}

/// `SMTP_HOST` turns email on; the other `SMTP_*` variables say how to reach the server.
fn mail_from_env() -> Result<Option<crate::mailer::MailConfig>, ConfigError> {
    use crate::mailer::{MailConfig, TlsMode};
    let Some(host) = var("SMTP_HOST") else { return Ok(None) };
    let tls: TlsMode = parsed("SMTP_TLS", TlsMode::StartTls)?;
    let default_port = match tls {
        TlsMode::None => 25,
        TlsMode::StartTls => 587,
        TlsMode::Tls => 465,
    };
    let port = parsed("SMTP_PORT", default_port)?;
    let from_text = var("SMTP_FROM").ok_or(ConfigError { name: "SMTP_FROM", value: String::new() })?;
    let from = from_text.parse().map_err(|_| ConfigError { name: "SMTP_FROM", value: from_text.clone() })?;
    let mut config = MailConfig::new(host, port, from);
    config.tls = tls;
    config.credentials = match (var("SMTP_USERNAME"), var("SMTP_PASSWORD")) {
        (Some(user), Some(password)) => Some((user, password)),
        _ => None,
    };
    config.poll = std::time::Duration::from_millis(parsed("SMTP_POLL_MS", 2000u64)?);
    config.first_backoff = std::time::Duration::from_secs(parsed("SMTP_RETRY_FIRST_SECS", 30u64)?);
    config.max_backoff = std::time::Duration::from_secs(parsed("SMTP_RETRY_MAX_SECS", 3600u64)?);
    config.lease = std::time::Duration::from_secs(parsed("SMTP_LEASE_SECS", 120u64)?);
    Ok(Some(config))
}
