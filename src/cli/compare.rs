//! `custlens compare`: a metric over time (month-on-month or year-on-year by
//! month or ISO week), or before and after a strategy date with Welch's
//! t-test, from the orders, events, tickets or surveys table it reads.

use super::input::{parse_maps_for, read_table};
use super::output::{pad, report_rows, write_bytes, write_to, ExportFormat};
use crate::engine::analyze::compare::{
    compare_of, BeforeAfter, CompareParams, CompareReport, Comparison, DayRange, Figure, Metric, Mode, Significance,
};
use crate::engine::analyze::period::Period;
use crate::engine::clean::table::TextTable;
use crate::engine::date::Day;
use crate::engine::ingest::fields::{Mapping, SourceKind};
use crate::engine::report::export::write_table_csv;
use crate::engine::report::xlsx::{write_xlsx, Sheet};
use crate::engine::unify::Source;
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `custlens compare`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Orders table (for revenue, orders, buyers, aov, new_buyers).
    #[arg(long)]
    orders: Option<PathBuf>,
    /// Behaviour events (for active_customers, events).
    #[arg(long)]
    events: Option<PathBuf>,
    /// Service tickets (for tickets, complaints).
    #[arg(long)]
    tickets: Option<PathBuf>,
    /// Survey answers (for csat, nps, answers).
    #[arg(long)]
    surveys: Option<PathBuf>,
    /// Column for a field of the table the metric reads, overriding the
    /// automatic mapping: canonical=header (e.g. amount=实付金额). Repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    maps: Vec<String>,
    /// The metric: revenue, orders, buyers, aov, new_buyers, active_customers,
    /// events, tickets, complaints, csat, nps or answers.
    #[arg(long, default_value = "revenue")]
    metric: String,
    /// Periods: month or week (ISO weeks).
    #[arg(long, default_value = "month")]
    period: String,
    /// Compare each period with the one before (mom) or the same period a year before (yoy).
    #[arg(long, default_value = "mom")]
    mode: String,
    /// First day of the periods listed (YYYY-MM-DD; default the first day with data).
    #[arg(long)]
    from: Option<String>,
    /// Last day of the periods listed (YYYY-MM-DD; default the last day with data).
    #[arg(long)]
    to: Option<String>,
    /// Compare the window before this date (YYYY-MM-DD) with the window from it, instead of periods.
    #[arg(long = "before-after", value_name = "DATE")]
    before_after: Option<String>,
    /// Days in each before/after window.
    #[arg(long, default_value_t = CompareParams::default().window_days)]
    window: u32,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// Write the table here: CSV, or XLSX when the name ends in .xlsx (before/after: with the daily values).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn date(flag: &str, s: &Option<String>) -> Result<Option<Day>> {
    s.as_deref()
        .map(|s| Day::parse_iso(s).map_err(|_| anyhow!("{flag} {s}: expected a date like 2024-06-01")))
        .transpose()
}

