//! Every main page, for every role, renders once per request: the same bytes every time, and
//! under concurrent load every answer is complete, with no panic and no error in the log.
//!
//! This binary watches the whole process: any panic or error logged while its tests run fails
//! them, so it holds only page tests.

mod support;

use reqwest::{header, StatusCode};
use serde_json::json;
use std::{
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex, Once,
    },
    time::Duration,
};
use support::{Backend, TestApp};

/// A page not answered in this time counts as never answered: the test fails, naming it,
/// instead of waiting for ever.
const PATIENCE: Duration = Duration::from_secs(30);

static PANICS: AtomicUsize = AtomicUsize::new(0);
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Counts panics (the server answers them with a 500, which must not hide them) and keeps
/// every error the server logs.
fn watch_the_log() {
    static START: Once = Once::new();
    START.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
        use tracing_subscriber::prelude::*;
        let _ = tracing_subscriber::registry().with(ErrorLog).try_init();
    });
}

struct ErrorLog;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ErrorLog {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() == tracing::Level::ERROR {
            let mut text = format!("{}:", event.metadata().target());
            event.record(&mut Fields(&mut text));
            eprintln!("logged error: {text}");
            if let Ok(mut errors) = ERRORS.lock() {
                errors.push(text);
            }
        }
    }
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

fn assert_clean_log() {
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "the server panicked");
    let errors = ERRORS.lock().map(|e| e.clone()).unwrap_or_default();
    assert!(errors.is_empty(), "the server logged errors: {errors:#?}");
}

/// Who visits which pages. `{id}` is a request all of them may see.
const VISITS: &[(&str, &[&str])] = &[
    ("", &["/login", "/no-such-page"]),
    ("client.east@example.com", &["/requests", "/requests/new", "/requests/{id}", "/notifications", "/account", "/no-such-page"]),
    ("contact.east@example.com", &["/requests", "/requests/{id}"]),
    ("agent1@example.com", &["/queue", "/requests", "/requests/{id}", "/canned-replies", "/notifications"]),
    ("manager@example.com", &["/requests", "/requests/{id}"]),
    ("admin@example.com", &["/requests", "/admin/users", "/admin/request-types"]),
];

