//! The portal's server: it wires the app's pages and server functions into axum, with the
//! database, sessions, static files and background jobs.

pub mod config;
pub mod edge;
pub mod live;
pub mod mailer;
pub mod sessions;
pub mod state;

pub use state::ServerState;

use app::{
    db::Db,
    seed::{self, DemoLogin},
    shell,
    state::AppState,
    App,
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use config::Config;
use edge::{connections::ConnectionLimits, headers::HeaderPolicy, origin::OwnOrigin, rate::RateLimits};
use leptos::{nonce::Nonce, prelude::*};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use sessions::PortalSessionStore;
use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, session_store::ExpiredDeletion, Expiry, SessionManagerLayer};

/// Server functions take small forms; uploads have their own, larger limit.
const BODY_LIMIT: usize = 1024 * 1024;

/// A portal ready to serve: migrated database, session store, seeded data.
pub struct Portal {
    pub state: AppState,
    pub sessions: PortalSessionStore,
    pub leptos_options: LeptosOptions,
    pub demo_logins: Option<&'static [DemoLogin]>,
    pub origin: OwnOrigin,
    pub rates: RateLimits,
    mail: Option<mailer::MailConfig>,
    schema: String,
    sla_tick: Duration,
}

/// The background jobs of one instance. The handle owns them: dropping it ends every job where
/// it stands, so nothing keeps working on a database whose owner has let it go.
pub struct Jobs {
    stop: tokio::sync::watch::Sender<bool>,
    sender: Option<tokio::task::JoinHandle<()>>,
    others: Vec<tokio::task::JoinHandle<()>>,
}

impl Jobs {
    /// Stops the jobs: the email sender finishes the message in hand, the others end at once.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        self.abort_others();
        if let Some(mut sender) = self.sender.take() {
            if tokio::time::timeout(Duration::from_secs(10), &mut sender).await.is_err() {
                sender.abort();
            }
        }
    }

    /// Kills the email sender where it stands, as a crash would.
    pub fn kill_sender(&mut self) {
        if let Some(sender) = self.sender.take() {
            sender.abort();
        }
    }

    fn abort_others(&mut self) {
        for handle in self.others.drain(..) {
            handle.abort();
        }
    }
}

impl Drop for Jobs {
    fn drop(&mut self) {
        self.kill_sender();
        self.abort_others();
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] app::db::DbSetupError),
    #[error("session store: {0}")]
    Sessions(#[from] sqlx::Error),
    #[error("seeding: {0}")]
    Seed(app::AppError),
    #[error("PUBLIC_URL `{0}` is not an absolute http(s) address")]
    PublicUrl(String),
    #[error("RATE_LIMIT_BURST and RATE_LIMIT_PER_SECOND must be at least 1")]
    RateLimit,
}

impl Portal {
    pub async fn start(config: &Config) -> Result<Portal, StartError> {
        let schema = Db::is_postgres_url(&config.database_url)
            .then_some(config.database_schema.as_str())
            .filter(|s| *s != "public");
        let db = Db::connect_in_schema(&config.database_url, schema).await?;
        Self::start_with_db(config, db).await
    }

    pub async fn start_with_db(config: &Config, db: Db) -> Result<Portal, StartError> {
        let public_url = &config.settings.public_url;
        let origin = OwnOrigin::of_public_url(public_url).ok_or_else(|| StartError::PublicUrl(public_url.clone()))?;
        let rates = RateLimits::new(config.rate).ok_or(StartError::RateLimit)?;
        db.migrate().await?;
        if app::sla::service::ensure_default(&db).await.map_err(StartError::Seed)? {
            tracing::info!(calendar = app::sla::service::DEFAULT_CALENDAR_NAME, "created the default working calendar");
        }
        let sessions = PortalSessionStore::open(&db, &config.database_schema).await?;
        if let Some((email, password)) = &config.bootstrap_admin {
            if seed::bootstrap_admin(&db, email, password).await.map_err(StartError::Seed)? {
                tracing::info!(%email, "created the first admin account");
            }
        }
        let mut settings = config.settings.clone();
        settings.email_enabled = config.mail.is_some();
        let state = AppState { db, settings: Arc::new(settings), live: Default::default() };
        let demo_logins = if config.seed_demo {
            Some(seed::seed_demo(&state, config.demo_history).await.map_err(StartError::Seed)?)
        } else {
            None
        };
        Ok(Portal {
            state,
            sessions,
            leptos_options: leptos_options(config),
            demo_logins,
            origin,
            rates,
            mail: config.mail.clone(),
            schema: config.database_schema.clone(),
            sla_tick: config.sla_tick,
        })
    }

