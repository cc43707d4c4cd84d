//! `custlens channels`: per-channel visitors, clicks, orders, cost, rates,
//! revenue, ROI and CAC from a channel table, and first-touch, last-touch,
//! linear and position-based attribution of orders from touchpoints.

use super::input::read_table;
use super::output::{display_width, pad, write_bytes, write_to, ExportFormat};
use crate::engine::analyze::channels::{
    channels, AcquisitionSource, AttributionModel, ChannelInputs, ChannelParams, ChannelReport, RevenueSource,
};
use crate::engine::clean::table::TextTable;
use crate::engine::ingest::fields::{Mapping, SourceKind};
use crate::engine::report::export::write_table_csv;
use crate::engine::report::xlsx::{write_xlsx, Sheet};
use crate::engine::unify::Source;
use anyhow::{anyhow, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `custlens channels`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Channel totals: CSV or Excel with channel, period, uv, clicks, orders, cost columns.
    #[arg(long, required_unless_present = "touchpoints")]
    channels: Option<PathBuf>,
    /// Touchpoints: CSV or Excel with user_id, channel, touch_time (needs --orders).
    #[arg(long, requires = "orders")]
    touchpoints: Option<PathBuf>,
    /// Orders: user_id, order_time, amount (order_id and channel used when present).
    #[arg(long)]
    orders: Option<PathBuf>,
    /// Customers (CRM): user_id and channel, for new customers when there are no touchpoints.
    #[arg(long)]
    customers: Option<PathBuf>,
    /// Touchpoints at most this many days before an order count for it.
    #[arg(long = "lookback-days", default_value_t = ChannelParams::default().lookback_days)]
    lookback_days: u32,
    /// The attribution model whose revenue the channel table shows: first_touch, last_touch, linear, position_based.
    #[arg(long = "revenue-model", default_value = "last_touch")]
    revenue_model: String,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// Write the channel table (per channel, then per channel and period) here: CSV, or XLSX when the
    /// name ends in .xlsx (with a second sheet, attribution); "-" for CSV on standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the attribution credits (model, channel, orders, revenue, share) here as CSV.
    #[arg(long = "attribution-out")]
    attribution_out: Option<PathBuf>,
}

struct Loaded {
    file: String,
    mapping: Mapping,
    table: TextTable,
}

impl Loaded {
    fn read(path: &Path, kind: SourceKind) -> Result<Loaded> {
        let (probe, mapping, table) = read_table(path, Some(kind), &[], None)?;
        Ok(Loaded { file: probe.file, mapping, table })
    }

    fn source(&self) -> Source<'_> {
        Source { file: &self.file, mapping: &self.mapping, table: &self.table }
    }
}

/// Runs `custlens channels`.
pub fn run(a: Args) -> Result<()> {
    let revenue_model = AttributionModel::from_key(&a.revenue_model).ok_or_else(|| {
        anyhow!("--revenue-model {}: use first_touch, last_touch, linear or position_based", a.revenue_model)
    })?;
    let params = ChannelParams { lookback_days: a.lookback_days, revenue_model };
    let load = |p: &Option<PathBuf>, kind| p.as_deref().map(|p| Loaded::read(p, kind)).transpose();
    let metrics = load(&a.channels, SourceKind::Channels)?;
    let touchpoints = load(&a.touchpoints, SourceKind::Channels)?;
    let orders = load(&a.orders, SourceKind::Orders)?;
    let customers = load(&a.customers, SourceKind::Customers)?;
    let inputs = ChannelInputs {
        metrics: metrics.as_ref().map(Loaded::source),
        touchpoints: touchpoints.as_ref().map(Loaded::source),
        orders: orders.as_ref().map(Loaded::source),
        customers: customers.as_ref().map(Loaded::source),
    };
    let report = channels(&inputs, &params)?;
    report_rows(&report);
    if let Some(path) = &a.out {
        let table = report.metrics_table();
        match ExportFormat::of_path(path) {
            ExportFormat::Csv => write_to(path, |w| write_table_csv(w, &table))?,
            ExportFormat::Xlsx => {
                let credits = report.attribution.as_ref().map(|x| x.table());
                let mut sheets = vec![Sheet { name: "channels", table: &table }];
                if let Some(c) = &credits {
                    sheets.push(Sheet { name: "attribution", table: c });
                }
                write_bytes(path, &write_xlsx(&sheets)?)?;
            }
        }
    }
    if let Some(path) = &a.attribution_out {
        let credits = report.attribution.as_ref().ok_or_else(|| anyhow!("--attribution-out needs --touchpoints"))?;
        write_to(path, |w| write_table_csv(w, &credits.table()))?;
    }
    if a.json {
        let json = serde_json::to_string(&report)?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    write_to(Path::new("-"), |w| print_summary(w, &report))
}

/// Says on standard error what was read and left out.
fn report_rows(r: &ChannelReport) {
    let rows = r.metrics_rows.iter().chain(r.attribution.iter().flat_map(|a| [&a.touch_rows, &a.order_rows]));
    for x in rows {
        let mut why: Vec<String> = x.excluded.iter().map(|e| format!("{} × {}", e.rows, e.reason.key())).collect();
        if x.blank_channel > 0 {
            why.push(format!("{} × blank_channel", x.blank_channel));
        }
        let why = if why.is_empty() { String::new() } else { format!(" ({})", why.join(", ")) };
        eprintln!(
            "{}: {} rows read = {} used + {} left out{why}",
            x.file,
            x.rows_in,
            x.rows_used,
            x.rows_in - x.rows_used
        );
    }
    for s in &r.skipped_cells {
        if s.blank + s.invalid > 0 {
            eprintln!("  {}: {} blank and {} unreadable cells add nothing", s.field, s.blank, s.invalid);
        }
    }
}

const NONE: &str = "—";

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| NONE.to_string(), |x| format!("{:.2}%", x * 100.0))
}

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map_or_else(|| NONE.to_string(), |x| x.to_string())
}

