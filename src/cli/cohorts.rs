//! `custlens cohorts`: customers grouped by the month or ISO week of their
//! first purchase — the retention matrix, repurchase rate and interval, and
//! the monthly churn-rate trend.

use super::input::{parse_maps_for, read_table};
use super::output::{pad, report_rows, write_to};
use crate::engine::analyze::cohort::{cohort_members, cohorts, CohortParams, Cohorts};
use crate::engine::analyze::members::{shown_member_table, MemberError};
use crate::engine::analyze::period::Period;
use crate::engine::ingest::fields::SourceKind;
use crate::engine::report::export::write_table_csv;
use anyhow::{anyhow, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `custlens cohorts`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Orders file: CSV (any encoding and delimiter) or Excel.
    #[arg(long)]
    orders: PathBuf,
    /// Column for a field, overriding the automatic mapping: canonical=header
    /// (e.g. order_time=付款时间). Repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    maps: Vec<String>,
    /// Worksheet of an Excel file (default: the first with data).
    #[arg(long)]
    sheet: Option<String>,
    /// Cohort period: month, or week (ISO weeks, Monday first).
    #[arg(long, default_value = "month", value_parser = ["month", "week"])]
    period: String,
    /// Retention is followed for periods 0 … N after the first purchase.
    #[arg(long = "max-periods", default_value_t = CohortParams::default().max_periods)]
    max_periods: usize,
    /// A cell of the retention matrix whose customers `--members-out` lists:
    /// the cohort's period and the offset (e.g. 2024-03:2; 2024-03:0 is the whole cohort).
    #[arg(long, value_name = "COHORT:OFFSET", requires = "members_out")]
    members: Option<String>,
    /// Write the customers of `--members` here as CSV (user_id; "-" for standard output).
    #[arg(long, requires = "members")]
    members_out: Option<PathBuf>,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// How personal data appears in the output.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
}

/// `COHORT:OFFSET` (the cohort label may itself hold no colon).
fn cell(text: &str) -> Result<(String, u32), MemberError> {
    let bad = || MemberError::Syntax { text: text.to_string(), expected: "COHORT:OFFSET, e.g. 2024-03:2".into() };
    let (c, k) = text.rsplit_once(':').ok_or_else(bad)?;
    Ok((c.trim().to_string(), k.trim().parse().map_err(|_| bad())?))
}

/// Runs `custlens cohorts`.
pub fn run(a: Args) -> Result<()> {
    let maps = parse_maps_for(SourceKind::Orders, &a.maps)?;
    let (probe, mapping, table) = read_table(&a.orders, Some(SourceKind::Orders), &maps, a.sheet.as_deref())?;
    let file = &probe.file;
    let period = Period::from_key(&a.period).unwrap_or_default();
    let params = CohortParams { period, max_periods: a.max_periods };
    let c = cohorts(&table, &mapping, params).map_err(|e| anyhow!("{file}: {e}"))?;
    report_rows(file, c.rows_in, c.rows_used, &c.excluded);
    if let (Some(spec), Some(path)) = (&a.members, &a.members_out) {
        a.disclosure.may_analyse(&[SourceKind::Orders])?;
        let d = a.disclosure.disclosure()?;
        let (cohort, offset) = cell(spec).map_err(|e| anyhow!("--members {e}"))?;
        let ids = cohort_members(&table, &mapping, params, &cohort, offset).map_err(|e| anyhow!("--members: {e}"))?;
        write_to(path, |w| write_table_csv(w, &shown_member_table(ids.iter().map(String::as_str), &d)))?;
        eprintln!("cohort {cohort} +{offset}: {} customers", ids.len());
    }
    if a.json {
        let json = serde_json::to_string(&c)?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    write_to(Path::new("-"), |w| print_summary(w, &c))
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn print_summary(w: &mut dyn Write, c: &Cohorts) -> std::io::Result<()> {
    writeln!(w, "customers {}  purchases from {} to {}", c.customers, c.first_day, c.last_day)?;
    let r = &c.repurchase;
    let days = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |x| format!("{x:.1}"));
    writeln!(
        w,
        "repurchase rate {} ({} customers on 2+ days); days to 2nd purchase: median {}, mean {}",
        pct(Some(r.rate)),
        r.customers,
        days(r.median_interval_days),
        days(r.mean_interval_days)
    )?;
    writeln!(w, "retention by {} (k = periods after the first purchase):", c.period.key())?;
    let head: Vec<String> = (0..=c.max_periods).map(|k| pad(&format!("+{k}"), 7, true)).collect();
    writeln!(w, "  {}  {:>8}  {}", pad("cohort", 8, false), "size", head.join(""))?;
    for row in &c.cohorts {
        let cells: Vec<String> = row.retention.iter().map(|x| pad(&pct(*x), 7, true)).collect();
        writeln!(w, "  {}  {:>8}  {}", pad(&row.period, 8, false), row.customers, cells.join(""))?;
    }
    let avg: Vec<String> = c.average_retention.iter().map(|x| pad(&pct(*x), 7, true)).collect();
    writeln!(w, "  {}  {:>8}  {}", pad("average", 8, false), c.customers, avg.join(""))?;
    writeln!(w, "monthly churn rate (active last month, no purchase this month):")?;
    for m in &c.churn_trend {
        writeln!(w, "  {}  {:>6} of {:>6}  {}", m.month, m.churned, m.active_before, pct(m.rate))?;
    }
    Ok(())
}
