//! Excel workbooks (XLSX, XLS) as a row source, via calamine. A workbook is
//! read whole (it is a zip), so this path is for files of Excel's size, not
//! for 10-million-row exports.
//!
//! Formula cells read as the value Excel saved with them. A workbook written
//! by a program (openpyxl, some exporters) may hold formulas with no saved
//! value: those cells read as empty and are counted in
//! [`UncalculatedFormulas`], so the user can be told to open and save the
//! file in Excel.
//!
//! A two-row header — merged cells in the first row over sub-headers in the
//! second (联系方式 over 手机 | 邮箱), or header cells merged down over both
//! rows — becomes one header row, `top_sub` (`联系方式_手机`), or the merged
//! cell's text alone; the data starts on the third row.
//!
//! A merged region among the data rows (a 区域 cell merged down over the
//! rows of its region) holds its value only in its top-left cell: the
//! value is copied to every cell of the region, and the cells filled are
//! counted in [`ExcelSource::merged_cells_filled`].

use super::record::{Record, RecordSource};
use crate::engine::date::from_excel_serial;
use crate::engine::error::IngestError;
use calamine::{open_workbook_auto_from_rs, Data, Dimensions, Range, Reader, Sheets};
use serde::{Deserialize, Serialize};
use std::io::Cursor;

/// Formula cells saved without a value (never calculated by Excel): they
/// read as empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UncalculatedFormulas {
    /// How many.
    pub count: u64,
    /// The first few, as Excel names them (`F5`).
    pub cells: Vec<String>,
}

/// How many uncalculated formula cells are named.
const NAMED_CELLS: usize = 10;

/// The rows of one worksheet.
pub struct ExcelSource {
    range: Range<Data>,
    next_row: usize,
    bytes_per_row: u64,
    /// Names of all sheets in the workbook.
    pub sheet_names: Vec<String>,
    /// The sheet being read.
    pub sheet: String,
    /// A header made of two rows: the row it starts on (relative to the
    /// range) and the combined header cells.
    two_row_header: Option<(usize, Vec<String>)>,
    /// Formula cells without a saved value.
    pub uncalculated: UncalculatedFormulas,
    /// Empty cells of merged regions in the data rows given their region's value.
    pub merged_cells_filled: u64,
}

impl ExcelSource {
    /// Opens `bytes` and selects `sheet` (or the first sheet with data).
    pub fn open(bytes: Vec<u8>, file: &str, sheet: Option<&str>) -> Result<ExcelSource, IngestError> {
        let total = bytes.len() as u64;
        let err = |e: &dyn std::fmt::Display| IngestError::Excel { file: file.to_string(), message: e.to_string() };
        let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| err(&e))?;
        let sheet_names = wb.sheet_names().to_vec();
        let mut chosen: Option<(String, Range<Data>)> = None;
        for name in &sheet_names {
            if sheet.is_some_and(|s| s != name) {
                continue;
            }
            let range = wb.worksheet_range(name).map_err(|e| err(&e))?;
            if sheet.is_some() || !range.is_empty() {
                chosen = Some((name.clone(), range));
                break;
            }
        }
        let (sheet, mut range) = match chosen {
            Some(c) => c,
            None if sheet.is_some() => {
                return Err(err(&format!(
                    "no sheet named `{}` (sheets: {})",
                    sheet.unwrap_or(""),
                    sheet_names.join(", ")
                )))
            }
            None => return Err(IngestError::Empty { file: file.to_string() }),
        };
        let rows = range.height().max(1) as u64;
        let merges = match &mut wb {
            Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
            Sheets::Xls(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
            _ => Vec::new(),
        };
        let formulas = wb.worksheet_formula(&sheet).ok();
        let uncalculated = formulas.map(|f| uncalculated(&range, &f)).unwrap_or_default();
        let two_row_header = two_row_header(&range, &merges);
        let header_rows = if two_row_header.is_some() { 2 } else { 1 };
        let merged_cells_filled =
            header_top(&range).map_or(0, |top| fill_merged_data(&mut range, &merges, top + header_rows));
        Ok(ExcelSource {
            range,
            next_row: 0,
            bytes_per_row: total / rows,
            sheet_names,
            sheet,
            two_row_header,
            uncalculated,
            merged_cells_filled,
        })
    }

    /// Rows in the sheet (header included).
    pub fn rows(&self) -> usize {
        self.range.height()
    }

