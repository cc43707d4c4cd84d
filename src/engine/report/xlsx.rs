//! XLSX exports: one or more [`TextTable`]s as the sheets of one workbook,
//! built in memory (`Vec<u8>`) so the browser offers it as a download and
//! the CLI writes it to a file — the same bytes either way.
//!
//! How cells are written (the rules a reader of the workbook can rely on):
//! - A cell whose text is a *plain decimal* becomes a number: an optional
//!   `-`, an integer part without leading zeros (`0` alone is fine), an
//!   optional `.` and decimals, at most 15 digits in all (so the `f64` holds
//!   it exactly) and not a negative zero. Its number format has as many
//!   decimals as the text (`12.50` → 12.5 shown as `0.00`, `7` → `0`), so the
//!   sheet shows exactly the CSV's text. Anything else — `007`, `1e5`,
//!   `12.`, 18-digit ID numbers, `+86…` — stays text.
//! - Text is written as a string, never as a formula, and is neutralised like
//!   the CSV ([`safe_cell`]: `= + - @`, tab or CR first → prefixed with `'`),
//!   so each text cell equals the CSV cell and a sheet re-saved as CSV is as
//!   safe as ours. Headers are always text, bold, and frozen.
//! - Empty cells are left blank.
//! - Column widths fit the longest text (CJK characters count double).
//! - The document's creation time is fixed ([`CREATED`]), not the clock, so
//!   the same tables give the same bytes.

use crate::engine::analyze::rfm::RfmResult;
use crate::engine::clean::run::Cleaned;
use crate::engine::clean::table::TextTable;
use crate::engine::clean::Reject;
use crate::engine::error::ExportError;
use crate::engine::ids::IdArena;
use crate::engine::privacy::share::{self, Disclosure};
use crate::engine::report::export::{changes_table, rejects_table, rfm_table, safe_cell, set_aside_table};
use crate::engine::report::width::display_width;
use crate::engine::unify::Unified;
use crate::i18n::Texts;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::borrow::Cow;

/// The creation (and modification) time written into every workbook:
/// 2000-01-01 00:00:00 UTC as (year, month, day).
pub const CREATED: (u16, u8, u8) = (2000, 1, 1);

/// Most characters in a sheet name (Excel's limit).
pub const SHEET_NAME_MAX: usize = 31;

/// Most data rows under the header (Excel: 1,048,576 rows in all).
pub const MAX_DATA_ROWS: usize = 1_048_575;

/// Most columns (Excel: 16,384).
pub const MAX_COLUMNS: usize = 16_384;

/// Most UTF-16 units of text in one cell (Excel's limit).
pub const MAX_CELL_CHARS: usize = 32_767;

/// Most digits of a cell written as a number (an `f64` holds 15 exactly).
const MAX_NUMBER_DIGITS: usize = 15;

/// Column widths, in characters, are kept within these bounds.
const WIDTH_RANGE: (usize, usize) = (6, 60);

/// Sheets of the clean-run workbook.
pub const CLEAN_SHEETS: [&str; 3] = ["clean", "set_aside", "changes"];

/// Sheets of the unified-customer workbook.
pub const UNIFY_SHEETS: [&str; 3] = ["customers", "identities", "merges"];

/// Sheet of the RFM workbook.
pub const RFM_SHEET: &str = "rfm";

/// Sheet of the rejects workbook.
pub const REJECTS_SHEET: &str = "rejects";

/// One sheet to write: its name and its table.
#[derive(Clone, Copy, Debug)]
pub struct Sheet<'a> {
    /// Sheet name (sanitised when written, see [`sheet_names`]).
    pub name: &'a str,
    /// The table: headers become the first row.
    pub table: &'a TextTable,
}

/// A number cell: the value and how many decimals its text had.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NumberCell {
    /// The value.
    pub value: f64,
    /// Decimals shown (the number format `0`, `0.0`, `0.00`…).
    pub decimals: u8,
}

impl NumberCell {
    /// The number format that shows the value as its text was.
    pub fn format(self) -> String {
        match self.decimals {
            0 => "0".to_string(),
            d => format!("0.{}", "0".repeat(usize::from(d))),
        }
    }
}

/// What a text cell is written as.
#[derive(Clone, Debug, PartialEq)]
pub enum CellValue<'a> {
    /// An empty cell (nothing written).
    Empty,
    /// A number (see the module notes for when).
    Number(NumberCell),
    /// Text, neutralised like the CSV.
    Text(Cow<'a, str>),
}

/// How the text `s` is written (see the module notes).
pub fn cell_value(s: &str) -> CellValue<'_> {
    if s.is_empty() {
        return CellValue::Empty;
    }
    match plain_decimal(s) {
        Some(n) => CellValue::Number(n),
        None => CellValue::Text(safe_cell(s)),
    }
}

