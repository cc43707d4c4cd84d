//! RFM checked against an independent implementation: pandas groupby plus
//! numpy's percentiles (tests/reference/rfm.py), on the sample data.

use crate::util::{custlens, read_csv, reference_python, stderr, tmp};
use std::path::Path;
use std::process::Command;

#[test]
fn rfm_matches_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas (scripts/test.sh installs one)");
        return;
    };
    let dir = tmp();
    let orders = dir.path().join("orders.csv");
    let ours = dir.path().join("ours.csv");
    let theirs = dir.path().join("theirs.csv");
    let o = custlens(&["sample", "--customers", "5000", "--seed", "11", "--orders", orders.to_str().unwrap_or("")]);
    assert!(o.status.success(), "{}", stderr(&o));
    for snapshot in ["2025-01-01", "2025-06-30"] {
        let o = custlens(&[
            "rfm",
            "--orders",
            orders.to_str().unwrap_or(""),
            "--snapshot",
            snapshot,
            "--out",
            ours.to_str().unwrap_or(""),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/rfm.py");
        let r = Command::new(&py)
            .arg(&script)
            .args([orders.to_str().unwrap_or(""), "客户ID", "下单时间", "订单金额", "订单号", snapshot])
            .arg(&theirs)
            .output()
            .expect("run python");
        assert!(r.status.success(), "reference failed: {}", String::from_utf8_lossy(&r.stderr));
        let a = read_csv(&ours);
        let b = read_csv(&theirs);
        assert_eq!(a.len(), b.len(), "customer count");
        assert!(a.len() > 4000);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(&x[..7], &y[..7], "customer {}", x[0]);
        }
    }
}

/// Segment rules for the reference check: every kind of condition.
const RULES: &str = r#"{"rules": [
  {"name": "顶级", "when": {"score100": {"min": 85}}, "action": "专属客服"},
  {"name": "活跃高频", "when": {"r": {"min": 4}, "f": {"min": 3, "max": 5}}},
  {"name": "高额沉睡", "when": {"recency_days": {"min": 181}, "vs_mean": {"m": true}}},
  {"name": "沉睡", "when": {"recency_days": {"min": 181, "max": 100000}}},
  {"name": "低额", "when": {"m": {"max": 2}, "vs_mean": {"r": false, "f": false}}}],
 "other": {"name": "其他"}}"#;

#[test]
fn rfm_scale100_rules_grid_and_migration_match_pandas_reference() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas (scripts/test.sh installs one)");
        return;
    };
    let dir = tmp();
    let path = |n: &str| dir.path().join(n).to_str().unwrap_or("").to_string();
    let (orders, rules, ours, theirs, grid, moved) = (
        path("orders.csv"),
        path("rules.json"),
        path("ours.csv"),
        path("theirs.csv"),
        path("grid.json"),
        path("mig.json"),
    );
    std::fs::write(&rules, RULES).expect("rules");
    let o = custlens(&["sample", "--customers", "5000", "--seed", "11", "--orders", &orders]);
    assert!(o.status.success(), "{}", stderr(&o));
    let options = ["--scale100", "0.5,0.3,0.2", "--breaks-m", "100,500,1000,3000", "--segments", &rules];
    let mut args = vec!["rfm", "--orders", &orders, "--snapshot", "2025-01-01", "--out", &ours];
    args.extend(options);
    args.extend(["--migrate-from", "2024-07-01", "--json"]);
    let o = custlens(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/rfm.py");
    let r = Command::new(&py)
        .arg(&script)
        .args([&orders, "客户ID", "下单时间", "订单金额", "订单号", "2025-01-01", &theirs])
        .args(options)
        .args(["--grid", &grid, "--migrate-from", "2024-07-01", "--migration", &moved])
        .output()
        .expect("run python");
    assert!(r.status.success(), "reference failed: {}", String::from_utf8_lossy(&r.stderr));

    // Per customer: measures, scores and segment exactly; the 0–100 score to its 2 decimals.
    let (a, b) = (read_csv(Path::new(&ours)), read_csv(Path::new(&theirs)));
    assert_eq!(a.len(), b.len(), "customer count");
    assert!(a.len() > 4000);
    assert_eq!(a[0], b[0], "columns");
    let mut segments = std::collections::BTreeSet::new();
    for (x, y) in a.iter().zip(&b).skip(1) {
        assert_eq!(&x[..8], &y[..8], "customer {}", x[0]);
        let (s, t): (f64, f64) = (x[8].parse().expect("ours"), y[8].parse().expect("theirs"));
        assert!((s - t).abs() <= 0.005 + 1e-9, "customer {}: score100 {s} vs {t}", x[0]);
        assert!(s > 0.0 && s <= 100.0);
        segments.insert(x[7].clone());
    }
    assert!(segments.len() >= 5, "the rules split the customers: {segments:?}");

    // R × F grid: customers exactly, mean spend to the cent's rounding.
    let want: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&grid).expect("grid")).expect("grid");
    let (got, want) = (&json["rf"]["cells"], &want["cells"]);
    assert_eq!(got.as_array().map(Vec::len), Some(25));
    for (g, w) in got.as_array().into_iter().flatten().zip(want.as_array().into_iter().flatten()) {
        assert_eq!((&g["r"], &g["f"], &g["customers"]), (&w["r"], &w["f"], &w["customers"]));
        let (gm, wm) = (g["mean_monetary"].as_f64(), w["mean_monetary"].as_f64());
        assert_eq!(gm.is_some(), wm.is_some());
        assert!((gm.unwrap_or(0.0) - wm.unwrap_or(0.0)).abs() < 1e-6, "cell {g} vs {w}");
    }

    // Migration: the same matrix of customers.
    let want: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&moved).expect("mig")).expect("mig");
    let m = &json["migration"];
    let names: Vec<&str> = m["segments"].as_array().into_iter().flatten().filter_map(|s| s["Named"].as_str()).collect();
    let want_names: Vec<&str> = want["segments"].as_array().into_iter().flatten().filter_map(|s| s.as_str()).collect();
    assert_eq!(names, want_names);
    assert_eq!(m["counts"], want["counts"]);
    let total: u64 = m["counts"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r.as_array().into_iter().flatten())
        .filter_map(|x| x.as_u64())
        .sum();
    assert_eq!(total, a.len() as u64 - 1, "every customer once");
}
