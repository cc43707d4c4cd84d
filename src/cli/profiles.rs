//! `custlens profiles`: who the customers are (M6) — counts and shares by
//! age band, gender, region, city tier, industry, company size, member
//! level, channel, device and OS; summaries and histograms of age, spend,
//! orders and order value (客单价); the weekday × hour heat map. The tables
//! are cleaned and joined as the page does, with the same numbers.

use super::output::{display_width, pad, write_bytes, write_to, ExportFormat};
use super::unify::Loaded;
use crate::engine::analyze::members::{shown_member_table, MemberError};
use crate::engine::analyze::profiles::{
    profiles_with_members, AgeBands, CustomerProfile, Dimension, HeatSource, Measure, ProfileInputs, ProfileMembers,
    ProfileParams, RowKind, PROFILE_SHEETS,
};
use crate::engine::date::Day;
use crate::engine::ingest::fields::SourceKind;
use crate::engine::report::export::write_table_csv;
use crate::engine::report::xlsx::{write_xlsx, Sheet};
use crate::engine::unify::{unify, Source, UnifyOptions};
use anyhow::{anyhow, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The CSV files of `--out`, in the order of [`PROFILE_SHEETS`].
pub const PROFILE_FILES: [&str; 4] =
    ["profiles.csv", "profile_numbers.csv", "profile_histograms.csv", "profile_heatmap.csv"];

/// Arguments of `custlens profiles`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Customers (CRM) table: the attributes.
    #[arg(long)]
    customers: Option<PathBuf>,
    /// Orders table: spend, orders and order values (and the heat map when there are no events).
    #[arg(long)]
    orders: Option<PathBuf>,
    /// Behaviour events: device, OS and the heat map.
    #[arg(long)]
    events: Option<PathBuf>,
    /// A dimension to count (repeatable; default all): age_band, gender, province, city, city_tier,
    /// industry, company_size, member_level, channel, device, os.
    #[arg(long = "dimension", value_name = "DIMENSION")]
    dimensions: Vec<String>,
    /// Values listed per dimension, most frequent first; the rest are summed as "other".
    #[arg(long, default_value_t = ProfileParams::default().top)]
    top: usize,
    /// Histogram bins of the numeric summaries.
    #[arg(long, default_value_t = ProfileParams::default().bins)]
    bins: usize,
    /// Day ages are taken on from birth dates (YYYY-MM-DD); default the latest day of the orders and events.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Lower edges of the age bands after the first, comma-separated.
    #[arg(long = "age-bands", default_value_t = AgeBands::default().to_text())]
    age_bands: String,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
    /// Output folder: profiles.csv (dimensions), profile_numbers.csv, profile_histograms.csv and
    /// profile_heatmap.csv, or with --format xlsx profiles.xlsx (one sheet each).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A row whose customers `--members-out` lists: a dimension and its value
    /// or band (province=浙江, age_band=26-35, gender=(unknown), city=(other)).
    #[arg(long, value_name = "DIMENSION=VALUE", requires = "members_out")]
    members: Option<String>,
    /// Write the customers of `--members` here as CSV (user_id; "-" for standard output).
    #[arg(long, requires = "members")]
    members_out: Option<PathBuf>,
    /// Format of the tables in --out: csv (four files) or xlsx (one workbook).
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    format: ExportFormat,
    /// How personal data appears in the output.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
}

