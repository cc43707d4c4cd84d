//! The stages wired together for one orders file. A file is read as one or
//! more line-aligned byte ranges ([`read_text_range`], in parallel in the
//! Web Workers or CLI threads); the chunks are merged, orders that two chunks
//! both counted are settled, and the customers are scored. The CLI and the
//! tests run the same functions in one process ([`merge_local`]).

use crate::engine::analyze::customers::{merge_local, Customers};
use crate::engine::analyze::distinct::Bitset;
use crate::engine::clean::table::TextTable;
use crate::engine::error::{EngineError, IngestError};
use crate::engine::ingest::chunk::{ByteRange, LineAligned};
use crate::engine::ingest::decode::Utf8Reader;
use crate::engine::ingest::detect::Format;
use crate::engine::ingest::excel::ExcelSource;
use crate::engine::ingest::jsonl::JsonLinesSource;
use crate::engine::ingest::orders::{read_orders, OrderColumns, OrdersChunk, ReadOptions};
use crate::engine::ingest::probe::Probe;
use crate::engine::ingest::split::CsvSplitter;
use std::io::Read;

/// The distinct-order bitset size for a file (every chunk of the file must
/// use the same): 8–16 bits per expected row, at most 2^27 bits (16 MB).
/// Fewer bits would make more orders look shared between chunks.
pub fn order_bits_log2(probe: &Probe) -> u32 {
    Bitset::log2_for(probe.rows_in(probe.size)).min(27)
}

/// Reads the whole lines of `range` of a text file (delimited or JSON
/// Lines). `reader` must start at `range.start - 1` (at 0 for the first
/// range); see [`LineAligned`]. `progress` gets the bytes read in the range.
///
/// JSON Lines split into ranges like CSV (a JSON string cannot hold a raw
/// line break), but the callers read them in one range so that an error
/// names the line counted from the start of the file.
pub fn read_text_range<R: Read>(
    reader: R,
    probe: &Probe,
    cols: OrderColumns,
    range: ByteRange,
    progress: &mut dyn FnMut(u64),
) -> Result<OrdersChunk, IngestError> {
    let at_start = range.start == 0;
    let encoding = probe.encoding.unwrap_or(crate::engine::ingest::detect::TextEncoding::Utf8);
    let text = Utf8Reader::new(LineAligned::new(reader, range), encoding, at_start);
    // Big reads are much cheaper than small ones for a browser `File`; small files get small buffers.
    let buffer = (range.end - range.start + (64 << 10)).min(32 << 20) as usize;
    let opts = ReadOptions {
        file: &probe.file,
        cols,
        header: at_start,
        order_bits_log2: order_bits_log2(probe),
        expected_rows: probe.rows_in(range.end - range.start) as usize,
    };
    if probe.format == Format::JsonLines {
        let mut src = JsonLinesSource::new(text, &probe.headers, &probe.file, at_start);
        return read_orders(&mut src, opts, progress);
    }
    let mut src = CsvSplitter::with_buffer(text, probe.dialect.unwrap_or_default(), &probe.file, buffer);
    read_orders(&mut src, opts, progress)
}

/// Reads a whole worksheet.
pub fn read_excel(mut src: ExcelSource, probe: &Probe, cols: OrderColumns) -> Result<OrdersChunk, IngestError> {
    src.rewind();
    let opts = ReadOptions {
        file: &probe.file,
        cols,
        header: true,
        order_bits_log2: order_bits_log2(probe),
        expected_rows: src.rows(),
    };
    read_orders(&mut src, opts, &mut |_| {})
}

/// Reads a whole text file (delimited or JSON Lines) into a table of text
/// cells (for cleaning, unifying, cross-tabs).
///
/// The input streams through; the table itself is held in memory: each cell
/// takes its text's UTF-8 bytes plus a 4-byte offset, each row 16 bytes of
/// row number and width — about the file's size (as UTF-8) plus 4 bytes
/// per cell (see [`table_memory`]). The cell text is limited to 4 GiB
/// ([`crate::engine::clean::table::MAX_TABLE_TEXT`]; more is
/// [`IngestError::TooLarge`]).
pub fn read_text_table<R: Read>(reader: R, probe: &Probe) -> Result<TextTable, IngestError> {
    let encoding = probe.encoding.unwrap_or(crate::engine::ingest::detect::TextEncoding::Utf8);
    let text = Utf8Reader::new(reader, encoding, true);
    if probe.format == Format::JsonLines {
        return JsonLinesSource::new(text, &probe.headers, &probe.file, false).read_table();
    }
    let mut src = CsvSplitter::new(text, probe.dialect.unwrap_or_default(), &probe.file);
    TextTable::read(&mut src, &probe.file)
}

