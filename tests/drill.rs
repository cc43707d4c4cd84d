//! The customers behind a figure from the command line — `custlens cohorts
//! --members`, `custlens profiles --members`, `custlens rfm
//! --migration-cell` — checked against the pandas references (which ids are
//! in a cell), against the counts the same commands print, and for their
//! masking and error messages.

use crate::analyses::{json_of, run_reference, s};
use crate::util::{custlens, ok, read_csv, reference_python, stderr, tmp, Sample};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// The ids of a member list file (header `user_id`).
fn ids(path: &Path) -> Vec<String> {
    let rows = read_csv(path);
    assert_eq!(rows.first().map(|r| r.as_slice()), Some(&["user_id".to_string()][..]), "{}", path.display());
    rows.into_iter().skip(1).map(|r| r[0].clone()).collect()
}

fn set(v: &[String]) -> BTreeSet<String> {
    v.iter().cloned().collect()
}

fn json_set(v: &Value) -> BTreeSet<String> {
    v.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_string)).collect()
}

#[test]
fn cohort_members_match_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let d = dir.path();
    let orders = Sample::new(d, &[]).raw("orders");
    let ours = json_of(&["cohorts", "--orders", s(&orders), "--json"]);
    let cohorts = ours["cohorts"].as_array().expect("cohorts");
    let label = |i: usize| cohorts[i]["period"].as_str().unwrap_or("").to_string();
    let cells = [
        format!("{}:0", label(0)),
        format!("{}:1", label(0)),
        format!("{}:5", label(0)),
        format!("{}:2", label(6)),
        format!("{}:0", label(cohorts.len() - 1)),
    ];
    let mut args = vec![s(&orders), "客户ID", "下单时间", "订单金额", "month", "12"];
    args.extend(cells.iter().map(String::as_str));
    let theirs = run_reference(&py, "cohorts.py", &args);
    for cell in &cells {
        let out = d.join("members.csv");
        ok(&["cohorts", "--orders", s(&orders), "--members", cell, "--members-out", s(&out), "--unmasked"]);
        let got = ids(&out);
        assert_eq!(set(&got).len(), got.len(), "{cell}: each customer once");
        assert_eq!(set(&got), json_set(&theirs["members"][cell.as_str()]), "{cell}");
        // The count is the matrix cell's.
        let (c, k) = cell.rsplit_once(':').expect("cell");
        let row = cohorts.iter().find(|x| x["period"] == c).expect("cohort");
        let k: usize = k.parse().expect("offset");
        assert_eq!(row["retained"][k].as_u64(), Some(got.len() as u64), "{cell}");
        assert!(!got.is_empty(), "{cell}");
    }
}

#[test]
fn profile_members_match_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let d = dir.path();
    let sample = Sample::new(d, &["orders", "events"]);
    let (customers, orders, events) = (sample.raw("customers"), sample.raw("orders"), sample.raw("events"));
    let unified = sample.unify(&["customers", "orders", "events"]);
    let clean = |k: &str| sample.clean(k);
    let tiers = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/analyze/city_tiers.csv");
    let who = d.join("who.json");
    let (uc, ui, co, ce) =
        (unified.join("customers.csv"), unified.join("identities.csv"), clean("orders"), clean("events"));
    let ref_args =
        [s(&uc), s(&ui), s(&co), "sample_orders.csv", s(&ce), "sample_events.csv", s(&tiers), "6", "12", s(&who)];
    run_reference(&py, "profiles.py", &ref_args);
    let theirs: Value = serde_json::from_str(&std::fs::read_to_string(&who).expect("who")).expect("who json");
    let base = ["profiles", "--customers", s(&customers), "--orders", s(&orders), "--events", s(&events), "--top", "6"];
    let mut json = base.to_vec();
    json.extend(["--unmasked", "--json"]);
    let ours = json_of(&json);
    let province = ours["dimensions"][2]["rows"][0]["value"].as_str().expect("top province").to_string();
    let specs = [
        format!("province={province}"),
        "province=(other)".to_string(),
        "age_band=26-35".to_string(),
        "industry=(unknown)".to_string(),
        "city_tier=新一线".to_string(),
        "device=(unknown)".to_string(),
        "city=(other)".to_string(),
    ];
    for spec in &specs {
        let out = d.join("members.csv");
        let mut args = base.to_vec();
        args.extend(["--members", spec, "--members-out", s(&out), "--unmasked"]);
        ok(&args);
        let got = ids(&out);
        let (dim, value) = spec.split_once('=').expect("spec");
        let value = value.replace("26-35", "26–35");
        assert_eq!(set(&got), json_set(&theirs[dim][value.as_str()]), "{spec}");
        let rows = ours["dimensions"].as_array().expect("dims").iter().find(|x| x["dimension"] == dim).expect(dim);
        let row = rows["rows"].as_array().expect("rows").iter().find(|r| r["value"] == value.as_str()).expect("row");
        assert_eq!(row["customers"].as_u64(), Some(got.len() as u64), "{spec}");
        assert!(!got.is_empty(), "{spec}");
    }
}

const RULES: &str = r#"{"rules": [
  {"name": "高分", "when": {"r": {"min": 4}, "f": {"min": 3}}},
  {"name": "近期", "when": {"r": {"min": 4}}},
  {"name": "沉睡", "when": {"r": {"max": 2}}}],
 "other": {"name": "其他"}}"#;

