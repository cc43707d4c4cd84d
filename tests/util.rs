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

/// Runs `custlens` and fails the test with its message unless it succeeds.
pub fn ok(args: &[&str]) -> Output {
    let o = custlens(args);
    assert!(o.status.success(), "custlens {args:?}: {}", stderr(&o));
    o
}

/// The sample tables (3 000 customers, seed 11) written to a directory, with
/// some of them cleaned as the page cleans them (`--unmasked`).
pub struct Sample {
    dir: PathBuf,
}

impl Sample {
    /// Writes the sample to `dir` and cleans the tables of `kinds` into `clean_<kind>/`.
    pub fn new(dir: &Path, kinds: &[&str]) -> Sample {
        let d = dir.to_str().unwrap_or("");
        ok(&["sample", "--customers", "3000", "--seed", "11", "--dir", d]);
        let s = Sample { dir: dir.to_path_buf() };
        for k in kinds {
            let (input, out) = (s.raw(k), dir.join(format!("clean_{k}")));
            ok(&["clean", "--kind", k, "--input", path_str(&input), "--out", path_str(&out), "--unmasked"]);
        }
        s
    }

    /// The sample table of `kind` as written (`sample_<kind>.csv`).
    pub fn raw(&self, kind: &str) -> PathBuf {
        self.dir.join(format!("sample_{kind}.csv"))
    }

    /// Joins the sample tables of `kinds` into one customer view (`custlens unify --unmasked`)
    /// written to `unified/`; that directory.
    pub fn unify(&self, kinds: &[&str]) -> PathBuf {
        let out = self.dir.join("unified");
        let inputs: Vec<PathBuf> = kinds.iter().map(|k| self.raw(k)).collect();
        let mut args = vec!["unify"];
        for input in &inputs {
            args.extend(["--input", path_str(input)]);
        }
        args.extend(["--out", path_str(&out), "--unmasked"]);
        ok(&args);
        out
    }

    /// The cleaned table of `kind` (cleaned by [`Sample::new`]).
    pub fn clean(&self, kind: &str) -> PathBuf {
        self.dir.join(format!("clean_{kind}")).join("clean.csv")
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap_or("")
}
