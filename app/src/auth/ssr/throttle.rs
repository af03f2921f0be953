//! Sign-in throttling, kept in the database so that every server instance sees the same counts.
//!
//! Failures are counted per account and per client address within a window. An attempt is
//! counted as a failure the moment it is admitted, in the same statement that decides whether it
//! may proceed; a correct password gives its slot back afterwards. So however many guesses arrive
//! at once, at most `lock_after` of them are ever checked before the key locks. From
//! `slow_after` failures on, each wrong answer is delayed a little more.

use crate::{
    db::{BeginWrite, Db},
    error::AppError,
    state::ThrottlePolicy,
    with_db,
};
use chrono::{DateTime, Utc};

/// What a throttle key counts failures for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Account,
    /// One account from one browser that has signed in to it before: counted apart from the
    /// account, so that strangers' guesses do not lock the owner out.
    KnownDevice,
    Address,
}

pub struct Key {
    pub subject: Subject,
    pub value: String,
}

impl Key {
    pub fn account(email: &str) -> Key {
        Key { subject: Subject::Account, value: format!("account:{email}") }
    }
    pub fn known_device(email: &str, device_digest: &str) -> Key {
        Key { subject: Subject::KnownDevice, value: format!("device:{device_digest}:{email}") }
    }
    pub fn address(ip: &str) -> Key {
        Key { subject: Subject::Address, value: format!("address:{ip}") }
    }

    fn lock_after(&self, policy: &ThrottlePolicy) -> u32 {
        match self.subject {
            Subject::Account | Subject::KnownDevice => policy.lock_account_after,
            Subject::Address => policy.lock_address_after,
        }
    }
}

/// Takes one attempt's slot from every key, or none: refused while a key is locked or while
/// its slots are taken by failures and by attempts still being checked.
pub async fn admit(
    db: &Db,
    keys: &[Key],
    now: DateTime<Utc>,
    policy: &ThrottlePolicy,
) -> Result<(), AppError> {
    let window_start = now - policy.window;
    let verdict: Result<Option<u64>, sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        for key in keys {
            // A count whose window and lock have both passed starts again at this attempt.
            let (taken, locked_until): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
                "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) \
                 VALUES ($1, 1, $2, NULL) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE WHEN login_throttle.window_started_at < $3 \
                                    AND (login_throttle.locked_until IS NULL OR login_throttle.locked_until <= $2) \
                                   THEN 1 ELSE login_throttle.failures + 1 END, \
                   window_started_at = CASE WHEN login_throttle.window_started_at < $3 \
                                    AND (login_throttle.locked_until IS NULL OR login_throttle.locked_until <= $2) \
                                   THEN $2 ELSE login_throttle.window_started_at END, \
                   locked_until = CASE WHEN login_throttle.locked_until > $2 \
                                   THEN login_throttle.locked_until ELSE NULL END \
                 RETURNING failures, locked_until",
            )
            .bind(&key.value)
            .bind(now)
            .bind(window_start)
            .fetch_one(&mut *tx)
            .await?;
            if let Some(until) = locked_until.filter(|until| *until > now) {
                // Dropping the transaction gives back the slots taken so far.
                return Ok(Some(seconds_until(now, until)));
            }
            if u32::try_from(taken).unwrap_or(u32::MAX) > key.lock_after(policy) {
                // The remaining slots belong to attempts still being checked; if they fail,
                // the key locks for the whole period.
                return Ok(Some(policy.lock_for.num_seconds().max(1) as u64));
            }
        }
        tx.commit().await?;
        Ok(None)
    }.await);
    match verdict? {
        None => Ok(()),
        Some(retry_after_secs) => Err(AppError::TooManyAttempts { retry_after_secs }),
    }
}

fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    (until - now).num_seconds().max(1) as u64
}

/// The admitted attempt failed: its slot stays taken. Locks every key whose failures reached
/// its threshold, and returns how long to wait before answering.
pub async fn record_failure(
    db: &Db,
    keys: &[Key],
    now: DateTime<Utc>,
    policy: &ThrottlePolicy,
) -> Result<std::time::Duration, AppError> {
    let mut delay = std::time::Duration::ZERO;
    for key in keys {
        let failures = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
            "UPDATE login_throttle SET locked_until = CASE \
               WHEN failures >= $2 AND (locked_until IS NULL OR locked_until <= $3) THEN $4 \
               ELSE locked_until END \
             WHERE key = $1 RETURNING failures",
        ).bind(&key.value).bind(i64::from(key.lock_after(policy))).bind(now).bind(now + policy.lock_for)
        .fetch_optional(pool).await)?
        .unwrap_or(0);
        delay = delay.max(delay_for(u32::try_from(failures).unwrap_or(u32::MAX), policy));
    }
    Ok(delay)
}

