//! A flood of sign-ins cannot exhaust the server: password checks run a few at a time, the rest
//! are told to come back, and memory stays flat.
//!
//! Alone in its binary, because it measures the whole process's memory.

mod support;

// The allocator of the server binary, so that memory is measured as it is in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use reqwest::{header, StatusCode};
use support::{Backend, TestApp};

/// The process's resident memory, in MiB.
fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_parallel_sign_ins_keep_memory_flat_and_the_server_answering() {
    // Only the hashing pool may hold these back, not the lock: every guess reaches a password check.
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.settings.throttle.lock_account_after = 10_000;
        config.settings.throttle.lock_address_after = 10_000;
        config.settings.throttle.slow_after = 10_000;
    })
    .await
    else {
        return;
    };
    let url = format!("{}/api/auth/sign_in", app.base);
    let before = resident_mib();
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let sampling = tokio::spawn({
        let peak = peak.clone();
        async move {
            loop {
                peak.fetch_max(resident_mib(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
    });

    // One client for all: the measurement is of the server, not of 300 clients' TLS set-ups.
    let client = app.client();
    let sign_ins: Vec<_> = (0..300)
        .map(|n| {
            let client = client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let email = format!("nobody{n}@example.com");
                let response = client
                    .post(url)
                    .form(&[("email", email.as_str()), ("password", "a guess")])
                    .send()
                    .await
                    .expect("every sign-in is answered");
                (response.status(), response.headers().get(header::RETRY_AFTER).cloned())
            })
        })
        .collect();

    // The server keeps answering other requests meanwhile.
    let health = app.client().get(format!("{}/healthz", app.base)).send().await.expect("healthz answers");
    assert_eq!(health.status(), StatusCode::OK);

    let (mut checked, mut busy) = (0, 0);
    for sign_in in sign_ins {
        match sign_in.await.expect("task") {
            (StatusCode::UNAUTHORIZED, _) => checked += 1,
            (StatusCode::SERVICE_UNAVAILABLE, Some(retry_after)) => {
                assert!(retry_after.to_str().ok().and_then(|s| s.parse::<u64>().ok()).is_some_and(|s| s > 0));
                busy += 1;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    sampling.abort();
    let peak = peak.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("300 parallel sign-ins: {checked} checked, {busy} told to retry; memory {before} → peak {peak} MiB");
    assert!(checked > 0, "some sign-ins are checked");
    assert!(peak < 256, "peak resident memory {peak} MiB during the flood (before: {before} MiB)");
}
