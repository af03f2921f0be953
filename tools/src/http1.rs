//! HTTP/1.1 on plain sockets. A client library per connection would weigh more than what the
//! benchmarks measure, and the security bench needs to send what no client library would.

use crate::BoxError;
use app::auth::SESSION_COOKIE;
use std::{fmt::Write as _, net::SocketAddr, time::Duration};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
pub const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Signs `email` in with the demo password; answers the session cookie as `name=value`.
pub async fn sign_in(addr: SocketAddr, email: &str) -> Result<String, BoxError> {
    let body = format!("email={}&password={}", form_encode(email), form_encode(app::seed::DEMO_PASSWORD));
    let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")];
    let response = http(addr, "POST", "/api/auth/sign_in", &headers, body.as_bytes()).await?;
    // A server function that redirects may answer 200 with a redirect header, or a 3xx.
    if !(200..400).contains(&response.status) {
        return Err(format!("sign-in of {email} answered {}: {}", response.status, response.text()).into());
    }
    Ok(response.cookie(SESSION_COOKIE).ok_or(format!("sign-in of {email} set no {SESSION_COOKIE} cookie"))?)
}

/// One kept-alive connection that sends the same request again and again.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Result<Connection, BoxError> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buffer: Vec::with_capacity(256 * 1024) })
    }

    /// Sends `request` (a whole HTTP/1.1 request) and reads the whole answer; answers its
    /// status and body length.
    pub async fn exchange(&mut self, request: &[u8]) -> Result<(u16, usize), BoxError> {
        self.stream.write_all(request).await?;
        self.buffer.clear();
        let head = loop {
            if let Some(head) = Head::parse(&self.buffer)? {
                break head;
            }
            self.read_more().await?;
        };
        let mut consumed = head.len;
        let length = if head.is_chunked() {
            let mut decoder = Chunked::default();
            let mut body = Vec::new();
            loop {
                decoder.feed(&self.buffer[consumed..], &mut body)?;
                consumed = self.buffer.len();
                if decoder.is_done() {
                    break body.len();
                }
                self.read_more().await?;
            }
        } else {
            let length = head.content_length().ok_or("an answer without a length on a kept-alive connection")?;
            while self.buffer.len() < consumed + length {
                self.read_more().await?;
            }
            consumed += length;
            length
        };
        if self.buffer.len() > consumed {
            return Err("the server answered more than was asked".into());
        }
        Ok((head.status, length))
    }

    async fn read_more(&mut self) -> Result<(), BoxError> {
        if self.buffer.len() as u64 > MAX_RESPONSE_BYTES {
            return Err("an answer over the size limit".into());
        }
        let mut chunk = [0u8; 64 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err("the server closed the connection mid-answer".into());
        }
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).chars().take(500).collect()
    }

    /// `name=value` of the cookie `name` that the answer sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(header, _)| header == "set-cookie")
            .filter_map(|(_, value)| value.split(';').next())
            .find(|pair| pair.split_once('=').is_some_and(|(n, _)| n.trim() == name))
            .map(|pair| pair.trim().to_string())
    }
}

/// One request on its own connection, which the server closes after answering.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<HttpResponse, BoxError> {
    tokio::time::timeout(HTTP_TIMEOUT, exchange(addr, method, path, headers, body))
        .await
        .map_err(|_| format!("{method} {path}: no answer within {} s", HTTP_TIMEOUT.as_secs()))?
}

async fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<HttpResponse, BoxError> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    // As from a page of the portal: the server refuses state changes from any other origin.
    if method != "GET" {
        let _ = write!(head, "Origin: http://{addr}\r\n");
    }
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).await?;
    let mut raw = Vec::new();
    (&mut stream).take(MAX_RESPONSE_BYTES).read_to_end(&mut raw).await?;
    let head = Head::parse(&raw)?.ok_or(format!("{method} {path}: the answer ended inside its head"))?;
    let rest = &raw[head.len..];
    let body = if head.is_chunked() {
        let mut decoder = Chunked::default();
        let mut body = Vec::new();
        decoder.feed(rest, &mut body)?;
        if !decoder.is_done() {
            return Err(format!("{method} {path}: the chunked answer was cut short").into());
        }
        body
    } else if let Some(length) = head.content_length() {
        rest.get(..length).ok_or(format!("{method} {path}: the answer was cut short"))?.to_vec()
    } else {
        rest.to_vec()
    };
    Ok(HttpResponse { status: head.status, headers: head.headers, body })
}