/// A request with a timeline, and a notification for its requester.
async fn worked_request(app: &TestApp) -> String {
    let client = app.signed_in("client.east@example.com").await;
    let general = app.request_type("general_query").await;
    let (status, body) = app
        .call_json(&client, "requests/submit", json!({ "input": {
            "type_id": general.type_id, "org": null, "title": "十月差旅费报销", "description": "上海出差",
            "fields": [], "urgent": false, "urgent_reason": "", "files": [], "idempotency_key": "pages-1"
        }}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id: app::kernel::RequestId = serde_json::from_str(&body).expect("id");
    let agent = app.signed_in("agent1@example.com").await;
    for command in [json!("Claim"), json!({ "Reply": { "message": "已收到，正在处理", "files": [] } })] {
        let (_, body) = app.call(&agent, "requests/get", &[("id", &id.to_string())]).await;
        let detail: app::requests::page::RequestDetail = serde_json::from_str(&body).expect("detail");
        let (status, body) = app
            .call_json(&agent, "requests/act", json!({ "id": id, "version": detail.request.version, "command": command }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    id.to_string()
}

/// The page without what rightly differs between two renders: the script nonce (leptos also
/// writes it into `crossorigin`), and the time left until a deadline, which moves with the clock.
fn stable_part(html: &str) -> String {
    let mut out = strip(html, "nonce=\"", "\"");
    out = strip(&out, "crossorigin=\"", "\"");
    out = strip(&out, "<span class=\"due__left\">", "</span>");
    // The clock panel's figures move with the clock.
    out = strip(&out, "<span class=\"clock__live\">", "</span>");
    // And so do they in the page's serialized data.
    for field in ["counted_minutes\\\":", "remaining_minutes\\\":", "working_minutes\\\":", "paused_minutes\\\":"] {
        out = strip(&out, field, ",");
    }
    out = strip(&out, "computed_at\\\":\\\"", "\\\"");
    out
}

fn strip(text: &str, start: &str, end: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(start) {
        out.push_str(&rest[..i + start.len()]);
        rest = &rest[i + start.len()..];
        match rest.find(end) {
            Some(j) => rest = &rest[j..],
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// Where two renders part, with a little of each.
fn first_difference(a: &str, b: &str) -> String {
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = a.floor_char_boundary(at.saturating_sub(80));
    let until = |s: &str| s.ceil_char_boundary((at + 120).min(s.len()));
    format!("at byte {at}: first «{}» then «{}»", &a[from..until(a)], &b[from..until(b)])
}

async fn get_page(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    get_page_at(&app.base, client, path).await
}

async fn get_page_at(base: &str, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let whole_page = async {
        let response = client
            .get(format!("{base}{path}"))
            .header(header::ACCEPT, "text/html")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: no answer: {e}"));
        let status = response.status();
        let body = response.text().await.unwrap_or_else(|e| panic!("{path}: body cut off: {e}"));
        (status, body)
    };
    tokio::time::timeout(PATIENCE, whole_page)
        .await
        .unwrap_or_else(|_| panic!("{path}: no whole answer within {PATIENCE:?}"))
}

async fn visitors(app: &TestApp) -> Vec<(String, reqwest::Client, Vec<String>)> {
    let id = worked_request(app).await;
    let mut all = Vec::new();
    for (email, pages) in VISITS {
        let client = if email.is_empty() { app.client() } else { app.signed_in(email).await };
        let pages = pages.iter().map(|p| p.replace("{id}", &id)).collect();
        all.push((email.to_string(), client, pages));
    }
    all
}

fn expected_status(path: &str) -> StatusCode {
    if path == "/no-such-page" { StatusCode::NOT_FOUND } else { StatusCode::OK }
}

on_both_backends! {
    async fn every_page_renders_the_same_fifty_times(app) {
        watch_the_log();
        for (email, client, pages) in visitors(&app).await {
            for path in pages {
                let (status, first) = get_page(&app, &client, &path).await;
                assert_eq!(status, expected_status(&path), "{email} {path}");
                assert!(first.contains("</html>"), "{email} {path}: a whole page");
                let first = stable_part(&first);
                for n in 1..50 {
                    let (status, html) = get_page(&app, &client, &path).await;
                    assert_eq!(status, expected_status(&path), "{email} {path} #{n}");
                    let html = stable_part(&html);
                    assert!(
                        html == first,
                        "{email} {path}: render #{n} differs from the first ({} bytes, first {} bytes): {}",
                        html.len(),
                        first.len(),
                        first_difference(&first, &html)
                    );
                }
            }
        }
        assert_clean_log();
    }

    async fn every_page_answers_under_concurrent_load(app) {
        watch_the_log();
        let pages = every_visit(&app).await;
        let busy = Arc::new(AtomicBool::new(true));
        let workers = page_workers(&app, pages, 32, busy.clone(), "under load");
        tokio::time::sleep(Duration::from_secs(3)).await;
        busy.store(false, Ordering::SeqCst);
        let answered = answered(workers).await;
        assert!(answered >= 32, "each worker was answered at least once ({answered} in all)");
        assert_clean_log();
    }
}

/// Every (visitor, page) pair of [`VISITS`].
async fn every_visit(app: &TestApp) -> Vec<(reqwest::Client, String)> {
    visitors(app)
        .await
        .into_iter()
        .flat_map(|(_, client, pages)| pages.into_iter().map(move |p| (client.clone(), p)))
        .collect()
}

/// `count` workers asking for `pages` in turn while `busy` holds, each checking every answer is
/// a whole page with the right status.
fn page_workers(
    app: &TestApp,
    pages: Vec<(reqwest::Client, String)>,
    count: usize,
    busy: Arc<AtomicBool>,
    context: &'static str,
) -> Vec<tokio::task::JoinHandle<usize>> {
    (0..count)
        .map(|worker| {
            let (pages, busy, base) = (pages.clone(), busy.clone(), app.base.clone());
            tokio::spawn(async move {
                let mut answered = 0usize;
                let mut n = worker;
                while busy.load(Ordering::SeqCst) {
                    let (client, path) = &pages[n % pages.len()];
                    n += 1;
                    let (status, body) = get_page_at(&base, client, path).await;
                    assert_eq!(status, expected_status(path), "{path} {context}");
                    assert!(body.contains("</html>"), "{path}: incomplete page {context}");
                    answered += 1;
                }
                answered
            })
        })
        .collect()
}

async fn answered(workers: Vec<tokio::task::JoinHandle<usize>>) -> usize {
    let mut answered = 0;
    for worker in workers {
        answered += worker.await.expect("page worker");
    }
    answered
}

/// Several portals in one process, as in these tests: a portal starting while another serves
/// pages must not leave any of those pages waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_while_another_portal_starts_in_the_same_process() {
    watch_the_log();
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let pages = every_visit(&app).await;
    let starting = Arc::new(AtomicBool::new(true));
    let workers = page_workers(&app, pages, 8, starting.clone(), "while another portal starts");
    for _ in 0..4 {
        let other = TestApp::spawn(Backend::Sqlite).await.expect("another portal");
        drop(other);
    }
    starting.store(false, Ordering::SeqCst);
    let answered = answered(workers).await;
    assert!(answered >= 8, "pages were served while the other portals started ({answered} in all)");
    assert_clean_log();
}
