//! Ratings and follow-ups through HTTP on both databases: who rates what, the request closing,
//! credits, low-score follow-ups with their outcome, changes within the window, the jobs that
//! close unrated requests and escalate overdue follow-ups, and every refusal.

mod support;

use app::{
    error::{AppError, Conflict, Field, FieldError, Problem},
    kernel::{RequestId, RequestStatus, Role},
    notifications::{NotificationKind, store as notes},
    ratings::{FollowUpList, OrgSatisfaction, service},
    requests::CLOSED_UNRATED,
};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{act, act_ok, get, submit_query, TestApp};

/// A query of the east client, claimed by agent1, handed to the payables team, claimed and
/// resolved by agent2: agent1 is the first owner, agent2 the resolver.
async fn resolved_by_two(app: &TestApp, title: &str) -> RequestId {
    let client = app.signed_in("client.east@example.com").await;
    let agent1 = app.signed_in("agent1@example.com").await;
    let agent2 = app.signed_in("agent2@example.com").await;
    let id = submit_query(app, &client, title).await;
    act_ok(app, &agent1, id, json!("Claim")).await;
    let payables = app::catalogue::store::team_by_code(&app.db, "payables").await.expect("q").expect("team");
    act_ok(app, &agent1, id, json!({ "Transfer": { "team": payables, "agent": null, "reason": "属于应付业务" } })).await;
    act_ok(app, &agent2, id, json!("Claim")).await;
    act_ok(app, &agent2, id, json!({ "Resolve": { "resolution": "已付款" } })).await;
    id
}

/// A query of the east client resolved by agent1 alone.
async fn resolved(app: &TestApp, title: &str) -> RequestId {
    let client = app.signed_in("client.east@example.com").await;
    let agent1 = app.signed_in("agent1@example.com").await;
    let id = submit_query(app, &client, title).await;
    act_ok(app, &agent1, id, json!("Claim")).await;
    act_ok(app, &agent1, id, json!({ "Resolve": { "resolution": "已处理" } })).await;
    id
}

async fn rate(app: &TestApp, client: &reqwest::Client, id: RequestId, input: Value) -> (StatusCode, String) {
    app.call_json(client, "ratings/rate", json!({ "id": id, "input": input })).await
}

fn error(body: &str) -> AppError {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("expected an AppError, got {body}: {e}"))
}

fn invalid(field: Field, problem: Problem) -> AppError {
    AppError::Invalid(vec![FieldError { field, problem }])
}

async fn kinds_of(app: &TestApp, email: &str, id: RequestId) -> Vec<NotificationKind> {
    let user = app.user_id(email).await;
    notes::page(&app.db, user, None).await.expect("q").rows.into_iter().filter(|n| n.request_id == Some(id)).map(|n| n.kind).collect()
}

async fn rating_count(app: &TestApp, id: RequestId) -> i64 {
    let sql = "SELECT COUNT(*) FROM ratings WHERE request_id = $1";
    app::with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(pool).await).expect("count")
}

async fn run_sql(app: &TestApp, sql: &str, id: i64, at: chrono::DateTime<Utc>) {
    app::with_db!(&app.db, pool => sqlx::query(sql).bind(at).bind(id).execute(pool).await.map(|_| ())).expect("sql");
}

