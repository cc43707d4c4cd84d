//! `custlens cohorts`, `satisfaction`, `funnel` and `activity` on the sample
//! data, checked against independent pandas/numpy implementations
//! (tests/reference/{cohorts,satisfaction,funnel,activity}.py), and their
//! summaries and messages.

use crate::analyses::{assert_close, f, json_of, run_reference, s};
use crate::util::{custlens, reference_python, stderr, tmp};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Every sample table for 3000 customers (seed 11) in `dir`.
fn sample_dir(dir: &Path) -> PathBuf {
    let o = custlens(&["sample", "--customers", "3000", "--seed", "11", "--dir", s(dir)]);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.to_path_buf()
}

/// Compares `theirs` (the reference) with the same keys of `ours`: integers
/// exactly, other numbers to [`crate::analyses::REL`], nulls, strings and
/// arrays element by element.
pub fn compare(ours: &Value, theirs: &Value, at: &str) {
    match (ours, theirs) {
        (Value::Object(o), Value::Object(t)) => {
            for (k, v) in t {
                let mine = o.get(k).unwrap_or_else(|| panic!("{at}: no `{k}` in ours: {ours}"));
                compare(mine, v, &format!("{at}.{k}"));
            }
        }
        (Value::Array(o), Value::Array(t)) => {
            assert_eq!(o.len(), t.len(), "{at}: lengths");
            for (i, (a, b)) in o.iter().zip(t).enumerate() {
                compare(a, b, &format!("{at}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => {
            assert_close(a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN), at);
        }
        _ => assert_eq!(ours, theirs, "{at}"),
    }
}

/// The result's `excluded` list as an object reason → rows (as the references print it).
fn excluded_map(v: &Value) -> Value {
    let mut m = Map::new();
    for e in v.as_array().expect("excluded") {
        m.insert(e["reason"].as_str().unwrap_or("").to_string(), e["rows"].clone());
    }
    Value::Object(m)
}

#[test]
fn cohorts_match_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let orders = sample_dir(dir.path()).join("sample_orders.csv");
    for (period, max) in [("month", "12"), ("week", "8")] {
        let mut ours =
            json_of(&["cohorts", "--orders", s(&orders), "--period", period, "--max-periods", max, "--json"]);
        ours["excluded"] = excluded_map(&ours["excluded"]);
        let theirs = run_reference(&py, "cohorts.py", &[s(&orders), "客户ID", "下单时间", "订单金额", period, max]);
        compare(&ours, &theirs, period);
        assert!(ours["customers"].as_u64().unwrap_or(0) > 2900, "{period}");
        assert!(ours["excluded"]["refund"].as_u64().unwrap_or(0) > 50, "{period}");
        let cohorts = ours["cohorts"].as_array().expect("cohorts");
        let total: u64 = cohorts.iter().filter_map(|c| c["customers"].as_u64()).sum();
        assert_eq!(Some(total), ours["customers"].as_u64(), "{period}: cohort sizes add up");
    }
}

#[test]
fn cohorts_summary_and_errors() {
    let dir = tmp();
    let orders = dir.path().join("o.csv");
    std::fs::write(
        &orders,
        "客户ID,下单时间,订单金额\nA,2024-01-05,100\nB,2024-01-20,80\nA,2024-02-10,30\nB,2024-03-03,20\nC,2024-03-09,-5\n",
    )
    .expect("write");
    let o = custlens(&["cohorts", "--orders", s(&orders), "--max-periods", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // Jan cohort of 2: 1 back in Feb, 1 in Mar; A and B both bought on 2+ days.
    assert!(out.contains("2024-01") && out.contains("100.0%  50.0%  50.0%"), "{out}");
    assert!(out.contains("repurchase rate 100.0% (2 customers on 2+ days)"), "{out}");
    assert!(stderr(&o).contains("1 × refund"), "{}", stderr(&o));
    let o = custlens(&["cohorts", "--orders", s(&orders), "--map", "order_time=付款时间"]);
    assert!(!o.status.success() && stderr(&o).contains("付款时间"), "{}", stderr(&o));
    let x = json_of(&["cohorts", "--orders", s(&orders), "--json"]);
    assert_close(f(&x["repurchase"], "median_interval_days"), 39.5, "median of 36 and 43 days");
}

/// `path` rewritten to `out` with cells replaced: for each `(column, every, text)`,
/// the cell of every `every`-th data row (1-based) becomes `text` (later rules win).
/// The sample tables have no quoted cells, so lines split on commas.
fn spoil(path: &Path, out: &Path, rules: &[(&str, usize, &str)]) {
    let text = std::fs::read_to_string(path).expect("read");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let col = |name: &str| header.split(',').position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let mut w = format!("{header}\n");
    for (i, line) in lines.enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        for &(name, every, value) in rules {
            if (i + 1) % every == 0 {
                cells[col(name)] = value.to_string();
            }
        }
        w.push_str(&cells.join(","));
        w.push('\n');
    }
    std::fs::write(out, w).expect("write");
}

#[test]
fn satisfaction_matches_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let d = sample_dir(dir.path());
    let (surveys, tickets) = (d.join("surveys.csv"), d.join("tickets.csv"));
    spoil(
        &d.join("sample_surveys.csv"),
        &surveys,
        &[
            ("NPS评分", 37, "11"),
            ("NPS评分", 41, "好"),
            ("NPS评分", 43, ""),
            ("满意度CSAT", 29, "4.5"),
            ("满意度CSAT", 31, " "),
            ("费力度CES", 47, "0"),
            ("调查日期", 53, ""),
            ("调查日期", 59, "2024-13-01"),
        ],
    );
    spoil(
        &d.join("sample_tickets.csv"),
        &tickets,
        &[
            ("解决时长(小时)", 23, "-3"),
            ("解决时长(小时)", 27, "约2小时"),
            ("解决时长(小时)", 31, ""),
            ("问题类型", 19, ""),
            ("满意度", 17, "好"),
            ("满意度", 13, "6"),
            ("创建时间", 61, ""),
        ],
    );
    for (sla, edges) in [("24", "0,1,4,8,24,48,72,168"), ("8", "0,2,12,36")] {
        let ours = json_of(&[
            "satisfaction",
            "--surveys",
            s(&surveys),
            "--tickets",
            s(&tickets),
            "--sla-hours",
            sla,
            "--hours-edges",
            edges,
            "--json",
        ]);
        let theirs = run_reference(
            &py,
            "satisfaction.py",
            &[
                s(&surveys),
                "调查日期",
                "NPS评分",
                "满意度CSAT",
                "费力度CES",
                s(&tickets),
                "创建时间",
                "问题类型",
                "解决时长(小时)",
                "满意度",
                sla,
                edges,
            ],
        );
        compare(&ours, &theirs, &format!("sla {sla}"));
        let nps = &ours["surveys"]["nps"];
        assert!(nps["invalid"].as_u64().unwrap_or(0) > 30 && nps["blank"].as_u64().unwrap_or(0) > 10, "{nps}");
        assert!((-100.0..=100.0).contains(&f(nps, "value")));
        assert!(ours["tickets"]["resolution"]["invalid"].as_u64().unwrap_or(0) > 100);
    }
}

#[test]
fn satisfaction_summary_and_errors() {
    let dir = tmp();
    let surveys = dir.path().join("s.csv");
    std::fs::write(
        &surveys,
        "客户ID,调查日期,NPS评分\na,2024-01-03,10\nb,2024-01-09,9\nc,2024-02-01,3\nd,2024-02-02,11\n",
    )
    .expect("write");
    let o = custlens(&["satisfaction", "--surveys", s(&surveys)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // 2 promoters, 1 detractor of 3 valid answers: +33.3; January +100, February −100.
    assert!(out.contains("NPS (NPS评分): +33.3  — 3 answers, 0 blank, 1 invalid"), "{out}");
    assert!(out.contains("2024-01 +100.0, 2024-02 -100.0"), "{out}");
    let none = dir.path().join("n.csv");
    std::fs::write(&none, "客户ID,备注\na,x\n").expect("write");
    let o = custlens(&["satisfaction", "--surveys", s(&none)]);
    assert!(!o.status.success() && stderr(&o).contains("n.csv: no column is mapped to `nps`, `csat` or `ces`"));
    let o = custlens(&["satisfaction"]);
    assert!(!o.status.success());
}

#[test]
fn funnel_matches_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let d = sample_dir(dir.path());
    let events = d.join("events.csv");
    spoil(
        &d.join("sample_events.csv"),
        &events,
        &[("用户ID", 211, " "), ("行为时间", 223, ""), ("行为时间", 227, "2024-13-01 10:00:00"), ("行为类型", 229, "")],
    );
    let cases = [
        ("浏览,加购,下单,支付", "7", "strict", "100"),
        ("浏览,加购,下单,支付", "1", "loose", "5"),
        ("登录,浏览,加购,下单,支付", "3", "strict", "20"),
        ("下单,加购,浏览", "30", "loose", "10"),
        ("支付,浏览", "0", "strict", "10"),
    ];
    for (steps, window, order, list_max) in cases {
        let what = format!("{steps} {window} {order}");
        let mut ours = json_of(&[
            "funnel",
            "--events",
            s(&events),
            "--steps",
            steps,
            "--window-days",
            window,
            "--order",
            order,
            "--list-max",
            list_max,
            "--json",
        ]);
        ours["excluded"] = excluded_map(&ours["excluded"]);
        let theirs = run_reference(
            &py,
            "funnel.py",
            &[s(&events), "用户ID", "行为类型", "行为时间", steps, window, order, list_max],
        );
        compare(&ours, &theirs, &what);
        let counts: Vec<u64> =
            ours["steps"].as_array().expect("steps").iter().filter_map(|s| s["customers"].as_u64()).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]) && counts[0] > 200, "{what}: {counts:?}");
        assert_eq!(ours["excluded"].as_object().map(|m| m.len()), Some(4), "{what}");
    }
}

