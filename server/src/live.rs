//! The live event stream of each signed-in tab (served at `GET /events` by the edge), and the
//! PostgreSQL listener that carries wakes between instances.
//!
//! Each notification is one event with its id, so the browser's automatic reconnection sends
//! `Last-Event-ID` and the stream replays from the table what the tab missed. After every
//! read an `unread` event carries the bell's count.

use crate::sessions::PortalSessionStore;
use app::{
    auth::{ssr::{SESSION_AUTH_KEY, SessionAuth, still_valid}},
    kernel::NotificationId,
    live::{channel, Live, Signal, Subscription, Wakeup},
    notifications::{LiveBatch, store},
    state::AppState,
};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use sqlx::{postgres::PgListener, PgPool};
use std::{convert::Infallible, time::Duration};
use tower_sessions::{session::Id, SessionStore};

/// How often a quiet stream checks that its session still stands.
const RECHECK_EVERY: Duration = Duration::from_secs(30);
/// Rows read per query while catching up.
const READ_BATCH: i64 = 200;

/// One tab's stream: replays from its cursor, then waits for wakes.
pub(crate) struct LiveStream {
    subscription: Subscription,
    app: AppState,
    sessions: PortalSessionStore,
    session_id: Option<Id>,
    auth: SessionAuth,
    cursor: NotificationId,
    started: bool,
}

impl LiveStream {
    pub(crate) fn new(
        app: AppState,
        sessions: PortalSessionStore,
        session_id: Option<Id>,
        auth: SessionAuth,
        cursor: NotificationId,
    ) -> LiveStream {
        LiveStream { subscription: app.live.subscribe(auth.user_id), app, sessions, session_id, auth, cursor, started: false }
    }

    pub(crate) fn into_sse(self) -> Sse<impl Stream<Item = Result<Event, Infallible>> + Send> {
        Sse::new(self.into_stream()).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    }

    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> + Send {
        stream::unfold(self, |mut live| async move {
            let batch = live.next_batch().await?;
            let events = live.events_of(batch);
            Some((stream::iter(events.into_iter().map(Ok)), live))
        })
        .flatten()
    }

    /// Waits for news and reads it; `None` ends the stream (session over, server closing).
    async fn next_batch(&mut self) -> Option<LiveBatch> {
        if !self.started {
            self.started = true;
            return self.read().await;
        }
        loop {
            let woke = tokio::time::timeout(RECHECK_EVERY, self.subscription.next()).await;
            match woke {
                Ok(Wakeup::Read) => return self.read().await,
                Ok(Wakeup::Closing) => return None,
                Ok(Wakeup::Recheck) | Err(_) => {
                    if !self.session_stands().await {
                        tracing::debug!(user = %self.subscription.user(), "event stream closed: session ended");
                        return None;
                    }
                    if woke.is_ok() {
                        return self.read().await;
                    }
                }
            }
        }
    }

    async fn session_stands(&self) -> bool {
        let Some(id) = self.session_id else { return false };
        match self.sessions.load(&id).await {
            Ok(Some(record)) => {
                let same_user = record
                    .data
                    .get(SESSION_AUTH_KEY)
                    .and_then(|v| serde_json::from_value::<SessionAuth>(v.clone()).ok())
                    .is_some_and(|auth| auth.user_id == self.auth.user_id && auth.epoch == self.auth.epoch);
                same_user && still_valid(&self.app, &self.auth).await.unwrap_or(false)
            }
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(%error, "event stream could not load its session");
                false
            }
        }
    }

    /// Everything after the cursor, and the unread count.
    async fn read(&mut self) -> Option<LiveBatch> {
        let user = self.subscription.user();
        let mut notifications = Vec::new();
        loop {
            match store::after(&self.app.db, user, self.cursor, READ_BATCH).await {
                Ok(rows) => {
                    let full = rows.len() as i64 == READ_BATCH;
                    if let Some(last) = rows.last() {
                        self.cursor = last.id;
                    }
                    notifications.extend(rows);
                    if !full {
                        break;
                    }
                }
                Err(error) => {
                    // The browser reconnects with its last id; nothing is lost.
                    tracing::warn!(%error, "event stream could not read notifications");
                    return None;
                }
            }
        }
        match store::unread_count(&self.app.db, user).await {
            Ok(unread) => Some(LiveBatch { notifications, unread }),
            Err(error) => {
                tracing::warn!(%error, "event stream could not count unread notifications");
                None
            }
        }
    }

    fn events_of(&self, batch: LiveBatch) -> Vec<Event> {
        let mut events: Vec<Event> = batch
            .notifications
            .iter()
            .filter_map(|n| {
                Event::default().id(n.id.to_string()).event("notification").json_data(n).ok()
            })
            .collect();
        events.push(Event::default().event("unread").data(batch.unread.to_string()));
        events
    }
}

/// Hands every `NOTIFY` on this schema's channel to this instance's streams, for ever.
/// A dropped connection is re-established, and every stream then rereads its cursor, since
/// signals sent during the gap are gone.
pub fn spawn_listener(pool: PgPool, schema: String, live: Live) -> tokio::task::JoinHandle<()> {
    let channel = channel(&schema);
    tokio::spawn(async move {
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => {
                    if let Err(error) = listener.listen(&channel).await {
                        tracing::warn!(%error, "cannot listen for live events");
                    } else {
                        tracing::info!(%channel, "listening for live events from other instances");
                        live.wake_everyone();
                        loop {
                            match listener.try_recv().await {
                                Ok(Some(note)) => match Signal::decode(note.payload()) {
                                    Some(signal) => live.deliver(&signal),
                                    None => tracing::warn!(payload = note.payload(), "unknown live signal"),
                                },
                                // The connection dropped and came back: catch up.
                                Ok(None) => live.wake_everyone(),
                                Err(error) => {
                                    tracing::warn!(%error, "live event listener failed");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot connect the live event listener"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}
