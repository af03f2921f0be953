//! SQL for notifications, preferences and the email outbox.

use crate::{
    db::{Backend, BeginWrite, Db, Tx},
    kernel::{Language, NotificationId, OrgId, RequestId, RequestStatus, UserId},
    notifications::{
        KindPreference, Notification, NotificationKind, NotificationPage, NotificationSummary,
        PAGE_SIZE,
    },
    with_db,
    with_tx,
};
use chrono::{DateTime, Utc};

/// A notification about to be written for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub user: UserId,
    pub kind: NotificationKind,
    pub request_id: Option<RequestId>,
    pub reference_no: Option<String>,
    pub title: String,
    pub link: String,
    pub status: Option<RequestStatus>,
    pub actor_name: Option<String>,
    pub excerpt: Option<String>,
    pub in_app: bool,
    pub digest_pending: bool,
}

/// An email about to join the outbox, already rendered in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmail {
    pub user: Option<UserId>,
    pub to: String,
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Everything one change tells people. Written in the change's own transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub notifications: Vec<NewNotification>,
    pub emails: Vec<NewEmail>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.notifications.is_empty() && self.emails.is_empty()
    }

    /// The people whose open streams have something new.
    pub fn live_recipients(&self) -> Vec<UserId> {
        let mut users: Vec<UserId> = self.notifications.iter().filter(|n| n.in_app).map(|n| n.user).collect();
        users.sort();
        users.dedup();
        users
    }

    pub fn extend(&mut self, other: Batch) {
        self.notifications.extend(other.notifications);
        self.emails.extend(other.emails);
    }
}

/// Writes a [`Batch`] inside the open transaction `tx`. On PostgreSQL it also queues the
/// `NOTIFY` that wakes the recipients' streams on every instance at commit.
pub async fn write(tx: &mut Tx, batch: &Batch, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let postgres = tx.backend() == Backend::Postgres;
    with_tx!(tx, conn => {
        for n in &batch.notifications {
            if !n.in_app && !n.digest_pending {
                continue;
            }
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, request_id, reference_no, title, link, status, \
                 actor_name, excerpt, in_app, digest_pending, read_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12)",
            )
            .bind(n.user).bind(n.kind).bind(n.request_id).bind(n.reference_no.as_deref()).bind(&n.title)
            .bind(&n.link).bind(n.status).bind(n.actor_name.as_deref()).bind(n.excerpt.as_deref())
            .bind(n.in_app).bind(n.digest_pending).bind(now)
            .execute(&mut *conn).await?;
        }
        for e in &batch.emails {
            sqlx::query(
                "INSERT INTO email_outbox (user_id, to_address, language, subject, body_text, body_html, \
                 attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)",
            )
            .bind(e.user).bind(&e.to).bind(e.language).bind(&e.subject).bind(&e.text).bind(&e.html).bind(now)
            .execute(&mut *conn).await?;
        }
        let woken = batch.live_recipients();
        if postgres && !woken.is_empty() {
            sqlx::query(&format!("SELECT pg_notify({}, $1)", crate::live::CHANNEL_SQL))
                .bind(crate::live::Signal::Wake(woken).encode())
                .execute(&mut *conn).await?;
        }
        Ok(())
    })
}

/// Writes a batch in a transaction of its own, for events that change nothing else (the SLA
/// engine's warnings, ratings, published policies).
pub async fn record(db: &Db, batch: &Batch, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    write(&mut tx, batch, now).await?;
    tx.commit().await
}

/// A person a notification may go to, with how they want to hear of one kind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub id: UserId,
    pub email: String,
    pub language: Language,
    pub in_app: bool,
    pub email_wanted: bool,
    pub daily_digest: bool,
}

/// The active people among `users`, with their preference for `kind`.
pub async fn recipients(db: &Db, users: &[UserId], kind: NotificationKind) -> Result<Vec<Recipient>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let list = users.iter().map(|u| u.0.to_string()).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT u.id, u.email, u.language, COALESCE(p.in_app, TRUE) AS in_app, \
         COALESCE(p.email, $2) AS email_wanted, COALESCE(s.daily_digest, FALSE) AS daily_digest \
         FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.kind = $1 \
         LEFT JOIN notification_settings s ON s.user_id = u.id \
         WHERE u.id IN ({list}) AND u.active = TRUE ORDER BY u.id"
    );
    with_db!(db, pool => sqlx::query_as::<_, Recipient>(&sql)
        .bind(kind).bind(kind.email_by_default()).fetch_all(pool).await)
}

/// The organisation contacts of `org` who follow all its requests.
pub async fn org_followers(db: &Db, org: OrgId) -> Result<Vec<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>(
        "SELECT m.user_id FROM memberships m JOIN notification_settings s ON s.user_id = m.user_id \
         JOIN users u ON u.id = m.user_id \
         WHERE m.org_id = $1 AND m.role = 'org_contact' AND s.follow_organisation = TRUE AND u.active = TRUE"
    ).bind(org).fetch_all(pool).await)
}

