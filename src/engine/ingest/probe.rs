//! A first look at a file: format, encoding, delimiter, headers, a few sample
//! rows and the suggested column mapping — everything the user confirms
//! before the full read.

use super::decode::Utf8Reader;
use super::detect::{detect_encoding, detect_format, sniff_dialect, Format, TextEncoding};
use super::excel::{ExcelSource, UncalculatedFormulas};
use super::fields::{auto_map, detect_kind, Mapping, SourceKind};
use super::jsonl::{looks_like_json_lines, JsonLinesSource};
use super::profile::{profile, ColumnProfile};
use super::record::{Record, RecordSource};
use super::split::{CsvSplitter, Dialect};
use crate::engine::error::IngestError;
use serde::{Deserialize, Serialize};
use std::io::Read;

/// How many bytes of a text file the probe reads.
pub const PROBE_BYTES: usize = 256 * 1024;
/// The most bytes [`probe_text_with`] reads looking for the end of a long
/// header row (a file with tens of thousands of columns).
pub const MAX_PROBE_BYTES: usize = 64 << 20;
/// How many data rows the probe keeps as a sample.
pub const SAMPLE_ROWS: usize = 8;
/// How many data rows the column profiles look at, at most.
pub const PROFILE_ROWS: usize = 5_000;

/// What a file looks like.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// File name.
    pub file: String,
    /// Size in bytes.
    pub size: u64,
    /// Container format.
    pub format: Format,
    /// Text encoding (delimited text only).
    pub encoding: Option<TextEncoding>,
    /// Delimiter and quote (delimited text only).
    pub dialect: Option<Dialect>,
    /// Sheets of a workbook.
    pub sheets: Vec<String>,
    /// The sheet read (workbooks only).
    pub sheet: Option<String>,
    /// Header cells, as written.
    pub headers: Vec<String>,
    /// The first data rows.
    pub sample: Vec<Vec<String>>,
    /// Each column's inferred type and evidence, from the rows the probe read.
    pub columns: Vec<ColumnProfile>,
    /// The kind of table the headers suggest.
    pub detected: SourceKind,
    /// The suggested mapping (as an orders table: the analyses read orders).
    pub mapping: Mapping,
    /// Average bytes per row in the probed part (to size buffers and bitsets).
    pub row_bytes: u64,
    /// Workbook formula cells saved without a value (they read as empty).
    #[serde(default)]
    pub uncalculated: UncalculatedFormulas,
    /// Workbook cells of merged regions in the data rows, given their
    /// region's value (Excel keeps it only in the top-left cell).
    #[serde(default)]
    pub merged_cells_filled: u64,
}

impl Probe {
    /// About how many rows `bytes` bytes of this file hold.
    pub fn rows_in(&self, bytes: u64) -> u64 {
        bytes / self.row_bytes.max(1) + 1
    }
}

/// Probes a text file, reading its first [`PROBE_BYTES`] with `read_head(n)`
/// (which returns the first `n` bytes, fewer at the end of the file) and
/// four times more each time the header row does not fit, up to
/// [`MAX_PROBE_BYTES`].
///
/// What the probe does is bounded by the bytes it reads: it splits at most
/// [`PROFILE_ROWS`] rows of the head, and every cell takes at least one byte
/// (its delimiter), so a 10 000-column file is profiled on the few rows its
/// head holds.
pub fn probe_text_with(
    file: &str,
    size: u64,
    mut read_head: impl FnMut(usize) -> Result<Vec<u8>, IngestError>,
) -> Result<Probe, IngestError> {
    let mut len = PROBE_BYTES;
    loop {
        let head = read_head(len.min(usize::try_from(size).unwrap_or(usize::MAX)))?;
        match probe_text(file, size, &head) {
            Err(IngestError::HeaderTooLong { .. }) if len < MAX_PROBE_BYTES && (len as u64) < size => len *= 4,
            other => return other,
        }
    }
}