/// Runs `custlens profiles`.
pub fn run(a: Args) -> Result<()> {
    if a.customers.is_none() && a.orders.is_none() && a.events.is_none() {
        return Err(anyhow!("give at least one of --customers, --orders and --events"));
    }
    let dimensions = if a.dimensions.is_empty() {
        Dimension::ALL.to_vec()
    } else {
        let keys = Dimension::ALL.map(Dimension::key).join(", ");
        a.dimensions
            .iter()
            .map(|k| Dimension::from_key(k).ok_or_else(|| anyhow!("--dimension {k}: use one of {keys}")))
            .collect::<Result<Vec<_>>>()?
    };
    let as_of = a
        .as_of
        .as_deref()
        .map(|s| Day::parse_iso(s).map_err(|_| anyhow!("--as-of {s}: expected a date like 2024-12-31")))
        .transpose()?;
    let age_bands = AgeBands::parse(&a.age_bands).map_err(|e| anyhow!("--age-bands: {e}"))?;
    let params = ProfileParams { dimensions, top: a.top, bins: a.bins, as_of, age_bands };
    let d = a.disclosure.disclosure()?;

    let load = |p: &Option<PathBuf>, kind| p.as_deref().map(|p| Loaded::read(p, Some(kind))).transpose();
    let customers = load(&a.customers, SourceKind::Customers)?;
    let orders = load(&a.orders, SourceKind::Orders)?;
    let events = load(&a.events, SourceKind::Events)?;
    let sources: Vec<Source<'_>> = [&customers, &orders, &events].into_iter().flatten().map(Loaded::source).collect();
    let u = unify(&sources, &UnifyOptions::default());
    let inputs = ProfileInputs {
        unified: &u,
        orders: orders.as_ref().map(Loaded::source),
        events: events.as_ref().map(Loaded::source),
    };
    let (raw, who) = profiles_with_members(&inputs, &params)?;
    let p = raw.shown(&d);
    if let (Some(spec), Some(path)) = (&a.members, &a.members_out) {
        let (dim, row) = ProfileMembers::find(&raw, spec).map_err(|e| anyhow!("--members {e}"))?;
        // A dimension the role is not shown has no customers to list either.
        let key = raw.dimensions[dim].dimension;
        if !p.dimensions.iter().any(|x| x.dimension == key) {
            let dimensions = p.dimensions.iter().map(|x| x.dimension.key()).collect::<Vec<_>>().join(", ");
            let e = MemberError::NoDimension { dimension: key.key().to_string(), dimensions };
            return Err(anyhow!("--members {e}"));
        }
        let ids = who.of(dim, row);
        write_to(path, |w| write_table_csv(w, &shown_member_table(ids.iter().copied(), &d)))?;
        eprintln!("{spec}: {} customers", ids.len());
    }
    if p.rows_without_customer > 0 {
        eprintln!("{} order or event rows without a customer id are left out", p.rows_without_customer);
    }
    if let Some(out) = &a.out {
        std::fs::create_dir_all(out).map_err(|e| anyhow!("{}: cannot create: {e}", out.display()))?;
        let tables = p.tables();
        match a.format {
            ExportFormat::Csv => {
                for (name, table) in PROFILE_FILES.iter().zip(&tables) {
                    write_to(&out.join(name), |w| write_table_csv(w, table))?;
                }
            }
            ExportFormat::Xlsx => {
                let sheets: Vec<Sheet<'_>> =
                    PROFILE_SHEETS.iter().zip(&tables).map(|(name, table)| Sheet { name, table }).collect();
                write_bytes(&out.join("profiles.xlsx"), &write_xlsx(&sheets)?)?;
            }
        }
    }
    if a.json {
        let json = serde_json::to_string(&p)?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    write_to(Path::new("-"), |w| print_summary(w, &p))
}

fn print_summary(w: &mut dyn Write, p: &CustomerProfile) -> std::io::Result<()> {
    writeln!(w, "{} customers ({} in the CRM, {} with an order)", p.customers, p.in_crm, p.buyers)?;
    if let Some(day) = &p.as_of {
        writeln!(w, "ages from birth dates as of {day}")?;
    }
    for d in &p.dimensions {
        writeln!(w, "{}", d.dimension.key())?;
        let label = |kind: RowKind, value: &str| match kind {
            RowKind::Other => format!("(other: {} values)", d.other_values),
            _ => value.to_string(),
        };
        let width = d.rows.iter().map(|r| display_width(&label(r.kind, &r.value))).max().unwrap_or(0);
        for r in &d.rows {
            let name = pad(&label(r.kind, &r.value), width, false);
            writeln!(w, "  {name}  {:>8}  {:>5.1}%", r.customers, r.share * 100.0)?;
        }
    }
    writeln!(
        w,
        "{:<12} {:>8} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
        "", "count", "mean", "min", "q1", "median", "q3", "max"
    )?;
    for m in Measure::ALL {
        let Some(s) = p.number(m) else {
            writeln!(w, "{:<12} {:>8}", m.key(), 0)?;
            continue;
        };
        writeln!(
            w,
            "{:<12} {:>8} {:>12.2} {:>12.2} {:>12.2} {:>12.2} {:>12.2} {:>12.2}",
            m.key(),
            s.count,
            s.mean,
            s.min,
            s.q1,
            s.median,
            s.q3,
            s.max
        )?;
    }
    if let Some(s) = p.number(Measure::OrderValue) {
        writeln!(w, "average order value (客单价): {:.2}", s.mean)?;
    }
    match &p.heat {
        Some(h) => {
            let what = if h.source == HeatSource::Events { "events" } else { "orders" };
            writeln!(
                w,
                "{what} by weekday (Mon–Sun) and hour, from {} ({} without a time of day left out)",
                h.file, h.without_time
            )?;
            writeln!(w, "     {}", (0..24).map(|h| format!("{h:>5}")).collect::<String>())?;
            for (day, row) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].iter().zip(&h.counts) {
                writeln!(w, "  {day}{}", row.iter().map(|k| format!("{k:>5}")).collect::<String>())?;
            }
        }
        None => writeln!(w, "no times of day in the events or orders: no heat map")?,
    }
    Ok(())
}
