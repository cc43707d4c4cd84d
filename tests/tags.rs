//! `custlens tags` on the sample data, checked against an independent pandas
//! implementation of the default tags (tests/reference/tags.py); a rules file
//! with the SPEC's examples by hand; and the messages for invalid rules.

use crate::analyses::{assert_close, run_reference, s};
use crate::util::{custlens, ok, read_csv, reference_python, stderr, tmp, Sample};
use custlens::engine::date::Day;
use serde_json::Value;
use std::path::Path;

#[test]
fn default_tags_match_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let d = dir.path();
    let sample = Sample::new(d, &["orders", "tickets", "events"]);
    let raw = |k: &str| sample.raw(k);
    let kinds = ["customers", "orders", "tickets", "events", "surveys"];
    let unified = sample.unify(&kinds);
    let out = d.join("tags.csv");
    let (customers, orders, tickets, events, surveys) =
        (raw("customers"), raw("orders"), raw("tickets"), raw("events"), raw("surveys"));
    let args = [
        "tags",
        "--customers",
        s(&customers),
        "--orders",
        s(&orders),
        "--tickets",
        s(&tickets),
        "--events",
        s(&events),
        "--surveys",
        s(&surveys),
        "--out",
        s(&out),
        "--unmasked",
        "--json",
    ];
    let ours: Value = serde_json::from_slice(&ok(&args).stdout).expect("json");
    let clean = |k: &str| sample.clean(k);
    let (co, ct, ce) = (clean("orders"), clean("tickets"), clean("events"));
    let (uc, ui) = (unified.join("customers.csv"), unified.join("identities.csv"));
    let theirs = run_reference(
        &py,
        "tags.py",
        &[s(&uc), s(&ui), s(&co), "sample_orders.csv", s(&ct), "sample_tickets.csv", s(&ce), "sample_events.csv"],
    );
    assert_eq!(ours["customers"], theirs["customers"]);
    let as_of = Day::parse_iso(theirs["as_of"].as_str().unwrap_or("")).expect("as of");
    assert_eq!(ours["as_of"].as_i64(), Some(i64::from(as_of.days())));
    let tags = ours["tags"].as_array().expect("tags");
    let names: Vec<&str> = tags.iter().map(|t| t["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names.len(), theirs["tags"].as_object().map_or(0, |m| m.len()));
    for (i, t) in tags.iter().enumerate() {
        let name = names[i];
        assert_eq!(t["count"], theirs["tags"][name], "{name}");
        assert!(t["count"].as_u64().unwrap_or(0) > 0, "{name}: nobody on the sample");
        for (j, other) in names.iter().enumerate() {
            let (mine, want) = (&ours["overlap"][i][j], &theirs["overlap"][format!("{name}|{other}")]);
            assert_eq!(mine["both"], want["both"], "{name} & {other}");
            assert_close(mine["jaccard"].as_f64().unwrap_or(-1.0), want["jaccard"].as_f64().unwrap_or(-1.0), name);
        }
    }
    // The per-customer file holds every tagged customer once, with its tags.
    let rows = read_csv(&out);
    assert_eq!(rows[0], ["user_id", "tags"]);
    let tagged: usize = tags.iter().map(|t| t["count"].as_u64().unwrap_or(0) as usize).sum();
    let listed: usize = rows[1..].iter().map(|r| r[1].split(';').count()).sum();
    assert_eq!(listed, tagged);
}

#[test]
fn spec_rules_by_hand_and_invalid_rules() {
    let dir = tmp();
    let p = |n: &str| dir.path().join(n).to_str().unwrap_or("").to_string();
    let (crm, orders, tickets, rules, out) = (p("c.csv"), p("o.csv"), p("t.csv"), p("tags.json"), p("out.csv"));
    std::fs::write(&crm, "客户ID,姓名,手机号,省份\nC1,张三,13800000001,广东省\nC2,李四,13800000002,浙江省\n")
        .expect("write");
    let mut o = String::from("订单号,客户ID,下单时间,订单金额\n");
    for (i, (c, day, amount)) in [
        ("C1", "2024-02-01", "40000"),
        ("C1", "2024-05-01", "40000"),
        ("C1", "2024-08-01", "10000"),
        ("C1", "2024-11-01", "10000"),
        ("C2", "2023-11-01", "150000"),
        ("C2", "2024-06-01", "100"),
    ]
    .iter()
    .enumerate()
    {
        o.push_str(&format!("O{i},{c},{day},{amount}\n"));
    }
    std::fs::write(&orders, o).expect("write");
    std::fs::write(
        &tickets,
        "工单号,客户ID,创建时间,问题类型,满意度\nT1,C2,2024-12-27 10:00:00,物流查询,4\nT2,13800000002,2024-12-30 10:00:00,物流查询,3\nT3,C1,2024-12-01 10:00:00,物流查询,1\n",
    )
    .expect("write");
    let spec = r#"[
      {"name": "high value", "dimension": "value", "level": "core",
       "rule": {"op": "all", "items": [
         {"metric": "order_amount", "window_days": 365, "op": ">=", "value": 100000},
         {"metric": "repurchases", "window_days": 365, "op": ">=", "value": 3}]}},
      {"name": "urgent", "dimension": "service_need", "level": "core",
       "rule": {"op": "all", "items": [
         {"metric": "tickets_of_type", "ticket_type": "物流", "window_days": 7, "op": ">=", "value": 2},
         {"metric": "last_satisfaction", "op": "<", "value": 4}]}}
    ]"#;
    std::fs::write(&rules, spec).expect("write");
    let base = ["tags", "--customers", &crm, "--orders", &orders, "--tickets", &tickets, "--as-of", "2024-12-31"];
    let mut args = base.to_vec();
    args.extend(["--rules", &rules, "--out", &out, "--unmasked"]);
    let run = ok(&args);
    let text = String::from_utf8_lossy(&run.stdout);
    // C1: 100 000 in the year over 4 orders; C2's big order is from 2023. C2: two logistics tickets
    // in the last 7 days (one keyed by phone), last rating 3; C1's logistics ticket is a month old.
    assert!(text.contains("2 customers, as of 2024-12-31"), "{text}");
    assert_eq!(
        read_csv(Path::new(&out)),
        vec![vec!["user_id", "tags"], vec!["C1", "high value"], vec!["C2", "urgent"]]
    );
    assert!(text.contains("0 (0.000)"), "no overlap: {text}");
    // Invalid rules: the message names the file, the tag and the condition.
    std::fs::write(
        &rules,
        spec.replace("\"order_amount\", \"window_days\": 365", "\"order_amount\", \"window_days\": -365"),
    )
    .expect("write");
    let mut args = base.to_vec();
    args.extend(["--rules", &rules]);
    let run = custlens(&args);
    let err = stderr(&run);
    assert!(!run.status.success() && err.contains("tags.json: tag `high value`, condition 1: the window"), "{err}");
    std::fs::write(&rules, spec.replace("\"op\": \"<\", \"value\": 4", "\"op\": \"<\", \"value\": \"4\""))
        .expect("write");
    let err = stderr(&custlens(&args));
    assert!(err.contains("tag `urgent`, condition 2: `last_satisfaction` is a number"), "{err}");
    // The defaults can be written out as a starting point, and read back.
    let defaults = p("defaults.json");
    let mut args = base.to_vec();
    args.extend(["--defaults-out", &defaults]);
    let run = ok(&args);
    assert!(stderr(&run).contains("note: tag `活跃浏览` needs a events table"), "{}", stderr(&run));
    let mut args = base.to_vec();
    args.extend(["--rules", &defaults, "--json"]);
    let v: Value = serde_json::from_slice(&ok(&args).stdout).expect("json");
    assert_eq!(v["tags"].as_array().map(Vec::len), Some(6));
}