#[test]
fn funnel_summary_dropped_file_and_errors() {
    let dir = tmp();
    let events = dir.path().join("e.csv");
    std::fs::write(
        &events,
        "用户ID,行为类型,行为时间\nA,浏览,2024-01-01 10:00:00\nA,加购,2024-01-01 10:05:00\nB,浏览,2024-01-02 09:00:00\n=C,浏览,2024-01-02 09:00:00\n",
    )
    .expect("write");
    let dropped = dir.path().join("dropped.csv");
    let o = custlens(&["funnel", "--events", s(&events), "--steps", "浏览,加购", "--dropped-out", s(&dropped)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("3 customers entered") && out.contains("33.3%") && out.contains("300 s"), "{out}");
    let rows = crate::util::read_csv(&dropped);
    assert_eq!(rows, [["dropped_at_step", "step", "user_id"], ["2", "加购", "B"], ["2", "加购", "'=C"]]);
    let o = custlens(&["funnel", "--events", s(&events), "--steps", "browse,加购"]);
    let e = stderr(&o);
    assert!(
        !o.status.success() && e.contains("no event has the type `browse` (event types in the file: 浏览, 加购)"),
        "{e}"
    );
    let o = custlens(&["funnel", "--events", s(&events), "--steps", "浏览"]);
    assert!(!o.status.success() && stderr(&o).contains("at least two different"), "{}", stderr(&o));
}

#[test]
fn activity_matches_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let d = sample_dir(dir.path());
    let events = d.join("events.csv");
    spoil(
        &d.join("sample_events.csv"),
        &events,
        &[("用户ID", 307, ""), ("行为时间", 311, "昨天"), ("行为时间", 313, " ")],
    );
    let cases = [("-", "3", "1", "90"), ("2024-06-30", "0.5", "1", "90"), ("2024-03-15", "0.25", "2", "60")];
    for (as_of, active, silent, churn) in cases {
        let what = format!("as of {as_of}, {active}/week, {silent}/month, {churn} days");
        let mut args = vec![
            "activity",
            "--events",
            s(&events),
            "--active-per-week",
            active,
            "--silent-per-month",
            silent,
            "--churn-days",
            churn,
            "--json",
        ];
        if as_of != "-" {
            args.extend(["--as-of", as_of]);
        }
        let mut ours = json_of(&args);
        ours["excluded"] = excluded_map(&ours["excluded"]);
        let theirs =
            run_reference(&py, "activity.py", &[s(&events), "用户ID", "行为时间", as_of, active, silent, churn]);
        compare(&ours, &theirs, &what);
        let c = &ours["counts"];
        let parts: u64 = ["active", "regular", "silent", "churned"].iter().filter_map(|k| c[k].as_u64()).sum();
        assert_eq!(Some(parts), c["customers"].as_u64(), "{what}: the classes partition the customers");
        assert!(c["customers"].as_u64().unwrap_or(0) > 1000 && ours["trend"].as_array().map_or(0, Vec::len) > 12);
    }
    let x =
        json_of(&["activity", "--events", s(&events), "--as-of", "2024-06-30", "--active-per-week", "0.5", "--json"]);
    assert!(x["counts"]["active"].as_u64().unwrap_or(0) > 0, "some active customers with a low bar: {x}");
}

#[test]
fn activity_summary_and_errors() {
    let dir = tmp();
    let events = dir.path().join("e.csv");
    std::fs::write(&events, "用户ID,行为类型,行为时间\nA,登录,2024-01-01 10:00:00\nB,登录,2024-03-20 10:00:00\n")
        .expect("write");
    let o = custlens(&["activity", "--events", s(&events)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    // As of 03-21: A's last visit 80 days before (silent), B yesterday (regular).
    assert!(out.contains("as of 2024-03-21: 2 customers") && out.contains("silent          1   50.0%"), "{out}");
    let o = custlens(&["activity", "--events", s(&events), "--as-of", "21/03/2024"]);
    assert!(!o.status.success() && stderr(&o).contains("--as-of 21/03/2024"), "{}", stderr(&o));
    let o = custlens(&["activity", "--events", s(&events), "--map", "event_time=时间"]);
    assert!(!o.status.success() && stderr(&o).contains("`时间`"), "{}", stderr(&o));
}