/// Memory a browser tab's WebAssembly engine can use at most (4 GiB), less
/// room for the engine itself, the file's read buffers and the results.
pub const WASM_TABLE_LIMIT: u64 = 3 << 30;

/// About how many bytes [`read_text_table`] holds for this file: its text
/// (UTF-16 files shrink to about half as UTF-8; others stay about the
/// same), 4 bytes per cell and 16 per row. JSON Lines text includes its
/// keys, so the estimate is generous there.
pub fn table_memory(probe: &Probe) -> u64 {
    let rows = probe.rows_in(probe.size);
    let cells = rows.saturating_mul(probe.headers.len().max(1) as u64);
    let text = match probe.encoding {
        Some(e) if !e.ascii_compatible() => probe.size / 2,
        _ => probe.size,
    };
    text.saturating_add(cells.saturating_mul(4)).saturating_add(rows.saturating_mul(16))
}

/// Refuses, before reading, a table that would need more than `limit` bytes
/// (see [`table_memory`]; the browser passes [`WASM_TABLE_LIMIT`]).
pub fn check_table_fits(probe: &Probe, limit: u64) -> Result<(), IngestError> {
    let need = table_memory(probe);
    if need > limit {
        return Err(IngestError::TooLarge { file: probe.file.clone(), needed_mb: need >> 20, limit_mb: limit >> 20 });
    }
    Ok(())
}

/// Refuses a file with a header but no rows.
pub fn check_rows(probe: &Probe, customers: Customers) -> Result<Customers, EngineError> {
    if let Some(row) = customers.unclosed_quote_row {
        return Err(IngestError::UnclosedQuote { file: probe.file.clone(), row }.into());
    }
    if customers.account.rows_in == 0 {
        return Err(IngestError::NoRows { file: probe.file.clone() }.into());
    }
    Ok(customers)
}

/// Merges chunks read in this process (in file order) into customers.
pub fn finish_local(probe: &Probe, chunks: &[OrdersChunk]) -> Result<Customers, EngineError> {
    check_rows(probe, merge_local(chunks))
}

