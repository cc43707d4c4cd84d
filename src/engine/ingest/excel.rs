//! Excel workbooks (XLSX, XLS) as a row source, via calamine. A workbook is
//! read whole (it is a zip), so this path is for files of Excel's size, not
//! for 10-million-row exports.

use super::record::{Record, RecordSource};
use crate::engine::date::from_excel_serial;
use crate::engine::error::IngestError;
use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};
use std::io::Cursor;

/// The rows of one worksheet.
pub struct ExcelSource {
    range: Range<Data>,
    next_row: usize,
    bytes_per_row: u64,
    /// Names of all sheets in the workbook.
    pub sheet_names: Vec<String>,
    /// The sheet being read.
    pub sheet: String,
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
        let (sheet, range) = match chosen {
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
        Ok(ExcelSource { range, next_row: 0, bytes_per_row: total / rows, sheet_names, sheet })
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