/// The status line and headers of an answer.
pub struct Head {
    pub status: u16,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    /// Bytes up to and including the blank line.
    pub len: usize,
}

impl Head {
    /// `None` while the head is incomplete.
    pub fn parse(raw: &[u8]) -> Result<Option<Head>, BoxError> {
        let Some(end) = find(raw, b"\r\n\r\n") else { return Ok(None) };
        let text = std::str::from_utf8(&raw[..end]).map_err(|_| "an answer's head is not UTF-8")?;
        let mut lines = text.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or(format!("odd status line {status_line:?}"))?;
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        Ok(Some(Head { status, headers, len: end + 4 }))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn is_chunked(&self) -> bool {
        self.header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    pub fn content_length(&self) -> Option<usize> {
        self.header("content-length").and_then(|v| v.parse().ok())
    }
}

/// Decodes `Transfer-Encoding: chunked` as it arrives, in pieces of any size.
#[derive(Default)]
pub struct Chunked {
    state: ChunkState,
    line: Vec<u8>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum ChunkState {
    /// Reading a chunk's size line.
    #[default]
    Size,
    /// This many payload bytes of the current chunk are still to come.
    Data(usize),
    /// The CRLF after a chunk's payload.
    DataEnd,
    /// Trailer lines after the last, empty chunk.
    Trailer,
    Done,
}

impl Chunked {
    /// Appends the payload carried by `input` to `out`.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), BoxError> {
        while !input.is_empty() {
            match self.state {
                ChunkState::Done => return Ok(()),
                ChunkState::Data(left) => {
                    let take = left.min(input.len());
                    out.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    self.state = if take == left { ChunkState::DataEnd } else { ChunkState::Data(left - take) };
                }
                ChunkState::Size | ChunkState::DataEnd | ChunkState::Trailer => {
                    let Some(newline) = input.iter().position(|b| *b == b'\n') else {
                        self.line.extend_from_slice(input);
                        if self.line.len() > MAX_LINE_BYTES {
                            return Err("a chunk line is too long".into());
                        }
                        return Ok(());
                    };
                    self.line.extend_from_slice(&input[..newline]);
                    input = &input[newline + 1..];
                    let line = std::mem::take(&mut self.line);
                    let line = line.strip_suffix(b"\r").unwrap_or(&line[..]);
                    self.state = match self.state {
                        ChunkState::Size => {
                            let text = std::str::from_utf8(line).map_err(|_| "a chunk size is not text")?;
                            let hex = text.split(';').next().unwrap_or("").trim();
                            let size = usize::from_str_radix(hex, 16).map_err(|_| format!("odd chunk size {text:?}"))?;
                            if size == 0 { ChunkState::Trailer } else { ChunkState::Data(size) }
                        }
                        ChunkState::DataEnd if line.is_empty() => ChunkState::Size,
                        ChunkState::DataEnd => return Err("a chunk is longer than its size".into()),
                        _ if line.is_empty() => ChunkState::Done,
                        other => other,
                    };
                }
            }
        }
        Ok(())
    }

    pub fn is_done(&self) -> bool {
        self.state == ChunkState::Done
    }
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

pub fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.*".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_decode_whatever_the_pieces() {
        let wire = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        for piece in 1..wire.len() {
            let mut decoder = Chunked::default();
            let mut out = Vec::new();
            for part in wire.chunks(piece) {
                decoder.feed(part, &mut out).expect("valid chunks");
            }
            assert_eq!(out, b"hello, world", "pieces of {piece}");
            assert!(decoder.is_done());
        }
    }
}