/// Reads a delimited text file held in memory, in `parts` line-aligned
/// ranges (as the workers would), with the automatic mapping; falls back to
/// one pass when a quoted line break straddles a range boundary.
pub fn read_in_memory(name: &str, bytes: &[u8], parts: usize) -> Result<(Probe, Customers), EngineError> {
    let head = &bytes[..bytes.len().min(crate::engine::ingest::probe::PROBE_BYTES)];
    let probe = crate::engine::ingest::probe::probe_text(name, bytes.len() as u64, head)?;
    let cols = OrderColumns::from_mapping(&probe.mapping, name, &probe.headers)?;
    let read = |parts: usize| -> Result<Vec<OrdersChunk>, IngestError> {
        crate::engine::ingest::chunk::plan(bytes.len() as u64, parts, 1)
            .into_iter()
            .map(|r| read_text_range(&bytes[r.start.saturating_sub(1) as usize..], &probe, cols, r, &mut |_| {}))
            .collect()
    };
    let mut chunks = read(parts)?;
    if crate::engine::ingest::chunk::needs_single_pass(&chunks.iter().map(|c| c.ended_in_quote).collect::<Vec<_>>()) {
        chunks = read(1)?;
    }
    let customers = finish_local(&probe, &chunks)?;
    Ok((probe, customers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::probe::probe_text;
    use crate::engine::sample::{orders_csv, SampleSpec};

    fn run(bytes: &[u8], parts: usize) -> Customers {
        read_in_memory("s.csv", bytes, parts).expect("read").1
    }

    #[test]
    fn parallel_ranges_give_the_single_pass_result() {
        let bytes = orders_csv(SampleSpec { customers: 800, seed: 3 });
        let one = run(&bytes, 1);
        assert!(one.account.reconciles());
        assert!(one.account.set_aside_total() > 0, "the sample has a few bad rows");
        for parts in [2, 3, 7] {
            let many = run(&bytes, parts);
            assert_eq!(one.ids, many.ids, "{parts} parts");
            assert_eq!(one.stats, many.stats, "{parts} parts");
            assert_eq!(one.account, many.account, "{parts} parts");
            assert_eq!(one.rejects, many.rejects, "{parts} parts");
        }
    }

    /// The sample orders as JSON Lines: one object per CSV row, the keys of
    /// the cells the row has (a short row lacks the last keys).
    fn as_json_lines(csv: &[u8]) -> Vec<u8> {
        use crate::engine::ingest::record::{Record, RecordSource};
        let mut src = CsvSplitter::new(csv, Default::default(), "s.csv");
        let mut rec = Record::new();
        assert!(src.read_record(&mut rec).expect("header"));
        let headers = rec.to_strings();
        let mut out = Vec::new();
        while src.read_record(&mut rec).expect("row") {
            let obj: serde_json::Map<String, serde_json::Value> =
                headers.iter().cloned().zip(rec.to_strings().into_iter().map(serde_json::Value::String)).collect();
            if !rec.is_blank() {
                out.extend(serde_json::to_vec(&obj).expect("json"));
            }
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn json_lines_read_like_the_csv_in_one_or_many_ranges() {
        let csv = orders_csv(SampleSpec { customers: 400, seed: 5 });
        let jsonl = as_json_lines(&csv);
        let (probe, one) = read_in_memory("s.jsonl", &jsonl, 1).expect("jsonl");
        assert_eq!(probe.format, Format::JsonLines);
        assert!(probe.dialect.is_none());
        let from_csv = run(&csv, 1);
        assert_eq!(one.ids, from_csv.ids);
        assert_eq!(one.stats, from_csv.stats);
        assert_eq!(
            (one.account.rows_in, one.account.rows_used),
            (from_csv.account.rows_in, from_csv.account.rows_used)
        );
        // Row numbers are line numbers: the CSV's row minus its header row.
        let lines: Vec<u64> = one.rejects.iter().map(|r| r.row).collect();
        let csv_rows: Vec<u64> = from_csv.rejects.iter().map(|r| r.row - 1).collect();
        assert_eq!(lines, csv_rows);
        assert!(!lines.is_empty());
        for parts in [2, 5] {
            let (_, many) = read_in_memory("s.jsonl", &jsonl, parts).expect("jsonl parts");
            assert_eq!(
                (&one.ids, &one.stats, &one.account, &one.rejects),
                (&many.ids, &many.stats, &many.account, &many.rejects)
            );
        }
    }

    #[test]
    fn json_lines_table_and_bad_line() {
        let text = "{\"客户ID\":\"C1\",\"金额\":12.5}\n\n{\"客户ID\":\"C2\",\"会员\":{\"级\":1}}\n";
        let probe = probe_text("t.txt", text.len() as u64, text.as_bytes()).expect("probe");
        assert_eq!(probe.format, Format::JsonLines, "sniffed without the extension");
        assert_eq!(probe.headers, vec!["客户ID", "金额", "会员"]);
        let t = read_text_table(text.as_bytes(), &probe).expect("table");
        assert_eq!(t.row_numbers, vec![1, 2, 3]);
        assert_eq!(t.row(2).collect::<Vec<_>>(), vec!["C2", "", "{\"级\":1}"]);
        let bad = format!("{text}[\"not\", \"an object\"]\n");
        let e = read_text_table(bad.as_bytes(), &probe).expect_err("line 4");
        assert!(matches!(&e, IngestError::JsonLine { line: 4, .. }), "{e}");
    }

    #[test]
    fn unclosed_quote_at_the_end_names_its_row() {
        let bytes = b"customer_id,order_time,amount\nA,2024-01-01,1\nB,2024-01-02,\"2\nC,2024-01-03,3\n";
        let e = read_in_memory("q.csv", bytes, 1).expect_err("unclosed");
        assert_eq!(e, EngineError::Ingest(IngestError::UnclosedQuote { file: "q.csv".into(), row: 3 }));
        let probe = probe_text("q.csv", bytes.len() as u64, bytes).expect("probe");
        let e = read_text_table(&bytes[..], &probe).expect_err("unclosed");
        assert_eq!(e, IngestError::UnclosedQuote { file: "q.csv".into(), row: 3 });
    }

    #[test]
    fn table_memory_is_estimated_before_reading() {
        let bytes = b"a,b\n1,2\n3,4\n";
        let mut probe = probe_text("m.csv", bytes.len() as u64, bytes).expect("probe");
        assert!(check_table_fits(&probe, WASM_TABLE_LIMIT).is_ok());
        probe.size = 6 << 30; // a 6 GB export: refused before any of it is read
        let e = check_table_fits(&probe, WASM_TABLE_LIMIT).expect_err("too large");
        assert!(matches!(e, IngestError::TooLarge { limit_mb: 3072, .. }), "{e}");
        assert!(table_memory(&probe) > 6 << 30);
    }

    #[test]
    fn header_only_file_is_an_error() {
        let bytes = b"customer_id,order_time,amount\n";
        let probe = probe_text("h.csv", bytes.len() as u64, bytes).expect("probe");
        let cols = OrderColumns::from_mapping(&probe.mapping, "h.csv", &probe.headers).expect("cols");
        let range = ByteRange { start: 0, end: bytes.len() as u64 };
        let chunk = read_text_range(&bytes[..], &probe, cols, range, &mut |_| {}).expect("chunk");
        assert!(matches!(finish_local(&probe, &[chunk]), Err(EngineError::Ingest(IngestError::NoRows { .. }))));
    }
}
