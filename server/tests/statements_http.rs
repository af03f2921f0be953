//! Monthly statements through HTTP on both databases: issued by the job for last month from
//! the price list in force, a missed SLA credited on its line, exactly once with two instances,
//! and readable and downloadable by the subsidiary's own readers only; a line disputed by the
//! org contact, declined or accepted by the customer manager with a corrected revision.

mod support;

use app::{
    billing::{
        dispute::DisputeOutcome,
        statement::{CreditReason, Statement, StatementEntry},
        statement_service, store as prices, CheckedPriceList, CreditRule, Currency,
    },
    error::{AppError, Conflict, Field, Problem},
    kernel::TierId,
    notifications::NotificationKind,
    orgs::store as orgs,
};
use chrono::{Datelike, Duration, Months, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;
use support::{act_ok, submit_query, TestApp};

/// The price list of this month: a general query costs 80.00; the key tier (east) gets 10 % of
/// it back for a late first response and 30 % for a late resolution; no surcharge, no quota.
async fn price_list(app: &TestApp) {
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let query = app.request_type("general_query").await.type_id;
    let key: TierId = orgs::tier_by_code(&app.db, "key").await.expect("q").expect("key tier");
    let list = CheckedPriceList {
        effective_from: today.with_day(1).expect("first"),
        currency: Currency::Cny,
        month_end_days: 0,
        month_end_percent: 0,
        credit_cap_percent: 100,
        prices: vec![(query, 8_000)],
        quotas: vec![],
        credits: vec![CreditRule { type_id: query, tier_id: key, first_response_percent: 10, resolution_percent: 30 }],
    };
    let admin = app.user_id("admin@example.com").await;
    prices::insert(&app.db, &list, admin, Utc::now()).await.expect("insert").expect("stored");
}

/// East: A on time, B resolved after its due instant, C rejected (not billed). West: W.
async fn month_of_work(app: &TestApp) -> String {
    let client = app.signed_in("client.east@example.com").await;
    let west = app.signed_in("client.west@example.com").await;
    let agent = app.signed_in("agent1@example.com").await;
    let a = submit_query(app, &client, "A 报销进度").await;
    let b = submit_query(app, &client, "B 付款查询").await;
    let c = submit_query(app, &client, "C 发票问题").await;
    let w = submit_query(app, &west, "W 对账").await;
    for id in [a, b, c, w] {
        act_ok(app, &agent, id, json!("Claim")).await;
    }
    app::with_db!(&app.db, pool => sqlx::query("UPDATE requests SET resolution_due = $1 WHERE id = $2")
        .bind(Utc::now() - Duration::hours(2)).bind(b).execute(pool).await.map(|_| ())).expect("late");
    for id in [a, b, w] {
        act_ok(app, &agent, id, json!({ "Resolve": { "resolution": "已处理" } })).await;
    }
    act_ok(app, &agent, c, json!({ "Reject": { "reason": "missing_documents", "detail": "缺少发票" } })).await;
    let detail = support::get(app, &client, b).await;
    detail.request.reference_no.to_string()
}

/// The 15th of next month at noon in Shanghai: past the first working day of any month.
fn next_month() -> chrono::DateTime<Utc> {
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let next = today.with_day(1).and_then(|d| d.checked_add_months(Months::new(1))).expect("next month");
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(next.year(), next.month(), 15, 12, 0, 0).single().expect("noon").with_timezone(&Utc)
}

async fn list(app: &TestApp, client: &reqwest::Client) -> (StatusCode, Vec<StatementEntry>) {
    let (status, body) = app.call(client, "billing/statements", &[]).await;
    (status, serde_json::from_str(&body).unwrap_or_default())
}

async fn statement(app: &TestApp, client: &reqwest::Client, id: i64) -> (StatusCode, Option<Statement>) {
    let (status, body) = app.call(client, "billing/statement", &[("id", &id.to_string())]).await;
    (status, serde_json::from_str(&body).ok())
}

on_both_backends! {
    async fn the_job_issues_last_months_statements_once_with_the_missed_sla_credited(app) {
        price_list(&app).await;
        let late = month_of_work(&app).await;
        let state = &app.portal.state;
        let lease = std::time::Duration::from_secs(120);
        let at = next_month();

        // Two instances at once: one holds the lease and issues both subsidiaries' statements.
        let (one, two) = tokio::join!(
            statement_service::issue_due(state, "instance-1", lease, at),
            statement_service::issue_due(state, "instance-2", lease, at)
        );
        assert_eq!((one.expect("one") + two.expect("two")), 2, "east and west, once");
        // The next tick, past the lease, on the other instance: nothing new.
        assert_eq!(statement_service::issue_due(state, "instance-2", lease, at + Duration::minutes(5)).await.expect("again"), 0);
        // The subsidiaries' contacts and their customer manager are told, once each; a client is not.
        let told = |email: &'static str| {
            let app = &app;
            async move {
                let user = app.user_id(email).await;
                app::notifications::store::page(&app.db, user, None).await.expect("q").rows.into_iter()
                    .filter(|n| n.kind == app::notifications::NotificationKind::StatementIssued).collect::<Vec<_>>()
            }
        };
        let to_contact = told("contact.east@example.com").await;
        assert_eq!(to_contact.len(), 1);
        assert!(to_contact[0].title.starts_with("华东制造有限公司 ") && to_contact[0].link == "/statements", "{:?}", to_contact[0]);
        assert_eq!(told("manager@example.com").await.len(), 2, "east and west");
        assert!(told("client.east@example.com").await.is_empty());

        let manager = app.signed_in("manager@example.com").await;
        let (status, all) = list(&app, &manager).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(all.len(), 2);
        let east = all.iter().find(|e| e.org_name == "华东制造有限公司").expect("east's statement");
        assert_eq!((east.lines, east.total_minor, east.credit_minor), (2, 13_600, 2_400), "80 + 80 − 30 % of 80");
        let (status, s) = statement(&app, &manager, east.id).await;
        assert_eq!(status, StatusCode::OK);
        let s = s.expect("statement");
        let line = s.lines.iter().find(|l| l.reference_no == late).expect("the late request is billed");
        assert_eq!((line.price_minor, line.credit_minor, line.credit_reason), (8_000, 2_400, CreditReason::Resolution));
        assert_eq!(s.summary.resolution.missed, 1, "the month's attainment comes with it");
        assert_eq!(s.summary.rejections.len(), 1, "the rejection is reported, not billed");

        // The subsidiary's contact reads and downloads its own, and nothing of the other.
        let contact = app.signed_in("contact.east@example.com").await;
        let (status, own) = list(&app, &contact).await;
        assert_eq!((status, own.len()), (StatusCode::OK, 1));
        let west = all.iter().find(|e| e.org_name == "西南贸易有限公司").expect("west's statement");
        let (status, _) = statement(&app, &contact, west.id).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let csv = |client: reqwest::Client, id: i64| {
            let url = format!("{}/statements/{id}/statement.csv", app.base);
            async move {
                let response = client.get(url).send().await.expect("csv");
                (response.status(), response.bytes().await.expect("bytes").to_vec())
            }
        };
        let (status, bytes) = csv(contact.clone(), east.id).await;
        assert_eq!(status, StatusCode::OK);
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.lines().any(|l| l.starts_with(&late) && l.contains(",80.00,0.00,24.00,办结超时")), "{text}");
        assert!(text.contains("应付合计,,,,136.00"), "{text}");
        let (status, _) = csv(contact.clone(), west.id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another subsidiary's statement");
        let (status, page) = app.page(&contact, &format!("/statements/{}", east.id)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("华东制造有限公司") && page.contains(&late));

        for email in ["client.east@example.com", "agent1@example.com"] {
            let who = app.signed_in(email).await;
            assert_eq!(list(&app, &who).await.0, StatusCode::NOT_FOUND, "{email}");
            assert_eq!(statement(&app, &who, east.id).await.0, StatusCode::NOT_FOUND, "{email}");
            assert_eq!(csv(who.clone(), east.id).await.0, StatusCode::NOT_FOUND, "{email}");
        }
    }

    async fn no_statement_before_the_first_working_day_or_without_prices(app) {
        month_of_work(&app).await;
        let state = &app.portal.state;
        let lease = std::time::Duration::from_secs(120);
        assert_eq!(statement_service::issue_due(state, "one", lease, next_month()).await.expect("tick"), 0, "no price list in force");
        price_list(&app).await;
        // A month whose first day falls on a weekend: on that day no statement is due yet.
        let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        let weekend_first = (1..=24)
            .filter_map(|n| today.with_day(1)?.checked_add_months(Months::new(n)))
            .find(|d| d.weekday().num_days_from_monday() >= 5)
            .expect("a month starting on a weekend within two years");
        let at = chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(weekend_first.year(), weekend_first.month(), 1, 10, 0, 0)
            .single()
            .expect("day")
            .with_timezone(&Utc);
        assert_eq!(statement_service::issue_due(state, "one", lease, at).await.expect("tick"), 0, "{weekend_first} is no working day");
    }

    async fn a_disputed_line_is_declined_or_corrected_in_a_new_revision_and_both_sides_read_the_thread(app) {
        price_list(&app).await;
        let late = month_of_work(&app).await;
        let state = &app.portal.state;
        assert_eq!(statement_service::issue_due(state, "one", std::time::Duration::from_secs(120), next_month()).await.expect("tick"), 2);
        let manager = app.signed_in("manager@example.com").await;
        let contact = app.signed_in("contact.east@example.com").await;
        let (_, all) = list(&app, &manager).await;
        let east = all.iter().find(|e| e.org_name == "华东制造有限公司").expect("east").id;
        let west = all.iter().find(|e| e.org_name == "西南贸易有限公司").expect("west").id;
        let issued = statement(&app, &contact, east).await.1.expect("east's statement");
        assert!(issued.viewer_may_dispute && !issued.viewer_may_answer, "the contact disputes, the manager answers");
        let as_manager = statement(&app, &manager, east).await.1.expect("manager's view");
        assert!(as_manager.viewer_may_answer && !as_manager.viewer_may_dispute);
        let line_of = |reference: &str| issued.lines.iter().position(|l| l.reference_no == reference).map(|i| i as i64 + 1).expect("line");
        let late_no = line_of(&late);
        let on_time_no = if late_no == 1 { 2 } else { 1 };

        let dispute = |client: &reqwest::Client, statement_id: i64, line_no: i64, reason: &str| {
            let body = json!({ "input": { "statement_id": statement_id, "line_no": line_no, "reason": reason } });
            let (app, client) = (&app, client.clone());
            async move { app.call_json(&client, "billing/dispute", body).await }
        };
        let answer = |client: &reqwest::Client, dispute_id: i64, accept: bool, amount: &str, text: &str| {
            let body = json!({ "input": { "dispute_id": dispute_id, "accept": accept, "corrected_amount": amount, "answer": text } });
            let (app, client) = (&app, client.clone());
            async move { app.call_json(&client, "billing/answer-dispute", body).await }
        };
        let error = |body: &str| serde_json::from_str::<AppError>(body).unwrap_or_else(|e| panic!("{body}: {e}"));

        // Refused: no reason, another subsidiary's statement, a line it does not have, the
        // wrong side, a client.
        let (status, body) = dispute(&contact, east, on_time_no, "  ").await;
        assert_eq!((status, error(&body)), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::Reason, Problem::Required)));
        assert_eq!(dispute(&contact, west, 1, "不是我们的").await.0, StatusCode::NOT_FOUND, "a line of another organisation");
        assert_eq!(dispute(&contact, east, 9, "没有这一行").await.0, StatusCode::NOT_FOUND);
        assert_eq!(dispute(&manager, east, 1, "经理不能对账").await.0, StatusCode::FORBIDDEN);
        let client = app.signed_in("client.east@example.com").await;
        assert_eq!(dispute(&client, east, 1, "客户不能对账").await.0, StatusCode::NOT_FOUND);

        // Opened: the manager is told; the same line cannot be disputed twice.
        let (status, body) = dispute(&contact, east, on_time_no, "该笔为重复提交，不应计费").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let first: i64 = serde_json::from_str(&body).expect("id");
        let (status, body) = dispute(&contact, east, on_time_no, "再提一次").await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, AppError::Conflict(Conflict::AlreadyDisputed)));
        let notices = |email: &'static str, kind: NotificationKind| {
            let app = &app;
            async move {
                let user = app.user_id(email).await;
                app::notifications::store::page(&app.db, user, None).await.expect("q").rows.into_iter().filter(|n| n.kind == kind).count()
            }
        };
        assert_eq!(notices("manager@example.com", NotificationKind::StatementDisputed).await, 1);

        // Answers: only the manager; a correction must lower the line and say why.
        assert_eq!(answer(&contact, first, true, "0", "自己接受").await.0, StatusCode::FORBIDDEN);
        let (status, body) = answer(&manager, first, true, "80.00", "不变").await;
        assert_eq!((status, error(&body)), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::CorrectedAmount, Problem::NotLower)));
        let (status, body) = answer(&manager, first, true, "0", " ").await;
        assert_eq!((status, error(&body)), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::Answer, Problem::Required)));
        let (status, body) = answer(&manager, first, true, "0", "核实为重复提交，免收").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let revision: Option<i64> = serde_json::from_str(&body).expect("revision id");
        let revision = revision.expect("an accepted dispute issues a revision");
        assert_eq!(answer(&manager, first, false, "", "改主意").await.0, StatusCode::CONFLICT, "answered once");
        assert_eq!(notices("contact.east@example.com", NotificationKind::DisputeAnswered).await, 1);

        // The corrected revision: the line costs nothing, the total drops by its 80.00; the
        // issued revision stays as it was and points to the newer one.
        let corrected = statement(&app, &contact, revision).await.1.expect("revision 2");
        assert_eq!((corrected.revision, corrected.totals.total_minor, corrected.totals.corrections_minor), (2, 5_600, -8_000));
        assert_eq!(corrected.lines[(on_time_no - 1) as usize].corrected_minor, Some(0));
        assert_eq!(corrected.lines[(late_no - 1) as usize].credit_minor, 2_400, "the other line's credit stands");
        let thread: Vec<_> = corrected.disputes.iter().map(|d| (d.outcome, d.answer.clone(), d.revision_id)).collect();
        assert_eq!(thread, vec![(DisputeOutcome::Accepted, Some("核实为重复提交，免收".to_string()), Some(revision))]);
        let old = statement(&app, &contact, east).await.1.expect("revision 1");
        assert_eq!((old.revision, old.totals.total_minor, old.newest_id), (1, 13_600, revision));
        let (status, body) = dispute(&contact, east, late_no, "旧版").await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, AppError::Conflict(Conflict::Superseded)));
        let (_, entries) = list(&app, &contact).await;
        assert_eq!(entries.iter().map(|e| e.revision).collect::<Vec<_>>(), vec![2, 1], "both revisions listed, newest first");

        // Declined: the revision stays, the answer is in the thread.
        let (status, body) = dispute(&contact, revision, late_no, "超时应全额扣减").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let second: i64 = serde_json::from_str(&body).expect("id");
        let (status, body) = answer(&manager, second, false, "", "已按协议扣减 30%").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "null"));
        let after = statement(&app, &manager, revision).await.1.expect("revision 2");
        assert_eq!(after.totals.total_minor, 5_600);
        assert_eq!(after.disputes.iter().map(|d| d.outcome).collect::<Vec<_>>(), vec![DisputeOutcome::Accepted, DisputeOutcome::Declined]);
        let (_, csv) = app.page(&contact, &format!("/statements/{revision}/statement.csv")).await;
        assert!(csv.contains("对账更正,,,,-80.00") && csv.contains("应付合计,,,,56.00"), "{csv}");

        // The dashboard counts the month's disputes.
        let (status, body) = app.call_json(&manager, "operations/dashboard", json!({ "address": { "period": "this_month" } })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let dashboard: app::operations::Dashboard = serde_json::from_str(&body).expect("dashboard");
        let counted: Vec<_> = dashboard.disputes.iter().map(|m| (m.opened, m.accepted, m.declined, m.open)).collect();
        assert_eq!(counted, vec![(2, 1, 1, 0)]);

        // Past the window of 10 working days, no more disputes.
        app::with_db!(&app.db, pool => sqlx::query("UPDATE statements SET issued_at = $1 WHERE id = $2")
            .bind(Utc::now() - Duration::days(30)).bind(revision).execute(pool).await.map(|_| ())).expect("older");
        let (status, body) = dispute(&contact, revision, on_time_no, "太晚了").await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, AppError::Conflict(Conflict::DisputeWindowClosed)));
    }
}
