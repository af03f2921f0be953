//! Fills a database with a realistic data set for load tests and benchmarks:
//!
//! ```text
//! fssc-seed [--users 5000] [--orgs 200] [--requests 200000] [--years 2]
//! ```
//!
//! The database is the one `DATABASE_URL` names (default `sqlite://data/bench.db`). It is
//! migrated first; a database that already holds the data set is left as it is.
//!
//! The data is generated from a fixed seed, so two runs with the same options produce the same
//! people, requests and timelines (only timestamps move with the clock). Its shape follows a
//! shared services center's: a few large subsidiaries send most of the work, a few clerks in
//! each send most of their subsidiary's, volume peaks at month ends and on working days,
//! recent requests are still open (some overdue) and older ones are closed.

use app::{db::Db, time::CENTER_TIME_ZONE};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use server::{
    bulk::{self, Attachment, Batch, Catalogue, Event, Membership, Organisation, People, Request, User},
    rng::Rng,
};
use std::{collections::BTreeMap, process::ExitCode, time::Instant};

const DEFAULT_DATABASE_URL: &str = "sqlite://data/bench.db";
/// The first subsidiary's code; its presence means the data set is there.
const FIRST_ORG_CODE: &str = "SUB-0001";
const EMAIL_DOMAIN: &str = "bench.example.com";
/// Timelines of exactly this length exist so the benchmark can open a long request page.
const LONG_TIMELINE: usize = 30;
/// Requests written per transaction: large enough that commits cost nothing, small enough that
/// a batch with its events and files stays in the tens of megabytes.
const BATCH_REQUESTS: usize = 5_000;
const ADMINS: usize = 5;
const ORGS_PER_MANAGER: usize = 10;

#[derive(Debug, Clone, Copy)]
struct Options {
    users: usize,
    orgs: usize,
    requests: usize,
    years: u32,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options { users: 5_000, orgs: 200, requests: 200_000, years: 2 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let number = || value.replace('_', "").parse::<usize>().map_err(|_| format!("{arg}: not a number: {value}"));
        match arg.as_str() {
            "--users" => options.users = number()?,
            "--orgs" => options.orgs = number()?,
            "--requests" => options.requests = number()?,
            "--years" => options.years = number()? as u32,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if options.orgs == 0 || options.years == 0 {
        return Err("--orgs and --years must be at least 1".into());
    }
    Ok(options)
}

const USAGE: &str = "usage: fssc-seed [--users 5000] [--orgs 200] [--requests 200000] [--years 2]\n\
    Seeds the database named by DATABASE_URL (default sqlite://data/bench.db).";

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fssc-seed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
    let started = Instant::now();
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    println!("database: {} ({:?})", redact(&url), db.backend());
    if bulk::has_organisation(&db, FIRST_ORG_CODE).await? {
        let c = bulk::counts(&db).await?;
        println!(
            "already seeded ({} organisations, {} users, {} requests, {} events, {} files); nothing to do",
            c.organisations, c.users, c.requests, c.events, c.attachments
        );
        return Ok(());
    }
    let catalogue = bulk::catalogue(&db).await?;
    let last = bulk::last_ids(&db).await?;
    let counters: BTreeMap<i32, i64> = bulk::reference_counters(&db).await?.into_iter().collect();
    let now = whole_seconds(Utc::now());
    let mut rng = Rng::new(0x5EED_F55C);

    let hash = app::auth::ssr::password::hash(app::seed::DEMO_PASSWORD).await?;
    let world = World::build(&options, &catalogue, last, now, &mut rng)?;
    bulk::insert_people(&db, &hash, &world.people).await?;
    println!(
        "{} subsidiaries, {} users ({} clients, {} org contacts, {} agents, {} customer managers, {} admins) in {:.1} s",
        world.people.organisations.len(),
        world.people.users.len(),
        world.clients_total,
        world.orgs.len(),
        world.agents.len(),
        world.managers,
        ADMINS,
        started.elapsed().as_secs_f64()
    );

    let mut generator = Generator::new(&world, &catalogue, last, counters, now, options.years);
    let times = generator.creation_times(options.requests, &mut rng);
    let mut written = (0usize, 0usize, 0usize);
    for (index, part) in times.chunks(BATCH_REQUESTS).enumerate() {
        let batch = generator.batch(part, &mut rng);
        bulk::insert_batch(&db, &batch).await?;
        written.0 += batch.requests.len();
        written.1 += batch.events.len();
        written.2 += batch.attachments.len();
        if index % 4 == 3 || written.0 == times.len() {
            println!(
                "  {:>7} / {} requests, {} events, {} files, {:.1} s",
                written.0,
                times.len(),
                written.1,
                written.2,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let counters: Vec<(i32, i64)> = generator.counters.iter().map(|(y, v)| (*y, *v)).collect();
    bulk::finish(&db, &counters).await?;
    let c = bulk::counts(&db).await?;
    println!(
        "seeded {} requests ({} open, {} with {} events), {} events, {} files in {:.1} s",
        c.requests,
        c.open,
        generator.long_timelines,
        LONG_TIMELINE,
        c.events,
        c.attachments,
        started.elapsed().as_secs_f64()
    );
    println!("sign in with password {} as", app::seed::DEMO_PASSWORD);
    for (role, id) in world.logins() {
        println!("  {role:<16} {}", world.email_of(id));
    }
    db.close().await;
    Ok(())
}

/// Hides a PostgreSQL password, should the URL carry one.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
            let colon = scheme + 3 + url[scheme + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..colon], &url[at..])
        }
        _ => url.to_string(),
    }
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at - Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos()))
}


