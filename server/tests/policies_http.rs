//! The policy column through the real server: who may write, audiences as HTTP answers, pages
//! rendered on the server, and stored script that never runs.

mod support;

use app::{
    catalogue::{PolicyLink, TypeDraft},
    error::{AppError, Field, Problem},
    i18n_support::Bilingual,
    policies::{SearchHit, SeenPolicy, Suggestion, SuggestionCounts},
    requests::SubmissionSetup,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::TestApp;

const EDITOR: &str = "agent2@example.com";

fn travel_draft(slug: &str, body: &str, audience: Value) -> Value {
    json!({
        "page": null,
        "draft": {
            "slug": slug, "category_id": 1, "title_zh": "员工差旅费用报销标准", "title_en": "",
            "body_zh": body, "body_en": "", "tags": ["差旅"], "effective_on": "2026-01-01",
            "valid_until": null, "superseded_by": null, "audience": audience, "requires_ack": false
        }
    })
}

/// The admin makes agent2 an editor, as the admin page does.
async fn grant_editor(app: &TestApp) -> reqwest::Client {
    let admin = app.signed_in("admin@example.com").await;
    let id = app.user_id(EDITOR).await.to_string();
    let (status, body) = app.call(&admin, "admin/set_permission", &[("id", &id), ("permission", "editor"), ("granted", "true")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.signed_in(EDITOR).await
}

async fn publish(app: &TestApp, editor: &reqwest::Client, draft: Value) -> String {
    let (status, body) = app.call_json(editor, "policies/save-draft", draft).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: i64 = serde_json::from_str(&body).expect("page id");
    let (status, body) = app.call(editor, "policies/publish", &[("page", &page.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    page.to_string()
}

async fn search(app: &TestApp, client: &reqwest::Client, query: &str) -> Vec<String> {
    let (status, body) = app.call(client, "policies/search", &[("query", query)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hits: Vec<SearchHit> = serde_json::from_str(&body).expect("hits");
    hits.into_iter().map(|h| h.slug).collect()
}

on_both_backends! {
    async fn only_editors_write_and_audiences_hold_over_http(app) {
        let client = app.signed_in("client.east@example.com").await;
        let id = app.user_id("agent1@example.com").await.to_string();
        let (status, error) = app.call_err(&client, "admin/set_permission", &[("id", &id), ("permission", "editor"), ("granted", "true")]).await;
        assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden), "only admins grant");

        // Before the grant agent2 is an agent like any other: every writing call is refused.
        let not_yet = app.signed_in(EDITOR).await;
        let east = app.org("SUB-EAST").await;
        let draft = travel_draft("travel-expenses", "## 适用范围\n全体员工。", json!({ "Chosen": { "orgs": [east], "tiers": [] } }));
        for (endpoint, form) in [
            ("policies/publish", vec![("page", "1")]),
            ("policies/unpublish", vec![("page", "1")]),
            ("policies/draft", vec![("page", "1")]),
            ("policies/editor-pages", vec![]),
            ("policies/editor-choices", vec![]),
            ("policies/schedule", vec![("page", "1"), ("at", "2030-01-01T09:00")]),
            ("policies/cancel-schedule", vec![("page", "1")]),
            ("policies/acknowledgement-report", vec![("page", "1")]),
            ("policies/feedback-report", vec![("page", "1")]),
            ("policies/synonyms", vec![]),
            ("policies/save-synonyms", vec![("text", "发票 票据")]),
        ] {
            let (status, error) = app.call_err(&not_yet, endpoint, &form).await;
            assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden), "{endpoint}");
        }
        for (endpoint, body) in [("policies/save-draft", draft.clone()), ("policies/preview", json!({ "body": "x" }))] {
            let (status, error) = app.call_json_err(&not_yet, endpoint, body).await;
            assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden), "{endpoint}");
        }

        let editor = grant_editor(&app).await;
        let (status, body) = app.page(&editor, "/requests").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("href=\"/editor/policies\""), "the editor's menu offers the policy pages");
        publish(&app, &editor, draft).await;

        let east_client = client;
        let west_client = app.signed_in("client.west@example.com").await;
        assert_eq!(search(&app, &east_client, "差旅").await, ["travel-expenses"]);
        assert_eq!(search(&app, &east_client, "差旅报销").await, ["travel-expenses"]);
        assert!(search(&app, &west_client, "差旅").await.is_empty(), "nothing outside the audience");

        let (status, html) = app.page(&east_client, "/policies/travel-expenses").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("员工差旅费用报销标准") && html.contains("适用范围"), "rendered on the server");
        assert!(html.contains("href=\"#sec-"), "with its table of contents");
        let (status, html) = app.page(&west_client, "/policies/travel-expenses").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("适用范围"));
        for (endpoint, form) in [
            ("policies/page", vec![("slug", "travel-expenses")]),
            ("policies/page", vec![("slug", "travel-expenses"), ("version", "1")]),
            ("policies/history", vec![("slug", "travel-expenses")]),
        ] {
            let (status, error) = app.call_err(&west_client, endpoint, &form).await;
            assert_eq!((status, error), (StatusCode::NOT_FOUND, AppError::NotFound), "{endpoint} {form:?}");
        }
        // Results without JavaScript: 员工 is in the body, so the snippet marks it.
        let (status, html) = app.page(&east_client, "/policies?q=%E5%91%98%E5%B7%A5").await;
        assert_eq!(status, StatusCode::OK);
        let main = &html[html.find("<main").unwrap_or(0)..];
        assert!(main.contains("href=\"/policies/travel-expenses\"") && main.contains("<mark>员工"), "{main}");
        assert!(main.contains("value=\"员工\""), "the box keeps the query: {main}");
    }

    async fn stored_script_in_a_policy_never_reaches_a_reader(app) {
        let editor = grant_editor(&app).await;
        let payloads = [
            "<img src=x onerror=\"window.__xss=1\">",
            "<svg onload=window.__xss=1>",
            "[click](javascript:window.__xss=1)",
            "<a href=\"jav&#x09;ascript:window.__xss=1\">x</a>",
            "<iframe srcdoc=\"<script>window.__xss=1</script>\"></iframe>",
            "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
            "<style>body{display:none}</style>",
            "<details open ontoggle=window.__xss=1>",
            "<p style=\"background:url(javascript:window.__xss=1)\">styled</p>",
        ];
        let body = format!("## 安全\n\n{}", payloads.join("\n\n"));
        publish(&app, &editor, travel_draft("xss", &body, json!("Everyone"))).await;
        let reader = app.signed_in("client.east@example.com").await;
        let (status, html) = app.page(&reader, "/policies/xss").await;
        assert_eq!(status, StatusCode::OK);
        let start = html.find("class=\"policy__body\"").expect("the body is on the page");
        let end = html[start..].find("</div>").map(|n| start + n).unwrap_or(html.len());
        let article = html[start..end].to_ascii_lowercase();
        // Only markup can run; the payloads may show as escaped text.
        let tags: Vec<&str> = article.split('<').skip(1).filter_map(|rest| rest.split('>').next()).collect();
        for tag in &tags {
            let name = tag.trim_start_matches('/').split([' ', '\n']).next().unwrap_or("");
            assert!(["h2", "p", "a", "div", "article"].contains(&name), "a <{tag}> tag reached the reader");
            for forbidden in ["onerror", "onload", "ontoggle", "javascript:", "style=", "srcdoc"] {
                assert!(!tag.contains(forbidden), "{forbidden} reached the reader in <{tag}>");
            }
        }
        assert!(tags.iter().any(|t| t.starts_with("a ") || *t == "a"), "the javascript: link is still a link, without its script");
        assert!(article.contains("&lt;img"), "the payload shows as text");

        let (status, body) = app.call_json(&editor, "policies/preview", json!({ "body": payloads[0] })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!body.contains("<img") && body.contains("&lt;img"), "the preview is the reader's rendering: {body}");
    }

    async fn readers_confirm_a_version_and_editors_export_who_did(app) {
        let editor = grant_editor(&app).await;
        let east = app.org("SUB-EAST").await;
        let mut draft = travel_draft("travel-expenses", "## 住宿\n一线城市每晚不超过500元。", json!({ "Chosen": { "orgs": [east], "tiers": [] } }));
        draft["draft"]["requires_ack"] = json!(true);
        draft["draft"]["ack_deadline"] = json!("2030-12-31");
        let page = publish(&app, &editor, draft).await;

        let east_client = app.signed_in("client.east@example.com").await;
        let west_client = app.signed_in("client.west@example.com").await;
        let (_, html) = app.page(&east_client, "/requests").await;
        assert!(html.contains("data-testid=\"ack-banner\"") && html.contains("href=\"/policies/travel-expenses\""), "every page asks");
        let (_, html) = app.page(&west_client, "/requests").await;
        assert!(!html.contains("data-testid=\"ack-banner\""), "outside the audience nothing is asked");

        let (status, error) = app.call_err(&west_client, "policies/acknowledge", &[("slug", "travel-expenses"), ("version", "1")]).await;
        assert_eq!((status, error), (StatusCode::NOT_FOUND, AppError::NotFound));
        let (status, body) = app.call(&east_client, "policies/acknowledge", &[("slug", "travel-expenses"), ("version", "1")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, html) = app.page(&east_client, "/requests").await;
        assert!(!html.contains("data-testid=\"ack-banner\""), "confirmed, so no longer asked");

        let csv_path = format!("/editor/policies/{page}/acknowledgements.csv");
        let response = editor.get(format!("{}{csv_path}", app.base)).send().await.expect("csv");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(response.headers()["content-disposition"].to_str().unwrap_or("").starts_with("attachment;"));
        let bytes = response.bytes().await.expect("body");
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "a UTF-8 byte order mark, for Excel");
        let text = String::from_utf8_lossy(&bytes);
        let east_line = text.lines().find(|l| l.contains("client.east@example.com")).unwrap_or_else(|| panic!("{text}"));
        assert!(east_line.contains(",是,"), "{east_line}");
        assert!(!text.contains("client.west@example.com"), "only the audience is listed");
        let (status, _) = app.page(&east_client, &csv_path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "readers do not see who confirmed");

        // Version 2: the comparison shows the changed characters, to the audience only.
        let mut second = travel_draft("travel-expenses", "## 住宿\n一线城市每晚不超过600元。", json!({ "Chosen": { "orgs": [east], "tiers": [] } }));
        second["page"] = json!(page.parse::<i64>().expect("id"));
        second["draft"]["effective_on"] = json!("2026-02-01");
        let (status, body) = app.call_json(&editor, "policies/save-draft", second).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.call(&editor, "policies/publish", &[("page", &page)]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "2"));
        let (status, html) = app.page(&east_client, "/policies/travel-expenses/compare?from=1&to=2").await;
        assert_eq!(status, StatusCode::OK);
        // Without the renderer's hydration markers.
        let html = html.replace("<!>", "");
        let diff = &html[html.find("data-testid=\"diff\"").unwrap_or(0)..];
        assert!(diff.contains("<mark>5</mark>") && diff.contains("<mark>6</mark>"), "changed characters marked: {diff}");
        let (status, html) = app.page(&west_client, "/policies/travel-expenses/compare?from=1&to=2").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("一线城市"));
    }

    async fn the_request_keeps_the_policies_its_form_suggested(app) {
        let editor = grant_editor(&app).await;
        let east = app.org("SUB-EAST").await;
        let page = publish(&app, &editor, travel_draft("travel-expenses", "## 住宿\n差旅住宿费报销标准。", json!({ "Chosen": { "orgs": [east], "tiers": [] } }))).await;
        let client = app.signed_in("client.east@example.com").await;
        let west = app.signed_in("client.west@example.com").await;

        let suggest = |who: &reqwest::Client, key: &str, title: &str| {
            let (who, key, title) = (who.clone(), key.to_string(), title.to_string());
            let app = &app;
            async move {
                let (status, body) = app.call(&who, "policies/suggest", &[("form_key", &key), ("title", &title)]).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                serde_json::from_str::<Vec<Suggestion>>(&body).expect("suggestions")
            }
        };
        let shown = suggest(&client, "form-east-1", "差旅报销").await;
        assert_eq!(shown.iter().map(|s| (s.slug.as_str(), s.version)).collect::<Vec<_>>(), [("travel-expenses", 1)]);
        assert!(suggest(&west, "form-west-1", "差旅报销").await.is_empty(), "nothing outside the audience");
        let (status, error) = app.call_err(&client, "policies/suggest", &[("form_key", "no spaces here"), ("title", "差旅")]).await;
        assert_eq!((status, error), (StatusCode::BAD_REQUEST, AppError::Malformed));
        let opened = [("form_key", "form-east-1"), ("slug", "travel-expenses"), ("version", "1")];
        let (status, body) = app.call(&client, "policies/suggestion-opened", &opened).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, error) = app.call_err(&west, "policies/suggestion-opened", &opened).await;
        assert_eq!((status, error), (StatusCode::NOT_FOUND, AppError::NotFound), "another reader cannot mark it");

        // The form submits with the same key: the request keeps what was shown and opened.
        let general = app.request_type("general_query").await;
        let (status, body) = app
            .call_json(&client, "requests/submit", json!({ "input": {
                "type_id": general.type_id, "org": null, "title": "差旅报销问题", "description": "",
                "fields": [], "urgent": false, "urgent_reason": "", "files": [], "idempotency_key": "form-east-1"
            }}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let request: i64 = serde_json::from_str(&body).expect("id");
        let agent = app.signed_in("agent1@example.com").await;
        let (status, body) = app.call(&agent, "policies/seen-before-submitting", &[("request", &request.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let seen: Vec<SeenPolicy> = serde_json::from_str(&body).expect("seen");
        assert_eq!(seen.iter().map(|p| (p.slug.as_str(), p.version, p.opened_at.is_some())).collect::<Vec<_>>(), [("travel-expenses", 1, true)]);
        let (status, _) = app.call_err(&client, "policies/seen-before-submitting", &[("request", &request.to_string())]).await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "the record is the center's: {status}");

        // A form that showed the page and was left: the editors' counts tell it apart.
        suggest(&client, "form-east-2", "差旅").await;
        let (status, body) = app.call(&client, "policies/suggestion-opened", &[("form_key", "form-east-2"), ("slug", "travel-expenses"), ("version", "1")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.call(&editor, "policies/suggestion-counts", &[("page", &page)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let counts: SuggestionCounts = serde_json::from_str(&body).expect("counts");
        assert_eq!(counts, SuggestionCounts { suggested: 2, opened: 2, submitted: 1, deflected: 0 }, "the left form counts as deflected only after a day");
    }
    async fn signed_originals_and_slot_examples_follow_their_readers(app) {
        let editor = grant_editor(&app).await;
        let east = app.org("SUB-EAST").await;
        let pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
        let file = app.uploaded(&editor, "差旅报销标准（签发稿）.pdf", pdf.clone()).await;
        let mut draft = travel_draft("travel-expenses", "## 住宿\n差旅住宿费报销标准。", json!({ "Chosen": { "orgs": [east], "tiers": [] } }));
        draft["draft"]["files"] = json!([{ "id": file, "file_name": "x.pdf", "size_bytes": 1 }]);
        publish(&app, &editor, draft).await;
        let client = app.signed_in("client.east@example.com").await;
        let west = app.signed_in("client.west@example.com").await;
        let url = format!("{}/files/{file}", app.base);

        let response = client.get(&url).send().await.expect("download");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert_eq!(response.bytes().await.expect("bytes").to_vec(), pdf);
        let (status, html) = app.page(&client, "/policies/travel-expenses").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("差旅报销标准（签发稿）.pdf") && html.contains(&format!("href=\"/files/{file}\"")), "the page lists its file");
        assert_eq!(west.get(&url).send().await.expect("download").status(), StatusCode::NOT_FOUND, "outside the audience");
        let removed = editor.delete(&url).send().await.expect("delete");
        assert_eq!(removed.status(), StatusCode::NOT_FOUND, "a page's file is not a staged upload");
        assert_eq!(client.get(&url).send().await.expect("download").status(), StatusCode::OK, "and it is still there");

        // An admin links the page to a type and shows an example of a qualifying invoice.
        let admin = app.signed_in("admin@example.com").await;
        let png = [&[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[0u8; 64][..]].concat();
        let example = app.uploaded(&admin, "发票示例.png", png).await;
        let t = app.request_type("expense_reimbursement").await;
        let mut definition = t.definition.clone();
        definition.slots[0].example = Some(example);
        definition.slots[0].explanation = Bilingual::new("须为增值税发票，抬头为公司全称并注明税号。", "A VAT invoice made out to the company, with its tax number.");
        definition.policies = vec![PolicyLink::from_text("no-such-page").expect("link")];
        let save = |definition: app::catalogue::TypeDefinition| {
            json!({ "existing": [t.type_id, t.version], "draft": TypeDraft { definition, ..t.as_draft() } })
        };
        let (status, error) = app.call_json_err(&admin, "catalogue/save-type", save(definition.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.field_problems(Field::PolicyLinks), [Problem::UnknownPolicyPage]);
        definition.policies = vec![PolicyLink::from_text("travel-expenses#住宿").expect("link")];
        let (status, body) = app.call_json(&admin, "catalogue/save-type", save(definition)).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let form = |who: reqwest::Client| {
            let app = &app;
            async move {
                let (status, body) = app.call(&who, "requests/form", &[]).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                serde_json::from_str::<SubmissionSetup>(&body).expect("form")
            }
        };
        let seen = form(client.clone()).await;
        assert_eq!(seen.policies.iter().map(|p| (p.slug.as_str(), p.version)).collect::<Vec<_>>(), [("travel-expenses", 1)]);
        let expense = seen.types.iter().find(|t| t.code == "expense_reimbursement").expect("type");
        assert_eq!(expense.definition.slots[0].example, Some(example));
        assert!(form(west.clone()).await.policies.is_empty(), "a link to a page outside the audience is not shown");
        let response = west.get(format!("{}/files/{example}?inline=1", app.base)).send().await.expect("example");
        assert_eq!(response.status(), StatusCode::OK, "every client may see what qualifies");
        assert_eq!(response.headers()["content-type"], "image/png");
    }

}
