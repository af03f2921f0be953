//! Notifications through the real server: the live stream with replay after a dropped
//! connection, who hears of what, the notification centre, preferences, and email through a
//! real SMTP server, including a failing one and a sender that dies mid-way.

mod support;

use app::{
    error::AppError,
    kernel::{RequestId, RequestStatus},
    notifications::{
        NotificationKind, NotificationPage, Preferences, service as notify, service::About,
        store as notes,
    },
    requests::page::RequestDetail,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use support::{
    smtp::{mail_config, Mode, SmtpSink},
    sse::{self, EventReader},
    Backend, TestApp,
};

const WAIT: Duration = Duration::from_secs(5);

fn key() -> String {
    format!("k-{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0))
}

async fn submit(app: &TestApp, client: &reqwest::Client, title: &str) -> RequestId {
    let general = app.request_type("general_query").await;
    let (status, body) = app
        .call_json(client, "requests/submit", json!({ "input": {
            "type_id": general.type_id, "org": null, "title": title, "description": "",
            "fields": [], "urgent": false, "urgent_reason": "", "files": [], "idempotency_key": key()
        }}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("id")
}

async fn get(app: &TestApp, client: &reqwest::Client, id: RequestId) -> RequestDetail {
    let (status, body) = app.call(client, "requests/get", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("detail")
}

async fn act(app: &TestApp, client: &reqwest::Client, id: RequestId, command: Value) {
    let version = get(app, client, id).await.request.version;
    let (status, body) = app.call_json(client, "requests/act", json!({ "id": id, "version": version, "command": command })).await;
    assert_eq!(status, StatusCode::OK, "{command}: {body}");
}

async fn centre(app: &TestApp, client: &reqwest::Client) -> NotificationPage {
    let (status, body) = app.call(client, "notifications/list", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("page")
}

/// Opens a stream. A fresh one is awaited until its first answer (the unread count), so it
/// is registered before the test acts; a resumed one first replays, so it is returned at once.
async fn stream(app: &TestApp, client: &reqwest::Client, last: Option<&str>) -> EventReader {
    let response = sse::open(client, &app.base, last).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut reader = EventReader::new(response);
    if last.is_none() {
        assert!(reader.next_unread(WAIT).await.is_some(), "the stream opens with the unread count");
    }
    reader
}

on_both_backends! {
    async fn the_stream_replays_what_a_dropped_connection_missed_without_duplicates(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let id = submit(&app, &client, "付款进度咨询").await;

        let mut live = stream(&app, &client, None).await;
        act(&app, &agent, id, json!("Claim")).await;
        let claimed = live.next_notification(WAIT).await.expect("the claim arrives live");
        assert_eq!(claimed.kind, NotificationKind::StatusChanged);
        assert_eq!(claimed.status, Some(RequestStatus::InReview));
        assert_eq!(claimed.request_id, Some(id));
        assert_eq!(claimed.actor_name.as_deref(), Some("张伟"));
        assert_eq!(claimed.link, format!("/requests/{id}"));

        // The connection dies; three things happen meanwhile.
        drop(live);
        act(&app, &agent, id, json!({ "Reply": { "message": "正在核对付款记录", "files": [] } })).await;
        act(&app, &agent, id, json!({ "AskForInformation": { "message": "请提供付款申请单号" } })).await;
        act(&app, &agent, id, json!({ "Note": { "message": "内部：供应商黑名单待查", "files": [] } })).await;

        let mut again = stream(&app, &client, Some(&claimed.id.to_string())).await;
        let first = again.next_notification(WAIT).await.expect("missed reply");
        let second = again.next_notification(WAIT).await.expect("missed question");
        assert_eq!((first.kind, first.excerpt.as_deref()), (NotificationKind::Reply, Some("正在核对付款记录")));
        assert_eq!((second.kind, second.status), (NotificationKind::NeedsInformation, Some(RequestStatus::AwaitingClient)));
        assert!(claimed.id < first.id && first.id < second.id, "in order");
        assert!(again.next_notification(Duration::from_millis(500)).await.is_none(), "no duplicate, and never the internal note");

        // Live again after the replay: the client's answer reaches the agent, not the client.
        let mut agent_live = stream(&app, &agent, None).await;
        act(&app, &client, id, json!({ "Reply": { "message": "单号 PR-2026-0042", "files": [] } })).await;
        let answer = agent_live.next_notification(WAIT).await.expect("the agent hears the answer");
        assert_eq!((answer.kind, answer.status), (NotificationKind::Reply, Some(RequestStatus::InReview)));
        assert!(again.next_notification(Duration::from_millis(500)).await.is_none(), "the client is not told of their own reply");
    }

    async fn a_stream_carries_only_its_own_users_events(app) {
        let east = app.signed_in("client.east@example.com").await;
        let west = app.signed_in("client.west@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let mut west_live = stream(&app, &west, None).await;
        let mut east_live = stream(&app, &east, None).await;
        let id = submit(&app, &east, "华东的申请").await;
        act(&app, &agent, id, json!("Claim")).await;
        assert!(east_live.next_notification(WAIT).await.is_some());
        assert!(west_live.next_notification(Duration::from_millis(700)).await.is_none(), "west heard of east's request");
        assert!(centre(&app, &west).await.rows.is_empty());

        // Without a session there is no stream.
        let anonymous = app.client().get(format!("{}/events", app.base)).send().await.expect("events");
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }

    async fn the_stream_closes_at_sign_out_and_when_the_account_is_deactivated(app) {
        let client = app.signed_in("client.east@example.com").await;
        let mut live = stream(&app, &client, None).await;
        let (status, _) = app.call(&client, "auth/sign_out", &[]).await;
        assert!(status.is_success() || status.is_redirection(), "{status}");
        assert!(live.ends_within(WAIT).await, "the stream outlived its session");
        assert_eq!(sse::open(&client, &app.base, None).await.status(), StatusCode::UNAUTHORIZED);

        let west = app.signed_in("client.west@example.com").await;
        let mut west_live = stream(&app, &west, None).await;
        let admin = app.signed_in("admin@example.com").await;
        let west_id = app.user_id("client.west@example.com").await;
        let (status, body) = app.call(&admin, "admin/set_active", &[("id", &west_id.to_string()), ("active", "false")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(west_live.ends_within(WAIT).await, "a deactivated user kept receiving events");
        assert_eq!(sse::open(&west, &app.base, None).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn the_notification_centre_lists_and_marks_read_only_ones_own(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let id = submit(&app, &client, "月结进度").await;
        act(&app, &agent, id, json!("Claim")).await;
        act(&app, &agent, id, json!({ "Resolve": { "resolution": "已完成月结" } })).await;

        let page = centre(&app, &client).await;
        assert_eq!(page.unread, 2);
        assert_eq!(page.rows.iter().map(|n| n.status).collect::<Vec<_>>(), vec![Some(RequestStatus::Resolved), Some(RequestStatus::InReview)], "newest first");
        let newest = page.rows[0].id;

        // Another person's notification is not found, and stays unread.
        let (status, error) = app.call_err(&agent, "notifications/read", &[("id", &newest.to_string())]).await;
        assert_eq!((status, error), (StatusCode::NOT_FOUND, AppError::NotFound));
        assert_eq!(centre(&app, &client).await.unread, 2);

        let mut live = stream(&app, &client, None).await;
        let (status, body) = app.call(&client, "notifications/read", &[("id", &newest.to_string())]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "1"));
        assert_eq!(live.next_unread(WAIT).await, Some(1), "other tabs hear the new count");
        let (status, body) = app.call(&client, "notifications/read-all", &[]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "0"));
        let page = centre(&app, &client).await;
        assert_eq!(page.unread, 0);
        assert!(page.rows.iter().all(|n| n.read_at.is_some()));
    }

    async fn an_org_contact_who_follows_hears_of_the_subsidiarys_requests(app) {
        let client = app.signed_in("client.east@example.com").await;
        let contact = app.signed_in("contact.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let first = submit(&app, &client, "未关注时").await;
        act(&app, &agent, first, json!("Claim")).await;
        assert!(centre(&app, &contact).await.rows.is_empty(), "contacts hear nothing unless they opt in");

        let (status, body) = app.call(&contact, "notifications/preferences", &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut prefs: Preferences = serde_json::from_str(&body).expect("prefs");
        assert!(prefs.may_follow_organisation);
        prefs.follow_organisation = true;
        let (status, body) = app.call_json(&contact, "notifications/save-preferences", json!({ "preferences": prefs })).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let second = submit(&app, &client, "关注之后").await;
        act(&app, &agent, second, json!("Claim")).await;
        let page = centre(&app, &contact).await;
        assert_eq!(page.rows.len(), 1);
        assert_eq!(page.rows[0].request_id, Some(second));

        // A client may not follow an organisation, nor choose kinds it cannot receive.
        let (_, body) = app.call(&client, "notifications/preferences", &[]).await;
        let mut mine: Preferences = serde_json::from_str(&body).expect("prefs");
        assert!(!mine.may_follow_organisation);
        mine.follow_organisation = true;
        let (status, _) = app.call_json(&client, "notifications/save-preferences", json!({ "preferences": mine })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn a_transfer_tells_the_new_owner_and_in_app_can_be_turned_off(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent1 = app.signed_in("agent1@example.com").await;
        let agent2 = app.signed_in("agent2@example.com").await;
        let id = submit(&app, &client, "转交测试").await;
        act(&app, &agent1, id, json!("Claim")).await;
        let agent2_id = app.user_id("agent2@example.com").await;
        let (_, body) = app.call(&agent1, "requests/transfer-options", &[]).await;
        let (_, agents): (Value, Vec<app::requests::AgentChoice>) = serde_json::from_str(&body).expect("options");
        let team = agents.iter().find(|a| a.id == agent2_id).expect("agent2 is in a team").team_id;
        act(&app, &agent1, id, json!({ "Transfer": { "team": team, "agent": agent2_id, "reason": "休假交接" } })).await;
        let page = centre(&app, &agent2).await;
        assert_eq!(page.rows.len(), 1);
        assert_eq!((page.rows[0].kind, page.rows[0].actor_name.as_deref()), (NotificationKind::Assigned, Some("张伟")));

        // The client turns off in-app status changes and rating invitations: the resolution,
        // which is the latter for its requester, is not in the centre.
        let (_, body) = app.call(&client, "notifications/preferences", &[]).await;
        let mut prefs: Preferences = serde_json::from_str(&body).expect("prefs");
        for k in prefs.kinds.iter_mut().filter(|k| matches!(k.kind, NotificationKind::StatusChanged | NotificationKind::RatingRequested)) {
            k.in_app = false;
        }
        let (status, body) = app.call_json(&client, "notifications/save-preferences", json!({ "preferences": prefs })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let before = centre(&app, &client).await.rows.len();
        act(&app, &agent2, id, json!({ "Resolve": { "resolution": "已处理" } })).await;
        assert_eq!(centre(&app, &client).await.rows.len(), before);
    }

    async fn the_sla_hook_tells_the_owner_and_the_customer_manager(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let manager = app.signed_in("manager@example.com").await;
        let id = submit(&app, &client, "即将超时").await;
        act(&app, &agent, id, json!("Claim")).await;
        let detail = get(&app, &agent, id).await;
        let r = &detail.request;
        let about = About::request(id, r.reference_no.as_str(), &r.title);
        let told = notify::sla_alert(&app.portal.state, &about, r.org_id, r.owner_id, true, chrono::Utc::now()).await.expect("alert");
        assert_eq!(told.len(), 2, "owner and manager");
        for who in [&agent, &manager] {
            let page = centre(&app, who).await;
            assert_eq!(page.rows[0].kind, NotificationKind::SlaBreach);
            assert_eq!(page.rows[0].request_id, Some(id));
        }
        assert!(centre(&app, &client).await.rows.iter().all(|n| n.kind != NotificationKind::SlaBreach));
    }
}

/// Runs a test against a portal whose mail goes to a fresh SMTP sink, on each backend.
macro_rules! mail_test {
    ($(async fn $name:ident($app:ident, $sink:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: TestApp, $sink: SmtpSink) $body
            async fn start(backend: Backend) -> Option<(TestApp, SmtpSink)> {
                let sink = SmtpSink::start(Mode::Accept).await;
                let config = mail_config(&sink);
                let app = TestApp::spawn_with(backend, move |c| c.mail = Some(config)).await?;
                Some((app, sink))
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (app, sink) = start(Backend::Sqlite).await.expect("sqlite");
                run(app, sink).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some((app, sink)) = start(Backend::Postgres).await {
                    run(app, sink).await;
                }
            }
        }
    )*};
}

mail_test! {
    async fn an_email_reaches_the_requester_in_their_language_with_a_link(app, sink) {
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let id = submit(&app, &client, "差旅费报销进度").await;
        act(&app, &agent, id, json!("Claim")).await;
        act(&app, &agent, id, json!({ "AskForInformation": { "message": "请补充酒店发票" } })).await;
        let mail = sink.wait_for(2, WAIT).await;
        assert_eq!(mail.len(), 2, "one email per status change");
        let question = &mail[1];
        let reference = get(&app, &client, id).await.request.reference_no.to_string();
        assert_eq!(question.recipients, vec!["client.east@example.com".to_string()]);
        assert!(question.subject().contains(&reference) && question.subject().contains("需要您补充资料"), "{}", question.subject());
        let link = format!("{}/requests/{id}", app.base);
        for body in [question.text(), question.html()] {
            assert!(body.contains(&link), "no link in {body}");
            assert!(body.contains("待补充资料") && body.contains("请补充酒店发票"), "{body}");
        }
        assert_eq!(question.header("Content-Language"), "zh-CN");

        // The same event for a reader of English is written in English.
        let (status, _) = app.call(&client, "auth/preferences", &[("language", "en")]).await;
        assert_eq!(status, StatusCode::OK);
        act(&app, &client, id, json!({ "Reply": { "message": "attached", "files": [] } })).await;
        act(&app, &agent, id, json!({ "Resolve": { "resolution": "Paid on 24 Nov" } })).await;
        let mail = sink.wait_for(4, WAIT).await;
        let to_agent = mail.iter().find(|m| m.recipients == vec!["agent1@example.com".to_string()]).expect("the agent is told of the answer");
        assert!(to_agent.subject().contains("王芳"), "{}", to_agent.subject());
        let resolved = mail.last().expect("resolution mail");
        assert_eq!(resolved.recipients, vec!["client.east@example.com".to_string()]);
        assert!(resolved.subject().contains("resolved: please rate"), "the resolution asks for a rating: {}", resolved.subject());
        assert!(resolved.text().contains("Paid on 24 Nov") && resolved.text().contains(&link));
        assert!(resolved.text().contains(&format!("{link}?score=5#rating")), "with the star links");
        assert_eq!(resolved.header("Content-Language"), "en");
        assert_eq!(mail.len(), 4, "nothing else was sent");
    }

    async fn a_failing_mail_server_delays_mail_but_never_loses_it_or_blocks_requests(app, sink) {
        sink.set_mode(Mode::TempFail);
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let id = submit(&app, &client, "邮件服务故障期间").await;
        let started = std::time::Instant::now();
        act(&app, &agent, id, json!("Claim")).await;
        assert!(started.elapsed() < Duration::from_secs(2), "a request waited on the mail server");
        // It was tried and refused, and waits for a retry.
        for _ in 0..100 {
            if sink.offered() >= 1 { break }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(sink.offered() >= 1, "the sender never tried");
        let (waiting, _) = notes::outbox_backlog(&app.db).await.expect("backlog");
        assert_eq!(waiting, 1, "the refused message is kept");
        assert!(sink.received().is_empty());

        sink.set_mode(Mode::Accept);
        let mail = sink.wait_for(1, Duration::from_secs(8)).await;
        assert_eq!(mail.len(), 1, "delivered once the server recovers");
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(sink.received().len(), 1, "and only once");
        assert_eq!(notes::outbox_backlog(&app.db).await.expect("backlog").0, 0);
    }

    async fn the_outbox_survives_a_sender_killed_mid_way(app, sink) {
        let mut app = app;
        sink.set_mode(Mode::Stall);
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let mut ids = Vec::new();
        for n in 0..3 {
            let id = submit(&app, &client, &format!("批量 {n}")).await;
            act(&app, &agent, id, json!("Claim")).await;
            ids.push(id);
        }
        // The sender has the first message in hand, the server never answers: kill it there.
        for _ in 0..100 {
            if sink.offered() >= 1 { break }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(sink.offered(), 1, "the sender is stuck on its first message");
        app.jobs.as_mut().expect("jobs").kill_sender();
        assert_eq!(notes::outbox_backlog(&app.db).await.expect("backlog").0, 3, "nothing was marked sent");

        // A new sender (a restarted process) takes over once the dead one's lease runs out.
        sink.set_mode(Mode::Accept);
        let restarted = server::mailer::Mailer::new(app.db.clone(), mail_config(&sink)).expect("mailer");
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(restarted.run(stopped));
        let mail = sink.wait_for(3, Duration::from_secs(10)).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        task.abort();
        let mut message_ids: Vec<String> = sink.received().iter().map(|m| m.message_id()).collect();
        assert_eq!(mail.len(), 3, "every message arrived");
        message_ids.sort();
        message_ids.dedup();
        assert_eq!(message_ids.len(), 3, "none twice");
        assert_eq!(notes::outbox_backlog(&app.db).await.expect("backlog").0, 0);
    }

    async fn preferences_decide_email_and_the_daily_digest_replaces_single_emails(app, sink) {
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let (_, body) = app.call(&client, "notifications/preferences", &[]).await;
        let mut prefs: Preferences = serde_json::from_str(&body).expect("prefs");
        assert!(prefs.email_available);
        prefs.daily_digest = true;
        let (status, body) = app.call_json(&client, "notifications/save-preferences", json!({ "preferences": prefs })).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let id = submit(&app, &client, "汇总邮件").await;
        act(&app, &agent, id, json!("Claim")).await;
        act(&app, &agent, id, json!({ "Reply": { "message": "已收到，处理中", "files": [] } })).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(sink.received().is_empty(), "a digest reader got single emails");
        assert_eq!(centre(&app, &client).await.rows.len(), 2, "the portal still shows each one");

        // Before 8:00 in the reader's zone nothing goes out; after it, one digest with both.
        use chrono::TimeZone;
        let shanghai = chrono_tz::Asia::Shanghai;
        let tomorrow = chrono::Utc::now().with_timezone(&shanghai).date_naive() + chrono::Duration::days(1);
        let at = |h| shanghai.from_local_datetime(&tomorrow.and_hms_opt(h, 0, 0).expect("time")).earliest().expect("instant").with_timezone(&chrono::Utc);
        assert_eq!(notify::send_due_digests(&app.portal.state, at(7)).await.expect("digest"), 0);
        assert_eq!(notify::send_due_digests(&app.portal.state, at(9)).await.expect("digest"), 1);
        assert_eq!(notify::send_due_digests(&app.portal.state, at(10)).await.expect("digest"), 0, "once a day");
        // The digest is due at tomorrow's 9:00; a sender whose clock reads 11:00 sends it.
        let sender = server::mailer::Mailer::new(app.db.clone(), mail_config(&sink)).expect("mailer");
        assert_eq!(sender.send_due(at(11)).await.expect("send"), 1);
        let mail = sink.wait_for(1, WAIT).await;
        assert_eq!(mail.len(), 1);
        let digest = mail[0].text();
        assert!(digest.contains("处理中") || digest.contains("已收到"), "{digest}");
        assert_eq!(digest.matches(&format!("/requests/{id}")).count(), 2, "{digest}");

        // Email off for replies: the next reply is in the portal only.
        let (_, body) = app.call(&client, "notifications/preferences", &[]).await;
        let mut prefs: Preferences = serde_json::from_str(&body).expect("prefs");
        prefs.daily_digest = false;
        for k in prefs.kinds.iter_mut().filter(|k| k.kind == NotificationKind::Reply) {
            k.email = false;
        }
        let (status, _) = app.call_json(&client, "notifications/save-preferences", json!({ "preferences": prefs })).await;
        assert_eq!(status, StatusCode::OK);
        act(&app, &agent, id, json!({ "Reply": { "message": "第二条回复", "files": [] } })).await;
        act(&app, &agent, id, json!({ "Resolve": { "resolution": "已办结" } })).await;
        let mail = sink.wait_for(2, WAIT).await;
        assert_eq!(mail.len(), 2, "the resolution is mailed, the reply is not");
        assert!(mail[1].text().contains("已办结"));
    }
}
