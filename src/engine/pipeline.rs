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
use crate::engine::ingest::excel::ExcelSource;
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

/// Reads the whole lines of `range` of a delimited text file. `reader` must
/// start at `range.start - 1` (at 0 for the first range); see
/// [`LineAligned`]. `progress` gets the bytes read in the range.
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
    let mut src = CsvSplitter::with_buffer(text, probe.dialect.unwrap_or_default(), &probe.file, buffer);
    let opts = ReadOptions {
        file: &probe.file,
        cols,
        header: at_start,
        order_bits_log2: order_bits_log2(probe),
        expected_rows: probe.rows_in(range.end - range.start) as usize,
    };
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

/// Reads a whole delimited text file into a table of text cells (for cleaning).
pub fn read_text_table<R: Read>(reader: R, probe: &Probe) -> Result<TextTable, IngestError> {
    let encoding = probe.encoding.unwrap_or(crate::engine::ingest::detect::TextEncoding::Utf8);
    let text = Utf8Reader::new(reader, encoding, true);
    let mut src = CsvSplitter::new(text, probe.dialect.unwrap_or_default(), &probe.file);
    TextTable::read(&mut src)
}

/// Refuses a file with a header but no rows.
pub fn check_rows(probe: &Probe, customers: Customers) -> Result<Customers, EngineError> {
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
