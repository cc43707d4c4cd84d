//! `custlens pareto`, `crosstab` and `profile` on the sample data, checked
//! against independent implementations (pandas/numpy for Pareto and Gini and
//! the column profiles, scipy's `chi2_contingency` for the cross-tab:
//! tests/reference/*.py), and the messages for bad column names and
//! degenerate tables.

use crate::util::{custlens, read_csv, reference_python, stderr, tmp};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Relative agreement the reference checks ask for.
pub const REL: f64 = 1e-9;

pub fn assert_close(ours: f64, theirs: f64, what: &str) {
    let scale = ours.abs().max(theirs.abs());
    assert!(
        (ours - theirs).abs() <= REL * scale || (ours - theirs).abs() < 1e-300,
        "{what}: ours {ours}, reference {theirs}"
    );
}

pub fn f(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("`{key}` is not a number in {v}"))
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap_or("")
}

/// Sample orders (5000 customers) and the matching customers file.
fn sample(dir: &Path) -> (PathBuf, PathBuf) {
    let orders = dir.join("orders.csv");
    let customers = dir.join("customers.csv");
    let o = custlens(&[
        "sample",
        "--customers",
        "5000",
        "--seed",
        "7",
        "--orders",
        s(&orders),
        "--customers-out",
        s(&customers),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    (orders, customers)
}

/// The customers file with gaps: blank genders, ages that are not numbers,
/// blank member levels (cells padded with spaces here and there). Only the
/// 5000 customers themselves: the duplicate records the sample appends
/// (ids starting with D) are left out.
fn with_gaps(customers: &Path, out: &Path) {
    let text = std::fs::read_to_string(customers).expect("read customers");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let col = |name: &str| header.split(',').position(|h| h == name).expect("column");
    let (gender, age, level, province) = (col("性别"), col("年龄"), col("会员等级"), col("省份"));
    let mut w = String::from(header);
    w.push('\n');
    for (i, line) in lines.filter(|l| !l.starts_with('D')).enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        let i = i + 1;
        if i % 41 == 0 {
            cells[gender] = " ".into();
        }
        if i % 53 == 0 {
            cells[age] = "不详".into();
        }
        if i % 67 == 0 {
            cells[level] = String::new();
        }
        if i % 10 == 0 {
            cells[province] = format!(" {} ", cells[province]); // trimmed away
        }
        w.push_str(&cells.join(","));
        w.push('\n');
    }
    std::fs::write(out, w).expect("write");
}

pub fn json_of(args: &[&str]) -> Value {
    let o = custlens(args);
    assert!(o.status.success(), "custlens {args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("one JSON object on stdout")
}

pub fn run_reference(py: &str, script: &str, args: &[&str]) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference").join(script);
    let r = Command::new(py).arg(&path).args(args).output().expect("run python");
    assert!(r.status.success(), "{script} failed: {}", String::from_utf8_lossy(&r.stderr));
    serde_json::from_slice(&r.stdout).expect("reference JSON")
}

#[test]
fn pareto_matches_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let (orders, _) = sample(dir.path());
    let ranking = dir.path().join("ranking.csv");
    let ours = json_of(&["pareto", "--orders", s(&orders), "--json", "--out", s(&ranking)]);
    let theirs = run_reference(&py, "pareto.py", &[s(&orders), "客户ID", "下单时间", "订单金额", "200"]);
    assert_eq!(ours["customers"], theirs["customers"]);
    assert!(ours["customers"].as_u64().unwrap_or(0) > 4900);
    assert_eq!(ours["customers_without_spend"], theirs["customers_without_spend"]);
    for key in ["revenue", "net_revenue", "top20_revenue_share", "customers_for_80pct_share", "gini"] {
        assert_close(f(&ours, key), f(&theirs, key), key);
    }
    let curve = ours["curve"].as_array().expect("curve");
    let want = theirs["curve"].as_array().expect("curve");
    assert_eq!(curve.len(), 201);
    for (j, (p, y)) in curve.iter().zip(want).enumerate() {
        assert_close(f(p, "customer_share"), j as f64 / 200.0, "curve x");
        assert_close(f(p, "revenue_share"), y.as_f64().unwrap_or(f64::NAN), &format!("curve point {j}"));
    }
    // The ranking file: same customers in the same order, same spends and shares.
    let rows = read_csv(&ranking);
    assert_eq!(rows[0], ["rank", "user_id", "spend", "cumulative_customer_share", "cumulative_revenue_share"]);
    let want = theirs["ranking"].as_array().expect("ranking");
    assert_eq!(rows.len() - 1, want.len());
    for (k, (row, w)) in rows[1..].iter().zip(want).enumerate() {
        assert_eq!(row[0], (k + 1).to_string());
        assert_eq!(row[1], w[0].as_str().unwrap_or(""), "rank {}", k + 1);
        let cents = w[1].as_i64().unwrap_or(0);
        let sign = if cents < 0 { "-" } else { "" };
        assert_eq!(row[2], format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100), "{}", row[1]);
        for (c, i) in [(3, 2), (4, 3)] {
            let ours: f64 = row[c].parse().expect("share");
            assert_close(ours, w[i].as_f64().unwrap_or(f64::NAN), &format!("{} column {c}", row[1]));
        }
    }
}

