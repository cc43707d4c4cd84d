//! `custlens compare` on the sample data, checked against an independent
//! pandas/scipy implementation (tests/reference/compare.py) for metrics of
//! every source kind, months and weeks, MoM and YoY, ranges and before/after
//! windows (Welch's t-test against `scipy.stats.ttest_ind(equal_var=False)`);
//! the files, the summary and the messages.

use crate::analyses::{json_of, run_reference, s};
use crate::analyses2::compare;
use crate::util::{custlens, read_csv, reference_python, stderr, tmp};
use serde_json::{Map, Value};
use std::path::Path;

/// Every sample table for 3000 customers (seed 11) in `dir`.
fn sample(dir: &Path) {
    let o = custlens(&["sample", "--customers", "3000", "--seed", "11", "--dir", s(dir)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Our result with `rows.excluded` as an object reason → rows (as the reference prints it).
fn reshaped(mut v: Value) -> Value {
    let mut m = Map::new();
    for e in v["rows"]["excluded"].as_array().expect("excluded") {
        m.insert(e["reason"].as_str().unwrap_or("").to_string(), e["rows"].clone());
    }
    v["rows"]["excluded"] = Value::Object(m);
    v
}

#[test]
fn compare_matches_pandas_and_scipy_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy, scipy") else {
        eprintln!("SKIPPED: no python3 with pandas, numpy and scipy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    sample(dir.path());
    let file = |kind: &str| dir.path().join(format!("sample_{kind}.csv"));
    // kind, metric, period, mode, range
    let periods = [
        ("orders", "revenue", "month", "mom", None),
        ("orders", "aov", "month", "yoy", None),
        ("orders", "orders", "week", "mom", None),
        ("orders", "new_buyers", "month", "yoy", Some(("2024-01-01", "2024-06-30"))),
        ("orders", "buyers", "week", "yoy", Some(("2024-10-01", "2024-12-31"))),
        ("events", "active_customers", "month", "yoy", None),
        ("events", "events", "week", "mom", None),
        ("tickets", "complaints", "month", "mom", None),
        ("tickets", "tickets", "week", "yoy", None),
        ("surveys", "csat", "month", "mom", None),
        ("surveys", "nps", "month", "yoy", Some(("2023-06-15", "2024-12-31"))),
        ("surveys", "answers", "week", "mom", None),
    ];
    for (kind, metric, period, mode, range) in periods {
        let what = format!("{metric} by {period}, {mode}, {range:?}");
        let f = file(kind);
        let flag = format!("--{kind}");
        let mut args = vec!["compare", &flag, s(&f), "--metric", metric, "--period", period, "--mode", mode, "--json"];
        let (from, to) = range.unwrap_or(("-", "-"));
        if range.is_some() {
            args.extend(["--from", from, "--to", to]);
        }
        let ours = reshaped(json_of(&args));
        let theirs = run_reference(&py, "compare.py", &[s(&f), kind, metric, "periods", period, mode, from, to]);
        compare(&ours, &theirs, &what);
        let points = ours["points"].as_array().expect("points");
        assert!(points.len() >= 6, "{what}: {} periods", points.len());
        let with_rate = points.iter().filter(|p| p["change_pct"].is_f64()).count();
        assert!(with_rate >= points.len() / 2, "{what}: most periods have a relative change");
    }
    // The sample has refunds, unreadable times and amounts: they are left out and counted.
    let r = reshaped(json_of(&["compare", "--orders", s(&file("orders")), "--json"]));
    assert!(r["rows"]["excluded"]["refund"].as_u64().unwrap_or(0) > 50, "{}", r["rows"]);
    assert!(r["rows"]["excluded"]["bad_time"].as_u64().unwrap_or(0) > 0, "{}", r["rows"]);

    // kind, metric, date, window days
    let windows = [
        ("orders", "revenue", "2024-06-01", "30"),
        ("orders", "orders", "2024-03-15", "14"),
        ("orders", "aov", "2024-06-01", "30"),
        ("orders", "new_buyers", "2023-07-01", "28"),
        ("events", "active_customers", "2024-09-01", "60"),
        ("tickets", "complaints", "2024-03-15", "14"),
        ("surveys", "csat", "2024-06-01", "30"),
        ("surveys", "answers", "2024-12-20", "30"),
    ];
    let mut tested = 0;
    for (kind, metric, date, window) in windows {
        let what = format!("{metric} before/after {date}, {window} days");
        let f = file(kind);
        let flag = format!("--{kind}");
        let args = ["compare", &flag, s(&f), "--metric", metric, "--before-after", date, "--window", window, "--json"];
        let ours = reshaped(json_of(&args));
        let theirs = run_reference(&py, "compare.py", &[s(&f), kind, metric, "before_after", date, window]);
        compare(&ours, &theirs, &what);
        tested += usize::from(ours["test"]["welch"].is_object());
        if ["aov", "csat"].contains(&metric) {
            assert_eq!(ours["test"]["not_applicable"], "ratio_metric", "{what}");
        }
    }
    assert_eq!(tested, 6, "every additive metric is tested");
    let late = json_of(&[
        "compare",
        "--surveys",
        s(&file("surveys")),
        "--metric",
        "answers",
        "--before-after",
        "2024-12-20",
        "--json",
    ]);
    assert_eq!(late["after"]["covered"], false, "the window after 2024-12-20 runs past the data");
}

#[test]
fn compare_files_summary_and_errors() {
    let dir = tmp();
    let orders = dir.path().join("o.csv");
    std::fs::write(
        &orders,
        "订单号,客户ID,下单时间,订单金额\nO1,A,2024-01-05,100\nO2,B,2024-01-20,50.5\nO3,A,2024-03-02,30\nO4,C,2024-03-09,-5\n",
    )
    .expect("write");
    let out = dir.path().join("mom.csv");
    let o = custlens(&["compare", "--orders", s(&orders), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("revenue by month against the previous period"), "{text}");
    assert!(text.contains("2024-02") && text.contains("-150.50") && text.contains("-100.0%"), "{text}");
    assert!(stderr(&o).contains("1 × refund"), "{}", stderr(&o));
    let rows = read_csv(&out);
    assert_eq!(rows[0], ["metric", "period", "start", "value", "base_period", "base", "change", "change_pct"]);
    assert_eq!(rows[1], ["revenue", "2024-01", "2024-01-01", "150.50", "2023-12", "", "", ""]);
    assert_eq!(rows[2], ["revenue", "2024-02", "2024-02-01", "0.00", "2024-01", "150.50", "-150.50", "-1"]);
    assert_eq!(rows[3], ["revenue", "2024-03", "2024-03-01", "30.00", "2024-02", "0.00", "30.00", ""]);
    // Before/after: the figures as item–value rows; the workbook adds the daily values.
    let ba = dir.path().join("ba.csv");
    let o = custlens(&[
        "compare",
        "--orders",
        s(&orders),
        "--metric",
        "orders",
        "--before-after",
        "2024-02-01",
        "--window",
        "31",
        "--out",
        s(&ba),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("orders before and after 2024-02-01 (31 days each)") && text.contains("Welch's t-test"),
        "{text}"
    );
    let rows = read_csv(&ba);
    let item = |k: &str| rows.iter().find(|r| r[0] == k).map(|r| r[1].clone()).unwrap_or_default();
    assert_eq!((item("before_value"), item("after_value"), item("change")), ("2".into(), "1".into(), "-1".into()));
    assert_eq!(item("before_from"), "2024-01-01");
    let book = dir.path().join("ba.xlsx");
    let o = custlens(&[
        "compare",
        "--orders",
        s(&orders),
        "--metric",
        "orders",
        "--before-after",
        "2024-02-01",
        "--out",
        s(&book),
    ]);
    assert!(o.status.success() && std::fs::metadata(&book).map(|m| m.len()).unwrap_or(0) > 1000, "{}", stderr(&o));

    for (args, message) in [
        (
            vec!["compare", "--events", s(&orders)],
            "--metric revenue: it reads a table of orders; give it with --orders FILE",
        ),
        (
            vec!["compare", "--orders", s(&orders), "--metric", "profit"],
            "--metric profit: expected one of revenue, orders",
        ),
        (vec!["compare", "--orders", s(&orders), "--from", "2024-01-01"], "--from and --to go together"),
        (
            vec!["compare", "--orders", s(&orders), "--from", "2024-03-01", "--to", "2024-01-01"],
            "the range 2024-03-01 … 2024-01-01 is not valid",
        ),
        (
            vec!["compare", "--orders", s(&orders), "--before-after", "2024-02-01", "--window", "0"],
            "a before/after window of 0 days is not valid",
        ),
        (
            vec!["compare", "--orders", s(&orders), "--before-after", "1/2/2024"],
            "--before-after 1/2/2024: expected a date",
        ),
        (vec!["compare", "--orders", s(&orders), "--mode", "qoq"], "--mode qoq: expected mom or yoy"),
    ] {
        let o = custlens(&args);
        assert!(!o.status.success() && stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
}
