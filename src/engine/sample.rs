//! A deterministic, realistic sample dataset: customers with Chinese names,
//! phones and provinces, and their orders over two years — with the small
//! messes real exports have (mixed date formats, order lines sharing an
//! order number, refunds, a few unusable rows). Used by "load sample data",
//! the tests and the benchmarks. Same seed, same bytes.

use crate::engine::date::Day;
use std::io::{self, Write};

/// What to generate.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SampleSpec {
    /// Number of customers.
    pub customers: usize,
    /// Random seed.
    pub seed: u64,
}

impl Default for SampleSpec {
    fn default() -> SampleSpec {
        SampleSpec { customers: 20_000, seed: 20_240_601 }
    }
}

/// xoshiro256** seeded through splitmix64: small, fast, reproducible everywhere.
pub struct Rng([u64; 4]);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.f64().max(1e-12);
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "华", "建国", "晓东", "子涵", "欣怡", "浩然", "梓萱", "宇轩", "雨桐", "思远", "佳怡", "俊杰",
    "诗涵",
];
/// Provinces with a weight (customers per 100) and a capital city.
const PROVINCES: &[(&str, &str, u32)] = &[
    ("广东省", "广州市", 12),
    ("江苏省", "南京市", 9),
    ("浙江省", "杭州市", 9),
    ("山东省", "济南市", 7),
    ("北京市", "北京市", 7),
    ("上海市", "上海市", 7),
    ("四川省", "成都市", 6),
    ("河南省", "郑州市", 5),
    ("湖北省", "武汉市", 5),
    ("福建省", "福州市", 5),
    ("湖南省", "长沙市", 4),
    ("河北省", "石家庄市", 4),
    ("安徽省", "合肥市", 4),
    ("陕西省", "西安市", 3),
    ("重庆市", "重庆市", 3),
    ("辽宁省", "沈阳市", 3),
    ("天津市", "天津市", 2),
    ("云南省", "昆明市", 2),
    ("江西省", "南昌市", 2),
    ("广西壮族自治区", "南宁市", 1),
];
const CHANNELS: &[&str] = &["APP", "小程序", "官网", "天猫", "京东", "线下门店"];
const CATEGORIES: &[&str] =
    &["手机数码", "家用电器", "美妆个护", "服饰鞋包", "食品生鲜", "家居日用", "母婴用品", "图书文娱"];
const LEVELS: &[&str] = &["普通", "银卡", "金卡", "钻石"];

/// One generated order line.
struct Line {
    day: i32,
    secs: u32,
    customer: u32,
    order_seq: u32,
    cents: i64,
    category: u8,
    channel: u8,
}

fn first_day() -> i32 {
    Day::from_ymd(2023, 1, 1).map_or(19_358, Day::days)
}

const SPAN_DAYS: i32 = 731; // 2023-01-01 ..= 2024-12-31

fn customer_id(i: u32) -> String {
    format!("C{:06}", i + 1)
}

/// One generated CRM record (also what the other tables use to refer to a customer).
struct Person {
    name: String,
    phone: String,
    email: Option<String>,
}

fn person(rng: &mut Rng, i: u32) -> Person {
    let name = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
    let phone = format!("1{}{}{:08}", rng.pick(&[3, 5, 8, 8, 3, 7, 9]), rng.below(10), rng.below(100_000_000));
    let email =
        (rng.f64() < 0.6).then(|| format!("c{}@{}", 10_000 + i, rng.pick(&["qq.com", "163.com", "example.com"])));
    Person { name, phone, email }
}

/// The CRM records' contact details, in customer order (deterministic per seed).
fn people(spec: SampleSpec) -> Vec<Person> {
    let mut rng = Rng::new(spec.seed ^ 0x5EED_0F9E_091E);
    (0..spec.customers as u32).map(|i| person(&mut rng, i)).collect()
}

