//! A table of text cells held in one buffer (no `String` per cell or
//! `Vec` per row), with each row's spreadsheet row number — what the
//! cleaning steps read and write.

use crate::engine::error::{AnalysisError, IngestError};
use crate::engine::ids::IdArena;
use crate::engine::ingest::record::{Record, RecordSource};
use crate::engine::money::trim_text;

/// Rows of text cells under a header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextTable {
    /// Column headers.
    pub headers: Vec<String>,
    cells: IdArena,
    /// Spreadsheet row number of each row (the header is row 1).
    pub row_numbers: Vec<u64>,
    /// Cells each row had in the file (it may be more or fewer than the headers).
    pub widths: Vec<u32>,
    /// Indexes of the rows whose bytes were not valid UTF-8 although the
    /// file is (rows in another encoding, e.g. GBK rows appended to a UTF-8
    /// export). Their unreadable bytes show as U+FFFD; cleaning sets them
    /// aside as [`crate::engine::clean::RejectReason::InvalidText`].
    pub invalid_text_rows: Vec<usize>,
}

/// The most bytes of cell text a table holds (its cell offsets are `u32`).
pub const MAX_TABLE_TEXT: u64 = u32::MAX as u64;

impl TextTable {
    /// An empty table with these headers.
    pub fn new(headers: Vec<String>) -> TextTable {
        TextTable { headers, ..TextTable::default() }
    }

    /// A table from literal headers and rows (row numbers from 2, as under a header).
    pub fn from_rows(headers: &[&str], rows: &[&[&str]]) -> TextTable {
        let mut t = TextTable::new(headers.iter().map(|h| h.to_string()).collect());
        for (i, r) in rows.iter().enumerate() {
            t.push(i as u64 + 2, r.iter().copied());
        }
        t
    }

    /// Number of columns.
    pub fn width(&self) -> usize {
        self.headers.len()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.row_numbers.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.row_numbers.is_empty()
    }

