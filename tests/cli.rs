//! `custlens rfm` and `custlens sample` on real-looking files, and the
//! messages bad input gets.

use crate::util::{custlens, data, read_csv, stderr, tmp};

fn rfm(file: &str, extra: &[&str]) -> (Vec<Vec<String>>, String) {
    let dir = tmp();
    let out = dir.path().join("rfm.csv");
    let path = data(file);
    let mut args = vec!["rfm", "--orders", path.to_str().unwrap_or(""), "--out", out.to_str().unwrap_or("")];
    args.extend_from_slice(extra);
    let o = custlens(&args);
    assert!(o.status.success(), "custlens failed: {}", stderr(&o));
    (read_csv(&out), stderr(&o))
}

#[test]
fn gbk_semicolon_export_hand_checked() {
    let (rows, log) = rfm("orders_gbk.csv", &[]);
    assert_eq!(
        rows[0],
        ["user_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "segment"]
    );
    // Snapshot = day after the last order (2024-03-31) = 2024-04-01.
    let want = [
        ["VIP001", "1", "3", "2080.00"],   // SO1001 1280 + SO1003 (two lines) 600 + SO1012 200
        ["VIP002", "12", "2", "0.00"],     // 99 bought, 99 refunded
        ["VIP003", "17", "1", "300.00"],   // Excel serial 45366 = 2024-03-15
        ["VIP004", "123", "1", "2000.00"], // 2023-11-30
        ["VIP005", "2", "1", "150.00"],    // its other two rows are set aside
        ["VIP006", "305", "1", "45.00"],
    ];
    for (row, want) in rows[1..].iter().zip(want) {
        assert_eq!(&row[..4], want);
    }
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[1][7], "重要价值");
    assert!(log.contains("14 rows read = 10 used + 4 set aside"), "{log}");
}