#[test]
fn crosstab_matches_scipy_reference_on_sample_customers() {
    let Some(py) = reference_python("pandas, numpy, scipy") else {
        eprintln!("SKIPPED: no python3 with pandas, numpy and scipy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let (_, customers) = sample(dir.path());
    let gappy = dir.path().join("customers_gaps.csv");
    with_gaps(&customers, &gappy);
    // (rows, cols, our extra options, reference row spec, reference col spec)
    let cases: [(&str, &str, &[&str], &str, &str); 5] = [
        ("性别", "会员等级", &[], "-", "-"),
        ("省份", "会员等级", &[], "-", "-"),
        ("年龄", "渠道来源", &["--bins-rows", "7"], "n:7", "-"),
        ("会员等级", "年龄", &["--edges-cols", "18,25,35,45,55,100"], "-", "e:18,25,35,45,55,100"),
        ("省份", "年龄", &["--bins-cols", "12"], "-", "n:12"),
    ];
    for (rows, cols, extra, rspec, cspec) in cases {
        let what = format!("{rows} × {cols} {extra:?}");
        let mut args = vec!["crosstab", "--input", s(&gappy), "--rows", rows, "--cols", cols, "--json"];
        args.extend_from_slice(extra);
        let ours = json_of(&args);
        let theirs = run_reference(&py, "crosstab.py", &[s(&gappy), rows, cols, rspec, cspec]);
        let t = &ours["table"];
        assert_eq!(t["row_labels"], theirs["row_labels"], "{what}");
        assert_eq!(t["col_labels"], theirs["col_labels"], "{what}");
        assert_eq!(t["counts"], theirs["counts"], "{what}");
        assert_eq!(ours["rows_used"], theirs["rows_used"], "{what}");
        let excluded: u64 =
            ours["excluded"].as_array().expect("excluded").iter().filter_map(|e| e["rows"].as_u64()).sum();
        assert_eq!(Some(excluded), theirs["excluded"].as_u64(), "{what}");
        assert_eq!(ours["rows_in"].as_u64(), Some(5000));
        assert_eq!(ours["dof"], theirs["dof"], "{what}");
        for key in ["chi2", "p_value", "cramers_v"] {
            assert_close(f(&ours, key), f(&theirs, key), &format!("{what}: {key}"));
        }
        let check = &ours["expected_check"];
        assert_close(f(check, "min_expected"), f(&theirs, "min_expected"), &format!("{what}: min expected"));
        assert_eq!(check["cells_below_5"], theirs["cells_below_5"], "{what}");
        let e_ours = ours["expected"]
            .as_array()
            .expect("expected")
            .iter()
            .flat_map(|r| r.as_array().cloned().unwrap_or_default());
        let e_theirs = theirs["expected"]
            .as_array()
            .expect("expected")
            .iter()
            .flat_map(|r| r.as_array().cloned().unwrap_or_default());
        for (a, b) in e_ours.zip(e_theirs) {
            assert_close(a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN), &format!("{what}: expected"));
        }
    }
}

#[test]
fn crosstab_reports_exclusions_and_warnings() {
    let dir = tmp();
    let (_, customers) = sample(dir.path());
    let gappy = dir.path().join("customers_gaps.csv");
    with_gaps(&customers, &gappy);
    // Column names: trimmed and case-insensitive when not exact.
    let x = json_of(&["crosstab", "--input", s(&gappy), "--rows", " 性别 ", "--cols", "会员等级", "--json"]);
    // Every 41st row has no gender, every 67th no level; row 41·67 = 2747 has neither (counted once).
    let excluded = x["excluded"].as_array().expect("excluded");
    assert_eq!(excluded.len(), 2);
    assert_eq!((excluded[0]["column"].as_str(), excluded[0]["reason"].as_str()), (Some("性别"), Some("blank")));
    assert_eq!(excluded[0]["rows"].as_u64(), Some(5000 / 41));
    assert_eq!(excluded[1]["rows"].as_u64(), Some(5000 / 67 - 1));
    assert_eq!(x["rows_used"].as_u64(), Some(5000 - 5000 / 41 - 5000 / 67 + 1));
    // 20 provinces × 12 age bins: the small expected counts are flagged.
    let x =
        json_of(&["crosstab", "--input", s(&gappy), "--rows", "省份", "--cols", "年龄", "--bins-cols", "12", "--json"]);
    let check = &x["expected_check"];
    assert_eq!(check["rule_broken"].as_bool(), Some(true), "{check}");
    assert!(f(check, "share_below_5") > 0.2);
    assert_eq!(x["excluded"][0]["reason"].as_str(), Some("not_a_number"));
    // Human output: the table and the test.
    let o = custlens(&["crosstab", "--input", s(&gappy), "--rows", "性别", "--cols", "会员等级"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("性别 \\ 会员等级") && out.contains("total") && out.contains("chi2 = "), "{out}");
}

#[test]
fn crosstab_errors_name_the_column() {
    let dir = tmp();
    let (_, customers) = sample(dir.path());
    let o = custlens(&["crosstab", "--input", s(&customers), "--rows", "gender", "--cols", "会员等级"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("--rows") && e.contains("`gender`") && e.contains("客户ID, 姓名, 手机号, 邮箱, 性别"), "{e}");
    // One value only: a file whose level column is all 普通.
    let one = dir.path().join("one.csv");
    std::fs::write(&one, "性别,会员等级\n女,普通\n男,普通\n女,\n").expect("write");
    let o = custlens(&["crosstab", "--input", s(&one), "--rows", "性别", "--cols", "会员等级"]);
    let e = stderr(&o);
    assert!(!o.status.success() && e.contains("`会员等级` has a single value (`普通`)"), "{e}");
    let o = custlens(&["crosstab", "--input", s(&one), "--rows", "性别", "--cols", "会员等级", "--edges-rows", "1,x"]);
    assert!(!o.status.success() && stderr(&o).contains("--edges-rows 1,x"), "{}", stderr(&o));
}

#[test]
fn pareto_summary_and_ranking_file() {
    let dir = tmp();
    let orders = dir.path().join("o.csv");
    // A: 500, B: 300 − 100 refund = 200, C: 200, D: refund only (−50), E: 100. T = 1000.
    std::fs::write(
        &orders,
        "客户ID,下单时间,订单金额\nA,2024-01-01,500\nB,2024-01-02,300\nC,2024-01-03,200\nB,2024-01-04,-100\nD,2024-01-05,-50\nE,2024-01-06,100\n",
    )
    .expect("write");
    let out = dir.path().join("rank.csv");
    let o = custlens(&["pareto", "--orders", s(&orders), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    // top 20 % = 1 of 5 customers = 500 of 1000; 80 %: 500 + 200 + 200 = 900 ≥ 800 within the 3rd (C):
    // (2 + 100/200) / 5 = 50 %.
    assert!(text.contains("top 20 % of customers make 50.0 % of revenue"), "{text}");
    assert!(text.contains("80 % of revenue comes from 50.0 % of customers"), "{text}");
    assert!(text.contains("without positive spend   1"), "{text}");
    let bytes = std::fs::read(&out).expect("ranking");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let rows = read_csv(&out);
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(ids, ["A", "B", "C", "E", "D"]); // B and C tie at 200: file order
    assert_eq!(rows[5][2], "-50.00");
    assert_eq!(rows[3][4], "0.9");
    let x = json_of(&["pareto", "--orders", s(&orders), "--json"]);
    assert_close(f(&x, "gini"), 0.44, "gini"); // ascending 0,100,200,200,500: 2·4100/5000 − 6/5
    assert_close(f(&x, "revenue"), 1000.0, "revenue");
    assert_close(f(&x, "net_revenue"), 950.0, "net revenue");
}

fn compare_profile(ours: &Value, theirs: &Value, what: &str) {
    assert_eq!(ours["missing"], theirs["missing"], "{what}: missing");
    match ours["kind"].as_str() {
        Some("categorical") => {
            assert_eq!(ours["distinct"], theirs["distinct"], "{what}");
            let values = ours["values"].as_array().expect("values");
            let want = theirs["values"].as_array().expect("values");
            assert_eq!(values.len(), want.len(), "{what}");
            for (v, w) in values.iter().zip(want) {
                assert_eq!(v["value"], w[0], "{what}");
                assert_eq!(v["count"], w[1], "{what}");
                assert_close(f(v, "share"), w[2].as_f64().unwrap_or(f64::NAN), &format!("{what}: share"));
            }
            match (ours["other"].as_object(), theirs["other"].as_array()) {
                (Some(o), Some(w)) => {
                    assert_eq!((&o["values"], &o["count"]), (&w[0], &w[1]), "{what}: other");
                    assert_close(o["share"].as_f64().unwrap_or(f64::NAN), w[2].as_f64().unwrap_or(0.0), what);
                }
                (None, None) => {}
                (o, w) => panic!("{what}: other {o:?} vs {w:?}"),
            }
        }
        Some("numeric") => {
            assert_eq!((&ours["count"], &ours["unusable"]), (&theirs["count"], &theirs["unusable"]), "{what}");
            for key in ["mean", "std", "min", "q1", "median", "q3", "max"] {
                assert_close(f(ours, key), f(theirs, key), &format!("{what}: {key}"));
            }
            let bins = ours["histogram"].as_array().expect("histogram");
            let counts: Vec<u64> = bins.iter().filter_map(|b| b["count"].as_u64()).collect();
            let want: Vec<u64> =
                theirs["histogram"].as_array().expect("histogram").iter().filter_map(Value::as_u64).collect();
            assert_eq!(counts, want, "{what}: histogram");
            let edges = theirs["edges"].as_array().expect("edges");
            for (i, b) in bins.iter().enumerate() {
                assert_close(f(b, "lo"), edges[i].as_f64().unwrap_or(f64::NAN), &format!("{what}: edge {i}"));
                assert_close(f(b, "hi"), edges[i + 1].as_f64().unwrap_or(f64::NAN), &format!("{what}: edge {i}"));
            }
            if let Some(bands) = ours["age_bands"].as_array() {
                let counts: Vec<u64> = bands.iter().filter_map(|b| b["count"].as_u64()).collect();
                let want: Vec<u64> =
                    theirs["age_bands"].as_array().expect("bands").iter().filter_map(Value::as_u64).collect();
                assert_eq!(counts, want, "{what}: age bands");
                assert_eq!(bands[1]["value"].as_str(), Some("18–25"));
            }
        }
        k => panic!("{what}: kind {k:?}"),
    }
}

#[test]
fn profile_matches_numpy_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let (orders, customers) = sample(dir.path());
    let gappy = dir.path().join("customers_gaps.csv");
    with_gaps(&customers, &gappy);
    let files: [(&Path, &[&str]); 2] = [
        (&gappy, &["年龄:age", "省份:cat", "性别:cat", "会员等级:cat"]),
        (&orders, &["订单金额:num", "渠道:cat", "商品品类:cat"]),
    ];
    for (file, specs) in files {
        let mut args = vec!["profile", "--input", s(file), "--top", "5", "--bins", "7", "--json"];
        for spec in specs {
            args.extend(["--column", spec.rsplit_once(':').map_or(*spec, |x| x.0)]);
        }
        let ours = json_of(&args);
        let mut ref_args = vec![s(file), "5", "7"];
        ref_args.extend_from_slice(specs);
        let theirs = run_reference(&py, "profile.py", &ref_args);
        let cols = ours["columns"].as_array().expect("columns");
        assert_eq!(cols.len(), specs.len());
        for (c, spec) in cols.iter().zip(specs) {
            let name = spec.rsplit_once(':').map_or(*spec, |x| x.0);
            assert_eq!(c["column"].as_str(), Some(name));
            compare_profile(c, &theirs[name], name);
        }
    }
}

#[test]
fn profile_of_an_unknown_column_lists_the_columns() {
    let dir = tmp();
    let (_, customers) = sample(dir.path());
    let o = custlens(&["profile", "--input", s(&customers), "--column", "age"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no column `age` (columns: 客户ID"), "{}", stderr(&o));
    let o = custlens(&["profile", "--input", s(&customers), "--column", "年龄", "--column", "会员等级"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("age bands") && out.contains("46–55") && out.contains("4 distinct values"), "{out}");
}
