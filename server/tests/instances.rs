//! Two real server processes on one PostgreSQL database, as behind a load balancer: an event
//! committed through one instance reaches a browser connected to the other, and each email is
//! sent by exactly one of them.

mod support;

use app::{kernel::{RequestId, RequestStatus}, requests::page::RequestDetail};
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
    start_instance_with(url, schema, sink, &[]).await
}

async fn start_instance_with(url: &str, schema: &str, sink: &SmtpSink, env: &[(&str, &str)]) -> Instance {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_fssc-server"))
        .env("DATABASE_URL", url)
        .env("DATABASE_SCHEMA", schema)
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        // Behind one load balancer, both instances serve one public address.
        .env("PUBLIC_URL", PUBLIC_URL)
        .env("FSSC_DEMO_SEED", "1")
        .env("FSSC_DEMO_HISTORY", "0")
        .env("SMTP_HOST", "127.0.0.1")
        .env("SMTP_PORT", sink.addr.port().to_string())
        .env("SMTP_TLS", "none")
        .env("SMTP_FROM", "FSSC <fssc-portal@example.com>")
        .env("SMTP_POLL_MS", "50")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
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

async fn general_query(db: &app::db::Db) -> app::catalogue::RequestType {
    app::catalogue::store::current_types(db, true)
        .await
        .expect("types")
        .into_iter()
        .find(|t| t.code == "general_query")
        .expect("general query")
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
    let general = general_query(&db).await;
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

/// Both instances run the SLA scheduler every 200 ms on one database: each warning, breach and
/// unclaimed alert still reaches each recipient once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_send_each_sla_alert_once() {
    let Some(url) = postgres_url() else { return };
    let Some((db, _, schema)) = fresh_db(Backend::Postgres).await else { return };
    let sink = SmtpSink::start(Mode::Accept).await;
    let fast = [("SLA_TICK_MS", "200")];
    let a = start_instance_with(&url, &schema, &sink, &fast).await;
    let b = start_instance_with(&url, &schema, &sink, &fast).await;

    let client = sign_in(&b.base, "client.east@example.com").await;
    let agent = sign_in(&a.base, "agent1@example.com").await;
    let general = general_query(&db).await;
    let mut ids = Vec::new();
    for n in 0..2 {
        let body = post_json(&client, &b.base, "requests/submit", json!({ "input": {
            "type_id": general.type_id, "org": null, "title": format!("超时 {n}"), "description": "",
            "fields": [], "urgent": false, "urgent_reason": "", "files": [], "idempotency_key": format!("sla-{n}")
        }})).await;
        ids.push(serde_json::from_str::<RequestId>(&body).expect("id"));
    }
    post_json(&agent, &a.base, "requests/act", json!({ "id": ids[0], "version": 1, "command": "Claim" })).await;
    // Both were submitted three weeks ago and are long overdue.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(21);
    let app::db::Db::Postgres(pool) = &db else { unreachable!("a PostgreSQL test") };
    sqlx::query("UPDATE requests SET created_at = $1, first_response_due = $2, resolution_due = $2 WHERE id = ANY($3)")
        .bind(long_ago)
        .bind(long_ago + chrono::Duration::hours(8))
        .bind(ids.iter().map(|id| id.0).collect::<Vec<_>>())
        .execute(pool)
        .await
        .expect("backdate");

    let count = |id: RequestId, kind: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE request_id = $1 AND kind = $2")
                .bind(id.0).bind(kind).fetch_one(&pool).await.expect("count")
        }
    };
    let org = app::orgs::store::find_by_code(&db, "SUB-EAST").await.expect("org").expect("east").id;
    let managers = app::notifications::store::managers_of(&db, org).await.expect("managers").len() as i64;
    let team = app::sla::store::team_agents(&db, general.team_id).await.expect("agents").len() as i64;
    let expected = [
        (ids[0], "sla_warning", 1),
        (ids[0], "sla_breach", 1 + managers),
        (ids[0], "sla_unclaimed", 0),
        (ids[1], "sla_warning", 0),
        // Both of its targets are breached: the managers hear of each.
        (ids[1], "sla_breach", 2 * managers),
        (ids[1], "sla_unclaimed", team),
    ];
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen.clear();
        for (id, kind, _) in expected {
            seen.push(count(id, kind).await);
        }
        if seen.iter().zip(&expected).all(|(n, (_, _, want))| n == want) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A dozen more ticks on each instance change nothing.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    for (id, kind, want) in expected {
        assert_eq!(count(id, kind).await, want, "{kind} of request {id}");
    }
    let sent = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sla_alerts").fetch_one(pool).await.expect("alerts");
    // The claimed request: warning and breach of its resolution. The unclaimed one: those of
    // both targets, and the unclaimed alert.
    assert_eq!(sent, 2 + 5);
}
