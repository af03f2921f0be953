//! The vertical slice (submit, list, open a request) and who may see what, through HTTP.

mod support;

use app::{
    auth::Role,
    error::{AppError, Field, FieldError, Problem},
    i18n::Locale,
    requests::{RequestDetail, RequestId, RequestPage},
};
use reqwest::StatusCode;
use support::TestApp;

async fn submit(app: &TestApp, client: &reqwest::Client, title: &str) -> RequestId {
    let (status, body) = app.call(client, "requests/submit", &[("title", title), ("description", "发票号 12345678，金额 ¥1,280.00")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("request id")
}

on_both_backends! {
    async fn a_client_submits_and_finds_the_request_in_their_list(app) {
        let client = app.signed_in("client.east@example.com").await;
        let id = submit(&app, &client, "十月差旅费报销").await;

        let (status, body) = app.call(&client, "requests/get", &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let detail: RequestDetail = serde_json::from_str(&body).expect("detail");
        let reference = detail.request.reference_no.to_string();
        assert!(reference.starts_with("FS-20") && reference.len() == "FS-2026-000001".len(), "{reference}");
        assert!(reference.ends_with("-000001"), "first request of the year: {reference}");
        assert_eq!(detail.request.status.as_str(), "submitted");
        assert_eq!(detail.request.title, "十月差旅费报销");
        assert_eq!(detail.events.len(), 1, "the submission is on the timeline");
        assert_eq!(detail.events[0].actor_name, "王芳");

        let second = submit(&app, &client, "办公用品采购付款").await;
        let (_, body) = app.call(&client, "requests/list", &[]).await;
        let page: RequestPage = serde_json::from_str(&body).expect("page");
        let ids: Vec<RequestId> = page.rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![second, id], "newest first");
        assert!(page.rows[0].reference_no.to_string().ends_with("-000002"));

        // The server-rendered list works without JavaScript.
        let (status, html) = app.page(&client, "/requests").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&reference) && html.contains("十月差旅费报销"), "list renders on the server");
        let (status, html) = app.page(&client, &format!("/requests/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&reference) && html.contains("已提交"));
    }

    async fn who_may_see_a_request_of_subsidiary_a(app) {
        let requester = app.signed_in("client.east@example.com").await;
        let id = submit(&app, &requester, "付款申请：华东供应商").await.to_string();
        app.add_user("client2.east@example.com", Role::Client, "SUB-EAST").await;
        app.add_user("contact.west@example.com", Role::OrgContact, "SUB-WEST").await;
        app.add_user("manager.other@example.com", Role::CustomerManager, "FSSC").await;

        for (email, visible) in [
            ("client.east@example.com", true),    // the requester
            ("client2.east@example.com", false),  // a colleague: clients see their own requests
            ("contact.east@example.com", true),   // A's org contact
            ("client.west@example.com", false),   // a client of subsidiary B
            ("contact.west@example.com", false),  // B's org contact
            ("agent1@example.com", true),
            ("agent2@example.com", true),
            ("manager@example.com", true),        // assigned to A
            ("manager.other@example.com", false), // assigned to nobody
            ("admin@example.com", true),
        ] {
            let client = app.signed_in(email).await;
            let (status, body) = app.call(&client, "requests/get", &[("id", &id)]).await;
            let (_, list) = app.call(&client, "requests/list", &[]).await;
            let listed = serde_json::from_str::<RequestPage>(&list).expect("page").rows.iter().any(|r| r.id.to_string() == id);
            if visible {
                assert_eq!(status, StatusCode::OK, "{email}: {body}");
                assert!(listed, "{email} should see it listed");
            } else {
                assert_eq!(status, StatusCode::NOT_FOUND, "{email}: existence must not leak");
                assert_eq!(serde_json::from_str::<AppError>(&body).expect("error"), AppError::NotFound);
                assert!(!listed, "{email} must not see it listed");
            }
        }
        let (status, error) = app.call_err(&app.client(), "requests/get", &[("id", &id)]).await;
        assert_eq!((status, error), (StatusCode::UNAUTHORIZED, AppError::Unauthenticated));
        let (status, _) = app.page(&app.signed_in("client.west@example.com").await, &format!("/requests/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the page of another subsidiary's request is a 404");
    }

    async fn bad_input_is_refused_clearly_and_nothing_is_written(app) {
        let client = app.signed_in("client.east@example.com").await;
        let before = app.request_count().await;

        let (status, error) = app.call_err(&client, "requests/submit", &[("title", "   "), ("description", "")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error, AppError::Invalid(vec![FieldError { field: Field::Title, problem: Problem::Required }]));
        assert_eq!(error.message(Locale::zh_CN), "请填写标题。");
        assert_eq!(error.message(Locale::en), "Title is required.");

        let long_title = "报".repeat(10_000);
        let (status, error) = app.call_err(&client, "requests/submit", &[("title", &long_title), ("description", "")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.message(Locale::zh_CN), "标题不能超过 200 个字符。");

        // A forged call submitting for another subsidiary.
        let west = app.org("SUB-WEST").await.to_string();
        let (status, error) = app.call_err(&client, "requests/submit", &[("title", "冒充"), ("description", ""), ("org", &west)]).await;
        assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden));

        // A forged call naming another user's id where an admin's would be needed.
        let victim = app.user_id("client.west@example.com").await.to_string();
        let (status, error) = app.call_err(&client, "admin/reset_password", &[("id", &victim), ("new_password", "hijacked password")]).await;
        assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden));
        app.signed_in("client.west@example.com").await;

        // Garbage where a number belongs.
        let (status, error) = app.call_err(&client, "requests/get", &[("id", "1 OR 1=1")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(matches!(error, AppError::Malformed(_)));

        // Agents serve requests; they do not submit them.
        let agent = app.signed_in("agent1@example.com").await;
        let (status, error) = app.call_err(&agent, "requests/submit", &[("title", "代客提交"), ("description", "")]).await;
        assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden));

        assert_eq!(app.request_count().await, before, "no refused call wrote anything");
    }

    async fn the_list_pages_by_keyset(app) {
        let client = app.signed_in("client.east@example.com").await;
        let mut ids = Vec::new();
        for n in 0..(app::requests::PAGE_SIZE + 3) {
            let (db, org, user) = (&app.db, app.org("SUB-EAST").await, app.user_id("client.east@example.com").await);
            let new = app::requests::NewRequest::parse(&format!("批量申请 {n}"), "").expect("valid");
            let (id, _) = app::requests::store::insert(db, org, user, &new, chrono::Utc::now()).await.expect("insert");
            ids.push(id);
        }
        ids.reverse();
        let (_, body) = app.call(&client, "requests/list", &[]).await;
        let first: RequestPage = serde_json::from_str(&body).expect("page");
        assert_eq!(first.rows.len() as i64, app::requests::PAGE_SIZE);
        let cursor = first.next_before.expect("more pages").to_string();
        let (_, body) = app.call(&client, "requests/list", &[("before", &cursor)]).await;
        let second: RequestPage = serde_json::from_str(&body).expect("page");
        let all: Vec<RequestId> = first.rows.iter().chain(second.rows.iter()).map(|r| r.id).collect();
        assert_eq!(all, ids, "two pages cover every request once, newest first");
        assert_eq!(second.next_before, None);
    }
}
