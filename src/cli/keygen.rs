//! `custlens keygen`: a new random 32-byte pseudonym key, written as hex to a
//! file only its owner can read.

use crate::engine::privacy::pseudonym::KEY_LEN;
use anyhow::{anyhow, Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `custlens keygen`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The key file to create (refuses to overwrite an existing file).
    #[arg(long)]
    out: PathBuf,
}

/// Fresh bytes from the operating system's random source.
pub fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| anyhow!("no randomness from the operating system: {e}"))?;
    Ok(b)
}

/// Runs `custlens keygen`.
pub fn run(a: Args) -> Result<()> {
    let key = zeroize::Zeroizing::new(random::<KEY_LEN>()?);
    let hex = zeroize::Zeroizing::new(key.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&a.out).with_context(|| format!("{}: cannot create the key file", a.out.display()))?;
    f.write_all(hex.as_bytes())
        .and_then(|()| f.write_all(b"\n"))
        .with_context(|| format!("{}: cannot write", a.out.display()))?;
    eprintln!(
        "{}: new {KEY_LEN}-byte pseudonym key (hex). Keep it secret and keep a copy: the same key gives the same tokens.",
        a.out.display()
    );
    Ok(())
}
