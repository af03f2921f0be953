//! The operations dashboard through HTTP on both databases: the figures of a small data set
//! made here, the same numbers in the CSV, who may read which organisation, and bad filters.

mod support;

use app::{
    error::{AppError, Field, FieldError, Problem},
    kernel::{Permission, RequestId},
    operations::Dashboard,
    orgs::{OrgKind, store as orgs},
};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{act_ok, submit_query, TestApp};

/// Today's date where the demo users live, and the filters around it: yesterday to tomorrow,
/// so that a run just after midnight still holds what it made.
fn around_today() -> (String, String) {
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    ((today - Duration::days(1)).to_string(), (today + Duration::days(1)).to_string())
}

async fn dashboard(app: &TestApp, client: &reqwest::Client, address: Value) -> (StatusCode, String) {
    app.call_json(client, "operations/dashboard", json!({ "address": address })).await
}

async fn dashboard_ok(app: &TestApp, client: &reqwest::Client, address: Value) -> Dashboard {
    let (status, body) = dashboard(app, client, address).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn refusal(body: &str) -> Vec<(Field, Problem)> {
    match serde_json::from_str::<AppError>(body) {
        Ok(AppError::Invalid(errors)) => errors.into_iter().map(|FieldError { field, problem }| (field, problem)).collect(),
        other => panic!("expected a refused filter, got {other:?} from {body}"),
    }
}

async fn sql(app: &TestApp, statement: &str, at: chrono::DateTime<Utc>, id: RequestId) {
    app::with_db!(&app.db, pool => sqlx::query(statement).bind(at).bind(id).execute(pool).await.map(|_| ())).expect("sql");
}

async fn csv(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, Vec<u8>) {
    let response = client.get(format!("{}{path}", app.base)).send().await.expect("csv");
    let status = response.status();
    (status, response.bytes().await.expect("bytes").to_vec())
}

/// Five requests of the east subsidiary and one of the west, made now:
/// - A resolved in time, rated 5; B resolved after its (moved) due instant, rated 2 for
///   timeliness; C rejected for missing documents; all three answered in time.
/// - E never claimed, both due instants an hour ago: one missed first response, one missed
///   resolution.
/// - W (west) resolved: outside the east filter.
///
/// East: submitted 4, finished 3; first response 3 met, 1 missed (75 %); resolution 2 met
/// (A, C), 2 missed (B, E) = 50 %; CSAT 3.5 from 2 ratings, 1 low (timeliness), 2 of 2
/// resolutions rated; rejection 1 of 3.
async fn small_data_set(app: &TestApp) {
    let client = app.signed_in("client.east@example.com").await;
    let west = app.signed_in("client.west@example.com").await;
    let agent = app.signed_in("agent1@example.com").await;
    let mut ids = Vec::new();
    for title in ["A 差旅费报销进度", "B 付款进度查询", "C 发票问题"] {
        let id = submit_query(app, &client, title).await;
        act_ok(app, &agent, id, json!("Claim")).await;
        ids.push(id);
    }
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    act_ok(app, &agent, a, json!({ "Resolve": { "resolution": "已处理" } })).await;
    // B's promise ran out an hour before it was resolved.
    sql(app, "UPDATE requests SET resolution_due = $1 WHERE id = $2", Utc::now() - Duration::hours(1), b).await;
    act_ok(app, &agent, b, json!({ "Resolve": { "resolution": "已付款" } })).await;
    act_ok(app, &agent, c, json!({ "Reject": { "reason": "missing_documents", "detail": "缺少发票原件" } })).await;
    for (id, input) in [
        (a, json!({ "score": 5, "reasons": [], "comment": "" })),
        (b, json!({ "score": 2, "reasons": ["timeliness"], "comment": "太慢" })),
    ] {
        let (status, body) = app.call_json(&client, "ratings/rate", json!({ "id": id, "input": input })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let e = submit_query(app, &client, "E 无人认领").await;
    let hour_ago = Utc::now() - Duration::hours(1);
    sql(app, "UPDATE requests SET first_response_due = $1, resolution_due = $1 WHERE id = $2", hour_ago, e).await;
    let w = submit_query(app, &west, "W 西南的申请").await;
    act_ok(app, &agent, w, json!("Claim")).await;
    act_ok(app, &agent, w, json!({ "Resolve": { "resolution": "已处理" } })).await;
}

on_both_backends! {
    async fn a_manager_sees_the_figures_of_a_subsidiary_and_the_same_numbers_in_csv(app) {
        small_data_set(&app).await;
        let manager = app.signed_in("manager@example.com").await;
        let east = app.org("SUB-EAST").await;
        let (from, to) = around_today();
        let d = dashboard_ok(&app, &manager, json!({ "from": from, "to": to, "org": east.to_string() })).await;
        assert_eq!(d.volume.len(), 2, "a bar for yesterday and one for today; tomorrow has had no volume yet");
        assert_eq!(d.volume.last().map(|r| r.open_at_end), Some(1), "E is open at the end of today");
        assert_eq!(d.volume.iter().map(|r| r.submitted).sum::<i64>(), 4);
        assert_eq!(d.volume.iter().map(|r| r.resolved).sum::<i64>(), 3);
        assert_eq!((d.first_response.met, d.first_response.missed), (3, 1));
        assert_eq!((d.resolution.met, d.resolution.missed), (2, 2));
        assert_eq!(d.backlog.unclaimed, 1);
        assert_eq!((d.csat.ratings, d.csat.average, d.csat.low_scores, d.csat.response_rate), (2, Some(3.5), 1, Some(1.0)));
        assert_eq!(d.low_reasons, vec![(app::ratings::ReasonTag::Timeliness, 1)]);
        assert_eq!((d.rejections.finished, d.rejections.rejected), (3, 1));
        assert_eq!(d.rejections.by_reason, vec![(app::kernel::RejectReason::MissingDocuments, 1)]);
        assert!(d.resolution_times.is_some_and(|t| t.count == 3));
        // Agent 张伟 claimed A, B and C first and finished all three (C by rejecting it).
        let zhang = d.agents.iter().find(|a| a.name == "张伟").expect("the agent's row");
        assert_eq!((zhang.first_owned, zhang.kept, zhang.passed_on, zhang.finished), (3, 3, 0, 3));
        assert_eq!((zhang.csat_as_first_owner, zhang.csat_as_resolver), (Some(3.5), Some(3.5)));
        assert_eq!((zhang.paused_minutes, zhang.flagged), (0, false));
        assert_eq!((d.follow_ups.opened, d.follow_ups.open, d.follow_ups.overdue), (1, 1, 0), "B's low score is followed up");

        // A period that runs on past today stops its chart at today, rather than carrying
        // today's backlog into days that have not come; one wholly ahead has no bars at all.
        let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        let ahead = |from: i64, to: i64| json!({ "from": (today + Duration::days(from)).to_string(), "to": (today + Duration::days(to)).to_string(), "org": east.to_string() });
        let running_on = dashboard_ok(&app, &manager, ahead(0, 3)).await;
        assert_eq!(running_on.volume.len(), 1, "{:?}", running_on.volume);
        assert_eq!(running_on.volume[0].submitted, 4);
        let future = dashboard_ok(&app, &manager, ahead(2, 9)).await;
        assert!(future.volume.is_empty(), "{:?}", future.volume);
        assert_eq!(future.backlog.unclaimed, 1, "the backlog is now's, whatever the period");

        // Both subsidiaries: the west request joins.
        let both = dashboard_ok(&app, &manager, json!({ "from": from, "to": to })).await;
        assert_eq!(both.volume.iter().map(|r| r.submitted).sum::<i64>(), 5);
        assert_eq!(both.resolution.met, 3);

        // The CSV of the same view: a byte order mark, then the same numbers.
        let query = format!("from={from}&to={to}&org={east}");
        let (status, bytes) = csv(&app, &manager, &format!("/dashboard/service.csv?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 byte order mark first");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.contains("首次响应达标率,75.0\r\n"), "{text}");
        assert!(text.contains("办结时效达标率,50.0\r\n"), "{text}");
        let (_, volume) = csv(&app, &manager, &format!("/dashboard/volume.csv?{query}")).await;
        let volume = String::from_utf8(volume).expect("utf-8");
        let submitted: i64 = volume.lines().skip(1).filter_map(|l| l.split(',').nth(1)?.parse::<i64>().ok()).sum();
        assert_eq!(submitted, 4, "{volume}");
        let (_, rejections) = csv(&app, &manager, &format!("/dashboard/rejections.csv?{query}")).await;
        assert!(String::from_utf8(rejections).expect("utf-8").contains("按原因,缺少单据,3,1,33.3"));
        let (_, agents) = csv(&app, &manager, &format!("/dashboard/agents.csv?{query}")).await;
        assert!(String::from_utf8(agents).expect("utf-8").contains("张伟,3,3,0,3,3.50,3.50,0.0,"));
        let (status, _) = csv(&app, &manager, &format!("/dashboard/everything.csv?{query}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn only_managers_admins_and_center_leads_see_the_dashboard_and_only_their_organisations(app) {
        let north = orgs::ensure(&app.db, "SUB-NORTH", "华北物流有限公司", OrgKind::Subsidiary, None).await.expect("org");
        let (from, to) = around_today();
        for email in ["client.east@example.com", "contact.east@example.com", "agent1@example.com"] {
            let who = app.signed_in(email).await;
            let (status, _) = dashboard(&app, &who, json!({})).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{email}: the server function");
            let (status, _) = app.page(&who, "/dashboard").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{email}: the page");
            let (status, _) = csv(&app, &who, "/dashboard/volume.csv").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{email}: the download");
        }

        // A manager picking another manager's subsidiary learns nothing a made-up id would not.
        let manager = app.signed_in("manager@example.com").await;
        let (status, foreign) = dashboard(&app, &manager, json!({ "from": from, "to": to, "org": north.to_string() })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, made_up) = dashboard(&app, &manager, json!({ "from": from, "to": to, "org": "987654" })).await;
        assert_eq!(foreign, made_up, "the same answer for a foreign and a missing organisation");
        assert_eq!(refusal(&foreign), vec![(Field::Organisation, Problem::UnknownChoice)]);
        let (status, _) = csv(&app, &manager, &format!("/dashboard/volume.csv?org={north}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let listed = dashboard_ok(&app, &manager, json!({})).await.choices.orgs;
        assert_eq!(listed.iter().map(|c| c.name_zh.as_str()).collect::<Vec<_>>(), vec!["华东制造有限公司", "西南贸易有限公司"]);
        let (status, page) = app.page(&manager, "/dashboard").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("运营分析") && !page.contains("华北物流有限公司"));

        // Admins and center leads see every subsidiary.
        let admin = app.signed_in("admin@example.com").await;
        dashboard_ok(&app, &admin, json!({ "org": north.to_string() })).await;
        let admin_id = app.user_id("admin@example.com").await;
        let agent2 = app.user_id("agent2@example.com").await;
        app::auth::ssr::store::set_permission(&app.db, agent2, Permission::CenterLead, true, admin_id, Utc::now()).await.expect("grant");
        let lead = app.signed_in("agent2@example.com").await;
        let seen = dashboard_ok(&app, &lead, json!({ "org": north.to_string() })).await;
        assert!(seen.choices.orgs.iter().any(|c| c.name_zh == "华北物流有限公司"));
    }

    async fn bad_filters_are_refused_with_the_field_that_is_wrong(app) {
        let manager = app.signed_in("manager@example.com").await;
        for (address, expected) in [
            (json!({ "from": "2026-11-30", "to": "2026-11-01" }), vec![(Field::PeriodTo, Problem::EndsBeforeStart)]),
            (json!({ "from": "2020-01-01", "to": "2025-06-30" }), vec![(Field::PeriodTo, Problem::PeriodTooLong { max_years: 5 })]),
            (json!({ "from": "last tuesday" }), vec![(Field::PeriodFrom, Problem::InvalidDate)]),
            (json!({ "team": "987654" }), vec![(Field::Team, Problem::UnknownChoice)]),
            (json!({ "agent": "987654" }), vec![(Field::Agent, Problem::UnknownChoice)]),
            (json!({ "type": "x" }), vec![(Field::RequestType, Problem::UnknownChoice)]),
            (json!({ "period": "decade" }), vec![(Field::PeriodFrom, Problem::UnknownChoice)]),
        ] {
            let (status, body) = dashboard(&app, &manager, address.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{address}: {body}");
            assert_eq!(refusal(&body), expected, "{address}");
        }
        // The page says what is wrong, in the reader's language, without JavaScript.
        let (_, page) = app.page(&manager, "/dashboard?from=2026-11-30&to=2026-11-01").await;
        assert!(page.contains("结束日期不能早于开始日期"), "{page}");
        // A known agent and the last month are fine.
        let agent = app.user_id("agent1@example.com").await;
        let d = dashboard_ok(&app, &manager, json!({ "period": "last_month", "agent": agent.to_string() })).await;
        assert_eq!(d.filter.agent, Some(agent));
    }
}
