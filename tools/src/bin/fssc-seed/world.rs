//! The people of the data set: subsidiaries, their clerks and contacts, the center's staff,
//! and how the work is spread over them.

use crate::options::{Options, ADMINS, EMAIL_DOMAIN, ORGS_PER_MANAGER};
use chrono::{DateTime, Duration, Utc};
use tools::{
    bulk::{self, Catalogue, Membership, Organisation, People, User},
    rng::Rng,
};

/// Draws indices with probabilities proportional to fixed weights.
pub(crate) struct Weighted {
    pub(crate) cumulative: Vec<f64>,
}

impl Weighted {
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
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
    pub(crate) fn zipf(n: usize, s: f64) -> Weighted {
        Weighted::new((0..n).map(|k| 1.0 / ((k + 1) as f64).powf(s)))
    }

    pub(crate) fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    pub(crate) fn draw(&self, rng: &mut Rng) -> usize {
        let x = rng.unit() * self.total();
        self.cumulative.partition_point(|c| *c <= x).min(self.cumulative.len().saturating_sub(1))
    }
}

pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林",
    "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀",
    "霞", "平", "刚", "英", "华", "玉", "萍", "红", "鹏", "飞", "辉", "琳", "婷", "雪", "浩", "宇", "欣", "晨",
    "佳", "俊", "文", "磊",
];
pub(crate) const CITIES: &[&str] = &[
    "上海", "北京", "广州", "深圳", "苏州", "杭州", "南京", "武汉", "成都", "重庆", "天津", "西安", "青岛", "宁波",
    "厦门", "长沙", "郑州", "合肥", "济南", "福州", "昆明", "大连", "无锡", "佛山", "东莞", "沈阳", "哈尔滨", "南昌",
    "贵阳", "南宁",
];
pub(crate) const INDUSTRIES: &[&str] = &[
    "精密制造", "国际贸易", "物流", "电子科技", "化工", "新能源", "医药", "建材", "食品", "汽车零部件", "置业",
    "信息技术", "环保科技", "机械设备", "纺织", "供应链管理", "能源", "包装材料", "半导体", "商业管理",
];
pub(crate) const SUPPLIERS: &[&str] = &[
    "华为技术", "顺丰速运", "中国移动", "京东物流", "宝钢股份", "万科物业", "联想集团", "德勤咨询", "中石化", "国家电网",
    "美的集团", "海尔智家", "用友网络", "金蝶软件", "中国国航",
];

pub(crate) fn person_name(rng: &mut Rng) -> String {
    let mut name = String::from(*rng.pick(SURNAMES));
    name.push_str(*rng.pick(GIVEN));
    if rng.chance(0.6) {
        name.push_str(*rng.pick(GIVEN));
    }
    name
}

pub(crate) struct Org {
    pub(crate) id: i64,
    /// Clients, the busiest first.
    pub(crate) clients: Vec<i64>,
    pub(crate) clerks: Weighted,
    pub(crate) contact: i64,
    /// The customer manager who follows the subsidiary's low scores up.
    pub(crate) manager: Option<i64>,
}

/// The people of the data set and how work is spread over them.
pub(crate) struct World {
    pub(crate) people: People,
    pub(crate) orgs: Vec<Org>,
    pub(crate) org_weights: Weighted,
    /// Agents of each team, in the order of `Catalogue::teams`.
    pub(crate) agents_by_team: Vec<Vec<i64>>,
    pub(crate) agents: Vec<i64>,
    pub(crate) managers: usize,
    pub(crate) clients_total: usize,
    pub(crate) first_user: i64,
}

impl World {
    pub(crate) fn build(
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
            let manager = manager_ids.get(i / ORGS_PER_MANAGER).copied();
            orgs.push(Org { id: *org, clients, clerks, contact, manager });
        }
        Ok(World { people, orgs, org_weights, agents_by_team, agents, managers, clients_total: clients_n, first_user })
    }

    pub(crate) fn email_of(&self, id: i64) -> String {
        format!("user{:05}@{EMAIL_DOMAIN}", id - self.first_user + 1)
    }

    /// The accounts worth signing in with: the biggest subsidiary's busiest client and its
    /// contact, an agent, a customer manager and an admin.
    pub(crate) fn logins(&self) -> Vec<(&'static str, i64)> {
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