/// Draws indices with probabilities proportional to fixed weights.
struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Weighted { cumulative }
    }

    /// Weights `1/(k+1)^s`: a few large, many small, as real customers and clerks are.
    fn zipf(n: usize, s: f64) -> Weighted {
        Weighted::new((0..n).map(|k| 1.0 / ((k + 1) as f64).powf(s)))
    }

    fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    fn draw(&self, rng: &mut Rng) -> usize {
        let x = rng.unit() * self.total();
        self.cumulative.partition_point(|c| *c <= x).min(self.cumulative.len().saturating_sub(1))
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林",
    "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀",
    "霞", "平", "刚", "英", "华", "玉", "萍", "红", "鹏", "飞", "辉", "琳", "婷", "雪", "浩", "宇", "欣", "晨",
    "佳", "俊", "文", "磊",
];
const CITIES: &[&str] = &[
    "上海", "北京", "广州", "深圳", "苏州", "杭州", "南京", "武汉", "成都", "重庆", "天津", "西安", "青岛", "宁波",
    "厦门", "长沙", "郑州", "合肥", "济南", "福州", "昆明", "大连", "无锡", "佛山", "东莞", "沈阳", "哈尔滨", "南昌",
    "贵阳", "南宁",
];
const INDUSTRIES: &[&str] = &[
    "精密制造", "国际贸易", "物流", "电子科技", "化工", "新能源", "医药", "建材", "食品", "汽车零部件", "置业",
    "信息技术", "环保科技", "机械设备", "纺织", "供应链管理", "能源", "包装材料", "半导体", "商业管理",
];
const SUPPLIERS: &[&str] = &[
    "华为技术", "顺丰速运", "中国移动", "京东物流", "宝钢股份", "万科物业", "联想集团", "德勤咨询", "中石化", "国家电网",
    "美的集团", "海尔智家", "用友网络", "金蝶软件", "中国国航",
];

fn person_name(rng: &mut Rng) -> String {
    let mut name = String::from(*rng.pick(SURNAMES));
    name.push_str(*rng.pick(GIVEN));
    if rng.chance(0.6) {
        name.push_str(*rng.pick(GIVEN));
    }
    name
}

struct Org {
    id: i64,
    /// Clients, the busiest first.
    clients: Vec<i64>,
    clerks: Weighted,
    contact: i64,
}

/// The people of the data set and how work is spread over them.
struct World {
    people: People,
    orgs: Vec<Org>,
    org_weights: Weighted,
    /// Agents of each team, in the order of `Catalogue::teams`.
    agents_by_team: Vec<Vec<i64>>,
    agents: Vec<i64>,
    managers: usize,
    clients_total: usize,
    first_user: i64,
}

impl World {
    fn build(
        options: &Options,
        catalogue: &Catalogue,
        last: bulk::LastIds,
        now: DateTime<Utc>,
        rng: &mut Rng,
    ) -> Result<World, String> {
        let orgs_n = options.orgs;
        let managers = orgs_n.div_ceil(ORGS_PER_MANAGER);
        let agents_n = (options.users * 3 / 100).max(catalogue.teams.len());
        let staff = ADMINS + managers + agents_n + orgs_n;
        if options.users < staff + orgs_n {
            return Err(format!(
                "{} users are too few for {orgs_n} subsidiaries: at least {} are needed",
                options.users,
                staff + orgs_n
            ));
        }
        let clients_n = options.users - staff;
        let since = now - Duration::days(365 * i64::from(options.years) + 60);
        let mut people = People::default();
        let mut next_user = last.user;
        let first_user = last.user + 1;
        let mut add_user = |people: &mut People, rng: &mut Rng, org: i64, role: &'static str| -> i64 {
            next_user += 1;
            let n = next_user - last.user;
            people.users.push(User {
                id: next_user,
                email: format!("user{n:05}@{EMAIL_DOMAIN}"),
                display_name: person_name(rng),
                language: if rng.chance(0.06) { "en" } else { "zh-CN" },
                created_at: since + Duration::minutes(n * 7),
            });
            people.memberships.push(Membership { user_id: next_user, org_id: org, role });
            next_user
        };

        let center = catalogue.center_org;
        for _ in 0..ADMINS {
            add_user(&mut people, rng, center, "admin");
        }
        let manager_ids: Vec<i64> = (0..managers).map(|_| add_user(&mut people, rng, center, "customer_manager")).collect();
        let mut agents_by_team = vec![Vec::new(); catalogue.teams.len()];
        let mut agents = Vec::with_capacity(agents_n);
        for k in 0..agents_n {
            let id = add_user(&mut people, rng, center, "agent");
            agents.push(id);
            // Everyone has a home team; some also cover one or two others.
            let mut teams = vec![k % catalogue.teams.len()];
            let extra = if rng.chance(0.2) { 2 } else if rng.chance(0.45) { 1 } else { 0 };
            while teams.len() < (1 + extra).min(catalogue.teams.len()) {
                let t = rng.below(catalogue.teams.len());
                if !teams.contains(&t) {
                    teams.push(t);
                }
            }
            for t in teams {
                agents_by_team[t].push(id);
                people.team_members.push((catalogue.teams[t].0, id));
            }
        }

