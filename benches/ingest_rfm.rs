//! Ingest + RFM on a generated 1 M-row orders file, in memory, one thread:
//! the engine's raw speed, as one Web Worker runs it. Reported twice, as
//! rows/s and as bytes/s.
//!
//!   cargo bench --bench ingest_rfm
#![cfg_attr(target_arch = "wasm32", allow(unused))]

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion, Throughput};
    use custlens::engine::analyze::rfm::{rfm, RfmParams, RfmResult};
    use custlens::engine::ingest::chunk::ByteRange;
    use custlens::engine::ingest::orders::{OrderColumns, OrdersChunk};
    use custlens::engine::ingest::probe::{probe_text, Probe};
    use custlens::engine::pipeline::{finish_local, read_text_range};
    use custlens::engine::sample::{orders_csv, SampleSpec};
    use std::hint::black_box;

    fn run(bytes: &[u8], probe: &Probe, cols: OrderColumns) -> RfmResult {
        let whole = ByteRange { start: 0, end: bytes.len() as u64 };
        let chunk = read_text_range(bytes, probe, cols, whole, &mut |_| {}).expect("read");
        let customers = finish_local(probe, &[chunk]).expect("finish");
        rfm(&customers, RfmParams::default()).expect("rfm")
    }

    fn ingest_rfm(c: &mut Criterion) {
        // ~200 000 customers × ~5 order lines ≈ 1 M rows (≈ 66 MB).
        let bytes = orders_csv(SampleSpec { customers: 200_000, seed: 20_240_601 });
        let rows = bytes.iter().filter(|&&b| b == b'\n').count() as u64 - 1;
        let probe = probe_text("bench.csv", bytes.len() as u64, &bytes[..256 * 1024]).expect("probe");
        let cols = OrderColumns::from_mapping(&probe.mapping, "bench.csv", &probe.headers).expect("mapping");
        eprintln!("input: {rows} rows, {:.1} MB", bytes.len() as f64 / 1e6);
        for (name, throughput) in
            [("rows", Throughput::Elements(rows)), ("bytes", Throughput::Bytes(bytes.len() as u64))]
        {
            let mut g = c.benchmark_group("ingest_rfm_1m");
            g.sample_size(10);
            g.throughput(throughput);
            g.bench_function(name, |b| b.iter(|| black_box(run(&bytes, &probe, cols))));
            g.finish();
        }
    }

    /// Merging two chunks' customer totals (worker 0's step after the reads):
    /// 1 M customers, most of them in both halves of the file.
    /// A generated file of 1 M customers read as two chunks, as two workers read it.
    fn two_chunks() -> Vec<OrdersChunk> {
        use custlens::engine::ingest::chunk::plan;
        let bytes = orders_csv(SampleSpec { customers: 1_000_000, seed: 20_240_601 });
        let probe = probe_text("bench.csv", bytes.len() as u64, &bytes[..256 * 1024]).expect("probe");
        let cols = OrderColumns::from_mapping(&probe.mapping, "bench.csv", &probe.headers).expect("mapping");
        plan(bytes.len() as u64, 2, 1)
            .into_iter()
            .map(|r| {
                let from = r.start.saturating_sub(1) as usize;
                read_text_range(&bytes[from..], &probe, cols, r, &mut |_| {}).expect("read")
            })
            .collect()
    }

    fn merge_chunks(c: &mut Criterion) {
        use custlens::engine::analyze::customers::{merge, ChunkAggregate};
        let aggs: Vec<ChunkAggregate> = two_chunks().iter().map(ChunkAggregate::of).collect();
        let customers: usize = aggs.iter().map(|a| a.ids.len()).sum();
        eprintln!("merge input: {customers} chunk customers");
        let mut g = c.benchmark_group("merge_2_chunks");
        g.sample_size(10);
        g.throughput(Throughput::Elements(customers as u64));
        g.bench_function("customers", |b| b.iter(|| black_box(merge(aggs.clone()).customers.ids.len())));
        g.finish();
    }

    /// Orders two chunks both counted, taken back (worker 0 asks each reader
    /// for its keys on the bits both set, then settles): 1 M customers.
    fn settle_chunks(c: &mut Criterion) {
        use custlens::engine::analyze::customers::{merge, ChunkAggregate};
        let chunks = two_chunks();
        let aggs: Vec<ChunkAggregate> = chunks.iter().map(ChunkAggregate::of).collect();
        let rows: usize = chunks.iter().map(|c| c.table.len()).sum();
        let mut g = c.benchmark_group("settle_2_chunks");
        g.sample_size(10);
        g.throughput(Throughput::Elements(rows as u64));
        g.bench_function("rows", |b| {
            b.iter(|| {
                let merged = merge(aggs.clone());
                let keys = match &merged.shared_bits {
                    Some(bits) => chunks.iter().map(|c| c.keys_on(bits)).collect(),
                    None => Vec::new(),
                };
                black_box(merged.settle(keys).total_orders())
            })
        });
        g.finish();
    }

    criterion_group!(benches, ingest_rfm, merge_chunks, settle_chunks);
}
