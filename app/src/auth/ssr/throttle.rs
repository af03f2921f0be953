//! Sign-in throttling, kept in the database so that every server instance sees the same counts.
//!
//! Failures are counted per account and per client address within a window. From
//! `slow_after` failures on, each answer is delayed a little more; at the lock threshold the
//! key is refused outright until the lock expires, even with the right password.

use crate::{
    db::Db,
    error::AppError,
    state::ThrottlePolicy,
    with_db,
};
use chrono::{DateTime, Utc};

/// What a throttle key counts failures for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Account,
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
    pub fn address(ip: &str) -> Key {
        Key { subject: Subject::Address, value: format!("address:{ip}") }
    }
}

/// Refuses the attempt while any of the keys is locked.
pub async fn ensure_not_locked(db: &Db, keys: &[Key], now: DateTime<Utc>) -> Result<(), AppError> {
    for key in keys {
        let locked_until = with_db!(db, pool => sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
            "SELECT locked_until FROM login_throttle WHERE key = $1"
        ).bind(&key.value).fetch_optional(pool).await)?
        .flatten();
        if let Some(until) = locked_until.filter(|until| *until > now) {
            let retry_after_secs = (until - now).num_seconds().max(1) as u64;
            return Err(AppError::TooManyAttempts { retry_after_secs });
        }
    }
    Ok(())
}

/// Counts a failure against every key, locks keys over their threshold, and returns how long
/// to wait before answering.
pub async fn record_failure(
    db: &Db,
    keys: &[Key],
    now: DateTime<Utc>,
    policy: &ThrottlePolicy,
) -> Result<std::time::Duration, AppError> {
    let window_start = now - policy.window;
    let mut delay = std::time::Duration::ZERO;
    for key in keys {
        let failures = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
            "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) \
             VALUES ($1, 1, $2, NULL) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.window_started_at < $3 THEN 1 \
                               ELSE login_throttle.failures + 1 END, \
               window_started_at = CASE WHEN login_throttle.window_started_at < $3 THEN $2 \
                                        ELSE login_throttle.window_started_at END \
             RETURNING failures",
        ).bind(&key.value).bind(now).bind(window_start).fetch_one(pool).await)?;
        let failures = u32::try_from(failures).unwrap_or(u32::MAX);
        let lock_after = match key.subject {
            Subject::Account => policy.lock_account_after,
            Subject::Address => policy.lock_address_after,
        };
        if failures >= lock_after {
            let until = now + policy.lock_for;
            with_db!(db, pool => sqlx::query(
                "UPDATE login_throttle SET locked_until = $2 WHERE key = $1"
            ).bind(&key.value).bind(until).execute(pool).await.map(|_| ()))?;
        }
        delay = delay.max(delay_for(failures, policy));
    }
    Ok(delay)
}

/// A successful sign-in clears the account's count; the address keeps its count so that one
/// valid account cannot be used to reset guessing from an address.
pub async fn record_success(db: &Db, account: &Key) -> Result<(), AppError> {
    with_db!(db, pool => sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(&account.value).execute(pool).await.map(|_| ()))?;
    Ok(())
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
