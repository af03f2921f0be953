//! Wakes the open event streams of the people a committed change concerns.
//!
//! A wake carries no data: a woken stream reads the notifications table from its cursor, so
//! a wake that arrives twice, late or for a row already sent never duplicates or loses one.
//! With SQLite (one instance) wakes go straight to this process's streams. With PostgreSQL
//! they travel as `NOTIFY` on [`channel`], sent inside the transaction so they leave only on
//! commit, and every instance's listener hands them to its own streams.

use crate::{db::Db, kernel::UserId};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
};
use tokio::sync::Notify;

/// The PostgreSQL channel every instance listens on, one per schema (channels are
/// database-wide, schemas are not).
pub fn channel(schema: &str) -> String {
    format!("fssc_live:{schema}")
}

/// The same channel, named in SQL by the connection's own schema.
pub const CHANNEL_SQL: &str = "'fssc_live:' || current_schema()";

/// What a `NOTIFY` on [`channel`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// New notifications for these people.
    Wake(Vec<UserId>),
    /// This person signed out, was deactivated or changed password: their streams check
    /// whether their session still stands.
    Recheck(UserId),
}

impl Signal {
    pub fn encode(&self) -> String {
        match self {
            Signal::Wake(users) => {
                format!("w:{}", users.iter().map(|u| u.0.to_string()).collect::<Vec<_>>().join(","))
            }
            Signal::Recheck(user) => format!("r:{}", user.0),
        }
    }

    pub fn decode(payload: &str) -> Option<Signal> {
        let (tag, rest) = payload.split_once(':')?;
        match tag {
            "w" => rest.split(',').map(|id| id.parse().ok().map(UserId)).collect::<Option<Vec<_>>>().map(Signal::Wake),
            "r" => rest.parse().ok().map(|id| Signal::Recheck(UserId(id))),
            _ => None,
        }
    }
}

/// The streams of this process, by person.
#[derive(Clone, Default)]
pub struct Live {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    streams: Mutex<HashMap<UserId, Vec<Arc<StreamSignal>>>>,
    next_id: AtomicU64,
    closing: AtomicBool,
    closed: Notify,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("streams", &self.stream_count()).finish()
    }
}

/// What one stream waits on.
#[derive(Default)]
pub struct StreamSignal {
    id: u64,
    woken: Notify,
    recheck: AtomicBool,
}

/// A registered stream; dropping it unregisters it.
pub struct Subscription {
    live: Live,
    user: UserId,
    signal: Arc<StreamSignal>,
}

/// Why a stream woke up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wakeup {
    /// Something may be new: read from the cursor.
    Read,
    /// Check the session first: it may have ended.
    Recheck,
    /// The server is shutting down.
    Closing,
}

impl Subscription {
    /// Waits until this stream is woken, or the server closes.
    pub async fn next(&self) -> Wakeup {
        let closed = self.live.inner.closed.notified();
        if self.live.inner.closing.load(Ordering::Acquire) {
            return Wakeup::Closing;
        }
        tokio::select! {
            _ = self.signal.woken.notified() => {}
            _ = closed => return Wakeup::Closing,
        }
        if self.signal.recheck.swap(false, Ordering::AcqRel) { Wakeup::Recheck } else { Wakeup::Read }
    }

    pub fn user(&self) -> UserId {
        self.user
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Ok(mut streams) = self.live.inner.streams.lock() {
            if let Some(list) = streams.get_mut(&self.user) {
                list.retain(|s| s.id != self.signal.id);
                if list.is_empty() {
                    streams.remove(&self.user);
                }
            }
        }
    }
}

impl Live {
    pub fn subscribe(&self, user: UserId) -> Subscription {
        let signal = Arc::new(StreamSignal {
            id: self.inner.next_id.fetch_add(1, Ordering::Relaxed),
            ..StreamSignal::default()
        });
        if let Ok(mut streams) = self.inner.streams.lock() {
            streams.entry(user).or_default().push(signal.clone());
        }
        Subscription { live: self.clone(), user, signal }
    }

