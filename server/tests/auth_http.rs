//! Sign-in, sessions and account administration, through the real HTTP server.

mod support;

use app::{
    error::{AppError, Conflict, Field, FieldError, Problem},
    i18n::Locale,
    seed::DEMO_PASSWORD,
};
use reqwest::{header, StatusCode};
use support::{Backend, TestApp};

async fn whoami_email(app: &TestApp, client: &reqwest::Client) -> Option<String> {
    let (status, body) = app.call(client, "auth/whoami", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let user: Option<serde_json::Value> = serde_json::from_str(&body).expect("json");
    user.map(|u| u["email"].as_str().unwrap_or_default().to_string())
}

on_both_backends! {
    async fn a_wrong_password_says_only_that_email_or_password_is_wrong(app) {
        let client = app.client();
        let (status, wrong_password) = app.call_err(&client, "auth/sign_in",
            &[("email", "client.east@example.com"), ("password", "not the password")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong_password, AppError::InvalidCredentials);
        assert_eq!(wrong_password.message(Locale::zh_CN), "邮箱或密码错误。");
        assert_eq!(wrong_password.message(Locale::en), "Wrong email or password.");

        let (status, unknown_account) = app.call_err(&client, "auth/sign_in",
            &[("email", "nobody@example.com"), ("password", "not the password")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown_account, wrong_password, "unknown accounts must not be told apart");
        assert_eq!(whoami_email(&app, &client).await, None);
    }

    async fn signing_in_sets_a_protected_cookie_and_rotates_the_session(app) {
        let client = app.client();
        let response = client.post(format!("{}/api/auth/sign_in", app.base))
            .form(&[("email", "client.east@example.com"), ("password", DEMO_PASSWORD)])
            .send().await.expect("sign in");
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers().get_all(header::SET_COOKIE).iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("fssc_session="))
            .expect("session cookie")
            .to_string();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http must not mark cookies Secure: {cookie}");
        let first_id = cookie.split(';').next().expect("pair").to_string();
        assert_eq!(whoami_email(&app, &client).await.as_deref(), Some("client.east@example.com"));

        // Signing in again issues a new id; the old one no longer identifies anybody.
        let (status, _) = app.call(&client, "auth/sign_in",
            &[("email", "client.east@example.com"), ("password", DEMO_PASSWORD)]).await;
        assert_eq!(status, StatusCode::OK);
        let stale = support::browser_like(&app.base);
        let response = stale.post(format!("{}/api/auth/whoami", app.base))
            .header(header::COOKIE, &first_id).send().await.expect("whoami");
        assert_eq!(response.text().await.expect("body"), "null");
        assert_eq!(whoami_email(&app, &client).await.as_deref(), Some("client.east@example.com"));

        let (status, _) = app.call(&client, "auth/sign_out", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(whoami_email(&app, &client).await, None);
    }

    async fn repeated_failures_lock_the_account_even_for_the_right_password(app) {
        let client = app.client();
        let policy = &app.portal.state.settings.throttle;
        for attempt in 1..=policy.lock_account_after {
            let (status, error) = app.call_err(&client, "auth/sign_in",
                &[("email", "agent1@example.com"), ("password", "guess")]).await;
            assert_eq!((status, error), (StatusCode::UNAUTHORIZED, AppError::InvalidCredentials), "attempt {attempt}");
        }
        let response = client.post(format!("{}/api/auth/sign_in", app.base))
            .form(&[("email", "agent1@example.com"), ("password", DEMO_PASSWORD)])
            .send().await.expect("sign in");
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
        let error: AppError = serde_json::from_str(&response.text().await.expect("body")).expect("error");
        assert!(matches!(error, AppError::TooManyAttempts { retry_after_secs } if retry_after_secs > 0));
        assert_eq!(error.message(Locale::zh_CN), "登录失败次数过多，请 15 分钟后再试。");
        // Another account from elsewhere is not affected.
        app.signed_in("agent2@example.com").await;
    }

    async fn parallel_guesses_stop_at_the_lock_even_with_the_right_password_among_them(app) {
        let policy = app.portal.state.settings.throttle.clone();
        let url = format!("{}/api/auth/sign_in", app.base);
        let guess = |password: String| {
            let client = app.client();
            let url = url.clone();
            tokio::spawn(async move {
                let response = client.post(url)
                    .form(&[("email", "agent1@example.com"), ("password", password.as_str())])
                    .send().await.expect("answered");
                (response.status(), response.headers().contains_key(header::RETRY_AFTER))
            })
        };
        let wrong: Vec<_> = (0..99).map(|n| guess(format!("guess {n}"))).collect();
        // The right password comes last, while the wrong ones are still being checked.
        let account = app::auth::ssr::throttle::Key::account("agent1@example.com");
        tokio::time::timeout(std::time::Duration::from_secs(30), async {
            while app::auth::ssr::throttle::failures(&app.db, &account).await.expect("q") < i64::from(policy.lock_account_after) {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }).await.expect("the guesses reach the server");
        let (right_status, right_retry_after) = guess(DEMO_PASSWORD.to_string()).await.expect("task");
        assert_eq!(right_status, StatusCode::TOO_MANY_REQUESTS, "the right password must not get in once the lock's slots are taken");
        assert!(right_retry_after);
        let mut checked = 0;
        for answer in wrong {
            let (status, retry_after) = answer.await.expect("task");
            match status {
                StatusCode::UNAUTHORIZED => checked += 1,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => assert!(retry_after, "{status} without Retry-After"),
                other => panic!("unexpected answer {other}"),
            }
        }
        assert!(checked <= policy.lock_account_after, "{checked} guesses were checked, the lock allows {}", policy.lock_account_after);
        let (status, error) = app.call_err(&app.client(), "auth/sign_in",
            &[("email", "agent1@example.com"), ("password", DEMO_PASSWORD)]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{error:?}");
    }

    async fn a_stranger_cannot_lock_the_owner_out_of_a_known_browser_and_an_admin_lifts_the_lock(app) {
        let policy = app.portal.state.settings.throttle.clone();
        // The owner's browser signed in before and holds its device cookie.
        let owner = app.signed_in("agent1@example.com").await;
        let (status, _) = app.call(&owner, "auth/sign_out", &[]).await;
        assert_eq!(status, StatusCode::OK);

        let stranger = app.client();
        for _ in 0..policy.lock_account_after {
            let (status, _) = app.call_err(&stranger, "auth/sign_in",
                &[("email", "agent1@example.com"), ("password", "guess")]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let right = [("email", "agent1@example.com"), ("password", DEMO_PASSWORD)];
        let (status, _) = app.call_err(&app.client(), "auth/sign_in", &right).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "an unknown browser is locked out");
        let (status, body) = app.call(&owner, "auth/sign_in", &right).await;
        assert_eq!(status, StatusCode::OK, "the owner's known browser still signs in: {body}");
        assert_eq!(whoami_email(&app, &owner).await.as_deref(), Some("agent1@example.com"));

        // The admin sees the lock and lifts it; then any browser signs in again.
        let admin = app.signed_in("admin@example.com").await;
        let (status, body) = app.call(&admin, "admin/users", &[]).await;
        assert_eq!(status, StatusCode::OK);
        let users: Vec<app::auth::UserSummary> = serde_json::from_str(&body).expect("users");
        let agent = users.iter().find(|u| u.email == "agent1@example.com").expect("listed");
        assert!(agent.sign_in_locked);
        assert!(users.iter().filter(|u| u.email != "agent1@example.com").all(|u| !u.sign_in_locked));
        let id = agent.id.to_string();
        let (status, error) = app.call_err(&owner, "admin/unlock_sign_in", &[("id", &id)]).await;
        assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden), "only admins lift locks");
        let (status, body) = app.call(&admin, "admin/unlock_sign_in", &[("id", &id)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.call(&app.client(), "auth/sign_in", &right).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn the_device_cookie_is_protected_and_read_only_by_sign_in(app) {
        let response = app.client().post(format!("{}/api/auth/sign_in", app.base))
            .form(&[("email", "client.east@example.com"), ("password", DEMO_PASSWORD)])
            .send().await.expect("sign in");
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers().get_all(header::SET_COOKIE).iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("fssc_device="))
            .expect("device cookie")
            .to_string();
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/api/auth"] {
            assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
        }
        let token = cookie.trim_start_matches("fssc_device=").split(';').next().expect("value");
        assert_eq!(token.len(), 64);
        // A known device's own wrong guesses still lock it: it is counted on a key of its own.
        let policy = app.portal.state.settings.throttle.clone();
        let device = support::browser_like(&app.base);
        let device_cookie = format!("fssc_device={token}");
        for _ in 0..policy.lock_account_after {
            let response = device.post(format!("{}/api/auth/sign_in", app.base))
                .header(header::COOKIE, &device_cookie)
                .form(&[("email", "client.east@example.com"), ("password", "guess")])
                .send().await.expect("sign in");
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let response = device.post(format!("{}/api/auth/sign_in", app.base))
            .header(header::COOKIE, &device_cookie)
            .form(&[("email", "client.east@example.com"), ("password", DEMO_PASSWORD)])
            .send().await.expect("sign in");
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        // ...while the account itself is not locked for other browsers.
        app.signed_in("client.east@example.com").await;
    }

    async fn a_deactivated_user_is_signed_out_at_once(app) {
        let client = app.signed_in("client.west@example.com").await;
        let (status, _) = app.call(&client, "requests/form", &[]).await;
        assert_eq!(status, StatusCode::OK);

        let admin = app.signed_in("admin@example.com").await;
        let id = app.user_id("client.west@example.com").await.to_string();
        let (status, body) = app.call(&admin, "admin/set_active", &[("id", &id), ("active", "false")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let (status, error) = app.call_err(&client, "requests/form", &[]).await;
        assert_eq!((status, error), (StatusCode::UNAUTHORIZED, AppError::Unauthenticated));
        assert_eq!(whoami_email(&app, &client).await, None);
        let (status, error) = app.call_err(&app.client(), "auth/sign_in",
            &[("email", "client.west@example.com"), ("password", DEMO_PASSWORD)]).await;
        assert_eq!((status, error), (StatusCode::UNAUTHORIZED, AppError::InvalidCredentials));

        // Reactivated, the account signs in again.
        let (status, _) = app.call(&admin, "admin/set_active", &[("id", &id), ("active", "true")]).await;
        assert_eq!(status, StatusCode::OK);
        app.signed_in("client.west@example.com").await;
    }

    async fn changing_the_password_ends_other_sessions_but_not_this_one(app) {
        let laptop = app.signed_in("contact.east@example.com").await;
        let phone = app.signed_in("contact.east@example.com").await;
        let new_password = "a much better passphrase";

        let (status, error) = app.call_err(&laptop, "auth/change_password", &[
            ("current_password", DEMO_PASSWORD), ("new_password", "short"), ("confirm_password", "short")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error, AppError::Invalid(vec![FieldError { field: Field::NewPassword, problem: Problem::TooShort { min: 10 } }]));

        let (status, error) = app.call_err(&laptop, "auth/change_password", &[
            ("current_password", "wrong"), ("new_password", new_password), ("confirm_password", new_password)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.message(Locale::zh_CN), "密码不正确。");

        let (status, body) = app.call(&laptop, "auth/change_password", &[
            ("current_password", DEMO_PASSWORD), ("new_password", new_password), ("confirm_password", new_password)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(whoami_email(&app, &laptop).await.as_deref(), Some("contact.east@example.com"));
        assert_eq!(whoami_email(&app, &phone).await, None);

        let (status, _) = app.call(&app.client(), "auth/sign_in",
            &[("email", "contact.east@example.com"), ("password", new_password)]).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn only_admins_manage_users_and_refusals_change_nothing(app) {
        let agent = app.signed_in("agent1@example.com").await;
        let target = app.user_id("client.east@example.com").await.to_string();
        let east = app.org("SUB-EAST").await.to_string();
        for (endpoint, form) in [
            ("admin/users", vec![]),
            ("admin/set_active", vec![("id", target.as_str()), ("active", "false")]),
            ("admin/reset_password", vec![("id", target.as_str()), ("new_password", "taken over by agent")]),
            ("admin/set_membership", vec![("id", target.as_str()), ("org", east.as_str()), ("role", "admin")]),
            ("admin/create_user", vec![("email", "new@example.com"), ("display_name", "New"),
                ("password", "long enough password"), ("language", "en"), ("org", east.as_str()), ("role", "client")]),
        ] {
            let (status, error) = app.call_err(&agent, endpoint, &form).await;
            assert_eq!((status, error), (StatusCode::FORBIDDEN, AppError::Forbidden), "{endpoint}");
        }
        // Nothing changed: the client still signs in with the old password, as a client.
        let client = app.signed_in("client.east@example.com").await;
        let (_, body) = app.call(&client, "auth/whoami", &[]).await;
        assert!(body.contains("\"role\":\"client\"") && !body.contains("\"role\":\"admin\""), "{body}");
        assert_eq!(app.call(&app.client(), "auth/sign_in", &[("email", "new@example.com"), ("password", "long enough password")]).await.0, StatusCode::UNAUTHORIZED);
    }

    async fn an_admin_creates_a_user_who_can_then_sign_in(app) {
        let admin = app.signed_in("admin@example.com").await;
        let west = app.org("SUB-WEST").await.to_string();
        let form = [("email", " New.Person@Example.com "), ("display_name", "周杰"),
            ("password", "initial password 1"), ("language", "en"), ("org", west.as_str()), ("role", "org_contact")];
        let (status, body) = app.call(&admin, "admin/create_user", &form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, error) = app.call_err(&admin, "admin/create_user", &form).await;
        assert_eq!((status, error), (StatusCode::CONFLICT, AppError::Conflict(Conflict::EmailTaken)));
        // A subsidiary cannot hold a center role.
        let (status, error) = app.call_err(&admin, "admin/create_user", &[("email", "x@example.com"), ("display_name", "X"),
            ("password", "initial password 1"), ("language", "en"), ("org", west.as_str()), ("role", "agent")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error, AppError::invalid(Field::Role, Problem::UnknownChoice));

        let person = app.client();
        let (status, body) = app.call(&person, "auth/sign_in", &[("email", "new.person@example.com"), ("password", "initial password 1")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, "\"en\"", "sign-in answers with the user's language");
        assert_eq!(whoami_email(&app, &person).await.as_deref(), Some("new.person@example.com"));

        // The admin resets the password: the person's session ends and the new password works.
        let id = app.user_id("new.person@example.com").await.to_string();
        let (status, _) = app.call(&admin, "admin/reset_password", &[("id", &id), ("new_password", "reset password 22")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(whoami_email(&app, &person).await, None);
        let (status, _) = app.call(&person, "auth/sign_in", &[("email", "new.person@example.com"), ("password", "reset password 22")]).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn pages_speak_the_users_language(app) {
        let visitor = app.client();
        let (status, html) = app.page(&visitor, "/login").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("lang=\"zh-CN\""), "zh-CN is the default");
        assert!(html.contains("登录"));
        let response = visitor.get(format!("{}/login", app.base))
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9").send().await.expect("page");
        let html = response.text().await.expect("html");
        assert!(html.contains("Sign in") && html.contains("lang=\"en\""), "Accept-Language picks English");

        // A signed-in user's saved language wins over the browser's.
        let client = app.signed_in("client.east@example.com").await;
        let (status, _) = app.call(&client, "auth/preferences", &[("language", "en"), ("time_zone", "Europe/London")]).await;
        assert_eq!(status, StatusCode::OK);
        let response = client.get(format!("{}/account", app.base))
            .header(header::ACCEPT_LANGUAGE, "zh-CN").send().await.expect("page");
        let html = response.text().await.expect("html");
        assert!(html.contains("Europe/London"), "the saved time zone is shown");
        assert!(html.contains("Organisations and roles"), "the page renders in the saved language");

        let (status, error) = app.call_err(&client, "auth/preferences", &[("time_zone", "Mars/Olympus")]).await;
        assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, AppError::invalid(Field::TimeZone, Problem::UnknownChoice)));
    }

    async fn health_reports_the_database(app) {
        let response = reqwest::get(format!("{}/healthz", app.base)).await.expect("healthz");
        assert_eq!(response.status(), StatusCode::OK);
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["database"], "ok");
        app.db.close().await;
        let response = reqwest::get(format!("{}/healthz", app.base)).await.expect("healthz");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.settings.public_url = "https://portal.example.com".into();
    })
    .await
    .expect("sqlite");
    // As from the portal's page at its public address (a proxy would forward to this one).
    let page = support::browser_like("https://portal.example.com");
    let response = page.post(format!("{}/api/auth/sign_in", app.base))
        .form(&[("email", "client.east@example.com"), ("password", DEMO_PASSWORD)])
        .send().await.expect("sign in");
    let cookie = response.headers().get_all(header::SET_COOKIE).iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("fssc_session="))
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    let mut app = TestApp::spawn_with(Backend::Sqlite, |config| {
        // Every failed sign-in answers after 800 ms: a request that is still running when
        // the shutdown begins.
        config.settings.throttle.slow_after = 1;
        config.settings.throttle.delay_step = std::time::Duration::from_millis(800);
        config.settings.throttle.max_delay = std::time::Duration::from_millis(800);
    })
    .await
    .expect("sqlite");
    let client = app.client();
    let url = format!("{}/api/auth/sign_in", app.base);
    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = url.clone();
        async move {
            client.post(url).form(&[("email", "agent1@example.com"), ("password", "wrong")]).send().await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let stopped = app.begin_shutdown();

    let response = in_flight.await.expect("task").expect("the in-flight request is answered");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    tokio::time::timeout(std::time::Duration::from_secs(5), stopped)
        .await
        .expect("the server stops once idle")
        .expect("server task");
    assert!(client.get(format!("{}/healthz", app.base)).send().await.is_err(), "no new connections after shutdown");
}

#[tokio::test]
async fn sessions_end_when_idle_but_not_while_in_use() {
    let app = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.settings.session_idle = chrono::Duration::seconds(2);
    })
    .await
    .expect("sqlite");
    let client = app.signed_in("client.east@example.com").await;
    // In use: each request within the idle window keeps the session alive past it.
    for _ in 0..4 {
        tokio::time::sleep(std::time::Duration::from_millis(900)).await;
        assert_eq!(whoami_email(&app, &client).await.as_deref(), Some("client.east@example.com"));
    }
    // Idle for longer than the window: signed out.
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
    assert_eq!(whoami_email(&app, &client).await, None);
}
