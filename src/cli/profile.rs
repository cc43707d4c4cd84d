//! `custlens profile`: the distribution of one or more columns — counts and
//! shares by value, or a numeric summary with a histogram, and age bands for
//! an age or birth-date column.

use super::input::read_plain_table;
use super::output::{display_width, pad, write_to};
use crate::engine::analyze::distribution::{
    distribution, ColumnDistribution, ColumnRole, DistributionParams, Summary, ValueCount,
};
use crate::engine::date::Day;
use crate::engine::ingest::fields::{auto_map, Field, SourceKind};
use anyhow::{anyhow, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Arguments of `custlens profile`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The table: CSV (any encoding and delimiter), JSON Lines or Excel.
    #[arg(long)]
    input: PathBuf,
    /// Worksheet of an Excel file.
    #[arg(long)]
    sheet: Option<String>,
    /// A column to profile (header; exact, else trimmed and case-insensitive). Repeatable.
    #[arg(long = "column", required = true)]
    columns: Vec<String>,
    /// Histogram bins for numeric columns.
    #[arg(long, default_value_t = DistributionParams::default().bins)]
    bins: usize,
    /// Values listed for categorical columns (the rest are summed as "other").
    #[arg(long, default_value_t = DistributionParams::default().top)]
    top: usize,
    /// Day on which ages are taken from a birth-date column (YYYY-MM-DD; default today).
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

/// What `--json` prints.
#[derive(Serialize)]
struct Report<'a> {
    file: &'a str,
    rows: u64,
    columns: Vec<ColumnDistribution>,
}

fn today() -> Day {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Day::from_days((secs / 86_400) as i32)
}

/// Runs `custlens profile`.
pub fn run(a: Args) -> Result<()> {
    if a.bins == 0 {
        return Err(anyhow!("--bins 0: use at least 1"));
    }
    let as_of = match &a.as_of {
        Some(s) => Day::parse_iso(s).map_err(|_| anyhow!("--as-of {s}: expected a date like 2024-12-31"))?,
        None => today(),
    };
    let (probe, table) = read_plain_table(&a.input, a.sheet.as_deref())?;
    let file = &probe.file;
    // Age and birth-date columns are recognised by the customer field mapping (年龄, 出生日期, dob…).
    let mapping = auto_map(SourceKind::Customers, &table.headers);
    let params = DistributionParams { top: a.top, bins: a.bins };
    let mut columns = Vec::new();
    for name in &a.columns {
        let c = table.column_index(name).map_err(|e| anyhow!("{file}: --column: {e}"))?;
        let role = if mapping.column(Field::Age) == Some(c) {
            ColumnRole::Age
        } else if mapping.column(Field::BirthDate) == Some(c) {
            eprintln!("{file}: ages from `{}` on {as_of}", table.headers[c]);
            ColumnRole::BirthDate(as_of)
        } else {
            ColumnRole::Auto
        };
        columns.push(distribution(&table, c, role, params).map_err(|e| anyhow!("{file}: {e}"))?);
    }
    if a.json {
        let json = serde_json::to_string(&Report { file, rows: table.len() as u64, columns })?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    for d in &columns {
        print_column(d);
    }
    Ok(())
}

fn print_counts(title: &str, values: &[ValueCount]) {
    say!("  {title}");
    let w = values.iter().map(|v| display_width(&v.value)).max().unwrap_or(0);
    for v in values {
        say!("    {}  {:>8}  {:>5.1}%", pad(&v.value, w, false), v.count, v.share * 100.0);
    }
}

fn print_column(d: &ColumnDistribution) {
    say!("{} — {} rows, {} blank", d.column, d.rows, d.missing);
    match &d.summary {
        Summary::Categorical(c) => {
            let mut rows = c.values.clone();
            if let Some(o) = &c.other {
                rows.push(ValueCount { value: format!("({} other values)", o.values), count: o.count, share: o.share });
            }
            print_counts(&format!("{} distinct values", c.distinct), &rows);
        }
        Summary::Numeric(n) => {
            let std = n.std.map_or_else(|| "–".to_string(), |s| format!("{s:.4}"));
            say!("  count {}  unusable {}  mean {:.4}  std {std}", n.count, n.unusable, n.mean);
            say!("  min {}  q1 {}  median {}  q3 {}  max {}", n.min, n.q1, n.median, n.q3, n.max);
            let top = n.histogram.iter().map(|b| b.count).max().unwrap_or(1).max(1);
            let w = n.histogram.iter().map(|b| b.label.len()).max().unwrap_or(0);
            for b in &n.histogram {
                let bar = "#".repeat((b.count * 40).div_ceil(top) as usize);
                say!("    {}  {:>8}  {bar}", pad(&b.label, w, false), b.count);
            }
            if let Some(bands) = &n.age_bands {
                print_counts("age bands", bands);
            }
        }
    }
}