    /// Goes back to the first row.
    pub fn rewind(&mut self) {
        self.next_row = 0;
    }
}

impl RecordSource for ExcelSource {
    fn read_record(&mut self, rec: &mut Record) -> Result<bool, IngestError> {
        rec.clear();
        if self.next_row >= self.range.height() {
            return Ok(false);
        }
        let r = self.next_row;
        self.next_row += 1;
        if let Some((h, header)) = self.two_row_header.as_ref().filter(|(h, _)| *h == r) {
            self.next_row = h + 2;
            for cell in header {
                rec.push_field(cell.as_bytes());
            }
            return Ok(true);
        }
        let mut text = String::new();
        for c in 0..self.range.width() {
            text.clear();
            if let Some(cell) = self.range.get((r, c)) {
                cell_text(cell, &mut text);
            }
            rec.push_field(text.as_bytes());
        }
        Ok(true)
    }

    fn bytes_read(&self) -> u64 {
        self.next_row as u64 * self.bytes_per_row
    }

    fn header_rows(&self) -> u64 {
        if self.two_row_header.is_some() {
            2
        } else {
            1
        }
    }
}

/// The text of the cell at absolute `(row, col)`.
fn text_at(range: &Range<Data>, row: u32, col: u32) -> String {
    let mut s = String::new();
    if let Some(cell) = range.get_value((row, col)) {
        cell_text(cell, &mut s);
    }
    s.trim().to_string()
}

/// The absolute row of the header: the first row with a value.
fn header_top(range: &Range<Data>) -> Option<u32> {
    let (r0, _) = range.start()?;
    let h = (0..range.height())
        .find(|&r| (0..range.width()).any(|c| range.get((r, c)).is_some_and(|d| *d != Data::Empty)))?;
    Some(r0 + h as u32)
}

/// Copies the value of each merged region that starts on or below the
/// absolute row `first_data_row` into the region's empty cells (within the
/// sheet's used range); returns how many cells it filled.
fn fill_merged_data(range: &mut Range<Data>, merges: &[Dimensions], first_data_row: u32) -> u64 {
    let (Some((r0, c0)), Some((r1, c1))) = (range.start(), range.end()) else { return 0 };
    let mut filled = 0;
    for m in merges.iter().filter(|m| m.start.0 >= first_data_row) {
        let Some(value) = range.get_value(m.start).filter(|v| **v != Data::Empty).cloned() else { continue };
        for r in m.start.0.max(r0)..=m.end.0.min(r1) {
            for c in m.start.1.max(c0)..=m.end.1.min(c1) {
                if range.get_value((r, c)).is_none_or(|v| *v == Data::Empty) {
                    range.set_value((r, c), value.clone());
                    filled += 1;
                }
            }
        }
    }
    filled
}

/// The combined header when the first non-empty row has merged cells that
/// span down over the next row, or across columns with sub-headers below.
fn two_row_header(range: &Range<Data>, merges: &[Dimensions]) -> Option<(usize, Vec<String>)> {
    let (r0, c0) = range.start()?;
    let top = header_top(range)?;
    let h = (top - r0) as usize;
    let below_has_text = |m: &Dimensions| (m.start.1..=m.end.1).any(|c| !text_at(range, top + 1, c).is_empty());
    let spans = merges.iter().filter(|m| m.start.0 == top);
    if !spans.clone().any(|m| m.end.0 > top || (m.end.1 > m.start.1 && below_has_text(m))) {
        return None;
    }
    let covering = |row: u32, col: u32| {
        merges.iter().find(|m| m.start.0 <= row && row <= m.end.0 && m.start.1 <= col && col <= m.end.1)
    };
    let header = (0..range.width() as u32)
        .map(|i| {
            let col = c0 + i;
            let upper = match covering(top, col) {
                Some(m) => text_at(range, m.start.0, m.start.1),
                None => text_at(range, top, col),
            };
            // A cell merged down from the top row has no sub-header of its own.
            let lower = match covering(top + 1, col) {
                Some(m) if m.start.0 == top => String::new(),
                _ => text_at(range, top + 1, col),
            };
            match (upper.is_empty(), lower.is_empty()) {
                (_, true) => upper,
                (true, false) => lower,
                (false, false) => format!("{upper}_{lower}"),
            }
        })
        .collect();
    Some((h, header))
}

