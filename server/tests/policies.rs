//! The policy column's service and store on both databases: publishing, audiences, versions,
//! refusals and the Chinese search.

mod support;

use app::{
    attachments::{FileKind, store as files},
    auth::{CurrentUser, ssr::store as users},
    authz::{self, PolicyScope},
    catalogue::{PolicyLink, service as catalogue_service, SlotSpec, store as catalogue_store},
    db::Db,
    error::{AppError, Conflict, Field, Problem},
    i18n_support::Bilingual,
    kernel::{
        Language, OrgId, Permission, PolicyCategoryId, PolicyPageId, Role, TierId, UploadLimits,
    },
    orgs::{OrgKind, store as orgs},
    policies::{
        AckState, Audience, DiffLine, MAX_BODY_BYTES, PolicyDraft, PolicyFile, service, store,
    },
    requests::{NewRequestInput, service as requests_service, store as requests_store},
    state::AppState,
};
use chrono::{Duration, NaiveDate, Utc};
use std::sync::Arc;
use support::store_test;

const PASSWORD_HASH: &str = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA";

struct World {
    editor: CurrentUser,
    east: OrgId,
    key_tier: TierId,
    east_client: CurrentUser,
    west_client: CurrentUser,
    agent: CurrentUser,
    travel: PolicyCategoryId,
}

async fn person(db: &Db, address: &str, org: OrgId, role: Role) -> CurrentUser {
    let id = users::create_user(db, users::NewUser {
        email: &app::validation::Email::parse(address).expect("email"),
        display_name: address,
        password_hash: PASSWORD_HASH,
        language: Language::ZhCn,
        time_zone: "Asia/Shanghai",
    })
    .await
    .expect("user");
    users::set_membership(db, id, org, Some(role)).await.expect("membership");
    users::load_current_user(db, id, 0).await.expect("q").expect("loads")
}