/// Writes the customers table (CRM export) as UTF-8 CSV. About 0.5 % of the
/// customers appear a second time under a new id (`D…`) with the same name
/// and phone — the duplicate records a merge should find.
pub fn write_customers<W: Write>(spec: SampleSpec, mut w: W) -> io::Result<()> {
    let mut rng = Rng::new(spec.seed ^ 0xC0FFEE);
    let people = people(spec);
    writeln!(w, "客户ID,姓名,手机号,邮箱,性别,年龄,省份,城市,会员等级,渠道来源,注册时间")?;
    let total_weight: u32 = PROVINCES.iter().map(|p| p.2).sum();
    let mut duplicates = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let gender = if rng.f64() < 0.52 { "女" } else { "男" };
        let age = (18.0 + (rng.normal() * 11.0 + 34.0).clamp(0.0, 60.0)) as u32;
        let mut k = rng.below(u64::from(total_weight)) as u32;
        let (prov, city, _) = PROVINCES
            .iter()
            .find(|p| {
                let hit = k < p.2;
                k = k.saturating_sub(p.2);
                hit
            })
            .unwrap_or(&PROVINCES[0]);
        let level = LEVELS[(rng.f64().powi(2) * 4.0) as usize];
        let channel = rng.pick(CHANNELS);
        let reg = Day::from_days(first_day() - 400 + rng.below(900) as i32);
        let email = p.email.as_deref().unwrap_or("");
        let id = customer_id(i as u32);
        writeln!(w, "{id},{},{},{email},{gender},{age},{prov},{city},{level},{channel},{reg}", p.name, p.phone)?;
        if rng.f64() < 0.005 {
            // Re-registered in another store: new id, same person, fewer details.
            duplicates.push(format!("D{:06},{},{},,{gender},,{prov},,普通,{channel},{reg}", i + 1, p.name, p.phone));
        }
    }
    for d in duplicates {
        writeln!(w, "{d}")?;
    }
    Ok(())
}

/// How a service or survey system refers to a customer.
fn reference(rng: &mut Rng, i: u32, p: &Person, by_contact: f64) -> String {
    let roll = rng.f64();
    if roll < 0.004 {
        format!("X{:06}", rng.below(1_000_000)) // nobody in the CRM: an orphan
    } else if roll < 0.004 + by_contact {
        // Another system keyed by contact details: resolved by phone or e-mail.
        p.email.clone().filter(|_| rng.f64() < 0.5).unwrap_or_else(|| p.phone.clone())
    } else {
        customer_id(i)
    }
}

const TICKET_TYPES: &[&str] = &["咨询", "物流查询", "退换货", "售后维修", "投诉-产品质量", "投诉-服务态度"];

/// Writes service tickets as UTF-8 CSV: about 30 % of customers have one to
/// four; 3 % of tickets name the customer by phone or e-mail instead of id,
/// 0.4 % name nobody in the CRM. Returns the number of rows.
pub fn write_tickets<W: Write>(spec: SampleSpec, mut w: W) -> io::Result<u64> {
    let mut rng = Rng::new(spec.seed ^ 0x71C4E7);
    let people = people(spec);
    writeln!(w, "工单号,客户ID,创建时间,问题类型,解决时长(小时),满意度,客服工号")?;
    let mut rows = 0u64;
    let mut lines = Vec::new();
    for (i, p) in people.iter().enumerate() {
        if rng.f64() >= 0.3 {
            continue;
        }
        for _ in 0..1 + rng.below(4) {
            let day = first_day() + rng.below(SPAN_DAYS as u64) as i32;
            let secs = (8 * 3600 + rng.below(12 * 3600)) as u32;
            let kind = TICKET_TYPES[(rng.f64().powf(1.3) * TICKET_TYPES.len() as f64) as usize];
            let hours = ((rng.normal() * 0.9 + 2.3).exp() * 10.0).round() / 10.0;
            let base = if kind.starts_with("投诉") { 2.6 } else { 4.1 };
            let satisfaction = if rng.f64() < 0.3 {
                String::new()
            } else {
                ((base + rng.normal() * 0.9 - hours / 100.0).round().clamp(1.0, 5.0) as u32).to_string()
            };
            let who = reference(&mut rng, i as u32, p, 0.03);
            let agent = format!("A{:03}", 1 + rng.below(40));
            lines.push((day, secs, who, kind, hours, satisfaction, agent));
        }
    }
    lines.sort_by_key(|l| (l.0, l.1));
    for (n, (day, secs, who, kind, hours, satisfaction, agent)) in lines.into_iter().enumerate() {
        let (h, m) = (secs / 3600, secs / 60 % 60);
        let day = Day::from_days(day);
        writeln!(w, "T{:07},{who},{day} {h:02}:{m:02}:00,{kind},{hours},{satisfaction},{agent}", n + 1)?;
        rows += 1;
    }
    Ok(rows)
}

