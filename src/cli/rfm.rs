//! `custlens rfm`: per-customer RFM scores and segments, as CSV or XLSX
//! (by the output file's extension); the user's breakpoints, the 0–100
//! score, segment rules from a file, the segment summary, one R × F cell's
//! customers, the migration between two snapshots, and `--json` with every
//! figure.

use super::input::{parse_maps, read_order_chunks};
use super::output::{write_bytes, write_to, ExportFormat};
use crate::engine::analyze::members::shown_member_table;
use crate::engine::analyze::migration::{migration_with_members, Migration, MigrationMembers};
use crate::engine::analyze::rfm::{
    rf_grid, rf_members, rfm, Breakpoints, Means, PerMeasure, RfGrid, RfmParams, ScaleWeights, SegmentSummary, Totals,
    UserBreaks,
};
use crate::engine::analyze::segment::{SegmentPreset, SegmentRules};
use crate::engine::date::Day;
use crate::engine::pipeline::finish_local;
use crate::engine::privacy::share;
use crate::engine::report::export::{
    rfm_rows, write_migration_csv, write_rejects_csv, write_rfm_csv, write_segments_csv, write_table_csv,
};
use crate::engine::report::xlsx::{rejects_xlsx, rfm_xlsx};
use crate::i18n::{Lang, Texts};
use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

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
    /// Segment rules file (JSON: {"rules": [{"name", "when": {"r", "f", "m",
    /// "score100", "recency_days": {"min", "max"}, "vs_mean": {"r", "f", "m"}},
    /// "action"}], "other": {"name"}}), instead of the preset.
    #[arg(long, value_name = "RULES.json")]
    segments: Option<PathBuf>,
    /// Recency breakpoints in days: four ascending numbers (default: quintiles).
    #[arg(long, value_name = "A,B,C,D")]
    breaks_r: Option<String>,
    /// Frequency breakpoints: four ascending numbers (default: quintiles).
    #[arg(long, value_name = "A,B,C,D")]
    breaks_f: Option<String>,
    /// Monetary breakpoints: four ascending numbers (default: quintiles).
    #[arg(long, value_name = "A,B,C,D")]
    breaks_m: Option<String>,
    /// Also compute the 0–100 score, with weights R,F,M adding up to 1
    /// (`--scale100` alone: equal weights).
    #[arg(long, value_name = "WR,WF,WM", num_args = 0..=1, default_missing_value = "equal")]
    scale100: Option<String>,
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
    out: Option<PathBuf>,
    /// Write the segment summary (customers, revenue, shares, means, suggested action) here as CSV.
    #[arg(long)]
    segments_out: Option<PathBuf>,
    /// An R × F cell (scores, e.g. 5,1) whose customers `--rf-cell-out` lists.
    #[arg(long, value_name = "R,F", requires = "rf_cell_out")]
    rf_cell: Option<String>,
    /// Write the customers of `--rf-cell` here (the per-customer columns) as CSV.
    #[arg(long, requires = "rf_cell")]
    rf_cell_out: Option<PathBuf>,
    /// Segment migration from this snapshot date to `--snapshot` (orders up to each date).
    #[arg(long, value_name = "DATE")]
    migrate_from: Option<String>,
    /// Write the migration matrix here as CSV (from, to, customers, row share).
    #[arg(long, requires = "migrate_from")]
    migration_out: Option<PathBuf>,
    /// A cell of the migration whose customers `--migration-cell-out` lists:
    /// the segment at `--migrate-from`, then at the snapshot, by key or name
    /// (`new`: no order by the first date; `none`: no order by the snapshot),
    /// e.g. Potential:Lost or new:HighValue.
    #[arg(long, value_name = "FROM:TO", requires_all = ["migration_cell_out", "migrate_from"])]
    migration_cell: Option<String>,
    /// Write the customers of `--migration-cell` here as CSV (user_id).
    #[arg(long, requires = "migration_cell")]
    migration_cell_out: Option<PathBuf>,
    /// Print every figure as JSON on standard output (snapshot, parameters,
    /// totals, breakpoints, means, segments with names and actions, the R × F
    /// grid, the migration).
    #[arg(long)]
    json: bool,
    /// Also write the rows set aside (row, reason, field, value) here (XLSX
    /// when the name ends in .xlsx).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// How personal data appears in the files.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
}

