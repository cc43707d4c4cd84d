//! Ingest + RFM on a generated 1 M-row orders file, in memory, one thread:
//! the engine's raw speed, as one Web Worker runs it.
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
    use custlens::engine::analyze::rfm::{rfm, RfmParams};
    use custlens::engine::ingest::chunk::ByteRange;
    use custlens::engine::ingest::orders::OrderColumns;
    use custlens::engine::ingest::probe::probe_text;
    use custlens::engine::pipeline::{aggregate_text_range, finish};
    use custlens::engine::sample::{orders_csv, SampleSpec};
    use std::hint::black_box;

    fn ingest_rfm(c: &mut Criterion) {
        // ~200 000 customers × ~5 order lines ≈ 1 M rows (≈ 66 MB).
        let bytes = orders_csv(SampleSpec { customers: 200_000, seed: 20_240_601 });
        let rows = bytes.iter().filter(|&&b| b == b'\n').count() as u64 - 1;
        let probe = probe_text("bench.csv", bytes.len() as u64, &bytes[..256 * 1024]).expect("probe");
        let cols = OrderColumns::from_mapping(&probe.mapping, "bench.csv", &probe.headers).expect("mapping");
        let whole = ByteRange { start: 0, end: bytes.len() as u64 };
        eprintln!("input: {rows} rows, {:.1} MB", bytes.len() as f64 / 1e6);

        let mut g = c.benchmark_group("ingest_rfm_1m");
        g.sample_size(10);
        g.throughput(Throughput::Elements(rows));
        g.bench_function("rows", |b| {
            b.iter(|| {
                let agg = aggregate_text_range(&bytes[..], &probe, cols, whole, &mut |_| {}).expect("read");
                let customers = finish(&probe, vec![agg]).expect("finish");
                black_box(rfm(&customers, RfmParams::default()).expect("rfm"))
            })
        });
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("bytes", |b| {
            b.iter(|| {
                let agg = aggregate_text_range(&bytes[..], &probe, cols, whole, &mut |_| {}).expect("read");
                let customers = finish(&probe, vec![agg]).expect("finish");
                black_box(rfm(&customers, RfmParams::default()).expect("rfm"))
            })
        });
        g.finish();
    }

    criterion_group!(benches, ingest_rfm);
}
