//! Spawns the real portal on a random port against a fresh database, for each backend.
//!
//! SQLite tests get a new database file each. PostgreSQL tests share the run's database
//! (`TEST_POSTGRES_URL`, created and dropped by the test command) and get a schema each.
#![allow(dead_code)]

pub mod smtp;
pub mod sse;

use app::{
    auth::{ssr::{password, store as users}},
    db::Db,
    error::AppError,
    kernel::{Language, OrgId, Role, UserId},
    orgs::{OrgKind, store as orgs},
    state::Settings,
    validation::Email,
};
use reqwest::{header, StatusCode};
use server::{config::Config, Portal};
use std::{
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub backend: Backend,
    pub portal: Portal,
    pub jobs: Option<server::Jobs>,
    dir: Option<PathBuf>,
    server: Option<tokio::task::JoinHandle<()>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("t{}_{}_{}", std::process::id(), n, nanos)
}

/// The PostgreSQL database of this test run. Outside CI a missing one skips the
/// PostgreSQL half of each test; in CI it fails the test.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("TEST_POSTGRES_URL is not set: PostgreSQL tests cannot be skipped in CI")
        }
        _ => {
            eprintln!("TEST_POSTGRES_URL not set: skipping the PostgreSQL variant");
            None
        }
    }
}

pub fn test_settings(public_url: &str) -> Settings {
    let mut settings = Settings::new(public_url);
    // Short waits keep throttle tests quick; the counting rules are the production ones.
    settings.throttle.delay_step = std::time::Duration::from_millis(1);
    settings.throttle.max_delay = std::time::Duration::from_millis(5);
    settings
}

/// A fresh, migrated database of the given backend, without a server.
pub async fn fresh_db(backend: Backend) -> Option<(Db, Option<PathBuf>, String)> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("fssc-test-{}", unique_name()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = format!("sqlite://{}/portal.db", dir.display());
            let db = Db::connect(&url).await.expect("sqlite connect");
            db.migrate().await.expect("sqlite migrate");
            Some((db, Some(dir), "public".into()))
        }
        Backend::Postgres => {
            let url = postgres_url()?;
            let schema = unique_name();
            let admin = Db::connect(&url).await.expect("postgres connect");
            if let Db::Postgres(pool) = &admin {
                sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
                    .execute(pool)
                    .await
                    .expect("create schema");
            }
            admin.close().await;
            let db = Db::connect_in_schema(&url, Some(&schema)).await.expect("postgres connect");
            db.migrate().await.expect("postgres migrate");
            Some((db, None, schema))
        }
    }
}

impl TestApp {
    /// Starts the portal with the demo data set, or `None` when the backend is unavailable
    /// outside CI.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let (db, dir, schema) = fresh_db(backend).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let mut config = Config {
            database_url: String::new(),
            database_schema: schema,
            addr,
            settings: test_settings(&base),
            site_root: "target/site".into(),
            seed_demo: true,
            // The tests count what they make themselves; the demo history has its own test.
            demo_history: false,
            bootstrap_admin: None,
            mail: None,
            connections: Default::default(),
            rate: Default::default(),
            sla_tick: std::time::Duration::from_secs(60),
        };
        adjust(&mut config);
        let portal = Portal::start_with_db(&config, db.clone()).await.expect("portal start");
        let jobs = portal.spawn_jobs().expect("background jobs");
        let router = portal.router();
        let live = portal.state.live.clone();
        let limits = config.connections;
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let stop = async move {
                let _ = stop.await;
            };
            server::serve(listener, router, live, limits, stop).await.expect("serve");
        });
        Some(TestApp { base, db, backend, portal, jobs: Some(jobs), dir, server: Some(server), shutdown: Some(shutdown) })
    }

    /// A client that behaves as the portal's own pages do: it keeps cookies, follows no
    /// redirect and names the portal as the origin of what it sends.
    pub fn client(&self) -> reqwest::Client {
        browser_like(&self.base)
    }

    /// A client on a page of another site.
    pub fn cross_site_client(&self, origin: &str) -> reqwest::Client {
        browser_like(origin)
    }



    /// Calls a server function the way the browser does (url-encoded form, JSON answer).
    pub async fn call(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let response = client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// Calls a server function and decodes its error, for asserting refusals.
    pub async fn call_err(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, AppError) {
        let (status, body) = self.call(client, endpoint, form).await;
        let error: AppError = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("expected an AppError from {endpoint}, got {status} {body}: {e}"));
        (status, error)
    }

    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = self.client();
        let (status, body) = self
            .call(&client, "auth/sign_in", &[("email", email), ("password", app::seed::DEMO_PASSWORD)])
            .await;
        assert!(status.is_success(), "sign-in of {email} failed: {status} {body}");
        client
    }

    pub async fn page(&self, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let response = client
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html")
            .send()
            .await
            .expect("page");
        let status = response.status();
        (status, response.text().await.expect("html"))
    }

    pub async fn org(&self, code: &str) -> OrgId {
        orgs::find_by_code(&self.db, code).await.expect("query").expect("org exists").id
    }

    pub async fn user_id(&self, email: &str) -> UserId {
        users::find_id_by_email(&self.db, &Email::parse(email).expect("email"))
            .await
            .expect("query")
            .expect("user exists")
    }

    /// Adds a user with `role` in the organisation `org_code` (created when missing).
    pub async fn add_user(&self, email: &str, role: Role, org_code: &str) -> UserId {
        let org = orgs::ensure(&self.db, org_code, org_code, if role.is_client_side() { OrgKind::Subsidiary } else { OrgKind::Center }, None)
            .await
            .expect("org");
        let hash = password::hash(app::seed::DEMO_PASSWORD).await.expect("hash");
        let email = Email::parse(email).expect("email");
        let id = users::create_user(
            &self.db,
            users::NewUser { email: &email, display_name: email.as_str(), password_hash: &hash, language: Language::ZhCn, time_zone: "Asia/Shanghai" },
        )
        .await
        .expect("create user");
        users::set_membership(&self.db, id, org, Some(role)).await.expect("membership");
        id
    }

    /// Calls a server function whose input is JSON.
    pub async fn call_json(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        body: serde_json::Value,
    ) -> (StatusCode, String) {
        let response = client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ACCEPT, "application/json")
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    pub async fn call_json_err(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        body: serde_json::Value,
    ) -> (StatusCode, AppError) {
        let (status, text) = self.call_json(client, endpoint, body).await;
        let error: AppError = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("expected an AppError from {endpoint}, got {status} {text}: {e}"));
        (status, error)
    }

    /// The current version of the request type with `code`.
    pub async fn request_type(&self, code: &str) -> app::catalogue::RequestType {
        app::catalogue::store::current_types(&self.db, true)
            .await
            .expect("types")
            .into_iter()
            .find(|t| t.code == code)
            .expect("seeded type")
    }

    /// Uploads one file as the browser does; answers the status and body.
    pub async fn upload(&self, client: &reqwest::Client, name: &str, bytes: Vec<u8>) -> (StatusCode, String) {
        let encoded: String = name
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect();
        let response = client
            .post(format!("{}/files", self.base))
            .header("X-File-Name", encoded)
            .body(bytes)
            .send()
            .await
            .expect("upload");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    pub async fn uploaded(&self, client: &reqwest::Client, name: &str, bytes: Vec<u8>) -> app::kernel::AttachmentId {
        let (status, body) = self.upload(client, name, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "upload of {name}: {body}");
        serde_json::from_str::<app::attachments::UploadedFile>(&body).expect("uploaded file").id
    }

    pub async fn request_count(&self) -> i64 {
        app::requests::store::count(&self.db).await.expect("count")
    }
}

