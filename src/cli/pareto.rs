//! `custlens pareto`: how concentrated revenue is — top-20 % share, the
//! customers making 80 % of revenue, Gini, the curve, and the ranking.

use super::input::{parse_maps, read_customers};
use super::output::write_to;
use crate::engine::analyze::pareto::{pareto, ParetoParams};
use crate::engine::privacy::share;
use crate::engine::report::export::write_pareto_csv;
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `custlens pareto`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Orders file: CSV (any encoding and delimiter), JSON Lines or Excel.
    #[arg(long)]
    orders: PathBuf,
    /// Column for a field, overriding the automatic mapping: canonical=header
    /// (e.g. amount=订单金额). Repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    maps: Vec<String>,
    /// Worksheet of an Excel file (default: the first with data).
    #[arg(long)]
    sheet: Option<String>,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// Most segments of the curve (more customers are sampled at equal steps).
    #[arg(long = "curve-points", default_value_t = ParetoParams::default().max_curve_segments)]
    curve_points: usize,
    /// Also write the per-customer ranking (CSV; "-" for standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// How personal data appears in the files.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
}

/// Runs `custlens pareto`.
pub fn run(a: Args) -> Result<()> {
    let maps = parse_maps(&a.maps)?;
    let (probe, customers) = read_customers(&a.orders, &maps, a.sheet.as_deref())?;
    let result = pareto(&customers.spends(), ParetoParams { max_curve_segments: a.curve_points })?;
    a.disclosure.may_analyse(&[crate::engine::ingest::fields::SourceKind::Orders])?;
    let d = a.disclosure.disclosure()?;
    if let Some(path) = &a.out {
        write_to(path, |w| write_pareto_csv(w, &share::ids(&customers.ids, &d), &result))?;
    }
    let acc = &customers.account;
    eprintln!(
        "{}: {} rows read = {} used + {} set aside; {} customers",
        probe.file,
        acc.rows_in,
        acc.rows_used,
        acc.set_aside_total(),
        result.customers
    );
    if a.json {
        let json = serde_json::to_string(&result)?;
        return write_to(std::path::Path::new("-"), |w| writeln!(w, "{json}"));
    }
    let pct = |x: f64| x * 100.0;
    say!("customers                  {}", result.customers);
    say!("  without positive spend   {}", result.customers_without_spend);
    say!("revenue (positive spend)   {:.2}", result.revenue);
    say!("net revenue (with refunds) {:.2}", result.net_revenue);
    say!("top 20 % of customers make {:.1} % of revenue", pct(result.top20_revenue_share));
    say!("80 % of revenue comes from {:.1} % of customers", pct(result.customers_for_80pct_share));
    say!("Gini coefficient           {:.4}", result.gini);
    Ok(())
}
