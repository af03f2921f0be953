//! Reads a server-sent event stream the way a browser's EventSource does: blocks ended by a
//! blank line, `:` comments (the keep-alives) skipped, `data:` lines joined with newlines.
//! The live benchmark reads its sockets with it and the HTTP tests their event streams.

/// One event as EventSource hands it to a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `id:` field, which a reconnecting browser sends back as `Last-Event-ID`.
    pub id: Option<String>,
    /// The `event:` field; `message` when the server gave none.
    pub event: String,
    pub data: String,
}

/// An event that never ends is a broken server, not a big event.
pub const MAX_PENDING_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct EventParser {
    buffer: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unterminated;

impl std::fmt::Display for Unterminated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an event stream sent {MAX_PENDING_BYTES} bytes without ending an event")
    }
}

impl std::error::Error for Unterminated {}

impl EventParser {
    /// Takes the next bytes off the wire, in whatever pieces they came.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), Unterminated> {
        // Lines may end in CRLF too; no field the portal sends contains a raw CR.
        self.buffer.extend(bytes.iter().filter(|b| **b != b'\r'));
        if self.buffer.len() > MAX_PENDING_BYTES {
            return Err(Unterminated);
        }
        Ok(())
    }

    /// The next complete event, if one has arrived.
    pub fn next_event(&mut self) -> Option<SseEvent> {
        loop {
            let end = self.buffer.windows(2).position(|w| w == b"\n\n")?;
            let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
            if let Some(event) = parse_block(&String::from_utf8_lossy(&block)) {
                return Some(event);
            }
        }
    }
}

/// One block's fields; `None` for a block of comments only.
fn parse_block(block: &str) -> Option<SseEvent> {
    let mut event = SseEvent { id: None, event: "message".into(), data: String::new() };
    let mut any = false;
    let mut data_lines = 0;
    for line in block.lines() {
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => event.event = value.to_string(),
            "id" => event.id = Some(value.to_string()),
            "data" => {
                if data_lines > 0 {
                    event.data.push('\n');
                }
                event.data.push_str(value);
                data_lines += 1;
            }
            "retry" => {}
            _ => continue,
        }
        any = true;
    }
    any.then_some(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_reads_and_line_endings() {
        let mut parser = EventParser::default();
        parser.push(b": keep-alive\n\nid: 7\nevent: notification\ndata: {\"id\":7}\n\nevent: unr").expect("push");
        let event = parser.next_event().expect("a whole event");
        assert_eq!(event, SseEvent { id: Some("7".into()), event: "notification".into(), data: "{\"id\":7}".into() });
        assert!(parser.next_event().is_none(), "half an event is not an event");
        parser.push(b"ead\r\ndata: 3\r\n\r\n").expect("push");
        let event = parser.next_event().expect("the rest arrived");
        assert_eq!((event.event.as_str(), event.data.as_str(), event.id), ("unread", "3", None));
    }

    #[test]
    fn data_lines_join_and_unnamed_events_are_messages() {
        let mut parser = EventParser::default();
        parser.push(b"data: one\ndata:two\n\n").expect("push");
        let event = parser.next_event().expect("event");
        assert_eq!((event.event.as_str(), event.data.as_str()), ("message", "one\ntwo"));
    }

    #[test]
    fn an_endless_event_is_refused() {
        let mut parser = EventParser::default();
        let line = vec![b'x'; MAX_PENDING_BYTES / 2];
        assert!(parser.push(b"data: ").is_ok());
        assert!(parser.push(&line).is_ok());
        assert_eq!(parser.push(&line), Err(Unterminated));
    }
}