    pub fn router(&self) -> Router {
        let edge = Edge { origin: self.origin.clone(), rates: self.rates.clone() };
        router(self.state.clone(), self.sessions.clone(), self.leptos_options.clone(), edge)
    }

    /// Starts this instance's background jobs: housekeeping and daily digests, the email
    /// sender when SMTP is configured, and on PostgreSQL the listener for other instances'
    /// live events.
    pub fn spawn_jobs(&self) -> Result<Jobs, mailer::MailSetupError> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut others = vec![self.spawn_housekeeping(), self.spawn_sla_alerts(), self.spawn_statements()];
        if let app::db::Db::Postgres(pool) = &self.state.db {
            others.push(live::spawn_listener(pool.clone(), self.schema.clone(), self.state.live.clone()));
        }
        let sender = match &self.mail {
            Some(config) => {
                let sender = mailer::Mailer::new(self.state.db.clone(), config.clone())?;
                tracing::info!(host = %config.host, port = config.port, tls = ?config.tls, from = %config.from, "email on: sending through SMTP");
                Some(tokio::spawn(sender.run(stopped)))
            }
            None => {
                tracing::info!("email off: SMTP_HOST is not set, so no email is queued or sent");
                None
            }
        };
        Ok(Jobs { stop, sender, others })
    }

    /// Sends the SLA warnings, breach notices and unclaimed alerts, once a minute. With several
    /// instances, the one holding the lease runs the tick; each alert is claimed in the database
    /// before it is sent, so none goes out twice.
    pub fn spawn_sla_alerts(&self) -> tokio::task::JoinHandle<()> {
        let state = self.state.clone();
        let holder = app::sla::service::lease_holder();
        let every = self.sla_tick;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // The lease outlives a tick, so a slow tick is not run twice by another instance.
                match app::sla::service::tick(&state, &holder, every * 2, chrono::Utc::now()).await {
                    Ok(app::sla::service::Tick { sent: 0, .. }) => {}
                    Ok(done) => tracing::info!(alerts = done.sent, "sent SLA alerts"),
                    Err(error) => tracing::warn!(%error, "SLA alert tick failed"),
                }
            }
        })
    }

    /// Issues last month's statements on the first working day of a month, checking every
    /// minute. With several instances the lease holder issues them; each statement is unique per
    /// organisation, month and revision, so none is issued twice.
    pub fn spawn_statements(&self) -> tokio::task::JoinHandle<()> {
        let state = self.state.clone();
        let holder = app::sla::service::lease_holder();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match app::billing::statement_service::issue_due(&state, &holder, Duration::from_secs(120), chrono::Utc::now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(statements = n, "issued monthly statements"),
                    Err(error) => tracing::warn!(%error, "issuing monthly statements failed"),
                }
            }
        })
    }

    /// Deletes expired sessions and stale sign-in counts and queues the daily digests, once a
    /// minute, for ever.
    pub fn spawn_housekeeping(&self) -> tokio::task::JoinHandle<()> {
        let sessions = self.sessions.clone();
        let state = self.state.clone();
        let rates = self.rates.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                rates.forget_idle();
                if let Err(error) = sessions.delete_expired().await {
                    tracing::warn!(%error, "deleting expired sessions failed");
                }
                let now = chrono::Utc::now();
                // Uploads not submitted within a day are abandoned: a failed or cancelled
                // submission leaves no file behind.
                match app::attachments::store::purge_abandoned(&state.db, now - chrono::Duration::hours(24)).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(files = n, "purged abandoned uploads"),
                    Err(error) => tracing::warn!(%error, "purging abandoned uploads failed"),
                }
                if let Err(error) =
                    app::auth::ssr::throttle::purge_expired(&state.db, now, &state.settings.throttle).await
                {
                    tracing::warn!(%error, "purging sign-in counts failed");
                }
                // Every time zone's yesterday has ended two UTC days ago.
                let counted_since = now.date_naive() - chrono::Days::new(2);
                if let Err(error) = app::attachments::store::purge_upload_usage(&state.db, counted_since).await {
                    tracing::warn!(%error, "purging upload counts failed");
                }
                if let Err(error) = app::auth::ssr::devices::purge_stale(&state.db, now).await {
                    tracing::warn!(%error, "forgetting stale sign-in devices failed");
                }
                match app::policies::service::publish_due(&state, now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(versions = n, "published planned policy versions"),
                    Err(error) => tracing::warn!(%error, "publishing planned policy versions failed"),
                }
                match app::ratings::service::close_unrated(&state, now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(requests = n, "closed resolved requests nobody rated in time"),
                    Err(error) => tracing::warn!(%error, "closing unrated requests failed"),
                }
                match app::ratings::service::escalate_overdue(&state, now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(follow_ups = n, "escalated overdue follow-ups to the admins"),
                    Err(error) => tracing::warn!(%error, "escalating overdue follow-ups failed"),
                }
                match app::notifications::service::send_due_digests(&state, now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(digests = n, "queued daily digests"),
                    Err(error) => tracing::warn!(%error, "queueing daily digests failed"),
                }
            }
        })
    }
}

