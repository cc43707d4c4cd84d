//! XLSX exports from the CLI: every cell equals the CSV export of the same
//! run after the documented conversions — read back with calamine here and
//! with openpyxl in tests/reference/xlsx.py — and the bytes do not depend on
//! when they were written.

use crate::util::{custlens, read_csv, reference_python, stderr, tmp};
use calamine::{open_workbook, Data, Reader, Xlsx};
use custlens::engine::report::xlsx::{cell_value, CellValue};
use std::path::{Path, PathBuf};
use std::process::Command;

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or("")
}

fn run(args: &[&str]) {
    let o = custlens(args);
    assert!(o.status.success(), "custlens {args:?} failed: {}", stderr(&o));
}

/// Sample orders and customers, plus customers whose cells a spreadsheet
/// would misread: formulas, `+86…`, leading zeros, 18-digit ids, negative
/// amounts and zeros, exponents.
struct Inputs {
    _dir: tempfile::TempDir,
    orders: PathBuf,
    customers: PathBuf,
    out: PathBuf,
}

fn inputs() -> Inputs {
    let dir = tmp();
    let orders = dir.path().join("orders.csv");
    let customers = dir.path().join("customers.csv");
    run(&["sample", "--customers", "400", "--seed", "5", "--orders", s(&orders), "--customers-out", s(&customers)]);
    let mut text = std::fs::read_to_string(&customers).expect("customers");
    text.push_str(concat!(
        "C900001,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",+86 138 0000 0000,@a@b.com,男,007,-12.50,1e5,-0,",
        "110101199003071234,2023-01-10\r\n",
        "C900002,+SUM(1),13800000000,\"-1+2\",女,-3,\"\t=1\",0.50,-0.00,0123,2023-01-11\r\n",
    ));
    std::fs::write(&customers, text).expect("write customers");
    let out = dir.path().join("out");
    Inputs { _dir: dir, orders, customers, out }
}

/// What calamine reads for a CSV cell: a number for a plain decimal, else the text.
fn expected(csv_cell: &str) -> Data {
    match cell_value(csv_cell) {
        CellValue::Empty => Data::Empty,
        CellValue::Number(n) => Data::Float(n.value),
        CellValue::Text(t) => Data::String(t.into_owned()),
    }
}

/// Compares every cell of `sheet` with the CSV; returns (cells, numbers).
fn assert_sheet_is_csv(xlsx: &Path, sheet: &str, csv: &Path) -> (usize, usize) {
    let mut wb: Xlsx<_> = open_workbook(xlsx).expect("open xlsx");
    let range = wb.worksheet_range(sheet).expect("sheet");
    let rows = read_csv(csv);
    assert_eq!(range.height(), rows.len(), "{sheet}: rows");
    let (mut cells, mut numbers) = (0, 0);
    for (r, row) in rows.iter().enumerate() {
        for (c, want) in row.iter().enumerate() {
            let got = range.get((r, c)).cloned().unwrap_or(Data::Empty);
            let want = if r == 0 { Data::String(want.clone()) } else { expected(want) };
            assert_eq!(got, want, "{sheet} row {} column {}", r + 1, c + 1);
            cells += 1;
            numbers += usize::from(matches!(got, Data::Float(_)));
        }
    }
    (cells, numbers)
}

fn sheet_names(xlsx: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(xlsx).expect("open xlsx");
    wb.sheet_names()
}

