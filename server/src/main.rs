use server::{config::Config, serve, Portal};
use tracing_subscriber::EnvFilter;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .init();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("fssc-server: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    server::edge::connections::raise_open_file_limit();
    let backend = if app::db::Db::is_postgres_url(&config.database_url) { "PostgreSQL" } else { "SQLite" };
    let portal = Portal::start(&config).await?;
    tracing::info!(backend, "database ready");
    if let Some(logins) = portal.demo_logins {
        println!("\nDemo accounts (password for all: {}):", app::seed::DEMO_PASSWORD);
        for login in logins {
            println!("  {:<28} {:<18} {} {}", login.email, login.role.as_str(), login.org_code, login.display_name);
        }
        println!();
    }
    let jobs = portal.spawn_jobs()?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    println!("FSSC portal listening on {}", config.settings.public_url);
    serve(listener, portal.router(), portal.state.live.clone(), config.connections, shutdown_signal()).await?;
    jobs.stop().await;
    portal.state.db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
