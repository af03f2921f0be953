//! Requests through HTTP: submission with fields and files, who sees what, the lifecycle,
//! the claim race, internal notes, queues and downloads.

mod support;

use app::{
    error::{AppError, Conflict, Field, FieldError, Problem},
    i18n::Locale,
    kernel::{RequestId, RequestStatus, Role},
    requests::{QueueCounts, RequestPage},
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{act, act_ok, get, key, submit_query, TestApp};

/// A small but real PDF.
fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj<<>>endobj\n% {text}\ntrailer<<>>\n%%EOF\n").into_bytes()
}

fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

/// A complete expense reimbursement with its two required files.
async fn expense_input(app: &TestApp, client: &reqwest::Client) -> Value {
    let expense = app.request_type("expense_reimbursement").await;
    let invoice = app.uploaded(client, "发票.pdf", pdf("invoice")).await;
    let approval = app.uploaded(client, "审批单.png", png()).await;
    json!({
        "type_id": expense.type_id, "org": null, "title": "十月差旅费报销", "description": "上海出差",
        "fields": [
            { "key": "amount", "value": "1,280.50", "currency": "CNY" },
            { "key": "expense_date", "value": "2026-10-28" },
            { "key": "category", "value": "travel" },
        ],
        "urgent": false, "urgent_reason": "",
        "files": [[invoice, "invoice"], [approval, "approval"]],
        "idempotency_key": key(),
    })
}