#[test]
fn rejects_file_lists_every_set_aside_row() {
    let dir = tmp();
    let out = dir.path().join("rfm.csv");
    let rej = dir.path().join("rejects.csv");
    let path = data("orders_gbk.csv");
    let o = custlens(&[
        "rfm",
        "--orders",
        path.to_str().unwrap_or(""),
        "--out",
        out.to_str().unwrap_or(""),
        "--rejects",
        rej.to_str().unwrap_or(""),
        "--lang",
        "en",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&rej);
    let got: Vec<(&str, &str, &str)> =
        rows[1..].iter().map(|r| (r[0].as_str(), r[1].as_str(), r[3].as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("9", "missing_value", "user_id"),
            ("10", "invalid_date", "order_time"),
            ("11", "invalid_amount", "amount"),
            ("12", "blank_row", ""),
        ]
    );
    assert_eq!(rows[2][4], "2024-02-30");
    assert_eq!(read_csv(&out)[1][7], "Important value");
}

#[test]
fn bom_utf16_and_excel_inputs() {
    let (rows, _) = rfm("orders_utf8_bom.csv", &[]);
    assert_eq!(&rows[1][..4], ["C1", "16", "2", "1010.75"]);
    assert_eq!(&rows[2][..4], ["C2", "1", "1", "20.00"]); // 03/15/2024, month first
    let (rows, _) = rfm("orders_utf16.txt", &[]);
    assert_eq!(&rows[1][..4], ["U1", "1", "2", "40.00"]);
    let (rows, log) = rfm("orders.xlsx", &[]);
    assert_eq!(&rows[1][..4], ["K001", "11", "2", "160.50"]);
    assert_eq!(&rows[4][..4], ["10004", "1", "1", "15.00"]);
    assert!(log.contains("5 rows read = 5 used"), "{log}");
}

#[test]
fn snapshot_preset_and_mapping_options() {
    let (rows, _) = rfm("orders_gbk.csv", &["--snapshot", "2024-04-30", "--preset", "tiers5"]);
    assert_eq!(&rows[1][..2], ["VIP001", "30"]);
    assert_eq!(rows[1][7], "高价值");
    let (rows, _) =
        rfm("orders_unmapped.csv", &["--map", "user_id=cust", "--map", "order_time=when", "--map", "amount=paid"]);
    assert_eq!(&rows[1][..4], ["K1", "1", "2", "14.00"]);
}

fn fails(args: &[&str]) -> String {
    let o = custlens(args);
    assert!(!o.status.success(), "expected failure for {args:?}");
    assert_eq!(o.status.code(), Some(2));
    stderr(&o)
}

#[test]
fn bad_input_gets_a_clear_message_and_exit_code() {
    let dir = tmp();
    let out = dir.path().join("o.csv");
    let out = out.to_str().unwrap_or("");
    let p = |n: &str| data(n).to_string_lossy().into_owned();
    let e = fails(&["rfm", "--orders", &p("not_a_table.csv"), "--out", out]);
    assert!(e.contains("not_a_table.csv") && e.contains("not a text table"), "{e}");
    let e = fails(&["rfm", "--orders", &p("empty.csv"), "--out", out]);
    assert!(e.contains("empty.csv: the file is empty"), "{e}");
    let e = fails(&["rfm", "--orders", &p("header_only.csv"), "--out", out]);
    assert!(e.contains("header row but no data rows"), "{e}");
    let e = fails(&["rfm", "--orders", &p("orders_unmapped.csv"), "--out", out]);
    assert!(e.contains("order_time") && e.contains("cust, when, paid, item"), "{e}");
    let e = fails(&["rfm", "--orders", &p("orders_gbk.csv"), "--map", "amount=价格", "--out", out]);
    assert!(e.contains("价格") && e.contains("实付金额（元）"), "{e}");
    let e = fails(&["rfm", "--orders", &p("orders_gbk.csv"), "--snapshot", "2024-01-01", "--out", out]);
    assert!(e.contains("before the last order (2024-03-31)"), "{e}");
    let e = fails(&["rfm", "--orders", &p("missing.csv"), "--out", out]);
    assert!(e.contains("missing.csv: cannot open"), "{e}");
}

#[test]
fn sample_is_deterministic_and_analysable() {
    let dir = tmp();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    for f in [&a, &b] {
        let o = custlens(&["sample", "--customers", "500", "--seed", "9", "--orders", f.to_str().unwrap_or("")]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&a).ok(), std::fs::read(&b).ok());
    let out = dir.path().join("rfm.csv");
    let o = custlens(&["rfm", "--orders", a.to_str().unwrap_or(""), "--out", out.to_str().unwrap_or("")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read_csv(&out).len() > 400);
}

fn clean_run(kind: &str, file: &str, extra: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tmp();
    let out = dir.path().join("out");
    let path = data(file);
    let mut args =
        vec!["clean", "--kind", kind, "--input", path.to_str().unwrap_or(""), "--out", out.to_str().unwrap_or("")];
    args.extend_from_slice(extra);
    let o = custlens(&args);
    assert!(o.status.success(), "custlens clean failed: {}", stderr(&o));
    (dir, stderr(&o))
}

fn quality(dir: &tempfile::TempDir) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.path().join("out/quality.json")).expect("quality.json");
    serde_json::from_str(&text).expect("json")
}

