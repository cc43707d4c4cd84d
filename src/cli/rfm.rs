//! `custlens rfm`: per-customer RFM scores and segments, as CSV or XLSX
//! (by the output file's extension).

use super::input::{parse_maps, read_customers};
use super::output::{write_bytes, write_to, ExportFormat};
use crate::engine::analyze::rfm::{rfm, RfmParams};
use crate::engine::analyze::segment::SegmentPreset;
use crate::engine::date::Day;
use crate::engine::privacy::share;
use crate::engine::report::export::{write_rejects_csv, write_rfm_csv};
use crate::engine::report::xlsx::{rejects_xlsx, rfm_xlsx};
use crate::i18n::Lang;
use anyhow::{anyhow, Result};
use std::path::PathBuf;

/// Arguments of `custlens rfm`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Orders file: CSV (UTF-8, UTF-8 BOM, GBK, UTF-16; any delimiter), JSON Lines or Excel.
    #[arg(long)]
    orders: PathBuf,
    /// Snapshot date (YYYY-MM-DD); default the day after the last order.
    #[arg(long)]
    snapshot: Option<String>,
    /// Segmentation: classic8 (8 types vs. the mean) or tiers5 (5 value tiers).
    #[arg(long, default_value = "classic8")]
    preset: String,
    /// Column for a field, overriding the automatic mapping: canonical=header
    /// (fields: user_id, order_id, order_time, amount, quantity, product_id,
    /// category, status, channel). Repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    maps: Vec<String>,
    /// Worksheet of an Excel file (default: the first with data).
    #[arg(long)]
    sheet: Option<String>,
    /// Language of segment names: zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
    /// Where to write the per-customer table: CSV, or XLSX when the name ends
    /// in .xlsx ("-" for CSV on standard output).
    #[arg(long)]
    out: PathBuf,
    /// Also write the rows set aside (row, reason, field, value) here (XLSX
    /// when the name ends in .xlsx).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// How personal data appears in the files.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
}

/// Runs `custlens rfm`.
pub fn run(a: Args) -> Result<()> {
    let preset =
        SegmentPreset::from_key(&a.preset).ok_or_else(|| anyhow!("--preset {}: use classic8 or tiers5", a.preset))?;
    let lang = Lang::from_key(&a.lang).ok_or_else(|| anyhow!("--lang {}: use zh-CN or en", a.lang))?;
    let snapshot = a
        .snapshot
        .as_deref()
        .map(|s| Day::parse_iso(s).map_err(|_| anyhow!("--snapshot {s}: expected a date like 2024-12-31")))
        .transpose()?;
    let maps = parse_maps(&a.maps)?;
    let (probe, customers) = read_customers(&a.orders, &maps, a.sheet.as_deref())?;
    let result = rfm(&customers, RfmParams { snapshot, preset })?;
    let t = lang.texts();
    a.disclosure.may_analyse(&[crate::engine::ingest::fields::SourceKind::Orders])?;
    let d = a.disclosure.disclosure()?;
    let ids = share::ids(&customers.ids, &d);
    match ExportFormat::of_path(&a.out) {
        ExportFormat::Csv => write_to(&a.out, |w| write_rfm_csv(w, &ids, &result, t))?,
        ExportFormat::Xlsx => write_bytes(&a.out, &rfm_xlsx(&ids, &result, t)?)?,
    }
    if let Some(path) = &a.rejects {
        let rejects = share::rejects(&customers.rejects, &d);
        match ExportFormat::of_path(path) {
            ExportFormat::Csv => write_to(path, |w| write_rejects_csv(w, &rejects, t))?,
            ExportFormat::Xlsx => write_bytes(path, &rejects_xlsx(&rejects, t)?)?,
        }
    }
    let acc = &customers.account;
    eprintln!(
        "{}: {} rows read = {} used + {} set aside; {} customers, {} orders, revenue {}; snapshot {}",
        probe.file,
        acc.rows_in,
        acc.rows_used,
        acc.set_aside_total(),
        result.totals.customers,
        result.totals.orders,
        result.totals.revenue,
        result.snapshot
    );
    for (reason, n) in &acc.set_aside {
        eprintln!("  set aside: {n} × {}", t.reject_reason(*reason));
    }
    for s in &result.segments {
        eprintln!(
            "  {:<10} {:>8} customers {:>6.1}%  revenue {:>6.1}%",
            t.segment(s.segment).name,
            s.customers,
            s.customer_share * 100.0,
            s.revenue_share * 100.0
        );
    }
    Ok(())
}
