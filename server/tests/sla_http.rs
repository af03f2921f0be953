//! The working-time SLA clock through the real server, on both databases: due instants at
//! submission, a pause and its resumption, a reopening, calendars changed and imported
//! (recomputing open requests), bad calendar input refused on its field with nothing changed,
//! admins only, and each warning, breach and unclaimed alert sent once.

mod support;

use app::{
    error::{AppError, Conflict, Field, Problem},
    kernel::{CalendarId, LineProblem, RequestId},
    requests::page::RequestDetail,
    sla::{
        calendar::{center_default, WorkCalendar}, CalendarSetup, clock::{ClockState, TargetClock},
        service, SlaTarget, working_time,
    },
    with_db,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;
use support::{act_ok, get, submit_query, TestApp};

fn target(detail: &RequestDetail, which: SlaTarget) -> TargetClock {
    detail.sla.targets.iter().find(|t| t.target == which).cloned().expect("target")
}

async fn setup(app: &TestApp, admin: &reqwest::Client) -> CalendarSetup {
    let (status, body) = app.call(admin, "calendars/setup", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("setup")
}

async fn default_calendar(app: &TestApp, admin: &reqwest::Client) -> app::sla::CalendarView {
    setup(app, admin).await.calendars.into_iter().find(|c| c.is_default).expect("a default calendar")
}

/// Moves a request's submission (and its stored due instants) to `at`, as if it had been
/// submitted then: tests cannot wait for working hours to pass.
async fn submitted_at(app: &TestApp, id: RequestId, at: DateTime<Utc>, calendar: &WorkCalendar) {
    let row = app::sla::store::clock_row(&app.db, id).await.expect("row").expect("request");
    let first = working_time::add_working(calendar, at, Duration::minutes(row.first_response_minutes));
    let resolution = working_time::add_working(calendar, at, Duration::minutes(row.resolution_minutes));
    with_db!(&app.db, pool => sqlx::query("UPDATE requests SET created_at = $1, first_response_due = $2, resolution_due = $3 WHERE id = $4")
        .bind(at).bind(first).bind(resolution).bind(id).execute(pool).await.map(|_| ())).expect("backdate");
}

async fn notifications(app: &TestApp, id: RequestId, kind: &str) -> i64 {
    with_db!(&app.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE request_id = $1 AND kind = $2")
        .bind(id).bind(kind).fetch_one(pool).await).expect("count")
}

fn beijing(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    app::time::CENTER_TIME_ZONE.with_ymd_and_hms(2026, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

/// Agent 张伟's row of the operations dashboard for the days around today, all organisations.
async fn paused_share_of_zhang(app: &TestApp) -> app::operations::AgentFigures {
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let address = app::operations::DashboardAddress {
        from: Some((today - Duration::days(1)).to_string()),
        to: Some((today + Duration::days(1)).to_string()),
        ..Default::default()
    };
    let everything = app::authz::OrgScope { everything: true, orgs: Vec::new() };
    let dashboard = app::operations::service::dashboard(&app.db, &everything, &address, "Asia/Shanghai", 25, Utc::now()).await.expect("dashboard");
    dashboard.agents.into_iter().find(|a| a.name == "张伟").expect("张伟 finished it")
}

on_both_backends! {
    async fn a_request_is_due_after_its_targets_in_working_time(app) {
        let client = app.signed_in("client.east@example.com").await;
        let id = submit_query(&app, &client, "发票抬头怎么开").await;
        let detail = get(&app, &client, id).await;
        let calendar = center_default().expect("calendar");
        let created = detail.request.created_at;
        for (which, due) in [
            (SlaTarget::FirstResponse, detail.request.first_response_due),
            (SlaTarget::Resolution, detail.request.resolution_due),
        ] {
            let clock = target(&detail, which);
            assert!(clock.promised_minutes > 0);
            let expected = working_time::add_working(&calendar, created, Duration::minutes(clock.promised_minutes));
            assert_eq!(due, expected, "{which:?} is its working time after submission");
            assert_eq!(clock.due_at, Some(due), "the panel shows the stored due instant");
            assert!(matches!(clock.state, ClockState::Running | ClockState::Breached));
        }
        assert_eq!(detail.sla.calendar_name, service::DEFAULT_CALENDAR_NAME);
        assert!(detail.sla.pauses.is_empty());

        // The panel's refresh answers the same figures, to those who may see the request only.
        let (status, body) = app.call(&client, "requests/clock", &[("id", &id.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let clock: app::sla::clock::SlaPanel = serde_json::from_str(&body).expect("panel");
        assert_eq!(clock.targets.iter().map(|t| t.due_at).collect::<Vec<_>>(), detail.sla.targets.iter().map(|t| t.due_at).collect::<Vec<_>>());
        let west = app.signed_in("client.west@example.com").await;
        let (status, error) = app.call_err(&west, "requests/clock", &[("id", &id.to_string())]).await;
        assert_eq!((status, error), (StatusCode::NOT_FOUND, AppError::NotFound));

        // The list shows the working time left, counted on the same calendar.
        let (status, body) = app.call_json(&client, "requests/list", json!({ "filter": {} })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: app::requests::RequestPage = serde_json::from_str(&body).expect("page");
        let row = page.rows.iter().find(|r| r.id == id).expect("listed");
        let left = working_time::working_between(&calendar, Utc::now(), detail.request.resolution_due).num_minutes();
        let shown = row.working_minutes_left.expect("a running request shows its working time left");
        assert!((shown - left).abs() <= 1, "{shown} vs {left}");
    }

    async fn asking_the_client_pauses_both_clocks_and_the_answer_moves_the_due_instant(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let id = submit_query(&app, &client, "差旅补贴标准").await;
        let calendar = center_default().expect("calendar");
        // Submitted on Monday 30 November 2026 at 09:00 in Beijing.
        submitted_at(&app, id, beijing(11, 30, 9, 0), &calendar).await;
        act_ok(&app, &agent, id, json!("Claim")).await;
        act_ok(&app, &agent, id, json!({ "AskForInformation": { "message": "请补充酒店发票的抬头" } })).await;
        // The pause began at 10:00 on that Monday: it has held back the working time since.
        // Backdated before the first look, so that the clock stands paused an hour into its
        // promise whatever day the test runs on (asked today, the promise would be spent).
        let pause_start = beijing(11, 30, 10, 0);
        with_db!(&app.db, pool => sqlx::query("UPDATE sla_pauses SET started_at = $1 WHERE request_id = $2")
            .bind(pause_start).bind(id).execute(pool).await.map(|_| ())).expect("backdate pause");

        let paused = get(&app, &client, id).await;
        let resolution = target(&paused, SlaTarget::Resolution);
        assert_eq!(resolution.state, ClockState::Paused, "{resolution:?}");
        assert_eq!(resolution.due_at, None, "no due instant while it waits on the client");
        assert_eq!(paused.sla.pauses.len(), 1);
        assert_eq!(paused.sla.pauses[0].reason, "请补充酒店发票的抬头", "the client sees why");
        assert_eq!(paused.sla.pauses[0].ended_at, None);
        assert_eq!(target(&paused, SlaTarget::FirstResponse).state, if target(&paused, SlaTarget::FirstResponse).remaining_minutes >= 0 { ClockState::Met } else { ClockState::Breached });

        let before = get(&app, &client, id).await.request.resolution_due;
        act_ok(&app, &client, id, json!({ "Reply": { "message": "抬头是华东制造有限公司", "files": [] } })).await;

        let resumed = get(&app, &agent, id).await;
        let clock = target(&resumed, SlaTarget::Resolution);
        let pause = &resumed.sla.pauses[0];
        let ended = pause.ended_at.expect("the answer ends the pause");
        assert!(matches!(clock.state, ClockState::Running | ClockState::Breached), "{clock:?}");
        let pauses = [working_time::Pause { start: pause_start, end: Some(ended) }];
        let expected = working_time::due_after(&calendar, beijing(11, 30, 9, 0), Duration::minutes(clock.promised_minutes), &pauses);
        assert_eq!(Some(resumed.request.resolution_due), expected, "recomputed from the submission and the pause");
        assert_eq!(clock.due_at, expected);
        let held_back = working_time::working_between(&calendar, pause_start, ended);
        assert_eq!(pause.working_minutes, held_back.num_minutes());
        assert_eq!(
            working_time::working_between(&calendar, before, resumed.request.resolution_due).num_minutes(),
            held_back.num_minutes(),
            "the due instant moved by the working time of the pause"
        );

        // The dashboard's figure: once the agent resolves it, the request stood paused for that
        // working time, and counted the rest of its working time since submission.
        act_ok(&app, &agent, id, json!({ "Resolve": { "resolution": "已按新抬头处理" } })).await;
        let resolved_at = get(&app, &agent, id).await.request.resolved_at.expect("resolved");
        let zhang = paused_share_of_zhang(&app).await;
        assert_eq!(zhang.paused_minutes, held_back.num_minutes());
        assert_eq!(
            zhang.worked_minutes,
            (working_time::working_between(&calendar, beijing(11, 30, 9, 0), resolved_at) - held_back).num_minutes()
        );
        assert!(zhang.paused_share.is_some_and(|s| s > 0.0 && s < 1.0));
    }

    async fn a_reopened_request_does_not_count_the_time_it_stood_resolved(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let id = submit_query(&app, &client, "付款金额有误").await;
        let calendar = center_default().expect("calendar");
        // Submitted a week ago and resolved an hour later; a week holds working time, apart from
        // the nine days off of Spring Festival.
        // Whole seconds: PostgreSQL keeps microseconds.
        let submitted = chrono::SubsecRound::trunc_subsecs(Utc::now() - Duration::days(7), 0);
        let resolved = submitted + Duration::hours(1);
        submitted_at(&app, id, submitted, &calendar).await;
        act_ok(&app, &agent, id, json!("Claim")).await;
        act_ok(&app, &agent, id, json!({ "Resolve": { "resolution": "已付款" } })).await;
        with_db!(&app.db, pool => sqlx::query("UPDATE requests SET resolved_at = $1 WHERE id = $2")
            .bind(resolved).bind(id).execute(pool).await.map(|_| ())).expect("backdate resolution");
        let before = get(&app, &client, id).await.request.resolution_due;

        act_ok(&app, &client, id, json!({ "Reopen": { "reason": "金额不对，应为 12,800 元" } })).await;
        let reopened = get(&app, &agent, id).await;
        let pause = reopened.sla.pauses.last().expect("the stretch it stood resolved");
        assert_eq!(pause.kind, app::sla::PauseKind::Resolved);
        assert_eq!(pause.reason, "金额不对，应为 12,800 元", "the client's reason, as the client gave it");
        assert_eq!(pause.started_at, resolved);
        let ended = pause.ended_at.expect("closed at the reopening");
        let held_back = working_time::working_between(&calendar, resolved, ended);
        assert!(held_back > Duration::zero(), "a week holds working time");
        assert_eq!(pause.working_minutes, held_back.num_minutes());
        let clock = target(&reopened, SlaTarget::Resolution);
        assert_eq!(clock.reached_at, None, "the resolution no longer counts");
        let expected = working_time::due_after(
            &calendar,
            submitted,
            Duration::minutes(clock.promised_minutes),
            &[working_time::Pause { start: resolved, end: Some(ended) }],
        );
        assert_eq!(Some(reopened.request.resolution_due), expected, "recomputed from the submission and the stretch");
        assert_eq!(
            working_time::working_between(&calendar, before, reopened.request.resolution_due),
            held_back,
            "the due instant moved by the working time it stood resolved"
        );

        // That stretch is no agent's pausing.
        act_ok(&app, &agent, id, json!({ "Resolve": { "resolution": "已更正金额" } })).await;
        assert_eq!(paused_share_of_zhang(&app).await.paused_minutes, 0);
    }

    async fn changing_a_calendar_recomputes_open_requests(app) {
        let admin = app.signed_in("admin@example.com").await;
        let client = app.signed_in("client.east@example.com").await;
        let id = submit_query(&app, &client, "月结时间").await;
        let calendar = center_default().expect("calendar");
        // Submitted on the Friday before National Day week's make-up Saturday, 9 October 2026.
        submitted_at(&app, id, beijing(10, 9, 17, 0), &calendar).await;
        let before = get(&app, &client, id).await;
        let promised = target(&before, SlaTarget::Resolution).promised_minutes;

        let default = default_calendar(&app, &admin).await;
        assert_eq!(default.open_requests, 1);
        let week: Vec<&str> = vec!["08:00-12:00 13:00-17:00"; 5].into_iter().chain(["", ""]).collect();
        let (status, body) = app.call_json(&admin, "calendars/save", json!({ "id": default.id, "calendar": {
            "name": default.name, "zone": default.zone, "week": week, "is_default": true, "version": default.version
        }})).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let changed = WorkCalendar::new(&default.zone, {
            let mut w = app::sla::calendar::standard_week();
            let day = app::sla::parse_periods("08:00-12:00 13:00-17:00").expect("periods");
            for d in w.iter_mut().take(5) { *d = day.clone(); }
            w
        }, &calendar.dates().iter().filter(|(_, r)| **r == app::sla::calendar::DateRule::Holiday).map(|(d, _)| *d).collect::<Vec<_>>(),
           &calendar.dates().iter().filter_map(|(d, r)| match r { app::sla::calendar::DateRule::WorksLike(w) => Some((*d, *w)), _ => None }).collect::<Vec<_>>())
            .expect("the changed calendar");
        let after = get(&app, &client, id).await;
        let expected = working_time::add_working(&changed, beijing(10, 9, 17, 0), Duration::minutes(promised));
        assert_eq!(after.request.resolution_due, expected, "recomputed on the new hours");
        assert_ne!(after.request.resolution_due, before.request.resolution_due);

        // A stale copy of the calendar is refused, and changes nothing.
        let (status, error) = app.call_json_err(&admin, "calendars/save", json!({ "id": default.id, "calendar": {
            "name": default.name, "zone": default.zone, "week": week, "is_default": true, "version": default.version
        }})).await;
        assert_eq!((status, error), (StatusCode::CONFLICT, AppError::Conflict(Conflict::Stale)));
    }

    async fn an_import_shows_what_it_changes_before_it_changes_it(app) {
        let admin = app.signed_in("admin@example.com").await;
        let default = default_calendar(&app, &admin).await;
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
            BEGIN:VEVENT\r\nUID:a@test\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270102\r\nSUMMARY:元旦 休\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:b@test\r\nDTSTART;VALUE=DATE:20270206\r\nDTEND;VALUE=DATE:20270207\r\nSUMMARY:春节调休 上班\r\nX-FSSC-WORKS-LIKE:fri\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:c@test\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261002\r\nSUMMARY:国庆节 休\r\nEND:VEVENT\r\n\
            END:VCALENDAR\r\n";
        let (status, body) = app.call_json(&admin, "calendars/check-import", json!({ "id": default.id, "format": "Ics", "text": ics })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let check: app::sla::ImportCheck = serde_json::from_str(&body).expect("check");
        assert_eq!(check.preview.added.len(), 2, "New Year's Day 2027 and the make-up Saturday are new");
        assert_eq!(check.preview.unchanged, 1, "1 October 2026 is a holiday already");
        let unchanged = default_calendar(&app, &admin).await;
        assert_eq!((unchanged.version, unchanged.dates.len()), (default.version, default.dates.len()), "checking writes nothing");

        let (status, body) = app.call_json(&admin, "calendars/import", json!({ "id": default.id, "version": default.version, "format": "Ics", "text": ics })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let imported = default_calendar(&app, &admin).await;
        assert_eq!(imported.dates.len(), default.dates.len() + 2);
        let saturday = chrono::NaiveDate::from_ymd_opt(2027, 2, 6).expect("date");
        assert!(imported.dates.iter().any(|e| e.date == saturday && e.rule == app::sla::calendar::DateRule::WorksLike(chrono::Weekday::Fri)));

        // The export carries the imported days; an import on the old version is refused.
        let response = admin.get(format!("{}/admin/calendars/{}/schedule.csv", app.base, default.id)).send().await.expect("export");
        assert_eq!(response.status(), StatusCode::OK);
        let csv = response.text().await.expect("csv");
        assert!(csv.contains("2027-01-01,holiday") && csv.contains("2027-02-06,workday,fri"), "{csv}");
        let (status, error) = app.call_json_err(&admin, "calendars/import", json!({ "id": default.id, "version": default.version, "format": "Csv", "text": "2027-05-03,holiday" })).await;
        assert_eq!((status, error), (StatusCode::CONFLICT, AppError::Conflict(Conflict::Stale)));
        let agent = app.signed_in("agent1@example.com").await;
        let response = agent.get(format!("{}/admin/calendars/{}/schedule.ics", app.base, default.id)).send().await.expect("export");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }

    async fn bad_calendar_input_is_refused_on_its_field_and_changes_nothing(app) {
        let admin = app.signed_in("admin@example.com").await;
        let default = default_calendar(&app, &admin).await;
        let save = |week: Vec<&str>, zone: &str| json!({ "id": default.id, "calendar": {
            "name": default.name, "zone": zone, "week": week, "is_default": true, "version": default.version
        }});
        let standard = vec!["09:00-12:00 13:30-18:00"; 5].into_iter().chain(["", ""]).collect::<Vec<_>>();
        let refusals = [
            (save(vec!["09:00-12:00 11:00-18:00", "", "", "", "", "", ""], "Asia/Shanghai"), Field::WorkingHours(0), Problem::OverlappingPeriods),
            (save(vec!["", "18:00-09:00", "", "", "", "", ""], "Asia/Shanghai"), Field::WorkingHours(1), Problem::PeriodEndsBeforeStart),
            (save(vec![""; 7], "Asia/Shanghai"), Field::Week, Problem::NoWorkingTime),
            (save(vec!["nine to five", "", "", "", "", "", ""], "Asia/Shanghai"), Field::WorkingHours(0), Problem::InvalidPeriods),
            (save(standard.clone(), "Mars/Olympus_Mons"), Field::TimeZone, Problem::UnknownChoice),
        ];
        for (body, field, problem) in refusals {
            let (status, error) = app.call_json_err(&admin, "calendars/save", body.clone()).await;
            assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(field, problem)), "{body}");
        }
        let files = [
            ("Csv", "2027-01-01,holiday\n2027-01-01,workday".to_string(), Problem::BadScheduleEntry { number: 2, event: false, problem: LineProblem::RepeatedDate }),
            ("Csv", "1999-12-31,holiday".to_string(), Problem::BadScheduleEntry { number: 1, event: false, problem: LineProblem::DateOutOfRange }),
            ("Csv", "2101-01-01,holiday".to_string(), Problem::BadScheduleEntry { number: 1, event: false, problem: LineProblem::DateOutOfRange }),
            ("Ics", "this is not a calendar".to_string(), Problem::UnreadableFile),
            ("Csv", String::new(), Problem::EmptyFile),
        ];
        for (format, text, problem) in files {
            for endpoint in ["calendars/check-import", "calendars/import"] {
                let (status, error) = app.call_json_err(&admin, endpoint, json!({ "id": default.id, "version": default.version, "format": format, "text": text })).await;
                assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::ScheduleFile, problem)), "{endpoint} {text}");
            }
        }
        // A file of 100,000 lines: the service refuses it by its length, and over HTTP the body
        // limit stops it before it is read.
        let long: String = (0..100_000).map(|i| format!("# line {i}\n")).collect();
        let admin_id = app.user_id("admin@example.com").await;
        let user = app::auth::ssr::store::load_current_user(&app.db, admin_id, 0).await.expect("q").expect("admin");
        let error = service::import(&app.db, &user, default.id, default.version, app::sla::ScheduleFormat::Csv, &long).await.expect_err("too long");
        assert_eq!(error, AppError::invalid(Field::ScheduleFile, Problem::TooManyLines { max: 5_000 }));
        let ics_long: String = (0..100_000).map(|i| format!("X-LINE-{i}:x\n")).collect();
        let error = service::import(&app.db, &user, default.id, default.version, app::sla::ScheduleFormat::Ics, &ics_long).await.expect_err("too long");
        assert_eq!(error, AppError::invalid(Field::ScheduleFile, Problem::TooManyLines { max: 50_000 }));
        // The body limit answers from the announced length alone. (Sending the body as well would
        // race the server closing the connection, which answers without reading it.)
        let body = json!({ "id": default.id, "version": default.version, "format": "Csv", "text": long }).to_string();
        let host = app.base.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
        let head = format!(
            "POST /api/calendars/import HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\nContent-Type: application/json\r\n\
             Accept: application/json\r\nContent-Length: {}\r\n\r\n",
            app.base,
            body.len()
        );
        tokio::io::AsyncWriteExt::write_all(&mut stream, head.as_bytes()).await.expect("write");
        let mut answer = [0u8; 12];
        tokio::time::timeout(std::time::Duration::from_secs(10), tokio::io::AsyncReadExt::read_exact(&mut stream, &mut answer))
            .await
            .expect("answered before the body was sent")
            .expect("read");
        assert_eq!(&answer, b"HTTP/1.1 413", "{}", String::from_utf8_lossy(&answer));

        let after = default_calendar(&app, &admin).await;
        assert_eq!(after, default, "nothing was written");

        // A target of zero or negative hours is refused on the targets, and the type keeps its own.
        let general = app.request_type("general_query").await;
        for (target, hours) in [("first_response_hours", 0), ("resolution_hours", -8), ("urgent_first_response_hours", -1)] {
            let mut draft = serde_json::to_value(general.as_draft()).expect("draft");
            draft["targets"][target] = json!(hours);
            let (status, error) = app.call_json_err(&admin, "catalogue/save-type", json!({ "existing": [general.type_id, general.version], "draft": draft })).await;
            assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::Targets, Problem::InvalidTargets)), "{target} {hours}");
        }
        let unchanged = app.request_type("general_query").await;
        assert_eq!((unchanged.version, unchanged.targets), (general.version, general.targets), "nothing was written");
    }

    async fn only_admins_manage_calendars(app) {
        let admin = app.signed_in("admin@example.com").await;
        let default = default_calendar(&app, &admin).await;
        let calls = [
            ("calendars/save", json!({ "id": null, "calendar": { "name": "香港", "zone": "Asia/Hong_Kong", "week": vec!["09:00-18:00"; 7], "is_default": false, "version": null } })),
            ("calendars/check-import", json!({ "id": default.id, "format": "Csv", "text": "2027-01-01,holiday" })),
            ("calendars/import", json!({ "id": default.id, "version": default.version, "format": "Csv", "text": "2027-01-01,holiday" })),
            ("calendars/remove-date", json!({ "id": default.id, "version": default.version, "date": "2026-10-01" })),
            ("calendars/assign", json!({ "scope": { "Team": 1 }, "calendar": default.id })),
        ];
        for email in ["agent1@example.com", "client.east@example.com", "manager@example.com"] {
            let user = app.signed_in(email).await;
            let (status, error) = app.call_err(&user, "calendars/setup", &[]).await;
            assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden), "{email} setup");
            for (endpoint, body) in &calls {
                let (status, error) = app.call_json_err(&user, endpoint, body.clone()).await;
                assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden), "{email} {endpoint}");
            }
        }
        assert_eq!(default_calendar(&app, &admin).await, default);
        assert_eq!(setup(&app, &admin).await.calendars.len(), 1, "no calendar was created");
    }

    async fn a_team_on_another_calendar_counts_its_requests_there(app) {
        let admin = app.signed_in("admin@example.com").await;
        let week = vec!["09:00-13:00 14:00-18:00"; 5].into_iter().chain(["", ""]).collect::<Vec<_>>();
        let (status, body) = app.call_json(&admin, "calendars/save", json!({ "id": null, "calendar": {
            "name": "香港 · 标准工作日", "zone": "Asia/Hong_Kong", "week": week, "is_default": false, "version": null
        }})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let hong_kong: CalendarId = serde_json::from_str(&body).expect("id");
        let general = app.request_type("general_query").await;
        let (status, body) = app.call_json(&admin, "calendars/assign", json!({ "scope": { "Team": general.team_id }, "calendar": hong_kong })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, error) = app.call_json_err(&admin, "calendars/assign", json!({ "scope": { "Team": general.team_id }, "calendar": 999_999 })).await;
        assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::Calendar, Problem::UnknownChoice)));

        let client = app.signed_in("client.east@example.com").await;
        let id = submit_query(&app, &client, "香港团队的问题").await;
        let detail = get(&app, &client, id).await;
        assert_eq!(detail.sla.calendar_name, "香港 · 标准工作日");
        assert_eq!(detail.sla.zone, "Asia/Hong_Kong");
        let setup = setup(&app, &admin).await;
        assert_eq!(setup.calendars.iter().find(|c| c.id == hong_kong).map(|c| c.open_requests), Some(1));
    }

    async fn each_warning_breach_and_unclaimed_alert_is_sent_once(app) {
        let client = app.signed_in("client.east@example.com").await;
        let agent = app.signed_in("agent1@example.com").await;
        let calendar = center_default().expect("calendar");
        // Monday 4 January 2027, 09:00 in Beijing: later than the background scheduler's own
        // ticks, so the lease it holds has run out for these.
        let monday = app::time::CENTER_TIME_ZONE.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).single().expect("time").with_timezone(&Utc);
        let claimed = submit_query(&app, &client, "要超时的申请").await;
        let unclaimed = submit_query(&app, &client, "没人认领的申请").await;
        submitted_at(&app, claimed, monday, &calendar).await;
        submitted_at(&app, unclaimed, monday, &calendar).await;
        act_ok(&app, &agent, claimed, json!("Claim")).await;
        let row = app::sla::store::clock_row(&app.db, claimed).await.expect("row").expect("request");
        let promised = Duration::minutes(row.resolution_minutes);
        let first = Duration::minutes(row.first_response_minutes);
        let lease = std::time::Duration::from_secs(60);
        let state = &app.portal.state;

        // Half the first-response time: the unclaimed request alerts its team, once.
        let half = working_time::add_working(&calendar, monday, first / 2 + Duration::minutes(1));
        let tick = service::tick(state, "test", lease, half).await.expect("tick");
        assert!(tick.ran);
        let team = app::sla::store::team_agents(&app.db, row.team_id).await.expect("agents");
        assert!(!team.is_empty());
        assert_eq!(notifications(&app, unclaimed, "sla_unclaimed").await, team.len() as i64);
        assert_eq!(notifications(&app, claimed, "sla_unclaimed").await, 0, "a claimed request is no one's to pick up");
        service::tick(state, "test", lease, half + Duration::minutes(1)).await.expect("tick");
        assert_eq!(notifications(&app, unclaimed, "sla_unclaimed").await, team.len() as i64, "once");

        // Three quarters of the resolution time: the owner is warned, once.
        let late = working_time::add_working(&calendar, monday, promised * 3 / 4 + Duration::minutes(1));
        service::tick(state, "test", lease, late).await.expect("tick");
        assert_eq!(notifications(&app, claimed, "sla_warning").await, 1);
        assert_eq!(notifications(&app, claimed, "sla_breach").await, 0);
        service::tick(state, "test", lease, late + Duration::minutes(5)).await.expect("tick");
        assert_eq!(notifications(&app, claimed, "sla_warning").await, 1, "once");

        // Past the due instant: the owner and the subsidiary's customer managers hear, once.
        let managers = app::notifications::store::managers_of(&app.db, row.org_id).await.expect("managers");
        let breached = row.resolution_due + Duration::minutes(1);
        service::tick(state, "test", lease, breached).await.expect("tick");
        service::tick(state, "test", lease, breached + Duration::hours(1)).await.expect("tick");
        assert_eq!(notifications(&app, claimed, "sla_breach").await, 1 + managers.len() as i64);

        // Another holder cannot run while the lease is held; a later tick after it ran out can.
        let other = service::tick(state, "other", lease, breached + Duration::hours(1)).await.expect("tick");
        assert!(!other.ran, "one runner per tick");
        let taken = service::tick(state, "other", lease, breached + Duration::hours(2)).await.expect("tick");
        assert!(taken.ran);
        assert_eq!(taken.sent, 0, "nothing is sent twice");
    }
}