#[test]
fn clean_customers_accounts_for_every_row() {
    let (dir, log) = clean_run("customers", "customers_messy.csv", &["--lang", "en"]);
    let q = quality(&dir);
    assert_eq!(q["rows_in"], 8);
    assert_eq!(q["rows_out"], 6);
    assert_eq!(q["set_aside"]["duplicate_row"], 1);
    assert_eq!(q["set_aside"]["missing_value"], 1);
    assert_eq!(q["reconciles"], true);
    assert!(log.contains("8 rows read = 6 clean + 2 set aside"), "{log}");
    // Personal data is masked in every file by default.
    let masked = read_csv(&dir.path().join("out/clean.csv"));
    assert_eq!(&masked[2][1..4], ["李*", "139****9000", "女"]);
    assert_eq!(masked[4][2], "***", "a phone cell that is not a phone is hidden whole");
    let masked_changes = read_csv(&dir.path().join("out/changes.csv"));
    assert!(masked_changes.iter().any(|c| c[1] == "手机号" && c[2] == "139****9000" && c[3] == "139****9000"));
    assert!(!std::fs::read_to_string(dir.path().join("out/changes.csv")).unwrap_or_default().contains("0013"));
    let (dir, _) = clean_run("customers", "customers_messy.csv", &["--lang", "en", "--unmasked"]);
    let clean = read_csv(&dir.path().join("out/clean.csv"));
    assert_eq!(clean[0].last().map(String::as_str), Some("flags"));
    // +86 139-0013-9000 → 13900139000; F → 女; 2023年2月6日 → 2023-02-06
    assert_eq!(&clean[2][2..4], ["13900139000", "女"]);
    assert_eq!(clean[2][7], "2023-02-06");
    // a 10-digit phone is kept and flagged; an impossible date too
    assert_eq!(clean[3][8], "phone:待验证");
    assert_eq!(clean[6][8], "register_date:待验证");
    // the formula in a phone cell is neutralised in the export
    assert_eq!(clean[4][2], "'=HYPERLINK(\"http://x\")");
    // missing age (2 of 6 kept rows ≥ 5 %) becomes 未知; missing province (1 of 6) too
    assert_eq!(clean[3][4], "未知");
    let set_aside = read_csv(&dir.path().join("out/set_aside.csv"));
    assert_eq!(&set_aside[1][..4], ["5", "duplicate_row", "exact copy of an earlier row", ""]);
    assert_eq!(&set_aside[2][..4], ["6", "missing_value", "required value missing (to be supplemented)", "user_id"]);
    let changes = read_csv(&dir.path().join("out/changes.csv"));
    assert!(changes
        .iter()
        .any(|c| c[1] == "手机号" && c[2] == "'+86 139-0013-9000" && c[3] == "13900139000" && c[4] == "phone"));
    assert_eq!(
        changes.len() as u64 - 1,
        q["changed"].as_object().map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum())
    );
}

#[test]
fn clean_orders_with_a_saved_and_edited_recipe() {
    let (dir, _) = clean_run("orders", "orders_gbk.csv", &[]);
    let q = quality(&dir);
    assert_eq!((q["rows_in"].as_u64(), q["rows_out"].as_u64()), (Some(14), Some(10)));
    assert_eq!(q["set_aside"]["blank_row"], 1);
    assert_eq!(q["set_aside"]["missing_value"], 1);
    assert_eq!(q["set_aside"]["invalid_date"], 1, "2024-02-30: a key date that does not exist");
    assert_eq!(q["set_aside"]["invalid_amount"], 1, "N/A");
    // Flag test amounts instead of setting them aside, and treat 300 as a test amount.
    let recipe = r#"{"steps":[{"step":"test_amounts","field":"amount","values":["300"],"action":"flag"}]}"#;
    let path = dir.path().join("recipe.json");
    std::fs::write(&path, recipe).expect("write recipe");
    let (dir2, _) = clean_run("orders", "orders_gbk.csv", &["--recipe", path.to_str().unwrap_or("")]);
    let q = quality(&dir2);
    assert_eq!(q["rows_out"], 14);
    assert_eq!(q["flagged"]["test_order"], 1);
}

/// Runs `custlens clean` on `csv` (a customers table) with the recipe `json`.
fn clean_with_recipe(csv: &str, json: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = tmp();
    let input = dir.path().join("customers.csv");
    std::fs::write(&input, csv).expect("write table");
    let recipe = dir.path().join("recipe.json");
    std::fs::write(&recipe, json).expect("write recipe");
    let out = dir.path().join("out");
    let p = |x: &std::path::Path| x.to_str().unwrap_or("").to_string();
    let o = custlens(&[
        "clean",
        "--kind",
        "customers",
        "--input",
        &p(&input),
        "--recipe",
        &p(&recipe),
        "--out",
        &p(&out),
        "--unmasked",
    ]);
    (dir, o)
}

const EDITED_CUSTOMERS: &str = "客户ID,所属行业,城市,年龄,渠道,备注,是否会员,积分
C1,IT,深圳市,30,APP,,是,\"1,200\"
C2,零售,广州,,官网,测试账号,否,300
C3,银行,北京市,50,,,y,abc
C4,制造,上海,,,,n,10
C5,,杭州市,40,APP,,1,20
";

