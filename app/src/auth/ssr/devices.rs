//! Devices an account has signed in from (OWASP's "device cookie"). A stranger's wrong guesses
//! lock an account against everybody else, but the right password from a browser that has
//! signed in to that account before is counted on its own key, so the owner is not locked out.
//!
//! The cookie holds a random token; the database keeps only its SHA-256.

use crate::{db::Db, kernel::UserId, with_db};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// The cookie naming this browser to the sign-in endpoint.
pub const DEVICE_COOKIE: &str = "fssc_device";
/// How long a browser stays known without signing in again.
pub const REMEMBER_FOR_DAYS: i64 = 180;

/// A device token as the browser holds it.
#[derive(Clone)]
pub struct DeviceToken(String);

impl DeviceToken {
    pub fn new() -> DeviceToken {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        DeviceToken(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A token read back from a cookie; anything but 64 hex digits is ignored.
    pub fn parse(raw: &str) -> Option<DeviceToken> {
        (raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())).then(|| DeviceToken(raw.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps, and what the throttle counts this device's failures under.
    pub fn digest(&self) -> String {
        format!("{:x}", Sha256::digest(self.0.as_bytes()))
    }
}

impl Default for DeviceToken {
    fn default() -> Self {
        DeviceToken::new()
    }
}

/// Whether this device has signed in to `user` within the remembered period.
pub async fn is_known(db: &Db, user: UserId, token: &DeviceToken, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let since = now - chrono::Duration::days(REMEMBER_FOR_DAYS);
    let found = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM known_devices WHERE token_hash = $1 AND user_id = $2 AND last_used_at >= $3"
    ).bind(token.digest()).bind(user).bind(since).fetch_one(pool).await)?;
    Ok(found > 0)
}

/// Remembers (or refreshes) this device for `user` after a successful sign-in.
pub async fn remember(db: &Db, user: UserId, token: &DeviceToken, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (token_hash, user_id) DO UPDATE SET last_used_at = $3"
    ).bind(token.digest()).bind(user).bind(now).execute(pool).await.map(|_| ()))
}

/// Forgets devices not used within the remembered period.
pub async fn purge_stale(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let since = now - chrono::Duration::days(REMEMBER_FOR_DAYS);
    with_db!(db, pool => sqlx::query("DELETE FROM known_devices WHERE last_used_at < $1")
        .bind(since).execute(pool).await.map(|r| r.rows_affected()))
}
