//! JSON Lines input and the hard bad-input cases, through the CLI commands
//! that read files (rfm, clean, crosstab, unify).

use crate::util::{custlens, data, read_csv, reference_python, stderr, tmp};
use std::path::Path;
use std::time::{Duration, Instant};

fn p(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Runs custlens, expecting success; returns its standard error.
fn ok(args: &[&str]) -> String {
    let o = custlens(args);
    assert!(o.status.success(), "{args:?} failed: {}", stderr(&o));
    stderr(&o)
}

/// Runs custlens, expecting exit code 2; returns its standard error.
fn fails(args: &[&str]) -> String {
    let o = custlens(args);
    assert_eq!(o.status.code(), Some(2), "{args:?} should fail: {}", stderr(&o));
    stderr(&o)
}

fn quality(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("quality.json")).expect("quality.json")).expect("json")
}

#[test]
fn json_lines_orders_hand_checked() {
    let dir = tmp();
    let (out, rejects) = (dir.path().join("rfm.csv"), dir.path().join("rejects.csv"));
    let log = ok(&["rfm", "--orders", &p(&data("orders.jsonl")), "--out", &p(&out), "--rejects", &p(&rejects)]);
    assert!(log.contains("6 rows read = 4 used + 2 set aside; 3 customers, 4 orders, revenue 1215.50"), "{log}");
    let rows = read_csv(&out);
    let find = |id: &str| rows.iter().find(|r| r[0] == id).unwrap_or_else(|| panic!("{id} in {rows:?}")).clone();
    // J001: 120.50 + "1,000" (a string amount), two orders; 10004 was a JSON number.
    assert_eq!(&find("J001")[1..4], ["6", "2", "1120.50"]);
    assert_eq!(&find("J002")[1..4], ["23", "1", "80.00"]);
    assert_eq!(&find("10004")[1..4], ["1", "1", "15.00"]);
    // Row numbers are line numbers: line 4 is blank, line 6 has amount "N/A".
    let r = read_csv(&rejects);
    let got: Vec<(&str, &str)> = r[1..].iter().map(|x| (x[0].as_str(), x[1].as_str())).collect();
    assert_eq!(got, vec![("4", "blank_row"), ("6", "invalid_amount")]);
}

