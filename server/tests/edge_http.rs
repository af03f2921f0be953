//! The HTTP edge under attack: cross-site requests, malformed bodies, open redirects, cache
//! and security headers, idle connections, oversized id lists, disguised or inflated files,
//! and email addresses no server takes.

mod support;

use app::{
    error::{AppError, Field, FieldError, Problem},
    i18n::Locale,
    notifications::{store as outbox, FailedEmail},
    seed::DEMO_PASSWORD,
};
use reqwest::{header, StatusCode};
use serde_json::json;
use std::time::Duration;
use support::{
    smtp::{mail_config, Mode, SmtpSink},
    Backend, TestApp,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EVIL: &str = "http://evil.example";

async fn user_exists(app: &TestApp, email: &str) -> bool {
    let email = app::validation::Email::parse(email).expect("email");
    app::auth::ssr::store::find_id_by_email(&app.db, &email).await.expect("lookup").is_some()
}

/// The admin's cookie, replayed by a page on another site.
async fn admin_cookie(app: &TestApp) -> String {
    let response = app
        .client()
        .post(format!("{}/api/auth/sign_in", app.base))
        .form(&[("email", "admin@example.com"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::OK);
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("fssc_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_string()
}

fn new_admin_form(email: &str, center: &str) -> Vec<(&'static str, String)> {
    vec![
        ("email", email.to_string()),
        ("display_name", "Mallory".into()),
        ("password", "correct horse battery staple".into()),
        ("language", "en".into()),
        ("org", center.to_string()),
        ("role", "admin".into()),
    ]
}

on_both_backends! {
    async fn a_page_on_another_site_cannot_act_with_the_users_cookie(app) {
        let cookie = admin_cookie(&app).await;
        let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let center = app.org("FSSC").await.to_string();
        let form = new_admin_form("mallory@evil.example", &center);

        // Another origin, a `null` origin, a foreign Referer, or nothing at all: refused.
        for (name, value) in [
            (header::ORIGIN, EVIL.to_string()),
            (header::ORIGIN, "null".to_string()),
            (header::ORIGIN, format!("{}.evil.example", app.base)),
            (header::REFERER, format!("{EVIL}/attack.html")),
        ] {
            let response = plain.post(format!("{}/api/admin/create_user", app.base))
                .header(header::COOKIE, &cookie).header(name.clone(), &value)
                .header(header::ACCEPT_LANGUAGE, "en")
                .form(&form).send().await.expect("post");
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
            let body: serde_json::Value = response.json().await.expect("json");
            assert_eq!(body["message"], AppError::Forbidden.message(Locale::en));
        }
        let response = plain.post(format!("{}/api/admin/create_user", app.base))
            .header(header::COOKIE, &cookie).form(&form).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "no Origin and no Referer");
        assert!(!user_exists(&app, "mallory@evil.example").await, "no account was created");

        // The portal's own page, named by Origin or (without it) by Referer, may.
        let response = plain.post(format!("{}/api/admin/create_user", app.base))
            .header(header::COOKIE, &cookie).header(header::REFERER, format!("{}/admin/users", app.base))
            .header(header::ACCEPT, "application/json")
            .form(&form).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap_or_default());
        assert!(user_exists(&app, "mallory@evil.example").await);
    }

    async fn sign_in_sign_out_and_files_refuse_other_origins(app) {
        let evil = app.cross_site_client(EVIL);
        // Login CSRF: signing the victim into the attacker's account.
        let response = evil.post(format!("{}/api/auth/sign_in", app.base))
            .form(&[("email", "client.east@example.com"), ("password", DEMO_PASSWORD)])
            .send().await.expect("sign in");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.headers().get(header::SET_COOKIE).is_none(), "no session was started");

        // A signed-in user's cookie, replayed cross-site, cannot sign them out or touch files.
        let client = app.signed_in("client.east@example.com").await;
        let file = app.uploaded(&client, "bank.csv", b"date,amount\n2026-11-01,12.00\n".to_vec()).await;
        let cookie = {
            let response = app.client().post(format!("{}/api/auth/sign_in", app.base))
                .form(&[("email", "client.east@example.com"), ("password", DEMO_PASSWORD)])
                .send().await.expect("sign in");
            response.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("fssc_session=")).and_then(|v| v.split(';').next())
                .expect("cookie").to_string()
        };
        let plain = reqwest::Client::new();
        let sign_out = plain.post(format!("{}/api/auth/sign_out", app.base))
            .header(header::COOKIE, &cookie).header(header::ORIGIN, EVIL).send().await.expect("sign out");
        assert_eq!(sign_out.status(), StatusCode::FORBIDDEN);
        let whoami = plain.post(format!("{}/api/auth/whoami", app.base))
            .header(header::COOKIE, &cookie).header(header::ORIGIN, app.base.as_str()).send().await.expect("whoami");
        let whoami = whoami.text().await.expect("body");
        assert!(whoami.contains("client.east@example.com"), "still signed in: {whoami}");

        let upload = plain.post(format!("{}/files", app.base))
            .header(header::COOKIE, &cookie).header(header::ORIGIN, EVIL).header("X-File-Name", "x.csv")
            .body("a,b\n1,2\n").send().await.expect("upload");
        assert_eq!(upload.status(), StatusCode::FORBIDDEN);
        let delete = plain.delete(format!("{}/files/{}", app.base, file.0))
            .header(header::COOKIE, &cookie).header(header::ORIGIN, EVIL).send().await.expect("delete");
        assert_eq!(delete.status(), StatusCode::FORBIDDEN);
        // Reading stays allowed: a download link may be opened from anywhere.
        let download = client.get(format!("{}/files/{}", app.base, file.0)).send().await.expect("download");
        assert_eq!(download.status(), StatusCode::OK);
    }

    async fn server_functions_take_only_forms_and_json(app) {
        let client = app.signed_in("client.east@example.com").await;
        // text/plain is what a cross-site form can send without asking first.
        let response = client.post(format!("{}/api/requests/list", app.base))
            .header(header::CONTENT_TYPE, "text/plain")
            .body(r#"{"filter":{}}"#).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let response = client.post(format!("{}/api/requests/list", app.base))
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
            .body("--x--").send().await.expect("post");
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    async fn a_malformed_call_is_told_so_without_the_parsers_words(app) {
        let client = app.signed_in("client.east@example.com").await;
        for (content_type, body) in [
            ("application/json", r#"{"nonsense": 1}"#),
            ("application/json", "{not json"),
            ("application/x-www-form-urlencoded", "filter=%ZZ"),
        ] {
            let response = client.post(format!("{}/api/requests/list", app.base))
                .header(header::CONTENT_TYPE, content_type).header(header::ACCEPT, "application/json")
                .body(body).send().await.expect("post");
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
            let text = response.text().await.expect("body");
            let error: AppError = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(error, AppError::Malformed);
            for internal in ["expected", "ListRequests", "ListFilter", "line", "column", "missing field"] {
                assert!(!text.contains(internal), "{internal} leaked: {text}");
            }
        }
        assert_eq!(AppError::Malformed.message(Locale::zh_CN), "请求格式不正确。");
    }

    async fn a_form_post_without_javascript_is_sent_back_only_to_the_portal(app) {
        let client = app.client();
        // The portal's own sign-in form, posted without JavaScript, returns to it.
        let response = client.post(format!("{}/api/auth/sign_in", app.base))
            .header(header::ACCEPT, "text/html").header(header::REFERER, format!("{}/login?next=%2Frequests", app.base))
            .form(&[("email", "client.east@example.com"), ("password", "wrong")])
            .send().await.expect("post");
        assert!(response.status().is_redirection(), "{}", response.status());
        let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(location.starts_with("/login") || location.starts_with(&format!("{}/login", app.base)), "{location}");

        // A Referer naming another site (the Origin passed) never becomes the redirect.
        let response = client.post(format!("{}/api/auth/sign_in", app.base))
            .header(header::ACCEPT, "text/html").header(header::REFERER, format!("{EVIL}/attack.html?"))
            .form(&[("email", "client.east@example.com"), ("password", "wrong")])
            .send().await.expect("post");
        let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(!location.contains("evil.example"), "sent off the portal: {location}");
        assert!(location.starts_with('/') && !location.starts_with("//"), "{location}");
    }

    async fn nothing_personal_is_cacheable_and_pages_carry_a_strict_policy(app) {
        let visitor = app.client();
        let login = visitor.get(format!("{}/login", app.base)).header(header::ACCEPT, "text/html").send().await.expect("login");
        let policy = login.headers().get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).expect("CSP").to_string();
        let html = login.text().await.expect("html");
        let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("nonce in the policy");
        assert!(nonce.len() >= 16, "{nonce}");
        for directive in ["default-src 'self'", "'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(policy.contains(directive), "{directive} missing: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        // An empty script (a hydration placeholder) runs nothing, so it needs no nonce.
        let scripts = html.matches("<script").count() - html.matches("<script></script>").count();
        assert!(scripts > 0);
        let nonced = html.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(nonced >= scripts, "{scripts} scripts, {nonced} with the nonce: {html}");
        // Each page gets a nonce of its own.
        let again = visitor.get(format!("{}/login", app.base)).send().await.expect("login");
        let policy_again = again.headers().get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_ne!(policy, policy_again);

        let client = app.signed_in("client.east@example.com").await;
        let file = app.uploaded(&client, "bank.csv", b"date,amount\n2026-11-01,12.00\n".to_vec()).await;
        let page = client.get(format!("{}/requests", app.base)).header(header::ACCEPT, "text/html").send().await.expect("page");
        let answer = client.post(format!("{}/api/requests/list", app.base)).header(header::ACCEPT, "application/json")
            .json(&json!({ "filter": {} })).send().await.expect("list");
        let download = client.get(format!("{}/files/{}", app.base, file.0)).send().await.expect("download");
        let refused = client.get(format!("{}/files/999999", app.base)).send().await.expect("download");
        for (what, response) in [("page", &page), ("server function", &answer), ("download", &download), ("refusal", &refused)] {
            assert_eq!(response.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-store"), "{what}");
        }
        assert!(answer.status().is_success() && download.status().is_success());
        assert!(page.headers().get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain http");

        // A missing site file may be there after the deploy: it is not cached.
        let missing = client.get(format!("{}/pkg/fssc-0123456789abcdef.js", app.base)).send().await.expect("pkg");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let caching = missing.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(!caching.contains("immutable") && caching.contains("no-store"), "{caching}");
    }

    async fn id_lists_longer_than_a_request_holds_are_refused_before_any_query(app) {
        let client = app.signed_in("client.east@example.com").await;
        let general = app.request_type("general_query").await;
        let limit = app.portal.state.settings.uploads.max_files_per_request;
        let files: Vec<serde_json::Value> = (1..=30_000).map(|id| json!([id, null])).collect();
        let (status, error) = app.call_json_err(&client, "requests/submit", json!({ "input": {
            "type_id": general.type_id, "org": null, "title": "很多附件", "description": "附件编号列表",
            "fields": [], "urgent": false, "urgent_reason": "", "files": files, "idempotency_key": "ids-30000"
        }})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error, AppError::Invalid(vec![FieldError { field: Field::Files, problem: Problem::TooManyFiles { max: limit } }]));

        let (_, body) = app.call_json(&client, "requests/submit", json!({ "input": {
            "type_id": general.type_id, "org": null, "title": "一个问题", "description": "请问报销进度",
            "fields": [], "urgent": false, "urgent_reason": "", "files": [], "idempotency_key": "ids-none"
        }})).await;
        let id: i64 = serde_json::from_str(&body).expect("request id");
        let ids: Vec<i64> = (1..=60_000).collect();
        let (status, error) = app.call_json_err(&client, "requests/act", json!({
            "id": id, "version": 1, "command": { "Reply": { "message": "补充", "files": ids } }
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error:?}");
        assert!(matches!(&error, AppError::Invalid(errors) if errors[0].problem == Problem::TooManyFiles { max: limit }), "{error:?}");
    }

    async fn file_names_cannot_disguise_and_archives_cannot_inflate(app) {
        let client = app.signed_in("client.east@example.com").await;
        let (status, body) = app.upload(&client, "report\u{202E}fdp.csv", b"date,amount\n2026-11-01,12.00\n".to_vec()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let file: app::attachments::UploadedFile = serde_json::from_str(&body).expect("file");
        assert_eq!(file.file_name, "reportfdp.csv");

        // CSV is always a download, even when a preview is asked for.
        let download = client.get(format!("{}/files/{}?inline=1", app.base, file.id.0)).send().await.expect("download");
        let disposition = download.headers().get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(disposition.starts_with("attachment;"), "{disposition}");

        // A document declaring 1 GiB of content in a few hundred bytes.
        let bomb = zip(&[("[Content_Types].xml", 500), ("word/document.xml", 1 << 30)]);
        let (status, body) = app.upload(&client, "合同.docx", bomb).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let refusal: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(refusal["message"], "该文件声明的解压内容远超同等大小的文档，已拒绝接收。");
        // An ordinary document of the same shape is taken.
        let docx = zip(&[("[Content_Types].xml", 500), ("word/document.xml", 900)]);
        let (status, body) = app.upload(&client, "合同.docx", docx).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    async fn addresses_no_server_takes_are_refused_on_entry(app) {
        let admin = app.signed_in("admin@example.com").await;
        let center = app.org("FSSC").await.to_string();
        for bad in ["<img/src=x/onerror=alert(1)>@example.com", "Li Na <li@example.com>", "li@[127.0.0.1]"] {
            let mut form = new_admin_form(bad, &center);
            form[5].1 = "agent".into();
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, error) = app.call_err(&admin, "admin/create_user", &form).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(error, AppError::Invalid(vec![FieldError { field: Field::Email, problem: Problem::InvalidEmail }]), "{bad}");
        }
    }
}

/// A ZIP whose entries store 100 bytes each and declare `declared`.
fn zip(entries: &[(&str, u32)]) -> Vec<u8> {
    app::attachments::zip_example::zip_declaring(entries, 100)
}

async fn with_mail(backend: Backend, mode: Mode) -> Option<(TestApp, SmtpSink)> {
    let sink = SmtpSink::start(mode).await;
    let config = mail_config(&sink);
    let app = TestApp::spawn_with(backend, move |c| c.mail = Some(config)).await?;
    Some((app, sink))
}

async fn queue_email(app: &TestApp, to: &str, subject: &str) {
    let batch = outbox::Batch {
        notifications: vec![],
        emails: vec![outbox::NewEmail {
            user: None,
            to: to.into(),
            language: app::kernel::Language::ZhCn,
            subject: subject.into(),
            text: "正文".into(),
            html: "<p>正文</p>".into(),
        }],
    };
    outbox::record(&app.db, &batch, chrono::Utc::now()).await.expect("queue");
}

async fn failed_emails_seen_by_admin(app: &TestApp, within: Duration) -> Vec<FailedEmail> {
    let admin = app.signed_in("admin@example.com").await;
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let (status, body) = app.call(&admin, "admin/failed_emails", &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let failed: Vec<FailedEmail> = serde_json::from_str(&body).expect("failed emails");
        if failed.len() >= 2 || tokio::time::Instant::now() > deadline {
            return failed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn refused_emails_are_given_up_and_shown_to_admins(backend: Backend) {
    let Some((app, sink)) = with_mail(backend, Mode::Reject).await else { return };
    // An address stored before addresses were checked strictly, and one the server refuses.
    queue_email(&app, "<img/src=x/onerror=alert(1)>@example.com", "无法投递的地址").await;
    queue_email(&app, "gone@example.com", "邮箱已不存在").await;
    let failed = failed_emails_seen_by_admin(&app, Duration::from_secs(15)).await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed.iter().all(|f| f.attempts == 1), "given up at the first refusal: {failed:?}");
    let refused = failed.iter().find(|f| f.to_address == "gone@example.com").expect("refused message");
    assert!(refused.last_error.contains("550") || refused.last_error.contains("mailbox"), "{}", refused.last_error);
    // Neither is offered again, and neither counts as waiting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.offered(), 1, "only the deliverable address reached the server, once");
    assert_eq!(outbox::outbox_backlog(&app.db).await.expect("backlog").0, 0);
    // Only admins see them.
    let client = app.signed_in("client.east@example.com").await;
    let (status, _) = app.call(&client, "admin/failed_emails", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_emails_are_given_up_on_sqlite() {
    refused_emails_are_given_up_and_shown_to_admins(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_emails_are_given_up_on_postgres() {
    refused_emails_are_given_up_and_shown_to_admins(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_deployments_send_hsts() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.settings.public_url = "https://portal.example.com".into())
        .await
        .expect("sqlite");
    let response = reqwest::get(format!("{}/login", app.base)).await.expect("login");
    assert_eq!(
        response.headers().get(header::STRICT_TRANSPORT_SECURITY).and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
}

/// Connections (the database plays no part): SQLite only.
mod connections {
    use super::*;

    async fn with_idle_timeout(seconds: u64) -> TestApp {
        TestApp::spawn_with(Backend::Sqlite, move |c| c.connections.idle_timeout = Duration::from_secs(seconds))
            .await
            .expect("sqlite")
    }

    /// Whether the server closes `stream` within `within` (reads end), without it sending anything.
    async fn closed_within(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
        let mut buffer = [0u8; 4096];
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
                Err(_) => return false,
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_silent_connection_is_closed_after_the_idle_timeout() {
        let app = with_idle_timeout(1).await;
        let addr = app.base.trim_start_matches("http://").to_string();
        let mut silent = tokio::net::TcpStream::connect(&addr).await.expect("connect");
        assert!(!closed_within(&mut silent, Duration::from_millis(500)).await, "not before the timeout");
        assert!(closed_within(&mut silent, Duration::from_secs(3)).await, "closed after it");

        // Half a request's headers, then nothing: closed too.
        let mut slow = tokio::net::TcpStream::connect(&addr).await.expect("connect");
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.expect("write");
        assert!(closed_within(&mut slow, Duration::from_secs(3)).await);

        // A kept-alive connection is closed once idle after its answer.
        let mut kept = tokio::net::TcpStream::connect(&addr).await.expect("connect");
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("write");
        let mut buffer = [0u8; 1024];
        let n = kept.read(&mut buffer).await.expect("answer");
        assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
        assert!(closed_within(&mut kept, Duration::from_secs(3)).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_event_stream_outlives_the_idle_timeout() {
        let app = with_idle_timeout(1).await;
        let client = app.signed_in("client.east@example.com").await;
        let mut events = support::sse::EventReader::new(support::sse::open(&client, &app.base, None).await);
        assert!(events.next_unread(Duration::from_secs(5)).await.is_some(), "the stream opened");
        assert!(!events.ends_within(Duration::from_millis(2500)).await, "an answer in progress is not idle");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn healthz_answers_while_a_thousand_idle_connections_are_open() {
        server::edge::connections::raise_open_file_limit();
        let app = with_idle_timeout(30).await;
        let addr = app.base.trim_start_matches("http://").to_string();
        let mut idle = Vec::with_capacity(1_000);
        for _ in 0..1_000 {
            idle.push(tokio::net::TcpStream::connect(&addr).await.expect("connect"));
        }
        let client = reqwest::Client::new();
        for _ in 0..5 {
            let answer = tokio::time::timeout(Duration::from_secs(5), client.get(format!("{}/healthz", app.base)).send())
                .await
                .expect("healthz answered while 1,000 connections idle")
                .expect("healthz");
            assert_eq!(answer.status(), StatusCode::OK);
        }
        drop(idle);
    }
}

async fn with_quota(backend: Backend, files: u32, bytes: u64) -> Option<TestApp> {
    TestApp::spawn_with(backend, move |c| {
        c.settings.uploads.daily_files = files;
        c.settings.uploads.daily_bytes = bytes;
    })
    .await
}

fn csv_of(bytes: usize) -> Vec<u8> {
    let mut csv = b"date,amount\n".to_vec();
    while csv.len() < bytes {
        csv.extend_from_slice(b"2026-11-01,12.00\n");
    }
    csv.truncate(bytes);
    csv
}

async fn daily_upload_quotas_hold_while_the_bytes_stream_in(backend: Backend) {
    let kib: usize = 1024;
    let Some(app) = with_quota(backend, 3, 1024 * 1024).await else { return };
    let client = app.signed_in("client.east@example.com").await;
    // Bytes: a second 600 KiB file passes the day's 1 MiB while it streams in.
    app.uploaded(&client, "a.csv", csv_of(600 * kib)).await;
    let (status, body) = app.upload(&client, "b.csv", csv_of(600 * kib)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let refusal: serde_json::Value = serde_json::from_str(&body).expect("json");
    let error: AppError = serde_json::from_value(refusal["error"].clone()).expect("error");
    assert_eq!(error, AppError::invalid(Field::Files, Problem::DailyUploadQuota { files: 3, max_mib: 1 }));
    assert_eq!(refusal["message"], "今日上传已达上限（3 个文件或 1 MB），请明天再试。");
    // Files: the refused upload counted as the second of three; one more small one fits.
    app.uploaded(&client, "c.csv", csv_of(kib)).await;
    let (status, body) = app.upload(&client, "d.csv", csv_of(kib)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Another user's quota is their own.
    let west = app.signed_in("client.west@example.com").await;
    app.uploaded(&west, "e.csv", csv_of(kib)).await;
}

async fn parallel_uploads_cannot_overshoot_the_quota_together(backend: Backend) {
    let kib: usize = 1024;
    let Some(app) = with_quota(backend, 100, 1024 * 1024).await else { return };
    let client = app.signed_in("client.east@example.com").await;
    let uploads = (0..10).map(|i| {
        let (app_base, client) = (app.base.clone(), client.clone());
        async move {
            client
                .post(format!("{app_base}/files"))
                .header("X-File-Name", format!("part-{i}.csv"))
                .body(csv_of(200 * kib))
                .send()
                .await
                .expect("upload")
                .status()
        }
    });
    let statuses = futures_util::future::join_all(uploads).await;
    let taken = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
    assert_eq!(taken, 5, "1 MiB holds five 200 KiB files, however many arrive at once: {statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_upload_quotas_on_sqlite() {
    daily_upload_quotas_hold_while_the_bytes_stream_in(Backend::Sqlite).await;
    parallel_uploads_cannot_overshoot_the_quota_together(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_upload_quotas_on_postgres() {
    daily_upload_quotas_hold_while_the_bytes_stream_in(Backend::Postgres).await;
    parallel_uploads_cannot_overshoot_the_quota_together(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_calling_too_fast_is_told_to_wait() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.rate = server::edge::rate::RateLimit { burst: 5, per_second: 1 };
    })
    .await
    .expect("sqlite");
    let client = app.signed_in("client.east@example.com").await;
    let list = || {
        client
            .post(format!("{}/api/requests/list", app.base))
            .header(header::ACCEPT, "application/json")
            .json(&json!({ "filter": {} }))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(list().await.expect("list").status(), StatusCode::OK);
    }
    let refused = list().await.expect("list");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=2).contains(&wait), "{wait}");
    let error: AppError = refused.json().await.expect("error");
    assert_eq!(error, AppError::Throttled { retry_after_secs: wait });
    assert_eq!(error.message(Locale::zh_CN), format!("操作过于频繁，请 {wait} 秒后再试。"));

    // Uploads have their own bucket; another browser has its own; cheap calls are not limited.
    app.uploaded(&client, "a.csv", csv_of(100)).await;
    let other = app.signed_in("client.west@example.com").await;
    let (status, _) = app.call_json(&other, "requests/list", json!({ "filter": {} })).await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..10 {
        assert_eq!(app.call(&client, "auth/whoami", &[]).await.0, StatusCode::OK);
    }
    // A second later the bucket has one call again.
    tokio::time::sleep(Duration::from_millis(1_100 * wait)).await;
    assert_eq!(list().await.expect("list").status(), StatusCode::OK);
}
