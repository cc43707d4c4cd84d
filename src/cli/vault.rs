//! `custlens vault seal|open`: a file encrypted under a passphrase in the
//! workspace format the app uses (AES-256-GCM, Argon2id or PBKDF2). The
//! passphrase comes from a file or the environment, never from the command line.

use super::keygen::random;
use super::output::write_to;
use crate::engine::privacy::vault::{self, KdfParams, NONCE_LEN, SALT_LEN};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The environment variable holding the passphrase.
pub const PASSPHRASE_ENV: &str = "CUSTLENS_PASSPHRASE";

/// Arguments of `custlens vault`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Encrypt a file into a workspace container.
    Seal(Files),
    /// Decrypt a workspace container.
    Open(Files),
}

#[derive(clap::Args, Debug)]
struct Files {
    /// The file to read.
    #[arg(long = "in")]
    input: PathBuf,
    /// The file to write; `-` for standard output.
    #[arg(long)]
    out: PathBuf,
    /// File whose content (first line) is the passphrase; default: the CUSTLENS_PASSPHRASE environment variable.
    #[arg(long = "passphrase-file")]
    passphrase_file: Option<PathBuf>,
    /// Key derivation when sealing: argon2id (19 MiB, 2 passes) or pbkdf2 (600 000 × SHA-256).
    #[arg(long, default_value = "argon2id")]
    kdf: String,
}

/// Runs `custlens vault`.
pub fn run(a: Args) -> Result<()> {
    match a.action {
        Action::Seal(f) => {
            let params = match f.kdf.as_str() {
                "argon2id" => KdfParams::ARGON2ID_OWASP,
                "pbkdf2" => KdfParams::PBKDF2_OWASP,
                k => bail!("--kdf {k}: use argon2id or pbkdf2"),
            };
            let pass = passphrase(f.passphrase_file.as_deref())?;
            let plain = Zeroizing::new(read(&f.input)?);
            let sealed = vault::seal(&plain, &pass, random::<SALT_LEN>()?, random::<NONCE_LEN>()?, params)?;
            write_to(&f.out, |w| w.write_all(&sealed))?;
            eprintln!("{}: sealed {} bytes into {}", f.input.display(), plain.len(), f.out.display());
        }
        Action::Open(f) => {
            let pass = passphrase(f.passphrase_file.as_deref())?;
            let bytes = read(&f.input)?;
            let plain = Zeroizing::new(vault::open(&bytes, &pass).with_context(|| f.input.display().to_string())?);
            write_to(&f.out, |w| w.write_all(&plain))?;
            eprintln!("{}: opened, {} bytes written to {}", f.input.display(), plain.len(), f.out.display());
        }
    }
    Ok(())
}

fn read(p: &Path) -> Result<Vec<u8>> {
    std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))
}

/// The passphrase: the first line of `file`, or the environment variable.
fn passphrase(file: Option<&Path>) -> Result<Zeroizing<Vec<u8>>> {
    let raw = match file {
        Some(p) => Zeroizing::new(std::fs::read(p).with_context(|| format!("{}: cannot read the passphrase file", p.display()))?),
        None => match std::env::var_os(PASSPHRASE_ENV) {
            Some(v) => Zeroizing::new(v.into_encoded_bytes()),
            None => bail!(
                "a passphrase is needed: give --passphrase-file FILE or set {PASSPHRASE_ENV}; passphrases are never taken from the command line"
            ),
        },
    };
    let line = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        bail!("the passphrase is empty");
    }
    Ok(Zeroizing::new(line.to_vec()))
}