const COMMENTS: &[&str] = &[
    "",
    "",
    "物流很快，包装完好",
    "客服态度好，问题解决及时",
    "价格有点贵",
    "退货流程太慢",
    "质量不错，会回购",
    "发货慢，等了一周",
    "APP 经常卡顿",
    "推荐给朋友了",
];

/// Writes survey answers (NPS 0–10, CSAT 1–5, CES 1–5, comment) as UTF-8
/// CSV: about 20 % of customers answered once or twice; 5 % of answers are
/// keyed by e-mail or phone. Returns the number of rows.
pub fn write_surveys<W: Write>(spec: SampleSpec, mut w: W) -> io::Result<u64> {
    let mut rng = Rng::new(spec.seed ^ 0x5C0BE7);
    let people = people(spec);
    writeln!(w, "客户ID,调查日期,NPS评分,满意度CSAT,费力度CES,意见反馈")?;
    let mut rows = 0u64;
    for (i, p) in people.iter().enumerate() {
        if rng.f64() >= 0.2 {
            continue;
        }
        for _ in 0..1 + rng.below(2) {
            let day = Day::from_days(first_day() + rng.below(SPAN_DAYS as u64) as i32);
            let mood = rng.normal();
            let nps = ((mood * 2.2 + 7.6).round().clamp(0.0, 10.0)) as u32;
            let csat = ((mood * 0.9 + 3.9).round().clamp(1.0, 5.0)) as u32;
            let ces = ((-mood * 0.8 + 2.4 + rng.normal() * 0.5).round().clamp(1.0, 5.0)) as u32;
            let comment = rng.pick(COMMENTS);
            let who = reference(&mut rng, i as u32, p, 0.05);
            writeln!(w, "{who},{day},{nps},{csat},{ces},{comment}")?;
            rows += 1;
        }
    }
    Ok(rows)
}

const STEPS: &[&str] = &["登录", "浏览", "加购", "下单", "支付"];
const DEVICES: &[&str] = &["iOS", "Android", "Windows", "macOS"];

/// Writes behaviour events as UTF-8 CSV: about 40 % of customers have a few
/// sessions (登录 → 浏览 … → 加购 → 下单 → 支付, each step fewer), with
/// durations; a few negative durations and sub-3-second views. Returns the
/// number of rows.
pub fn write_events<W: Write>(spec: SampleSpec, mut w: W) -> io::Result<u64> {
    let mut rng = Rng::new(spec.seed ^ 0xE7E27);
    writeln!(w, "用户ID,行为类型,行为时间,商品ID,停留时长(秒),渠道,设备")?;
    let mut rows = 0u64;
    for i in 0..spec.customers as u32 {
        if rng.f64() >= 0.4 {
            continue;
        }
        let device = rng.pick(DEVICES);
        let channel = rng.pick(&["APP", "小程序", "官网"]);
        for _ in 0..1 + rng.below(6) {
            let day = Day::from_days(first_day() + rng.below(SPAN_DAYS as u64) as i32);
            let mut secs = (7 * 3600 + rng.below(16 * 3600)) as u32;
            let product = format!("P{:04}", 1 + rng.below(500));
            // How far down the funnel this session goes.
            let depth = [0.0, 0.75, 0.35, 0.6, 0.85].iter().take_while(|&&p| p == 0.0 || rng.f64() < p).count();
            for (s, step) in STEPS.iter().enumerate().take(depth) {
                let views = if s == 1 { 1 + rng.below(4) } else { 1 };
                for _ in 0..views {
                    let duration = match rng.below(1000) {
                        0..=2 => -5,
                        3..=40 => 1 + rng.below(2) as i64,
                        _ => 5 + rng.below(300) as i64,
                    };
                    let item = if s == 0 { "" } else { product.as_str() };
                    let (h, m, sec) = (secs / 3600, secs / 60 % 60, secs % 60);
                    writeln!(
                        w,
                        "{},{step},{day} {h:02}:{m:02}:{sec:02},{item},{duration},{channel},{device}",
                        customer_id(i)
                    )?;
                    secs = (secs + duration.unsigned_abs() as u32 + 3).min(86_399);
                    rows += 1;
                }
            }
        }
    }
    Ok(rows)
}

