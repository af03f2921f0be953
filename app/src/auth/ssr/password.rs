//! Argon2id password hashes.
//!
//! Each hash takes about 19 MiB and a core for tens of milliseconds, and sign-in is open to
//! anyone, so hashing runs on a bounded pool: one hash per core at a time, on the blocking
//! threads. A caller that cannot get a turn soon is told the service is busy, instead of every
//! caller's memory piling up at once.

use crate::error::AppError;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use std::{
    sync::OnceLock,
    time::Duration,
};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a sign-in waits for a turn before it is answered "busy".
const WAIT_FOR_TURN: Duration = Duration::from_secs(2);
/// What a busy answer tells the browser to wait.
const RETRY_AFTER_SECS: u64 = 2;

fn hashing_pool() -> &'static Semaphore {
    static POOL: OnceLock<Semaphore> = OnceLock::new();
    POOL.get_or_init(|| Semaphore::new(hashing_slots()))
}

/// One hash per core.
pub fn hashing_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

async fn turn() -> Result<SemaphorePermit<'static>, AppError> {
    match tokio::time::timeout(WAIT_FOR_TURN, hashing_pool().acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_closed)) => Err(AppError::Internal),
        Err(_elapsed) => {
            tracing::warn!("password hashing is saturated; answering busy");
            Err(AppError::Busy { retry_after_secs: RETRY_AFTER_SECS })
        }
    }
}

pub async fn hash(password: &str) -> Result<String, AppError> {
    let _turn = turn().await?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })
}

/// Checks `password` against `stored`. With no stored hash (unknown account) it still spends
/// the time of one verification, so response times do not reveal which emails exist.
pub async fn verify(password: &str, stored: Option<&str>) -> Result<bool, AppError> {
    let _turn = turn().await?;
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| decoy_hash().to_owned());
        let matches = PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && matches
    })
    .await
    .map_err(|_| AppError::Internal)
}

fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_blocking("decoy password, never valid").unwrap_or_default())
}