/// Formula cells whose value is empty: saved without a calculated value.
fn uncalculated(values: &Range<Data>, formulas: &Range<String>) -> UncalculatedFormulas {
    let mut out = UncalculatedFormulas::default();
    for (r, c, f) in formulas.used_cells() {
        let Some((fr, fc)) = formulas.start() else { break };
        let at = (fr + r as u32, fc + c as u32);
        if !f.is_empty() && values.get_value(at).is_none_or(|v| *v == Data::Empty) {
            out.count += 1;
            if out.cells.len() < NAMED_CELLS {
                out.cells.push(format!("{}{}", column_letters(at.1), at.0 + 1));
            }
        }
    }
    out
}

/// Excel's name of a 0-based column: A … Z, AA …
fn column_letters(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A cell as the text a user sees: integers without `.0`, dates in ISO.
pub fn cell_text(cell: &Data, out: &mut String) {
    use std::fmt::Write;
    match cell {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{}", *f as i64);
            } else {
                let _ = write!(out, "{f}");
            }
        }
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            match (dt.is_datetime(), from_excel_serial(serial)) {
                (true, Ok(ts)) if ts.secs == 0 => {
                    let _ = write!(out, "{}", ts.day);
                }
                (true, Ok(ts)) => {
                    let _ = write!(out, "{ts}");
                }
                _ => {
                    let _ = write!(out, "{serial}");
                }
            }
        }
        Data::Error(e) => {
            let _ = write!(out, "#{e:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::clean::table::TextTable;

    const MERGED: &[u8] = include_bytes!("../../../tests/data/merged_header.xlsx");

    #[test]
    fn two_row_header_and_formulas() {
        let mut src = ExcelSource::open(MERGED.to_vec(), "m.xlsx", None).expect("open");
        assert_eq!(src.header_rows(), 2);
        assert_eq!(src.uncalculated, UncalculatedFormulas { count: 1, cells: vec!["F5".into()] });
        let t = TextTable::read(&mut src, "m.xlsx").expect("table");
        assert_eq!(t.headers, vec!["客户ID", "姓名", "联系方式_手机", "联系方式_邮箱", "消费_金额", "消费_合计"]);
        assert_eq!(t.row_numbers, vec![3, 4, 5], "spreadsheet rows: the data starts on row 3");
        assert_eq!(t.row(0).collect::<Vec<_>>(), vec!["K001", "张三", "13812345678", "zs@example.com", "100", "200"]);
        assert_eq!(t.cell(1, 5), "100", "cached formula value");
        assert_eq!(t.cell(2, 5), "", "a formula with no saved value reads as empty");
    }

    #[test]
    fn merged_data_cells_are_filled_down_and_across() {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let merged = Format::new();
        ws.write_row(0, 0, ["区域", "客户ID", "金额", "备注"]).expect("header");
        for (r, (id, amount)) in [("C1", 10), ("C2", 20), ("C3", 30), ("C4", 40)].into_iter().enumerate() {
            ws.write(r as u32 + 1, 1, id).expect("id");
            ws.write(r as u32 + 1, 2, amount).expect("amount");
        }
        ws.merge_range(1, 0, 3, 0, "华东", &merged).expect("region over three rows");
        ws.write(4, 0, "华南").expect("region");
        ws.merge_range(4, 2, 4, 3, "", &merged).expect("an empty merged region");
        ws.merge_range(2, 3, 3, 3, "大客户", &merged).expect("a note over two rows");
        let bytes = wb.save_to_buffer().expect("xlsx");
        let mut src = ExcelSource::open(bytes, "m.xlsx", None).expect("open");
        assert_eq!(src.merged_cells_filled, 3, "two region cells and one note cell");
        assert_eq!(src.header_rows(), 1);
        let t = TextTable::read(&mut src, "m.xlsx").expect("table");
        let rows: Vec<Vec<&str>> = (0..t.len()).map(|r| t.row(r).collect()).collect();
        assert_eq!(
            rows,
            vec![
                vec!["华东", "C1", "10", ""],
                vec!["华东", "C2", "20", "大客户"],
                vec!["华东", "C3", "30", "大客户"],
                vec!["华南", "C4", "", ""],
            ]
        );
    }

    #[test]
    fn column_names() {
        let names: Vec<String> = [0, 5, 25, 26, 27, 701, 702].into_iter().map(column_letters).collect();
        assert_eq!(names, vec!["A", "F", "Z", "AA", "AB", "ZZ", "AAA"]);
    }
}