/// Writes the orders table as UTF-8 CSV with Chinese headers, sorted by time.
/// Returns the number of data rows.
pub fn write_orders<W: Write>(spec: SampleSpec, mut w: W) -> io::Result<u64> {
    let mut rng = Rng::new(spec.seed);
    let mut lines: Vec<Line> = Vec::new();
    let start = first_day();
    for c in 0..spec.customers as u32 {
        // Each customer is active in a window of their own, so recency spreads out.
        let a = rng.below(SPAN_DAYS as u64) as i32;
        let len = ((rng.f64().powf(0.7)) * f64::from(SPAN_DAYS - a)) as i32;
        let orders = (rng.normal() * 0.9 + 1.1).exp().round().clamp(1.0, 150.0) as u32;
        let level = (rng.normal() * 0.6 + 5.3).exp(); // typical order value of this customer
        let fav_cat = rng.below(CATEGORIES.len() as u64) as u8;
        let fav_channel = rng.below(CHANNELS.len() as u64) as u8;
        for _ in 0..orders {
            let day = start + a + rng.below(len as u64 + 1) as i32;
            let hour = if rng.f64() < 0.45 { 19 + rng.below(4) } else { 8 + rng.below(11) };
            let secs = (hour * 3600 + rng.below(3600)) as u32;
            let cents = ((rng.normal() * 0.5).exp() * level * 100.0).round().max(100.0) as i64;
            let category = if rng.f64() < 0.6 { fav_cat } else { rng.below(CATEGORIES.len() as u64) as u8 };
            let channel = if rng.f64() < 0.7 { fav_channel } else { rng.below(CHANNELS.len() as u64) as u8 };
            let refund = rng.f64() < 0.01;
            let cents = if refund { -cents } else { cents };
            if rng.f64() < 0.1 && !refund {
                // Two lines of one order.
                let first = cents * 3 / 5;
                lines.push(Line { day, secs, customer: c, order_seq: 0, cents: first, category, channel });
                let other = rng.below(CATEGORIES.len() as u64) as u8;
                lines.push(Line {
                    day,
                    secs,
                    customer: c,
                    order_seq: 1,
                    cents: cents - first,
                    category: other,
                    channel,
                });
            } else {
                lines.push(Line { day, secs, customer: c, order_seq: 0, cents, category, channel });
            }
        }
    }
    lines.sort_by_key(|l| (l.day, l.secs, l.customer, l.order_seq));
    writeln!(w, "订单号,客户ID,下单时间,订单金额,商品品类,渠道")?;
    let mut order_no = 0u64;
    let mut rows = 0u64;
    for l in &lines {
        if l.order_seq == 0 {
            order_no += 1;
        }
        let day = Day::from_days(l.day);
        let (h, m, s) = (l.secs / 3600, l.secs / 60 % 60, l.secs % 60);
        let sign = if l.cents < 0 { "-" } else { "" };
        let amount = format!("{sign}{}.{:02}", l.cents.abs() / 100, l.cents.abs() % 100);
        let roll = rng.below(10_000);
        // The small messes of real exports (deterministic): ~0.15 % unusable rows,
        // ~5 % of dates written the Excel/Chinese way.
        let time = match roll {
            0..=4 => "2024-02-30 10:00:00".to_string(),
            5..=7 => String::new(),
            200..=399 => {
                let nd = day.to_naive();
                use chrono::Datelike;
                format!("{}/{}/{} {h}:{m:02}", nd.year(), nd.month(), nd.day())
            }
            400..=499 => {
                let nd = day.to_naive();
                use chrono::Datelike;
                format!("{}年{}月{}日", nd.year(), nd.month(), nd.day())
            }
            _ => format!("{day} {h:02}:{m:02}:{s:02}"),
        };
        let amount = match roll {
            8..=10 => "N/A".to_string(),
            11..=12 => format!("¥{amount}"),
            _ => amount,
        };
        let customer = if (13..=14).contains(&roll) { String::new() } else { customer_id(l.customer) };
        writeln!(
            w,
            "O{order_no:09},{customer},{time},{amount},{},{}",
            CATEGORIES[l.category as usize], CHANNELS[l.channel as usize]
        )?;
        rows += 1;
    }
    Ok(rows)
}

