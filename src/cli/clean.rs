//! `custlens clean`: a table cleaned by a recipe, with every row accounted
//! for — the clean rows, the rows set aside with reasons, the change log and
//! the data-quality report.

use super::input::{parse_maps_for, read_table, require_mapped};
use super::output::{write_bytes, write_to, ExportFormat};
use crate::engine::clean::recipe::Recipe;
use crate::engine::clean::run::clean;
use crate::engine::ingest::fields::SourceKind;
use crate::engine::privacy::share;
use crate::engine::report::export::{write_changes_csv, write_set_aside_csv, write_table_csv};
use crate::engine::report::xlsx::clean_xlsx;
use crate::i18n::Lang;
use anyhow::{anyhow, bail, Context, Result};
use std::path::PathBuf;

/// Arguments of `custlens clean`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// What the table holds: customers, orders, events, tickets, surveys or channels.
    #[arg(long)]
    kind: String,
    /// The table: CSV (any encoding and delimiter), JSON Lines or Excel.
    #[arg(long)]
    input: PathBuf,
    /// A recipe (JSON, as written by --save-recipe); default: the kind's default recipe.
    #[arg(long)]
    recipe: Option<PathBuf>,
    /// Column for a field, overriding the automatic mapping: field=header. Repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER")]
    maps: Vec<String>,
    /// Worksheet of an Excel file.
    #[arg(long)]
    sheet: Option<String>,
    /// Language of reason texts: zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
    /// Also write the recipe used, to reuse or edit.
    #[arg(long = "save-recipe")]
    save_recipe: Option<PathBuf>,
    /// Output folder: clean.csv, set_aside.csv, changes.csv (or, with
    /// --format xlsx, clean.xlsx with the sheets clean, set_aside, changes) and quality.json.
    #[arg(long)]
    out: PathBuf,
    /// How personal data appears in the files.
    #[command(flatten)]
    disclosure: super::disclosure::DisclosureArgs,
    /// Format of the tables: csv (three files) or xlsx (one workbook).
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    format: ExportFormat,
}

/// Runs `custlens clean`.
pub fn run(a: Args) -> Result<()> {
    let kinds = || SourceKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>().join(", ");
    let kind = SourceKind::from_key(&a.kind).ok_or_else(|| anyhow!("--kind {}: use one of {}", a.kind, kinds()))?;
    let lang = Lang::from_key(&a.lang).ok_or_else(|| anyhow!("--lang {}: use zh-CN or en", a.lang))?;
    let maps = parse_maps_for(kind, &a.maps)?;
    let (probe, mapping, table) = read_table(&a.input, Some(kind), &maps, a.sheet.as_deref())?;
    require_mapped(&probe.file, &mapping, &table.headers, "use --map field=header")?;
    let recipe = match &a.recipe {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?;
            let recipe = Recipe::from_json(&text).map_err(|e| anyhow!("{}: {e}", p.display()))?;
            let (errors, warnings): (Vec<_>, Vec<_>) =
                recipe.check(&table.headers, &mapping).into_iter().partition(|x| x.is_error());
            for w in &warnings {
                eprintln!("warning: {}: {w}", p.display());
            }
            if !errors.is_empty() {
                let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                bail!("{}: the recipe cannot run: {}", p.display(), errors.join("; "));
            }
            recipe
        }
        None => Recipe::default_for(kind, &mapping),
    };
    let result = clean(&table, &mapping, &recipe);
    std::fs::create_dir_all(&a.out).with_context(|| format!("{}: cannot create", a.out.display()))?;
    let t = lang.texts();
    let mut d = a.disclosure.disclosure()?;
    d.scope.learn_mapping(&table.headers, &mapping);
    let (input, shown) = share::cleaned(&table, &result, &d);
    match a.format {
        ExportFormat::Csv => {
            write_to(&a.out.join("clean.csv"), |w| write_table_csv(w, &shown.clean))?;
            write_to(&a.out.join("set_aside.csv"), |w| write_set_aside_csv(w, &input, &shown.set_aside, t))?;
            write_to(&a.out.join("changes.csv"), |w| write_changes_csv(w, &shown.changes))?;
        }
        ExportFormat::Xlsx => write_bytes(&a.out.join("clean.xlsx"), &clean_xlsx(&input, &shown, t)?)?,
    }
    let json = serde_json::to_string_pretty(&result.quality)?;
    write_to(&a.out.join("quality.json"), |w| w.write_all(json.as_bytes()))?;
    if let Some(p) = &a.save_recipe {
        write_to(p, |w| w.write_all(recipe.to_json().as_bytes()))?;
    }
    let q = &result.quality;
    eprintln!(
        "{}: {} rows read = {} clean + {} set aside; {} values changed",
        probe.file,
        q.rows_in,
        q.rows_out,
        q.rows_in - q.rows_out,
        result.changes.len()
    );
    for (reason, n) in &q.set_aside {
        eprintln!("  set aside: {n} × {reason}");
    }
    Ok(())
}
