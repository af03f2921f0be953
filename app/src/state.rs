//! What every server function can reach: the database and the settings.

use crate::{db::Db, error::AppError};
use chrono::Duration;
use leptos::prelude::use_context;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// This process's open event streams, woken when their people have news.
    pub live: crate::live::Live,
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// The address users reach the portal at; https makes session cookies `Secure`.
    pub public_url: String,
    /// A session unused for this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    pub throttle: ThrottlePolicy,
    pub uploads: crate::kernel::UploadLimits,
    /// Whether an SMTP server is configured; without one no email is queued.
    pub email_enabled: bool,
    pub ratings: RatingPolicy,
    /// The share of SLA time an agent's finished requests may spend paused, waiting on the
    /// client, before the operations dashboard flags the agent; in percent.
    pub paused_flag_percent: i64,
}

/// How ratings close requests and how low scores are followed up; each center sets its own.
#[derive(Clone, Debug)]
pub struct RatingPolicy {
    /// A resolved request nobody rated closes this long after its resolution.
    pub close_unrated_after: Duration,
    /// The client may change a rating for this long after giving it.
    pub change_within: Duration,
    /// A low score's follow-up is due this many working days after the rating.
    pub follow_up_working_days: i64,
    /// Agents read the client's comment at once, rather than after a customer manager's review.
    pub agents_see_comments_at_once: bool,
    /// The client is told who follows up their low rating.
    pub tell_client_of_follow_up: bool,
}

impl Default for RatingPolicy {
    fn default() -> Self {
        RatingPolicy {
            close_unrated_after: Duration::days(7),
            change_within: Duration::days(7),
            follow_up_working_days: 2,
            agents_see_comments_at_once: false,
            tell_client_of_follow_up: true,
        }
    }
}

/// How repeated sign-in failures are slowed down and then refused.
#[derive(Clone, Debug)]
pub struct ThrottlePolicy {
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// From this many failures on, each further failure waits longer before answering.
    pub slow_after: u32,
    pub delay_step: std::time::Duration,
    pub max_delay: std::time::Duration,
    /// Failures for one account before it is locked for `lock_for`.
    pub lock_account_after: u32,
    /// Failures from one address before it is locked for `lock_for`.
    pub lock_address_after: u32,
    pub lock_for: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            window: Duration::minutes(15),
            slow_after: 3,
            delay_step: std::time::Duration::from_millis(250),
            max_delay: std::time::Duration::from_secs(4),
            lock_account_after: 10,
            lock_address_after: 50,
            lock_for: Duration::minutes(15),
        }
    }
}

impl Settings {
    pub fn new(public_url: impl Into<String>) -> Self {
        Settings {
            public_url: public_url.into(),
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
            throttle: ThrottlePolicy::default(),
            uploads: crate::kernel::UploadLimits::default(),
            email_enabled: false,
            ratings: RatingPolicy::default(),
            paused_flag_percent: 25,
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// The state provided to server functions and page rendering by the server's router.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}