async fn list(app: &TestApp, client: &reqwest::Client, filter: Value) -> RequestPage {
    let (status, body) = app.call_json(client, "requests/list", json!({ "filter": filter })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("page")
}

async fn queue(app: &TestApp, client: &reqwest::Client, tab: &str) -> (QueueCounts, RequestPage) {
    let (status, body) = app.call(client, "requests/queue", &[("queue", tab)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("queue")
}

on_both_backends! {
    async fn a_client_submits_and_finds_the_request_in_their_list(app) {
        let client = app.signed_in("client.east@example.com").await;
        let id = submit_query(&app, &client, "十月差旅费报销").await;
        let detail = get(&app, &client, id).await;
        let reference = detail.request.reference_no.to_string();
        assert!(reference.ends_with("-000001"), "first request of the year: {reference}");
        assert_eq!(detail.request.status, RequestStatus::Submitted);
        assert_eq!(detail.events.len(), 1);
        assert_eq!(detail.events[0].actor_name, "王芳");
        assert!(detail.request.resolution_due > detail.request.created_at, "an SLA deadline is set");

        let second = submit_query(&app, &client, "办公用品采购付款").await;
        let page = list(&app, &client, json!({})).await;
        assert_eq!(page.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![second, id], "newest first");

        // Search by reference number and by a word of the title; filter by status.
        let by_ref = list(&app, &client, json!({ "search": reference.to_lowercase() })).await;
        assert_eq!(by_ref.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
        let by_title = list(&app, &client, json!({ "search": "办公" })).await;
        assert_eq!(by_title.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![second]);
        assert!(list(&app, &client, json!({ "status": "resolved" })).await.rows.is_empty());
        let oldest = list(&app, &client, json!({ "sort": "oldest" })).await;
        assert_eq!(oldest.rows[0].id, id);

        // The server-rendered pages work without JavaScript.
        let (status, html) = app.page(&client, "/requests").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&reference) && html.contains("十月差旅费报销"));
        let (status, html) = app.page(&client, &format!("/requests/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&reference) && html.contains("已提交"));
    }

    async fn a_retried_submission_creates_one_request(app) {
        let client = app.signed_in("client.east@example.com").await;
        let input = expense_input(&app, &client).await;
        let before = app.request_count().await;
        let (s1, b1) = app.call_json(&client, "requests/submit", json!({ "input": input.clone() })).await;
        let (s2, b2) = app.call_json(&client, "requests/submit", json!({ "input": input })).await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{b1} {b2}");
        assert_eq!(b1, b2, "the same request answers both");
        assert_eq!(app.request_count().await, before + 1);
        let id: RequestId = serde_json::from_str(&b1).expect("id");
        let detail = get(&app, &client, id).await;
        assert_eq!(detail.attachments.len(), 2);
        assert_eq!(detail.request_type.code, "expense_reimbursement");
        assert!(detail.request.field_values.contains("1280.50"), "{}", detail.request.field_values);
    }

    async fn who_may_see_a_request_of_subsidiary_a(app) {
        let requester = app.signed_in("client.east@example.com").await;
        let id = submit_query(&app, &requester, "付款申请：华东供应商").await;
        app.add_user("client2.east@example.com", Role::Client, "SUB-EAST").await;
        app.add_user("contact.west@example.com", Role::OrgContact, "SUB-WEST").await;
        app.add_user("manager.other@example.com", Role::CustomerManager, "FSSC").await;
        for (email, visible) in [
            ("client.east@example.com", true),
            ("client2.east@example.com", false),
            ("contact.east@example.com", true),
            ("client.west@example.com", false),
            ("contact.west@example.com", false),
            ("agent1@example.com", true),
            ("agent2@example.com", true),
            ("manager@example.com", true),
            ("manager.other@example.com", false),
            ("admin@example.com", true),
        ] {
            let client = app.signed_in(email).await;
            let (status, body) = app.call(&client, "requests/get", &[("id", &id.to_string())]).await;
            let listed = list(&app, &client, json!({})).await.rows.iter().any(|r| r.id == id);
            if visible {
                assert_eq!(status, StatusCode::OK, "{email}: {body}");
                assert!(listed, "{email} should see it listed");
            } else {
                assert_eq!(status, StatusCode::NOT_FOUND, "{email}: existence must not leak");
                assert!(!listed, "{email} must not see it listed");
            }
        }
        let (status, error) = app.call_err(&app.client(), "requests/get", &[("id", &id.to_string())]).await;
        assert_eq!((status, error), (StatusCode::UNAUTHORIZED, AppError::Unauthenticated));
    }

    async fn another_organisations_request_is_invisible_to_every_function(app) {
        let east = app.signed_in("client.east@example.com").await;
        let input = expense_input(&app, &east).await;
        let (_, body) = app.call_json(&east, "requests/submit", json!({ "input": input })).await;
        let id: RequestId = serde_json::from_str(&body).expect("id");
        let file = get(&app, &east, id).await.attachments[0].id;
        let west = app.signed_in("client.west@example.com").await;
        let before = get(&app, &east, id).await.request.version;
        for command in [
            json!("Claim"),
            json!({ "Reply": { "message": "我也来回复", "files": [] } }),
            json!({ "Note": { "message": "偷看", "files": [] } }),
            json!({ "Withdraw": { "reason": "撤回别人的" } }),
            json!({ "Reopen": { "reason": "重开别人的" } }),
            json!({ "Resolve": { "resolution": "自己办结" } }),
        ] {
            let (status, body) = act(&app, &west, id, before, command.clone()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{command}: {body}");
        }
        let (status, _) = app.call(&west, "requests/get", &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let response = west.get(format!("{}/files/{file}", app.base)).send().await.expect("download");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(get(&app, &east, id).await.request.version, before, "nothing changed");
    }

    async fn bad_input_is_refused_clearly_and_nothing_is_written(app) {
        let client = app.signed_in("client.east@example.com").await;
        let before = app.request_count().await;
        let base = expense_input(&app, &client).await;
        let submit = |input: Value| {
            let app = &app;
            let client = &client;
            async move { app.call_json_err(client, "requests/submit", json!({ "input": input })).await }
        };

        // Missing required fields and files, all reported at once.
        let mut missing = base.clone();
        missing["fields"] = json!([]);
        missing["files"] = json!([]);
        let (status, error) = submit(missing).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let AppError::Invalid(problems) = &error else { panic!("{error:?}") };
        assert_eq!(problems.iter().filter(|p| p.problem == Problem::Required).count(), 5, "{problems:?}");
        assert!(error.message(Locale::zh_CN).contains("请填写"));

        // An amount that is not a number.
        let mut amount = base.clone();
        amount["fields"][0]["value"] = json!("一千二");
        let (status, error) = submit(amount).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error, AppError::Invalid(vec![FieldError { field: Field::Custom(0), problem: Problem::NotAnAmount }]));

        // A title over 200 characters.
        let mut long = base.clone();
        long["title"] = json!("报".repeat(201));
        let (_, error) = submit(long).await;
        assert_eq!(error.message(Locale::zh_CN), "标题不能超过 200 个字符。");
        assert_eq!(error.message(Locale::en), "Title must be at most 200 characters.");

        // An unknown type id.
        let mut unknown = base.clone();
        unknown["type_id"] = json!(987654);
        let (status, error) = submit(unknown).await;
        assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::RequestType, Problem::UnknownChoice)));

        // Another user's upload.
        let west = app.signed_in("client.west@example.com").await;
        let foreign = app.uploaded(&west, "别人的.pdf", pdf("x")).await;
        let mut stolen = base.clone();
        stolen["files"] = json!([[foreign, "invoice"], base["files"][1].clone()]);
        let (status, error) = submit(stolen).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.field_problems(Field::Files).contains(&Problem::UnknownFile), "{error:?}");

        // Submitting for another subsidiary.
        let mut forged = base.clone();
        forged["org"] = json!(app.org("SUB-WEST").await);
        let (status, error) = submit(forged).await;
        assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden));

        // Agents serve requests; they do not submit them.
        let agent = app.signed_in("agent1@example.com").await;
        let (status, _) = app.call_json_err(&agent, "requests/submit", json!({ "input": base.clone() })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Garbage where a number belongs.
        let (status, error) = app.call_err(&client, "requests/get", &[("id", "1 OR 1=1")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error, AppError::Malformed);

        // More files than a request may hold.
        let mut crowded = base.clone();
        let mut many = vec![base["files"][0].clone(), base["files"][1].clone()];
        for n in 0..app::kernel::UploadLimits::default().max_files_per_request {
            many.push(json!([app.uploaded(&client, &format!("附件{n}.pdf"), pdf("x")).await, null]));
        }
        crowded["files"] = json!(many);
        let (status, error) = submit(crowded).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.field_problems(Field::Files), vec![Problem::TooManyFiles { max: 20 }]);
        assert_eq!(error.message(Locale::en), "At most 20 files may be attached.");

        assert_eq!(app.request_count().await, before, "no refused call wrote anything");
        // The refused submissions left the files staged, not attached: the valid one goes through.
        let (status, body) = app.call_json(&client, "requests/submit", json!({ "input": base })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn files_are_checked_by_their_bytes_and_served_safely(app) {
        let client = app.signed_in("client.east@example.com").await;
        let refused = |status: StatusCode, body: &str, problem: Problem| {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let v: Value = serde_json::from_str(body).expect("json");
            let error: AppError = serde_json::from_value(v["error"].clone()).expect("error");
            assert_eq!(error, AppError::invalid(Field::Files, problem), "{body}");
            assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "a message for the user: {body}");
        };
        let (s, b) = app.upload(&client, "invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec()).await;
        refused(s, &b, Problem::FileKindNotAllowed);
        let (s, b) = app.upload(&client, "empty.pdf", Vec::new()).await;
        refused(s, &b, Problem::EmptyFile);
        let (s, b) = app.upload(&client, "photo.png", pdf("not a png")).await;
        refused(s, &b, Problem::ContentMismatch);
        let (s, b) = app.upload(&client, "run.exe", b"MZ".to_vec()).await;
        refused(s, &b, Problem::FileKindNotAllowed);
        let (s, b) = app.upload(&client, "../../", pdf("x")).await;
        refused(s, &b, Problem::UnsafeFileName);
        let big = vec![b'a'; (app::kernel::UploadLimits::default().max_file_bytes + 10) as usize];
        let (s, b) = app.upload(&client, "big.csv", big).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b.contains("FileTooLarge"), "{b}");

        // A path-traversal name is cut to its last component.
        let (s, b) = app.upload(&client, "../../etc/发票.pdf", pdf("ok")).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let uploaded: app::attachments::UploadedFile = serde_json::from_str(&b).expect("file");
        assert_eq!(uploaded.file_name, "发票.pdf");

        // The uploader can fetch a staged file; nobody else can.
        let response = client.get(format!("{}/files/{}", app.base, uploaded.id)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::OK);
        let h = response.headers().clone();
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let disposition = h["content-disposition"].to_str().expect("ascii");
        assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%E5%8F%91%E7%A5%A8%2Epdf"), "{disposition}");
        assert_eq!(response.bytes().await.expect("bytes").to_vec(), pdf("ok"));
        let inline = client.get(format!("{}/files/{}?inline=1", app.base, uploaded.id)).send().await.expect("get");
        assert!(inline.headers()["content-disposition"].to_str().expect("ascii").starts_with("inline;"));
        let other = app.signed_in("contact.east@example.com").await;
        let response = other.get(format!("{}/files/{}", app.base, uploaded.id)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = app.client().post(format!("{}/files", app.base)).header("X-File-Name", "a.pdf").body(pdf("x")).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        // Only the uploader removes a staged file, and then it is gone.
        let response = other.delete(format!("{}/files/{}", app.base, uploaded.id)).send().await.expect("delete");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let response = client.delete(format!("{}/files/{}", app.base, uploaded.id)).send().await.expect("delete");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let response = client.get(format!("{}/files/{}", app.base, uploaded.id)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    async fn the_whole_lifecycle_with_an_internal_note(app) {
        let client = app.signed_in("client.east@example.com").await;
        let input = expense_input(&app, &client).await;
        let (_, body) = app.call_json(&client, "requests/submit", json!({ "input": input })).await;
        let id: RequestId = serde_json::from_str(&body).expect("id");
        let agent1 = app.signed_in("agent1@example.com").await;
        let agent2 = app.signed_in("agent2@example.com").await;

        let (counts, unassigned) = queue(&app, &agent1, "unassigned").await;
        assert!(unassigned.rows.iter().any(|r| r.id == id));
        assert_eq!(counts.unassigned, 1);

        // A client cannot resolve their own request, whatever they send.
        let version = get(&app, &client, id).await.request.version;
        let (status, _) = act(&app, &client, id, version, json!({ "Resolve": { "resolution": "自己办结" } })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        act_ok(&app, &agent1, id, json!("Claim")).await;
        let (status, body) = act(&app, &agent2, id, version, json!("Claim")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let error: AppError = serde_json::from_str(&body).expect("error");
        assert_eq!(error, AppError::Conflict(Conflict::AlreadyTaken { owner: "张伟".into() }));
        assert_eq!(error.message(Locale::zh_CN), "该申请已被 张伟 认领。");
        let (counts, mine) = queue(&app, &agent1, "mine").await;
        assert_eq!((counts.unassigned, counts.mine), (0, 1));
        assert!(mine.rows.iter().any(|r| r.id == id));

        // Only the owner works it.
        let v = get(&app, &agent2, id).await.request.version;
        let (status, _) = act(&app, &agent2, id, v, json!({ "Resolve": { "resolution": "抢着办" } })).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        act_ok(&app, &agent1, id, json!({ "AskForInformation": { "message": "请补充酒店发票" } })).await;
        let seen = get(&app, &client, id).await;
        assert_eq!(seen.request.status, RequestStatus::AwaitingClient);
        // A stale write is refused, not applied.
        let (status, body) = act(&app, &client, id, seen.request.version - 1, json!({ "Reply": { "message": "旧页面", "files": [] } })).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(serde_json::from_str::<AppError>(&body).expect("error"), AppError::Conflict(Conflict::Stale));

        let hotel = app.uploaded(&client, "酒店发票.pdf", pdf("hotel")).await;
        act_ok(&app, &client, id, json!({ "Reply": { "message": "已补充", "files": [hotel] } })).await;
        assert_eq!(get(&app, &agent1, id).await.request.status, RequestStatus::InReview, "the answer hands it back");

        let secret = app.uploaded(&agent1, "内部核对.pdf", pdf("internal")).await;
        act_ok(&app, &agent1, id, json!({ "Note": { "message": "供应商黑名单待核实", "files": [secret] } })).await;
        let staff_view = get(&app, &agent1, id).await;
        assert!(staff_view.events.iter().any(|e| e.note.as_deref() == Some("供应商黑名单待核实")));
        let client_view = get(&app, &client, id).await;
        assert!(client_view.events.iter().all(|e| !e.internal && e.note.as_deref() != Some("供应商黑名单待核实")));
        assert!(client_view.attachments.iter().all(|a| a.id != secret));
        let (_, raw) = app.call(&client, "requests/get", &[("id", &id.to_string())]).await;
        assert!(!raw.contains("黑名单") && !raw.contains("内部核对"), "no trace of the note reaches the client");
        let response = client.get(format!("{}/files/{secret}", app.base)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let (_, html) = app.page(&client, &format!("/requests/{id}")).await;
        assert!(!html.contains("黑名单"), "nor through the page");
        let contact = app.signed_in("contact.east@example.com").await;
        assert!(get(&app, &contact, id).await.events.iter().all(|e| !e.internal));

        act_ok(&app, &agent1, id, json!({ "Resolve": { "resolution": "已付款" } })).await;
        let done = get(&app, &client, id).await;
        assert_eq!(done.request.status, RequestStatus::Resolved);
        assert_eq!(done.request.first_owner_name.as_deref(), Some("张伟"));
        let kinds: Vec<&str> = done.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, vec!["submitted", "owner_changed", "status_changed", "message", "status_changed"]);
        assert_eq!(done.attachments.len(), 3, "two at submission, one with the reply");

        // Resolved: withdrawing is no longer possible; reopening within the week is.
        let (status, body) = act(&app, &client, id, done.request.version, json!({ "Withdraw": { "reason": "" } })).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(matches!(serde_json::from_str::<AppError>(&body).expect("error"), AppError::Conflict(Conflict::IllegalTransition { .. })));
        act_ok(&app, &client, id, json!({ "Reopen": { "reason": "金额有误" } })).await;
        assert_eq!(get(&app, &client, id).await.request.status, RequestStatus::InReview);

        // Transfer to another team without a person: back to that team's unassigned queue.
        let payables = app::catalogue::store::team_by_code(&app.db, "payables").await.expect("q").expect("team");
        let (status, _) = act(&app, &agent1, id, get(&app, &agent1, id).await.request.version,
            json!({ "Transfer": { "team": payables, "agent": null, "reason": "" } })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a transfer needs a reason");
        act_ok(&app, &agent1, id, json!({ "Transfer": { "team": payables, "agent": null, "reason": "属于应付业务" } })).await;
        let moved = get(&app, &agent2, id).await;
        assert_eq!((moved.request.owner_id, moved.request.team_id), (None, payables));
        assert_eq!(moved.request.first_owner_name.as_deref(), Some("张伟"), "the first owner stays recorded");
        let (_, team_queue) = queue(&app, &agent2, "team").await;
        assert!(team_queue.rows.iter().any(|r| r.id == id));
        act_ok(&app, &agent2, id, json!("Claim")).await;
        assert_eq!(get(&app, &agent2, id).await.request.owner_name.as_deref(), Some("刘洋"));
    }

    async fn two_agents_claiming_at_once_get_one_owner(app) {
        let client = app.signed_in("client.east@example.com").await;
        let id = submit_query(&app, &client, "抢单测试").await;
        let version = get(&app, &client, id).await.request.version;
        let agents = [app.signed_in("agent1@example.com").await, app.signed_in("agent2@example.com").await];
        for round in 0..3 {
            let id = if round == 0 { id } else { submit_query(&app, &client, &format!("抢单测试 {round}")).await };
            let (a, b) = tokio::join!(
                act(&app, &agents[0], id, version, json!("Claim")),
                act(&app, &agents[1], id, version, json!("Claim")),
            );
            let statuses = [a.0, b.0];
            assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
            let loser = if a.0 == StatusCode::OK { &b.1 } else { &a.1 };
            let owner = get(&app, &client, id).await.request.owner_name.expect("owned");
            assert_eq!(serde_json::from_str::<AppError>(loser).expect("error"), AppError::Conflict(Conflict::AlreadyTaken { owner }));
            let claims = get(&app, &agents[0], id).await.events.iter().filter(|e| e.kind.as_str() == "owner_changed").count();
            assert_eq!(claims, 1, "one claim on the timeline");
        }
    }

    async fn editing_a_type_adds_a_version_and_leaves_submitted_requests_alone(app) {
        let client = app.signed_in("client.east@example.com").await;
        let id = submit_query(&app, &client, "版本测试").await;
        let general = app.request_type("general_query").await;
        let mut draft = json!({
            "code": "general_query", "name": { "zh": "一般咨询（新）", "en": "General query (new)" }, "kind": "query",
            "team_id": general.team_id, "targets": general.targets, "active": true,
            "definition": { "fields": [{ "key": "topic", "label": { "zh": "主题", "en": "Topic" }, "kind": "text", "required": true, "help": { "zh": "", "en": "" } }], "slots": [] },
        });
        let (status, _) = app.call_json(&client, "catalogue/save-type", json!({ "existing": [general.type_id, general.version], "draft": draft.clone() })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only admins edit the catalogue");
        let admin = app.signed_in("admin@example.com").await;
        let (status, body) = app.call_json(&admin, "catalogue/save-type", json!({ "existing": [general.type_id, general.version], "draft": draft.clone() })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, error) = app.call_json_err(&admin, "catalogue/save-type", json!({ "existing": [general.type_id, general.version], "draft": draft.clone() })).await;
        assert_eq!((status, error), (StatusCode::CONFLICT, AppError::Conflict(Conflict::Stale)), "a second edit of the old version is stale");
        let updated = app.request_type("general_query").await;
        assert_eq!((updated.version, updated.name.zh.as_str()), (general.version + 1, "一般咨询（新）"));
        let old = get(&app, &client, id).await;
        assert_eq!(old.request_type.version, general.version, "the request keeps the version it was submitted with");
        assert!(old.request_type.definition.fields.is_empty());
        draft["targets"]["first_response_hours"] = json!(0);
        let (status, error) = app.call_json_err(&admin, "catalogue/save-type", json!({ "existing": [updated.type_id, updated.version], "draft": draft })).await;
        assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::Targets, Problem::InvalidTargets)));
        // New submissions use the new form.
        let (status, error) = app.call_json_err(&client, "requests/submit", json!({ "input": {
            "type_id": updated.type_id, "org": null, "title": "新表单", "description": "", "fields": [], "urgent": false,
            "urgent_reason": "", "files": [], "idempotency_key": key() }})).await;
        assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::Custom(0), Problem::Required)));
    }

    async fn the_list_pages_by_keyset(app) {
        let client = app.signed_in("client.east@example.com").await;
        let mut ids = Vec::new();
        for n in 0..(app::requests::PAGE_SIZE + 3) {
            ids.push(submit_query(&app, &client, &format!("批量申请 {n}")).await);
        }
        ids.reverse();
        let first = list(&app, &client, json!({})).await;
        assert_eq!(first.rows.len() as i64, app::requests::PAGE_SIZE);
        let second = list(&app, &client, json!({ "after": first.next.clone().expect("more pages") })).await;
        let all: Vec<RequestId> = first.rows.iter().chain(second.rows.iter()).map(|r| r.id).collect();
        assert_eq!(all, ids, "two pages cover every request once, newest first");
        assert_eq!(second.next, None);
        let due_first = list(&app, &client, json!({ "sort": "due" })).await;
        let due_second = list(&app, &client, json!({ "sort": "due", "after": due_first.next.clone().expect("more") })).await;
        assert_eq!(due_first.rows.len() + due_second.rows.len(), ids.len());
        let mut seen: Vec<RequestId> = due_first.rows.iter().chain(due_second.rows.iter()).map(|r| r.id).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), ids.len(), "no row twice, none missing");
    }
}