/// One segment in `--json`: its summary, name and action in the chosen language.
#[derive(Serialize)]
struct SegmentJson<'a> {
    name: &'a str,
    key: &'a str,
    action_text: &'a str,
    #[serde(flatten)]
    summary: &'a SegmentSummary,
}

/// What `--json` prints.
#[derive(Serialize)]
struct Report<'a> {
    snapshot: Day,
    params: &'a RfmParams,
    totals: Totals,
    breaks: Breakpoints,
    breaks_user: PerMeasure<bool>,
    means: Means,
    segments: Vec<SegmentJson<'a>>,
    rf: RfGrid,
    migration: Option<&'a Migration>,
}

/// Four comma-separated numbers.
fn four(flag: &str, text: Option<&str>) -> Result<Option<[f64; 4]>> {
    let Some(text) = text else { return Ok(None) };
    let v: Vec<f64> = text
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow!("{flag} {text}: expected four numbers like 30,60,90,180"))?;
    let arr: [f64; 4] = v.try_into().map_err(|_| anyhow!("{flag} {text}: expected exactly four numbers"))?;
    Ok(Some(arr))
}

fn weights(text: &str) -> Result<ScaleWeights> {
    if text == "equal" {
        return Ok(ScaleWeights::default());
    }
    let v: Vec<f64> = text
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| anyhow!("--scale100 {text}: expected three weights like 0.5,0.25,0.25"))?;
    match v[..] {
        [r, f, m] => Ok(ScaleWeights { r, f, m }),
        _ => bail!("--scale100 {text}: expected three weights like 0.5,0.25,0.25"),
    }
}

fn date(flag: &str, s: &str) -> Result<Day> {
    Day::parse_iso(s).map_err(|_| anyhow!("{flag} {s}: expected a date like 2024-12-31"))
}

fn rf_cell(text: &str) -> Result<(u8, u8)> {
    let bad = || anyhow!("--rf-cell {text}: expected two scores 1–5 like 5,1 (R then F)");
    let (r, f) = text.split_once(',').ok_or_else(bad)?;
    let (r, f): (u8, u8) = (r.trim().parse().map_err(|_| bad())?, f.trim().parse().map_err(|_| bad())?);
    if !(1..=5).contains(&r) || !(1..=5).contains(&f) {
        return Err(bad());
    }
    Ok((r, f))
}