        // Subsidiaries, the biggest first; the biggest fifth are key clients.
        let org_weights = Weighted::zipf(orgs_n, 0.6);
        let key_tier = catalogue.tiers.first().map(|t| t.0);
        let standard_tier = catalogue.tiers.get(1).or(catalogue.tiers.first()).map(|t| t.0);
        let combos = CITIES.len() * INDUSTRIES.len();
        let mut org_ids = Vec::with_capacity(orgs_n);
        for i in 0..orgs_n {
            let id = last.organisation + 1 + i as i64;
            // 37 is prime to the number of combinations, so neighbours get unrelated names.
            let combo = (i * 37) % combos;
            let mut name = format!("{}{}有限公司", CITIES[combo % CITIES.len()], INDUSTRIES[combo / CITIES.len()]);
            if i >= combos {
                name.push_str(&format!("（{}）", i / combos + 1));
            }
            people.organisations.push(Organisation {
                id,
                code: format!("SUB-{:04}", i + 1),
                name,
                tier_id: if i < orgs_n.div_ceil(5) { key_tier } else { standard_tier },
                created_at: since - Duration::days(30) + Duration::hours(i as i64),
            });
            org_ids.push(id);
        }
        for (m, manager) in manager_ids.iter().enumerate() {
            for org in org_ids.iter().skip(m * ORGS_PER_MANAGER).take(ORGS_PER_MANAGER) {
                people.manager_assignments.push((*manager, *org));
            }
        }

        // Clients in proportion to each subsidiary's volume, at least one each.
        let total = org_weights.total();
        let spare = clients_n - orgs_n;
        let mut allotted: Vec<usize> = (0..orgs_n)
            .map(|i| {
                let w = org_weights.cumulative[i] - if i == 0 { 0.0 } else { org_weights.cumulative[i - 1] };
                1 + (spare as f64 * w / total).floor() as usize
            })
            .collect();
        let mut left = clients_n - allotted.iter().sum::<usize>();
        let mut i = 0;
        while left > 0 {
            allotted[i % orgs_n] += 1;
            left -= 1;
            i += 1;
        }
        let mut orgs = Vec::with_capacity(orgs_n);
        for (i, org) in org_ids.iter().enumerate() {
            let contact = add_user(&mut people, rng, *org, "org_contact");
            let clients: Vec<i64> = (0..allotted[i]).map(|_| add_user(&mut people, rng, *org, "client")).collect();
            let clerks = Weighted::zipf(clients.len(), 1.0);
            orgs.push(Org { id: *org, clients, clerks, contact });
        }
        Ok(World { people, orgs, org_weights, agents_by_team, agents, managers, clients_total: clients_n, first_user })
    }

    fn email_of(&self, id: i64) -> String {
        format!("user{:05}@{EMAIL_DOMAIN}", id - self.first_user + 1)
    }

    /// The accounts worth signing in with: the biggest subsidiary's busiest client and its
    /// contact, an agent, a customer manager and an admin.
    fn logins(&self) -> Vec<(&'static str, i64)> {
        let mut logins = Vec::new();
        if let Some(org) = self.orgs.first() {
            if let Some(client) = org.clients.first() {
                logins.push(("client", *client));
            }
            logins.push(("org contact", org.contact));
        }
        if let Some(agent) = self.agents.first() {
            logins.push(("agent", *agent));
        }
        logins.push(("customer manager", self.first_user + ADMINS as i64));
        logins.push(("admin", self.first_user));
        logins
    }
}

/// A custom field of a type's form, as far as filling it in goes.
struct FormField {
    key: String,
    kind: String,
    required: bool,
    choices: Vec<String>,
}

/// What the generator needs to know of one request type.
struct TypeInfo {
    version_id: i64,
    code: String,
    team: usize,
    first_response_hours: i64,
    resolution_hours: i64,
    urgent_allowed: bool,
    urgent_first_response_hours: i64,
    urgent_resolution_hours: i64,
    fields: Vec<FormField>,
    /// The first file slot that takes a PDF.
    pdf_slot: Option<String>,
}

