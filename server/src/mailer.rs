//! The email sender: drains the outbox over SMTP with retries and exponential backoff.
//!
//! A message is claimed for a lease, sent, and marked sent only once the SMTP server accepted
//! it. A failure puts it back for later; a sender that dies mid-way lets its lease run out and
//! the message goes out from this or another instance. Several instances never claim the same
//! message at once (the claim skips rows another transaction holds).

use app::{db::Db, notifications::store};
use chrono::{DateTime, Utc};
use lettre::{
    message::{
        header::{ContentType, HeaderName, HeaderValue},
        Mailbox, MultiPart, SinglePart,
    },
    transport::smtp::{authentication::Credentials, client::Tls, client::TlsParameters},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use std::time::Duration;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP, for a relay on the same host or network.
    None,
    /// Upgrade with STARTTLS (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl std::str::FromStr for TlsMode {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "plain" | "off" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::StartTls),
            "tls" | "smtps" | "implicit" => Ok(TlsMode::Tls),
            _ => Err(()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
    /// How long a sender holds a claimed message before another may take it.
    pub lease: Duration,
    /// How often an idle sender looks for due messages.
    pub poll: Duration,
    /// The first retry waits this long; each further one twice as long, up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
}

impl MailConfig {
    pub fn new(host: impl Into<String>, port: u16, from: Mailbox) -> Self {
        MailConfig {
            host: host.into(),
            port,
            tls: TlsMode::None,
            credentials: None,
            from,
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(2),
            first_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
        }
    }
}

/// The wait before attempt `attempts + 1`, doubling from `first` up to `max`.
pub fn backoff(attempts: i64, first: Duration, max: Duration) -> Duration {
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    first.saturating_mul(2u32.saturating_pow(exponent)).min(max)
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

pub struct Mailer {
    db: Db,
    config: MailConfig,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// Names this instance in each Message-ID, so a receiver can tell resent copies apart.
    domain: String,
}

impl Mailer {
    pub fn new(db: Db, config: MailConfig) -> Result<Mailer, MailSetupError> {
        let builder = match config.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            TlsMode::StartTls => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
                .tls(Tls::Required(TlsParameters::new(config.host.clone())?)),
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
                .tls(Tls::Wrapper(TlsParameters::new(config.host.clone())?)),
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_secs(30)));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let domain = config.from.email.domain().to_string();
        Ok(Mailer { db, transport: builder.build(), config, domain })
    }

    /// Sends what is due until `stop` resolves; never returns an error, only logs and waits.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            let sent_any = match self.send_due(Utc::now()).await {
                Ok(n) => n > 0,
                Err(error) => {
                    tracing::warn!(%error, "reading the email outbox failed");
                    false
                }
            };
            if sent_any {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    }

    /// Claims and sends one batch of due messages; answers how many were claimed.
    pub async fn send_due(&self, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
        let lease = chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(2));
        let claimed = store::claim_due(&self.db, now, now + lease, 20).await?;
        let count = claimed.len();
        for message in claimed {
            match self.send(&message).await {
                Ok(()) => {
                    store::mark_sent(&self.db, message.id, Utc::now()).await?;
                    tracing::info!(outbox = message.id, attempts = message.attempts, "email sent");
                }
                Err(SendFailure::Permanent(error)) => {
                    tracing::warn!(outbox = message.id, attempts = message.attempts, %error, "email refused for good; not retried");
                    store::mark_failed(&self.db, message.id, Utc::now(), &error).await?;
                }
                Err(SendFailure::Temporary(error)) => {
                    let wait = backoff(message.attempts, self.config.first_backoff, self.config.max_backoff);
                    let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                    tracing::warn!(outbox = message.id, attempts = message.attempts, retry_in_s = wait.as_secs(), %error, "email not sent; will retry");
                    store::mark_retry(&self.db, message.id, next, &error).await?;
                }
            }
        }
        Ok(count)
    }

    async fn send(&self, message: &store::OutboxMessage) -> Result<(), SendFailure> {
        // An address no server would take is not worth a retry.
        let to: Mailbox =
            message.to_address.parse().map_err(|e| SendFailure::Permanent(format!("recipient: {e}")))?;
        let email = Message::builder()
            .from(self.config.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(format!("<outbox-{}-{}@{}>", message.id, message.created_at.timestamp(), self.domain)))
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Content-Language"), message.language.as_str().to_string()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(message.body_text.clone()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(message.body_html.clone())),
            )
            .map_err(|e| SendFailure::Permanent(format!("building: {e}")))?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| {
            // 5xx: the server will not take this message, now or later.
            if e.is_permanent() {
                SendFailure::Permanent(e.to_string())
            } else {
                SendFailure::Temporary(e.to_string())
            }
        })
    }
}

enum SendFailure {
    Temporary(String),
    Permanent(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_ceiling() {
        let (first, max) = (Duration::from_secs(30), Duration::from_secs(3600));
        assert_eq!(backoff(1, first, max), Duration::from_secs(30));
        assert_eq!(backoff(2, first, max), Duration::from_secs(60));
        assert_eq!(backoff(4, first, max), Duration::from_secs(240));
        assert_eq!(backoff(9, first, max), max);
        assert_eq!(backoff(500, first, max), max);
    }
}