/// Runs `custlens rfm`.
pub fn run(a: Args) -> Result<()> {
    let preset =
        SegmentPreset::from_key(&a.preset).ok_or_else(|| anyhow!("--preset {}: use classic8 or tiers5", a.preset))?;
    let lang = Lang::from_key(&a.lang).ok_or_else(|| anyhow!("--lang {}: use zh-CN or en", a.lang))?;
    let t = lang.texts();
    let outputs = [&a.out, &a.segments_out, &a.rf_cell_out, &a.migration_out, &a.migration_cell_out];
    if !a.json && outputs.iter().all(|o| o.is_none()) {
        bail!("nothing to write: give --out, --json, --segments-out, --rf-cell-out, --migration-out or --migration-cell-out");
    }
    let snapshot = a.snapshot.as_deref().map(|s| date("--snapshot", s)).transpose()?;
    let rules = match &a.segments {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?;
            let rules =
                SegmentRules::from_json(&text).map_err(|e| anyhow!("{}: {}", p.display(), t.rfm.rule_error(&e)))?;
            Some(rules)
        }
        None => None,
    };
    let params = RfmParams {
        snapshot,
        preset,
        breaks: UserBreaks {
            recency: four("--breaks-r", a.breaks_r.as_deref())?,
            frequency: four("--breaks-f", a.breaks_f.as_deref())?,
            monetary: four("--breaks-m", a.breaks_m.as_deref())?,
        },
        scale100: a.scale100.as_deref().map(weights).transpose()?,
        rules,
    };
    params.check().map_err(|e| anyhow!("{}", t.rfm.error(&e)))?;
    let cell = a.rf_cell.as_deref().map(rf_cell).transpose()?;
    let maps = parse_maps(&a.maps)?;
    let (probe, chunks) = read_order_chunks(&a.orders, &maps, a.sheet.as_deref())?;
    let customers = finish_local(&probe, &chunks)?;
    let result = rfm(&customers, params.clone())?;
    let (moved, who) = match a.migrate_from.as_deref() {
        Some(s) => {
            let (m, who) = migration_with_members(&chunks, date("--migrate-from", s)?, result.snapshot, &params)
                .map_err(|e| anyhow!("{}", t.rfm.error(&e)))?;
            (Some(m), Some(who))
        }
        None => (None, None),
    };
    drop(chunks);
    a.disclosure.may_analyse(&[crate::engine::ingest::fields::SourceKind::Orders])?;
    let d = a.disclosure.disclosure()?;
    let ids = share::ids(&customers.ids, &d);
    if let Some(out) = &a.out {
        match ExportFormat::of_path(out) {
            ExportFormat::Csv => write_to(out, |w| write_rfm_csv(w, &ids, &result, t))?,
            ExportFormat::Xlsx => write_bytes(out, &rfm_xlsx(&ids, &result, t)?)?,
        }
    }
    if let Some(path) = &a.segments_out {
        write_to(path, |w| write_segments_csv(w, &result, &[], t))?;
    }
    if let (Some((r, f)), Some(path)) = (cell, &a.rf_cell_out) {
        let table = rfm_rows(&ids, &result, t, rf_members(&result, r, f));
        write_to(path, |w| write_table_csv(w, &table))?;
    }
    if let (Some(m), Some(path)) = (&moved, &a.migration_out) {
        write_to(path, |w| write_migration_csv(w, m, t))?;
    }
    if let (Some(m), Some(who), Some(spec), Some(path)) = (&moved, &who, &a.migration_cell, &a.migration_cell_out) {
        let names: Vec<&str> = m.segments.iter().map(|s| t.segment_name(s)).collect();
        let bad = || anyhow!("--migration-cell {spec}: expected FROM:TO, e.g. Potential:Lost");
        let (from, to) = spec.split_once(':').ok_or_else(bad)?;
        let at = |s: &str| MigrationMembers::position(m, s, &names).map_err(|e| anyhow!("--migration-cell {e}"));
        let (row, col) = (at(from)?, at(to)?);
        let members = who.cell(row, col, m.segments.len());
        let table = shown_member_table(members.iter().map(|&i| who.ids.get(i)), &d);
        write_to(path, |w| write_table_csv(w, &table))?;
        eprintln!("migration {from} → {to}: {} customers", members.len());
    }
    if let Some(path) = &a.rejects {
        let rejects = share::rejects(&customers.rejects, &d);
        match ExportFormat::of_path(path) {
            ExportFormat::Csv => write_to(path, |w| write_rejects_csv(w, &rejects, t))?,
            ExportFormat::Xlsx => write_bytes(path, &rejects_xlsx(&rejects, t)?)?,
        }
    }
    if a.json {
        let report = report(&result, moved.as_ref(), t);
        let json = serde_json::to_string(&report)?;
        write_to(Path::new("-"), |w| writeln!(w, "{json}"))?;
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
            t.segment_name(&s.segment),
            s.customers,
            s.customer_share * 100.0,
            s.revenue_share * 100.0
        );
    }
    Ok(())
}

fn report<'a>(
    result: &'a crate::engine::analyze::rfm::RfmResult,
    moved: Option<&'a Migration>,
    t: &'a Texts,
) -> Report<'a> {
    Report {
        snapshot: result.snapshot,
        params: &result.params,
        totals: result.totals,
        breaks: result.breaks,
        breaks_user: result.breaks_user,
        means: result.means,
        segments: result
            .segments
            .iter()
            .map(|s| SegmentJson {
                name: t.segment_name(&s.segment),
                key: s.segment.key(),
                action_text: t.segment_action(s),
                summary: s,
            })
            .collect(),
        rf: rf_grid(result),
        migration: moved,
    }
}
