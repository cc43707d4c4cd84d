//! `custlens funnel`: customers through a sequence of event steps within a
//! time window — conversion, drop-off and time per step, and who dropped.

use super::input::{parse_maps_for, read_table};
use super::output::{display_width, pad, report_rows, write_to};
use crate::engine::analyze::funnel::{funnel, Funnel, FunnelParams, StepOrder};
use crate::engine::ingest::fields::SourceKind;
use crate::engine::report::export::write_funnel_dropped_csv;
use anyhow::{anyhow, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `custlens funnel`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Events file: CSV (any encoding and delimiter) or Excel.
    #[arg(long)]
    events: PathBuf,
    /// Column for a field, overriding the automatic mapping: canonical=header
    /// (e.g. event_type=事件). Repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    maps: Vec<String>,
    /// Worksheet of an Excel file (default: the first with data).
    #[arg(long)]
    sheet: Option<String>,
    /// The event types of the funnel, in order, comma-separated.
    #[arg(long, default_value = "浏览,加购,下单,支付")]
    steps: String,
    /// Days after the first step-1 event within which the steps count.
    #[arg(long = "window-days", default_value_t = FunnelParams::default().window_days)]
    window_days: u32,
    /// strict: each step at or after the previous; loose: each step anywhere in the window.
    #[arg(long, default_value = "strict", value_parser = ["strict", "loose"])]
    order: String,
    /// Most dropped customer ids listed per step in the JSON (the count is always complete).
    #[arg(long = "list-max", default_value_t = FunnelParams::default().list_max)]
    list_max: usize,
    /// Also write every dropped customer (CSV: step, id; "-" for standard output).
    #[arg(long = "dropped-out")]
    dropped_out: Option<PathBuf>,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// How personal data appears in the output.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
}

/// Runs `custlens funnel`.
pub fn run(a: Args) -> Result<()> {
    let maps = parse_maps_for(SourceKind::Events, &a.maps)?;
    let (probe, mapping, table) = read_table(&a.events, Some(SourceKind::Events), &maps, a.sheet.as_deref())?;
    let file = &probe.file;
    let params = FunnelParams {
        steps: a.steps.split(',').map(str::to_string).collect(),
        window_days: a.window_days,
        order: if a.order == "loose" { StepOrder::Loose } else { StepOrder::Strict },
        list_max: a.list_max,
    };
    let mut f = funnel(&table, &mapping, &params).map_err(|e| anyhow!("{file}: {e}"))?;
    crate::engine::privacy::share::funnel(&mut f, &a.disclosure.disclosure()?);
    report_rows(file, f.rows_in, f.rows_in - f.excluded.iter().map(|e| e.rows).sum::<u64>(), &f.excluded);
    eprintln!("  {} events of the steps, {} of other types (not used)", f.step_events, f.other_events);
    if let Some(path) = &a.dropped_out {
        write_to(path, |w| write_funnel_dropped_csv(w, &f))?;
    }
    if a.json {
        let json = serde_json::to_string(&f)?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    write_to(Path::new("-"), |w| print_summary(w, &f))
}

fn print_summary(w: &mut dyn Write, f: &Funnel) -> std::io::Result<()> {
    let pct = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |x| format!("{:.1}%", x * 100.0));
    let order = if f.order == StepOrder::Strict { "strict" } else { "loose" };
    writeln!(w, "funnel ({order} order, {}-day window), {} customers entered", f.window_days, f.steps[0].customers)?;
    let width = f.steps.iter().map(|s| display_width(&s.step)).max().unwrap_or(0).max(4);
    writeln!(
        w,
        "  {}  {:>9}  {:>9}  {:>9}  {:>9}  {:>12}",
        pad("step", width, false),
        "customers",
        "from prev",
        "from 1st",
        "dropped",
        "median time"
    )?;
    for s in &f.steps {
        let time = s.median_seconds_from_previous.map_or_else(|| "–".to_string(), |x| format!("{x:.0} s"));
        writeln!(
            w,
            "  {}  {:>9}  {:>9}  {:>9}  {:>9}  {:>12}",
            pad(&s.step, width, false),
            s.customers,
            pct(s.conversion_from_previous),
            pct(s.conversion_from_start),
            s.drop_off,
            time
        )?;
    }
    Ok(())
}