/// `s` as a number if it is a plain decimal (see the module notes).
fn plain_decimal(s: &str) -> Option<NumberCell> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) if !f.is_empty() => (i, f),
        Some(_) => return None,
        None => (digits, ""),
    };
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let plain = !int.is_empty()
        && all_digits(int)
        && all_digits(frac)
        && (int == "0" || !int.starts_with('0'))
        && int.len() + frac.len() <= MAX_NUMBER_DIGITS;
    let zero = int.bytes().chain(frac.bytes()).all(|b| b == b'0');
    if !plain || (negative && zero) {
        return None;
    }
    let value = s.parse::<f64>().ok().filter(|v| v.is_finite())?;
    Some(NumberCell { value, decimals: frac.len() as u8 })
}

/// `name` made a valid sheet name: `[ ] : * ? / \` become `_`, apostrophes at
/// either end are dropped, at most [`SHEET_NAME_MAX`] characters, and an empty
/// result becomes `Sheet`.
pub fn sanitise_sheet_name(name: &str) -> String {
    let replaced: String =
        name.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c }).collect();
    let cut = truncate_utf16(replaced.trim_matches('\''), SHEET_NAME_MAX);
    let cut = cut.trim_matches('\'');
    if cut.trim().is_empty() {
        "Sheet".to_string()
    } else {
        cut.to_string()
    }
}

/// The longest prefix of `s` with at most `max` UTF-16 units (Excel's count).
fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

/// Sanitised, distinct sheet names (Excel compares them case-insensitively):
/// a repeated name gets ` (2)`, ` (3)`… within the length limit.
pub fn sheet_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let taken = |out: &[String], n: &str| out.iter().any(|o| o.to_lowercase() == n.to_lowercase());
    for name in names {
        let base = sanitise_sheet_name(name);
        let mut candidate = base.clone();
        let mut k = 2;
        while taken(&out, &candidate) {
            let suffix = format!(" ({k})");
            let room = SHEET_NAME_MAX - suffix.len();
            candidate = format!("{}{suffix}", truncate_utf16(&base, room));
            k += 1;
        }
        out.push(candidate);
    }
    out
}

/// Writes `sheets` as one workbook, in order.
pub fn write_xlsx(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(CREATED.0, CREATED.1, CREATED.2).map_err(|e| xlsx_err("", e))?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let names = sheet_names(sheets.iter().map(|s| s.name));
    for (sheet, name) in sheets.iter().zip(names) {
        let ws = worksheet(sheet.table, &name)?;
        workbook.push_worksheet(ws);
    }
    workbook.save_to_buffer().map_err(|e| xlsx_err("", e))
}

fn xlsx_err(sheet: &str, e: XlsxError) -> ExportError {
    ExportError::Xlsx { sheet: sheet.to_string(), message: e.to_string() }
}

