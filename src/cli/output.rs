//! Writing output files (or standard output for `-`), with the path in
//! every error.

use crate::engine::analyze::rows::ExcludedRows;
use anyhow::{Context, Result};

/// `println!` for reports on standard output: when the reader has gone (the
/// output piped into `head`), the program ends quietly instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::say_line(format_args!($($arg)*))
    };
}

/// Writes one line to standard output; exits quietly on a closed pipe.
pub fn say_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("custlens: error: standard output: {e}");
        std::process::exit(2);
    }
}
use std::io::{BufWriter, Write};
use std::path::Path;

pub use crate::engine::report::width::display_width;

/// File format of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// CSV files (UTF-8 with BOM).
    #[default]
    Csv,
    /// One XLSX workbook.
    Xlsx,
}

impl ExportFormat {
    /// XLSX when `path` ends in `.xlsx` (any case), else CSV (also for `-`).
    pub fn of_path(path: &Path) -> ExportFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("xlsx") => ExportFormat::Xlsx,
            _ => ExportFormat::Csv,
        }
    }
}

/// Writes `bytes` (a built workbook) to `path`, or to standard output for `-`.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_to(path, |w| w.write_all(bytes))
}

/// Writes through `f` to `path`, or to standard output when `path` is `-`.
pub fn write_to(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    if path.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        f(&mut w)?;
        w.flush()?;
        return Ok(());
    }
    let file = std::fs::File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
    let mut w = BufWriter::new(file);
    f(&mut w).with_context(|| format!("{}: cannot write", path.display()))?;
    w.flush().with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

/// `s` padded with spaces to `width` terminal columns, on the left (`right_align`) or right.
pub fn pad(s: &str, width: usize, right_align: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(display_width(s)));
    if right_align {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Prints the rows read, used and left out (to standard error).
pub fn report_rows(file: &str, rows_in: u64, rows_used: u64, excluded: &[ExcludedRows]) {
    eprintln!("{file}: {rows_in} rows read = {rows_used} used + {} excluded", rows_in - rows_used);
    for e in excluded {
        eprintln!("  excluded: {} × {}", e.rows, e.reason.key());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(ExportFormat::of_path(Path::new("out/rfm.xlsx")), ExportFormat::Xlsx);
        assert_eq!(ExportFormat::of_path(Path::new("RFM.XLSX")), ExportFormat::Xlsx);
        assert_eq!(ExportFormat::of_path(Path::new("rfm.csv")), ExportFormat::Csv);
        assert_eq!(ExportFormat::of_path(Path::new("xlsx")), ExportFormat::Csv);
        assert_eq!(ExportFormat::of_path(Path::new("-")), ExportFormat::Csv);
    }
}