on_both_backends! {
    async fn a_low_rating_closes_the_request_credits_both_agents_and_reaches_the_customer_manager(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent1 = app.signed_in("agent1@example.com").await;
        let agent2 = app.signed_in("agent2@example.com").await;
        let manager = app.signed_in("manager@example.com").await;
        let id = resolved_by_two(&app, "付款进度查询").await;

        let before = get(&app, &client, id).await;
        assert!(before.feedback.can_rate, "the submitter is asked to rate");
        assert!(kinds_of(&app, "client.east@example.com", id).await.contains(&NotificationKind::RatingRequested));
        assert!(!get(&app, &agent2, id).await.feedback.can_rate, "agents never rate");

        // A forged resolver in the input is ignored: credits come from the stored request.
        let agent1_id = app.user_id("agent1@example.com").await;
        let (status, body) = rate(&app, &client, id, json!({
            "score": 2, "reasons": ["timeliness"], "comment": "处理太慢，催了三次", "resolver_id": agent1_id
        })).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let seen = get(&app, &client, id).await;
        assert_eq!(seen.request.status, RequestStatus::Closed, "the rating closes the request");
        assert!(!seen.feedback.can_rate);
        let rating = seen.feedback.rating.clone().expect("the client sees the rating");
        assert_eq!((rating.score.stars(), rating.comment.as_deref()), (2, Some("处理太慢，催了三次")));
        assert_eq!(rating.resolver_name.as_deref(), Some("刘洋"), "the agent who resolved it");
        assert_eq!(rating.first_owner_name.as_deref(), Some("张伟"), "the first owner keeps the credit after the transfer");
        assert!(rating.changeable_until.is_some());
        assert!(seen.feedback.follow_up.is_none(), "the client never sees the follow-up itself");
        let notice = seen.feedback.notice.clone().expect("the client is told it is followed up");
        assert_eq!((notice.manager_name.as_deref(), notice.closed), (Some("赵敏"), false));

        for (who, agent) in [("resolver", &agent2), ("first owner", &agent1)] {
            let view = get(&app, agent, id).await.feedback;
            let rating = view.rating.expect("credited agents see the rating");
            assert_eq!((rating.comment.clone(), rating.comment_withheld), (None, true), "{who}: no comment before the review");
            assert!(view.follow_up.is_some(), "{who}: the center's staff see the follow-up");
        }
        for email in ["agent1@example.com", "agent2@example.com"] {
            assert!(kinds_of(&app, email, id).await.contains(&NotificationKind::RatingReceived), "{email} hears of the rating");
        }
        assert!(kinds_of(&app, "manager@example.com", id).await.contains(&NotificationKind::FollowUpAssigned));

        // The manager's list and figures.
        let (status, body) = app.call_json(&manager, "ratings/follow-ups", json!({ "filter": { "state": "open", "org": null, "agent": null } })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list: FollowUpList = serde_json::from_str(&body).expect("list");
        assert_eq!(list.rows.iter().filter(|r| r.request_id == id).count(), 1);
        assert_eq!(list.counts, vec![1, 0, 0, 0], "open, two working days away: neither due soon nor overdue");
        let agent2_id = app.user_id("agent2@example.com").await;
        let (_, body) = app.call_json(&manager, "ratings/follow-ups", json!({ "filter": { "state": "open", "org": null, "agent": agent2_id } })).await;
        assert_eq!(serde_json::from_str::<FollowUpList>(&body).expect("list").rows.len(), 1, "filtered by the credited agent");
        let (_, body) = app.call(&manager, "ratings/satisfaction", &[]).await;
        let figures: Vec<OrgSatisfaction> = serde_json::from_str(&body).expect("figures");
        let east = figures.iter().find(|f| f.org_name == "华东制造有限公司").expect("east is managed");
        assert_eq!((east.last_30.ratings, east.last_30.resolutions, east.last_30.average, east.open_follow_ups), (1, 1, Some(2.0), 1));

        // Closing: only with the whole outcome, only by its holder.
        let detail = get(&app, &manager, id).await;
        let follow_up = detail.feedback.follow_up.clone().expect("manager sees it");
        assert!(follow_up.can_close);
        assert!(follow_up.events.iter().any(|e| e.kind == app::ratings::FollowUpEventKind::Opened));
        let close = |outcome: Value| json!({ "id": follow_up.id, "version": follow_up.version, "outcome": outcome });
        let (status, body) = app.call_json(&manager, "ratings/close-follow-up", close(json!({ "contact": null, "root_cause": null, "action_taken": null, "outcome": "" }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let AppError::Invalid(errors) = error(&body) else { panic!("{body}") };
        assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), vec![Field::Contact, Field::RootCause, Field::ActionTaken, Field::Outcome]);
        let full = json!({ "contact": "phone", "root_cause": "center_error", "action_taken": "coached_agent", "outcome": "已致电王芳致歉，并辅导经办人" });
        let other_manager = app.add_user("manager.two@example.com", Role::CustomerManager, "FSSC").await;
        app::auth::ssr::store::set_manager_assignment(&app.db, other_manager, app.org("SUB-EAST").await, true).await.expect("assign");
        let second = app.signed_in("manager.two@example.com").await;
        let (status, _) = app.call_json(&second, "ratings/close-follow-up", close(full.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "another manager of the same subsidiary does not close it");
        let (status, _) = app.call_json(&agent2, "ratings/close-follow-up", close(full.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = app.call_json(&manager, "ratings/close-follow-up", close(full.clone())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.call_json(&manager, "ratings/close-follow-up", close(full)).await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, AppError::Conflict(Conflict::FollowUpClosed)));

        let closed = get(&app, &manager, id).await.feedback.follow_up.expect("still shown");
        assert!(closed.closed_at.is_some() && !closed.can_close);
        assert_eq!(closed.outcome.as_deref(), Some("已致电王芳致歉，并辅导经办人"));
        use app::ratings::{ContactMethod, FollowUpAction, RootCause};
        assert_eq!(
            (closed.contact, closed.root_cause, closed.action_taken),
            (Some(ContactMethod::Phone), Some(RootCause::CenterError), Some(FollowUpAction::CoachedAgent))
        );
        assert_eq!(get(&app, &agent2, id).await.feedback.rating.expect("rating").comment.as_deref(), Some("处理太慢，催了三次"),
            "closing the follow-up reviews the comment: credited agents read it now");
        assert!(get(&app, &client, id).await.feedback.notice.expect("notice").closed);
    }

    async fn bad_ratings_and_wrong_raters_are_refused_and_nothing_is_stored(app) {
        let client = app.signed_in("client.east@example.com").await;
        let id = resolved(&app, "报销进度").await;
        for (input, expected) in [
            (json!({ "score": 0, "reasons": [], "comment": "" }), invalid(Field::Score, Problem::UnknownChoice)),
            (json!({ "score": 6, "reasons": [], "comment": "" }), invalid(Field::Score, Problem::UnknownChoice)),
            (json!({ "score": 1, "reasons": [], "comment": "" }), invalid(Field::Reasons, Problem::Required)),
            (json!({ "score": 5, "reasons": [], "comment": "好".repeat(2001) }), invalid(Field::Comment, Problem::TooLong { max: 2000 })),
        ] {
            let (status, body) = rate(&app, &client, id, input.clone()).await;
            assert_eq!((status, error(&body)), (StatusCode::UNPROCESSABLE_ENTITY, expected), "{input}");
        }
        for input in [json!({ "score": 2.5, "reasons": [], "comment": "" }), json!({ "score": "five", "reasons": [], "comment": "" })] {
            let (status, _) = rate(&app, &client, id, input.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{input}");
        }
        let five = json!({ "score": 5, "reasons": [], "comment": "" });
        for (email, expected) in [
            ("client.west@example.com", StatusCode::NOT_FOUND),
            ("contact.east@example.com", StatusCode::FORBIDDEN),
            ("agent1@example.com", StatusCode::FORBIDDEN),
            ("manager@example.com", StatusCode::FORBIDDEN),
            ("admin@example.com", StatusCode::FORBIDDEN),
        ] {
            let other = app.signed_in(email).await;
            let (status, body) = rate(&app, &other, id, five.clone()).await;
            assert_eq!(status, expected, "{email}: {body}");
        }
        // A star link is a page, not a rating.
        let (status, _) = app.page(&client, &format!("/requests/{id}?score=5#rating")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(rating_count(&app, id).await, 0, "nothing refused, and no GET, stored a rating");
        assert_eq!(get(&app, &client, id).await.request.status, RequestStatus::Resolved);

        // Two ratings at once: exactly one is stored; later ones are refused.
        let (a, b) = tokio::join!(rate(&app, &client, id, five.clone()), rate(&app, &client, id, json!({ "score": 4, "reasons": [], "comment": "" })));
        assert_eq!([a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
        assert_eq!(rating_count(&app, id).await, 1);
        let (status, body) = rate(&app, &client, id, five.clone()).await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, AppError::Conflict(Conflict::AlreadyRated)));

        // Requests that are not resolved cannot be rated.
        let open = submit_query(&app, &client, "未处理").await;
        let (status, body) = rate(&app, &client, open, five.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(matches!(error(&body), AppError::Conflict(Conflict::IllegalTransition { from: RequestStatus::Submitted, .. })));
        act_ok(&app, &client, open, json!({ "Withdraw": { "reason": "" } })).await;
        let (status, _) = rate(&app, &client, open, five.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "withdrawn");
        assert_eq!(rating_count(&app, open).await, 0);
    }

    async fn a_rating_changes_within_its_window_keeping_its_history(app) {
        let client = app.signed_in("client.east@example.com").await;
        let manager = app.signed_in("manager@example.com").await;
        let id = resolved(&app, "改评测试").await;
        let (status, body) = rate(&app, &client, id, json!({ "score": 1, "reasons": ["accuracy"], "comment": "金额算错" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.call_json(&client, "ratings/change", json!({ "id": id, "input": { "score": 4, "reasons": [], "comment": "已更正，谢谢" } })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let seen = get(&app, &manager, id).await.feedback;
        let rating = seen.rating.expect("rating");
        assert_eq!(rating.score.stars(), 4);
        assert_eq!(rating.history.iter().map(|h| (h.score, h.comment.as_str())).collect::<Vec<_>>(), vec![(1, "金额算错")]);
        let follow_up = seen.follow_up.expect("a raised score keeps the follow-up");
        assert!(follow_up.closed_at.is_none());
        assert!(follow_up.events.iter().any(|e| e.kind == app::ratings::FollowUpEventKind::RatingChanged));
        assert!(get(&app, &client, id).await.feedback.rating.expect("own").history.is_empty(), "the history is the center's");

        let agent1 = app.signed_in("agent1@example.com").await;
        let (status, _) = app.call_json(&agent1, "ratings/change", json!({ "id": id, "input": { "score": 5, "reasons": [], "comment": "" } })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "agents never edit a rating");

        // After seven days the rating is final.
        run_sql(&app, "UPDATE ratings SET created_at = $1 WHERE request_id = $2", id.0, Utc::now() - Duration::days(8)).await;
        let (status, body) = app.call_json(&client, "ratings/change", json!({ "id": id, "input": { "score": 5, "reasons": [], "comment": "" } })).await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, AppError::Conflict(Conflict::RatingFinal)));
        assert!(get(&app, &client, id).await.feedback.rating.expect("own").changeable_until.is_none());
    }

    async fn each_resolution_is_rated_and_unrated_ones_close_once_on_their_own(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent1 = app.signed_in("agent1@example.com").await;
        let id = resolved(&app, "重开测试").await;
        act_ok(&app, &client, id, json!({ "Reopen": { "reason": "金额不对" } })).await;
        let user = app.user_id("client.east@example.com").await;
        let page = notes::page(&app.db, user, None).await.expect("q");
        assert!(page.rows.iter().filter(|n| n.request_id == Some(id) && n.kind == NotificationKind::RatingRequested).all(|n| n.read_at.is_some()),
            "reopening withdraws the unanswered invitation");
        assert!(!get(&app, &client, id).await.feedback.can_rate);
        act_ok(&app, &agent1, id, json!({ "Resolve": { "resolution": "已更正" } })).await;
        let (status, body) = rate(&app, &client, id, json!({ "score": 5, "reasons": [], "comment": "" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(get(&app, &client, id).await.feedback.rating.expect("rating").resolution_no, 2, "the second resolution");

        // Nobody rated this one within the window: two instances' jobs close it once.
        let quiet = resolved(&app, "无人评价").await;
        run_sql(&app, "UPDATE requests SET resolved_at = $1 WHERE id = $2", quiet.0, Utc::now() - Duration::days(8)).await;
        let state = app.portal.state.clone();
        let (a, b) = tokio::join!(service::close_unrated(&state, Utc::now()), service::close_unrated(&state, Utc::now()));
        assert_eq!(a.expect("job") + b.expect("job"), 1);
        let closed = get(&app, &client, quiet).await;
        assert_eq!(closed.request.status, RequestStatus::Closed, "the client can still read it");
        assert_eq!(closed.events.iter().filter(|e| e.reason_code.as_deref() == Some(CLOSED_UNRATED)).count(), 1);
        let (status, _) = rate(&app, &client, quiet, json!({ "score": 5, "reasons": [], "comment": "" })).await;
        assert_eq!(status, StatusCode::CONFLICT, "a closed request is not rated");
        let (status, _) = act(&app, &client, quiet, closed.request.version, json!({ "Reopen": { "reason": "还有问题" } })).await;
        assert_eq!(status, StatusCode::CONFLICT, "a closed request cannot be reopened");
    }

    async fn an_overdue_follow_up_is_escalated_once_and_managers_see_only_their_subsidiaries(app) {
        let client = app.signed_in("client.east@example.com").await;
        let id = resolved(&app, "逾期回访").await;
        let (status, body) = rate(&app, &client, id, json!({ "score": 1, "reasons": ["attitude"], "comment": "" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        run_sql(&app, "UPDATE follow_ups SET due_at = $1 WHERE request_id = $2", id.0, Utc::now() - Duration::hours(1)).await;
        let state = app.portal.state.clone();
        let (a, b) = tokio::join!(service::escalate_overdue(&state, Utc::now()), service::escalate_overdue(&state, Utc::now()));
        assert_eq!(a.expect("job") + b.expect("job"), 1);
        assert_eq!(kinds_of(&app, "admin@example.com", id).await, vec![NotificationKind::FollowUpOverdue]);

        let manager = app.signed_in("manager@example.com").await;
        let (_, body) = app.call_json(&manager, "ratings/follow-ups", json!({ "filter": { "state": "overdue", "org": null, "agent": null } })).await;
        let overdue: FollowUpList = serde_json::from_str(&body).expect("list");
        assert_eq!(overdue.rows.len(), 1);
        assert!(overdue.rows[0].escalated_at.is_some());

        // A manager of the west only sees neither the request, its rating nor the follow-up.
        let west_manager = app.add_user("manager.west@example.com", Role::CustomerManager, "FSSC").await;
        app::auth::ssr::store::set_manager_assignment(&app.db, west_manager, app.org("SUB-WEST").await, true).await.expect("assign");
        let west = app.signed_in("manager.west@example.com").await;
        let (status, _) = app.call(&west, "requests/get", &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, body) = app.call_json(&west, "ratings/follow-ups", json!({ "filter": { "state": "overdue", "org": null, "agent": null } })).await;
        assert!(serde_json::from_str::<FollowUpList>(&body).expect("list").rows.is_empty());
        let (_, body) = app.call(&west, "ratings/satisfaction", &[]).await;
        let figures: Vec<OrgSatisfaction> = serde_json::from_str(&body).expect("figures");
        assert_eq!(figures.iter().map(|f| f.org_name.as_str()).collect::<Vec<_>>(), vec!["西南贸易有限公司"]);
        let (status, _) = app.call(&west, "ratings/review", &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.call_json(&client, "ratings/follow-ups", json!({ "filter": { "state": "open", "org": null, "agent": null } })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "clients have no follow-up list");
    }
}

on_both_backends! {
    async fn admins_edit_tiers_which_order_the_queues_and_scale_the_targets(app) {
        let admin = app.signed_in("admin@example.com").await;
        let tier = |code: &str, rank: i64, percent: i64, priority: i64| json!({ "id": null, "tier": {
            "code": code, "name_zh": "战略客户", "name_en": "Strategic client", "rank": rank, "sla_percent": percent, "queue_priority": priority
        }});
        let (status, body) = app.call_json(&admin, "tiers/save", tier("Bad Code", 0, 10, 500)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let AppError::Invalid(errors) = error(&body) else { panic!("{body}") };
        assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), vec![Field::Code, Field::Rank, Field::Multiplier, Field::Priority]);
        let (status, body) = app.call_json(&admin, "tiers/save", tier("key", 3, 100, 0)).await;
        assert_eq!((status, error(&body)), (StatusCode::CONFLICT, AppError::Conflict(Conflict::CodeTaken)));
        for email in ["manager@example.com", "agent1@example.com", "client.east@example.com"] {
            let other = app.signed_in(email).await;
            let (status, _) = app.call_json(&other, "tiers/save", tier("sneaky", 3, 100, 99)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        }
        // Twice the hours, but the highest priority.
        let (status, body) = app.call_json(&admin, "tiers/save", tier("strategic", 3, 200, 50)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let strategic: app::kernel::TierId = serde_json::from_str(&body).expect("id");
        let west = app.org("SUB-WEST").await;
        let (status, body) = app.call(&admin, "tiers/assign", &[("org", &west.to_string()), ("tier", &strategic.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let east_client = app.signed_in("client.east@example.com").await;
        let west_client = app.signed_in("client.west@example.com").await;
        let east_id = submit_query(&app, &east_client, "华东的问题").await;
        let west_id = submit_query(&app, &west_client, "西南的问题").await;
        let east_detail = get(&app, &east_client, east_id).await;
        let west_detail = get(&app, &west_client, west_id).await;
        let promised = |d: &app::requests::page::RequestDetail| {
            d.sla.targets.iter().find(|t| t.target == app::sla::SlaTarget::Resolution).map(|t| t.promised_minutes)
        };
        assert_eq!(promised(&east_detail), Some(40 * 60), "the key tier keeps the type's 40 working hours");
        assert_eq!(promised(&west_detail), Some(80 * 60), "200 % of 40 hours");
        // The due instant is that much working time after submission on the default calendar.
        let calendar = app::sla::calendar::center_default().expect("calendar");
        let (east, west_request) = (east_detail.request, west_detail.request);
        let counted = |r: &app::requests::RequestRecord| {
            app::sla::working_time::working_between(&calendar, r.created_at, r.resolution_due).num_minutes()
        };
        assert_eq!(counted(&east), 40 * 60);
        assert_eq!(counted(&west_request), 80 * 60);

        let agent = app.signed_in("agent1@example.com").await;
        let (status, body) = app.call(&agent, "requests/queue", &[("queue", "unassigned")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, page): (app::requests::QueueCounts, app::requests::RequestPage) = serde_json::from_str(&body).expect("queue");
        let order: Vec<RequestId> = page.rows.iter().map(|r| r.id).filter(|id| [east_id, west_id].contains(id)).collect();
        assert_eq!(order, vec![west_id, east_id], "the higher tier first, although due later");
    }
}
