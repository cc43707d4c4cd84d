//! `custlens channels` on the sample data, checked against an independent
//! pandas implementation (tests/reference/channels.py); attribution totals as
//! a property; the summary, files and messages.

use crate::analyses::{assert_close, run_reference, s};
use crate::analyses2::compare;
use crate::util::{custlens, read_csv, reference_python, stderr, tmp};
use custlens::engine::analyze::channels::{attribute, AttributionModel, ChannelParams};
use custlens::engine::clean::table::TextTable;
use custlens::engine::date::Day;
use custlens::engine::ingest::fields::{auto_map, SourceKind};
use custlens::engine::unify::Source;
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::path::Path;

/// Every sample table for 3000 customers (seed 11) in `dir`.
fn sample(dir: &Path) {
    let o = custlens(&["sample", "--customers", "3000", "--seed", "11", "--dir", s(dir)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `list` (objects) as an object keyed by `key(item)`.
fn keyed(list: &Value, key: impl Fn(&Value) -> String) -> Value {
    let mut m = Map::new();
    for item in list.as_array().expect("list") {
        m.insert(key(item), item.clone());
    }
    Value::Object(m)
}

/// Our JSON reshaped like the reference's: models and channels keyed by name.
fn reshape(ours: &Value) -> Value {
    let a = &ours["attribution"];
    let name = |v: &Value| v["channel"].as_str().unwrap_or("").to_string();
    let mut models = Map::new();
    for m in a["models"].as_array().expect("models") {
        models.insert(m["model"].as_str().unwrap_or("").to_string(), keyed(&m["credits"], name));
    }
    let mut attribution = a.as_object().expect("attribution").clone();
    attribution.insert("models".into(), Value::Object(models));
    let new = a["new_customers"].as_array().expect("new customers");
    attribution.insert("new_customers".into(), new.iter().map(|c| (name(c), c["customers"].clone())).collect());
    let mut out = Map::new();
    out.insert("attribution".into(), Value::Object(attribution));
    out.insert("channels".into(), keyed(&ours["channels"], name));
    out.insert(
        "by_period".into(),
        keyed(&ours["by_period"], |v| format!("{}|{}", name(v), v["period"].as_str().unwrap_or(""))),
    );
    Value::Object(out)
}

#[test]
fn channels_match_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    sample(dir.path());
    let f = |n: &str| dir.path().join(n);
    let (channels, touches, orders) = (f("sample_channels.csv"), f("sample_touchpoints.csv"), f("sample_orders.csv"));
    for lookback in ["30", "7"] {
        let o = custlens(&[
            "channels",
            "--channels",
            s(&channels),
            "--touchpoints",
            s(&touches),
            "--orders",
            s(&orders),
            "--lookback-days",
            lookback,
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let ours: Value = serde_json::from_slice(&o.stdout).expect("json");
        let theirs = run_reference(&py, "channels.py", &[s(&channels), s(&touches), s(&orders), lookback]);
        let mine = reshape(&ours);
        compare(&mine, &theirs, &format!("lookback {lookback}"));
        // Same channels listed (ours lists zero credits too; theirs the channels credited).
        let listed = |v: &Value| v.as_object().map(|m| m.len()).unwrap_or(0);
        assert_eq!(listed(&mine["channels"]), listed(&theirs["channels"]));
        assert_eq!(listed(&mine["by_period"]), listed(&theirs["by_period"]));
        // Every model shares out exactly the orders' revenue, and all the orders.
        let a = &ours["attribution"];
        let (orders_n, revenue) = (a["orders"].as_f64().unwrap_or(0.0), a["revenue"].as_i64().unwrap_or(0));
        assert!(orders_n > 10_000.0 && a["orders_direct"].as_u64().unwrap_or(0) > 100, "{a}");
        for m in a["models"].as_array().expect("models") {
            let credits = m["credits"].as_array().expect("credits");
            let sum: i64 = credits.iter().map(|c| c["revenue"].as_i64().unwrap_or(0)).sum();
            assert_eq!(sum, revenue, "{}", m["model"]);
            let n: f64 = credits.iter().map(|c| c["orders"].as_f64().unwrap_or(0.0)).sum();
            assert_close(n, orders_n, "orders credited");
        }
        let direct_revenue = theirs["attribution"]["models"]["linear"]["(direct / none)"]["revenue"].as_i64();
        assert!(direct_revenue.unwrap_or(0) > 0);
    }
}

#[test]
fn channels_summary_files_and_errors() {
    let dir = tmp();
    let p = |n: &str| dir.path().join(n).to_str().unwrap_or("").to_string();
    let (m, t, o, c, a, x) = (p("m.csv"), p("t.csv"), p("o.csv"), p("c.csv"), p("a.csv"), p("c.xlsx"));
    std::fs::write(
        p("m.csv"),
        "月份,渠道,访客数,点击数,订单数,费用\n2024-01,搜索,1000,100,5,200\n2024-01,自然,0,0,0,0\n",
    )
    .expect("write");
    std::fs::write(&t, "客户ID,渠道,触点时间\na,搜索,2024-01-01 10:00:00\na,自然,2024-01-10 10:00:00\n")
        .expect("write");
    std::fs::write(&o, "订单号,客户ID,下单时间,订单金额\nO1,a,2024-01-20 10:00:00,100\nO2,b,2024-01-21,50\n")
        .expect("write");
    let args = ["channels", "--channels", &m, "--touchpoints", &t, "--orders", &o];
    let mut with_out = args.to_vec();
    with_out.extend(["--out", &c, "--attribution-out", &a]);
    let run = custlens(&with_out);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(out.contains("revenue from last_touch attribution; new customers from first touch"), "{out}");
    // 自然 has no visitors, clicks or cost: its rates and ROI are "—", never NaN or inf.
    let natural = out.lines().find(|l| l.trim_start().starts_with("自然")).expect("自然 row");
    assert!(natural.contains('—') && !natural.contains("NaN") && !natural.contains("inf"), "{natural}");
    assert!(
        out.contains("attribution (30-day lookback): 2 orders, revenue 150.00; 1 with touchpoints, 1 direct / none")
    );
    let rows = read_csv(Path::new(&c));
    assert_eq!(rows[0][..6], ["channel", "period", "uv", "clicks", "orders", "cost"].map(String::from));
    // 搜索: last touch gives it nothing (自然 was last): ROI (0 − 200) / 200; first touch made a customer: CAC 200.
    assert_eq!(
        (rows[1][0].as_str(), rows[1][9].as_str(), rows[1][10].as_str(), rows[1][12].as_str()),
        ("搜索", "0.00", "-1", "200")
    );
    assert_eq!((rows[2][0].as_str(), rows[2][6].as_str(), rows[2][10].as_str()), ("自然", "", ""));
    let credits = read_csv(Path::new(&a));
    assert_eq!(credits.len(), 1 + 4 * 3);
    assert!(
        credits.contains(&["linear", "搜索", "0.5", "50.00", "0.3333333333333333"].map(String::from).to_vec()),
        "{credits:?}"
    );
    let mut xlsx = args.to_vec();
    xlsx.extend(["--out", &x, "--revenue-model", "linear"]);
    let run = custlens(&xlsx);
    assert!(run.status.success() && Path::new(&x).metadata().map(|m| m.len()).unwrap_or(0) > 1000, "{}", stderr(&run));
    let run = custlens(&["channels", "--touchpoints", &t]);
    assert!(!run.status.success() && stderr(&run).contains("--orders"), "{}", stderr(&run));
    let run = custlens(&["channels", "--touchpoints", &m, "--orders", &o]);
    assert!(
        !run.status.success() && stderr(&run).contains("m.csv: no column is mapped to the field `user_id`"),
        "{}",
        stderr(&run)
    );
    let run = custlens(&[&args[..], &["--revenue-model", "best"]].concat());
    assert!(!run.status.success() && stderr(&run).contains("--revenue-model best"), "{}", stderr(&run));
}

/// Touches: (customer, channel, hour).
type Touches = Vec<(u8, u8, u32)>;
/// Order lines: (customer, order no., hour, cents).
type OrderLines = Vec<(u8, u8, u32, i64)>;

fn touch_table() -> impl Strategy<Value = (Touches, OrderLines)> {
    (
        prop::collection::vec((0u8..4, 0u8..4, 0u32..2000), 0..40),
        prop::collection::vec((0u8..5, 0u8..6, 0u32..2000, -5_000i64..1_000_000), 1..30),
    )
}

/// A moment `hour` hours after 2024-01-01 00:00.
fn at(hour: u32) -> String {
    let start = Day::from_ymd(2024, 1, 1).expect("day").days();
    format!("{} {:02}:00:00", Day::from_days(start + (hour / 24) as i32), hour % 24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_model_shares_out_exactly_the_orders((touches, orders) in touch_table(), lookback in 0u32..10) {
        let mut t = TextTable::new(["客户ID", "渠道", "触点时间"].map(String::from).to_vec());
        for (i, (c, ch, h)) in touches.iter().enumerate() {
            t.push(i as u64 + 2, [format!("u{c}"), format!("ch{ch}"), at(*h)].iter().map(String::as_str));
        }
        let mut o = TextTable::new(["订单号", "客户ID", "下单时间", "订单金额"].map(String::from).to_vec());
        let mut total = 0i64;
        for (i, (c, n, h, cents)) in orders.iter().enumerate() {
            total += cents * 100;
            let amount = format!("{}{}.{:02}", if *cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100);
            o.push(i as u64 + 2, [format!("O{c}-{n}"), format!("u{c}"), at(*h), amount].iter().map(String::as_str));
        }
        let (tm, om) = (auto_map(SourceKind::Channels, &t.headers), auto_map(SourceKind::Orders, &o.headers));
        let touch_src = Source { file: "t", mapping: &tm, table: &t };
        let order_src = Source { file: "o", mapping: &om, table: &o };
        let params = ChannelParams { lookback_days: lookback, ..ChannelParams::default() };
        let a = attribute(&touch_src, &order_src, &params).expect("attribution");
        prop_assert_eq!(a.revenue.units(), total);
        prop_assert_eq!(a.orders_touched + a.orders_direct, a.orders);
        for m in &a.models {
            prop_assert_eq!(m.credits.iter().map(|c| c.revenue.units()).sum::<i64>(), total);
            let n: f64 = m.credits.iter().map(|c| c.orders).sum();
            prop_assert!((n - a.orders as f64).abs() < 1e-9, "{:?}: {} of {}", m.model, n, a.orders);
            prop_assert!(m.credits.iter().all(|c| c.orders >= 0.0));
            let direct = m.credits.iter().find(|c| c.direct).expect("direct bucket");
            prop_assert_eq!(direct.orders, a.orders_direct as f64);
        }
        // Single-touch models credit whole orders; first and last agree on the direct bucket.
        for model in [AttributionModel::FirstTouch, AttributionModel::LastTouch] {
            let m = a.models.iter().find(|m| m.model == model).expect("model");
            prop_assert!(m.credits.iter().all(|c| c.orders.fract() == 0.0));
        }
        let customers: u64 = a.new_customers.iter().map(|c| c.customers).sum();
        let distinct: std::collections::BTreeSet<u8> = orders.iter().map(|o| o.0).collect();
        prop_assert_eq!(customers, distinct.len() as u64);
    }
}
