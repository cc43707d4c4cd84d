//! Shared helpers: fixture paths, running the CLI, reading its CSV output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixture in tests/data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// Runs the `custlens` binary.
pub fn custlens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custlens")).args(args).output().expect("run custlens")
}

/// A fresh temporary directory.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Rows of a UTF-8 CSV (BOM allowed), header included.
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).expect("read csv");
    let text = String::from_utf8(bytes).expect("utf-8");
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    r.records().map(|x| x.expect("record").iter().map(str::to_string).collect()).collect()
}

/// The Python that runs the reference implementations: `$CUSTLENS_REFERENCE_PYTHON`
/// (required when set — CI sets it), else `python3` if it can import `modules`
/// (e.g. "pandas, numpy"); `None` means the reference checks are skipped.
pub fn reference_python(modules: &str) -> Option<String> {
    if let Ok(p) = std::env::var("CUSTLENS_REFERENCE_PYTHON") {
        return Some(p);
    }
    let ok =
        Command::new("python3").args(["-c", &format!("import {modules}")]).output().is_ok_and(|o| o.status.success());
    ok.then(|| "python3".to_string())
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
