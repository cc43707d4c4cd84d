//! `custlens mask`: every personal column of a table masked (or replaced by
//! keyed pseudonyms), with the same detection and presets as the app, and a
//! report on standard error of what was masked as what, and why.

use super::input::{parse_maps_for, read_table};
use super::output::write_to;
use crate::engine::clean::table::TextTable;
use crate::engine::ingest::fields::{normalise_header, SourceKind};
use crate::engine::privacy::detect::{detect, DetectParams, DetectedBy, Detections, Override};
use crate::engine::privacy::mask::{mask_table, MaskPreset};
use crate::engine::privacy::pseudonym::{pseudonymize_table, PseudonymColumn, PseudonymKey, KEY_LEN};
use crate::engine::privacy::PersonalKind;
use crate::engine::report::export::write_table_csv;
use crate::i18n::Lang;
use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use std::path::{Path, PathBuf};

/// The environment variable holding the pseudonym key (hex or base64).
pub const KEY_ENV: &str = "CUSTLENS_HMAC_KEY";

/// Arguments of `custlens mask`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The table: CSV (any encoding and delimiter), JSON Lines or Excel.
    #[arg(long)]
    input: PathBuf,
    /// The masked table (CSV, UTF-8 with BOM); `-` for standard output.
    #[arg(long)]
    out: PathBuf,
    /// Masking preset: light, standard or strict.
    #[arg(long, default_value = "standard")]
    preset: String,
    /// What the table holds (for the column mapping): customers, orders, events, tickets, surveys or channels.
    #[arg(long, default_value = "customers")]
    kind: String,
    /// Column for a field, overriding the automatic mapping: field=header. Repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    maps: Vec<String>,
    /// Worksheet of an Excel file.
    #[arg(long)]
    sheet: Option<String>,
    /// Mark a column as personal data: column=kind (name, phone, id_number, email, bank_card, address). Repeatable.
    #[arg(long = "mark", value_name = "COLUMN=KIND")]
    marks: Vec<String>,
    /// Do not mask this column even if it was detected. Repeatable.
    #[arg(long = "unmark", value_name = "COLUMN")]
    unmarks: Vec<String>,
    /// Replace this column by keyed pseudonyms (p_…) instead of a mask. Repeatable.
    #[arg(long = "pseudonymize", value_name = "COLUMN")]
    pseudonymize: Vec<String>,
    /// File holding the 32-byte pseudonym key (hex, base64 or raw; see `custlens keygen`).
    /// Without it the key is read from the CUSTLENS_HMAC_KEY environment variable.
    #[arg(long = "key-file")]
    key_file: Option<PathBuf>,
}

/// Runs `custlens mask`.
pub fn run(a: Args) -> Result<()> {
    let kinds = || SourceKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>().join(", ");
    let kind = SourceKind::from_key(&a.kind).ok_or_else(|| anyhow!("--kind {}: use one of {}", a.kind, kinds()))?;
    let presets = || MaskPreset::ALL.iter().map(|p| p.key()).collect::<Vec<_>>().join(", ");
    let preset =
        MaskPreset::from_key(&a.preset).ok_or_else(|| anyhow!("--preset {}: use one of {}", a.preset, presets()))?;
    let maps = parse_maps_for(kind, &a.maps)?;
    // Read the key first: a missing key should fail before any work.
    let key = if a.pseudonymize.is_empty() { None } else { Some(load_key(a.key_file.as_deref())?) };
    let (probe, mapping, table) = read_table(&a.input, Some(kind), &maps, a.sheet.as_deref())?;
    let overrides = overrides(&table, &a.marks, &a.unmarks)?;
    let detections = detect(&table, &mapping, &DetectParams::default(), &overrides);
    let mut pseudo = Vec::new();
    for name in &a.pseudonymize {
        let column = column_index(&table, name, "--pseudonymize")?;
        pseudo.push(PseudonymColumn { column, kind: detections.kind(column) });
    }
    // Pseudonymised columns are not masked as well.
    let masked_detections = {
        let mut d = detections.clone();
        for p in &pseudo {
            d.apply(Override { column: p.column, kind: None });
        }
        d
    };
    let policy = preset.policy();
    let mut out = mask_table(&table, &masked_detections, &policy);
    if let Some(key) = &key {
        out = pseudonymize_table(&out, &pseudo, key);
    }
    write_to(&a.out, |w| write_table_csv(w, &out))?;
    report(&probe.file, &out, &detections, &pseudo, preset);
    Ok(())
}

