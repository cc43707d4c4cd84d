//! Writing output files (or standard output for `-`), with the path in
//! every error.

use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::Path;

pub use crate::engine::report::width::display_width;

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
