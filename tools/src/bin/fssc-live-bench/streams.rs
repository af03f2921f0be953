//! The clients' side: one open event stream each, every pushed notification timed.

use crate::options::{OPENING_CONCURRENCY, STOP_TIMEOUT};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tools::{
    http1::{Chunked, Head, HTTP_TIMEOUT, MAX_LINE_BYTES},
    sse::EventParser,
    BoxError,
};
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::{watch, OwnedSemaphorePermit, Semaphore},
    task::JoinSet,
    time::Instant,
};

/// One `notification` event as a client parsed it.
pub(crate) struct Received {
    pub(crate) client: usize,
    pub(crate) notification: i64,
    pub(crate) request: Option<i64>,
    pub(crate) latency_ms: f64,
}

/// The fields of a pushed notification the bench checks.
#[derive(Deserialize)]
pub(crate) struct Pushed {
    pub(crate) id: i64,
    pub(crate) request_id: Option<i64>,
    pub(crate) created_at: DateTime<Utc>,
}

#[derive(Default)]
pub(crate) struct StreamState {
    /// Streams that have had their first event.
    pub(crate) ready: AtomicUsize,
    /// Notification events received so far.
    pub(crate) count: AtomicUsize,
    pub(crate) received: Mutex<Vec<Received>>,
    pub(crate) failures: Mutex<Vec<String>>,
}

pub(crate) struct Streams {
    pub(crate) shared: Arc<StreamState>,
    pub(crate) stop: watch::Sender<bool>,
    pub(crate) tasks: JoinSet<()>,
}

impl Streams {
    /// Opens one stream per cookie and waits until each has sent its first (`unread`) event:
    /// from then on the server has registered it and will push to it.
    pub(crate) async fn open(addr: SocketAddr, cookies: &[String]) -> Result<Streams, BoxError> {
        let shared = Arc::new(StreamState::default());
        let (stop, stopped) = watch::channel(false);
        let opening = Arc::new(Semaphore::new(OPENING_CONCURRENCY));
        let mut tasks = JoinSet::new();
        let deadline = Instant::now() + Duration::from_secs(60) + Duration::from_millis(50 * cookies.len() as u64);
        let failed = |shared: &StreamState| {
            let failures = lock(&shared.failures);
            failures.first().map(|first| format!("{} streams failed while opening; the first: {first}", failures.len()))
        };
        for (client, cookie) in cookies.iter().enumerate() {
            let permit = tokio::time::timeout_at(deadline, opening.clone().acquire_owned())
                .await
                .map_err(|_| format!("streams were still opening after {} of {} had started", client, cookies.len()))??;
            if let Some(message) = failed(&shared) {
                return Err(message.into());
            }
            tasks.spawn(hold_stream(addr, client, cookie.clone(), shared.clone(), permit, stopped.clone()));
        }
        loop {
            let ready = shared.ready.load(Ordering::SeqCst);
            if ready == cookies.len() {
                break;
            }
            if let Some(message) = failed(&shared) {
                return Err(message.into());
            }
            if Instant::now() >= deadline {
                return Err(format!("only {ready} of {} streams had their first event in time", cookies.len()).into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(Streams { shared, stop, tasks })
    }

    /// Closes every stream; answers what they received and how those that ended early failed.
    pub(crate) async fn close(mut self) -> (Vec<Received>, Vec<String>) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(STOP_TIMEOUT, async { while self.tasks.join_next().await.is_some() {} }).await;
        self.tasks.abort_all();
        let received = std::mem::take(&mut *lock(&self.shared.received));
        let failures = std::mem::take(&mut *lock(&self.shared.failures));
        (received, failures)
    }
}

pub(crate) async fn hold_stream(
    addr: SocketAddr,
    client: usize,
    cookie: String,
    shared: Arc<StreamState>,
    opening: OwnedSemaphorePermit,
    mut stop: watch::Receiver<bool>,
) {
    let outcome = tokio::select! {
        outcome = read_stream(addr, client, &cookie, &shared, opening) => outcome,
        _ = stop.wait_for(|stop| *stop) => Ok(()),
    };
    if let Err(error) = outcome {
        lock(&shared.failures).push(format!("client {client}: {error}"));
    }
}

/// Reads one client's stream until the server ends it (an error here) or the bench stops it.
pub(crate) async fn read_stream(
    addr: SocketAddr,
    client: usize,
    cookie: &str,
    shared: &StreamState,
    opening: OwnedSemaphorePermit,
) -> Result<(), BoxError> {
    let mut opening = Some(opening);
    let mut stream = tokio::time::timeout(HTTP_TIMEOUT, TcpStream::connect(addr))
        .await
        .map_err(|_| "connecting timed out")??;
    let request = format!(
        "GET /events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\
         Cache-Control: no-cache\r\nConnection: keep-alive\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buffer = vec![0u8; 8192];
    let mut raw = Vec::new();
    let head = loop {
        let n = tokio::time::timeout(HTTP_TIMEOUT, stream.read(&mut buffer))
            .await
            .map_err(|_| "no answer to GET /events in time")??;
        if n == 0 {
            return Err("the server closed the connection without answering".into());
        }
        raw.extend_from_slice(&buffer[..n]);
        if let Some(head) = Head::parse(&raw)? {
            break head;
        }
        if raw.len() > MAX_LINE_BYTES {
            return Err("the answer's head is too long".into());
        }
    };
    if head.status != 200 {
        return Err(format!("GET /events answered {}: {}", head.status, String::from_utf8_lossy(&raw[head.len..])).into());
    }
    let mut chunked = head.is_chunked().then(Chunked::default);
    let mut events = EventParser::default();
    let mut payload = Vec::new();
    let mut input = raw.split_off(head.len);
    loop {
        payload.clear();
        match &mut chunked {
            Some(decoder) => decoder.feed(&input, &mut payload)?,
            None => payload.extend_from_slice(&input),
        }
        events.push(&payload)?;
        while let Some(event) = events.next_event() {
            let at = Utc::now();
            match event.event.as_str() {
                "unread" => {
                    if opening.take().is_some() {
                        shared.ready.fetch_add(1, Ordering::SeqCst);
                    }
                }
                "notification" => {
                    let pushed: Pushed = serde_json::from_str(&event.data)
                        .map_err(|e| format!("unreadable notification {}: {e}", event.data))?;
                    let latency = at.signed_duration_since(pushed.created_at);
                    let latency_ms = latency.num_microseconds().unwrap_or(i64::MAX) as f64 / 1000.0;
                    lock(&shared.received).push(Received {
                        client,
                        notification: pushed.id,
                        request: pushed.request_id,
                        latency_ms,
                    });
                    shared.count.fetch_add(1, Ordering::SeqCst);
                }
                _ => {}
            }
        }
        if chunked.as_ref().is_some_and(Chunked::is_done) {
            return Err("the server ended the stream".into());
        }
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        input.clear();
        input.extend_from_slice(&buffer[..n]);
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking stream task must not hide what the others received.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
