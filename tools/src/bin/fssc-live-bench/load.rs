//! The agent's side: status changes at a steady rate over random clients' requests.

use crate::{
    options::{Options, MAX_IN_FLIGHT},
    setup::{call, Submitted},
    streams::lock,
};
use serde_json::json;
use tools::{http1::HTTP_TIMEOUT, rng::Rng, BoxError};
use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    task::JoinSet,
    time::Instant,
};

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Claim(i64),
    Ask { id: i64, version: i64 },
}

#[derive(Default)]
pub(crate) struct LoadState {
    pub(crate) sent: AtomicUsize,
    pub(crate) failed: AtomicUsize,
    /// Confirmed changes per request.
    pub(crate) expected: Mutex<HashMap<i64, usize>>,
    /// Claimed requests with their new version, ready to be asked about.
    pub(crate) asks: Mutex<VecDeque<(i64, i64)>>,
    pub(crate) failures: Mutex<Vec<String>>,
}

pub(crate) struct Load {
    pub(crate) sent: usize,
    pub(crate) failed: usize,
    pub(crate) expected: HashMap<i64, usize>,
    pub(crate) failures: Vec<String>,
    /// Seconds from the first change issued to the last one confirmed.
    pub(crate) elapsed: f64,
}

/// Issues `changes` status changes at the steady rate, as the demo agent.
pub(crate) async fn drive_load(
    addr: SocketAddr,
    agent: Arc<String>,
    requests: &[Submitted],
    changes: usize,
    options: &Options,
    seed: u64,
) -> Result<Load, BoxError> {
    let mut order: Vec<i64> = requests.iter().map(|r| r.id).collect();
    Rng::new(seed).shuffle(&mut order);
    let mut claims = order.into_iter();
    let state = Arc::new(LoadState::default());
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / options.rate as f64));
    let started = Instant::now();
    let give_up = started + Duration::from_secs(options.seconds * 2 + 30);
    let mut calls = JoinSet::new();
    let mut issued = 0;
    while issued < changes {
        if Instant::now() >= give_up {
            return Err(format!("issued only {issued} of {changes} changes in {:.0} s", started.elapsed().as_secs_f64()).into());
        }
        tick.tick().await;
        while calls.try_join_next().is_some() {}
        // An ask as soon as its claim is confirmed keeps requests moving; a new claim otherwise.
        let next = lock(&state.asks).pop_front();
        let op = match next {
            Some((id, version)) => Op::Ask { id, version },
            None => match claims.next() {
                Some(id) => Op::Claim(id),
                // Every request claimed, their asks still under way: try at the next tick.
                None => continue,
            },
        };
        let permit = permits.clone().acquire_owned().await?;
        issued += 1;
        calls.spawn(act(addr, agent.clone(), op, state.clone(), permit));
    }
    let finished = tokio::time::timeout(HTTP_TIMEOUT + Duration::from_secs(5), async {
        while calls.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        return Err("agent calls were still under way after the HTTP timeout".into());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let expected = std::mem::take(&mut *lock(&state.expected));
    let failures = std::mem::take(&mut *lock(&state.failures));
    Ok(Load {
        sent: state.sent.load(Ordering::SeqCst),
        failed: state.failed.load(Ordering::SeqCst),
        expected,
        failures,
        elapsed,
    })
}

pub(crate) async fn act(addr: SocketAddr, agent: Arc<String>, op: Op, state: Arc<LoadState>, _permit: OwnedSemaphorePermit) {
    let (id, version, command) = match op {
        // A new request is at version 1; a claim does not check it anyway.
        Op::Claim(id) => (id, 1, json!("Claim")),
        Op::Ask { id, version } => {
            (id, version, json!({"AskForInformation": {"message": "Please send the signed contract."}}))
        }
    };
    let body = json!({"id": id, "version": version, "command": command});
    match call(addr, &agent, "requests/act", &body).await {
        Ok(new_version) => {
            *lock(&state.expected).entry(id).or_default() += 1;
            state.sent.fetch_add(1, Ordering::SeqCst);
            if matches!(op, Op::Claim(_)) {
                lock(&state.asks).push_back((id, new_version));
            }
        }
        Err(error) => {
            state.failed.fetch_add(1, Ordering::SeqCst);
            let mut failures = lock(&state.failures);
            if failures.len() < 5 {
                failures.push(format!("{op:?}: {error}"));
            }
        }
    }
}
