//! Start-up data: the first admin of a real deployment, and the demo organisation set with,
//! unless asked not to, its history (history.rs).

mod history;

use crate::{
    auth::{ssr::{password, store as users}},
    catalogue::store as catalogue,
    db::Db,
    error::AppError,
    kernel::{Language, OrgId, Role, UserId},
    orgs::{OrgKind, store as orgs},
    requests::store as requests,
    state::AppState,
    time::DEFAULT_TIME_ZONE,
    validation::Email,
};

/// One demo login, as printed at start-up.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub org_code: &'static str,
    pub display_name: &'static str,
}

pub const DEMO_PASSWORD: &str = "fssc-demo-2026";

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin { email: "client.east@example.com", password: DEMO_PASSWORD, role: Role::Client, org_code: "SUB-EAST", display_name: "王芳" },
    DemoLogin { email: "client.west@example.com", password: DEMO_PASSWORD, role: Role::Client, org_code: "SUB-WEST", display_name: "李强" },
    DemoLogin { email: "contact.east@example.com", password: DEMO_PASSWORD, role: Role::OrgContact, org_code: "SUB-EAST", display_name: "陈静" },
    DemoLogin { email: "agent1@example.com", password: DEMO_PASSWORD, role: Role::Agent, org_code: "FSSC", display_name: "张伟" },
    DemoLogin { email: "agent2@example.com", password: DEMO_PASSWORD, role: Role::Agent, org_code: "FSSC", display_name: "刘洋" },
    DemoLogin { email: "manager@example.com", password: DEMO_PASSWORD, role: Role::CustomerManager, org_code: "FSSC", display_name: "赵敏" },
    DemoLogin { email: "admin@example.com", password: DEMO_PASSWORD, role: Role::Admin, org_code: "FSSC", display_name: "孙磊" },
];

/// Creates the demo subsidiaries and accounts unless they exist, and with `history` their
/// past three months (see [`history`]) unless they have requests already. Safe to run at
/// every start.
pub async fn seed_demo(state: &AppState, history: bool) -> Result<&'static [DemoLogin], AppError> {
    let db = &state.db;
    let key_tier = orgs::tier_by_code(db, "key").await?;
    let standard_tier = orgs::tier_by_code(db, "standard").await?;
    let east = orgs::ensure(db, "SUB-EAST", "华东制造有限公司", OrgKind::Subsidiary, key_tier).await?;
    let west = orgs::ensure(db, "SUB-WEST", "西南贸易有限公司", OrgKind::Subsidiary, standard_tier).await?;
    let center = orgs::find_by_code(db, "FSSC").await?.ok_or(AppError::Internal)?.id;
    let org_of = |code: &str| -> OrgId {
        match code {
            "SUB-EAST" => east,
            "SUB-WEST" => west,
            _ => center,
        }
    };
    for login in DEMO_LOGINS {
        let id = ensure_user(db, login.email, login.display_name, login.password).await?;
        users::set_membership(db, id, org_of(login.org_code), Some(login.role)).await?;
        for team in demo_teams(login.email) {
            if let Some(team) = catalogue::team_by_code(db, team).await? {
                catalogue::add_team_member(db, team, id).await?;
            }
        }
        if login.role == Role::CustomerManager {
            users::set_manager_assignment(db, id, east, true).await?;
            users::set_manager_assignment(db, id, west, true).await?;
        }
    }
    if let Some(expenses) = catalogue::team_by_code(db, "expenses").await? {
        if requests::canned_replies(db, &[expenses]).await?.is_empty() {
            let author = users::find_id_by_email(db, &Email::parse("agent1@example.com").map_err(|e| AppError::Invalid(vec![e]))?)
                .await?
                .ok_or(AppError::Internal)?;
            for (title, body) in DEMO_CANNED_REPLIES {
                requests::add_canned_reply(db, expenses, title, body, author, chrono::Utc::now()).await?;
            }
        }
    }
    if history {
        let now = chrono::Utc::now();
        history::seed(state, now).await?;
        demo_statements(state, now).await?;
    }
    Ok(DEMO_LOGINS)
}

/// A price list in force since the history began, and the statements of its past months, as
/// the job would have issued them. Skipped once a price list exists.
async fn demo_statements(state: &AppState, now: chrono::DateTime<chrono::Utc>) -> Result<(), AppError> {
    use crate::billing::{store as prices, statement_service::{self, Telling}, statement_store, CheckedPriceList, CreditRule, Currency};
    let db = &state.db;
    use chrono::{Datelike, Months};
    if !prices::versions(db).await?.is_empty() {
        return Ok(());
    }
    let this_month = now.with_timezone(&crate::time::CENTER_TIME_ZONE).date_naive().with_day(1).ok_or(AppError::Internal)?;
    let start = this_month.checked_sub_months(Months::new(3)).ok_or(AppError::Internal)?;
    let types = crate::operations::store::types(db).await?;
    let key = orgs::tier_by_code(db, "key").await?;
    let tiers = crate::operations::store::tiers(db).await?;
    // Queries cost least, documents with money at stake most (CNY).
    let price_of = |n: usize| [6_000, 12_000, 15_000, 18_000, 9_000, 20_000, 8_000, 10_000][n % 8];
    let list = CheckedPriceList {
        effective_from: start,
        currency: Currency::Cny,
        month_end_days: 5,
        month_end_percent: 20,
        credit_cap_percent: 10,
        prices: types.iter().enumerate().map(|(n, t)| (crate::kernel::TypeId(t.id), price_of(n))).collect(),
        quotas: key.map(|k| vec![(k, 5)]).unwrap_or_default(),
        credits: types
            .iter()
            .flat_map(|t| tiers.iter().map(move |tier| (t.id, tier.id)))
            .map(|(type_id, tier_id)| CreditRule {
                type_id: crate::kernel::TypeId(type_id),
                tier_id: crate::kernel::TierId(tier_id),
                first_response_percent: 10,
                resolution_percent: 30,
            })
            .collect(),
    };
    let admin = users::find_id_by_email(db, &Email::parse("admin@example.com").map_err(|e| AppError::Invalid(vec![e]))?)
        .await?
        .ok_or(AppError::Internal)?;
    prices::insert(db, &list, admin, now).await?;
    let mut month = start;
    while month < this_month {
        for (org, tier) in statement_store::subsidiaries(db).await? {
            statement_service::issue(state, org, tier, month, Telling::Nobody, now).await?;
        }
        month = month.checked_add_months(Months::new(1)).ok_or(AppError::Internal)?;
    }
    demo_disputes(state, this_month, now).await
}

