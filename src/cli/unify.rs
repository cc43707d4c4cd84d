//! `custlens unify`: several sources cleaned with their default recipes and
//! joined into one customer table — with the identity matches, conflicts,
//! orphans and duplicate-record merges, and every row accounted for.

use super::input::{read_table, require_mapped};
use super::output::{write_bytes, write_to, ExportFormat};
use crate::engine::clean::recipe::Recipe;
use crate::engine::clean::run::{clean, Cleaned};
use crate::engine::ingest::fields::{Mapping, SourceKind};
use crate::engine::privacy::share;
use crate::engine::report::export::write_table_csv;
use crate::engine::report::xlsx::unify_xlsx;
use crate::engine::unify::identity::MergeChoice;
use crate::engine::unify::{unify, Source, UnifyOptions};
use anyhow::{anyhow, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Arguments of `custlens unify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A source table (CSV, JSON Lines or Excel); repeat for each. Its kind is guessed
    /// from the headers unless given as KIND:FILE (e.g. tickets:service.csv).
    #[arg(long = "input", value_name = "[KIND:]FILE", required = true)]
    inputs: Vec<String>,
    /// Apply duplicate-record merges: `all`, or the kept ids (comma-separated).
    #[arg(long = "accept-merges", value_name = "all|ID,ID…")]
    accept_merges: Option<String>,
    /// Undo the automatic match of this id (its rows stay orphans). Repeatable.
    #[arg(long = "undo-match", value_name = "ID")]
    undo: Vec<String>,
    /// Output folder: customers.csv, identities.csv, merges.csv (or, with
    /// --format xlsx, unify.xlsx with the sheets customers, identities, merges) and unify.json.
    #[arg(long)]
    out: PathBuf,
    /// How personal data appears in the files.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
    /// Format of the tables: csv (three files) or xlsx (one workbook).
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    format: ExportFormat,
}

/// One source read and cleaned with its kind's default recipe.
pub(super) struct Loaded {
    /// The file name.
    pub file: String,
    /// Its mapping (its kind included).
    pub mapping: Mapping,
    /// The cleaning run; `cleaned.clean` is what is unified.
    pub cleaned: Cleaned,
}

impl Loaded {
    /// Reads `path` as `kind` (guessed from the headers when `None`) and cleans it by the default recipe.
    pub fn read(path: &Path, kind: Option<SourceKind>) -> Result<Loaded> {
        let (probe, mapping, table) = read_table(path, kind, &[], None)?;
        require_mapped(&probe.file, &mapping, &table.headers, "name the kind as KIND:FILE or fix the headers")?;
        let cleaned = clean(&table, &mapping, &Recipe::default_for(mapping.kind, &mapping));
        Ok(Loaded { file: probe.file, mapping, cleaned })
    }

    /// The cleaned table as a source to unify.
    pub fn source(&self) -> Source<'_> {
        Source { file: &self.file, mapping: &self.mapping, table: &self.cleaned.clean }
    }
}

fn parse_input(spec: &str) -> Result<(Option<SourceKind>, PathBuf)> {
    if let Some((k, f)) = spec.split_once(':') {
        if let Some(kind) = SourceKind::from_key(k) {
            return Ok((Some(kind), PathBuf::from(f)));
        }
    }
    Ok((None, PathBuf::from(spec)))
}

/// Runs `custlens unify`.
pub fn run(a: Args) -> Result<()> {
    let mut loaded = Vec::new();
    for spec in &a.inputs {
        let (kind, path) = parse_input(spec)?;
        loaded.push(Loaded::read(&path, kind)?);
    }
    if !loaded.iter().any(|l| l.mapping.kind == SourceKind::Customers) {
        eprintln!("note: no customers (CRM) table among the inputs: every customer is an orphan");
    }
    let merges = match a.accept_merges.as_deref() {
        None => MergeChoice::None,
        Some("all") => MergeChoice::All,
        Some(list) => MergeChoice::Listed { keep: list.split(',').map(|s| s.trim().to_string()).collect() },
    };
    let opts = UnifyOptions { merges, undone: a.undo.iter().cloned().collect::<BTreeSet<_>>() };
    let sources: Vec<Source<'_>> = loaded.iter().map(Loaded::source).collect();
    let u = unify(&sources, &opts);
    std::fs::create_dir_all(&a.out).map_err(|e| anyhow!("{}: cannot create: {e}", a.out.display()))?;
    let mut d = a.disclosure.disclosure()?;
    for l in &loaded {
        let s = l.source();
        d.scope.learn_mapping(&s.table.headers, s.mapping);
    }
    match a.format {
        ExportFormat::Csv => {
            write_to(&a.out.join("customers.csv"), |w| write_table_csv(w, &share::table(&u.customer_table(), &d)))?;
            write_to(&a.out.join("identities.csv"), |w| write_table_csv(w, &share::table(&u.identity_table(), &d)))?;
            write_to(&a.out.join("merges.csv"), |w| write_table_csv(w, &share::table(&u.merge_table(), &d)))?;
        }
        ExportFormat::Xlsx => write_bytes(&a.out.join("unify.xlsx"), &unify_xlsx(&u, &d)?)?,
    }
    let quality: Vec<_> = loaded
        .iter()
        .map(|l| serde_json::json!({"file": l.file, "kind": l.mapping.kind.key(), "quality": l.cleaned.quality}))
        .collect();
    let report = serde_json::json!({
        "summary": u.summary,
        "sources": u.sources,
        "cleaning": quality,
    });
    let json = serde_json::to_string_pretty(&report)?;
    write_to(&a.out.join("unify.json"), |w| w.write_all(json.as_bytes()))?;
    let s = &u.summary;
    eprintln!(
        "{} customers ({} in the CRM, {} orphans); {} ids matched by phone/e-mail/credit code, {} conflicts; {} duplicate records proposed, {} merged",
        s.customers, s.in_crm, s.orphans, s.matched_ids, s.conflicts, s.merges_proposed, s.merges_applied
    );
    for l in &u.sources {
        eprintln!(
            "  {} ({}): {} rows = {} by id + {} matched + {} orphan",
            l.file,
            l.kind.key(),
            l.rows,
            l.direct,
            l.matched,
            l.orphan + l.no_id
        );
    }
    Ok(())
}