fn leptos_options(config: &Config) -> LeptosOptions {
    // cargo-leptos writes hash.txt beside the binary when it hashes file names.
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .is_some_and(|path| path.exists());
    LeptosOptions::builder()
        .output_name("fssc")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .hash_files(hashed)
        .env(leptos::config::Env::PROD)
        .build()
}

/// The app's routes, found once per process. Finding them renders the app with resource loading
/// switched off through a flag that is global to the process (leptos_router's
/// `RouteList::generate`), and a resource that first polls while the flag is up waits forever
/// (leptos-rs/leptos#4773). A second router built while another serves pages in the same
/// process, as the test harness does, would leave some of those pages hanging.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// What the edge of one instance needs besides the app: its origin and its rate buckets.
pub struct Edge {
    pub origin: OwnOrigin,
    pub rates: RateLimits,
}

pub fn router(state: AppState, sessions: PortalSessionStore, leptos_options: LeptosOptions, edge: Edge) -> Router {
    let Edge { origin, rates } = edge;
    let routes = route_list();
    let settings = state.settings.clone();
    let idle = tower_sessions::cookie::time::Duration::seconds(settings.session_idle.num_seconds());
    let session_layer = SessionManagerLayer::new(sessions.clone())
        .with_name(sessions::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure_cookies())
        .with_expiry(Expiry::OnInactivity(idle));

    let site_root = leptos_options.site_root.to_string();
    let pkg = Router::new()
        .fallback_service(
            ServeDir::new(format!("{site_root}/{}", leptos_options.site_pkg_dir))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, edge::headers::site_file_caching));

    let server_state = ServerState {
        leptos_options: leptos_options.clone(),
        app: state.clone(),
        sessions: sessions.clone(),
        origin: origin.clone(),
    };
    let uploads = state.settings.uploads;
    let files = Router::new()
        .route("/files", post(edge::files::upload))
        .route("/files/{id}", get(edge::files::download).delete(edge::files::remove))
        // A little above the file limit, so the handler can answer with its own message.
        .layer(RequestBodyLimitLayer::new(uploads.max_file_bytes as usize + 64 * 1024))
        .layer(rates.uploads());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/events", get(edge::events::events))
        .route("/editor/policies/{id}/acknowledgements.csv", get(edge::reports::acknowledgements_csv))
        .route("/admin/calendars/{id}/schedule.csv", get(edge::reports::schedule_csv))
        .route("/dashboard/{table}", get(edge::reports::dashboard_csv))
        .route("/statements/{id}/statement.csv", get(edge::reports::statement_csv))
        .route("/admin/calendars/{id}/schedule.ics", get(edge::reports::schedule_ics))
        // Submitting, acting on and listing requests do the most work per call.
        .route("/api/requests/{*fn_name}", post(server_fn_handler).layer(rates.calls()))
        .route("/api/{*fn_name}", get(server_fn_handler).post(server_fn_handler))
        .leptos_routes_with_handler(routes, get(render_page))
        .nest("/pkg", pkg)
        .fallback(not_found_or_file)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .merge(files)
        .layer(session_layer)
        .layer(middleware::from_fn_with_state(origin, edge::guard))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            HeaderPolicy::for_public_url(&settings.public_url),
            edge::headers::security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        // A panic must still answer: a 500 the client can show, logged with its cause.
        .layer(CatchPanicLayer::custom(answer_panic))
        .with_state(server_state)
}

