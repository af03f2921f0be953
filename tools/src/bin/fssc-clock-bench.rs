//! Times the working-time clock on the center's default calendar (Asia/Shanghai, 09:00–12:00
//! and 13:30–18:00, the 2026 schedule): the remaining time of a list page of 50 open requests,
//! and the due instants of 943 open requests (the open requests of the benchmark data set).
//!
//!     cargo run --release -p tools --bin fssc-clock-bench
//!
//! Prints the median and the 95th percentile of each, in microseconds.

use app::sla::{calendar, working_time};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::time::Instant;

const ROUNDS: usize = 500;

fn main() {
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