/// Runs `custlens compare`.
pub fn run(a: Args) -> Result<()> {
    let known = || Metric::ALL.iter().map(|m| m.key()).collect::<Vec<_>>().join(", ");
    let metric =
        Metric::from_key(&a.metric).ok_or_else(|| anyhow!("--metric {}: expected one of {}", a.metric, known()))?;
    let period = Period::from_key(&a.period).ok_or_else(|| anyhow!("--period {}: expected month or week", a.period))?;
    let mode = Mode::from_key(&a.mode).ok_or_else(|| anyhow!("--mode {}: expected mom or yoy", a.mode))?;
    let (from, to) = (date("--from", &a.from)?, date("--to", &a.to)?);
    let before_after = date("--before-after", &a.before_after)?;
    let range = match (from, to) {
        (None, None) => None,
        (Some(from), Some(to)) => Some(DayRange { from, to }),
        _ => bail!("--from and --to go together: give both, or neither for the whole span of the data"),
    };
    let kind = metric.kind();
    let path = match kind {
        SourceKind::Orders => &a.orders,
        SourceKind::Events => &a.events,
        SourceKind::Tickets => &a.tickets,
        _ => &a.surveys,
    };
    let Some(path) = path else {
        bail!("--metric {}: it reads a table of {}; give it with --{} FILE", metric.key(), kind.key(), kind.key())
    };
    let maps = parse_maps_for(kind, &a.maps)?;
    let (probe, mapping, table): (_, Mapping, TextTable) = read_table(path, Some(kind), &maps, None)?;
    let file = &probe.file;
    let sources = [Source { file, mapping: &mapping, table: &table }];
    let params = CompareParams { metric, period, mode, range, before_after, window_days: a.window };
    let report = compare_of(&sources, &params).map_err(|e| anyhow!("{file}: {e}"))?;
    let rows = report.rows();
    report_rows(file, rows.rows_in, rows.rows_used, &rows.excluded);
    if let Some(out) = &a.out {
        let sheets = report.sheets();
        match ExportFormat::of_path(out) {
            ExportFormat::Csv => write_to(out, |w| write_table_csv(w, &sheets[0].1))?,
            ExportFormat::Xlsx => {
                let list: Vec<Sheet<'_>> = sheets.iter().map(|(name, table)| Sheet { name, table }).collect();
                write_bytes(out, &write_xlsx(&list)?)?
            }
        }
    }
    if a.json {
        let json = match &report {
            CompareReport::Periods(c) => serde_json::to_string(c)?,
            CompareReport::BeforeAfter(b) => serde_json::to_string(b)?,
        };
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    write_to(Path::new("-"), |w| match &report {
        CompareReport::Periods(c) => print_periods(w, c),
        CompareReport::BeforeAfter(b) => print_before_after(w, b),
    })
}

fn text(f: Option<Figure>) -> String {
    match f {
        None => "–".to_string(),
        Some(Figure::Share(x)) => format!("{:.1}%", x * 100.0),
        Some(Figure::Score(x)) => format!("{x:.1}"),
        Some(f) => f.text(),
    }
}

fn change_text(f: Option<Figure>) -> String {
    match f {
        None => "–".to_string(),
        Some(Figure::Share(x)) => format!("{:+.1} pt", x * 100.0),
        Some(Figure::Score(x)) => format!("{x:+.1}"),
        Some(f) if f.to_f64() > 0.0 => format!("+{}", f.text()),
        Some(f) => f.text(),
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{:+.1}%", x * 100.0))
}

fn print_periods(w: &mut dyn Write, c: &Comparison) -> std::io::Result<()> {
    let base = match c.mode {
        Mode::Mom => "previous period",
        Mode::Yoy => "same period a year before",
    };
    writeln!(w, "{} by {} against the {base}", c.metric.key(), c.period.key())?;
    writeln!(
        w,
        "  {:<10} {:>16} {:<10} {:>16} {:>16} {:>9}",
        "period", "value", "base", "base value", "change", "change"
    )?;
    for p in &c.points {
        writeln!(
            w,
            "  {:<10} {} {:<10} {} {} {}",
            p.period,
            pad(&text(p.value), 16, true),
            p.base_period,
            pad(&text(p.base), 16, true),
            pad(&change_text(p.change), 16, true),
            pad(&pct(p.change_pct), 9, true)
        )?;
    }
    Ok(())
}

fn print_before_after(w: &mut dyn Write, b: &BeforeAfter) -> std::io::Result<()> {
    writeln!(w, "{} before and after {} ({} days each)", b.metric.key(), b.date, b.window_days)?;
    let mean = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |x| format!("{x:.4}"));
    for (name, x) in [("before", &b.before), ("after", &b.after)] {
        let note = if x.covered { "" } else { "  (reaches outside the data: missing days count as 0)" };
        writeln!(w, "  {name:<7} {} … {}: {}, daily mean {}{note}", x.from, x.to, text(x.value), mean(x.daily_mean))?;
    }
    writeln!(w, "  change  {} ({})", change_text(b.change), pct(b.change_pct))?;
    match b.test {
        Significance::Welch(t) => writeln!(
            w,
            "  Welch's t-test on the daily values: t = {:.4}, df = {:.2}, two-sided p = {:.4}",
            t.t, t.df, t.p_value
        ),
        Significance::NotApplicable(why) => {
            let why = serde_json::to_value(why).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            writeln!(w, "  no test: {why}")
        }
    }
}