/// Renders a page for the user the session names. The user is resolved once, before
/// rendering, so the page never waits for it and the server functions it calls share it.
async fn render_page(
    State(state): State<ServerState>,
    session: tower_sessions::Session,
    request: Request<Body>,
) -> Response {
    let user = app::auth::ssr::page_user(&state.app, &session).await;
    let ServerState { leptos_options, app, .. } = state;
    // The page's scripts carry this nonce, and its policy admits no other script.
    let nonce = Nonce::new();
    let page_nonce = nonce.clone();
    let context = move || {
        provide_context(app.clone());
        provide_context(user.clone());
        provide_context(page_nonce.clone());
    };
    let render = leptos_axum::render_app_async_with_context(context, move || shell(leptos_options.clone()));
    let mut response = render(request).await.into_response();
    edge::headers::protect_page(&mut response, &nonce);
    response
}

/// Files of the site root (favicon), or the portal's not-found page in the frame of the
/// signed-in user.
async fn not_found_or_file(
    State(state): State<ServerState>,
    session: tower_sessions::Session,
    request: Request<Body>,
) -> Response {
    let wants_page = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let user = if wants_page {
        app::auth::ssr::page_user(&state.app, &session).await
    } else {
        app::auth::ssr::ResolvedUser(Ok(None))
    };
    let app = state.app.clone();
    let nonce = Nonce::new();
    let page_nonce = nonce.clone();
    let handler = leptos_axum::file_and_error_handler_with_context::<ServerState, _>(
        move || {
            provide_context(app.clone());
            provide_context(user.clone());
            provide_context(page_nonce.clone());
        },
        shell,
    );
    let mut response = handler(request.uri().clone(), State(state), request).await;
    if response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html")) {
        edge::headers::protect_page(&mut response, &nonce);
    }
    response
}

fn answer_panic(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    let body = serde_json::to_string(&app::AppError::Internal).unwrap_or_default();
    (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn server_fn_handler(State(state): State<ServerState>, request: Request<Body>) -> impl IntoResponse {
    let app = state.app.clone();
    leptos_axum::handle_server_fns_with_context(move || provide_context(app.clone()), request).await
}

/// Reports whether the database answers; load balancers take 503 as "out of rotation".
async fn healthz(State(state): State<ServerState>) -> Response {
    let database_ok = state.app.db.ping().await;
    let status = if database_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = serde_json::json!({
        "status": if database_ok { "ok" } else { "unavailable" },
        "database": if database_ok { "ok" } else { "unreachable" },
    });
    (status, Json(body)).into_response()
}

/// Serves until `shutdown` completes, then ends the event streams and lets in-flight requests
/// finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    live: app::live::Live,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let shutdown = async move {
        shutdown.await;
        live.close();
    };
    edge::connections::serve_connections(listener, router, limits, shutdown).await
}
