//! Fills a database with a realistic data set for load tests and benchmarks:
//!
//! ```text
//! fssc-seed [--users 5000] [--orgs 200] [--requests 200000] [--years 2]
//! ```
//!
//! The database is the one `DATABASE_URL` names (default `sqlite://data/bench.db`). It is
//! migrated first; a database that already holds the data set is left as it is.
//!
//! The data is generated from a fixed seed, so two runs with the same options produce the same
//! people, requests and timelines (only timestamps move with the clock). Its shape follows a
//! shared services center's: a few large subsidiaries send most of the work, a few clerks in
//! each send most of their subsidiary's, volume peaks at month ends and on working days,
//! recent requests are still open (some overdue) and older ones are closed.

mod catalogue;
mod options;
mod texts;
mod timeline;
mod world;

use options::{parse_args, Options, ADMINS, BATCH_REQUESTS, DEFAULT_DATABASE_URL, FIRST_ORG_CODE, LONG_TIMELINE, USAGE};
use timeline::Generator;
use world::World;
use app::db::Db;
use app::kernel::UserId;
use chrono::{DateTime, Datelike, Duration, Utc};
use tools::{bulk, rng::Rng};
use std::{collections::BTreeMap, process::ExitCode, time::Instant};

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fssc-seed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
    let started = Instant::now();
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    // Requests are counted on the default calendar, which the portal writes on its first start.
    app::sla::service::ensure_default(&db).await?;
    println!("database: {} ({:?})", redact(&url), db.backend());
    if bulk::has_organisation(&db, FIRST_ORG_CODE).await? {
        let c = bulk::counts(&db).await?;
        println!(
            "already seeded ({} organisations, {} users, {} requests, {} events, {} files); nothing to do",
            c.organisations, c.users, c.requests, c.events, c.attachments
        );
        return Ok(());
    }
    let catalogue = bulk::catalogue(&db).await?;
    let last = bulk::last_ids(&db).await?;
    let counters: BTreeMap<i32, i64> = bulk::reference_counters(&db).await?.into_iter().collect();
    let now = whole_seconds(Utc::now());
    let mut rng = Rng::new(0x5EED_F55C);

    let hash = app::auth::ssr::password::hash(app::seed::DEMO_PASSWORD).await?;
    let world = World::build(&options, &catalogue, last, now, &mut rng)?;
    bulk::insert_people(&db, &hash, &world.people).await?;
    println!(
        "{} subsidiaries, {} users ({} clients, {} org contacts, {} agents, {} customer managers, {} admins) in {:.1} s",
        world.people.organisations.len(),
        world.people.users.len(),
        world.clients_total,
        world.orgs.len(),
        world.agents.len(),
        world.managers,
        ADMINS,
        started.elapsed().as_secs_f64()
    );

    let since = now - Duration::days(365 * i64::from(options.years));
    price_list(&db, since, UserId(world.first_user), now).await?;

    let calendar = app::sla::calendar::center_default().map_err(|e| format!("default calendar: {e:?}"))?;
    let mut generator = Generator::new(&world, &catalogue, last, counters, now, options.years, calendar);
    let times = generator.creation_times(options.requests, &mut rng);
    let mut written = (0usize, 0usize, 0usize);
    for (index, part) in times.chunks(BATCH_REQUESTS).enumerate() {
        let batch = generator.batch(part, &mut rng);
        bulk::insert_batch(&db, &batch).await?;
        written.0 += batch.requests.len();
        written.1 += batch.events.len();
        written.2 += batch.attachments.len();
        if index % 4 == 3 || written.0 == times.len() {
            println!(
                "  {:>7} / {} requests, {} events, {} files, {:.1} s",
                written.0,
                times.len(),
                written.1,
                written.2,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let counters: Vec<(i32, i64)> = generator.counters.iter().map(|(y, v)| (*y, *v)).collect();
    bulk::finish(&db, &counters).await?;
    let c = bulk::counts(&db).await?;
    println!(
        "seeded {} requests ({} open, {} with {} events), {} events, {} files, {} ratings, {} follow-ups in {:.1} s",
        c.requests,
        c.open,
        generator.long_timelines,
        LONG_TIMELINE,
        c.events,
        c.attachments,
        c.ratings,
        c.follow_ups,
        started.elapsed().as_secs_f64()
    );
    println!("sign in with password {} as", app::seed::DEMO_PASSWORD);
    for (role, id) in world.logins() {
        println!("  {role:<16} {}", world.email_of(id));
    }
    db.close().await;
    Ok(())
}

/// The center's price list, in force from the month the history begins: a price per request
/// type, a month-end surcharge, a free quota for key clients and SLA credits for every type and
/// tier, so that every past month can be billed.
async fn price_list(db: &Db, since: DateTime<Utc>, admin: UserId, now: DateTime<Utc>) -> Result<(), Box<dyn std::error::Error>> {
    use app::billing::{store, CheckedPriceList, CreditRule, Currency};
    use app::kernel::{TierId, TypeId};
    let types = app::operations::store::types(db).await?;
    let tiers = app::operations::store::tiers(db).await?;
    let first_month = since.with_timezone(&app::time::CENTER_TIME_ZONE).date_naive().with_day(1).ok_or("no first month")?;
    // Queries cost least, documents with money at stake most (CNY, in fen).
    let price_of = |n: usize| [6_000, 12_000, 15_000, 18_000, 9_000, 20_000, 8_000, 10_000][n % 8];
    let list = CheckedPriceList {
        effective_from: first_month,
        currency: Currency::Cny,
        month_end_days: 5,
        month_end_percent: 20,
        credit_cap_percent: 10,
        prices: types.iter().enumerate().map(|(n, t)| (TypeId(t.id), price_of(n))).collect(),
        quotas: tiers.first().map(|t| vec![(TierId(t.id), 5)]).unwrap_or_default(),
        credits: types
            .iter()
            .flat_map(|t| tiers.iter().map(move |tier| (t.id, tier.id)))
            .map(|(type_id, tier_id)| CreditRule {
                type_id: TypeId(type_id),
                tier_id: TierId(tier_id),
                first_response_percent: 10,
                resolution_percent: 30,
            })
            .collect(),
    };
    store::insert(db, &list, admin, now).await?;
    Ok(())
}

/// Hides a PostgreSQL password, should the URL carry one.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
            let colon = scheme + 3 + url[scheme + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..colon], &url[at..])
        }
        _ => url.to_string(),
    }
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at - Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::kernel::RequestStatus;
    use timeline::{step_times, steps_for, Step};

    #[test]
    fn timelines_have_the_lengths_asked_for_and_end_in_their_status() {
        let mut rng = Rng::new(7);
        for status in [RequestStatus::Closed, RequestStatus::Resolved] {
            let steps = steps_for(&mut rng, status, true);
            assert_eq!(steps.len(), LONG_TIMELINE);
        }
        let steps = steps_for(&mut rng, RequestStatus::AwaitingClient, false);
        assert_eq!(steps.last(), Some(&Step::Ask));
    }

    #[test]
    fn steps_are_in_time_order() {
        let mut rng = Rng::new(9);
        let steps = steps_for(&mut rng, RequestStatus::Closed, true);
        let created = Utc::now();
        let times = step_times(&mut rng, &steps, created, 600.0, 86_400.0, 90_000.0);
        assert_eq!(times.len(), steps.len());
        assert!(times.windows(2).all(|w| w[0] < w[1]));
    }
}
