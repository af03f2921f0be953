//! Store modules, tested directly on both databases.

mod support;

use app::{
    auth::{ssr::{store as users, throttle}},
    authz::RequestScope,
    catalogue::store as catalogue,
    db::Db,
    error::{AppError, Conflict},
    kernel::{Language, RequestStatus, Role},
    notifications::{NotificationKind, store as notes},
    orgs::{OrgKind, store as orgs},
    requests::store as requests,
    state::ThrottlePolicy,
    validation::Email,
};
use chrono::{Duration, TimeZone, Utc};
use server::sessions::PortalSessionStore;
use support::{fresh_db, store_test, Backend};
use tower_sessions::{session::{Id, Record}, SessionStore};

fn email(s: &str) -> Email {
    Email::parse(s).expect("email")
}

async fn new_user(db: &Db, address: &str) -> app::kernel::UserId {
    users::create_user(db, users::NewUser {
        email: &email(address), display_name: "测试用户", password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
        language: Language::En, time_zone: "Asia/Singapore",
    }).await.expect("create")
}

store_test! {
    async fn users_memberships_and_epochs(db, backend, schema) {
        let center = orgs::find_by_code(&db, "FSSC").await.expect("q").expect("center seeded by migration");
        assert_eq!(center.kind, OrgKind::Center);
        let id = new_user(&db, "li.na@example.com").await;
        assert!(matches!(
            users::create_user(&db, users::NewUser { email: &email("LI.NA@example.com"), display_name: "dup", password_hash: "x", language: Language::En, time_zone: "UTC" }).await,
            Err(AppError::Conflict(Conflict::EmailTaken))
        ));
        let credentials = users::find_credentials(&db, &email("li.na@example.com")).await.expect("q").expect("found");
        assert_eq!(credentials.id, id);
        assert!(credentials.active);

        assert!(users::set_membership(&db, id, center.id, Some(Role::Agent)).await.expect("q"));
        assert!(users::set_membership(&db, id, center.id, Some(Role::Admin)).await.expect("q"), "one role per organisation: replaced");
        let user = users::load_current_user(&db, id, credentials.session_epoch).await.expect("q").expect("loads");
        assert_eq!(user.memberships.len(), 1);
        assert_eq!(user.memberships[0].role, Role::Admin);
        assert_eq!(user.language, Language::En);
        assert_eq!(user.time_zone, "Asia/Singapore");

        // Deactivation raises the epoch: the old session no longer loads.
        assert!(users::set_active(&db, id, false).await.expect("q"));
        assert!(users::load_current_user(&db, id, credentials.session_epoch).await.expect("q").is_none());
        assert!(users::set_active(&db, id, true).await.expect("q"));
        assert!(users::load_current_user(&db, id, credentials.session_epoch).await.expect("q").is_none(), "reactivation does not revive old sessions");
        let epoch = users::set_password(&db, id, "new-hash").await.expect("q");
        assert_eq!(epoch, credentials.session_epoch + 2);
        assert!(users::load_current_user(&db, id, epoch).await.expect("q").is_some());
        assert!(!users::set_active(&db, app::kernel::UserId(999_999), false).await.expect("q"), "unknown users are reported");

        users::set_membership(&db, id, center.id, None).await.expect("q");
        let directory = users::list_users(&db).await.expect("q");
        assert!(directory.iter().any(|u| u.id == id && u.memberships.is_empty()));
    }

    async fn a_signed_in_user_loads_with_every_membership_and_managed_subsidiary(db, backend, schema) {
        let center = orgs::find_by_code(&db, "FSSC").await.expect("q").expect("seeded");
        let north = orgs::ensure(&db, "SUB-NORTH", "华北分公司", OrgKind::Subsidiary, None).await.expect("q");
        let east = orgs::ensure(&db, "SUB-EAST", "华东分公司", OrgKind::Subsidiary, None).await.expect("q");
        let id = new_user(&db, "wang.fang@example.com").await;
        let epoch = users::find_credentials(&db, &email("wang.fang@example.com")).await.expect("q").expect("found").session_epoch;

        let bare = users::load_current_user(&db, id, epoch).await.expect("q").expect("loads");
        assert_eq!((bare.display_name.as_str(), bare.memberships.len(), bare.managed_orgs.len()), ("测试用户", 0, 0));

        users::set_membership(&db, id, north, Some(Role::OrgContact)).await.expect("q");
        users::set_membership(&db, id, center.id, Some(Role::CustomerManager)).await.expect("q");
        users::set_membership(&db, id, east, Some(Role::Client)).await.expect("q");
        users::set_manager_assignment(&db, id, north, true).await.expect("q");
        users::set_manager_assignment(&db, id, east, true).await.expect("q");
        // Another manager's assignment is not this user's.
        let other = new_user(&db, "other@example.com").await;
        users::set_manager_assignment(&db, other, north, true).await.expect("q");

        let user = users::load_current_user(&db, id, epoch).await.expect("q").expect("loads");
        let seen: Vec<_> = user.memberships.iter().map(|m| (m.org_code.as_str(), m.role)).collect();
        assert_eq!(seen, vec![("FSSC", Role::CustomerManager), ("SUB-EAST", Role::Client), ("SUB-NORTH", Role::OrgContact)], "the center first, then subsidiaries by code");
        assert_eq!(user.memberships[2].org_name, "华北分公司");
        let mut managed = vec![north, east];
        managed.sort();
        assert_eq!(user.managed_orgs, managed, "each managed subsidiary once, by id");
        assert!(users::load_current_user(&db, id, epoch + 1).await.expect("q").is_none(), "another epoch loads nothing");
    }

    async fn filters_name_the_active_types_in_catalogue_order(db, backend, schema) {
        let types = catalogue::current_types(&db, false).await.expect("q");
        let names = catalogue::type_names(&db).await.expect("q");
        assert!(!names.is_empty(), "the catalogue is seeded by migration");
        assert_eq!(
            names.iter().map(|n| (n.type_id, n.name.zh.as_str(), n.name.en.as_str())).collect::<Vec<_>>(),
            types.iter().map(|t| (t.type_id, t.name.zh.as_str(), t.name.en.as_str())).collect::<Vec<_>>(),
        );
        // A renamed type is named by its current version; a deactivated one is not offered.
        let admin = new_user(&db, "admin@example.com").await;
        let renamed = &types[0];
        let mut draft = app::catalogue::TypeDraft {
            name: app::i18n_support::Bilingual { zh: "改名后的类型".into(), en: "Renamed type".into() },
            ..renamed.as_draft()
        };
        catalogue::save_type(&db, Some((renamed.type_id, renamed.version)), &draft, &[], admin, Utc::now()).await.expect("q").expect("saved");
        let names = catalogue::type_names(&db).await.expect("q");
        assert_eq!((names[0].type_id, names[0].name.zh.as_str(), names[0].name.en.as_str()), (renamed.type_id, "改名后的类型", "Renamed type"));
        draft.active = false;
        catalogue::save_type(&db, Some((renamed.type_id, renamed.version + 1)), &draft, &[], admin, Utc::now()).await.expect("q").expect("saved");
        let names = catalogue::type_names(&db).await.expect("q");
        assert_eq!(names.len(), types.len() - 1);
        assert!(names.iter().all(|n| n.type_id != renamed.type_id));
    }

    async fn organisations_are_created_once(db, backend, schema) {
        let key = orgs::tier_by_code(&db, "key").await.expect("q");
        assert!(key.is_some(), "tiers are seeded by migration");
        let first = orgs::ensure(&db, "SUB-NORTH", "华北分公司", OrgKind::Subsidiary, key).await.expect("q");
        let again = orgs::ensure(&db, "SUB-NORTH", "another name", OrgKind::Subsidiary, None).await.expect("q");
        assert_eq!(first, again);
        let org = orgs::find(&db, first).await.expect("q").expect("found");
        assert_eq!((org.name.as_str(), org.tier_code.as_deref()), ("华北分公司", Some("key")));
        assert_eq!(orgs::list(&db).await.expect("q").len(), 2);
        assert_eq!(orgs::tiers(&db).await.expect("q").iter().map(|t| t.code.as_str()).collect::<Vec<_>>(), vec!["key", "standard"]);
    }

    async fn requests_get_yearly_reference_numbers_and_respect_scope(db, backend, schema) {
        let a = orgs::ensure(&db, "A", "甲公司", OrgKind::Subsidiary, None).await.expect("q");
        let b = orgs::ensure(&db, "B", "乙公司", OrgKind::Subsidiary, None).await.expect("q");
        let alice = new_user(&db, "alice@example.com").await;
        let bob = new_user(&db, "bob@example.com").await;
        let general = catalogue::current_types(&db, false).await.expect("q").into_iter().find(|t| t.code == "general_query").expect("seeded");
        let december = Utc.with_ymd_and_hms(2026, 12, 31, 15, 0, 0).unwrap(); // 23:00 in Shanghai
        let insert = |org, user, at, key: &'static str| {
            let db = db.clone();
            let general = general.clone();
            async move {
                let record = requests::NewRecord {
                    org, requester: user, type_version: general.version_id, team: general.team_id, title: "报销",
                    description: "说明", field_values: "{}", urgent: false, urgent_reason: None,
                    first_response_due: at + Duration::hours(8), resolution_due: at + Duration::hours(40),
                    calendar: None, first_response_minutes: 8 * 60, resolution_minutes: 40 * 60,
                    idempotency_key: key, files: &[], policies: &[], now: at,
                };
                match requests::insert(&db, &record).await.expect("insert") {
                    requests::Inserted::New(id, reference) => (id, reference),
                    other => panic!("{other:?}"),
                }
            }
        };
        let (r1, ref1) = insert(a, alice, december, "k1").await;
        let (_, ref2) = insert(a, alice, december + Duration::minutes(90), "k2").await; // 00:30 on 1 January 2027 in Shanghai
        let (r3, ref3) = insert(b, bob, december, "k3").await;
        assert_eq!(ref1.as_str(), "FS-2026-000001");
        assert_eq!(ref2.as_str(), "FS-2027-000001", "the year follows the center's calendar");
        assert_eq!(ref3.as_str(), "FS-2026-000002");

        let record = requests::record(&db, r1).await.expect("q").expect("found");
        assert_eq!(record.status, RequestStatus::Submitted);
        assert_eq!(record.created_at, december);
        assert_eq!(requests::events(&db, r1, false).await.expect("q").len(), 1);

        let all = app::requests::ListFilter::default();
        let day = |d: chrono::NaiveDate| app::time::start_of_day(d, app::time::CENTER_TIME_ZONE);
        let own = RequestScope { everything: false, requester: Some(alice), orgs: vec![] };
        assert_eq!(requests::list(&db, &own, &all, day).await.expect("q").rows.len(), 2);
        let org_b = RequestScope { everything: false, requester: None, orgs: vec![b] };
        assert_eq!(requests::list(&db, &org_b, &all, day).await.expect("q").rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![r3]);
        let everything = RequestScope { everything: true, ..Default::default() };
        assert_eq!(requests::list(&db, &everything, &all, day).await.expect("q").rows.len(), 3);
        assert!(requests::list(&db, &RequestScope::default(), &all, day).await.expect("q").rows.is_empty());
        // Calendar days are the viewer's: 31 December in Shanghai holds r1 and r3, not 1 January.
        let new_years_eve = app::requests::ListFilter {
            from: chrono::NaiveDate::from_ymd_opt(2026, 12, 31), to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31), ..Default::default()
        };
        let mut ids: Vec<_> = requests::list(&db, &everything, &new_years_eve, day).await.expect("q").rows.iter().map(|r| r.id).collect();
        ids.sort();
        assert_eq!(ids, vec![r1, r3]);
        let facts = requests::state(&db, r3).await.expect("q").expect("found");
        assert_eq!((facts.org_id, facts.requester_id), (b, bob));
        // The same idempotency key stores nothing new.
        let again = requests::NewRecord {
            org: a, requester: alice, type_version: general.version_id, team: general.team_id, title: "报销",
            description: "", field_values: "{}", urgent: false, urgent_reason: None, first_response_due: december,
            resolution_due: december, calendar: None, first_response_minutes: 60, resolution_minutes: 60,
            idempotency_key: "k1", files: &[], policies: &[], now: december,
        };
        assert_eq!(requests::insert(&db, &again).await.expect("insert"), requests::Inserted::Repeat(r1));
    }

    async fn abandoned_uploads_are_purged_and_attached_ones_kept(db, backend, schema) {
        use app::{attachments::{FileKind, store as files}, kernel::AttachmentId};
        let alice = new_user(&db, "alice@example.com").await;
        let long_ago = Utc::now() - Duration::days(2);
        let upload = |at| {
            let db = db.clone();
            async move {
                let id = files::begin_upload(&db, alice, "发票.pdf", at).await.expect("begin");
                files::append_chunk(&db, id, 0, b"%PDF-1.4 first").await.expect("chunk");
                files::append_chunk(&db, id, 1, b" second").await.expect("chunk");
                files::finish(&db, id, FileKind::Pdf, 21, "abc").await.expect("finish");
                id
            }
        };
        let stale = upload(long_ago).await;
        let fresh = upload(Utc::now()).await;
        assert_eq!(files::chunk(&db, stale, 1).await.expect("q"), Some(b" second".to_vec()));
        let purged = files::purge_abandoned(&db, Utc::now() - Duration::hours(24)).await.expect("purge");
        assert_eq!(purged, 1);
        assert!(files::file_facts(&db, stale).await.expect("q").is_none());
        assert_eq!(files::chunk(&db, stale, 0).await.expect("q"), None, "its bytes went with it");
        let staged = files::staged(&db, alice, &[stale, fresh, AttachmentId(9_999_999)]).await.expect("q");
        assert_eq!(staged.iter().map(|f| f.id).collect::<Vec<_>>(), vec![fresh]);
    }

    async fn a_stale_change_writes_nothing(db, backend, schema) {
        let a = orgs::ensure(&db, "A", "甲公司", OrgKind::Subsidiary, None).await.expect("q");
        let alice = new_user(&db, "alice@example.com").await;
        let general = catalogue::current_types(&db, false).await.expect("q").into_iter().find(|t| t.code == "general_query").expect("seeded");
        let now = Utc::now();
        let record = requests::NewRecord {
            org: a, requester: alice, type_version: general.version_id, team: general.team_id, title: "t",
            description: "", field_values: "{}", urgent: false, urgent_reason: None, first_response_due: now,
            resolution_due: now, calendar: None, first_response_minutes: 60, resolution_minutes: 60,
            idempotency_key: "k", files: &[], policies: &[], now,
        };
        let requests::Inserted::New(id, _) = requests::insert(&db, &record).await.expect("insert") else { panic!() };
        let state = requests::state(&db, id).await.expect("q").expect("found");
        let change = requests::Change {
            actor: alice, status: RequestStatus::Withdrawn, owner_id: None, first_owner_id: None, team_id: state.team_id,
            first_responded_at: None, awaiting_since: None, resolution_due: state.resolution_due, resolved_at: None,
            resolution: None, reject_reason: None, resolution_count: 0, resolved_by: None, stood_resolved_since: None, files: vec![], now,
            event: requests::NewEvent {
                kind: app::requests::EventKind::StatusChanged, action: None, from_status: Some(RequestStatus::Submitted),
                to_status: Some(RequestStatus::Withdrawn), note: None, internal: false, owner_id: None, team_id: None, reason_code: None,
            },
        };
        let bob = new_user(&db, "bob@example.com").await;
        let notice = notes::NewNotification {
            user: bob, kind: NotificationKind::StatusChanged, request_id: Some(id), reference_no: None, title: "t".into(),
            link: format!("/requests/{id}"), status: Some(RequestStatus::Withdrawn), actor_name: None, excerpt: None,
            in_app: true, digest_pending: false,
        };
        let email = notes::NewEmail {
            user: Some(bob), to: "bob@example.com".into(), language: Language::ZhCn, subject: "s".into(), text: "t".into(), html: "h".into(),
        };
        let batch = notes::Batch { notifications: vec![notice], emails: vec![email] };
        assert_eq!(requests::apply(&db, id, state.version, &change, &batch).await.expect("apply"), requests::Applied::Done { version: 2 });
        assert_eq!(requests::apply(&db, id, state.version, &change, &batch).await.expect("apply"), requests::Applied::Stale);
        assert_eq!(requests::events(&db, id, true).await.expect("q").len(), 2, "the stale change added no event");
        assert_eq!(notes::page(&db, bob, None).await.expect("q").rows.len(), 1, "nor a notification");
        assert_eq!(notes::outbox_backlog(&db).await.expect("q").0, 1, "nor an email");
    }

    async fn the_outbox_hands_each_message_to_one_sender_and_retries_later(db, backend, schema) {
        let bob = new_user(&db, "bob@example.com").await;
        let now = Utc::now();
        let emails = (0..3).map(|n| notes::NewEmail {
            user: Some(bob), to: "bob@example.com".into(), language: Language::En, subject: format!("s{n}"), text: "t".into(), html: "h".into(),
        }).collect();
        notes::record(&db, &notes::Batch { notifications: vec![], emails }, now).await.expect("record");
        let lease = now + Duration::minutes(2);
        let first = notes::claim_due(&db, now, lease, 2).await.expect("claim");
        assert_eq!(first.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), vec!["s0", "s1"]);
        assert!(first.iter().all(|m| m.attempts == 1));
        let second = notes::claim_due(&db, now, lease, 10).await.expect("claim");
        assert_eq!(second.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), vec!["s2"], "held messages are not handed out twice");
        notes::mark_sent(&db, first[0].id, now).await.expect("sent");
        notes::mark_retry(&db, first[1].id, now + Duration::seconds(30), "451 later").await.expect("retry");
        assert!(notes::claim_due(&db, now + Duration::seconds(10), lease, 10).await.expect("claim").is_empty(), "not before its retry time, nor while leased");
        let later = notes::claim_due(&db, lease + Duration::seconds(1), lease + Duration::minutes(2), 10).await.expect("claim");
        assert_eq!(later.iter().map(|m| (m.subject.as_str(), m.attempts)).collect::<Vec<_>>(), vec![("s1", 2), ("s2", 2)], "the retry is due and the dead sender's lease ran out; the sent one never comes back");
        assert_eq!(notes::outbox_backlog(&db).await.expect("q").0, 2);
    }

    async fn throttle_counts_locks_and_forgets(db, backend, schema) {
        let policy = ThrottlePolicy { lock_account_after: 3, ..ThrottlePolicy::default() };
        let now = Utc::now();
        let keys = [throttle::Key::account("x@example.com"), throttle::Key::address("10.0.0.1")];
        for _ in 0..3 {
            throttle::admit(&db, &keys, now, &policy).await.expect("admitted");
            throttle::record_failure(&db, &keys, now, &policy).await.expect("q");
        }
        assert!(matches!(throttle::admit(&db, &keys, now, &policy).await, Err(AppError::TooManyAttempts { .. })));
        assert!(throttle::account_locked_until(&db, "x@example.com", now).await.expect("q").is_some());
        let later = now + policy.lock_for + Duration::seconds(1);
        assert!(throttle::account_locked_until(&db, "x@example.com", later).await.expect("q").is_none());
        // Failures outside the window start a new count.
        let fresh = later + policy.window;
        throttle::admit(&db, &keys[..1], fresh, &policy).await.expect("lock and window passed");
        assert_eq!(throttle::record_failure(&db, &keys[..1], fresh, &policy).await.expect("q"), std::time::Duration::ZERO);
        assert_eq!(throttle::purge_expired(&db, fresh + policy.window * 3, &policy).await.expect("q"), 2);
    }

    async fn throttle_admits_no_more_parallel_attempts_than_the_lock_allows(db, backend, schema) {
        let policy = ThrottlePolicy::default();
        let now = Utc::now();
        // A hundred guesses at one account at once, each from its own address.
        let mut guesses = Vec::new();
        for n in 0..100 {
            let db = db.clone();
            let policy = policy.clone();
            guesses.push(tokio::spawn(async move {
                let keys = [throttle::Key::account("target@example.com"), throttle::Key::address(&format!("10.1.0.{n}"))];
                throttle::admit(&db, &keys, now, &policy).await
            }));
        }
        let mut admitted = 0;
        for guess in guesses {
            match guess.await.expect("task") {
                Ok(()) => admitted += 1,
                Err(AppError::TooManyAttempts { retry_after_secs }) => assert!(retry_after_secs > 0),
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(admitted, policy.lock_account_after, "exactly the account's threshold is checked");

        // A correct password among those admitted gives its slot back; the others' failures lock.
        let target = [throttle::Key::account("target@example.com"), throttle::Key::address("10.1.0.0")];
        throttle::record_success(&db, &target[0], &target[1]).await.expect("q");
        throttle::admit(&db, &target, now, &policy).await.expect("the account's count was cleared");

        // Sixty guesses from one address at sixty accounts: fifty are checked. Refusals by the
        // address do not count against the accounts.
        let mut admitted = 0;
        for n in 0..60 {
            let keys = [throttle::Key::account(&format!("user{n}@example.com")), throttle::Key::address("10.2.0.1")];
            if throttle::admit(&db, &keys, now, &policy).await.is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(admitted, policy.lock_address_after);
        let first = [throttle::Key::account("user59@example.com"), throttle::Key::address("10.3.0.1")];
        throttle::admit(&db, &first, now, &policy).await.expect("the refused account was not charged");
        assert_eq!(throttle::failures(&db, &first[0]).await.expect("q"), 1);

        // An attempt that was never checked (the server was busy) gives its slots back.
        throttle::release(&db, &first).await.expect("q");
        assert_eq!(throttle::failures(&db, &first[0]).await.expect("q"), 0);

        // An admin lifts a lock.
        for _ in 0..policy.lock_account_after {
            let keys = [throttle::Key::account("locked@example.com")];
            throttle::admit(&db, &keys, now, &policy).await.expect("admitted");
            throttle::record_failure(&db, &keys, now, &policy).await.expect("q");
        }
        assert!(throttle::account_locked_until(&db, "locked@example.com", now).await.expect("q").is_some());
        assert!(throttle::unlock_account(&db, "locked@example.com").await.expect("q"));
        throttle::admit(&db, &[throttle::Key::account("locked@example.com")], now, &policy).await.expect("unlocked");
    }

    async fn known_devices_are_per_account_and_forgotten_when_unused(db, backend, schema) {
        use app::auth::ssr::devices::{self, DeviceToken, REMEMBER_FOR_DAYS};
        let now = Utc::now();
        let owner = new_user(&db, "owner@example.com").await;
        let other = new_user(&db, "other@example.com").await;
        let token = DeviceToken::new();
        assert!(!devices::is_known(&db, owner, &token, now).await.expect("q"));
        devices::remember(&db, owner, &token, now).await.expect("q");
        devices::remember(&db, owner, &token, now).await.expect("signing in again refreshes it");
        assert!(devices::is_known(&db, owner, &token, now).await.expect("q"));
        assert!(!devices::is_known(&db, other, &token, now).await.expect("q"), "known to one account only");
        assert!(!devices::is_known(&db, owner, &DeviceToken::new(), now).await.expect("q"));
        let stale = now + Duration::days(REMEMBER_FOR_DAYS + 1);
        assert!(!devices::is_known(&db, owner, &token, stale).await.expect("q"));
        assert_eq!(devices::purge_stale(&db, stale).await.expect("q"), 1);
        assert!(DeviceToken::parse("not a token").is_none());
        assert!(DeviceToken::parse(token.as_str()).is_some());
    }

    async fn sessions_live_in_the_same_database(db, backend, schema) {
        let store = PortalSessionStore::open(&db, &schema).await.expect("session store");
        let mut record = Record {
            id: Id::default(),
            data: [("auth".to_string(), serde_json::json!({"user_id": 1}))].into_iter().collect(),
            expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc() + tower_sessions::cookie::time::Duration::hours(1),
        };
        store.create(&mut record).await.expect("create");
        let loaded = store.load(&record.id).await.expect("load").expect("found");
        assert_eq!(loaded.data, record.data);
        store.delete(&record.id).await.expect("delete");
        assert!(store.load(&record.id).await.expect("load").is_none());
        let table = match backend { Backend::Sqlite => "tower_sessions", Backend::Postgres => "sessions" };
        let count = app::with_db!(&db, pool => sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(pool).await).expect("table in this database");
        assert_eq!(count, 0);
    }
    async fn a_resolution_holds_one_rating_and_a_rating_one_follow_up(db, backend, schema) {
        use app::ratings::{store as ratings, RatingInput, ReasonTag};
        let a = orgs::ensure(&db, "SUB-R", "评分公司", OrgKind::Subsidiary, None).await.expect("q");
        let alice = new_user(&db, "rater@example.com").await;
        let general = catalogue::current_types(&db, false).await.expect("q").into_iter().find(|t| t.code == "general_query").expect("seeded");
        let now = Utc::now();
        let record = requests::NewRecord {
            org: a, requester: alice, type_version: general.version_id, team: general.team_id, title: "t",
            description: "", field_values: "{}", urgent: false, urgent_reason: None, first_response_due: now,
            resolution_due: now, calendar: None, first_response_minutes: 60, resolution_minutes: 60,
            idempotency_key: "r", files: &[], policies: &[], now,
        };
        let requests::Inserted::New(id, _) = requests::insert(&db, &record).await.expect("insert") else { panic!() };
        let low = RatingInput { score: 2, reasons: vec![ReasonTag::Accuracy], comment: "错了".into() }.check().expect("valid");
        let new = ratings::NewRating { request: id, resolution_no: 1, org: a, rater: alice, resolver: None, first_owner: None, rating: &low, now };
        let mut tx = db.begin_write().await.expect("tx");
        let first = ratings::insert_in(&mut tx, &new).await.expect("insert").expect("stored");
        assert_eq!(ratings::insert_in(&mut tx, &new).await.expect("insert"), None, "the unique key refuses a second rating");
        let second_resolution = ratings::NewRating { resolution_no: 2, ..new };
        assert!(ratings::insert_in(&mut tx, &second_resolution).await.expect("insert").is_some(), "a new resolution is rated again");
        let follow_up = ratings::NewFollowUp { rating: first, request: id, org: a, manager: None, due_at: now, opened_by: alice, now };
        assert!(ratings::open_in(&mut tx, &follow_up).await.expect("open").is_some());
        assert_eq!(ratings::open_in(&mut tx, &follow_up).await.expect("open"), None, "one follow-up per rating");
        tx.commit().await.expect("commit");

        let stored = ratings::find(&db, first).await.expect("q").expect("found");
        let high = RatingInput { score: 4, reasons: vec![], comment: String::new() }.check().expect("valid");
        let mut tx = db.begin_write().await.expect("tx");
        assert!(!ratings::change_in(&mut tx, first, stored.updated_at - Duration::seconds(1), &high, now).await.expect("change"),
            "a change checked against an older value writes nothing");
        assert!(ratings::change_in(&mut tx, first, stored.updated_at, &high, now + Duration::seconds(1)).await.expect("change"));
        tx.commit().await.expect("commit");
        let history = ratings::history(&db, first).await.expect("q");
        assert_eq!(history.iter().map(|h| (h.score, h.comment.as_str())).collect::<Vec<_>>(), vec![(2, "错了")]);
        assert_eq!(ratings::find(&db, first).await.expect("q").expect("found").score, 4);
    }

}

/// The two migration sets must describe the same tables and columns.
#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let Some((pg, _, schema)) = fresh_db(Backend::Postgres).await else { return };
    let (lite, dir, _) = fresh_db(Backend::Sqlite).await.expect("sqlite");
    let Db::Sqlite(lite_pool) = &lite else { unreachable!() };
    let Db::Postgres(pg_pool) = &pg else { unreachable!() };

    let mut sqlite_columns: Vec<(String, String, bool)> = Vec::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
    ).fetch_all(lite_pool).await.expect("tables");
    for table in &tables {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(&format!("SELECT name, \"notnull\", pk FROM pragma_table_info('{table}')"))
            .fetch_all(lite_pool).await.expect("columns");
        for (column, not_null, pk) in rows {
            sqlite_columns.push((table.clone(), column, not_null == 1 || pk > 0));
        }
    }
    let mut pg_columns: Vec<(String, String, bool)> = sqlx::query_as::<_, (String, String, String)>(
        "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
         WHERE table_schema = $1 AND table_name NOT LIKE '\\_sqlx%' ORDER BY table_name, column_name",
    ).bind(&schema).fetch_all(pg_pool).await.expect("columns")
        .into_iter().map(|(t, c, nullable)| (t, c, nullable == "NO")).collect();
    sqlite_columns.sort();
    pg_columns.sort();
    assert!(!sqlite_columns.is_empty());
    assert_eq!(sqlite_columns, pg_columns, "migrations/sqlite and migrations/postgres drifted apart");
    if let Some(dir) = dir { let _ = std::fs::remove_dir_all(dir); }
}

