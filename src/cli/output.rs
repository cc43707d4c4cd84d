//! Writing output files (or standard output for `-`), with the path in
//! every error.

use crate::engine::analyze::rows::ExcludedRows;
use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::Path;

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

/// Columns a text takes in a terminal: 2 for CJK and full-width characters, else 1.
pub fn display_width(s: &str) -> usize {
    let wide = |c: char| {
        matches!(c, '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' | '\u{F900}'..='\u{FAFF}'
            | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}')
    };
    s.chars().map(|c| if wide(c) { 2 } else { 1 }).sum()
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
