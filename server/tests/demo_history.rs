//! The demo seed with its history (`FSSC_DEMO_HISTORY`), on both databases: what a newcomer to
//! the demo portal notices (requests of every type in every state with their timelines, SLA
//! targets met and missed, ratings, low scores followed up, the policy column), that none of it
//! told anyone, and that starting again adds nothing.

mod support;

use app::{kernel::RequestStatus, seed};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use support::{Backend, TestApp};

async fn count(app: &TestApp, sql: &str) -> i64 {
    app::with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Rows of the demo subsidiaries' requests only.
const DEMO: &str = "org_id IN (SELECT id FROM organisations WHERE code IN ('SUB-EAST', 'SUB-WEST'))";

/// Every table the history writes to, counted.
async fn totals(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut totals = Vec::new();
    for table in [
        "requests",
        "request_events",
        "attachments",
        "sla_pauses",
        "sla_alerts",
        "ratings",
        "follow_ups",
        "follow_up_events",
        "policy_pages",
        "policy_versions",
        "notifications",
        "email_outbox",
        "price_lists",
        "statements",
        "statement_disputes",
        "users",
        "organisations",
    ] {
        totals.push((table, count(app, &format!("SELECT COUNT(*) FROM {table}")).await));
    }
    totals
}

async fn run(app: TestApp) {
    // Every state, for each subsidiary.
    for org in ["SUB-EAST", "SUB-WEST"] {
        for status in RequestStatus::ALL {
            let n = count(
                &app,
                &format!(
                    "SELECT COUNT(*) FROM requests r JOIN organisations o ON o.id = r.org_id \
                     WHERE o.code = '{org}' AND r.status = '{}'",
                    status.as_str()
                ),
            )
            .await;
            assert!(n > 0, "{org} has no request {status:?}");
        }
    }
    let total = count(&app, &format!("SELECT COUNT(*) FROM requests WHERE {DEMO}")).await;
    assert!((80..250).contains(&total), "{total} requests");
    // Every active type of the catalogue.
    let types = count(&app, "SELECT COUNT(*) FROM request_types WHERE active = TRUE").await;
    let used = count(
        &app,
        &format!("SELECT COUNT(DISTINCT v.type_id) FROM requests r JOIN request_type_versions v ON v.id = r.type_version_id WHERE r.{DEMO}"),
    )
    .await;
    assert_eq!(used, types, "requests of every type");
    // Reopened ones, some worked again now and some closed since.
    for status in ["in_review", "closed"] {
        let n = count(
            &app,
            &format!("SELECT COUNT(DISTINCT r.id) FROM requests r JOIN request_events e ON e.request_id = r.id WHERE e.action = 'reopen' AND r.status = '{status}'"),
        )
        .await;
        assert!(n > 0, "no reopened request now {status}");
    }
    // Timelines: claims, questions and answers, notes, transfers, resolutions, rejections with a reason.
    for action in ["claim", "ask_for_information", "provide_information", "transfer", "resolve", "reject", "withdraw", "close"] {
        assert!(count(&app, &format!("SELECT COUNT(*) FROM request_events WHERE action = '{action}'")).await > 0, "no {action}");
    }
    assert!(count(&app, "SELECT COUNT(*) FROM request_events WHERE kind = 'internal_note' AND internal = TRUE").await > 0);
    assert!(count(&app, "SELECT COUNT(*) FROM request_events WHERE kind = 'message'").await > 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM requests WHERE status = 'rejected' AND reject_reason IS NULL").await, 0);
    // Submitted by the demo clients, worked by the demo agents, with files.
    let requesters = count(
        &app,
        "SELECT COUNT(DISTINCT u.email) FROM requests r JOIN users u ON u.id = r.requester_id \
         WHERE u.email IN ('client.east@example.com', 'client.west@example.com', 'contact.east@example.com')",
    )
    .await;
    assert_eq!(requesters, 3);
    let agents = count(
        &app,
        "SELECT COUNT(DISTINCT u.email) FROM requests r JOIN users u ON u.id = r.first_owner_id \
         WHERE u.email IN ('agent1@example.com', 'agent2@example.com')",
    )
    .await;
    assert_eq!(agents, 2);
    assert!(count(&app, "SELECT COUNT(*) FROM attachments WHERE request_id IS NOT NULL AND complete = TRUE").await > 0);
    // Pauses while the center waited on the client.
    assert!(count(&app, "SELECT COUNT(*) FROM sla_pauses WHERE ended_at IS NOT NULL").await > 0);
    assert!(count(&app, "SELECT COUNT(*) FROM sla_pauses WHERE ended_at IS NULL").await > 0, "the requests awaiting the client stand paused");

    // Targets met and missed, in the past.
    let now = Utc::now();
    let rows: Vec<(DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>)> = app::with_db!(&app.db, pool =>
        sqlx::query_as::<_, (DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>)>(
            "SELECT created_at, first_responded_at, first_response_due, resolved_at, resolution_due FROM requests"
        ).fetch_all(pool).await)
    .expect("requests");
    let first_met = rows.iter().filter(|r| r.1.is_some_and(|at| at <= r.2)).count();
    let first_missed = rows.iter().filter(|r| r.1.is_some_and(|at| at > r.2)).count();
    let resolution_met = rows.iter().filter(|r| r.3.is_some_and(|at| at <= r.4)).count();
    let resolution_missed = rows.iter().filter(|r| r.3.is_some_and(|at| at > r.4)).count();
    assert!(first_met > first_missed && first_missed > 0, "first response: {first_met} met, {first_missed} missed");
    assert!(resolution_met > 0 && resolution_missed > 0, "resolution: {resolution_met} met, {resolution_missed} missed");
    let oldest = rows.iter().map(|r| r.0).min().expect("requests");
    assert!(now - oldest > chrono::Duration::days(80), "the history starts {oldest}");
    let latest: DateTime<Utc> = app::with_db!(&app.db, pool =>
        sqlx::query_scalar::<_, DateTime<Utc>>("SELECT MAX(created_at) FROM request_events").fetch_one(pool).await)
    .expect("events");
    assert!(latest < now, "an event at {latest} is in the future");

    // Ratings: every closed request but those the portal closed unrated was rated; mostly well.
    let unrated_closed = count(
        &app,
        "SELECT COUNT(*) FROM requests r WHERE r.status = 'closed' AND NOT EXISTS (SELECT 1 FROM ratings g WHERE g.request_id = r.id) \
         AND NOT EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id AND e.reason_code = 'unrated')",
    )
    .await;
    assert_eq!(unrated_closed, 0);
    assert!(count(&app, "SELECT COUNT(*) FROM request_events WHERE reason_code = 'unrated'").await > 0);
    let ratings = count(&app, "SELECT COUNT(*) FROM ratings").await;
    let good = count(&app, "SELECT COUNT(*) FROM ratings WHERE score >= 4").await;
    assert!(ratings >= 30 && good * 10 >= ratings * 7, "{good} of {ratings} ratings are 4 or 5");
    // Each low score has its follow-up: some closed with an outcome, some still open.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ratings g WHERE g.score <= 2 AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.rating_id = g.id)").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ratings WHERE score <= 2 AND (reasons = '' OR comment = '')").await, 0);
    assert!(count(&app, "SELECT COUNT(*) FROM follow_ups WHERE closed_at IS NOT NULL AND outcome <> '' AND root_cause IS NOT NULL").await > 0);
    assert!(count(&app, "SELECT COUNT(*) FROM follow_ups WHERE closed_at IS NULL").await > 0);

    // The policy column.
    let published = count(&app, "SELECT COUNT(*) FROM policy_pages WHERE live_version IS NOT NULL").await;
    assert!(published >= 3, "{published} policy pages");
    let client = app.signed_in("client.west@example.com").await;
    let (status, html) = app.page(&client, "/policies").await;
    assert_eq!(status, StatusCode::OK);
    for title in ["差旅费报销标准", "发票开具要求", "月末结账时间安排"] {
        assert!(html.contains(title), "the policy column lists {title}");
    }
    let (status, html) = app.page(&client, "/policies/month-end-close-schedule").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("倒数第"), "the month-end schedule reads as written");

    // Statements of the past months, priced; east disputed a line twice: one accepted, with
    // its corrected revision, one waiting for the manager.
    assert!(count(&app, "SELECT COUNT(*) FROM statements WHERE revision = 1").await >= 4, "two subsidiaries, months of statements");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM statements WHERE revision = 2").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM statement_disputes WHERE outcome = 'accepted' AND revision_id IS NOT NULL").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM statement_disputes WHERE outcome = 'open'").await, 1);

    // Three months of history told nobody: no notification, no email.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM notifications").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM email_outbox").await, 0);

    // Starting again adds nothing.
    let before = totals(&app).await;
    let logins = seed::seed_demo(&app.portal.state, true).await.expect("second seed");
    assert_eq!(logins.len(), seed::DEMO_LOGINS.len());
    assert_eq!(totals(&app).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.demo_history = true).await.expect("sqlite");
    run(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(app) = TestApp::spawn_with(Backend::Postgres, |c| c.demo_history = true).await {
        run(app).await;
    }
}