impl TestApp {
    /// Asks the server to stop, as SIGTERM does, and returns the task that ends when it has.
    pub fn begin_shutdown(&mut self) -> tokio::task::JoinHandle<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.server.take().expect("server still running")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
        // The jobs end before their database file goes, or their next tick logs its absence.
        drop(self.jobs.take());
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Writes each test once and runs it against SQLite and PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::support::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await.expect("sqlite");
                run(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::spawn($crate::support::Backend::Postgres).await {
                    run(app).await;
                }
            }
        }
    )*};
}

/// A cookie-keeping client whose requests carry `Origin: origin`, as a browser's do.
pub fn browser_like(origin: &str) -> reqwest::Client {
    let mut headers = header::HeaderMap::new();
    headers.insert(header::ORIGIN, header::HeaderValue::from_str(origin).expect("origin"));
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

/// Runs a store test on a fresh database of each backend.
#[allow(unused_macros)]
macro_rules! store_test {
    ($(async fn $name:ident($db:ident, $backend:ident, $schema:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::support::{fresh_db, Backend};
            use app::db::Db;
            #[allow(unused_variables)]
            async fn run($db: Db, $backend: Backend, $schema: String) $body

            #[tokio::test]
            async fn sqlite() {
                let (db, dir, schema) = fresh_db(Backend::Sqlite).await.expect("sqlite");
                run(db, Backend::Sqlite, schema).await;
                if let Some(dir) = dir { let _ = std::fs::remove_dir_all(dir); }
            }

            #[tokio::test]
            async fn postgres() {
                if let Some((db, _, schema)) = fresh_db(Backend::Postgres).await {
                    run(db, Backend::Postgres, schema).await;
                }
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use store_test;

/// A form key no other submission of the run uses.
pub fn key() -> String {
    format!("k-{}", unique_name().replace('_', "-"))
}

/// Submits a general query as `client`; answers its id.
pub async fn submit_query(app: &TestApp, client: &reqwest::Client, title: &str) -> app::kernel::RequestId {
    let general = app.request_type("general_query").await;
    let (status, body) = app
        .call_json(client, "requests/submit", serde_json::json!({ "input": {
            "type_id": general.type_id, "org": null, "title": title, "description": "发票号 12345678，金额 ¥1,280.00",
            "fields": [], "urgent": false, "urgent_reason": "", "files": [], "idempotency_key": key()
        }}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("request id")
}

/// The request page's data as `client` sees it.
pub async fn get(app: &TestApp, client: &reqwest::Client, id: app::kernel::RequestId) -> app::requests::page::RequestDetail {
    let (status, body) = app.call(client, "requests/get", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("detail")
}

pub async fn act(
    app: &TestApp,
    client: &reqwest::Client,
    id: app::kernel::RequestId,
    version: i64,
    command: serde_json::Value,
) -> (StatusCode, String) {
    app.call_json(client, "requests/act", serde_json::json!({ "id": id, "version": version, "command": command })).await
}

/// Applies a command at the request's current version; answers the new version.
pub async fn act_ok(app: &TestApp, client: &reqwest::Client, id: app::kernel::RequestId, command: serde_json::Value) -> i64 {
    let version = get(app, client, id).await.request.version;
    let (status, body) = act(app, client, id, version, command.clone()).await;
    assert_eq!(status, StatusCode::OK, "{command}: {body}");
    serde_json::from_str(&body).expect("version")
}