async fn sla_lease(app: &TestApp) -> Option<(String, DateTime<Utc>)> {
    with_db!(&app.db, pool => sqlx::query_as::<_, (String, DateTime<Utc>)>("SELECT holder, held_until FROM job_leases WHERE name = $1")
        .bind(service::LEASE).fetch_optional(pool).await).expect("lease")
}

/// The SLA lease once it is as `wanted`, looked at every `every`; `None` after 10 s.
async fn sla_lease_once(
    app: &TestApp,
    every: std::time::Duration,
    wanted: impl Fn(&(String, DateTime<Utc>)) -> bool,
) -> Option<(String, DateTime<Utc>)> {
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match sla_lease(app).await {
                Some(lease) if wanted(&lease) => break lease,
                _ => tokio::time::sleep(every).await,
            }
        }
    })
    .await
    .ok()
}

/// An instance whose jobs have ended (shut down, or their handle dropped) ticks no more: it
/// stops renewing its SLA lease, so the lease runs out for the next instance, and nothing of it
/// keeps working on a database it has let go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_whose_jobs_ended_stops_renewing_its_sla_lease() {
    let every = std::time::Duration::from_millis(20);
    let mut app = TestApp::spawn_with(support::Backend::Sqlite, move |c| c.sla_tick = every).await.expect("sqlite");
    let first = sla_lease_once(&app, every, |_| true).await.expect("the scheduler takes the lease on its first tick");
    let later = sla_lease_once(&app, every, |lease| lease.1 > first.1).await.expect("a running instance renews its lease every tick");
    assert_eq!(later.0, first.0, "one holder");

    drop(app.jobs.take());
    tokio::time::sleep(every * 5).await;
    let stopped = sla_lease(&app).await.expect("lease");
    tokio::time::sleep(every * 10).await;
    assert_eq!(sla_lease(&app).await.expect("lease"), stopped, "no tick after the jobs ended");
    assert!(stopped.1 < Utc::now(), "the lease has run out for the next instance");
}
