//! `custlens activity`: customers active, regular, silent or churned as of a
//! date from their behaviour events, and the counts at each month's end.

use super::input::{parse_maps_for, read_table};
use super::output::{report_rows, write_to};
use crate::engine::analyze::activity::{activity, Activity, ActivityParams};
use crate::engine::date::Day;
use crate::engine::ingest::fields::SourceKind;
use anyhow::{anyhow, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `custlens activity`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Events file: CSV (any encoding and delimiter) or Excel.
    #[arg(long)]
    events: PathBuf,
    /// Column for a field, overriding the automatic mapping: canonical=header
    /// (e.g. event_time=时间). Repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    maps: Vec<String>,
    /// Worksheet of an Excel file (default: the first with data).
    #[arg(long)]
    sheet: Option<String>,
    /// Classify as of this date (YYYY-MM-DD; visits before it count). Default: the day after the last event.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Active: at least this many visits (distinct event days) a week over the last 4 weeks.
    #[arg(long = "active-per-week", default_value_t = ActivityParams::default().active_visits_per_week)]
    active_per_week: f64,
    /// Silent: fewer than this many visits in the last 30 days.
    #[arg(long = "silent-per-month", default_value_t = ActivityParams::default().silent_visits_per_month)]
    silent_per_month: f64,
    /// Churned: no visit for more than this many days.
    #[arg(long = "churn-days", default_value_t = ActivityParams::default().churn_days)]
    churn_days: u32,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
}

/// Runs `custlens activity`.
pub fn run(a: Args) -> Result<()> {
    let as_of = match &a.as_of {
        Some(s) => Some(Day::parse_iso(s).map_err(|_| anyhow!("--as-of {s}: expected a date like 2024-12-31"))?),
        None => None,
    };
    let maps = parse_maps_for(SourceKind::Events, &a.maps)?;
    let (probe, mapping, table) = read_table(&a.events, Some(SourceKind::Events), &maps, a.sheet.as_deref())?;
    let file = &probe.file;
    let params = ActivityParams {
        as_of,
        active_visits_per_week: a.active_per_week,
        silent_visits_per_month: a.silent_per_month,
        churn_days: a.churn_days,
        ..ActivityParams::default()
    };
    let r = activity(&table, &mapping, &params).map_err(|e| anyhow!("{file}: {e}"))?;
    report_rows(file, r.rows_in, r.rows_used, &r.excluded);
    if a.json {
        let json = serde_json::to_string(&r)?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    write_to(Path::new("-"), |w| print_summary(w, &r))
}

fn print_summary(w: &mut dyn Write, r: &Activity) -> std::io::Result<()> {
    let (c, s) = (&r.counts, &r.shares);
    writeln!(w, "as of {}: {} customers", r.as_of, c.customers)?;
    for (name, n, share) in [
        ("active", c.active, s.active),
        ("regular", c.regular, s.regular),
        ("silent", c.silent, s.silent),
        ("churned", c.churned, s.churned),
    ] {
        writeln!(w, "  {name:<8} {n:>8}  {:>5.1}%", share * 100.0)?;
    }
    writeln!(w, "at each month's end:   active  regular   silent  churned")?;
    for p in &r.trend {
        let c = &p.counts;
        writeln!(w, "  {}        {:>8} {:>8} {:>8} {:>8}", p.month, c.active, c.regular, c.silent, c.churned)?;
    }
    Ok(())
}
