//! Sign-in throttling, kept in the database so that every server instance sees the same counts.
//!
//! Failures are counted per account and per client address within a window. An attempt is
//! counted as a failure the moment it is admitted, in the same statement that decides whether it
//! may proceed; a correct password gives its slot back afterwards. So however many guesses arrive
//! at once, at most `lock_after` of them are ever checked before the key locks. From
//! `slow_after` failures on, each wrong answer is delayed a little more.

use super::store;
use crate::{db::Db, error::AppError, state::ThrottlePolicy};
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
    // One transaction over every key: a refusal drops it, which gives back the slots taken.
    let mut tx = db.begin_write().await?;
    for key in keys {
        let (taken, locked_until) = store::take_throttle_slot(&mut tx, &key.value, now, window_start).await?;
        if let Some(until) = locked_until.filter(|until| *until > now) {
            return Err(AppError::TooManyAttempts { retry_after_secs: seconds_until(now, until) });
        }
        if u32::try_from(taken).unwrap_or(u32::MAX) > key.lock_after(policy) {
            // The remaining slots belong to attempts still being checked; if they fail, the
            // key locks for the whole period.
            let retry_after_secs = policy.lock_for.num_seconds().max(1) as u64;
            return Err(AppError::TooManyAttempts { retry_after_secs });
        }
    }
    tx.commit().await?;
    Ok(())
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
        let failures =
            store::lock_throttle_key_if_reached(db, &key.value, key.lock_after(policy), now, now + policy.lock_for)
                .await?;
        delay = delay.max(delay_for(u32::try_from(failures).unwrap_or(u32::MAX), policy));
    }
    Ok(delay)
}

/// The admitted attempt signed in. The account's (or known device's) count is cleared; the
/// address only gets this attempt's slot back, so that one valid account cannot reset guessing
/// from an address.
pub async fn record_success(db: &Db, account: &Key, address: &Key) -> Result<(), AppError> {
    Ok(store::settle_throttle_keys(db, Some(&account.value), &[&address.value]).await?)
}

/// Gives back the slots of an admitted attempt that was never checked.
pub async fn release(db: &Db, keys: &[Key]) -> Result<(), AppError> {
    let keys: Vec<&str> = keys.iter().map(|k| k.value.as_str()).collect();
    Ok(store::settle_throttle_keys(db, None, &keys).await?)
}

/// An admin lifts an account's lock and forgets its failures, from strangers and from the
/// account's known devices alike.
pub async fn unlock_account(db: &Db, email: &str) -> Result<bool, AppError> {
    let device_keys = format!("device:%:{}", escape_like(email));
    Ok(store::delete_throttle_keys(db, &Key::account(email).value, &device_keys).await? > 0)
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The accounts (emails) whose sign-in is locked now, for strangers.
pub async fn locked_accounts(db: &Db, now: DateTime<Utc>) -> Result<std::collections::HashSet<String>, AppError> {
    let keys = store::locked_throttle_keys(db, "account:", now).await?;
    Ok(keys.into_iter().filter_map(|k| k.strip_prefix("account:").map(str::to_owned)).collect())
}

/// The failures (and attempts in flight) a key holds now.
pub async fn failures(db: &Db, key: &Key) -> Result<i64, AppError> {
    Ok(store::throttle_key(db, &key.value).await?.map_or(0, |(failures, _)| failures))
}

/// Whether an account is locked now, and until when.
pub async fn account_locked_until(db: &Db, email: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
    let until = store::throttle_key(db, &Key::account(email).value).await?.and_then(|(_, until)| until);
    Ok(until.filter(|until| *until > now))
}

/// Forgets counts whose window and lock have both passed.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>, policy: &ThrottlePolicy) -> Result<u64, sqlx::Error> {
    store::purge_throttle_keys(db, now - policy.window, now).await
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