#[test]
fn json_lines_through_clean_crosstab_and_unify() {
    let dir = tmp();
    let input = p(&data("orders.jsonl"));
    let out = dir.path().join("clean");
    let log = ok(&["clean", "--kind", "orders", "--input", &input, "--out", &p(&out), "--lang", "en"]);
    assert!(log.contains("6 rows read = 4 clean + 2 set aside"), "{log}");
    assert_eq!(quality(&out)["reconciles"], true);
    let clean = read_csv(&out.join("clean.csv"));
    // Every key in first-seen order, nested values as compact JSON.
    assert_eq!(clean[0][..9], ["客户ID", "订单号", "下单时间", "订单金额", "标签", "地址", "备注", "会员", "渠道"]);
    assert_eq!(clean[1][4], r#"["新客","app"]"#);
    assert_eq!(clean[2][5], r#"{"省":"广东","市":"深圳"}"#);
    let o = custlens(&[
        "crosstab",
        "--input",
        &input,
        "--rows",
        "客户ID",
        "--cols",
        "订单金额",
        "--bins-cols",
        "2",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let x: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!((&x["rows_in"], &x["rows_used"], &x["table"]["total"]), (&6.into(), &4.into(), &4.into()), "{x}");
    let u = dir.path().join("unify");
    ok(&["unify", "--input", &format!("orders:{input}"), "--out", &p(&u)]);
    assert_eq!(read_csv(&u.join("customers.csv")).len(), 1 + 3);
}

#[test]
fn json_lines_bad_line_names_the_line_everywhere() {
    let dir = tmp();
    let input = p(&data("bad_line.jsonl"));
    let out = p(&dir.path().join("o"));
    for args in [
        vec![
            "rfm",
            "--orders",
            &input,
            "--map",
            "user_id=a",
            "--map",
            "amount=a",
            "--map",
            "order_time=a",
            "--out",
            &out,
        ],
        vec!["clean", "--kind", "customers", "--input", &input, "--out", &out],
        vec!["crosstab", "--input", &input, "--rows", "a", "--cols", "a"],
    ] {
        let e = fails(&args);
        assert!(e.contains("bad_line.jsonl: line 3 is not a JSON object: invalid type: sequence"), "{args:?}: {e}");
    }
}

/// JSON Lines written by pandas (an independent writer) give exactly the
/// CSV's RFM table and the same rows set aside (one row number lower: no header line).
#[test]
fn json_lines_from_pandas_match_the_csv() {
    let Some(py) = reference_python("pandas") else {
        eprintln!("SKIPPED: no Python with pandas");
        return;
    };
    let dir = tmp();
    let csv = dir.path().join("orders.csv");
    let jsonl = dir.path().join("orders.jsonl");
    ok(&["sample", "--customers", "1500", "--seed", "21", "--orders", &p(&csv)]);
    let script = "import sys, pandas as pd\n\
        df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, skip_blank_lines=False)\n\
        df.to_json(sys.argv[2], orient='records', lines=True, force_ascii=False)\n\
        back = pd.read_json(sys.argv[2], lines=True, dtype=False)\n\
        print(','.join(back.columns))\n";
    let o = std::process::Command::new(&py).args(["-c", script, &p(&csv), &p(&jsonl)]).output().expect("python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = |input: &Path, name: &str| {
        let (out, rej) = (dir.path().join(format!("{name}.csv")), dir.path().join(format!("{name}_rej.csv")));
        ok(&["rfm", "--orders", &p(input), "--snapshot", "2025-01-01", "--out", &p(&out), "--rejects", &p(&rej)]);
        (read_csv(&out), read_csv(&rej))
    };
    let (from_csv, rej_csv) = run(&csv, "csv");
    let (from_jsonl, rej_jsonl) = run(&jsonl, "jsonl");
    assert!(from_csv.len() > 1000);
    assert_eq!(from_csv, from_jsonl);
    assert_eq!(rej_csv.len(), rej_jsonl.len());
    assert!(rej_csv.len() > 1, "the sample has bad rows");
    for (c, j) in rej_csv[1..].iter().zip(&rej_jsonl[1..]) {
        let row: u64 = c[0].parse().expect("row");
        assert_eq!(j[0], (row - 1).to_string());
        // A short CSV row is a missing column there, a missing value in JSON (the key is present, empty).
        if c[1] != "missing_column" {
            assert_eq!(c[1..4], j[1..4]);
        }
    }
    // pandas reads back the columns our header would show, in the same order.
    let cols = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let clean = dir.path().join("clean");
    ok(&["clean", "--kind", "orders", "--input", &p(&jsonl), "--out", &p(&clean)]);
    let header = read_csv(&clean.join("clean.csv"))[0].clone();
    assert_eq!(header[..header.len() - 1].join(","), cols);
}

/// A CSV of `cols` columns (`customer_id,order_time,amount` first) and `rows` rows.
fn wide_csv(path: &Path, cols: usize, rows: usize, name: impl Fn(usize) -> String) {
    let mut text = String::from("customer_id,order_time,amount");
    for c in 3..cols {
        text.push(',');
        text.push_str(&name(c));
    }
    text.push('\n');
    for r in 0..rows {
        text.push_str(&format!("C{},2024-01-{:02},{}", r % 7, r % 28 + 1, r + 1));
        for c in 3..cols {
            text.push(',');
            text.push_str(&((r + c) % 10).to_string());
        }
        text.push('\n');
    }
    std::fs::write(path, text).expect("write");
}

#[test]
fn ten_thousand_columns_read_in_reasonable_time() {
    let dir = tmp();
    // Short headers (60 KB), and long ones (330 KB: more than the probe's first 256 KB read).
    for (name, header) in [("short", 4usize), ("long", 30)] {
        let input = dir.path().join(format!("{name}.csv"));
        wide_csv(&input, 10_000, 200, |c| format!("{c:0>header$}"));
        let t0 = Instant::now();
        let out = dir.path().join(format!("{name}_rfm.csv"));
        let log = ok(&["rfm", "--orders", &p(&input), "--out", &p(&out)]);
        assert!(log.contains("200 rows read = 200 used"), "{log}");
        let clean = dir.path().join(format!("{name}_clean"));
        ok(&["clean", "--kind", "orders", "--input", &p(&input), "--out", &p(&clean)]);
        let q = quality(&clean);
        assert_eq!((q["rows_in"].as_u64(), q["rows_out"].as_u64()), (Some(200), Some(200)));
        assert_eq!(read_csv(&clean.join("clean.csv"))[0].len(), 10_000 + 1, "every column and flags");
        assert!(t0.elapsed() < Duration::from_secs(90), "{name}: {:?}", t0.elapsed());
    }
}

#[test]
fn a_header_without_line_breaks_is_a_clear_error() {
    let dir = tmp();
    let input = dir.path().join("noline.csv");
    // 70 MB with no line break: the probe stops at 64 MB instead of reading on.
    std::fs::write(&input, "x,".repeat(35 << 20)).expect("write");
    let e = fails(&["clean", "--kind", "orders", "--input", &p(&input), "--out", &p(&dir.path().join("o"))]);
    assert!(e.contains("noline.csv: the header row is longer than 67108864 bytes"), "{e}");
}

#[test]
fn gbk_rows_in_a_utf8_file_are_set_aside_by_row() {
    let dir = tmp();
    let input = p(&data("mixed_encoding.csv"));
    let rej = dir.path().join("rej.csv");
    let log = ok(&["rfm", "--orders", &input, "--out", &p(&dir.path().join("r.csv")), "--rejects", &p(&rej)]);
    assert!(log.contains("6 rows read = 4 used + 2 set aside"), "{log}");
    let r = read_csv(&rej);
    let got: Vec<(&str, &str, &str)> = r[1..].iter().map(|x| (x[0].as_str(), x[1].as_str(), x[3].as_str())).collect();
    assert_eq!(got, vec![("5", "invalid_text", "user_id"), ("6", "invalid_text", "user_id")]);
    // The UTF-8 rows read correctly (nothing turned into mojibake).
    let clean = dir.path().join("clean");
    ok(&["clean", "--kind", "orders", "--input", &input, "--out", &p(&clean)]);
    assert_eq!(quality(&clean)["set_aside"]["invalid_text"], 2);
    let rows = read_csv(&clean.join("clean.csv"));
    assert_eq!(rows[0][..4], ["客户ID", "下单时间", "订单金额", "备注"]);
    assert_eq!(rows.iter().skip(1).map(|r| r[3].as_str()).collect::<Vec<_>>(), vec!["首单", "老客户", "复购", ""]);
    let o = custlens(&["crosstab", "--input", &input, "--rows", "客户ID", "--cols", "订单金额"]);
    assert!(stderr(&o).contains("2 row(s) are not valid UTF-8") && stderr(&o).contains("rows 5, 6"), "{}", stderr(&o));
}

#[test]
fn merged_two_row_header_and_formulas_in_a_workbook() {
    let dir = tmp();
    let out = dir.path().join("clean");
    let log = ok(&["clean", "--kind", "customers", "--input", &p(&data("merged_header.xlsx")), "--out", &p(&out)]);
    assert!(log.contains("1 formula cell(s) have no saved value (F5) and read as empty"), "{log}");
    let q = quality(&out);
    let fields: Vec<(String, String)> = q["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| (c["column"].as_str().unwrap_or("").to_string(), c["field"].as_str().unwrap_or("-").to_string()))
        .collect();
    let want = [("客户ID", "user_id"), ("姓名", "name"), ("联系方式_手机", "phone"), ("联系方式_邮箱", "email")];
    assert_eq!(fields[..4], want.map(|(a, b)| (a.to_string(), b.to_string())));
    let rows = read_csv(&out.join("clean.csv"));
    assert_eq!(rows.len(), 4, "two header rows become one");
    assert_eq!(rows[1][5], "200", "a formula's saved value");
    assert_eq!(rows[3][5], "", "no saved value: empty, with the warning above");
}

#[test]
fn unclosed_quote_ragged_rows_and_empty_files() {
    let dir = tmp();
    let out = p(&dir.path().join("o"));
    let q = p(&data("unclosed_quote.csv"));
    for args in [
        vec!["rfm", "--orders", &q, "--out", &out],
        vec!["clean", "--kind", "orders", "--input", &q, "--out", &out],
        vec!["crosstab", "--input", &q, "--rows", "customer_id", "--cols", "amount"],
    ] {
        let e = fails(&args);
        assert!(e.contains("unclosed_quote.csv: the quote opened in row 3 is never closed"), "{args:?}: {e}");
    }
    // Ragged rows are reported: short → missing, long → too many fields.
    let clean = dir.path().join("ragged");
    ok(&["clean", "--kind", "orders", "--input", &p(&data("ragged.csv")), "--out", &p(&clean)]);
    let qa = quality(&clean);
    assert_eq!(
        (qa["set_aside"]["missing_value"].as_u64(), qa["set_aside"]["too_many_fields"].as_u64()),
        (Some(1), Some(1))
    );
    let rej = dir.path().join("rej.csv");
    ok(&["rfm", "--orders", &p(&data("ragged.csv")), "--out", &out, "--rejects", &p(&rej)]);
    assert_eq!(read_csv(&rej)[1][..2], ["3", "missing_column"]);
    // Empty, header-only and binary files: a clear message from every command.
    for (file, msg) in [
        ("empty.csv", "the file is empty"),
        ("header_only.csv", "header row but no data rows"),
        ("not_a_table.csv", "not a text table"),
    ] {
        let f = p(&data(file));
        for args in [
            vec!["clean", "--kind", "orders", "--input", &f, "--out", &out],
            vec!["crosstab", "--input", &f, "--rows", "a", "--cols", "b"],
            vec!["unify", "--input", &f, "--out", &out],
        ] {
            let e = fails(&args);
            assert!(e.contains(file) && e.contains(msg), "{args:?}: {e}");
        }
    }
}
