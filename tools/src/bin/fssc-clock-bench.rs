//! Times the working-time clock on the center's default calendar (Asia/Shanghai, 09:00–12:00
//! and 13:30–18:00, the 2026 schedule): the remaining time of a list page of 50 open requests,
//! and the due instants of 943 open requests (the open requests of the benchmark data set);
//! then the scheduler's tick with its database work (the lease, the calendars, the running
//! requests, the alert check) over 943 open requests on a fresh SQLite database, and on
//! PostgreSQL when `BENCH_POSTGRES_URL` names a server.
//!
//!     cargo run --release -p tools --bin fssc-clock-bench
//!
//! Prints the median and the 95th percentile of each, in microseconds.

use app::sla::{calendar, service, store, working_time};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::time::Instant;

const ROUNDS: usize = 500;

#[tokio::main]
async fn main() {
    let Ok(calendar) = calendar::center_default() else {
        eprintln!("the default calendar does not build");
        std::process::exit(1);
    };
    let now = chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(2026, 10, 12, 15, 0, 0)
        .single()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(Utc::now);
    // Open requests submitted over the last six weeks, across National Day, each with one
    // pause of a few hours while the center waited on the client.
    let requests: Vec<(DateTime<Utc>, Vec<working_time::Pause>)> = (0..943i64)
        .map(|n| {
            let submitted = now - Duration::minutes(n * 61 % (42 * 24 * 60));
            let paused = submitted + Duration::minutes(n % 300);
            let pause = working_time::Pause { start: paused, end: Some(paused + Duration::minutes(30 + n % 240)) };
            (submitted, vec![pause])
        })
        .collect();
    let target = Duration::hours(48);

    // A page of the list: 50 requests from across the six weeks, the oldest the slowest.
    let page_of_50: Vec<_> = requests.iter().step_by(requests.len() / 50).take(50).collect();
    let page = time(|| {
        for (submitted, pauses) in &page_of_50 {
            let used = working_time::counted_between(&calendar, *submitted, now, pauses);
            std::hint::black_box(target - used);
        }
    });
    let tick = time(|| {
        for (submitted, pauses) in &requests {
            std::hint::black_box(working_time::due_after(&calendar, *submitted, target, pauses));
        }
    });
    println!("| measure | median µs | p95 µs |");
    println!("| --- | ---: | ---: |");
    println!("| remaining time, a page of 50 requests | {:.1} | {:.1} |", page.0, page.1);
    println!("| due instants, 943 open requests | {:.1} | {:.1} |", tick.0, tick.1);

    let dir = std::env::temp_dir().join(format!("fssc-clock-bench-{}", std::process::id()));
    let sqlite = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let _ = std::fs::create_dir_all(&dir);
    let mut databases = vec![("SQLite", sqlite)];
    if let Ok(url) = std::env::var("BENCH_POSTGRES_URL") {
        databases.push(("PostgreSQL", url));
    }
    for (name, url) in databases {
        match scheduler_tick(&url, now).await {
            Ok((median, p95)) => println!("| scheduler tick with its queries, 943 open requests, {name} | {median:.1} | {p95:.1} |"),
            Err(error) => {
                eprintln!("{name}: {error}");
                std::process::exit(1);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Fills a fresh database with 943 running requests submitted over six weeks, then times
/// what one scheduler tick does before it sends anything.
async fn scheduler_tick(url: &str, now: DateTime<Utc>) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    use app::{
        auth::ssr::store as users,
        catalogue::store as catalogue,
        orgs,
        requests::store as requests,
    };
    let schema = format!("clock_bench_{}", std::process::id());
    let postgres = url.starts_with("postgres");
    if postgres {
        if let app::db::Db::Postgres(pool) = app::db::Db::connect(url).await? {
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")).execute(&pool).await?;
        }
    }
    let db = app::db::Db::connect_in_schema(url, postgres.then_some(schema.as_str())).await?;
    db.migrate().await?;
    service::ensure_default(&db).await?;
    let org = orgs::store::ensure(&db, "BENCH", "基准测试公司", orgs::OrgKind::Subsidiary, None).await?;
    let email = app::validation::Email::parse("bench@example.com").map_err(|_| "email")?;
    let user = users::create_user(&db, users::NewUser {
        email: &email, display_name: "基准", password_hash: "x", language: app::kernel::Language::ZhCn, time_zone: "Asia/Shanghai",
    }).await?;
    let general = catalogue::current_types(&db, false).await?.into_iter().find(|t| t.code == "general_query").ok_or("no type")?;
    for n in 0..943i64 {
        let submitted = now - Duration::minutes(n * 61 % (42 * 24 * 60));
        let key = format!("bench-{n}");
        let record = requests::NewRecord {
            org, requester: user, type_version: general.version_id, team: general.team_id, title: "基准",
            description: "", field_values: "{}", urgent: false, urgent_reason: None,
            first_response_due: now + Duration::days(30), resolution_due: now + Duration::days(30), calendar: None,
            first_response_minutes: 8 * 60, resolution_minutes: 400 * 60, idempotency_key: &key, files: &[], policies: &[],
            now: submitted,
        };
        requests::insert(&db, &record).await?;
    }
    let mut samples = Vec::new();
    for round in 0..50 {
        let at = now + Duration::seconds(round);
        let started = Instant::now();
        store::take_lease(&db, "bench", "bench", at, at + Duration::minutes(2)).await?;
        let calendars = service::calendars(&db).await?;
        let rows = store::open_clocks(&db, true).await?;
        let alerts = service::alerts_reached(&calendars, &rows, at);
        samples.push(started.elapsed().as_secs_f64() * 1e6);
        if rows.len() != 943 || !alerts.is_empty() {
            return Err(format!("expected 943 running requests and no alert, found {} and {}", rows.len(), alerts.len()).into());
        }
    }
    if let (true, app::db::Db::Postgres(pool)) = (postgres, &db) {
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(pool).await?;
    }
    samples.sort_by(f64::total_cmp);
    Ok((samples[samples.len() / 2], samples[samples.len() * 95 / 100]))
}

/// The median and 95th percentile of `ROUNDS` runs of `work`, in microseconds.
fn time(mut work: impl FnMut()) -> (f64, f64) {
    let mut samples: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    (samples[ROUNDS / 2], samples[ROUNDS * 95 / 100])
}
