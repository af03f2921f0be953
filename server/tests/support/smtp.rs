//! A real SMTP server for the tests: it speaks enough of the protocol for lettre, keeps what
//! it accepted, and can refuse or hang on demand to stand in for a failing mail server.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU8, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accepts every message.
    Accept = 0,
    /// Answers every message with a temporary failure (451).
    TempFail = 1,
    /// Reads the message and never answers, like a server that hung.
    Stall = 2,
    /// Refuses every message for good (550), as for a mailbox that does not exist.
    Reject = 3,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub recipients: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.data).expect("a parsable message")
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_string()
    }

    pub fn text(&self) -> String {
        self.parsed().body_text(0).map(|t| t.to_string()).unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.parsed().body_html(0).map(|t| t.to_string()).unwrap_or_default()
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    pub fn header(&self, name: &str) -> String {
        self.parsed().header_raw(name).unwrap_or_default().trim().to_string()
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    mode: Arc<AtomicU8>,
    /// Messages that reached the end of DATA, whatever the answer.
    offered: Arc<std::sync::atomic::AtomicUsize>,
}

impl SmtpSink {
    pub async fn start(mode: Mode) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let sink = SmtpSink {
            addr: listener.local_addr().expect("addr"),
            received: Arc::default(),
            mode: Arc::new(AtomicU8::new(mode as u8)),
            offered: Arc::default(),
        };
        let accept = sink.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let sink = accept.clone();
                tokio::spawn(async move {
                    let _ = sink.session(socket).await;
                });
            }
        });
        sink
    }

    pub fn set_mode(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("sink").clone()
    }

    pub fn offered(&self) -> usize {
        self.offered.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` messages were accepted, or `within` passes.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = socket.into_split();
        let mut read = BufReader::new(read);
        write.write_all(b"220 sink.test ESMTP\r\n").await?;
        let mut recipients = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if read.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_ascii_uppercase();
            if command.starts_with("EHLO") || command.starts_with("HELO") {
                write.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?;
            } else if command.starts_with("MAIL FROM") {
                recipients.clear();
                write.write_all(b"250 OK\r\n").await?;
            } else if command.starts_with("RCPT TO") {
                let address = line.trim_end()[8..].trim().trim_start_matches(':').trim().trim_matches(['<', '>']).to_string();
                recipients.push(address);
                write.write_all(b"250 OK\r\n").await?;
            } else if command == "DATA" {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = Vec::new();
                loop {
                    let mut byte = [0u8; 1];
                    if read.read_exact(&mut byte).await.is_err() {
                        return Ok(());
                    }
                    data.push(byte[0]);
                    if data.ends_with(b"\r\n.\r\n") {
                        data.truncate(data.len() - 5);
                        break;
                    }
                }
                self.offered.fetch_add(1, Ordering::SeqCst);
                match self.mode.load(Ordering::SeqCst) {
                    0 => {
                        self.received.lock().expect("sink").push(Received { recipients: recipients.clone(), data });
                        write.write_all(b"250 OK queued\r\n").await?;
                    }
                    1 => write.write_all(b"451 4.3.0 try again later\r\n").await?,
                    3 => write.write_all(b"550 5.1.1 mailbox unavailable\r\n").await?,
                    _ => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        return Ok(());
                    }
                }
            } else if command.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                write.write_all(b"250 OK\r\n").await?;
            }
        }
    }
}

/// The portal's mail settings for a sink: plain SMTP, quick polls and retries.
pub fn mail_config(sink: &SmtpSink) -> server::mailer::MailConfig {
    let from = "财务共享服务中心 <fssc-portal@example.com>".parse().expect("from");
    let mut config = server::mailer::MailConfig::new("127.0.0.1", sink.addr.port(), from);
    config.poll = Duration::from_millis(100);
    config.first_backoff = Duration::from_millis(500);
    config.max_backoff = Duration::from_secs(2);
    config.lease = Duration::from_secs(2);
    config
}
