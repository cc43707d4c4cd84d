//! `custlens tags`: rule-based customer tags (the default set or a
//! `tags.json`) over the unified customer table — coverage, pairwise overlap
//! and each customer's tags.

use super::output::{display_width, pad, write_bytes, write_to, ExportFormat};
use super::unify::Loaded;
use crate::engine::analyze::tags::{default_tags, evaluate, TagInputs, TagReport, TagSet};
use crate::engine::date::Day;
use crate::engine::ingest::fields::SourceKind;
use crate::engine::privacy::share;
use crate::engine::report::export::write_table_csv;
use crate::engine::report::xlsx::{write_xlsx, Sheet};
use crate::engine::unify::{unify, Source, UnifyOptions};
use anyhow::{anyhow, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `custlens tags`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Customers (CRM) table.
    #[arg(long)]
    customers: PathBuf,
    /// Orders table.
    #[arg(long)]
    orders: PathBuf,
    /// Service tickets, for ticket and complaint conditions and the last satisfaction.
    #[arg(long)]
    tickets: Option<PathBuf>,
    /// Behaviour events, for event conditions.
    #[arg(long)]
    events: Option<PathBuf>,
    /// Survey answers, for the last NPS and satisfaction.
    #[arg(long)]
    surveys: Option<PathBuf>,
    /// Tag definitions: a JSON list (default: the built-in set; see --defaults-out).
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Day the condition windows end on (YYYY-MM-DD); default the latest day in the tables.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Write the built-in tag set as JSON here (a starting point for --rules).
    #[arg(long = "defaults-out")]
    defaults_out: Option<PathBuf>,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// Write each tagged customer's tags (user_id, tags) here: CSV, or XLSX when the name ends in .xlsx.
    #[arg(long)]
    out: Option<PathBuf>,
    /// How personal data appears in the output.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
}

/// Runs `custlens tags`.
pub fn run(a: Args) -> Result<()> {
    let as_of = a
        .as_of
        .as_deref()
        .map(|s| Day::parse_iso(s).map_err(|_| anyhow!("--as-of {s}: expected a date like 2024-12-31")))
        .transpose()?;
    let set = match &a.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
            TagSet::from_json(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?
        }
        None => TagSet::new(default_tags())?,
    };
    if let Some(path) = &a.defaults_out {
        let json = TagSet::new(default_tags())?.to_json();
        write_to(path, |w| writeln!(w, "{json}"))?;
    }
    let load = |p: &Option<PathBuf>, kind| p.as_deref().map(|p| Loaded::read(p, Some(kind))).transpose();
    let customers = Loaded::read(&a.customers, Some(SourceKind::Customers))?;
    let orders = Loaded::read(&a.orders, Some(SourceKind::Orders))?;
    let tickets = load(&a.tickets, SourceKind::Tickets)?;
    let events = load(&a.events, SourceKind::Events)?;
    let surveys = load(&a.surveys, SourceKind::Surveys)?;
    let mut sources: Vec<Source<'_>> = vec![customers.source(), orders.source()];
    sources.extend([&tickets, &events, &surveys].into_iter().flatten().map(|l| l.source()));
    let u = unify(&sources, &UnifyOptions::default());
    let inputs = TagInputs {
        unified: &u,
        orders: Some(orders.source()),
        tickets: tickets.as_ref().map(Loaded::source),
        events: events.as_ref().map(Loaded::source),
        as_of,
    };
    let report = evaluate(&set, &inputs);
    for t in report.tags.iter().filter(|t| t.missing_source.is_some()) {
        let kind = t.missing_source.map_or("", SourceKind::key);
        eprintln!("note: tag `{}` needs a {kind} table (--{kind}); nobody carries it", t.name);
    }
    for x in report.unused_rows.iter().filter(|x| x.rows > 0) {
        eprintln!("{}: {} rows without a known customer or a readable date count in no condition", x.file, x.rows);
    }
    if let Some(path) = &a.out {
        let d = a.disclosure.disclosure()?;
        let table = report.customer_table(&u);
        let table = share::table(&table, &d);
        match ExportFormat::of_path(path) {
            ExportFormat::Csv => write_to(path, |w| write_table_csv(w, &table))?,
            ExportFormat::Xlsx => write_bytes(path, &write_xlsx(&[Sheet { name: "tags", table: &table }])?)?,
        }
    }
    if a.json {
        let json = serde_json::to_string(&report)?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    write_to(Path::new("-"), |w| print_summary(w, &report))
}

fn print_summary(w: &mut dyn Write, r: &TagReport) -> std::io::Result<()> {
    let day = r.as_of.map_or_else(|| "—".to_string(), |d| d.to_string());
    writeln!(w, "{} customers, as of {day}", r.customers)?;
    let width = r.tags.iter().map(|t| display_width(&t.name)).max().unwrap_or(0).max(3);
    writeln!(w, "  {}  {:>12}  {:>9}  {:>8}  {:>7}", pad("tag", width, false), "dimension", "level", "count", "share")?;
    for t in &r.tags {
        let dim =
            serde_json::to_value(t.dimension).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let level = serde_json::to_value(t.level).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let share = t.share.map_or_else(|| "—".to_string(), |s| format!("{:.1}%", s * 100.0));
        writeln!(w, "  {}  {dim:>12}  {level:>9}  {:>8}  {share:>7}", pad(&t.name, width, false), t.count)?;
    }
    writeln!(w, "overlap (customers with both; Jaccard)")?;
    let mut head = format!("  {}", pad("", width, false));
    for t in &r.tags {
        head.push_str(&format!("  {}", pad(&t.name, 16, true)));
    }
    writeln!(w, "{head}")?;
    for (t, row) in r.tags.iter().zip(&r.overlap) {
        let mut line = format!("  {}", pad(&t.name, width, false));
        for o in row {
            let j = o.jaccard.map_or_else(|| "—".to_string(), |j| format!("{j:.3}"));
            line.push_str(&format!("  {}", pad(&format!("{} ({j})", o.both), 16, true)));
        }
        writeln!(w, "{line}")?;
    }
    Ok(())
}
