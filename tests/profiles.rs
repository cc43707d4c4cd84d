//! `custlens profiles` on the sample data, checked against an independent
//! pandas implementation (tests/reference/profiles.py); the files of `--out`
//! against the JSON; and the command's messages and heat-map fallback by hand.

use crate::analyses::{assert_close, run_reference, s};
use crate::util::{custlens, ok, read_csv, reference_python, stderr, tmp, Sample};
use serde_json::Value;
use std::path::Path;

fn close_or_none(ours: &Value, theirs: &Value, what: &str) {
    match (ours.as_f64(), theirs.as_f64()) {
        (Some(a), Some(b)) => assert_close(a, b, what),
        _ => assert_eq!(ours.is_null(), theirs.is_null(), "{what}: ours {ours}, reference {theirs}"),
    }
}

#[test]
fn profiles_match_pandas_reference_on_sample_data() {
    let Some(py) = reference_python("pandas, numpy") else {
        eprintln!("SKIPPED: no python3 with pandas and numpy (scripts/setup.sh installs one)");
        return;
    };
    let dir = tmp();
    let d = dir.path();
    let sample = Sample::new(d, &["orders", "events"]);
    let (customers, orders, events) = (sample.raw("customers"), sample.raw("orders"), sample.raw("events"));
    let unified = sample.unify(&["customers", "orders", "events"]);
    let out = d.join("out");
    let args = [
        "profiles",
        "--customers",
        s(&customers),
        "--orders",
        s(&orders),
        "--events",
        s(&events),
        "--top",
        "6",
        "--bins",
        "12",
        "--unmasked",
        "--json",
        "--out",
        s(&out),
    ];
    let ours: Value = serde_json::from_slice(&ok(&args).stdout).expect("json");
    let clean = |k: &str| sample.clean(k);
    let (co, ce) = (clean("orders"), clean("events"));
    let (uc, ui) = (unified.join("customers.csv"), unified.join("identities.csv"));
    let tiers = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/analyze/city_tiers.csv");
    let theirs = run_reference(
        &py,
        "profiles.py",
        &[s(&uc), s(&ui), s(&co), "sample_orders.csv", s(&ce), "sample_events.csv", s(&tiers), "6", "12"],
    );
    for k in ["customers", "in_crm", "buyers", "as_of"] {
        assert_eq!(ours[k], theirs[k], "{k}");
    }
    assert!(ours["customers"].as_u64().unwrap_or(0) > 2900);

    // Every dimension: the same values in the same order, the same counts, shares summing to 1.
    let dims = ours["dimensions"].as_array().expect("dimensions");
    assert_eq!(dims.len(), 11);
    for dim in dims {
        let key = dim["dimension"].as_str().unwrap_or("");
        let want = theirs["dimensions"][key].as_array().unwrap_or_else(|| panic!("reference has no {key}"));
        let rows = dim["rows"].as_array().expect("rows");
        let got: Vec<(&str, u64)> =
            rows.iter().map(|r| (r["value"].as_str().unwrap_or(""), r["customers"].as_u64().unwrap_or(0))).collect();
        let exp: Vec<(&str, u64)> =
            want.iter().map(|r| (r[0].as_str().unwrap_or(""), r[1].as_u64().unwrap_or(0))).collect();
        assert_eq!(got, exp, "{key}");
        for (r, w) in rows.iter().zip(want) {
            assert_close(r["share"].as_f64().unwrap_or(-1.0), w[2].as_f64().unwrap_or(-2.0), key);
        }
        let total: f64 = rows.iter().map(|r| r["share"].as_f64().unwrap_or(0.0)).sum();
        assert!((total - 1.0).abs() < 1e-9, "{key}: shares sum to {total}");
    }
    // The sample has unknowns (no events for most customers; no industry) and more provinces than listed.
    let province = &ours["dimensions"][2];
    assert_eq!(province["dimension"], "province");
    assert_eq!(province["rows"][6]["kind"], "other");
    let device = &ours["dimensions"][9]["rows"];
    let last = device.as_array().and_then(|r| r.last()).expect("unknown row");
    assert!(last["kind"] == "unknown" && last["customers"].as_u64().unwrap_or(0) > 1000);

    // Numbers: counts and histograms exact, the rest to floating-point accuracy.
    for m in ours["numbers"].as_array().expect("numbers") {
        let key = m["measure"].as_str().unwrap_or("");
        let (a, b) = (&m["summary"], &theirs["numbers"][key]);
        assert_eq!(a["count"], b["count"], "{key} count");
        for f in ["mean", "std", "min", "q1", "median", "q3", "max"] {
            close_or_none(&a[f], &b[f], &format!("{key} {f}"));
        }
        let hist: Vec<u64> =
            a["histogram"].as_array().expect("bins").iter().map(|x| x["count"].as_u64().unwrap_or(0)).collect();
        let want: Vec<u64> = b["histogram"].as_array().expect("bins").iter().map(|x| x.as_u64().unwrap_or(0)).collect();
        assert_eq!(hist, want, "{key} histogram");
        let edges = b["edges"].as_array().expect("edges");
        for (i, bin) in a["histogram"].as_array().expect("bins").iter().enumerate() {
            close_or_none(&bin["lo"], &edges[i], &format!("{key} edge {i}"));
            close_or_none(&bin["hi"], &edges[i + 1], &format!("{key} edge {}", i + 1));
        }
    }
    // 客单价: the mean order value is the spend over the orders.
    let aov = ours["numbers"][3]["summary"]["mean"].as_f64().expect("aov");
    let spend = &ours["numbers"][1]["summary"];
    let orders_per = &ours["numbers"][2]["summary"];
    let total_spend = spend["mean"].as_f64().unwrap_or(0.0) * spend["count"].as_f64().unwrap_or(0.0);
    let total_orders = orders_per["mean"].as_f64().unwrap_or(0.0) * orders_per["count"].as_f64().unwrap_or(0.0);
    assert_close(aov, total_spend / total_orders, "aov");

    // Heat map: every cell's events and distinct customers.
    assert_eq!(ours["heat"]["source"], "events");
    assert_eq!(ours["heat"]["counts"], theirs["heat"]["counts"]);
    assert_eq!(ours["heat"]["customers"], theirs["heat"]["customers"]);

    // The files say what the JSON says.
    let rows = read_csv(&out.join("profiles.csv"));
    assert_eq!(rows[0], ["dimension", "value", "customers", "share"]);
    let listed: usize = dims.iter().map(|d| d["rows"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(rows.len() - 1, listed);
    let gender = rows.iter().find(|r| r[0] == "gender").expect("gender row");
    let g = &ours["dimensions"][1]["rows"][0];
    assert_eq!(
        (gender[1].as_str(), gender[2].as_str()),
        (g["value"].as_str().unwrap_or(""), g["customers"].to_string().as_str())
    );
    assert_eq!(gender[3].parse::<f64>().ok(), g["share"].as_f64());
    let numbers = read_csv(&out.join("profile_numbers.csv"));
    assert_eq!(numbers[4][0], "order_value");
    assert_eq!(numbers[4][2].parse::<f64>().ok(), Some(aov));
    let heat = read_csv(&out.join("profile_heatmap.csv"));
    assert_eq!(heat.len(), 1 + 168);
    let (weekday, hour) = (2usize, 20usize);
    let cell = &heat[1 + weekday * 24 + hour];
    assert_eq!(cell[..3], ["events", "3", "20"]);
    assert_eq!(cell[3], ours["heat"]["counts"][weekday][hour].to_string());
    let hist = read_csv(&out.join("profile_histograms.csv"));
    assert_eq!(hist.len(), 1 + 4 * 12);
}

#[test]
fn heat_map_falls_back_to_orders_and_bad_arguments_are_named() {
    let dir = tmp();
    let p = |n: &str| dir.path().join(n).to_str().unwrap_or("").to_string();
    let (crm, orders) = (p("c.csv"), p("o.csv"));
    std::fs::write(&crm, "客户ID,姓名,性别,城市\nC1,张三,男,深圳市\nC2,李四,,绵阳\nC3,王五,女,\n").expect("write");
    // 2024-05-06 is a Monday: two orders at 20:xx (C1's O1 has two lines, counted once), one on Tuesday 8:00.
    std::fs::write(
        &orders,
        "订单号,客户ID,下单时间,订单金额\nO1,C1,2024-05-06 20:10:00,100\nO1,C1,2024-05-06 20:10:00,50\nO2,C2,2024-05-06 20:59:00,30\nO3,C2,2024-05-07 08:00:00,20\n",
    )
    .expect("write");
    let run = ok(&["profiles", "--customers", &crm, "--orders", &orders, "--json", "--dimension", "city_tier"]);
    let v: Value = serde_json::from_slice(&run.stdout).expect("json");
    assert_eq!((v["customers"].as_u64(), v["buyers"].as_u64()), (Some(3), Some(2)));
    let tiers: Vec<(&str, u64)> = v["dimensions"][0]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["value"].as_str().unwrap_or(""), r["customers"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(tiers, vec![("一线", 1), ("新一线", 0), ("二线", 0), ("三线及以下", 1), ("(unknown)", 1)]);
    assert_eq!(v["heat"]["source"], "orders");
    assert_eq!((v["heat"]["counts"][0][20].as_u64(), v["heat"]["customers"][0][20].as_u64()), (Some(2), Some(2)));
    assert_eq!(v["heat"]["counts"][1][8].as_u64(), Some(1));
    // 客单价: 200 over 3 orders.
    assert_close(v["numbers"][3]["summary"]["mean"].as_f64().unwrap_or(0.0), 200.0 / 3.0, "aov");
    let text =
        String::from_utf8_lossy(&ok(&["profiles", "--customers", &crm, "--orders", &orders]).stdout).into_owned();
    assert!(text.contains("3 customers (3 in the CRM, 2 with an order)"), "{text}");
    assert!(text.contains("orders by weekday"), "{text}");

    let err = stderr(&custlens(&["profiles", "--json"]));
    assert!(err.contains("at least one of --customers, --orders and --events"), "{err}");
    let err = stderr(&custlens(&["profiles", "--customers", &crm, "--dimension", "shoe_size"]));
    assert!(err.contains("--dimension shoe_size: use one of age_band, gender"), "{err}");
    let err = stderr(&custlens(&["profiles", "--customers", &crm, "--age-bands", "30,20"]));
    assert!(err.contains("--age-bands: age bands: `30,20`"), "{err}");
    let err = stderr(&custlens(&["profiles", "--customers", &crm, "--bins", "0"]));
    assert!(err.contains("histogram bins (0)"), "{err}");
}