/// Prints what was masked as what, how it was detected and what the rule still shows.
fn report(file: &str, out: &TextTable, d: &Detections, pseudo: &[PseudonymColumn], preset: MaskPreset) {
    let t = Lang::En.texts();
    let policy = preset.policy();
    let (name, _) = t.mask_preset(preset);
    eprintln!("{file}: {} rows, preset {} ({name})", out.len(), preset.key());
    let mut any = false;
    for c in &d.columns {
        let pseudonym = pseudo.iter().any(|p| p.column == c.column);
        let Some(kind) = c.kind else {
            if pseudonym {
                any = true;
                eprintln!("  {}: pseudonymised (keyed HMAC-SHA-256 tokens, values trimmed)", c.header);
            } else if c.evidence.unmarked_by_user {
                eprintln!("  {}: left as is (--unmark)", c.header);
            }
            continue;
        };
        any = true;
        let e = &c.evidence;
        let how = match e.by {
            Some(DetectedBy::Mapping(f)) => format!("mapped to {f}"),
            Some(DetectedBy::Header) => "header names a person".to_string(),
            Some(DetectedBy::Content) => "content".to_string(),
            Some(DetectedBy::User) => "--mark".to_string(),
            None => "--pseudonymize".to_string(),
        };
        let evidence = format!("{how}; {}/{} sampled cells look like {}", e.matched, e.sampled, kind.key());
        if pseudonym {
            eprintln!("  {}: {} → pseudonymised (keyed HMAC-SHA-256 tokens) [{evidence}]", c.header, kind.key());
            continue;
        }
        let rule = policy.rule(kind);
        eprintln!("  {}: {} → {} ({}) [{evidence}]", c.header, kind.key(), rule.key(), t.mask_rule(rule));
        for w in rule.warnings(kind) {
            eprintln!("    note: {}", t.privacy_text(w.key()));
        }
    }
    if !any {
        eprintln!("  no personal columns found; use --mark column=kind to mark one");
    }
}

/// `--mark column=kind` and `--unmark column` as overrides, in that order.
fn overrides(table: &TextTable, marks: &[String], unmarks: &[String]) -> Result<Vec<Override>> {
    let known = || PersonalKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    for m in marks {
        let (col, kind) =
            m.rsplit_once('=').ok_or_else(|| anyhow!("--mark {m}: expected column=kind, e.g. 手机=phone"))?;
        let kind = PersonalKind::from_key(kind)
            .ok_or_else(|| anyhow!("--mark {m}: unknown kind `{kind}` (kinds: {})", known()))?;
        out.push(Override { column: column_index(table, col, "--mark")?, kind: Some(kind) });
    }
    for u in unmarks {
        out.push(Override { column: column_index(table, u, "--unmark")?, kind: None });
    }
    Ok(out)
}

/// The index of the column called `name` (exactly, or after header normalisation).
fn column_index(table: &TextTable, name: &str, flag: &str) -> Result<usize> {
    let want = normalise_header(name);
    table
        .headers
        .iter()
        .position(|h| h == name)
        .or_else(|| table.headers.iter().position(|h| normalise_header(h) == want))
        .ok_or_else(|| anyhow!("{flag} {name}: no such column (columns: {})", table.headers.join(", ")))
}

/// The pseudonym key from `--key-file` or the environment; never from the command line.
pub fn load_key(file: Option<&Path>) -> Result<PseudonymKey> {
    if let Some(path) = file {
        let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read the key file", path.display()))?;
        return parse_key(&bytes).with_context(|| format!("{}: not a pseudonym key", path.display()));
    }
    match std::env::var(KEY_ENV) {
        Ok(v) => parse_key(v.as_bytes()).with_context(|| format!("{KEY_ENV}: not a pseudonym key")),
        Err(_) => bail!(
            "pseudonyms need a {KEY_LEN}-byte key: give --key-file FILE (make one with `custlens keygen --out FILE`) \
             or set {KEY_ENV} to 64 hex digits or base64; keys are never taken from the command line"
        ),
    }
}

/// A key as 64 hex digits, base64 of 32 bytes, or 32 raw bytes.
fn parse_key(bytes: &[u8]) -> Result<PseudonymKey> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    let decoded = text.and_then(|t| {
        if t.len() == 2 * KEY_LEN && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..KEY_LEN).map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok()).collect::<Option<Vec<u8>>>()
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(t)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t))
                .ok()
                .filter(|b| b.len() == KEY_LEN)
        }
    });
    match decoded {
        Some(k) => Ok(PseudonymKey::from_bytes(&k)?),
        None if bytes.len() == KEY_LEN => Ok(PseudonymKey::from_bytes(bytes)?),
        None => bail!("expected {KEY_LEN} bytes as 64 hex digits or base64"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_three_forms() {
        let hex = "00".repeat(31) + "ff";
        let k = parse_key(hex.as_bytes()).expect("hex");
        assert_eq!(k.as_bytes()[31], 0xff);
        let b64 = base64::engine::general_purpose::STANDARD.encode(k.as_bytes());
        assert_eq!(parse_key(format!("{b64}\n").as_bytes()).expect("base64").as_bytes(), k.as_bytes());
        assert_eq!(parse_key(&[7u8; 32]).expect("raw").as_bytes(), &[7u8; 32]);
        assert!(parse_key(b"abcd").is_err());
        assert!(parse_key("00".repeat(31).as_bytes()).is_err());
    }
}