/// Probes a text file — delimited or JSON Lines — from its first bytes
/// (`head`, usually [`PROBE_BYTES`]); `size` is the whole file's size. A
/// header row longer than `head` is [`IngestError::HeaderTooLong`] (see
/// [`probe_text_with`]).
pub fn probe_text(file: &str, size: u64, head: &[u8]) -> Result<Probe, IngestError> {
    let encoding = detect_encoding(head, file)?;
    let mut utf8 = Vec::with_capacity(head.len());
    // Reading from memory cannot fail.
    let _ = Utf8Reader::new(head, encoding, true).read_to_end(&mut utf8);
    // A character cut at the end of `head` becomes U+FFFD; only the cut sample row suffers.
    let text = String::from_utf8_lossy(&utf8);
    if text.trim().is_empty() {
        return Err(IngestError::Empty { file: file.to_string() });
    }
    let cut = (head.len() as u64) < size;
    // The header line must end inside the head (or the file must end there).
    if cut && !text.trim_start().contains('\n') {
        return Err(IngestError::HeaderTooLong { file: file.to_string(), bytes: head.len() as u64 });
    }
    let json = detect_format(head, file) == Format::JsonLines || looks_like_json_lines(&text);
    let (format, dialect, headers, rows) = if json {
        let (headers, rows) = json_header_and_rows(file, &text, cut)?;
        (Format::JsonLines, None, headers, rows)
    } else {
        let dialect = sniff_dialect(&text);
        let mut src = CsvSplitter::with_buffer(text.as_bytes(), dialect, file, text.len() + 1);
        let (headers, rows) = header_and_rows(&mut src, cut)?;
        (Format::Csv, Some(dialect), headers, rows)
    };
    if headers.is_empty() {
        return Err(IngestError::Empty { file: file.to_string() });
    }
    let columns = profile(&headers, &rows);
    let sample = rows.into_iter().take(SAMPLE_ROWS).collect();
    let mapping = auto_map(SourceKind::Orders, &headers);
    let detected = detect_kind(&headers);
    let lines = memchr::memchr_iter(b'\n', head).count().max(1) as u64;
    Ok(Probe {
        detected,
        row_bytes: (head.len() as u64 / lines).max(1),
        file: file.to_string(),
        size,
        format,
        encoding: Some(encoding),
        dialect,
        sheets: Vec::new(),
        sheet: None,
        headers,
        sample,
        columns,
        mapping,
        uncalculated: UncalculatedFormulas::default(),
        merged_cells_filled: 0,
    })
}

/// The keys of the JSON Lines the head holds (a cut last line is left out)
/// and up to [`PROFILE_ROWS`] rows, padded to the keys.
fn json_header_and_rows(file: &str, text: &str, cut: bool) -> Result<(Vec<String>, Vec<Vec<String>>), IngestError> {
    let whole = match (cut, text.rfind('\n')) {
        (false, _) => text,
        (true, Some(end)) => &text[..=end],
        (true, None) => return Err(IngestError::HeaderTooLong { file: file.to_string(), bytes: text.len() as u64 }),
    };
    let mut src = JsonLinesSource::new(whole.as_bytes(), &[], file, false);
    let mut rec = Record::new();
    let mut rows = Vec::new();
    while rows.len() < PROFILE_ROWS && src.read_record(&mut rec)? {
        rows.push(rec.to_strings());
    }
    let headers = src.keys().to_vec();
    for row in &mut rows {
        row.resize(headers.len(), String::new());
    }
    Ok((headers, rows))
}