#[test]
fn migration_members_match_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas (scripts/test.sh installs one)");
        return;
    };
    let dir = tmp();
    let path = |n: &str| dir.path().join(n).to_str().unwrap_or("").to_string();
    let (orders, rules, theirs, moved, out) =
        (path("orders.csv"), path("rules.json"), path("theirs.csv"), path("mig.json"), path("members.csv"));
    std::fs::write(&rules, RULES).expect("rules");
    ok(&["sample", "--customers", "3000", "--seed", "11", "--orders", &orders]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/rfm.py");
    let r = std::process::Command::new(&py)
        .arg(&script)
        .args([&orders, "客户ID", "下单时间", "订单金额", "订单号", "2025-01-01", &theirs])
        .args(["--segments", &rules, "--migrate-from", "2024-07-01", "--migration", &moved])
        .output()
        .expect("run python");
    assert!(r.status.success(), "reference failed: {}", String::from_utf8_lossy(&r.stderr));
    let want: Value = serde_json::from_str(&std::fs::read_to_string(&moved).expect("mig")).expect("mig");
    let names = ["高分", "近期", "沉睡", "其他", "new"];
    let cells = [("高分", "高分"), ("近期", "沉睡"), ("沉睡", "其他"), ("new", "近期"), ("其他", "其他")];
    let base = ["rfm", "--orders", &orders, "--snapshot", "2025-01-01", "--segments", &rules];
    for (from, to) in cells {
        let spec = format!("{from}:{to}");
        let mut args = base.to_vec();
        args.extend(["--migrate-from", "2024-07-01", "--migration-cell", &spec, "--migration-cell-out", &out]);
        args.push("--unmasked");
        let o = ok(&args);
        let got = ids(Path::new(&out));
        let i = names.iter().position(|n| *n == from).expect("from");
        let j = if to == "none" { 4 } else { names.iter().position(|n| *n == to).expect("to") };
        assert_eq!(set(&got), json_set(&want["members"][format!("{i},{j}")]), "{spec}");
        assert_eq!(want["counts"][i][j].as_u64(), Some(got.len() as u64), "{spec}");
        assert!(stderr(&o).contains(&format!("{} customers", got.len())), "{}", stderr(&o));
        assert!(!got.is_empty(), "{spec}");
    }
}

#[test]
fn member_lists_are_masked_and_errors_name_the_cell() {
    let dir = tmp();
    let d = dir.path();
    // Customer ids that are phone numbers are masked unless --unmasked; a pseudonym role gets tokens.
    let orders = d.join("o.csv");
    std::fs::write(
        &orders,
        "客户ID,下单时间,订单金额\n13800001111,2024-01-05,100\nB2,2024-01-20,80\n13800001111,2024-02-10,30\nB2,2024-03-03,20\n",
    )
    .expect("write");
    let out = d.join("m.csv");
    let run = |extra: &[&str]| {
        let mut args = vec!["cohorts", "--orders", s(&orders), "--members", "2024-01:0", "--members-out", s(&out)];
        args.extend(extra);
        custlens(&args)
    };
    assert!(run(&["--unmasked"]).status.success());
    assert_eq!(ids(&out), vec!["13800001111", "B2"]);
    assert!(run(&[]).status.success());
    assert_eq!(ids(&out), vec!["138****1111", "B2"]);
    let key = d.join("key");
    std::fs::write(&key, "0123456789abcdef0123456789abcdef").expect("key");
    let o = run(&["--role", "marketing", "--key-file", s(&key)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let tokens = ids(&out);
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().all(|t| t != "13800001111" && t != "B2" && !t.is_empty()), "{tokens:?}");
    // Cells that are not there.
    let o = custlens(&["cohorts", "--orders", s(&orders), "--members", "2024-05:0", "--members-out", s(&out)]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("there is no cohort `2024-05` (cohorts: 2024-01)"), "{}", stderr(&o));
    let o = custlens(&["cohorts", "--orders", s(&orders), "--members", "2024-01", "--members-out", s(&out)]);
    assert!(stderr(&o).contains("expected COHORT:OFFSET"), "{}", stderr(&o));
    let o = custlens(&["cohorts", "--orders", s(&orders), "--members", "2024-01:9", "--members-out", s(&out)]);
    assert!(stderr(&o).contains("period +9 is not observed"), "{}", stderr(&o));
    let o = custlens(&["cohorts", "--orders", s(&orders), "--members", "2024-01:0"]);
    assert!(!o.status.success() && stderr(&o).contains("--members-out"), "{}", stderr(&o));
    let o = custlens(&["profiles", "--orders", s(&orders), "--members", "gender=男", "--members-out", s(&out)]);
    assert!(stderr(&o).contains("dimension `gender` has no row `男` (rows: (unknown))"), "{}", stderr(&o));
    let o = custlens(&[
        "rfm",
        "--orders",
        s(&orders),
        "--migrate-from",
        "2024-01-31",
        "--migration-cell",
        "Gold:new",
        "--migration-cell-out",
        s(&out),
    ]);
    assert!(stderr(&o).contains("there is no segment `Gold`"), "{}", stderr(&o));
}