async fn world(db: &Db) -> World {
    // What the portal writes on its first start: requests are counted on the default calendar.
    app::sla::service::ensure_default(db).await.expect("default calendar");
    let center = orgs::center(db).await.expect("q").expect("center").id;
    let key_tier = orgs::tier_by_code(db, "key").await.expect("q").expect("key tier");
    let standard = orgs::tier_by_code(db, "standard").await.expect("q").expect("standard tier");
    let east = orgs::ensure(db, "EAST", "华东制造", OrgKind::Subsidiary, Some(standard)).await.expect("org");
    let west = orgs::ensure(db, "WEST", "西南贸易", OrgKind::Subsidiary, Some(key_tier)).await.expect("org");
    let editor_id = person(db, "editor@example.com", center, Role::Agent).await.id;
    let now = Utc::now();
    assert!(users::set_permission(db, editor_id, Permission::Editor, true, editor_id, now).await.expect("grant"));
    assert!(!users::set_permission(db, editor_id, Permission::Editor, true, editor_id, now).await.expect("grant"), "granting twice changes nothing");
    let editor = users::load_current_user(db, editor_id, 0).await.expect("q").expect("loads");
    assert_eq!(editor.permissions, vec![Permission::Editor], "the session's user carries the grant");
    let reimbursement = store::ensure_category(db, None, "reimbursement", "报销制度", "Reimbursement", 1).await.expect("category");
    let travel = store::ensure_category(db, Some(reimbursement), "travel", "差旅", "Travel", 1).await.expect("category");
    World {
        editor,
        east,
        key_tier,
        east_client: person(db, "east@example.com", east, Role::Client).await,
        west_client: person(db, "west@example.com", west, Role::Client).await,
        agent: person(db, "agent@example.com", center, Role::Agent).await,
        travel,
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn today() -> NaiveDate {
    Utc::now().with_timezone(&app::time::CENTER_TIME_ZONE).date_naive()
}

fn draft(w: &World, slug: &str, title: &str, body: &str) -> PolicyDraft {
    PolicyDraft {
        slug: slug.into(),
        category_id: w.travel,
        title_zh: title.into(),
        title_en: String::new(),
        body_zh: body.into(),
        body_en: String::new(),
        tags: Vec::new(),
        effective_on: day(2026, 1, 1),
        valid_until: None,
        superseded_by: None,
        audience: Audience::Everyone,
        requires_ack: false,
        ack_deadline: None,
        files: Vec::new(),
    }
}

/// What the server functions hand the service: the database, settings and live hub.
fn state(db: &Db) -> AppState {
    AppState { db: db.clone(), settings: Arc::new(support::test_settings("http://fssc.test")), live: Default::default() }
}

async fn publish(db: &Db, w: &World, d: &PolicyDraft) -> PolicyPageId {
    let page = service::save_draft(db, &w.editor, None, d, Utc::now()).await.expect("draft saved");
    assert_eq!(service::publish(&state(db), &w.editor, page, Utc::now()).await.expect("published"), 1);
    page
}

fn scope(user: &CurrentUser) -> PolicyScope {
    authz::policy_scope(user)
}

async fn found(db: &Db, user: &CurrentUser, query: &str) -> Vec<String> {
    service::search(db, &scope(user), user.language, query, today(), 20)
        .await
        .expect("search")
        .into_iter()
        .map(|hit| hit.slug)
        .collect()
}

fn problems(result: Result<impl std::fmt::Debug, AppError>) -> Vec<(Field, Problem)> {
    match result {
        Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

const TRAVEL_BODY: &str = "## 一、适用范围\n本标准适用于集团全体员工的国内出差。\n\n## 二、发票要求\n\
    住宿费须取得增值税专用发票，抬头为公司全称并注明税号。\n\n## 三、借款\n出差前可申请借款，回来后十日内报账冲销。";

store_test! {
    async fn a_published_page_is_read_within_its_audience_only(db, backend, schema) {
        let w = world(&db).await;
        let mut d = draft(&w, "travel-expenses", "员工差旅费用报销标准", TRAVEL_BODY);
        d.audience = Audience::Chosen { orgs: vec![w.east], tiers: vec![] };
        let page = service::save_draft(&db, &w.editor, None, &d, Utc::now()).await.expect("draft");

        // A draft is nobody's reading yet.
        assert!(matches!(service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::ZhCn, "travel-expenses", None, today()).await, Err(AppError::NotFound)));
        assert!(found(&db, &w.east_client, "差旅").await.is_empty(), "drafts are not searchable");

        assert_eq!(service::publish(&state(&db), &w.editor, page, Utc::now()).await.expect("publish"), 1);
        // The audience hears of it, in the same transaction; nobody else does.
        let told = app::notifications::store::page(&db, w.east_client.id, None).await.expect("notifications");
        assert_eq!(told.rows.len(), 1);
        assert_eq!((told.rows[0].title.as_str(), told.rows[0].link.as_str()), ("员工差旅费用报销标准", "/policies/travel-expenses"));
        for other in [&w.west_client, &w.agent, &w.editor] {
            let page = app::notifications::store::page(&db, other.id, None).await.expect("notifications");
            assert!(page.rows.is_empty(), "{} was told", other.email);
        }
        let view = service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::ZhCn, "travel-expenses", None, today()).await.expect("east reads it");
        assert_eq!(view.title, "员工差旅费用报销标准");
        assert_eq!((view.version, view.live_version), (1, 1));
        assert_eq!(view.toc.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(), ["一、适用范围", "二、发票要求", "三、借款"]);
        assert!(view.html.contains(&format!("id=\"{}\"", view.toc[0].id)), "the contents link to the headings");
        assert_eq!(view.category.map(|c| c.code), Some("travel".to_string()));

        // Outside the audience the page, its versions, its history and its search hits do not exist.
        let west = scope(&w.west_client);
        assert!(matches!(service::view(&db, &w.west_client, &west, &authz::audience_scope(&w.west_client), Language::ZhCn, "travel-expenses", None, today()).await, Err(AppError::NotFound)));
        assert!(matches!(service::view(&db, &w.west_client, &west, &authz::audience_scope(&w.west_client), Language::ZhCn, "travel-expenses", Some(1), today()).await, Err(AppError::NotFound)));
        assert!(store::visible_page(&db, &west, "travel-expenses").await.expect("q").is_none());
        assert!(found(&db, &w.west_client, "差旅").await.is_empty());
        assert!(service::browse(&db, &west, Language::ZhCn, today()).await.expect("browse").1.is_empty());
        // The center's staff read every page.
        assert!(service::view(&db, &w.agent, &scope(&w.agent), &authz::audience_scope(&w.agent), Language::ZhCn, "travel-expenses", None, today()).await.is_ok());
        assert_eq!(found(&db, &w.agent, "差旅").await, ["travel-expenses"]);

        // A page for a tier reaches every organisation in it.
        let mut for_key = draft(&w, "key-clients", "重点客户付款安排", "付款优先处理。");
        for_key.audience = Audience::Chosen { orgs: vec![], tiers: vec![w.key_tier] };
        publish(&db, &w, &for_key).await;
        assert_eq!(found(&db, &w.west_client, "付款").await, ["key-clients"]);
        assert!(found(&db, &w.east_client, "付款").await.is_empty());

        // Unpublished, it is gone for readers, and its index with it.
        service::unpublish(&db, &w.editor, page, Utc::now()).await.expect("unpublish");
        assert!(matches!(service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::ZhCn, "travel-expenses", None, today()).await, Err(AppError::NotFound)));
        assert!(found(&db, &w.agent, "差旅").await.is_empty());
        assert!(matches!(service::unpublish(&db, &w.editor, page, Utc::now()).await, Err(AppError::NotFound)));
    }

    async fn chinese_search_finds_two_character_words_and_ranks_titles_first(db, backend, schema) {
        let w = world(&db).await;
        publish(&db, &w, &draft(&w, "travel-expenses", "员工差旅费用报销标准", TRAVEL_BODY)).await;
        let mut exact = draft(&w, "travel-reimbursement-faq", "差旅报销常见问题", "出差回来怎么办？见正文。");
        exact.effective_on = day(2025, 6, 1);
        publish(&db, &w, &exact).await;
        let mut body_only = draft(&w, "loans", "员工借款管理办法", "因公出差的差旅借款，报销时冲抵。");
        body_only.effective_on = day(2026, 3, 1);
        publish(&db, &w, &body_only).await;
        let mut english = draft(&w, "payment-runs", "付款批次安排", "每周二、四付款。");
        english.title_en = "Payment Runs".into();
        english.body_en = "Payments are released on TUESDAYS and Thursdays. See ＶＡＴ rules.".into();
        english.tags = vec!["资金".into()];
        publish(&db, &w, &english).await;
        let reader = &w.east_client;

        // Two-character words, whether in the title or only in the body.
        assert_eq!(found(&db, reader, "差旅").await, ["travel-expenses", "travel-reimbursement-faq", "loans"],
            "titles first, the newer effective date first among them, then the body");
        assert_eq!(found(&db, reader, "发票").await, ["travel-expenses"]);
        assert_eq!(found(&db, reader, "报销").await, ["travel-expenses", "travel-reimbursement-faq", "loans"]);
        assert_eq!(found(&db, reader, "借款").await, ["loans", "travel-expenses"]);
        assert_eq!(found(&db, reader, "税").await, ["travel-expenses"], "one character is a query too");
        // All the characters, not adjacent: below the exact phrase.
        assert_eq!(found(&db, reader, "差旅报销").await, ["travel-reimbursement-faq", "travel-expenses", "loans"],
            "the exact phrase in a title, then the newer title holding every character, then the body");
        // English by whole words, any case; full-width forms are the same letters.
        assert_eq!(found(&db, reader, "tuesdays").await, ["payment-runs"]);
        assert_eq!(found(&db, reader, "PAYMENT runs").await, ["payment-runs"]);
        assert!(found(&db, reader, "tues").await.is_empty(), "words, not prefixes");
        assert_eq!(found(&db, reader, "vat").await, ["payment-runs"]);
        assert_eq!(found(&db, reader, "ＴＨＵＲＳＤＡＹＳ").await, ["payment-runs"]);
        assert_eq!(found(&db, reader, "资金").await, ["payment-runs"], "tags are searched");
        assert!(found(&db, reader, "，。！").await.is_empty());
        assert!(found(&db, reader, "火箭").await.is_empty());

        // The snippet marks the match in the reader's text.
        let hits = service::search(&db, &scope(reader), Language::ZhCn, "发票", today(), 20).await.expect("search");
        assert!(hits[0].snippet.iter().any(|p| p.hit && p.text.contains("发票")), "{:?}", hits[0].snippet);
        assert!(hits[0].snippet.iter().all(|p| !p.text.contains("##")), "snippets are text, not Markdown");

        // Editors' synonyms: 报账 finds 报销 and the other way round.
        let mut tx = db.begin_write().await.expect("tx");
        store::replace_synonyms(&mut tx, &["报销 报账".to_string()], w.editor.id, Utc::now()).await.expect("synonyms");
        tx.commit().await.expect("commit");
        assert_eq!(found(&db, reader, "报账").await, ["travel-expenses", "travel-reimbursement-faq", "loans"]);
        assert_eq!(found(&db, reader, "差旅报账").await, ["travel-reimbursement-faq", "travel-expenses", "loans"]);

        // A page past its valid-until date leaves search but can still be read, marked expired.
        let mut old = draft(&w, "old-travel", "旧版差旅标准", "差旅住宿上限。");
        old.effective_on = day(2020, 1, 1);
        old.valid_until = Some(today() - Duration::days(1));
        publish(&db, &w, &old).await;
        assert!(!found(&db, reader, "住宿").await.contains(&"old-travel".to_string()));
        let view = service::view(&db, reader, &scope(reader), &authz::audience_scope(reader), Language::ZhCn, "old-travel", None, today()).await.expect("read");
        assert!(view.expired);

        // Fewer places than title matches: the phrase still comes first, although the two
        // newest titles only hold every character; the body-only page waits for a place.
        let mut newer = draft(&w, "travel-approvals", "差旅费用审批与报销", "审批流程。");
        newer.effective_on = day(2026, 5, 1);
        publish(&db, &w, &newer).await;
        let first = |limit: usize| {
            let db = &db;
            async move {
                service::search(db, &scope(reader), Language::ZhCn, "差旅报销", today(), limit)
                    .await
                    .expect("search")
                    .into_iter()
                    .map(|hit| hit.slug)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(first(1).await, ["travel-reimbursement-faq"]);
        assert_eq!(first(2).await, ["travel-reimbursement-faq", "travel-approvals"]);
        assert_eq!(first(4).await, ["travel-reimbursement-faq", "travel-approvals", "travel-expenses", "loans"]);

        // A query of 40 different characters needs more than one presence mask (31 terms
        // each); every character still counts, whichever mask holds it.
        let stems = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥春夏秋冬东南西北";
        assert_eq!(stems.chars().collect::<std::collections::BTreeSet<_>>().len(), 40);
        publish(&db, &w, &draft(&w, "calendar-stems", "历法用字", &format!("附表：{stems}。"))).await;
        assert_eq!(found(&db, reader, stems).await, ["calendar-stems"]);
        for missing in ["火", "乾"] {
            let query = stems.replacen('北', missing, 1);
            assert!(found(&db, reader, &query).await.is_empty(), "{missing} is on no page");
            let query = stems.replacen('一', missing, 1);
            assert!(found(&db, reader, &query).await.is_empty(), "{missing} is on no page");
        }
    }

    async fn versions_keep_history_and_readers_get_their_language(db, backend, schema) {
        let w = world(&db).await;
        let mut d = draft(&w, "travel-expenses", "员工差旅费用报销标准", "第一版。");
        let page = publish(&db, &w, &d).await;
        d.body_zh = "第二版：住宿上限调整。".into();
        d.title_en = "Travel expenses".into();
        d.body_en = "Version two: new hotel limits.".into();
        d.effective_on = day(2026, 7, 1);
        service::save_draft(&db, &w.editor, Some(page), &d, Utc::now()).await.expect("draft");
        // Readers keep the live version while the editor drafts.
        let live = service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::ZhCn, "travel-expenses", None, today()).await.expect("view");
        assert!(live.html.contains("第一版"));
        assert_eq!(service::publish(&state(&db), &w.editor, page, Utc::now()).await.expect("v2"), 2);

        let zh = service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::ZhCn, "travel-expenses", None, today()).await.expect("view");
        assert!(zh.html.contains("第二版") && !zh.fallback);
        let en = service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::En, "travel-expenses", None, today()).await.expect("view");
        assert_eq!(en.title, "Travel expenses");
        assert!(en.html.contains("new hotel limits") && !en.fallback);
        let first = service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::En, "travel-expenses", Some(1), today()).await.expect("v1");
        assert_eq!((first.version, first.live_version), (1, 2));
        assert!(first.fallback && first.html.contains("第一版"), "v1 had no English: the Chinese text, with a notice");
        assert!(matches!(service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::ZhCn, "travel-expenses", Some(3), today()).await, Err(AppError::NotFound)));
        let history = store::history(&db, page).await.expect("history");
        assert_eq!(history.iter().map(|v| v.number).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(history[0].published_by, "editor@example.com");
        // The search index follows the live version.
        assert_eq!(found(&db, &w.east_client, "住宿").await, ["travel-expenses"]);
        assert!(found(&db, &w.east_client, "第一版").await.is_empty());

        // The editor continues from the live version when there is no draft.
        let again = service::draft_of(&db, page).await.expect("draft of");
        assert_eq!((again.title_en.as_str(), again.effective_on), ("Travel expenses", day(2026, 7, 1)));
    }

    async fn bad_drafts_are_refused_with_reasons_and_change_nothing(db, backend, schema) {
        let w = world(&db).await;
        let page = publish(&db, &w, &draft(&w, "travel-expenses", "员工差旅费用报销标准", "正文")).await;
        let before = store::editor_pages(&db).await.expect("pages");

        let mut d = draft(&w, "other", "", "正文");
        assert_eq!(problems(service::save_draft(&db, &w.editor, None, &d, Utc::now()).await), [(Field::Title, Problem::Required)]);
        d = draft(&w, "travel-expenses", "重复", "正文");
        assert!(matches!(service::save_draft(&db, &w.editor, None, &d, Utc::now()).await, Err(AppError::Conflict(Conflict::SlugTaken))));
        for slug in ["has space", "../etc/passwd", "Travel"] {
            d = draft(&w, slug, "标题", "正文");
            assert_eq!(problems(service::save_draft(&db, &w.editor, None, &d, Utc::now()).await), [(Field::Slug, Problem::InvalidSlug)], "{slug}");
        }
        d = draft(&w, "huge", "标题", &"字".repeat(MAX_BODY_BYTES / 3 + 1));
        assert_eq!(problems(service::save_draft(&db, &w.editor, None, &d, Utc::now()).await), [(Field::Body, Problem::TooBig { max_kib: 1024 })]);
        d = draft(&w, "until", "标题", "正文");
        d.valid_until = Some(day(2025, 12, 31));
        assert_eq!(problems(service::save_draft(&db, &w.editor, None, &d, Utc::now()).await), [(Field::ValidUntil, Problem::BeforeEffectiveDate)]);
        d = draft(&w, "unknown-org", "标题", "正文");
        d.audience = Audience::Chosen { orgs: vec![w.east, OrgId(987_654)], tiers: vec![] };
        assert_eq!(problems(service::save_draft(&db, &w.editor, None, &d, Utc::now()).await), [(Field::Audience, Problem::UnknownChoice)]);
        d = draft(&w, "unknown-category", "标题", "正文");
        d.category_id = PolicyCategoryId(987_654);
        assert_eq!(problems(service::save_draft(&db, &w.editor, None, &d, Utc::now()).await), [(Field::Category, Problem::UnknownChoice)]);
        d = draft(&w, "travel-expenses", "标题", "正文");
        d.superseded_by = Some("travel-expenses".into());
        assert_eq!(problems(service::save_draft(&db, &w.editor, Some(page), &d, Utc::now()).await), [(Field::SupersededBy, Problem::SelfReference)]);
        assert_eq!(store::editor_pages(&db).await.expect("pages"), before, "no page was created or changed");

        // An effective date before the version in force is refused at publication, and the
        // page stays as it was.
        d = draft(&w, "travel-expenses", "员工差旅费用报销标准", "新正文");
        d.effective_on = day(2025, 1, 1);
        service::save_draft(&db, &w.editor, Some(page), &d, Utc::now()).await.expect("a draft may say so");
        assert_eq!(problems(service::publish(&state(&db), &w.editor, page, Utc::now()).await), [(Field::EffectiveDate, Problem::BeforePreviousVersion)]);
        assert_eq!(store::history(&db, page).await.expect("history").len(), 1);
        assert!(found(&db, &w.east_client, "正文").await.contains(&"travel-expenses".to_string()));
        assert!(found(&db, &w.east_client, "新").await.is_empty(), "the draft's text is not indexed");
    }

    async fn readers_say_once_per_version_whether_a_page_helped(db, backend, schema) {
        let w = world(&db).await;
        let mut d = draft(&w, "travel-expenses", "员工差旅费用报销标准", "第一版。");
        d.audience = Audience::Chosen { orgs: vec![w.east], tiers: vec![] };
        let page = publish(&db, &w, &d).await;
        let east = &w.east_client;
        let view = service::view(&db, east, &scope(east), &authz::audience_scope(east), Language::ZhCn, "travel-expenses", None, today()).await.expect("view");
        assert_eq!(view.my_feedback, None);
        service::give_feedback(&db, east, &scope(east), "travel-expenses", 1, false, "  住宿标准没写清楚  ", Utc::now()).await.expect("answer");
        assert!(matches!(
            service::give_feedback(&db, east, &scope(east), "travel-expenses", 1, true, "", Utc::now()).await,
            Err(AppError::Conflict(Conflict::AlreadyAnswered))
        ), "once per version");
        let view = service::view(&db, east, &scope(east), &authz::audience_scope(east), Language::ZhCn, "travel-expenses", None, today()).await.expect("view");
        assert_eq!(view.my_feedback, Some(false));
        // Outside the audience, or for a version that does not exist, there is nothing to rate.
        let west = &w.west_client;
        assert!(matches!(service::give_feedback(&db, west, &scope(west), "travel-expenses", 1, true, "", Utc::now()).await, Err(AppError::NotFound)));
        assert!(matches!(service::give_feedback(&db, &w.agent, &scope(&w.agent), "travel-expenses", 9, true, "", Utc::now()).await, Err(AppError::NotFound)));
        assert_eq!(
            problems(service::give_feedback(&db, &w.agent, &scope(&w.agent), "travel-expenses", 1, true, &"长".repeat(1001), Utc::now()).await),
            [(Field::Message, Problem::TooLong { max: 1000 })]
        );
        // A new version asks again.
        d.body_zh = "第二版。".into();
        d.effective_on = day(2026, 2, 1);
        service::save_draft(&db, &w.editor, Some(page), &d, Utc::now()).await.expect("draft");
        service::publish(&state(&db), &w.editor, page, Utc::now()).await.expect("v2");
        service::give_feedback(&db, east, &scope(east), "travel-expenses", 2, true, "", Utc::now()).await.expect("v2 answer");
        service::give_feedback(&db, &w.agent, &scope(&w.agent), "travel-expenses", 2, true, "清楚", Utc::now()).await.expect("agent");

        let report = store::feedback(&db, page).await.expect("report");
        assert_eq!(report.iter().map(|r| (r.version, r.helpful, r.not_helpful)).collect::<Vec<_>>(), [(2, 2, 0), (1, 0, 1)]);
        assert_eq!(report[1].comments.iter().map(|(h, t, _)| (*h, t.as_str())).collect::<Vec<_>>(), [(false, "住宿标准没写清楚")]);
    }

    async fn a_version_that_asks_is_confirmed_once_and_a_new_version_asks_again(db, backend, schema) {
        let w = world(&db).await;
        let mut d = draft(&w, "travel-expenses", "员工差旅费用报销标准", TRAVEL_BODY);
        d.audience = Audience::Chosen { orgs: vec![w.east], tiers: vec![] };
        d.requires_ack = true;
        d.ack_deadline = Some(day(2026, 1, 31));
        let page = publish(&db, &w, &d).await;
        let (east, west, agent) = (&w.east_client, &w.west_client, &w.agent);
        let pending = |user: &CurrentUser| {
            let (db, user) = (db.clone(), user.clone());
            async move {
                service::pending_acks(&db, &user, &authz::audience_scope(&user), Language::ZhCn, Utc::now(), today())
                    .await
                    .expect("pending")
                    .into_iter()
                    .map(|p| (p.slug, p.version, p.overdue))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(pending(east).await, [("travel-expenses".to_string(), 1, true)], "the deadline of 2026-01-31 has passed");
        assert!(pending(west).await.is_empty(), "outside the audience nothing is asked");
        assert!(pending(agent).await.is_empty(), "staff read every page but are asked only what is addressed to them");
        let read = |user: &CurrentUser| {
            let (db, user) = (db.clone(), user.clone());
            async move {
                service::view(&db, &user, &scope(&user), &authz::audience_scope(&user), Language::ZhCn, "travel-expenses", None, today())
                    .await
                    .map(|v| v.ack)
            }
        };
        assert!(matches!(read(east).await, Ok(AckState::Due { deadline: Some(_) })));
        assert_eq!(read(agent).await, Ok(AckState::NotAsked));

        let confirm = |user: &CurrentUser, version: i64| {
            let (db, user) = (db.clone(), user.clone());
            async move {
                service::acknowledge(&db, &user, &scope(&user), &authz::audience_scope(&user), "travel-expenses", version, Utc::now()).await
            }
        };
        assert_eq!(confirm(west, 1).await, Err(AppError::NotFound), "a page outside the audience does not exist");
        assert_eq!(confirm(agent, 1).await, Err(AppError::Conflict(Conflict::NotAskedToAcknowledge)));
        assert_eq!(confirm(east, 7).await, Err(AppError::NotFound));
        confirm(east, 1).await.expect("confirmed");
        confirm(east, 1).await.expect("confirming twice is harmless");
        assert!(pending(east).await.is_empty());
        assert!(matches!(read(east).await, Ok(AckState::Given { .. })));

        let report = service::ack_report(&db, page, Utc::now()).await.expect("report").expect("the version asks");
        assert_eq!(report.version, 1);
        assert!(report.deadline_passed);
        let rows: Vec<(&str, &str, bool)> =
            report.rows.iter().map(|r| (r.organisation.as_str(), r.email.as_str(), r.acknowledged_at.is_some())).collect();
        assert_eq!(rows, [("华东制造", "east@example.com", true)], "only the audience is listed");
        let csv = service::ack_csv(&report, Language::ZhCn, "Asia/Shanghai");
        assert!(csv.starts_with("\u{feff}组织,姓名,邮箱"), "{csv}");
        assert!(csv.contains("华东制造,east@example.com,east@example.com,是,"), "{csv}");

        // Version 2 asks again; confirming version 1 now is refused, as it is not in force.
        d.body_zh = format!("{TRAVEL_BODY}\n\n## 四、补充\n住宿标准上调。");
        d.effective_on = day(2026, 3, 1);
        d.ack_deadline = None;
        service::save_draft(&db, &w.editor, Some(page), &d, Utc::now()).await.expect("draft");
        service::publish(&state(&db), &w.editor, page, Utc::now()).await.expect("v2");
        assert_eq!(pending(east).await, [("travel-expenses".to_string(), 2, false)]);
        assert_eq!(confirm(east, 1).await, Err(AppError::Conflict(Conflict::NotAskedToAcknowledge)));
        let report = service::ack_report(&db, page, Utc::now()).await.expect("report").expect("asks");
        assert_eq!((report.version, report.rows[0].acknowledged_at.is_some()), (2, false));

        // A version that does not ask cannot be confirmed, and has no report.
        let plain = publish(&db, &w, &draft(&w, "faq", "常见问题", "问答。")).await;
        assert_eq!(
            service::acknowledge(&db, east, &scope(east), &authz::audience_scope(east), "faq", 1, Utc::now()).await,
            Err(AppError::Conflict(Conflict::NotAskedToAcknowledge))
        );
        assert_eq!(service::ack_report(&db, plain, Utc::now()).await, Ok(None));

        // A deadline before the effective date is refused.
        let mut late = draft(&w, "late", "标题", "正文");
        late.requires_ack = true;
        late.ack_deadline = Some(day(2025, 12, 1));
        assert_eq!(problems(service::save_draft(&db, &w.editor, None, &late, Utc::now()).await), [(Field::AckDeadline, Problem::BeforeEffectiveDate)]);
    }

    async fn a_planned_publication_happens_once_at_its_time(db, backend, schema) {
        let w = world(&db).await;
        let now = Utc::now();
        let page = service::save_draft(&db, &w.editor, None, &draft(&w, "travel-expenses", "员工差旅费用报销标准", TRAVEL_BODY), now)
            .await
            .expect("draft");
        assert_eq!(
            problems(service::schedule(&db, &w.editor, page, now - Duration::minutes(1), now).await),
            [(Field::Schedule, Problem::InThePast)]
        );
        let at = now + Duration::hours(1);
        service::schedule(&db, &w.editor, page, at, now).await.expect("planned");
        let listed = store::editor_pages(&db).await.expect("pages");
        assert_eq!(listed[0].publish_at.map(|t| t.timestamp()), Some(at.timestamp()));

        assert_eq!(service::publish_due(&state(&db), now).await.expect("job"), 0, "not yet due");
        assert!(found(&db, &w.east_client, "差旅").await.is_empty(), "a planned page is not searchable before its time");

        // Two instances run the job at the same moment: one version, published once.
        let later = at + Duration::minutes(1);
        let (a, b) = (state(&db), state(&db));
        let (first, second) = tokio::join!(service::publish_due(&a, later), service::publish_due(&b, later));
        assert_eq!(first.expect("job") + second.expect("job"), 1);
        assert_eq!(service::publish_due(&state(&db), later).await.expect("job"), 0);
        let history = store::history(&db, page).await.expect("history");
        assert_eq!(history.iter().map(|v| (v.number, v.published_by.as_str())).collect::<Vec<_>>(), [(1, "editor@example.com")]);
        assert_eq!(store::publish_at(&db, page).await.expect("q"), None);
        assert_eq!(found(&db, &w.east_client, "差旅").await, ["travel-expenses"]);

        // A cancelled plan publishes nothing.
        let mut next = draft(&w, "travel-expenses", "员工差旅费用报销标准", "第二版。");
        next.effective_on = day(2026, 6, 1);
        service::save_draft(&db, &w.editor, Some(page), &next, now).await.expect("draft");
        service::schedule(&db, &w.editor, page, at, now).await.expect("planned");
        service::cancel_schedule(&db, &w.editor, page).await.expect("cancelled");
        assert_eq!(service::cancel_schedule(&db, &w.editor, page).await, Err(AppError::NotFound));
        assert_eq!(service::publish_due(&state(&db), later).await.expect("job"), 0);
        assert_eq!(store::history(&db, page).await.expect("history").len(), 1);

        // A plan that can no longer be carried out is dropped and the draft kept.
        let mut early = next.clone();
        early.effective_on = day(2025, 1, 1);
        service::save_draft(&db, &w.editor, Some(page), &next, now).await.expect("draft");
        service::schedule(&db, &w.editor, page, at, now).await.expect("planned");
        service::save_draft(&db, &w.editor, Some(page), &early, now).await.expect("the draft changes after planning");
        assert_eq!(service::publish_due(&state(&db), later).await.expect("job"), 0);
        assert_eq!(store::publish_at(&db, page).await.expect("q"), None);
        assert_eq!(store::history(&db, page).await.expect("history").len(), 1);
        assert!(store::page(&db, page).await.expect("q").expect("page").draft.is_some(), "the draft stays");
    }

    async fn two_versions_compare_line_by_line_within_the_audience(db, backend, schema) {
        let w = world(&db).await;
        let mut d = draft(&w, "travel-expenses", "员工差旅费用报销标准", "## 住宿\n一线城市每晚不超过500元。\n其他城市300元。");
        d.audience = Audience::Chosen { orgs: vec![w.east], tiers: vec![] };
        let page = publish(&db, &w, &d).await;
        d.body_zh = "## 住宿\n一线城市每晚不超过600元。\n其他城市300元。".into();
        d.effective_on = day(2026, 2, 1);
        service::save_draft(&db, &w.editor, Some(page), &d, Utc::now()).await.expect("draft");
        service::publish(&state(&db), &w.editor, page, Utc::now()).await.expect("v2");

        let east = &w.east_client;
        let diff = service::compare(&db, &scope(east), Language::ZhCn, "travel-expenses", 1, 2).await.expect("compare");
        assert_eq!(diff.versions, [2, 1]);
        let changed: Vec<String> = diff
            .lines
            .iter()
            .filter_map(|l| match l {
                DiffLine::Removed(p) => Some(format!("-{}", marked(p))),
                DiffLine::Added(p) => Some(format!("+{}", marked(p))),
                _ => None,
            })
            .collect();
        assert_eq!(changed, ["-一线城市每晚不超过[5]00元。", "+一线城市每晚不超过[6]00元。"]);
        let west = &w.west_client;
        assert_eq!(service::compare(&db, &scope(west), Language::ZhCn, "travel-expenses", 1, 2).await.map(|d| d.to), Err(AppError::NotFound));
        assert_eq!(service::compare(&db, &scope(east), Language::ZhCn, "travel-expenses", 1, 3).await.map(|d| d.to), Err(AppError::NotFound));
    }

    async fn editors_keep_the_synonym_list_and_search_follows_it(db, backend, schema) {
        let w = world(&db).await;
        publish(&db, &w, &draft(&w, "invoices", "发票管理办法", "取得增值税专用发票后及时报账。")).await;
        assert!(found(&db, &w.east_client, "票据").await.is_empty());
        let saved = service::save_synonyms(&db, &w.editor, "发票 = 票据\n\n发票，票据\n报销 报账", Utc::now()).await.expect("saved");
        assert_eq!(saved, 2, "blank lines skipped, the repeated set kept once");
        assert_eq!(store::synonyms(&db).await.expect("list"), ["发票 票据", "报销 报账"]);
        assert_eq!(found(&db, &w.east_client, "票据").await, ["invoices"], "the list applies at once");
        assert_eq!(
            problems(service::save_synonyms(&db, &w.editor, "发票 票据\n差旅", Utc::now()).await),
            [(Field::Synonyms, Problem::LoneTerm { line: 2 })]
        );
        assert_eq!(store::synonyms(&db).await.expect("list").len(), 2, "a refused list changes nothing");
    }

    async fn a_suggestion_opened_and_followed_by_no_request_for_a_day_is_a_deflected_question(db, backend, schema) {
        let w = world(&db).await;
        let page = publish(&db, &w, &draft(&w, "travel-expenses", "员工差旅费用报销标准", TRAVEL_BODY)).await;
        let east = &w.east_client;
        let two_days_ago = Utc::now() - Duration::days(2);
        let shown = service::suggest(&db, east, &scope(east), "form-old", "差旅报销", today(), two_days_ago).await.expect("suggest");
        assert_eq!(shown.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(), ["travel-expenses"]);
        service::opened_suggestion(&db, east, &scope(east), "form-old", "travel-expenses", 1, two_days_ago).await.expect("opened");
        service::suggest(&db, east, &scope(east), "form-new", "差旅", today(), Utc::now()).await.expect("suggest");
        service::opened_suggestion(&db, east, &scope(east), "form-new", "travel-expenses", 1, Utc::now()).await.expect("opened");
        service::suggest(&db, east, &scope(east), "form-glance", "差旅", today(), two_days_ago).await.expect("suggest");
        let counts = service::suggestion_counts(&db, page, Utc::now()).await.expect("counts");
        assert_eq!((counts.suggested, counts.opened, counts.submitted, counts.deflected), (3, 2, 0, 1), "only the old form, opened and left, is deflected");
        assert_eq!(
            service::opened_suggestion(&db, east, &scope(east), "form-unknown", "travel-expenses", 1, Utc::now()).await,
            Err(AppError::NotFound),
            "only what a form showed can be marked opened"
        );
    }
    async fn a_request_keeps_the_policy_versions_in_force_when_it_was_submitted(db, backend, schema) {
        let w = world(&db).await;
        let travel = publish(&db, &w, &draft(&w, "travel-expenses", "员工差旅费用报销标准", TRAVEL_BODY)).await;
        let mut key_only = draft(&w, "key-accounts", "重点客户差旅补充规定", "仅适用于重点客户。");
        key_only.audience = Audience::Chosen { orgs: vec![], tiers: vec![w.key_tier] };
        publish(&db, &w, &key_only).await;
        let center = orgs::center(&db).await.expect("q").expect("center").id;
        let admin = person(&db, "admin@example.com", center, Role::Admin).await;
        let general = catalogue_store::current_types(&db, false).await.expect("q").into_iter().find(|t| t.code == "general_query").expect("seeded");
        let mut type_draft = general.as_draft();
        type_draft.definition.policies = ["no-such-page", "travel-expenses#二、发票要求"].iter().filter_map(|t| PolicyLink::from_text(t)).collect();
        type_draft.definition.slots = vec![SlotSpec {
            key: "receipt".into(),
            label: Bilingual::new("收据", "Receipt"),
            kinds: vec![FileKind::Pdf],
            explanation: Bilingual::new("抬头为公司全称并注明税号。", "Made out to the company, with its tax number."),
            policy: PolicyLink::from_text("nowhere"),
            ..Default::default()
        }];
        let existing = Some((general.type_id, general.version));
        assert_eq!(
            problems(catalogue_service::save(&db, &admin, existing, &type_draft).await),
            [(Field::PolicyLinks, Problem::UnknownPolicyPage), (Field::Slot(0), Problem::UnknownPolicyPage)],
            "every link that leads nowhere is named"
        );
        type_draft.definition.policies.remove(0);
        type_draft.definition.policies.push(PolicyLink::from_text("key-accounts").expect("link"));
        type_draft.definition.slots[0].policy = PolicyLink::from_text("travel-expenses");
        catalogue_service::save(&db, &admin, existing, &type_draft).await.expect("saved");

        // The form shows the client only the pages of their audience.
        let limits = UploadLimits::default();
        let setup = requests_service::submission_form(&db, &w.east_client, limits).await.expect("form");
        assert_eq!(setup.policies.iter().map(|p| (p.slug.as_str(), p.version)).collect::<Vec<_>>(), [("travel-expenses", 1)]);
        let saved = setup.types.iter().find(|t| t.code == "general_query").expect("type");
        assert_eq!(saved.definition.policies[0].page, Some(travel), "the link names the page, not only its address");
        assert_eq!(saved.definition.policies[0].anchor.as_deref(), Some("二、发票要求"));

        let submit = |key: &str| NewRequestInput {
            type_id: Some(general.type_id),
            title: "差旅报销问题".into(),
            idempotency_key: key.into(),
            ..Default::default()
        };
        let first = requests_service::submit(&db, &limits, &w.east_client, w.east, &submit("form-1")).await.expect("submitted");
        let mut next = draft(&w, "travel-expenses", "员工差旅费用报销标准", &format!("{TRAVEL_BODY}\n\n## 四、附则\n自发布之日起施行。"));
        next.effective_on = day(2026, 6, 1);
        service::save_draft(&db, &w.editor, Some(travel), &next, Utc::now()).await.expect("draft");
        assert_eq!(service::publish(&state(&db), &w.editor, travel, Utc::now()).await.expect("published"), 2);
        let second = requests_service::submit(&db, &limits, &w.east_client, w.east, &submit("form-2")).await.expect("submitted");

        let linked = |request| {
            let db = db.clone();
            let viewer = w.agent.clone();
            async move {
                let facts = requests_store::state(&db, request).await.expect("q").expect("request");
                let detail = app::requests::page::detail(&db, &viewer, request, &facts, limits, &Default::default()).await.expect("detail");
                detail.policies.linked.iter().map(|p| (p.slug.clone(), p.version)).collect::<Vec<_>>()
            }
        };
        assert_eq!(linked(first).await, [("travel-expenses".to_string(), 1)], "the version in force then, not now");
        assert_eq!(linked(second).await, [("travel-expenses".to_string(), 2)]);
        let facts = requests_store::state(&db, first).await.expect("q").expect("request");
        let mine = app::requests::page::detail(&db, &w.east_client, first, &facts, limits, &Default::default()).await.expect("detail");
        assert_eq!(mine.policies, Default::default(), "the record is the center's");
    }

    async fn a_signed_original_belongs_to_its_page_and_reaches_the_audience_only(db, backend, schema) {
        let w = world(&db).await;
        let upload = |who: &CurrentUser, name: &str, bytes: &[u8], kind: FileKind| {
            let (db, who, name, bytes) = (db.clone(), who.id, name.to_string(), bytes.to_vec());
            async move {
                let id = files::begin_upload(&db, who, &name, Utc::now()).await.expect("begin");
                files::append_chunk(&db, id, 0, &bytes).await.expect("chunk");
                files::finish(&db, id, kind, bytes.len() as i64, "0").await.expect("finish");
                id
            }
        };
        let pdf = upload(&w.editor, "差旅报销标准（签发稿）.pdf", b"%PDF-1.7 signed", FileKind::Pdf).await;
        let png = upload(&w.editor, "scan.png", b"\x89PNG\r\n\x1a\n....", FileKind::Png).await;
        let someone_elses = upload(&w.agent, "other.pdf", b"%PDF-1.7 other", FileKind::Pdf).await;
        let mut d = draft(&w, "travel-expenses", "员工差旅费用报销标准", TRAVEL_BODY);
        d.audience = Audience::Chosen { orgs: vec![w.east], tiers: vec![] };
        for refused in [png, someone_elses] {
            d.files = vec![PolicyFile { id: refused, file_name: "x.pdf".into(), size_bytes: 1 }];
            assert_eq!(problems(service::save_draft(&db, &w.editor, None, &d, Utc::now()).await), [(Field::Files, Problem::UnknownFile)]);
        }
        assert!(store::page_id_by_slug(&db, "travel-expenses").await.expect("q").is_none(), "a refused draft leaves nothing");
        // The name and size come from the upload, whatever the draft says.
        d.files = vec![PolicyFile { id: pdf, file_name: "forged.exe".into(), size_bytes: 1 }];
        let page = service::save_draft(&db, &w.editor, None, &d, Utc::now()).await.expect("draft");
        assert_eq!(service::publish(&state(&db), &w.editor, page, Utc::now()).await.expect("published"), 1);
        let view = service::view(&db, &w.east_client, &scope(&w.east_client), &authz::audience_scope(&w.east_client), Language::ZhCn, "travel-expenses", None, today()).await.expect("view");
        assert_eq!(view.files.iter().map(|f| (f.file_name.as_str(), f.size_bytes)).collect::<Vec<_>>(), [("差旅报销标准（签发稿）.pdf", 15)]);
        assert!(store::file_readable(&db, &scope(&w.east_client), pdf).await.expect("q"));
        assert!(!store::file_readable(&db, &scope(&w.west_client), pdf).await.expect("q"), "outside the audience the file does not exist");

        // Held by the page, it is no staged upload: not attachable, not purged, not discarded.
        assert!(files::staged(&db, w.editor.id, &[pdf]).await.expect("q").is_empty());
        files::purge_abandoned(&db, Utc::now() + Duration::days(30)).await.expect("purge");
        files::discard(&db, pdf).await.expect("discard");
        assert!(files::chunk(&db, pdf, 0).await.expect("q").is_some(), "the signed original survives");
        assert!(files::chunk(&db, png, 0).await.expect("q").is_none(), "a left-over upload does not");

        assert_eq!(store::page_files(&db, page).await.expect("q").iter().map(|f| f.id).collect::<Vec<_>>(), [pdf]);
        service::unpublish(&db, &w.editor, page, Utc::now()).await.expect("unpublished");
        assert!(!store::file_readable(&db, &scope(&w.east_client), pdf).await.expect("q"), "an unpublished page takes its files along");
    }
}

fn marked(pieces: &[app::policies::search::Piece]) -> String {
    pieces.iter().map(|p| if p.hit { format!("[{}]", p.text) } else { p.text.clone() }).collect()
}
