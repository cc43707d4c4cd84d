//! The stages wired together for one orders file: read a (range of a) file
//! into a chunk aggregate, merge the chunks, and score. The Web Worker runs
//! [`aggregate_text_range`] per range in parallel; the CLI and tests run the
//! same functions over the whole file.

use crate::engine::analyze::customers::{aggregate, merge, ChunkAggregate, Customers};
use crate::engine::error::{EngineError, IngestError};
use crate::engine::ingest::chunk::{ByteRange, LineAligned};
use crate::engine::ingest::decode::Utf8Reader;
use crate::engine::ingest::excel::ExcelSource;
use crate::engine::ingest::orders::{read_orders, OrderColumns};
use crate::engine::ingest::probe::Probe;
use crate::engine::ingest::split::CsvSplitter;
use std::io::Read;

/// Reads the whole lines of `range` of a delimited text file and sums them
/// per customer. `reader` must start at `range.start - 1` (at 0 for the
/// first range); see [`LineAligned`]. `progress` gets bytes read in the range.
pub fn aggregate_text_range<R: Read>(
    reader: R,
    probe: &Probe,
    cols: OrderColumns,
    range: ByteRange,
    progress: &mut dyn FnMut(u64),
) -> Result<ChunkAggregate, IngestError> {
    let at_start = range.start == 0;
    let encoding = probe.encoding.unwrap_or(crate::engine::ingest::detect::TextEncoding::Utf8);
    let text = Utf8Reader::new(LineAligned::new(reader, range), encoding, at_start);
    let mut src = CsvSplitter::new(text, probe.dialect.unwrap_or_default(), &probe.file);
    let chunk = read_orders(&mut src, cols, at_start, progress)?;
    aggregate(chunk, &probe.file)
}

/// Reads a whole worksheet and sums it per customer.
pub fn aggregate_excel(mut src: ExcelSource, probe: &Probe, cols: OrderColumns) -> Result<ChunkAggregate, IngestError> {
    src.rewind();
    let chunk = read_orders(&mut src, cols, true, &mut |_| {})?;
    aggregate(chunk, &probe.file)
}

/// Merges the chunks of one file (in file order) into its customers; a file
/// with a header but no rows is an error.
pub fn finish(probe: &Probe, parts: Vec<ChunkAggregate>) -> Result<Customers, EngineError> {
    let customers = merge(parts);
    if customers.account.rows_in == 0 {
        return Err(IngestError::NoRows { file: probe.file.clone() }.into());
    }
    Ok(customers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::chunk::plan;
    use crate::engine::ingest::probe::probe_text;
    use crate::engine::sample::{orders_csv, SampleSpec};

    fn run(bytes: &[u8], parts: usize) -> Customers {
        let probe = probe_text("s.csv", bytes.len() as u64, &bytes[..bytes.len().min(64 * 1024)]).expect("probe");
        let cols = OrderColumns::from_mapping(&probe.mapping, "s.csv", &probe.headers).expect("cols");
        let aggs = plan(bytes.len() as u64, parts, 1)
            .into_iter()
            .map(|r| {
                let from = if r.start == 0 { 0 } else { r.start as usize - 1 };
                aggregate_text_range(&bytes[from..], &probe, cols, r, &mut |_| {}).expect("chunk")
            })
            .collect();
        finish(&probe, aggs).expect("finish")
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
        let agg = aggregate_text_range(
            &bytes[..],
            &probe,
            cols,
            ByteRange { start: 0, end: bytes.len() as u64 },
            &mut |_| {},
        )
        .expect("chunk");
        assert!(matches!(finish(&probe, vec![agg]), Err(EngineError::Ingest(IngestError::NoRows { .. }))));
    }
}