store_test! {
    async fn sla_calendars_pauses_alerts_and_the_lease(db, backend, schema) {
        use app::sla::{service as clock, store as sla, AlertLevel, SlaTarget};
        assert!(clock::ensure_default(&db).await.expect("seed"), "the first start writes the default calendar");
        assert!(!clock::ensure_default(&db).await.expect("seed"), "and later starts leave it");
        let calendars = sla::calendars(&db).await.expect("q");
        assert_eq!(calendars.len(), 1);
        let dates: Vec<_> = sla::all_dates(&db).await.expect("q").into_iter().filter(|d| d.calendar_id == calendars[0].id).collect();
        assert_eq!(dates.len(), 33 + 6, "the 2026 days off and make-up days");
        assert!(dates.iter().any(|d| d.day == chrono::NaiveDate::from_ymd_opt(2026, 10, 10).unwrap() && d.rule == "mon"));

        let a = orgs::ensure(&db, "A", "甲公司", OrgKind::Subsidiary, None).await.expect("q");
        let alice = new_user(&db, "alice@example.com").await;
        let general = catalogue::current_types(&db, false).await.expect("q").into_iter().find(|t| t.code == "general_query").expect("seeded");
        assert_eq!(sla::calendar_for(&db, general.type_id, general.team_id).await.expect("q"), Some(calendars[0].id), "the default, lacking others");
        // Whole seconds: PostgreSQL keeps microseconds.
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 0);
        let record = requests::NewRecord {
            org: a, requester: alice, type_version: general.version_id, team: general.team_id, title: "t",
            description: "", field_values: "{}", urgent: false, urgent_reason: None, first_response_due: now,
            resolution_due: now, calendar: None, first_response_minutes: 60, resolution_minutes: 120,
            idempotency_key: "k", files: &[], policies: &[], now,
        };
        let requests::Inserted::New(id, _) = requests::insert(&db, &record).await.expect("insert") else { panic!() };

        // A pause opens and closes with the events that start and end the wait.
        let mut tx = db.begin_write().await.expect("tx");
        sla::pause_change(&mut tx, id, Some(("请补充发票", alice)), false, now).await.expect("start");
        tx.commit().await.expect("commit");
        let mut tx = db.begin_write().await.expect("tx");
        sla::pause_change(&mut tx, id, None, true, now + Duration::hours(1)).await.expect("end");
        tx.commit().await.expect("commit");
        let pauses = sla::pauses_of(&db, id).await.expect("q");
        assert_eq!(pauses.len(), 1);
        assert_eq!((pauses[0].reason.as_str(), pauses[0].ended_at), ("请补充发票", Some(now + Duration::hours(1))));
        assert_eq!(sla::open_pauses(&db).await.expect("q").len(), 1, "the request is still open");
        assert_eq!(pauses[0].kind, app::sla::PauseKind::AwaitingClient);

        // A reopening records the stretch the request stood resolved, closed, with its reason.
        let mut tx = db.begin_write().await.expect("tx");
        sla::stood_resolved(&mut tx, id, now + Duration::hours(2), now + Duration::hours(3), "金额有误", alice).await.expect("reopen");
        tx.commit().await.expect("commit");
        let pauses = sla::pauses_of(&db, id).await.expect("q");
        assert_eq!(pauses.len(), 2);
        assert_eq!(
            (pauses[1].kind, pauses[1].reason.as_str(), pauses[1].ended_at),
            (app::sla::PauseKind::Resolved, "金额有误", Some(now + Duration::hours(3)))
        );

        // An alert is claimed once per due instant; a moved due instant arms it again.
        assert!(sla::claim_alert(&db, id, SlaTarget::Resolution, AlertLevel::Warning, now, now).await.expect("q"));
        assert!(!sla::claim_alert(&db, id, SlaTarget::Resolution, AlertLevel::Warning, now, now).await.expect("q"));
        assert!(sla::claim_alert(&db, id, SlaTarget::Resolution, AlertLevel::Breach, now, now).await.expect("q"));
        assert!(sla::claim_alert(&db, id, SlaTarget::Resolution, AlertLevel::Warning, now + Duration::hours(1), now).await.expect("q"));
        assert_eq!(sla::alerts_of(&db, id).await.expect("q").len(), 3);
        // An alert whose delivery failed is given back, and the next claim takes it again.
        sla::release_alert(&db, id, SlaTarget::Resolution, AlertLevel::Breach, now).await.expect("release");
        assert_eq!(sla::alerts_of(&db, id).await.expect("q").len(), 2);
        assert!(sla::claim_alert(&db, id, SlaTarget::Resolution, AlertLevel::Breach, now, now).await.expect("q"));

        // One holder at a time; the holder renews; another takes over once it ran out.
        let until = now + Duration::minutes(2);
        assert!(sla::take_lease(&db, "job", "a", now, until).await.expect("q"));
        assert!(!sla::take_lease(&db, "job", "b", now + Duration::minutes(1), until).await.expect("q"));
        assert!(sla::take_lease(&db, "job", "a", now + Duration::minutes(1), until + Duration::minutes(1)).await.expect("q"));
        assert!(sla::take_lease(&db, "job", "b", until + Duration::minutes(2), until + Duration::minutes(4)).await.expect("q"));
    }
}