/// One table as a worksheet named `name` (already sanitised).
fn worksheet(table: &TextTable, name: &str) -> Result<Worksheet, ExportError> {
    check_size(table, name)?;
    let err = |e| xlsx_err(name, e);
    let mut ws = Worksheet::new();
    ws.set_name(name).map_err(err)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = Vec::with_capacity(table.width());
    for (c, h) in table.headers.iter().enumerate() {
        let text = safe_cell(h);
        check_length(&text, name, 1, h)?;
        widths.push(display_width(&text));
        ws.write_string_with_format(0, c as u16, text.as_ref(), &bold).map_err(err)?;
    }
    let mut number_formats: Vec<Option<Format>> = vec![None; MAX_NUMBER_DIGITS + 1];
    for r in 0..table.len() {
        let row = r as u32 + 1;
        for (c, cell) in table.row(r).enumerate() {
            let col = c as u16;
            match cell_value(cell) {
                CellValue::Empty => continue,
                CellValue::Number(n) => {
                    let format = number_formats[usize::from(n.decimals)]
                        .get_or_insert_with(|| Format::new().set_num_format(n.format()));
                    ws.write_number_with_format(row, col, n.value, &*format).map_err(err)?;
                    widths[c] = widths[c].max(cell.len());
                }
                CellValue::Text(text) => {
                    check_length(&text, name, u64::from(row) + 1, &table.headers[c])?;
                    widths[c] = widths[c].max(display_width(&text));
                    ws.write_string(row, col, text.as_ref()).map_err(err)?;
                }
            }
        }
    }
    for (c, w) in widths.into_iter().enumerate() {
        let w = (w + 2).clamp(WIDTH_RANGE.0, WIDTH_RANGE.1);
        ws.set_column_width(c as u16, w as f64).map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    Ok(ws)
}

fn check_size(table: &TextTable, sheet: &str) -> Result<(), ExportError> {
    if table.len() > MAX_DATA_ROWS {
        return Err(ExportError::TooManyRows { sheet: sheet.to_string(), rows: table.len(), max: MAX_DATA_ROWS });
    }
    if table.width() > MAX_COLUMNS {
        return Err(ExportError::TooManyColumns { sheet: sheet.to_string(), columns: table.width(), max: MAX_COLUMNS });
    }
    Ok(())
}

fn check_length(text: &str, sheet: &str, row: u64, column: &str) -> Result<(), ExportError> {
    let length = text.encode_utf16().count();
    if length > MAX_CELL_CHARS {
        return Err(ExportError::CellTooLong {
            sheet: sheet.to_string(),
            row,
            column: column.to_string(),
            length,
            max: MAX_CELL_CHARS,
        });
    }
    Ok(())
}

/// A cleaning run as a workbook: the clean rows, the rows set aside (with the
/// input's cells) and the change log — the sheets of [`CLEAN_SHEETS`], the
/// same tables as the three CSV files.
pub fn clean_xlsx(input: &TextTable, cleaned: &Cleaned, t: &Texts) -> Result<Vec<u8>, ExportError> {
    let set_aside = set_aside_table(input, &cleaned.set_aside, t);
    let changes = changes_table(&cleaned.changes);
    let [a, b, c] = CLEAN_SHEETS;
    write_xlsx(&[
        Sheet { name: a, table: &cleaned.clean },
        Sheet { name: b, table: &set_aside },
        Sheet { name: c, table: &changes },
    ])
}

/// The per-customer RFM table as a workbook (sheet [`RFM_SHEET`]).
pub fn rfm_xlsx(ids: &IdArena, r: &RfmResult, t: &Texts) -> Result<Vec<u8>, ExportError> {
    write_xlsx(&[Sheet { name: RFM_SHEET, table: &rfm_table(ids, r, t) }])
}

/// The rows set aside while reading, as a workbook (sheet [`REJECTS_SHEET`]).
pub fn rejects_xlsx(rejects: &[Reject], t: &Texts) -> Result<Vec<u8>, ExportError> {
    write_xlsx(&[Sheet { name: REJECTS_SHEET, table: &rejects_table(rejects, t) }])
}

/// The unified customer view as a workbook: customers, identities, merges ([`UNIFY_SHEETS`]), personal data shown as `d` says.
pub fn unify_xlsx(u: &Unified, d: &Disclosure) -> Result<Vec<u8>, ExportError> {
    let (customers, identities, merges) = (u.customer_table(), u.identity_table(), u.merge_table());
    let (customers, identities, merges) =
        (share::table(&customers, d), share::table(&identities, d), share::table(&merges, d));
    let [a, b, c] = UNIFY_SHEETS;
    write_xlsx(&[
        Sheet { name: a, table: &customers },
        Sheet { name: b, table: &identities },
        Sheet { name: c, table: &merges },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    use std::io::Cursor;

    fn number(value: f64, decimals: u8) -> CellValue<'static> {
        CellValue::Number(NumberCell { value, decimals })
    }

    fn text(s: &str) -> CellValue<'_> {
        CellValue::Text(Cow::Borrowed(s))
    }

    #[test]
    fn plain_decimals_become_numbers_with_their_decimals() {
        assert_eq!(cell_value("12.50"), number(12.5, 2));
        assert_eq!(cell_value("-166.20"), number(-166.2, 2));
        assert_eq!(cell_value("0"), number(0.0, 0));
        assert_eq!(cell_value("0.5"), number(0.5, 1));
        assert_eq!(cell_value("123456789012345"), number(123_456_789_012_345.0, 0));
        assert_eq!(cell_value("13812345678"), number(13_812_345_678.0, 0));
        assert_eq!(cell_value(""), CellValue::Empty);
    }

    #[test]
    fn everything_else_stays_text() {
        for s in ["007", "00", "0123.5", "1234567890123456", "110101199003071234", "1e5", "12.", ".5", "1,000"] {
            assert_eq!(cell_value(s), text(s), "{s}");
        }
        for s in ["NaN", "inf", " 12", "12 ", "１２", "C001", "2024-01-05", "1.2.3"] {
            assert_eq!(cell_value(s), text(s), "{s}");
        }
        assert_eq!(cell_value("-0"), CellValue::Text(Cow::Owned("-0".into())), "negative zero is not a number");
        assert_eq!(cell_value("-0.00"), text("-0.00"));
    }

    #[test]
    fn text_is_neutralised_like_the_csv() {
        assert_eq!(cell_value("=1+1"), CellValue::Text(Cow::Owned("'=1+1".into())));
        assert_eq!(cell_value("+86 138"), CellValue::Text(Cow::Owned("'+86 138".into())));
        assert_eq!(cell_value("@SUM(A1)"), CellValue::Text(Cow::Owned("'@SUM(A1)".into())));
        assert_eq!(cell_value("-1+2"), CellValue::Text(Cow::Owned("'-1+2".into())));
        assert_eq!(cell_value("\tx"), CellValue::Text(Cow::Owned("'\tx".into())));
        assert_eq!(cell_value("-007"), CellValue::Text(Cow::Borrowed("-007")), "plain negative: no quote, as in CSV");
    }

    #[test]
    fn number_formats_keep_the_decimals() {
        assert_eq!(NumberCell { value: 7.0, decimals: 0 }.format(), "0");
        assert_eq!(NumberCell { value: 12.5, decimals: 2 }.format(), "0.00");
        assert_eq!(NumberCell { value: 0.125, decimals: 3 }.format(), "0.000");
    }

    #[test]
    fn sheet_names_are_valid_and_distinct() {
        assert_eq!(sanitise_sheet_name("a[b]:c*d?e/f\\g"), "a_b__c_d_e_f_g");
        assert_eq!(sanitise_sheet_name("'quoted'"), "quoted");
        assert_eq!(sanitise_sheet_name(""), "Sheet");
        assert_eq!(sanitise_sheet_name("''"), "Sheet");
        let long = "客户".repeat(20);
        assert_eq!(sanitise_sheet_name(&long).chars().count(), 31);
        assert_eq!(sanitise_sheet_name(&format!("{}'x", "a".repeat(30))), "a".repeat(30), "no apostrophe at the end");
        assert_eq!(sanitise_sheet_name("😀".repeat(20).as_str()), "😀".repeat(15), "UTF-16 units count");
        let names = sheet_names(["clean", "Clean", "clean", &"x".repeat(40), &"x".repeat(31)]);
        assert_eq!(names[..3], ["clean", "Clean (2)", "clean (3)"]);
        assert_eq!(names[3], "x".repeat(31));
        assert_eq!(names[4], format!("{} (2)", "x".repeat(27)));
    }

    fn sample() -> TextTable {
        let mut t = TextTable::new(vec!["客户ID".into(), "金额".into(), "=HEADER".into(), "note".into()]);
        t.push(2, ["007", "12.50", "13812345678", "=HYPERLINK(\"x\")"]);
        t.push(3, ["C2", "-3", "", "-1+2"]);
        t
    }

    fn read_back(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("open");
        let range = wb.worksheet_range(sheet).expect("sheet");
        range.rows().map(|r| r.to_vec()).collect()
    }

    #[test]
    fn reads_back_with_calamine() {
        let t = sample();
        let bytes = write_xlsx(&[Sheet { name: "a/b", table: &t }, Sheet { name: "A/B", table: &t }]).expect("xlsx");
        let wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).expect("open");
        assert_eq!(wb.sheet_names(), vec!["a_b".to_string(), "A_B (2)".to_string()]);
        let rows = read_back(&bytes, "a_b");
        let s = |x: &str| Data::String(x.to_string());
        assert_eq!(rows[0], vec![s("客户ID"), s("金额"), s("'=HEADER"), s("note")]);
        assert_eq!(rows[1], vec![s("007"), Data::Float(12.5), Data::Float(13_812_345_678.0), s("'=HYPERLINK(\"x\")")]);
        assert_eq!(rows[2], vec![s("C2"), Data::Float(-3.0), Data::Empty, s("'-1+2")]);
    }

    #[test]
    fn same_tables_same_bytes() {
        let t = sample();
        let a = write_xlsx(&[Sheet { name: "s", table: &t }]).expect("xlsx");
        let b = write_xlsx(&[Sheet { name: "s", table: &t }]).expect("xlsx");
        assert_eq!(a, b);
        let other = write_xlsx(&[Sheet { name: "t", table: &t }]).expect("xlsx");
        assert_ne!(a, other);
    }

    #[test]
    fn oversized_cells_are_errors_naming_the_place() {
        let mut t = TextTable::new(vec!["id".into(), "memo".into()]);
        t.push(2, ["1", "ok"]);
        let long = "x".repeat(MAX_CELL_CHARS + 1);
        t.push(3, ["2", &long]);
        let e = write_xlsx(&[Sheet { name: "data", table: &t }]).expect_err("too long");
        assert_eq!(
            e,
            ExportError::CellTooLong {
                sheet: "data".into(),
                row: 3,
                column: "memo".into(),
                length: MAX_CELL_CHARS + 1,
                max: MAX_CELL_CHARS
            }
        );
    }
}