#[test]
fn clean_xlsx_holds_the_three_csv_tables() {
    let i = inputs();
    let (csv_dir, xlsx_dir) = (i.out.join("csv"), i.out.join("xlsx"));
    // Unmasked: the crafted cells below are checked as written (masking is the same for both formats).
    run(&["clean", "--kind", "customers", "--input", s(&i.customers), "--out", s(&csv_dir), "--unmasked"]);
    let xlsx_args = ["--out", s(&xlsx_dir), "--format", "xlsx", "--unmasked"];
    run(&[&["clean", "--kind", "customers", "--input", s(&i.customers)][..], &xlsx_args[..]].concat());
    let book = xlsx_dir.join("clean.xlsx");
    assert!(!xlsx_dir.join("clean.csv").exists(), "xlsx replaces the CSV tables");
    assert_eq!(std::fs::read(xlsx_dir.join("quality.json")).ok(), std::fs::read(csv_dir.join("quality.json")).ok());
    assert_eq!(sheet_names(&book), ["clean", "set_aside", "changes"]);
    let (cells, numbers) = assert_sheet_is_csv(&book, "clean", &csv_dir.join("clean.csv"));
    assert!(cells > 4000 && numbers > 400, "{cells} cells, {numbers} numbers");
    assert_sheet_is_csv(&book, "set_aside", &csv_dir.join("set_aside.csv"));
    assert_sheet_is_csv(&book, "changes", &csv_dir.join("changes.csv"));

    // The crafted rows: formulas neutralised, ids with leading zeros and
    // 18-digit ids kept as text, plain decimals as numbers.
    let mut wb: Xlsx<_> = open_workbook(&book).expect("open");
    let range = wb.worksheet_range("clean").expect("clean");
    let find = |id: &str| range.rows().find(|r| r[0] == Data::String(id.into())).expect(id).to_vec();
    let text = |x: &str| Data::String(x.into());
    let a = find("C900001");
    assert_eq!(a[1], text("'=HYPERLINK(\"http://x\",\"y\")"));
    assert!(a.contains(&text("110101199003071234")) && a.contains(&text("1e5")), "{a:?}");
    assert!(a.contains(&Data::Float(-12.5)), "{a:?}");
    let b = find("C900002");
    assert_eq!(b[1], text("'+SUM(1)"));
    assert!(b.contains(&text("'\t=1")) && b.contains(&text("0123")) && b.contains(&Data::Float(0.5)), "{b:?}");
}

#[test]
fn rfm_and_rejects_by_extension() {
    let i = inputs();
    std::fs::create_dir_all(&i.out).expect("out");
    let (csv, rej_csv) = (i.out.join("rfm.csv"), i.out.join("rejects.csv"));
    let (xlsx, rej_xlsx) = (i.out.join("rfm.XLSX"), i.out.join("rejects.xlsx"));
    run(&["rfm", "--orders", s(&i.orders), "--out", s(&csv), "--rejects", s(&rej_csv)]);
    run(&["rfm", "--orders", s(&i.orders), "--out", s(&xlsx), "--rejects", s(&rej_xlsx)]);
    assert!(std::fs::read(&xlsx).expect("xlsx").starts_with(b"PK"), "a zip, not a CSV");
    assert_eq!(sheet_names(&xlsx), ["rfm"]);
    let (cells, numbers) = assert_sheet_is_csv(&xlsx, "rfm", &csv);
    assert_eq!(numbers, (cells / 8 - 1) * 6, "every column but id and segment is a number");
    assert_eq!(sheet_names(&rej_xlsx), ["rejects"]);
    assert_sheet_is_csv(&rej_xlsx, "rejects", &rej_csv);
}

#[test]
fn unify_xlsx_holds_customers_identities_merges() {
    let i = inputs();
    let (csv_dir, xlsx_dir) = (i.out.join("csv"), i.out.join("xlsx"));
    let ins = ["--input", s(&i.customers), "--input", s(&i.orders)];
    run(&[&["unify"], &ins[..], &["--out", s(&csv_dir)]].concat());
    run(&[&["unify"], &ins[..], &["--out", s(&xlsx_dir), "--format", "xlsx"]].concat());
    let book = xlsx_dir.join("unify.xlsx");
    assert_eq!(sheet_names(&book), ["customers", "identities", "merges"]);
    for (sheet, file) in [("customers", "customers.csv"), ("identities", "identities.csv"), ("merges", "merges.csv")] {
        assert_sheet_is_csv(&book, sheet, &csv_dir.join(file));
    }
}

#[test]
fn same_input_same_bytes_at_another_time() {
    let i = inputs();
    let (a, b) = (i.out.join("a"), i.out.join("b"));
    run(&["clean", "--kind", "orders", "--input", s(&i.orders), "--out", s(&a), "--format", "xlsx"]);
    // The creation time is fixed, not the clock (which has whole seconds).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run(&["clean", "--kind", "orders", "--input", s(&i.orders), "--out", s(&b), "--format", "xlsx"]);
    let (x, y) = (std::fs::read(a.join("clean.xlsx")).expect("a"), std::fs::read(b.join("clean.xlsx")).expect("b"));
    assert!(x == y, "two runs differ ({} vs {} bytes)", x.len(), y.len());
}

