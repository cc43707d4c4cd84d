//! `custlens crosstab`: the cross-tab of two columns and Pearson's
//! chi-square test of their independence.

use super::input::read_plain_table;
use super::output::{display_width, pad, write_to};
use crate::engine::analyze::crosstab::{crosstab, AxisSpec, Binning, Crosstab, CrosstabParams};
use crate::engine::clean::table::TextTable;
use anyhow::{anyhow, bail, Result};
use std::path::{Path, PathBuf};

/// Arguments of `custlens crosstab`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The table: CSV (any encoding and delimiter), JSON Lines or Excel.
    #[arg(long)]
    input: PathBuf,
    /// Worksheet of an Excel file.
    #[arg(long)]
    sheet: Option<String>,
    /// Column whose values become the rows (header; exact, else trimmed and case-insensitive).
    #[arg(long)]
    rows: String,
    /// Column whose values become the columns.
    #[arg(long)]
    cols: String,
    /// Cut the rows column (numbers) into N equal-width bins.
    #[arg(long = "bins-rows", value_name = "N", conflicts_with = "edges_rows")]
    bins_rows: Option<usize>,
    /// Cut the columns column (numbers) into N equal-width bins.
    #[arg(long = "bins-cols", value_name = "N", conflicts_with = "edges_cols")]
    bins_cols: Option<usize>,
    /// Cut the rows column at these increasing edges, e.g. 0,18,25,35,45,55,100.
    #[arg(long = "edges-rows", value_name = "E1,E2,…")]
    edges_rows: Option<String>,
    /// Cut the columns column at these increasing edges.
    #[arg(long = "edges-cols", value_name = "E1,E2,…")]
    edges_cols: Option<String>,
    /// Print the result as one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

fn binning(option: &str, bins: Option<usize>, edges: Option<&str>) -> Result<Binning> {
    if let Some(e) = edges {
        let parsed: Result<Vec<f64>, _> = e.split(',').map(|x| x.trim().parse::<f64>()).collect();
        return parsed
            .map(Binning::Edges)
            .map_err(|_| anyhow!("--edges-{option} {e}: expected increasing numbers separated by commas"));
    }
    Ok(bins.map_or(Binning::Categories, Binning::EqualWidth))
}

fn axis(table: &TextTable, name: &str, binning: Binning) -> Result<AxisSpec> {
    Ok(AxisSpec { column: table.column_index(name)?, binning })
}

/// Runs `custlens crosstab`.
pub fn run(a: Args) -> Result<()> {
    let rows_binning = binning("rows", a.bins_rows, a.edges_rows.as_deref())?;
    let cols_binning = binning("cols", a.bins_cols, a.edges_cols.as_deref())?;
    let (probe, table) = read_plain_table(&a.input, a.sheet.as_deref())?;
    let file = &probe.file;
    let params = CrosstabParams {
        rows: axis(&table, &a.rows, rows_binning).map_err(|e| anyhow!("{file}: --rows: {e}"))?,
        cols: axis(&table, &a.cols, cols_binning).map_err(|e| anyhow!("{file}: --cols: {e}"))?,
    };
    if params.rows.column == params.cols.column {
        bail!("{file}: --rows and --cols name the same column `{}`", table.headers[params.rows.column]);
    }
    let x = crosstab(&table, &params).map_err(|e| anyhow!("{file}: {e}"))?;
    eprintln!("{file}: {} rows read = {} in the table + {} excluded", x.rows_in, x.rows_used, x.rows_in - x.rows_used);
    for e in &x.excluded {
        eprintln!("  excluded: {} × {:?} in `{}`", e.rows, e.reason, e.column);
    }
    if a.json {
        let json = serde_json::to_string(&x)?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    print_table(&x);
    Ok(())
}

fn print_table(x: &Crosstab) {
    let t = &x.table;
    // A grid of texts: header, one line per row label, totals.
    let mut grid: Vec<Vec<String>> = Vec::with_capacity(t.row_labels.len() + 2);
    let corner = format!("{} \\ {}", x.row_column, x.col_column);
    grid.push([corner].into_iter().chain(t.col_labels.iter().cloned()).chain(["total".to_string()]).collect());
    for (i, label) in t.row_labels.iter().enumerate() {
        let cells = t.counts[i].iter().zip(&x.row_shares[i]).map(|(n, s)| format!("{n} ({:.1}%)", s * 100.0));
        grid.push([label.clone()].into_iter().chain(cells).chain([t.row_totals[i].to_string()]).collect());
    }
    let totals = t.col_totals.iter().map(u64::to_string);
    grid.push(["total".to_string()].into_iter().chain(totals).chain([t.total.to_string()]).collect());
    let widths: Vec<usize> =
        (0..grid[0].len()).map(|j| grid.iter().map(|r| display_width(&r[j])).max().unwrap_or(0)).collect();
    for row in &grid {
        let line: Vec<String> = row.iter().zip(&widths).enumerate().map(|(j, (c, &w))| pad(c, w, j > 0)).collect();
        say!("{}", line.join("  "));
    }
    say!("(counts, row % in brackets)");
    let s = &x.test;
    say!(
        "Pearson chi-square (no continuity correction): chi2 = {:.4}, dof = {}, p = {:.4e}, Cramér's V = {:.4}",
        s.chi2,
        s.dof,
        s.p_value,
        s.cramers_v
    );
    let c = &x.expected_check;
    say!(
        "expected counts: min {:.2}; {} of {} cells ({:.1}%) below 5{}",
        c.min_expected,
        c.cells_below_5,
        c.cells,
        c.share_below_5 * 100.0,
        if c.rule_broken {
            " — WARNING: the rule (no expected count < 1, at most 20 % < 5) is broken; the p-value is unreliable"
        } else {
            ""
        }
    );
}
