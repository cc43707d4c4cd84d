//! `custlens sample`: the deterministic sample data, as files.

use super::output::write_to;
use crate::engine::sample::{all_tables, channel_tables, write_customers, write_orders, SampleSpec};
use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// Arguments of `custlens sample`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of customers (orders are about 5 per customer).
    #[arg(long, default_value_t = 20_000)]
    customers: usize,
    /// Random seed (same seed, same bytes).
    #[arg(long, default_value_t = 20_240_601)]
    seed: u64,
    /// Orders CSV to write.
    #[arg(long, required_unless_present = "dir")]
    orders: Option<PathBuf>,
    /// Customers (CRM) CSV to write, if wanted.
    #[arg(long = "customers-out")]
    customers_out: Option<PathBuf>,
    /// Write every sample table into this folder: sample_customers.csv,
    /// sample_orders.csv, sample_tickets.csv, sample_surveys.csv, sample_events.csv,
    /// and the marketing tables sample_channels.csv and sample_touchpoints.csv.
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// Runs `custlens sample`.
pub fn run(a: Args) -> Result<()> {
    let spec = SampleSpec { customers: a.customers, seed: a.seed };
    if let Some(dir) = &a.dir {
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
        for (name, bytes) in all_tables(spec).into_iter().chain(channel_tables(spec)) {
            write_to(&dir.join(name), |w| w.write_all(&bytes))?;
        }
    }
    if let Some(orders) = &a.orders {
        let mut w = BufWriter::new(
            std::fs::File::create(orders).with_context(|| format!("{}: cannot create", orders.display()))?,
        );
        let rows = write_orders(spec, &mut w)?;
        w.flush()?;
        eprintln!("{}: {rows} order rows for {} customers", orders.display(), a.customers);
    }
    if let Some(path) = a.customers_out {
        let mut w =
            BufWriter::new(std::fs::File::create(&path).with_context(|| format!("{}: cannot create", path.display()))?);
        write_customers(spec, &mut w)?;
        w.flush()?;
    }
    Ok(())
}