#[test]
fn clean_with_an_edited_recipe_of_every_new_kind_of_step() {
    let vocabulary =
        serde_json::to_string(&custlens::engine::clean::recipe::default_industry_vocabulary()).expect("vocabulary");
    let json = r#"{"steps":[
        {"step":"rule","column":"积分","op":"ge","value":1000,"name":"big_points","action":"flag"},
        {"step":"rule","column":"备注","op":"contains","value":"测试","name":"test_account","action":"set_aside"},
        {"step":"vocabulary","field":"industry","entries":VOCABULARY},
        {"step":"cities","field":"city"},
        {"step":"column_type","column":"是否会员","kind":"Boolean"},
        {"step":"column_type","column":"积分","kind":"Integer"},
        {"step":"fill_missing","fields":["channel","industry"],"threshold":0.05,
         "methods":{"age":{"method":"median"},"channel":{"method":"constant","value":"其他"},"industry":{"method":"leave"}}}
    ]}"#
    .replace("VOCABULARY", &vocabulary);
    let (dir, o) = clean_with_recipe(EDITED_CUSTOMERS, &json);
    assert!(o.status.success(), "{}", stderr(&o));
    let q: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/quality.json")).expect("quality"))
            .expect("json");
    assert_eq!((q["rows_in"].as_u64(), q["rows_out"].as_u64()), (Some(5), Some(4)));
    assert_eq!(q["set_aside"], serde_json::json!({"business_rule": 1}));
    assert_eq!(q["reconciles"], true);
    assert_eq!(
        q["changed"],
        serde_json::json!({"city": 3, "column_type": 5, "fill_constant": 2, "fill_median": 1, "vocabulary": 3})
    );
    assert_eq!(q["flagged"], serde_json::json!({"big_points": 1, "积分:待验证": 1}));
    let clean = read_csv(&dir.path().join("out/clean.csv"));
    let rows: Vec<Vec<&str>> = clean.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    assert_eq!(
        rows,
        vec![
            vec!["客户ID", "所属行业", "城市", "年龄", "渠道", "备注", "是否会员", "积分", "flags"],
            vec!["C1", "信息技术", "深圳", "30", "APP", "", "true", "1200", "big_points"],
            vec!["C3", "金融", "北京", "50", "其他", "", "true", "abc", "积分:待验证"],
            vec!["C4", "制造业", "上海", "40", "其他", "", "false", "10", ""],
            vec!["C5", "", "杭州", "40", "APP", "", "true", "20", ""],
        ]
    );
    let set_aside = read_csv(&dir.path().join("out/set_aside.csv"));
    assert_eq!(set_aside.len(), 2);
    assert_eq!(&set_aside[1][..2], ["3", "business_rule"]);
    let changes = read_csv(&dir.path().join("out/changes.csv"));
    assert!(changes.iter().any(|c| c[..5] == ["2", "所属行业", "IT", "信息技术", "vocabulary"]), "{changes:?}");
    assert!(changes.iter().any(|c| c[..5] == ["5", "年龄", "", "40", "fill_median"]), "{changes:?}");
    assert_eq!(changes.len(), 1 + 3 + 3 + 5 + 2 + 1);
}

#[test]
fn clean_stops_at_a_bad_recipe_step_and_warns_of_missing_columns() {
    let json = r#"{"steps":[
        {"step":"rule","column":"区域","op":"eq","value":"华东","name":"east","action":"flag"},
        {"step":"outliers","column":"age","method":{"method":"percentile","p":1.5},"action":"flag"}]}"#;
    let (_dir, o) = clean_with_recipe(EDITED_CUSTOMERS, json);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("recipe.json") && e.contains("step 2 (outliers): p = 1.5 is out of range"), "{e}");
    assert!(e.contains("warning") && e.contains("step 1 (rule): no column `区域`"), "{e}");
    // A missing column alone is only a warning: the step is skipped.
    let (_dir, o) = clean_with_recipe(EDITED_CUSTOMERS, &json.replace("1.5", "0.9"));
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn clean_refuses_what_it_cannot_do() {
    let dir = tmp();
    let out = dir.path().join("o");
    let out = out.to_str().unwrap_or("");
    let p = |n: &str| data(n).to_string_lossy().into_owned();
    let e = fails(&["clean", "--kind", "shops", "--input", &p("orders_gbk.csv"), "--out", out]);
    assert!(e.contains("--kind shops") && e.contains("customers, orders"), "{e}");
    let e = fails(&["clean", "--kind", "events", "--input", &p("orders_gbk.csv"), "--out", out]);
    assert!(e.contains("event_type") && e.contains("订单编号"), "{e}");
    let e = fails(&["clean", "--kind", "orders", "--input", &p("header_only.csv"), "--out", out]);
    assert!(e.contains("no data rows"), "{e}");
    let bad = dir.path().join("r.json");
    std::fs::write(&bad, "{\"steps\":[{\"step\":\"sparkle\"}]}").expect("write");
    let e = fails(&[
        "clean",
        "--kind",
        "orders",
        "--input",
        &p("orders_gbk.csv"),
        "--recipe",
        bad.to_str().unwrap_or(""),
        "--out",
        out,
    ]);
    assert!(e.contains("recipe is not valid"), "{e}");
}