/// The orders sample as bytes.
pub fn orders_csv(spec: SampleSpec) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_orders(spec, &mut out);
    out
}

/// Every sample table as `(file name, bytes)`: customers, orders, tickets,
/// surveys and events.
pub fn all_tables(spec: SampleSpec) -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let mut customers = Vec::new();
    let mut tickets = Vec::new();
    let mut surveys = Vec::new();
    let mut events = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_customers(spec, &mut customers);
    let _ = write_tickets(spec, &mut tickets);
    let _ = write_surveys(spec, &mut surveys);
    let _ = write_events(spec, &mut events);
    out.push(("sample_customers.csv", customers));
    out.push(("sample_orders.csv", orders_csv(spec)));
    out.push(("sample_tickets.csv", tickets));
    out.push(("sample_surveys.csv", surveys));
    out.push(("sample_events.csv", events));
    out
}

/// Marketing channels: name, weight (share of touchpoints), cost per click
/// (yuan) and click-through rate.
const MARKETING: &[(&str, u32, f64, f64)] = &[
    ("搜索广告", 30, 2.8, 0.06),
    ("信息流", 25, 1.2, 0.025),
    ("社交媒体", 18, 0.9, 0.03),
    ("邮件", 10, 0.15, 0.08),
    ("线下活动", 5, 12.0, 0.2),
    ("自然流量", 12, 0.0, 0.1),
];

fn marketing_channel(rng: &mut Rng) -> usize {
    let total: u32 = MARKETING.iter().map(|m| m.1).sum();
    let mut k = rng.below(u64::from(total)) as u32;
    MARKETING
        .iter()
        .position(|m| {
            let hit = k < m.1;
            k = k.saturating_sub(m.1);
            hit
        })
        .unwrap_or(0)
}

/// One generated touchpoint: seconds since 1970 (wall clock), customer, channel.
struct TouchLine {
    at: i64,
    customer: String,
    channel: usize,
}