    /// Appends a row; missing trailing cells are empty, extra ones dropped
    /// (the row's own width is kept in [`TextTable::widths`]).
    pub fn push<'a>(&mut self, row_number: u64, cells: impl IntoIterator<Item = &'a str>) {
        let mut n = 0u32;
        let mut it = cells.into_iter();
        for _ in 0..self.width() {
            match it.next() {
                Some(c) => {
                    self.cells.push(c);
                    n += 1;
                }
                None => {
                    self.cells.push("");
                }
            }
        }
        n += it.count() as u32;
        self.row_numbers.push(row_number);
        self.widths.push(n);
    }

    /// Fails when the cell text outgrows [`MAX_TABLE_TEXT`].
    pub fn check_size(&self, file: &str) -> Result<(), IngestError> {
        let bytes = self.cells.byte_len();
        if bytes >= MAX_TABLE_TEXT - (1 << 20) {
            let mb = |b: u64| b >> 20;
            return Err(IngestError::TooLarge {
                file: file.to_string(),
                needed_mb: mb(bytes),
                limit_mb: mb(MAX_TABLE_TEXT),
            });
        }
        Ok(())
    }

    /// A 128-bit hash of everything in the table: headers, cells, row
    /// numbers, widths and rows with invalid text — what tells two tables apart.
    pub fn content_hash(&self) -> u128 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for header in &self.headers {
            h.update(header.as_bytes());
            h.update(&[0xFF]);
        }
        h.update(&self.cells.content_hash().to_le_bytes());
        for n in &self.row_numbers {
            h.update(&n.to_le_bytes());
        }
        for w in &self.widths {
            h.update(&w.to_le_bytes());
        }
        for r in &self.invalid_text_rows {
            h.update(&(*r as u64).to_le_bytes());
        }
        h.digest128()
    }

    /// The cell at row `r`, column `c`.
    pub fn cell(&self, r: usize, c: usize) -> &str {
        self.cells.get((r * self.width() + c) as u32)
    }

    /// The column an analysis names: the header equal to `name`, else the first
    /// header equal to it when both are trimmed and compared case-insensitively.
    pub fn column_index(&self, name: &str) -> Result<usize, AnalysisError> {
        if let Some(i) = self.headers.iter().position(|h| h == name) {
            return Ok(i);
        }
        let want = trim_text(name).to_lowercase();
        self.headers
            .iter()
            .position(|h| trim_text(h).to_lowercase() == want)
            .ok_or_else(|| AnalysisError::NoSuchColumn { column: name.to_string(), columns: self.headers.join(", ") })
    }

    /// Row `r`'s cells.
    pub fn row(&self, r: usize) -> impl Iterator<Item = &str> + '_ {
        (0..self.width()).map(move |c| self.cell(r, c))
    }

    /// A copy with cells rewritten: `f(column, cell)` returns the new text, or
    /// `None` to keep the cell. Row numbers and widths are kept.
    pub fn map_cells(&self, mut f: impl FnMut(usize, &str) -> Option<String>) -> TextTable {
        let mut out = TextTable::new(self.headers.clone());
        let mut row: Vec<std::borrow::Cow<'_, str>> = Vec::with_capacity(self.width());
        for r in 0..self.len() {
            row.clear();
            row.extend(self.row(r).enumerate().map(|(c, v)| f(c, v).map_or(std::borrow::Cow::Borrowed(v), Into::into)));
            out.push(self.row_numbers[r], row.iter().map(|c| c.as_ref()));
        }
        out.widths = self.widths.clone();
        out.invalid_text_rows = self.invalid_text_rows.clone();
        out
    }

    /// A copy with only the rows at `keep`, in that order (row numbers kept).
    pub fn select_rows(&self, keep: &[usize]) -> TextTable {
        let mut out = TextTable::new(self.headers.clone());
        for &r in keep.iter().filter(|&&r| r < self.len()) {
            out.push(self.row_numbers[r], self.row(r));
        }
        out
    }

    /// A copy with only the columns at `keep`, in that order. Row numbers are
    /// kept; each row's width counts the kept cells it had.
    pub fn select_columns(&self, keep: &[usize]) -> TextTable {
        let mut out = TextTable::new(keep.iter().filter_map(|&c| self.headers.get(c).cloned()).collect());
        for r in 0..self.len() {
            out.push(self.row_numbers[r], keep.iter().filter(|&&c| c < self.width()).map(|&c| self.cell(r, c)));
        }
        out.invalid_text_rows = self.invalid_text_rows.clone();
        out
    }

    /// Reads every row of `src` (`file` names it in errors). The first
    /// non-blank row is the header; blank rows are kept (cleaning accounts
    /// for them). Rows that are not valid UTF-8 are kept with U+FFFD for
    /// their unreadable bytes and listed in [`TextTable::invalid_text_rows`].
    pub fn read(src: &mut dyn RecordSource, file: &str) -> Result<TextTable, IngestError> {
        let mut rec = Record::new();
        let mut row = 0u64;
        let mut table = TextTable::default();
        while src.read_record(&mut rec)? {
            if !rec.is_blank() {
                row += src.header_rows();
                table.headers = rec.to_strings().into_iter().map(|h| h.trim().to_string()).collect();
                break;
            }
            row += 1;
        }
        while src.read_record(&mut rec)? {
            row += 1;
            if !rec.is_utf8() {
                table.invalid_text_rows.push(table.len());
            }
            let cells: Vec<std::borrow::Cow<'_, str>> = (0..rec.len()).filter_map(|i| rec.text(i)).collect();
            table.push(row, cells.iter().map(|c| c.as_ref()));
            table.check_size(file)?;
        }
        if src.ended_in_quote() {
            let row = table.row_numbers.last().copied().unwrap_or(row);
            return Err(IngestError::UnclosedQuote { file: file.to_string(), row });
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::split::{CsvSplitter, Dialect};

    #[test]
    fn reads_pads_and_counts() {
        let mut src = CsvSplitter::new(&b"\na,b\n1,2\n3\n4,5,6\n"[..], Dialect::default(), "t");
        let t = TextTable::read(&mut src, "t").expect("read");
        assert_eq!(t.headers, vec!["a", "b"]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.row_numbers, vec![3, 4, 5]);
        assert_eq!(t.row(1).collect::<Vec<_>>(), vec!["3", ""]);
        assert_eq!(t.widths, vec![2, 1, 3]);
        assert_eq!(t.cell(2, 1), "5");
        let m = t.map_cells(|c, v| (c == 0).then(|| format!("<{v}>")));
        assert_eq!(m.row(2).collect::<Vec<_>>(), vec!["<4>", "5"]);
        assert_eq!((m.row_numbers.clone(), m.widths.clone()), (t.row_numbers.clone(), t.widths.clone()));
    }

    #[test]
    fn columns_by_name() {
        let t = TextTable::new(vec!["客户ID".into(), " Gender ".into(), "gender".into()]);
        assert_eq!(t.column_index("客户ID"), Ok(0));
        assert_eq!(t.column_index("gender"), Ok(2)); // exact wins
        assert_eq!(t.column_index("GENDER"), Ok(1)); // then the first trimmed, case-insensitive match
        let e = t.column_index("年龄");
        assert_eq!(
            e,
            Err(AnalysisError::NoSuchColumn { column: "年龄".into(), columns: "客户ID,  Gender , gender".into() })
        );
    }
}