/// The admitted attempt signed in. The account's (or known device's) count is cleared; the
/// address only gets this attempt's slot back, so that one valid account cannot reset guessing
/// from an address.
pub async fn record_success(db: &Db, account: &Key, address: &Key) -> Result<(), AppError> {
    with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(&account.value).execute(&mut *tx).await?;
        sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
            .bind(&address.value).execute(&mut *tx).await?;
        tx.commit().await
    }.await)?;
    Ok(())
}

/// Gives back the slots of an admitted attempt that was never checked.
pub async fn release(db: &Db, keys: &[Key]) -> Result<(), AppError> {
    with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        for key in keys {
            sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
                .bind(&key.value).execute(&mut *tx).await?;
        }
        tx.commit().await
    }.await)?;
    Ok(())
}

/// An admin lifts an account's lock and forgets its failures, from strangers and from the
/// account's known devices alike.
pub async fn unlock_account(db: &Db, email: &str) -> Result<bool, AppError> {
    let device_keys = format!("device:%:{}", escape_like(email));
    let removed = with_db!(db, pool => sqlx::query(
        "DELETE FROM login_throttle WHERE key = $1 OR key LIKE $2 ESCAPE '\\'"
    ).bind(Key::account(email).value).bind(device_keys).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(removed > 0)
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The accounts (emails) whose sign-in is locked now, for strangers.
pub async fn locked_accounts(db: &Db, now: DateTime<Utc>) -> Result<std::collections::HashSet<String>, AppError> {
    let keys = with_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT key FROM login_throttle WHERE key LIKE 'account:%' AND locked_until > $1"
    ).bind(now).fetch_all(pool).await)?;
    Ok(keys.into_iter().filter_map(|k| k.strip_prefix("account:").map(str::to_owned)).collect())
}

/// The failures (and attempts in flight) a key holds now.
pub async fn failures(db: &Db, key: &Key) -> Result<i64, AppError> {
    let failures = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT failures FROM login_throttle WHERE key = $1"
    ).bind(&key.value).fetch_optional(pool).await)?;
    Ok(failures.unwrap_or(0))
}

/// Whether an account is locked now, and until when.
pub async fn account_locked_until(db: &Db, email: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
    let until = with_db!(db, pool => sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
        "SELECT locked_until FROM login_throttle WHERE key = $1"
    ).bind(Key::account(email).value).fetch_optional(pool).await)?
    .flatten();
    Ok(until.filter(|until| *until > now))
}

/// Forgets counts whose window and lock have both passed.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>, policy: &ThrottlePolicy) -> Result<u64, sqlx::Error> {
    let window_start = now - policy.window;
    with_db!(db, pool => sqlx::query(
        "DELETE FROM login_throttle WHERE window_started_at < $1 \
         AND (locked_until IS NULL OR locked_until < $2)"
    ).bind(window_start).bind(now).execute(pool).await.map(|r| r.rows_affected()))
}

pub fn delay_for(failures: u32, policy: &ThrottlePolicy) -> std::time::Duration {
    if failures < policy.slow_after {
        return std::time::Duration::ZERO;
    }
    let doublings = (failures - policy.slow_after).min(16);
    policy.delay_step.saturating_mul(1u32 << doublings).min(policy.max_delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        let policy = ThrottlePolicy::default();
        assert_eq!(delay_for(1, &policy), std::time::Duration::ZERO);
        assert_eq!(delay_for(2, &policy), std::time::Duration::ZERO);
        assert_eq!(delay_for(3, &policy), std::time::Duration::from_millis(250));
        assert_eq!(delay_for(4, &policy), std::time::Duration::from_millis(500));
        assert_eq!(delay_for(5, &policy), std::time::Duration::from_secs(1));
        assert_eq!(delay_for(40, &policy), policy.max_delay);
    }
}