/// The touchpoints before the sample orders: each customer has a channel
/// they came through; about 70 % of orders have one to four touches in the
/// 40 days before (so some fall outside a 30-day window), 40 % of them
/// through the customer's own channel; a few touches come after an order.
fn touch_lines(spec: SampleSpec) -> Vec<TouchLine> {
    let orders = orders_csv(spec);
    let text = String::from_utf8_lossy(&orders);
    // customer → order times (one per order number), in file order (by time).
    let mut by_customer: std::collections::BTreeMap<String, Vec<i64>> = std::collections::BTreeMap::new();
    let mut last_order = "";
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (Some(order), Some(customer), Some(time)) = (cells.first(), cells.get(1), cells.get(2)) else { continue };
        if customer.is_empty() || *order == last_order {
            continue;
        }
        last_order = order;
        if let Ok(ts) = crate::engine::date::parse_timestamp(time) {
            by_customer
                .entry(customer.to_string())
                .or_default()
                .push(i64::from(ts.day.days()) * 86_400 + i64::from(ts.secs));
        }
    }
    let mut rng = Rng::new(spec.seed ^ 0x70C4_9017);
    let mut lines = Vec::new();
    for (customer, mut times) in by_customer {
        times.sort_unstable();
        let own = marketing_channel(&mut rng);
        for (k, &at) in times.iter().enumerate() {
            if rng.f64() >= 0.7 {
                continue;
            }
            let n = 1 + rng.below(4);
            let mut offsets: Vec<i64> = (0..n).map(|_| 60 + rng.below(40 * 86_400) as i64).collect();
            offsets.sort_unstable_by(|a, b| b.cmp(a));
            for (j, off) in offsets.into_iter().enumerate() {
                let channel = if (k == 0 && j == 0) || rng.f64() < 0.4 { own } else { marketing_channel(&mut rng) };
                lines.push(TouchLine { at: at - off, customer: customer.clone(), channel });
            }
            if rng.f64() < 0.05 {
                let channel = marketing_channel(&mut rng);
                lines.push(TouchLine {
                    at: at + 1 + rng.below(3 * 86_400) as i64,
                    customer: customer.clone(),
                    channel,
                });
            }
        }
    }
    lines.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.customer.cmp(&b.customer)));
    lines
}

fn month_key(at: i64) -> (i32, u32) {
    use chrono::Datelike;
    let d = Day::from_days(at.div_euclid(86_400) as i32).to_naive();
    (d.year(), d.month())
}

/// Writes per-customer touchpoints (客户ID, 渠道, 触点时间) as UTF-8 CSV,
/// sorted by time: a channels table for attribution. Returns the number of rows.
pub fn write_touchpoints<W: Write>(spec: SampleSpec, mut w: W) -> io::Result<u64> {
    writeln!(w, "客户ID,渠道,触点时间")?;
    let lines = touch_lines(spec);
    for l in &lines {
        let day = Day::from_days(l.at.div_euclid(86_400) as i32);
        let secs = l.at.rem_euclid(86_400);
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        writeln!(w, "{},{},{day} {h:02}:{m:02}:{s:02}", l.customer, MARKETING[l.channel].0)?;
    }
    Ok(lines.len() as u64)
}

/// Writes monthly channel totals (月份, 渠道, 访客数, 点击数, 订单数, 投放费用)
/// as UTF-8 CSV, one row per month of the touchpoints and channel: clicks
/// follow the touchpoints, visitors the channel's click-through rate, cost its
/// cost per click (自然流量 costs nothing). Returns the number of rows.
pub fn write_channels<W: Write>(spec: SampleSpec, mut w: W) -> io::Result<u64> {
    let mut touches: std::collections::BTreeMap<((i32, u32), usize), u64> = std::collections::BTreeMap::new();
    for l in touch_lines(spec) {
        *touches.entry((month_key(l.at), l.channel)).or_insert(0) += 1;
    }
    let mut rng = Rng::new(spec.seed ^ 0xC4A7_7E15);
    writeln!(w, "月份,渠道,访客数,点击数,订单数,投放费用")?;
    let mut rows = 0u64;
    for (((y, m), c), n) in touches {
        let (name, _, cpc, ctr) = MARKETING[c];
        let clicks = n * 10 + rng.below(50);
        let uv = (clicks as f64 / (ctr * (0.8 + 0.4 * rng.f64()))).round() as u64;
        let orders = (clicks as f64 * (0.02 + 0.03 * rng.f64())).round() as u64;
        let cents = (clicks as f64 * cpc * (0.9 + 0.2 * rng.f64()) * 100.0).round() as i64;
        writeln!(w, "{y:04}-{m:02},{name},{uv},{clicks},{orders},{}.{:02}", cents / 100, cents % 100)?;
        rows += 1;
    }
    Ok(rows)
}