fn print_summary(w: &mut dyn Write, r: &ChannelReport) -> std::io::Result<()> {
    let revenue = match r.revenue_source {
        RevenueSource::Attribution { model } => format!("{} attribution", model.key()),
        RevenueSource::OrdersChannel => "the orders' channel column".to_string(),
        RevenueSource::None => "nowhere (no orders)".to_string(),
    };
    let acquisition = match r.acquisition_source {
        AcquisitionSource::FirstTouch => "first touch of first orders",
        AcquisitionSource::CustomersChannel => "the customers' channel column",
        AcquisitionSource::None => "nowhere (no touchpoints or customers)",
    };
    if !r.channels.is_empty() {
        writeln!(w, "{} channels; revenue from {revenue}; new customers from {acquisition}", r.channels.len())?;
        let width = r.channels.iter().map(|m| display_width(&m.channel)).max().unwrap_or(0).max(7);
        let head = ["uv", "clicks", "orders", "cost", "CTR", "CVR", "revenue", "ROI", "new", "CAC"];
        let widths = [10, 9, 8, 14, 8, 8, 16, 9, 7, 10];
        let line = |first: &str, cells: &[String]| {
            let mut s = format!("  {}", pad(first, width, false));
            for (c, wd) in cells.iter().zip(widths) {
                s.push_str(&format!("  {}", pad(c, wd, true)));
            }
            s
        };
        writeln!(w, "{}", line("channel", &head.map(str::to_string)))?;
        for m in &r.channels {
            let cells = [
                opt(m.uv),
                opt(m.clicks),
                opt(m.orders),
                opt(m.cost),
                pct(m.click_rate),
                pct(m.conversion),
                opt(m.revenue),
                m.roi.map_or_else(|| NONE.to_string(), |x| format!("{x:.2}")),
                opt(m.new_customers),
                m.cac.map_or_else(|| NONE.to_string(), |x| format!("{x:.2}")),
            ];
            writeln!(w, "{}", line(&m.channel, &cells))?;
        }
    }
    if let Some(a) = &r.attribution {
        writeln!(
            w,
            "attribution ({}-day lookback): {} orders, revenue {}; {} with touchpoints, {} direct / none",
            a.lookback_days, a.orders, a.revenue, a.orders_touched, a.orders_direct
        )?;
        let width = a.models.iter().flat_map(|m| &m.credits).map(|c| display_width(&c.channel)).max().unwrap_or(0);
        for m in &a.models {
            writeln!(w, "  {}", m.model.key())?;
            for c in &m.credits {
                writeln!(
                    w,
                    "    {}  {:>12.2}  {:>16}  {:>7}",
                    pad(&c.channel, width, false),
                    c.orders,
                    c.revenue.to_string(),
                    pct(c.revenue_share)
                )?;
            }
        }
    }
    Ok(())
}