/// East's contact disputes a line of two statements: the one of two months back was accepted
/// (its statement has a corrected revision), last month's waits for the manager's answer.
async fn demo_disputes(state: &AppState, this_month: chrono::NaiveDate, now: chrono::DateTime<chrono::Utc>) -> Result<(), AppError> {
    use crate::billing::{
        dispute::{AnswerInput, DisputeInput},
        dispute_service::{self, Actor},
        dispute_store,
        statement_service::Telling,
        statement_store,
    };
    let db = &state.db;
    let person = |email: &'static str| async move {
        let id = users::find_id_by_email(db, &Email::parse(email).map_err(|e| AppError::Invalid(vec![e]))?).await?.ok_or(AppError::Internal)?;
        let name = DEMO_LOGINS.iter().find(|l| l.email == email).map(|l| l.display_name).unwrap_or(email);
        Ok::<_, AppError>(Actor { id, name })
    };
    let contact = person("contact.east@example.com").await?;
    let manager = person("manager@example.com").await?;
    let east = orgs::find_by_code(db, "SUB-EAST").await?.ok_or(AppError::Internal)?.id;
    let cases: [(u32, &str, Option<&str>); 2] = [
        (2, "该笔付款申请为重复提交，上月已结算，请核减。", Some("经核实为重复提交，本行免收，已出具修订版。")),
        (1, "该笔查询当天即撤回后重新提交，是否应计费？请核实。", None),
    ];
    for (months_back, reason, answer) in cases {
        let month = this_month.checked_sub_months(chrono::Months::new(months_back)).ok_or(AppError::Internal)?;
        let Some((statement_id, _)) = dispute_store::latest_revision(db, east, month).await? else { continue };
        let statement = statement_store::get(db, statement_id).await?.ok_or(AppError::Internal)?;
        // A billed line without a credit, so the credited ones stay open to dispute.
        let Some(line) = statement.lines.iter().position(|l| !l.free && l.credit_minor == 0) else { continue };
        let input = DisputeInput { statement_id, line_no: line as i64 + 1, reason: reason.to_string() };
        let dispute_id = dispute_service::open(state, contact, &input, Telling::Nobody, now).await?;
        if let Some(answer) = answer {
            let input = AnswerInput { dispute_id, accept: true, corrected_amount: "0".into(), answer: answer.to_string() };
            dispute_service::answer(state, manager, &input, Telling::Nobody, now).await?;
        }
    }
    Ok(())
}

/// The teams each demo agent works in.
fn demo_teams(email: &str) -> &'static [&'static str] {
    match email {
        "agent1@example.com" => &["service_desk", "expenses", "treasury"],
        "agent2@example.com" => &["expenses", "payables", "tax"],
        _ => &[],
    }
}

const DEMO_CANNED_REPLIES: &[(&str, &str)] = &[
    ("发票抬头不符", "您好，发票抬头与公司全称不一致，请联系开票方重开后重新上传。"),
    ("缺少审批单", "您好，请补充经部门负责人签字的审批单扫描件。"),
    ("已付款", "您好，款项已于今日支付，请留意到账情况。"),
];

/// Creates the first admin from the operator's settings when the portal has no users yet.
pub async fn bootstrap_admin(db: &Db, email: &str, password_text: &str) -> Result<bool, AppError> {
    if users::count_users(db).await? > 0 {
        return Ok(false);
    }
    let center = orgs::find_by_code(db, "FSSC").await?.ok_or(AppError::Internal)?.id;
    let id = ensure_user(db, email, "Administrator", password_text).await?;
    users::set_membership(db, id, center, Some(Role::Admin)).await?;
    Ok(true)
}

async fn ensure_user(db: &Db, email: &str, name: &str, password_text: &str) -> Result<UserId, AppError> {
    let email = Email::parse(email).map_err(|e| AppError::Invalid(vec![e]))?;
    if let Some(id) = users::find_id_by_email(db, &email).await? {
        return Ok(id);
    }
    let hash = password::hash(password_text).await?;
    users::create_user(
        db,
        users::NewUser {
            email: &email,
            display_name: name,
            password_hash: &hash,
            language: Language::ZhCn,
            time_zone: DEFAULT_TIME_ZONE,
        },
    )
    .await
}