impl TypeInfo {
    fn from_catalogue(version: &bulk::TypeVersion, teams: &[(i64, String)]) -> TypeInfo {
        let definition: serde_json::Value = serde_json::from_str(&version.definition).unwrap_or_default();
        let text = |v: &serde_json::Value, key: &str| v.get(key).and_then(|s| s.as_str()).unwrap_or("").to_string();
        let fields = definition
            .get("fields")
            .and_then(|f| f.as_array())
            .map(|list| {
                list.iter()
                    .map(|f| FormField {
                        key: text(f, "key"),
                        kind: text(f, "kind"),
                        required: f.get("required").and_then(|r| r.as_bool()).unwrap_or(false),
                        choices: f
                            .get("choices")
                            .and_then(|c| c.as_array())
                            .map(|c| c.iter().map(|c| text(c, "value")).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let pdf_slot = definition.get("slots").and_then(|s| s.as_array()).and_then(|slots| {
            slots.iter().find_map(|slot| {
                let takes_pdf = slot
                    .get("kinds")
                    .and_then(|k| k.as_array())
                    .is_some_and(|kinds| kinds.iter().any(|k| k.as_str() == Some("pdf")));
                takes_pdf.then(|| text(slot, "key"))
            })
        });
        TypeInfo {
            version_id: version.id,
            code: version.code.clone(),
            team: teams.iter().position(|t| t.0 == version.team_id).unwrap_or(0),
            first_response_hours: version.first_response_hours,
            resolution_hours: version.resolution_hours,
            urgent_allowed: version.urgent_allowed,
            urgent_first_response_hours: version.urgent_first_response_hours,
            urgent_resolution_hours: version.urgent_resolution_hours,
            fields,
            pdf_slot,
        }
    }

    /// How often clients use this type, relative to the others.
    fn volume(&self) -> f64 {
        match self.code.as_str() {
            "expense_reimbursement" => 30.0,
            "payment_request" => 20.0,
            "invoice" => 12.0,
            "general_query" => 10.0,
            "ledger_close" => 6.0,
            "system_access" => 6.0,
            "tax" => 5.0,
            "master_data" => 5.0,
            "fund_transfer" => 4.0,
            "urgent_payment" => 2.0,
            _ => 3.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Submitted,
    InReview,
    AwaitingClient,
    Resolved,
    Rejected,
    Withdrawn,
    Closed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::InReview => "in_review",
            Status::AwaitingClient => "awaiting_client",
            Status::Resolved => "resolved",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Closed => "closed",
        }
    }
}

/// One step of a request's life, before it has a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Submitted,
    ClientMessage,
    Claim,
    AgentMessage,
    InternalNote,
    Ask,
    Provide,
    Transfer,
    Resolve,
    Reject,
    Withdraw,
    Close,
}

const AGENT_MESSAGES: &[&str] = &[
    "您好，单据已收到，正在审核中。",
    "已核对发票信息，金额无误，继续处理。",
    "审批流程已提交，预计今天内完成。",
    "您好，付款已排入本周付款计划。",
    "已与开户行确认账户信息，请稍候。",
    "您好，系统权限已提交IT部门开通。",
];
const CLIENT_MESSAGES: &[&str] = &[
    "请问目前处理到哪一步了？",
    "这笔款项比较急，麻烦尽快处理，谢谢！",
    "补充说明：该费用已经部门负责人口头同意。",
    "好的，谢谢。",
    "附件中的发票是电子发票，原件无需邮寄。",
];
const NOTES: &[&str] = &[
    "供应商上月有一笔重复付款，注意核对。",
    "金额超过审批权限，需财务经理复核。",
    "该子公司本月预算余额不足，已提醒客户经理。",
    "发票已在税务系统查验通过。",
];
const ASKS: &[&str] = &[
    "请补充经部门负责人签字的审批单扫描件。",
    "发票抬头与公司全称不一致，请提供正确的发票。",
    "请提供合同首页及签字页。",
    "请说明该笔费用对应的成本中心。",
    "收款账号与供应商主数据不一致，请确认。",
];
const PROVIDES: &[&str] = &[
    "已补充审批单，请查收。",
    "重新开具的发票已上传。",
    "成本中心为 CC-1001。",
    "已确认，收款账号以附件中的银行回函为准。",
];
const RESOLUTIONS: &[&str] = &[
    "已审核通过并完成入账。",
    "款项已于今日支付，请留意到账情况。",
    "发票已开具，电子版已发送至您的邮箱。",
    "主数据已更新。",
    "权限已开通，请重新登录系统。",
    "已答复，如有疑问请再次提交。",
];
const REJECTIONS: &[(&str, &str)] = &[
    ("missing_documents", "缺少必要的原始单据，请补齐后重新提交。"),
    ("invalid_invoice", "发票查验不通过，请联系开票方重开。"),
    ("over_budget", "该项支出超出本年度预算。"),
    ("not_approved", "缺少有效审批。"),
    ("duplicate", "与之前提交的申请重复。"),
    ("out_of_scope", "该事项不属于财务共享中心服务范围。"),
];
const WITHDRAWALS: &[&str] = &["提交错了，重新提交。", "业务取消。", "已线下处理。"];
const TRANSFERS: &[&str] = &["该事项应由其他小组处理。", "涉及税务问题，转税务组。"];

/// Turns timestamps into requests with their timelines and files.
struct Generator<'a> {
    world: &'a World,
    types: Vec<TypeInfo>,
    type_weights: Weighted,
    teams: Vec<i64>,
    next_request: i64,
    next_event: i64,
    next_attachment: i64,
    counters: BTreeMap<i32, i64>,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
    /// One weight per day of the window, from its first day.
    day_weights: Weighted,
    first_day: NaiveDate,
    long_timelines: usize,
}

impl<'a> Generator<'a> {
    fn new(
        world: &'a World,
        catalogue: &Catalogue,
        last: bulk::LastIds,
        counters: BTreeMap<i32, i64>,
        now: DateTime<Utc>,
        years: u32,
    ) -> Generator<'a> {
        let types: Vec<TypeInfo> =
            catalogue.types.iter().map(|t| TypeInfo::from_catalogue(t, &catalogue.teams)).collect();
        let type_weights = Weighted::new(types.iter().map(TypeInfo::volume));
        let since = now - Duration::days(365 * i64::from(years));
        let first_day = since.with_timezone(&CENTER_TIME_ZONE).date_naive();
        let last_day = now.with_timezone(&CENTER_TIME_ZONE).date_naive();
        let days = (last_day - first_day).num_days() + 1;
        let day_weights = Weighted::new((0..days).map(|d| {
            let day = first_day + Duration::days(d);
            let weekday = match day.weekday() {
                Weekday::Sat => 0.12,
                Weekday::Sun => 0.08,
                _ => 1.0,
            };
            // Month-end close (月结) and the reimbursement deadline fall on the last days.
            let to_month_end = days_in_month(day) - day.day();
            let month = if to_month_end <= 2 {
                2.6
            } else if day.day() <= 2 {
                1.6
            } else {
                1.0
            };
            // The center grows: the newest months are busier than the oldest.
            let growth = 0.85 + 0.3 * d as f64 / days as f64;
            weekday * month * growth
        }));
        Generator {
            world,
            types,
            type_weights,
            teams: catalogue.teams.iter().map(|t| t.0).collect(),
            next_request: last.request,
            next_event: last.event,
            next_attachment: last.attachment,
            counters,
            now,
            since,
            day_weights,
            first_day,
            long_timelines: 0,
        }
    }

    /// When each request was submitted, oldest first, so ids and reference numbers follow time.
    fn creation_times(&self, n: usize, rng: &mut Rng) -> Vec<DateTime<Utc>> {
        let mut times = Vec::with_capacity(n);
        while times.len() < n {
            let day = self.first_day + Duration::days(self.day_weights.draw(rng) as i64);
            // Mostly office hours; some work is sent in the evening or at night.
            let seconds = if rng.chance(0.88) {
                rng.between(8.5 * 3600.0, 18.5 * 3600.0)
            } else {
                rng.between(0.0, 86_400.0)
            };
            let local = day.and_time(NaiveTime::MIN) + Duration::seconds(seconds as i64);
            let Some(at) = CENTER_TIME_ZONE.from_local_datetime(&local).earliest() else { continue };
            let at = at.with_timezone(&Utc);
            if at > self.since && at < self.now - Duration::minutes(1) {
                times.push(at);
            }
        }
        times.sort();
        times
    }

    fn batch(&mut self, times: &[DateTime<Utc>], rng: &mut Rng) -> Batch {
        let mut batch = Batch::default();
        for created in times {
            self.request(*created, rng, &mut batch);
        }
        batch
    }

    fn request(&mut self, created: DateTime<Utc>, rng: &mut Rng, batch: &mut Batch) {
        self.next_request += 1;
        let id = self.next_request;
        let year = created.with_timezone(&CENTER_TIME_ZONE).year();
        let sequence = {
            let counter = self.counters.entry(year).or_insert(0);
            *counter += 1;
            *counter
        };
        let reference_no = format!("FS-{year}-{sequence:06}");
        let org = &self.world.orgs[self.world.org_weights.draw(rng)];
        // Now and then the finance lead submits personally.
        let requester = if rng.chance(0.04) { org.contact } else { org.clients[org.clerks.draw(rng)] };
        let ty = &self.types[self.type_weights.draw(rng)];
        let urgent = ty.urgent_allowed && rng.chance(0.04);
        let (first_hours, resolution_hours) = if urgent {
            (ty.urgent_first_response_hours, ty.urgent_resolution_hours)
        } else {
            (ty.first_response_hours, ty.resolution_hours)
        };
        let first_response_due = created + Duration::hours(first_hours);
        let mut resolution_due = created + Duration::hours(resolution_hours);
        let age = self.now - created;
        let status = status_for_age(rng, age, Duration::hours(resolution_hours));
        let long = matches!(status, Status::Closed | Status::Resolved)
            && age > Duration::days(3)
            && (self.long_timelines == 0 || rng.chance(0.0018));
        let steps = steps_for(rng, status, long);
        if long {
            self.long_timelines += 1;
        }

        // Times: the first response and the end of the work spread around the targets, some
        // late; closing follows resolution after the client rated it.
        let ends_work = matches!(status, Status::Resolved | Status::Rejected | Status::Closed | Status::Withdrawn);
        let room = age.num_seconds().max(60) as f64;
        let work = if ends_work {
            let factor = if rng.chance(0.85) { rng.between(0.1, 1.0) } else { rng.between(1.0, 2.5) };
            let cap = if status == Status::Closed { 0.6 } else { 0.95 };
            (resolution_hours as f64 * 3600.0 * factor).min(room * cap)
        } else {
            room * rng.between(0.2, 0.9)
        };
        let claim_after = {
            let factor = if rng.chance(0.85) { rng.between(0.05, 0.9) } else { rng.between(1.0, 2.0) };
            (first_hours as f64 * 3600.0 * factor).min(work * 0.3)
        };
        let close_after = if status == Status::Closed {
            let wanted = rng.between(2.0 * 3600.0, 5.0 * 86_400.0);
            work + wanted.min((room - work) * 0.9)
        } else {
            work
        };
        let times = step_times(rng, &steps, created, claim_after, work, close_after);

        let team_index = ty.team;
        let mut team = self.teams[team_index];
        let mut current = Status::Submitted;
        let mut owner: Option<i64> = None;
        let mut first_owner: Option<i64> = None;
        let mut first_responded_at = None;
        let mut awaiting_since: Option<DateTime<Utc>> = None;
        let mut resolved_at = None;
        let mut resolution: Option<String> = None;
        let mut reject_reason = None;
        let agents_of = |team_id: i64| -> &[i64] {
            let t = self.teams.iter().position(|t| *t == team_id).unwrap_or(0);
            let agents = &self.world.agents_by_team[t];
            if agents.is_empty() { &self.world.agents } else { agents }
        };
        for (step, at) in steps.iter().zip(&times) {
            self.next_event += 1;
            let mut event = Event {
                id: self.next_event,
                request_id: id,
                actor_id: requester,
                kind: "status_changed",
                action: None,
                from_status: Some(current.as_str()),
                to_status: None,
                note: None,
                internal: false,
                owner_id: None,
                team_id: None,
                reason_code: None,
                created_at: *at,
            };
            match step {
                Step::Submitted => {
                    event.kind = "submitted";
                    event.from_status = None;
                    event.to_status = Some(Status::Submitted.as_str());
                }
                Step::ClientMessage => {
                    event.kind = "message";
                    event.from_status = None;
                    event.note = Some(rng.pick(CLIENT_MESSAGES).to_string());
                }
                Step::Claim => {
                    let agent = *rng.pick(agents_of(team));
                    event.actor_id = agent;
                    event.kind = "owner_changed";
                    event.owner_id = Some(agent);
                    moves_to(&mut event, &mut current, Status::InReview, "claim");
                    owner = Some(agent);
                    first_owner = first_owner.or(Some(agent));
                    first_responded_at = first_responded_at.or(Some(*at));
                }
                Step::AgentMessage => {
                    event.actor_id = owner.unwrap_or(requester);
                    event.kind = "message";
                    event.from_status = None;
                    event.note = Some(rng.pick(AGENT_MESSAGES).to_string());
                }
                Step::InternalNote => {
                    // Colleagues of the owner's team add notes too.
                    event.actor_id = if rng.chance(0.7) { owner.unwrap_or(requester) } else { *rng.pick(agents_of(team)) };
                    event.kind = "internal_note";
                    event.from_status = None;
                    event.internal = true;
                    event.note = Some(rng.pick(NOTES).to_string());
                }
                Step::Ask => {
                    event.actor_id = owner.unwrap_or(requester);
                    event.note = Some(rng.pick(ASKS).to_string());
                    moves_to(&mut event, &mut current, Status::AwaitingClient, "ask_for_information");
                    awaiting_since = Some(*at);
                }
                Step::Provide => {
                    event.kind = "message";
                    event.note = Some(rng.pick(PROVIDES).to_string());
                    moves_to(&mut event, &mut current, Status::InReview, "provide_information");
                    // The clock stood still while the request waited on the client.
                    if let Some(paused) = awaiting_since.take() {
                        resolution_due += *at - paused;
                    }
                }
                Step::Transfer => {
                    event.actor_id = owner.unwrap_or(requester);
                    let others: Vec<i64> = self.teams.iter().copied().filter(|t| *t != team).collect();
                    let to_team = if others.is_empty() { team } else { *rng.pick(&others) };
                    let agent = *rng.pick(agents_of(to_team));
                    event.kind = "owner_changed";
                    event.note = Some(rng.pick(TRANSFERS).to_string());
                    event.owner_id = Some(agent);
                    event.team_id = Some(to_team);
                    let same = current;
                    moves_to(&mut event, &mut current, same, "transfer");
                    team = to_team;
                    owner = Some(agent);
                }
                Step::Resolve => {
                    event.actor_id = owner.unwrap_or(requester);
                    let text = rng.pick(RESOLUTIONS).to_string();
                    event.note = Some(text.clone());
                    moves_to(&mut event, &mut current, Status::Resolved, "resolve");
                    resolution = Some(text);
                    resolved_at = Some(*at);
                }
                Step::Reject => {
                    event.actor_id = owner.unwrap_or(requester);
                    let (code, text) = *rng.pick(REJECTIONS);
                    event.note = Some(text.to_string());
                    event.reason_code = Some(code);
                    moves_to(&mut event, &mut current, Status::Rejected, "reject");
                    reject_reason = Some(code);
                    resolution = Some(text.to_string());
                    resolved_at = Some(*at);
                }
                Step::Withdraw => {
                    event.note = rng.chance(0.7).then(|| rng.pick(WITHDRAWALS).to_string());
                    moves_to(&mut event, &mut current, Status::Withdrawn, "withdraw");
                    awaiting_since = None;
                }
                Step::Close => {
                    moves_to(&mut event, &mut current, Status::Closed, "close");
                }
            }
            if *step == Step::Submitted && rng.chance(0.25) {
                self.next_attachment += 1;
                let size = 2_048 + rng.below(18_433);
                let bytes = pdf_bytes(rng, size, &reference_no);
                batch.attachments.push(Attachment {
                    id: self.next_attachment,
                    request_id: id,
                    event_id: event.id,
                    slot: ty.pdf_slot.clone(),
                    internal: false,
                    file_name: format!("{}-{reference_no}.pdf", slot_label(ty.pdf_slot.as_deref())),
                    kind: "pdf",
                    sha256: sha256_hex(&bytes),
                    uploaded_by: requester,
                    created_at: created - Duration::seconds(30 + rng.below(1_800) as i64),
                    bytes,
                });
            }
            batch.events.push(event);
        }
        debug_assert_eq!(current, status);

        let (title, description, field_values) = texts(rng, ty, created, &reference_no);
        batch.requests.push(Request {
            id,
            reference_no,
            org_id: org.id,
            requester_id: requester,
            type_version_id: ty.version_id,
            team_id: team,
            title,
            description,
            field_values,
            urgent,
            urgent_reason: urgent.then(|| "月底前必须付款，否则影响供货。".to_string()),
            status: status.as_str(),
            version: steps.len() as i64,
            owner_id: owner,
            first_owner_id: first_owner,
            first_response_due,
            resolution_due,
            first_responded_at,
            awaiting_since: if status == Status::AwaitingClient { awaiting_since } else { None },
            resolved_at,
            resolution,
            reject_reason,
            idempotency_key: format!("bench-{id:09}"),
            created_at: created,
            updated_at: times.last().copied().unwrap_or(created),
        });
    }
}

fn moves_to(event: &mut Event, current: &mut Status, to: Status, action: &'static str) {
    event.action = Some(action);
    event.to_status = Some(to.as_str());
    *current = to;
}

fn days_in_month(day: NaiveDate) -> u32 {
    let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|next| next.pred_opt())
        .map(|last| last.day())
        .unwrap_or(30)
}

/// Where a request of this age stands: young ones are mostly open, old ones done.
fn status_for_age(rng: &mut Rng, age: Duration, target: Duration) -> Status {
    use Status::*;
    let table: &[(Status, f64)] = if age < target {
        &[(Submitted, 30.0), (InReview, 38.0), (AwaitingClient, 14.0), (Resolved, 12.0), (Rejected, 2.0), (Withdrawn, 4.0)]
    } else if age < Duration::days(7) {
        &[(Submitted, 3.0), (InReview, 9.0), (AwaitingClient, 8.0), (Resolved, 55.0), (Rejected, 10.0), (Withdrawn, 5.0), (Closed, 10.0)]
    } else if age < Duration::days(28) {
        &[(Submitted, 0.5), (InReview, 1.5), (AwaitingClient, 3.0), (Resolved, 15.0), (Rejected, 7.0), (Withdrawn, 5.0), (Closed, 68.0)]
    } else {
        &[(Resolved, 2.0), (Rejected, 4.0), (Withdrawn, 5.0), (Closed, 89.0)]
    };
    let weights = Weighted::new(table.iter().map(|(_, w)| *w));
    table[weights.draw(rng)].0
}

/// The steps that lead to `status`; `long` makes it exactly [`LONG_TIMELINE`] steps.
fn steps_for(rng: &mut Rng, status: Status, long: bool) -> Vec<Step> {
    let extra = [0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 6][rng.below(12)];
    let mut steps = vec![Step::Submitted];
    let withdraw_early = status == Status::Withdrawn && rng.chance(0.5);
    if status == Status::Submitted || withdraw_early {
        if extra > 1 {
            steps.push(Step::ClientMessage);
        }
        if status == Status::Withdrawn {
            steps.push(Step::Withdraw);
        }
        return steps;
    }
    steps.push(Step::Claim);
    let ending: Vec<Step> = match status {
        Status::AwaitingClient => vec![Step::Ask],
        Status::Resolved => vec![Step::Resolve],
        Status::Rejected => vec![Step::Reject],
        Status::Withdrawn => vec![Step::Withdraw],
        Status::Closed if rng.chance(0.12) => vec![Step::Reject, Step::Close],
        Status::Closed => vec![Step::Resolve, Step::Close],
        _ => Vec::new(),
    };
    let mut remaining = if long { LONG_TIMELINE.saturating_sub(steps.len() + ending.len()) } else { extra };
    let mut client_turn = false;
    while remaining > 0 {
        let r = rng.unit();
        if remaining >= 2 && r < 0.3 {
            steps.extend([Step::Ask, Step::Provide]);
            remaining -= 2;
            continue;
        }
        let step = if r < 0.45 {
            Step::InternalNote
        } else if r < 0.47 && !long {
            Step::Transfer
        } else {
            client_turn = !client_turn;
            if client_turn { Step::ClientMessage } else { Step::AgentMessage }
        };
        steps.push(step);
        remaining -= 1;
    }
    steps.extend(ending);
    steps
}

/// Times for `steps`, in seconds after `created`: the claim at `claim_after`, the work spread
/// up to `work`, and a closing step at `close_after`.
fn step_times(
    rng: &mut Rng,
    steps: &[Step],
    created: DateTime<Utc>,
    claim_after: f64,
    work: f64,
    close_after: f64,
) -> Vec<DateTime<Utc>> {
    let claim = steps.iter().position(|s| *s == Step::Claim);
    let closes = steps.last() == Some(&Step::Close);
    let work_end = if closes { steps.len() - 1 } else { steps.len() };
    let start = claim.map(|c| c + 1).unwrap_or(1);
    let start_at = claim.map(|_| claim_after).unwrap_or(0.0);
    // Steps after the claim fall at sorted random points, the last one exactly at the end.
    let mut points: Vec<f64> = (start..work_end).map(|_| rng.between(start_at, work)).collect();
    points.sort_by(f64::total_cmp);
    if let Some(last) = points.last_mut() {
        *last = work;
    }
    let mut seconds = vec![0.0];
    if claim.is_some() {
        seconds.push(claim_after);
    }
    seconds.extend(points);
    if closes {
        seconds.push(close_after);
    }
    // Steps a second apart at least, so the timeline's order is the time order.
    let mut previous = -1.0f64;
    seconds
        .into_iter()
        .map(|s| {
            let s = s.max(previous + 1.0);
            previous = s;
            created + Duration::seconds(s as i64)
        })
        .collect()
}

fn slot_label(slot: Option<&str>) -> &'static str {
    match slot {
        Some("invoice") => "发票",
        Some("approval") => "审批单",
        Some("contract") => "合同",
        Some("supporting") => "支持文件",
        Some("workpaper") => "底稿",
        Some("screenshot") => "截图",
        _ => "附件",
    }
}

