//! `custlens sample`: the deterministic sample data, as files.

use crate::engine::sample::{write_customers, write_orders, SampleSpec};
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
    #[arg(long)]
    orders: PathBuf,
    /// Customers (CRM) CSV to write, if wanted.
    #[arg(long = "customers-out")]
    customers_out: Option<PathBuf>,
}

/// Runs `custlens sample`.
pub fn run(a: Args) -> Result<()> {
    let spec = SampleSpec { customers: a.customers, seed: a.seed };
    let mut w = BufWriter::new(
        std::fs::File::create(&a.orders).with_context(|| format!("{}: cannot create", a.orders.display()))?,
    );
    let rows = write_orders(spec, &mut w)?;
    w.flush()?;
    eprintln!("{}: {rows} order rows for {} customers", a.orders.display(), a.customers);
    if let Some(path) = a.customers_out {
        let mut w =
            BufWriter::new(std::fs::File::create(&path).with_context(|| format!("{}: cannot create", path.display()))?);
        write_customers(spec, &mut w)?;
        w.flush()?;
    }
    Ok(())
}
