//! Two real server processes on one PostgreSQL database, as behind a load balancer: an event
//! committed through one instance reaches a browser connected to the other, and each email is
//! sent by exactly one of them.

mod support;

use app::requests::{RequestDetail, RequestId, RequestStatus};
use reqwest::StatusCode;
use serde_json::json;
use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};
use support::{
    fresh_db, postgres_url,
    smtp::{Mode, SmtpSink},
    sse::{self, EventReader},
    Backend,
};

/// A server process; killed when dropped.
struct Instance {
    child: Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

async fn start_instance(url: &str, schema: &str, sink: &SmtpSink) -> Instance {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_fssc-server"))
        .env("DATABASE_URL", url)
        .env("DATABASE_SCHEMA", schema)
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        // Behind one load balancer, both instances serve one public address.
        .env("PUBLIC_URL", PUBLIC_URL)
        .env("FSSC_DEMO_SEED", "1")
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", sink.addr.port().to_string())
        .env("SMTP_TLS", "none")
        .env("SMTP_FROM", "FSSC <fssc-portal@example.com>")
        .env("SMTP_POLL_MS", "50")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start fssc-server");
    let instance = Instance { child, base: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{}/healthz", instance.base)).send().await {
            if r.status() == StatusCode::OK {
                return instance;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("instance on port {port} did not become healthy");
}

/// The address users would reach both instances at.
const PUBLIC_URL: &str = "http://fssc.test";

async fn sign_in(base: &str, email: &str) -> reqwest::Client {
    // The pages the browser runs come from the public address, whichever instance answers.
    let c = support::browser_like(PUBLIC_URL);
    let r = c
        .post(format!("{base}/api/auth/sign_in"))
        .header("Accept", "application/json")
        .form(&[("email", email), ("password", app::seed::DEMO_PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert!(r.status().is_success(), "sign-in at {base}: {}", r.status());
    c
}

async fn post_json(c: &reqwest::Client, base: &str, endpoint: &str, body: serde_json::Value) -> String {
    let r = c.post(format!("{base}/api/{endpoint}")).header("Accept", "application/json").json(&body).send().await.expect("call");
    let status = r.status();
    let text = r.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "{endpoint}: {text}");
    text
}

/// Sessions live in the shared database, so a session opened on A is valid on B too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_live_events_and_send_each_email_once() {
    let Some(url) = postgres_url() else { return };
    let Some((db, _, schema)) = fresh_db(Backend::Postgres).await else { return };
    let sink = SmtpSink::start(Mode::Accept).await;
    // One after the other, so the demo accounts are seeded once.
    let a = start_instance(&url, &schema, &sink).await;
    let b = start_instance(&url, &schema, &sink).await;

    let client_on_b = sign_in(&b.base, "client.east@example.com").await;
    let agent_on_a = sign_in(&a.base, "agent1@example.com").await;
    let response = sse::open(&client_on_b, &b.base, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut live_on_b = EventReader::new(response);
    assert!(live_on_b.next_unread(Duration::from_secs(5)).await.is_some());

    // The client submits on B; the agent works it on A; B's stream hears of each change.
    let general = app::catalogue::store::current_types(&db, true)
        .await
        .expect("types")
        .into_iter()
        .find(|t| t.code == "general_query")
        .expect("general query");
    let mut ids = Vec::new();
    for n in 0..8 {
        let body = post_json(&client_on_b, &b.base, "requests/submit", json!({ "input": {
            "type_id": general.type_id, "org": null, "title": format!("跨实例 {n}"), "description": "",
            "fields": [], "urgent": false, "urgent_reason": "", "files": [], "idempotency_key": format!("multi-{n}")
        }})).await;
        ids.push(serde_json::from_str::<RequestId>(&body).expect("id"));
    }
    for (n, id) in ids.iter().enumerate() {
        post_json(&agent_on_a, &a.base, "requests/act", json!({ "id": id, "version": 1, "command": "Claim" })).await;
        let heard = live_on_b.next_notification(Duration::from_secs(5)).await.expect("B hears of A's commit");
        assert_eq!((heard.request_id, heard.status), (Some(*id), Some(RequestStatus::InReview)), "change {n}");
        post_json(&agent_on_a, &a.base, "requests/act", json!({ "id": id, "version": 2, "command": { "AskForInformation": { "message": format!("问题 {n}") } } })).await;
        let heard = live_on_b.next_notification(Duration::from_secs(5)).await.expect("B hears of A's commit");
        assert_eq!(heard.status, Some(RequestStatus::AwaitingClient));
    }

    // Sixteen status changes, sixteen emails, both instances' senders polling: each arrives once.
    let mail = sink.wait_for(16, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut message_ids: Vec<String> = sink.received().iter().map(|m| m.message_id()).collect();
    assert_eq!(mail.len(), 16, "every email arrived");
    assert_eq!(sink.offered(), 16, "no email was offered twice");
    message_ids.sort();
    message_ids.dedup();
    assert_eq!(message_ids.len(), 16, "each email once");
    assert_eq!(app::notifications::store::outbox_backlog(&db).await.expect("backlog").0, 0);

    // A page served by A shows what was done on A to the client signed in on B.
    let r = client_on_b
        .post(format!("{}/api/requests/get", a.base))
        .header("Accept", "application/json")
        .form(&[("id", ids[0].to_string())])
        .send()
        .await
        .expect("get");
    let detail: RequestDetail = r.json().await.expect("detail");
    assert_eq!(detail.request.status, RequestStatus::AwaitingClient);
}