    fn each(&self, users: Option<&[UserId]>, f: impl Fn(&StreamSignal)) {
        let Ok(streams) = self.inner.streams.lock() else { return };
        match users {
            Some(users) => users.iter().filter_map(|u| streams.get(u)).flatten().for_each(|s| f(s)),
            None => streams.values().flatten().for_each(|s| f(s)),
        }
    }

    /// Hands a signal to this process's streams.
    pub fn deliver(&self, signal: &Signal) {
        match signal {
            Signal::Wake(users) => self.each(Some(users), |s| s.woken.notify_one()),
            Signal::Recheck(user) => self.each(Some(std::slice::from_ref(user)), |s| {
                s.recheck.store(true, Ordering::Release);
                s.woken.notify_one();
            }),
        }
    }

    /// Wakes every stream, after a gap in which signals may have been missed.
    pub fn wake_everyone(&self) {
        self.each(None, |s| s.woken.notify_one());
    }

    /// After a commit that wrote notifications: on SQLite, wakes the recipients' streams here.
    /// On PostgreSQL the transaction's `NOTIFY` already did, on every instance.
    pub fn committed(&self, db: &Db, users: &[UserId]) {
        if matches!(db, Db::Sqlite(_)) && !users.is_empty() {
            self.deliver(&Signal::Wake(users.to_vec()));
        }
    }

    /// Makes every stream of `user`, on every instance, check its session.
    pub async fn recheck(&self, db: &Db, user: UserId) {
        self.signal(db, Signal::Recheck(user)).await
    }

    /// Wakes the streams of `users` on every instance, outside any transaction (a count of
    /// unread notifications changed).
    pub async fn wake(&self, db: &Db, users: &[UserId]) {
        self.signal(db, Signal::Wake(users.to_vec())).await
    }

    async fn signal(&self, db: &Db, signal: Signal) {
        match db {
            Db::Sqlite(_) => self.deliver(&signal),
            Db::Postgres(pool) => {
                let sent = sqlx::query(&format!("SELECT pg_notify({CHANNEL_SQL}, $1)"))
                    .bind(signal.encode())
                    .execute(pool)
                    .await;
                if let Err(error) = sent {
                    tracing::warn!(%error, "could not signal the live streams");
                }
            }
        }
    }

    /// Ends every stream, so a graceful shutdown does not wait on them for ever.
    pub fn close(&self) {
        self.inner.closing.store(true, Ordering::Release);
        self.inner.closed.notify_waiters();
    }

    pub fn stream_count(&self) -> usize {
        self.inner.streams.lock().map(|s| s.values().map(Vec::len).sum()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_survive_the_notify_payload() {
        for signal in [Signal::Wake(vec![UserId(3), UserId(14)]), Signal::Recheck(UserId(7))] {
            assert_eq!(Signal::decode(&signal.encode()), Some(signal));
        }
        assert_eq!(Signal::decode("w:1,x"), None);
        assert_eq!(Signal::decode("nonsense"), None);
    }

    #[tokio::test]
    async fn a_wake_reaches_only_the_streams_of_its_recipients() {
        let live = Live::default();
        let mine = live.subscribe(UserId(1));
        let other = live.subscribe(UserId(2));
        live.deliver(&Signal::Wake(vec![UserId(1)]));
        assert_eq!(mine.next().await, Wakeup::Read);
        let nothing = tokio::time::timeout(std::time::Duration::from_millis(50), other.next()).await;
        assert!(nothing.is_err(), "user 2 was woken by user 1's notification");
        live.deliver(&Signal::Recheck(UserId(2)));
        assert_eq!(other.next().await, Wakeup::Recheck);
        drop(mine);
        assert_eq!(live.stream_count(), 1);
        live.close();
        assert_eq!(other.next().await, Wakeup::Closing);
    }
}