/// Probes a workbook (read whole). Returns the probe and the opened sheet,
/// positioned at its first row, so the caller need not open it twice.
pub fn probe_excel(file: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<(Probe, ExcelSource), IngestError> {
    let size = bytes.len() as u64;
    let format = detect_format(&bytes, file);
    let mut src = ExcelSource::open(bytes, file, sheet)?;
    let (headers, rows) = header_and_rows(&mut src, false)?;
    if headers.is_empty() {
        return Err(IngestError::Empty { file: file.to_string() });
    }
    let columns = profile(&headers, &rows);
    let sample = rows.into_iter().take(SAMPLE_ROWS).collect();
    let sheets = src.sheet_names.clone();
    let row_bytes = (size / src.rows().max(1) as u64).max(1);
    let sheet = Some(src.sheet.clone());
    src.rewind();
    let mapping = auto_map(SourceKind::Orders, &headers);
    let detected = detect_kind(&headers);
    Ok((
        Probe {
            detected,
            row_bytes,
            file: file.to_string(),
            size,
            format,
            encoding: None,
            dialect: None,
            sheets,
            sheet,
            headers,
            sample,
            columns,
            mapping,
            uncalculated: src.uncalculated.clone(),
            merged_cells_filled: src.merged_cells_filled,
        },
        src,
    ))
}

/// The first non-blank row is the header; then up to [`PROFILE_ROWS`] rows.
/// When the text was cut (`cut`), the last row read may be partial and is dropped.
fn header_and_rows(src: &mut dyn RecordSource, cut: bool) -> Result<(Vec<String>, Vec<Vec<String>>), IngestError> {
    let mut rec = Record::new();
    let mut headers = Vec::new();
    while src.read_record(&mut rec)? {
        if !rec.is_blank() {
            headers = rec.to_strings().into_iter().map(|h| h.trim().to_string()).collect();
            break;
        }
    }
    let mut rows = Vec::new();
    while rows.len() <= PROFILE_ROWS && src.read_record(&mut rec)? {
        rows.push(rec.to_strings());
    }
    if rows.len() > PROFILE_ROWS || cut {
        rows.pop();
    }
    Ok((headers, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::Field;

    #[test]
    fn gbk_semicolon_file() {
        let text = "订单号;客户ID;下单时间;订单金额\nO1;C1;2024/3/15;12,50\nO2;C2;2024/3/16;8\nO3;C3;2024/3/16;9\n";
        let bytes = encoding_rs::GBK.encode(text).0.into_owned();
        let p = probe_text("订单.csv", bytes.len() as u64, &bytes).expect("probe");
        assert_eq!(p.encoding, Some(TextEncoding::Gb18030));
        assert_eq!(p.dialect.map(|d| d.delimiter), Some(b';'));
        assert_eq!(p.headers, vec!["订单号", "客户ID", "下单时间", "订单金额"]);
        assert_eq!(p.sample.len(), 3);
        assert_eq!(p.mapping.column(Field::UserId), Some(1));
        assert_eq!(p.mapping.column(Field::Amount), Some(3));
        use crate::engine::ingest::profile::ColumnType;
        let types: Vec<ColumnType> = p.columns.iter().map(|c| c.ty).collect();
        assert_eq!(types, vec![ColumnType::Id, ColumnType::Id, ColumnType::DateTime, ColumnType::Decimal]);
    }

    #[test]
    fn head_cut_inside_a_character() {
        let text = "客户ID,下单时间,金额\nC1,2024-01-01,1\n张三";
        let bytes = text.as_bytes();
        let p = probe_text("x.csv", 1000, &bytes[..bytes.len() - 1]).expect("probe");
        assert_eq!(p.headers, vec!["客户ID", "下单时间", "金额"]);
    }

    #[test]
    fn cut_sample_drops_partial_row() {
        let text = "a,b\n1,2\n3,4\n5,";
        let p = probe_text("x.csv", 1000, text.as_bytes()).expect("probe");
        assert_eq!(p.sample, vec![vec!["1", "2"], vec!["3", "4"]]);
    }

    #[test]
    fn blank_and_empty_files() {
        assert!(matches!(probe_text("e.csv", 0, b""), Err(IngestError::Empty { .. })));
        assert!(matches!(probe_text("e.csv", 3, b"\n\n\n"), Err(IngestError::Empty { .. })));
    }
}