#[test]
fn every_cell_matches_the_csv_in_openpyxl() {
    let Some(py) = reference_python("openpyxl") else {
        eprintln!("SKIPPED: no python3 with openpyxl (scripts/setup.sh installs one)");
        return;
    };
    let i = inputs();
    let (csv_dir, xlsx_dir) = (i.out.join("csv"), i.out.join("xlsx"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/xlsx.py");
    let check = |book: &Path, pairs: &[(&str, PathBuf)]| {
        let mut cmd = Command::new(&py);
        cmd.arg(&script).arg(book);
        for (sheet, csv) in pairs {
            cmd.arg(format!("{sheet}={}", s(csv)));
        }
        let r = cmd.output().expect("run python");
        assert!(r.status.success(), "{}: {}", book.display(), String::from_utf8_lossy(&r.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&r.stdout).expect("summary");
        eprintln!("{}: {summary}", book.display());
        summary
    };
    for kind_input in [("customers", &i.customers), ("orders", &i.orders)] {
        let (kind, input) = kind_input;
        let (c, x) = (csv_dir.join(kind), xlsx_dir.join(kind));
        run(&["clean", "--kind", kind, "--input", s(input), "--out", s(&c)]);
        run(&["clean", "--kind", kind, "--input", s(input), "--out", s(&x), "--format", "xlsx"]);
        let names = ["clean", "set_aside", "changes"];
        let pairs: Vec<_> = names.iter().map(|n| (*n, c.join(format!("{n}.csv")))).collect();
        let summary = check(&x.join("clean.xlsx"), &pairs);
        assert!(summary["numbers"].as_u64() > Some(300), "{summary}");
    }
    std::fs::create_dir_all(&csv_dir).expect("dir");
    let (rfm_csv, rfm_xlsx) = (csv_dir.join("rfm.csv"), csv_dir.join("rfm.xlsx"));
    let (rej_csv, rej_xlsx) = (csv_dir.join("rejects.csv"), csv_dir.join("rejects.xlsx"));
    run(&["rfm", "--orders", s(&i.orders), "--out", s(&rfm_csv), "--rejects", s(&rej_csv)]);
    run(&["rfm", "--orders", s(&i.orders), "--out", s(&rfm_xlsx), "--rejects", s(&rej_xlsx)]);
    check(&rfm_xlsx, &[("rfm", rfm_csv)]);
    check(&rej_xlsx, &[("rejects", rej_csv)]);
    let (uc, ux) = (csv_dir.join("unify"), xlsx_dir.join("unify"));
    let ins = ["--input", s(&i.customers), "--input", s(&i.orders)];
    run(&[&["unify"], &ins[..], &["--out", s(&uc)]].concat());
    run(&[&["unify"], &ins[..], &["--out", s(&ux), "--format", "xlsx"]].concat());
    let names = ["customers", "identities", "merges"];
    let pairs: Vec<_> = names.iter().map(|n| (*n, uc.join(format!("{n}.csv")))).collect();
    check(&ux.join("unify.xlsx"), &pairs);
}

mod properties {
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    use custlens::engine::clean::table::TextTable;
    use custlens::engine::report::export::safe_cell;
    use custlens::engine::report::xlsx::{cell_value, write_xlsx, CellValue, Sheet};
    use proptest::prelude::*;
    use std::io::Cursor;

    fn cell() -> impl Strategy<Value = String> {
        let chars = vec!['0', '0', '1', '5', '9', '-', '.', '=', '+', '@', '\t', 'e', '中', ' '];
        prop::collection::vec(prop::sample::select(chars), 0..18).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every cell shows the CSV's text: numbers formatted with their
        /// decimals give it back exactly, text is the neutralised text.
        #[test]
        fn cells_show_the_csv_text(rows in prop::collection::vec(prop::collection::vec(cell(), 3), 1..12)) {
            let mut t = TextTable::new(vec!["a".into(), "b".into(), "c".into()]);
            for (i, r) in rows.iter().enumerate() {
                t.push(i as u64 + 2, r.iter().map(String::as_str));
            }
            let bytes = write_xlsx(&[Sheet { name: "p", table: &t }]).expect("xlsx");
            let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("open");
            let range = wb.worksheet_range("p").expect("sheet");
            for (r, row) in rows.iter().enumerate() {
                for (c, text) in row.iter().enumerate() {
                    let got = range.get((r + 1, c)).cloned().unwrap_or(Data::Empty);
                    let shown = match (&got, cell_value(text)) {
                        (Data::Float(f), CellValue::Number(n)) => format!("{f:.*}", usize::from(n.decimals)),
                        (Data::String(s), CellValue::Text(_)) => s.clone(),
                        (Data::Empty, CellValue::Empty) => String::new(),
                        (g, w) => panic!("{text:?}: read {g:?}, wrote {w:?}"),
                    };
                    prop_assert_eq!(shown, safe_cell(text).into_owned());
                }
            }
        }
    }
}