/// The marketing sample tables as `(file name, bytes)`: monthly channel
/// totals and per-customer touchpoints (both of kind channels), matching the
/// orders of [`all_tables`].
pub fn channel_tables(spec: SampleSpec) -> Vec<(&'static str, Vec<u8>)> {
    let (mut channels, mut touchpoints) = (Vec::new(), Vec::new());
    // Writing to a Vec cannot fail.
    let _ = write_channels(spec, &mut channels);
    let _ = write_touchpoints(spec, &mut touchpoints);
    vec![("sample_channels.csv", channels), ("sample_touchpoints.csv", touchpoints)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_recognised_and_keyed() {
        use crate::engine::ingest::fields::{detect_kind, SourceKind};
        let tables = all_tables(SampleSpec { customers: 2000, seed: 5 });
        let kinds: Vec<SourceKind> = tables
            .iter()
            .map(|(_, b)| {
                let text = String::from_utf8_lossy(b);
                let header: Vec<String> = text.lines().next().unwrap_or("").split(',').map(str::to_string).collect();
                detect_kind(&header)
            })
            .collect();
        use SourceKind::*;
        assert_eq!(kinds, vec![Customers, Orders, Tickets, Surveys, Events]);
        let text = String::from_utf8_lossy(&tables[0].1).into_owned();
        assert!(text.lines().any(|l| l.starts_with('D')), "duplicate CRM records");
        let tickets = String::from_utf8_lossy(&tables[2].1).into_owned();
        assert!(tickets.lines().skip(1).any(|l| l.split(',').nth(1).is_some_and(|c| c.starts_with('1'))), "phone keys");
        assert!(tickets.lines().skip(1).any(|l| l.split(',').nth(1).is_some_and(|c| c.starts_with('X'))), "orphans");
        for (_, b) in &tables {
            let text = String::from_utf8_lossy(b);
            let width = text.lines().next().unwrap_or("").split(',').count();
            assert!(text.lines().all(|l| l.split(',').count() == width));
        }
    }

    #[test]
    fn deterministic() {
        let spec = SampleSpec { customers: 300, seed: 7 };
        assert_eq!(orders_csv(spec), orders_csv(spec));
        assert_ne!(orders_csv(spec), orders_csv(SampleSpec { seed: 8, ..spec }));
    }

    #[test]
    fn looks_like_an_export() {
        let text = String::from_utf8(orders_csv(SampleSpec { customers: 500, seed: 1 })).unwrap_or_default();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("订单号,客户ID,下单时间,订单金额,商品品类,渠道"));
        let rows: Vec<&str> = lines.collect();
        assert!(rows.len() > 1000, "{} rows", rows.len());
        assert!(rows.iter().all(|r| r.split(',').count() == 6));
        let mut customers = Vec::new();
        assert!(write_customers(SampleSpec { customers: 5, seed: 1 }, &mut customers).is_ok());
        let c = String::from_utf8(customers).unwrap_or_default();
        assert!(c.lines().count() >= 6);
        assert!(c.lines().nth(1).is_some_and(|l| l.starts_with("C000001,")));
    }
    #[test]
    fn channel_tables_are_channels_and_touch_before_orders() {
        use crate::engine::ingest::fields::{detect_kind, SourceKind};
        let spec = SampleSpec { customers: 400, seed: 5 };
        let tables = channel_tables(spec);
        assert_eq!(tables, channel_tables(spec), "deterministic");
        assert_eq!(all_tables(spec).len(), 5, "the five source tables are unchanged");
        for (name, bytes) in &tables {
            let text = String::from_utf8_lossy(bytes);
            let header: Vec<String> = text.lines().next().unwrap_or("").split(',').map(str::to_string).collect();
            assert_eq!(detect_kind(&header), SourceKind::Channels, "{name}");
            assert!(text.lines().count() > 20, "{name}");
        }
        let channels = String::from_utf8_lossy(&tables[0].1).into_owned();
        assert!(channels.lines().any(|l| l.starts_with("2023-01,搜索广告,")));
        assert!(channels.lines().filter(|l| l.contains(",自然流量,")).all(|l| l.ends_with(",0.00")));
    }
}