/// The customer managers assigned to `org`.
pub async fn managers_of(db: &Db, org: OrgId) -> Result<Vec<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>(
        "SELECT a.manager_id FROM manager_assignments a JOIN users u ON u.id = a.manager_id \
         WHERE a.org_id = $1 AND u.active = TRUE ORDER BY a.manager_id"
    ).bind(org).fetch_all(pool).await)
}

const SELECT_NOTIFICATION: &str = "SELECT id, kind, request_id, reference_no, title, link, status, actor_name, \
     excerpt, read_at, created_at FROM notifications";

pub async fn unread_count(db: &Db, user: UserId) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL AND in_app = TRUE"
    ).bind(user).fetch_one(pool).await)
}

pub async fn summary(db: &Db, user: UserId) -> Result<NotificationSummary, sqlx::Error> {
    let latest = with_db!(db, pool => sqlx::query_scalar::<_, Option<NotificationId>>(
        "SELECT MAX(id) FROM notifications WHERE user_id = $1"
    ).bind(user).fetch_one(pool).await)?;
    Ok(NotificationSummary { unread: unread_count(db, user).await?, latest })
}

/// The user's notifications after `cursor`, oldest first: what a stream has not sent yet.
pub async fn after(db: &Db, user: UserId, cursor: NotificationId, limit: i64) -> Result<Vec<Notification>, sqlx::Error> {
    let sql = format!("{SELECT_NOTIFICATION} WHERE user_id = $1 AND id > $2 AND in_app = TRUE ORDER BY id LIMIT $3");
    with_db!(db, pool => sqlx::query_as::<_, Notification>(&sql)
        .bind(user).bind(cursor).bind(limit).fetch_all(pool).await)
}

/// One page of the notification centre, newest first, continuing before `before`.
pub async fn page(db: &Db, user: UserId, before: Option<NotificationId>) -> Result<NotificationPage, sqlx::Error> {
    let sql = format!(
        "{SELECT_NOTIFICATION} WHERE user_id = $1 AND in_app = TRUE AND id < $2 ORDER BY id DESC LIMIT {}",
        PAGE_SIZE + 1
    );
    let before = before.unwrap_or(NotificationId(i64::MAX));
    let mut rows = with_db!(db, pool => sqlx::query_as::<_, Notification>(&sql)
        .bind(user).bind(before).fetch_all(pool).await)?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|n| n.id)
    } else {
        None
    };
    Ok(NotificationPage { rows, unread: unread_count(db, user).await?, next })
}

/// Whose notification `id` is.
pub async fn recipient_of(db: &Db, id: NotificationId) -> Result<Option<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>("SELECT user_id FROM notifications WHERE id = $1")
        .bind(id).fetch_optional(pool).await)
}

pub async fn mark_read(db: &Db, id: NotificationId, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("UPDATE notifications SET read_at = $2 WHERE id = $1 AND read_at IS NULL")
        .bind(id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks every notification of `user` read; answers how many were unread.
pub async fn mark_all_read(db: &Db, user: UserId, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = with_db!(db, pool => sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL"
    ).bind(user).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// The kinds whose delivery the user changed, and their settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredPreferences {
    pub kinds: Vec<KindPreference>,
    pub daily_digest: bool,
    pub follow_organisation: bool,
}

pub async fn preferences(db: &Db, user: UserId) -> Result<StoredPreferences, sqlx::Error> {
    with_db!(db, pool => {
        let kinds = sqlx::query_as::<_, KindPreference>(
            "SELECT kind, in_app, email FROM notification_preferences WHERE user_id = $1"
        ).bind(user).fetch_all(pool).await?;
        let settings = sqlx::query_as::<_, (bool, bool)>(
            "SELECT daily_digest, follow_organisation FROM notification_settings WHERE user_id = $1"
        ).bind(user).fetch_optional(pool).await?;
        let (daily_digest, follow_organisation) = settings.unwrap_or((false, false));
        Ok(StoredPreferences { kinds, daily_digest, follow_organisation })
    })
}

/// Replaces the user's preferences, all or nothing.
pub async fn save_preferences(db: &Db, user: UserId, prefs: &StoredPreferences) -> Result<(), sqlx::Error> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query("DELETE FROM notification_preferences WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
        for k in &prefs.kinds {
            sqlx::query("INSERT INTO notification_preferences (user_id, kind, in_app, email) VALUES ($1, $2, $3, $4)")
                .bind(user).bind(k.kind).bind(k.in_app).bind(k.email).execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO notification_settings (user_id, daily_digest, follow_organisation, last_digest_at) \
             VALUES ($1, $2, $3, NULL) ON CONFLICT (user_id) DO UPDATE SET daily_digest = $2, follow_organisation = $3"
        ).bind(user).bind(prefs.daily_digest).bind(prefs.follow_organisation).execute(&mut *tx).await?;
        tx.commit().await
    })
}

