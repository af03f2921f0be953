//! Setting a run up: clients in the database, signed in over HTTP, each with a request.

use crate::options::{ORG_CODE, SETUP_CONCURRENCY};
use app::{
    auth::ssr::{password, store as users},
    db::Db,
    kernel::{Language, Role},
    orgs::{OrgKind, store as orgs},
    seed::DEMO_PASSWORD,
    validation::Email,
};
use serde_json::json;
use tools::{
    http1::{self, http},
    BoxError,
};
use std::{future::Future, net::SocketAddr, sync::Arc};
use tokio::{sync::Semaphore, task::JoinSet};

/// Adds `n` clients of one subsidiary; answers their email addresses.
pub(crate) async fn create_clients(db: &Db, n: usize) -> Result<Vec<String>, BoxError> {
    let tier = orgs::tier_by_code(db, "standard").await?;
    let org = orgs::ensure(db, ORG_CODE, "Live bench subsidiary", OrgKind::Subsidiary, tier).await?;
    // Argon2 is deliberately slow: one hash serves every account.
    let hash = Arc::new(password::hash(DEMO_PASSWORD).await?);
    let emails: Vec<String> = (0..n).map(|i| format!("live.client{i:05}@bench.example.com")).collect();
    let db = db.clone();
    limited(emails.clone(), SETUP_CONCURRENCY, move |email| {
        let db = db.clone();
        let hash = hash.clone();
        async move {
            let parsed = Email::parse(&email).map_err(|e| format!("{email}: {e:?}"))?;
            let new = users::NewUser {
                email: &parsed,
                display_name: &email,
                password_hash: hash.as_str(),
                language: Language::ZhCn,
                time_zone: app::time::DEFAULT_TIME_ZONE,
            };
            let id = users::create_user(&db, new).await?;
            if !users::set_membership(&db, id, org, Some(Role::Client)).await? {
                return Err(format!("no membership for {email}").into());
            }
            Ok(())
        }
    })
    .await?;
    Ok(emails)
}

pub(crate) async fn sign_in(addr: SocketAddr, email: String) -> Result<String, BoxError> {
    http1::sign_in(addr, &email).await
}

/// A request and the index of the client who submitted it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Submitted {
    pub(crate) id: i64,
    pub(crate) client: usize,
}

pub(crate) async fn submit_requests(
    addr: SocketAddr,
    cookies: &[String],
    per_client: usize,
    type_id: i64,
) -> Result<Vec<Submitted>, BoxError> {
    let jobs: Vec<(usize, usize, String)> = cookies
        .iter()
        .enumerate()
        .flat_map(|(client, cookie)| (0..per_client).map(move |k| (client, k, cookie.clone())))
        .collect();
    limited(jobs, SETUP_CONCURRENCY, move |(client, k, cookie)| async move {
        let body = json!({"input": {
            "type_id": type_id,
            "org": null,
            "title": format!("Live bench query {client}-{k}"),
            "description": "",
            "fields": [],
            "urgent": false,
            "urgent_reason": "",
            "files": [],
            "idempotency_key": format!("live-bench-{client}-{k}"),
        }});
        let id = call(addr, &cookie, "requests/submit", &body).await?;
        Ok(Submitted { id, client })
    })
    .await
}

/// Runs `work` on every item, at most `limit` at a time; answers the results in item order, or
/// the first failure (the other calls are then abandoned).
pub(crate) async fn limited<T, R, F, Fut>(items: Vec<T>, limit: usize, work: F) -> Result<Vec<R>, BoxError>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R, BoxError>> + Send + 'static,
    R: Send + 'static,
{
    let permits = Arc::new(Semaphore::new(limit.max(1)));
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let mut tasks = JoinSet::new();
    let mut keep = |joined: Result<(usize, Result<R, BoxError>), tokio::task::JoinError>| -> Result<(), BoxError> {
        let (index, result) = joined?;
        results[index] = Some(result?);
        Ok(())
    };
    for (index, item) in items.into_iter().enumerate() {
        let permit = permits.clone().acquire_owned().await?;
        let job = work(item);
        tasks.spawn(async move {
            let _permit = permit;
            (index, job.await)
        });
        while let Some(joined) = tasks.try_join_next() {
            keep(joined)?;
        }
    }
    while let Some(joined) = tasks.join_next().await {
        keep(joined)?;
    }
    results.into_iter().map(|r| r.ok_or_else(|| "a task gave no result".into())).collect()
}

/// Calls a server function whose input is JSON and whose answer is a number.
pub(crate) async fn call(addr: SocketAddr, cookie: &str, endpoint: &str, body: &serde_json::Value) -> Result<i64, BoxError> {
    let headers = [("Content-Type", "application/json"), ("Accept", "application/json"), ("Cookie", cookie)];
    let response = http(addr, "POST", &format!("/api/{endpoint}"), &headers, body.to_string().as_bytes()).await?;
    if !(200..300).contains(&response.status) {
        return Err(format!("{endpoint} answered {}: {}", response.status, response.text()).into());
    }
    serde_json::from_slice::<i64>(&response.body)
        .map_err(|_| format!("{endpoint} answered {} instead of a number", response.text()).into())
}