/// Title, description and form values of a request of type `ty`.
fn texts(rng: &mut Rng, ty: &TypeInfo, created: DateTime<Utc>, reference: &str) -> (String, String, String) {
    let local = created.with_timezone(&CENTER_TIME_ZONE);
    let month = local.month();
    let supplier = *rng.pick(SUPPLIERS);
    let city = *rng.pick(CITIES);
    let title = match ty.code.as_str() {
        "expense_reimbursement" => match rng.below(4) {
            0 => format!("{month}月{city}出差差旅费报销"),
            1 => format!("{month}月业务招待费报销"),
            2 => "办公用品采购报销".to_string(),
            _ => format!("{month}月培训费报销"),
        },
        "payment_request" => format!("支付{supplier}{month}月货款"),
        "urgent_payment" => format!("紧急支付{supplier}预付款"),
        "invoice" => match rng.below(3) {
            0 => format!("为{supplier}开具增值税专用发票"),
            1 => format!("查验{supplier}发票"),
            _ => "红字发票申请".to_string(),
        },
        "fund_transfer" => format!("{month}月资金调拨"),
        "tax" => match rng.below(2) {
            0 => format!("{month}月增值税申报咨询"),
            _ => "企业所得税汇算清缴问题".to_string(),
        },
        "ledger_close" => format!("{}年{month}月月结调整", local.year()),
        "master_data" => match rng.below(2) {
            0 => format!("新增供应商 {supplier}"),
            _ => format!("变更{supplier}银行账户"),
        },
        "system_access" => match rng.below(3) {
            0 => "ERP系统权限申请".to_string(),
            1 => "费控系统无法登录".to_string(),
            _ => "影像系统上传失败".to_string(),
        },
        "general_query" => match rng.below(2) {
            0 => "关于差旅报销标准的咨询".to_string(),
            _ => format!("查询{supplier}付款进度"),
        },
        other => format!("{other} {reference}"),
    };
    let description = format!(
        "{title}。相关单据见附件，请审核。如有问题请联系我，分机 {}。",
        8000 + rng.below(2000)
    );
    let mut values = serde_json::Map::new();
    for field in &ty.fields {
        if !field.required && rng.chance(0.5) {
            continue;
        }
        let value = match field.kind.as_str() {
            "amount" => {
                let cents = 10_000 + rng.below(5_000_000);
                serde_json::json!({ "amount": format!("{}.{:02}", cents / 100, cents % 100), "currency": "CNY" })
            }
            "date" => serde_json::json!(local.date_naive().format("%Y-%m-%d").to_string()),
            "choice" if !field.choices.is_empty() => serde_json::json!(rng.pick(&field.choices)),
            "invoice_number" => serde_json::json!(format!("{:010}{:010}", rng.below(10_000_000_000), rng.below(10_000_000_000))),
            "long_text" => serde_json::json!(format!("{title}，详见附件。")),
            _ => serde_json::json!(match field.key.as_str() {
                "cost_center" => format!("CC-{}", 1000 + rng.below(50)),
                "period" => local.format("%Y-%m").to_string(),
                _ => supplier.to_string(),
            }),
        };
        values.insert(field.key.clone(), value);
    }
    (title, description, serde_json::Value::Object(values).to_string())
}