/// A message of the outbox, claimed by one sender.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub to_address: String,
    pub language: Language,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

/// Claims up to `limit` messages that are due and held by no other sender, until `lease_until`.
/// PostgreSQL skips rows another instance is claiming at the same moment, so each message has
/// one sender at a time.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    let lock = if matches!(db, Db::Postgres(_)) { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE email_outbox SET lease_until = $1, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
         AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_attempt_at, id LIMIT $3 {lock}) \
         RETURNING id, to_address, language, subject, body_text, body_html, attempts, created_at"
    );
    let mut claimed = with_db!(db, pool => sqlx::query_as::<_, OutboxMessage>(&sql)
        .bind(lease_until).bind(now).bind(limit).fetch_all(pool).await)?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// Records that the mail server accepted message `id`; it is never sent again.
pub async fn mark_sent(db: &Db, id: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE email_outbox SET sent_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1 AND sent_at IS NULL"
    ).bind(id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Puts message `id` back for another attempt at `next_attempt_at`.
pub async fn mark_retry(db: &Db, id: i64, next_attempt_at: DateTime<Utc>, error: &str) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(500).collect();
    with_db!(db, pool => sqlx::query(
        "UPDATE email_outbox SET next_attempt_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1 AND sent_at IS NULL"
    ).bind(id).bind(next_attempt_at).bind(error).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Gives message `id` up: the mail server refused it for good, or no server would take it.
pub async fn mark_failed(db: &Db, id: i64, now: DateTime<Utc>, error: &str) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(500).collect();
    with_db!(db, pool => sqlx::query(
        "UPDATE email_outbox SET failed_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1 AND sent_at IS NULL"
    ).bind(id).bind(now).bind(error).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The newest messages given up on, for admins.
pub async fn failed_emails(db: &Db, limit: i64) -> Result<Vec<super::FailedEmail>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, super::FailedEmail>(
        "SELECT id, to_address, subject, attempts, COALESCE(last_error, '') AS last_error, failed_at \
         FROM email_outbox WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT $1"
    ).bind(limit).fetch_all(pool).await)
}

/// How many messages wait to be sent, and when the next one is due.
pub async fn outbox_backlog(db: &Db) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(
        "SELECT COUNT(*), MIN(next_attempt_at) FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL"
    ).fetch_one(pool).await)
}

/// A person whose daily digest may be due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DigestReader {
    pub id: UserId,
    pub email: String,
    pub language: Language,
    pub time_zone: String,
    pub last_digest_at: Option<DateTime<Utc>>,
}

/// People on the daily digest who have something waiting for it.
pub async fn digest_readers(db: &Db) -> Result<Vec<DigestReader>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, DigestReader>(
        "SELECT u.id, u.email, u.language, u.time_zone, s.last_digest_at FROM notification_settings s \
         JOIN users u ON u.id = s.user_id WHERE s.daily_digest = TRUE AND u.active = TRUE \
         AND EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = u.id AND n.digest_pending = TRUE)"
    ).fetch_all(pool).await)
}

/// What waits for `user`'s digest, oldest first.
pub async fn digest_pending(db: &Db, user: UserId) -> Result<Vec<Notification>, sqlx::Error> {
    let sql = format!("{SELECT_NOTIFICATION} WHERE user_id = $1 AND digest_pending = TRUE ORDER BY id");
    with_db!(db, pool => sqlx::query_as::<_, Notification>(&sql).bind(user).fetch_all(pool).await)
}

/// Queues `user`'s digest covering notifications up to `up_to`, unless another instance did
/// since `previous` (the digest time it read): answers whether this call queued it.
pub async fn queue_digest(
    db: &Db,
    user: UserId,
    previous: Option<DateTime<Utc>>,
    up_to: NotificationId,
    email: &NewEmail,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let claimed = with_tx!(&mut tx, conn => {
        let claimed = sqlx::query(
            "UPDATE notification_settings SET last_digest_at = $2 WHERE user_id = $1 \
             AND (last_digest_at = $3 OR (last_digest_at IS NULL AND $3 IS NULL))"
        ).bind(user).bind(now).bind(previous).execute(&mut *conn).await?;
        if claimed.rows_affected() == 1 {
            sqlx::query("UPDATE notifications SET digest_pending = FALSE WHERE user_id = $1 AND id <= $2 AND digest_pending = TRUE")
                .bind(user).bind(up_to).execute(&mut *conn).await?;
        }
        Ok::<_, sqlx::Error>(claimed.rows_affected() == 1)
    })?;
    if !claimed {
        tx.rollback().await?;
        return Ok(false);
    }
    let batch = Batch { notifications: Vec::new(), emails: vec![email.clone()] };
    write(&mut tx, &batch, now).await?;
    tx.commit().await?;
    Ok(true)
}