#[test]
fn unify_joins_every_sample_source_and_accounts_for_every_row() {
    use std::collections::{HashMap, HashSet};
    let dir = tmp();
    let data_dir = dir.path().join("data");
    let out = dir.path().join("out");
    let p = |s: &std::path::Path| s.to_str().unwrap_or("").to_string();
    let o = custlens(&["sample", "--customers", "3000", "--seed", "9", "--dir", &p(&data_dir)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = |name: &str| p(&data_dir.join(name));
    let mut args = vec!["unify".to_string()];
    for name in ["customers", "orders", "tickets", "surveys", "events"] {
        args.extend(["--input".to_string(), file(&format!("sample_{name}.csv"))]);
    }
    args.extend(["--out".to_string(), p(&out), "--unmasked".to_string()]);
    let o = custlens(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("unify.json")).expect("unify.json")).expect("json");
    assert_eq!(report["summary"]["reconciles"], true);
    // Each source: rows after cleaning = by id + matched + orphan.
    for s in report["sources"].as_array().expect("sources") {
        let n = |k: &str| s[k].as_u64().unwrap_or(0);
        assert_eq!(n("rows"), n("direct") + n("matched") + n("orphan") + n("no_id"), "{s}");
    }
    let customers = read_csv(&out.join("customers.csv"));
    let h = &customers[0];
    let col = |name: &str| h.iter().position(|x| x == name).expect("column");
    // Independent of the join: spend and orders summed straight from the orders file (rows the
    // cleaning keeps: id, parseable time and amount, not a test amount, not an exact copy).
    let orders = read_csv(&data_dir.join("sample_orders.csv"));
    let mut seen_rows = HashSet::new();
    let mut spend_cents: i64 = 0;
    let mut distinct = HashSet::new();
    for r in &orders[1..] {
        let amount = r[3].trim_start_matches('¥');
        let Ok(v) = amount.parse::<f64>() else { continue };
        let time_ok = r[2].len() >= 8 && !r[2].starts_with("2024-02-30");
        if r[1].is_empty() || !time_ok || v == 0.0 || v == 999_999.0 || !seen_rows.insert(r.clone()) {
            continue;
        }
        spend_cents += (v * 100.0).round() as i64;
        distinct.insert((r[0].clone(), r[1].clone()));
    }
    let total: i64 = customers[1..]
        .iter()
        .map(|c| (c[col("total_spend")].parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64)
        .sum();
    let count: u64 = customers[1..].iter().map(|c| c[col("orders")].parse::<u64>().unwrap_or(0)).sum();
    assert_eq!(total, spend_cents, "spend in the view = spend in the file");
    assert_eq!(count, distinct.len() as u64, "orders in the view = distinct (order, customer) pairs");
    // Every phone match points at the CRM record with that phone.
    let crm = read_csv(&data_dir.join("sample_customers.csv"));
    let by_phone: HashMap<&str, Vec<&str>> = crm[1..].iter().fold(HashMap::new(), |mut m, r| {
        m.entry(r[2].as_str()).or_default().push(r[0].as_str());
        m
    });
    let ids = read_csv(&out.join("identities.csv"));
    let phone_matches: Vec<&Vec<String>> = ids[1..].iter().filter(|r| r[0] == "matched" && r[4] == "phone").collect();
    assert!(!phone_matches.is_empty());
    for m in phone_matches {
        assert_eq!(by_phone.get(m[2].as_str()), Some(&vec![m[3].as_str()]), "{m:?}");
    }
    assert!(ids[1..].iter().any(|r| r[0] == "orphan"), "the sample has orphans");
    // Duplicate records are proposed, not merged, until confirmed.
    let merges = read_csv(&out.join("merges.csv"));
    assert!(merges.len() > 1 && merges[1..].iter().all(|r| r[4] == "0"));
    let keep = merges[1][0].clone();
    let gone = merges[1][1].clone();
    args.extend(["--accept-merges".to_string(), keep.clone()]);
    let o = custlens(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", stderr(&o));
    let after = read_csv(&out.join("customers.csv"));
    assert_eq!(after.len(), customers.len() - 1);
    assert!(after.iter().all(|r| r[0] != gone) && after.iter().any(|r| r[0] == keep));
}

/// Every export the CLI makes with default settings, scanned for the raw
/// phones, ID numbers and e-mails of its input: none may appear.
#[test]
fn default_exports_hold_no_raw_personal_data() {
    let dir = tmp();
    let p = |s: &std::path::Path| s.to_str().unwrap_or("").to_string();
    let data = dir.path().join("data");
    let o = custlens(&["sample", "--customers", "800", "--seed", "4", "--dir", &p(&data)]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Orders keyed by phone for some customers, and a comment with a phone and an ID number in it.
    let crm = std::fs::read_to_string(data.join("sample_customers.csv")).expect("crm");
    let rows: Vec<Vec<String>> = crm.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect();
    let orders = data.join("orders_by_phone.csv");
    let mut text = String::from("订单号,客户ID,下单时间,订单金额,备注\n");
    for (i, r) in rows.iter().take(50).enumerate() {
        text.push_str(&format!(
            "X{i},{},2024-05-{:02},{}.00,请联系{} 身份证11010519491231002X\n",
            r[2],
            i % 28 + 1,
            10 + i,
            r[2]
        ));
    }
    std::fs::write(&orders, text).expect("write");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    let runs: Vec<Vec<String>> = vec![
        vec![
            "rfm".into(),
            "--orders".into(),
            p(&orders),
            "--out".into(),
            p(&out.join("rfm.csv")),
            "--rejects".into(),
            p(&out.join("rej.csv")),
        ],
        vec!["rfm".into(), "--orders".into(), p(&orders), "--out".into(), p(&out.join("rfm.xlsx"))],
        vec!["pareto".into(), "--orders".into(), p(&orders), "--out".into(), p(&out.join("pareto.csv"))],
        vec![
            "clean".into(),
            "--kind".into(),
            "orders".into(),
            "--input".into(),
            p(&orders),
            "--out".into(),
            p(&out.join("clean_o")),
        ],
        vec![
            "clean".into(),
            "--kind".into(),
            "customers".into(),
            "--input".into(),
            p(&data.join("sample_customers.csv")),
            "--out".into(),
            p(&out.join("clean_c")),
        ],
        vec![
            "clean".into(),
            "--kind".into(),
            "customers".into(),
            "--input".into(),
            p(&data.join("sample_customers.csv")),
            "--out".into(),
            p(&out.join("clean_x")),
            "--format".into(),
            "xlsx".into(),
        ],
        vec![
            "unify".into(),
            "--input".into(),
            p(&data.join("sample_customers.csv")),
            "--input".into(),
            p(&data.join("sample_tickets.csv")),
            "--input".into(),
            p(&data.join("sample_surveys.csv")),
            "--input".into(),
            p(&orders),
            "--out".into(),
            p(&out.join("unify")),
        ],
        vec![
            "unify".into(),
            "--input".into(),
            p(&data.join("sample_customers.csv")),
            "--input".into(),
            p(&orders),
            "--out".into(),
            p(&out.join("unify_x")),
            "--format".into(),
            "xlsx".into(),
        ],
        vec![
            "funnel".into(),
            "--events".into(),
            p(&data.join("sample_events.csv")),
            "--dropped-out".into(),
            p(&out.join("dropped.csv")),
        ],
        vec![
            "mask".into(),
            "--input".into(),
            p(&data.join("sample_customers.csv")),
            "--out".into(),
            p(&out.join("masked.csv")),
        ],
    ];
    for args in &runs {
        let o = custlens(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    let mut secrets: Vec<String> =
        rows.iter().flat_map(|r| [r[2].clone(), r[3].clone()]).filter(|v| v.len() > 5).collect();
    secrets.push("11010519491231002X".into());
    let mut files = Vec::new();
    fn walk(d: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(d).expect("dir").flatten() {
            if e.path().is_dir() {
                walk(&e.path(), files);
            } else {
                files.push(e.path());
            }
        }
    }
    walk(&out, &mut files);
    assert!(files.len() >= 20, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        // XLSX is a zip: scan its unpacked XML.
        let text = if f.extension().is_some_and(|e| e == "xlsx") {
            let mut z = zip_text(&bytes);
            z.push_str(&String::from_utf8_lossy(&bytes));
            z
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{} holds {s}", f.display());
        }
    }
}

/// The text of every sheet of a workbook (via calamine).
fn zip_text(bytes: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let mut out = String::new();
    let Ok(mut wb) = Xlsx::new(std::io::Cursor::new(bytes.to_vec())) else { return out };
    for name in wb.sheet_names() {
        if let Ok(range) = wb.worksheet_range(&name) {
            for row in range.rows() {
                for c in row {
                    out.push_str(&c.to_string());
                    out.push('\n');
                }
            }
        }
    }
    out
}

#[test]
fn rfm_options_on_the_gbk_file_hand_checked() {
    // Recency days [1, 12, 17, 123, 2, 305]; with breaks 7,30,90,180 → R 5, 4, 4, 2, 5, 1.
    let dir = tmp();
    let rules = dir.path().join("segments.json");
    std::fs::write(
        &rules,
        r#"{"rules": [{"name": "近期", "when": {"r": {"min": 4}}, "action": "复购券"}], "other": {"name": "其余"}}"#,
    )
    .expect("rules");
    let segments = dir.path().join("segments.csv");
    let (rows, _) = rfm(
        "orders_gbk.csv",
        &[
            "--breaks-r",
            "7,30,90,180",
            "--scale100",
            "--segments",
            rules.to_str().unwrap_or(""),
            "--segments-out",
            segments.to_str().unwrap_or(""),
        ],
    );
    assert_eq!(rows[0].last().map(String::as_str), Some("score100"));
    let r: Vec<&str> = rows[1..].iter().map(|x| x[4].as_str()).collect();
    assert_eq!(r, ["5", "4", "4", "2", "5", "1"]);
    let seg: Vec<&str> = rows[1..].iter().map(|x| x[7].as_str()).collect();
    assert_eq!(seg, ["近期", "近期", "近期", "其余", "近期", "其余"]);
    // VIP001 is first in all three: 100. VIP002: recency 12 ranks 4th of 6 (→ 4/6); 2 orders,
    // 5th (→ 5/6); spend 0, the least (→ 1/6): 100 × (4/6 + 5/6 + 1/6) / 3 = 55.56
    assert_eq!(rows[1][8], "100.00");
    assert_eq!(rows[2][8], "55.56");
    let summary = read_csv(&segments);
    assert_eq!(summary[0][0], "segment");
    assert_eq!((summary[1][0].as_str(), summary[1][1].as_str(), summary[1][9].as_str()), ("近期", "4", "复购券"));
    assert_eq!((summary[2][0].as_str(), summary[2][1].as_str(), summary[2][9].as_str()), ("其余", "2", ""));
}

#[test]
fn rfm_option_errors_name_the_measure_or_rule() {
    let dir = tmp();
    let path = data("orders_gbk.csv");
    let o = custlens(&["rfm", "--orders", path.to_str().unwrap_or(""), "--json", "--breaks-f", "3,2,1,0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("频次 F 的分界点 3, 2, 1, 0"), "{}", stderr(&o));
    let rules = dir.path().join("bad.json");
    std::fs::write(&rules, r#"{"rules": [{"name": "A", "when": {"score100": {"min": 50}}}], "other": {"name": "B"}}"#)
        .expect("rules");
    let o = custlens(&[
        "rfm",
        "--orders",
        path.to_str().unwrap_or(""),
        "--json",
        "--segments",
        rules.to_str().unwrap_or(""),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("分层规则“A”使用了 0–100 综合分"), "{}", stderr(&o));
    let o = custlens(&["rfm", "--orders", path.to_str().unwrap_or(""), "--json", "--scale100", "0.5,0.5,0.5"]);
    assert!(stderr(&o).contains("综合分权重"), "{}", stderr(&o));
    let o = custlens(&["rfm", "--orders", path.to_str().unwrap_or(""), "--json", "--migrate-from", "2024-05-01"]);
    assert!(stderr(&o).contains("必须早于快照 B"), "{}", stderr(&o));
}