/// A small file that starts like a PDF, as the upload check requires.
fn pdf_bytes(rng: &mut Rng, size: usize, reference: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(size);
    bytes.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    bytes.extend_from_slice(format!("1 0 obj << /Title ({reference}) >> endobj\n").as_bytes());
    bytes.extend_from_slice(b"2 0 obj << /Length 0 >> stream\n");
    let trailer = b"\nendstream\n%%EOF\n";
    while bytes.len() + 8 + trailer.len() <= size {
        bytes.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    bytes.resize(size.saturating_sub(trailer.len()).max(bytes.len()), b' ');
    bytes.extend_from_slice(trailer);
    bytes
}

/// SHA-256 of a file, as the upload endpoint records it; written out because the seed is the
/// only place outside the upload path that needs it.
fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (state, value) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *state = state.wrapping_add(value);
        }
    }
    h.iter().map(|word| format!("{word:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_published_test_vectors() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(sha256_hex(long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }

    #[test]
    fn timelines_have_the_lengths_asked_for_and_end_in_their_status() {
        let mut rng = Rng::new(7);
        for status in [Status::Closed, Status::Resolved] {
            let steps = steps_for(&mut rng, status, true);
            assert_eq!(steps.len(), LONG_TIMELINE);
        }
        let steps = steps_for(&mut rng, Status::AwaitingClient, false);
        assert_eq!(steps.last(), Some(&Step::Ask));
    }

    #[test]
    fn steps_are_in_time_order() {
        let mut rng = Rng::new(9);
        let steps = steps_for(&mut rng, Status::Closed, true);
        let created = Utc::now();
        let times = step_times(&mut rng, &steps, created, 600.0, 86_400.0, 90_000.0);
        assert_eq!(times.len(), steps.len());
        assert!(times.windows(2).all(|w| w[0] < w[1]));
    }
}
