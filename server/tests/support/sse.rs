//! Reads the portal's event stream through reqwest, with the parser the live benchmark uses.

use futures_util::StreamExt;
use std::time::Duration;
use tools::sse::EventParser;

pub use tools::sse::SseEvent;

pub struct EventReader {
    stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    parser: EventParser,
}

impl EventReader {
    pub fn new(response: reqwest::Response) -> EventReader {
        EventReader { stream: Box::pin(response.bytes_stream()), parser: EventParser::default() }
    }

    /// The next event, `Ok(None)` when the server ended the stream, `Err(())` on timeout.
    pub async fn next(&mut self, within: Duration) -> Result<Option<SseEvent>, ()> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(event) = self.parser.next_event() {
                return Ok(Some(event));
            }
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return Err(()),
                Ok(None) | Ok(Some(Err(_))) => return Ok(None),
                Ok(Some(Ok(bytes))) => self.parser.push(&bytes).expect("events end within a few megabytes"),
            }
        }
    }

    /// The next `notification` event, skipping `unread` counts; `None` if none came in time.
    pub async fn next_notification(&mut self, within: Duration) -> Option<app::notifications::Notification> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Ok(Some(event)) if event.event == "notification" => {
                    let n: app::notifications::Notification = serde_json::from_str(&event.data).expect("notification json");
                    assert_eq!(event.id.as_deref(), Some(n.id.to_string().as_str()), "the event id is the notification id");
                    return Some(n);
                }
                Ok(Some(_)) => continue,
                Ok(None) | Err(()) => return None,
            }
        }
    }

    /// The next `unread` count.
    pub async fn next_unread(&mut self, within: Duration) -> Option<i64> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Ok(Some(event)) if event.event == "unread" => return event.data.parse().ok(),
                Ok(Some(_)) => continue,
                Ok(None) | Err(()) => return None,
            }
        }
    }

    /// Whether the server ends the stream within `within`.
    pub async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Ok(None) => return true,
                Ok(Some(_)) => continue,
                Err(()) => return false,
            }
        }
    }
}

/// Opens `/events` on `base` with `client`'s cookies, resuming after `last_event_id`.
pub async fn open(client: &reqwest::Client, base: &str, last_event_id: Option<&str>) -> reqwest::Response {
    let mut request = client.get(format!("{base}/events")).header("Accept", "text/event-stream");
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id);
    }
    request.send().await.expect("events")
}
