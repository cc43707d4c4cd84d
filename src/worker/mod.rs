//! The Web Worker: answers the page's [`Request`]s with the engine. Files
//! are read synchronously in big blocks (`FileReaderSync`), so a range of a
//! huge file streams through without ever being one JS string. Each worker
//! keeps the columns of the chunk it read; worker 0 also merges the chunks
//! and keeps the customers for re-scoring and export.

mod analyses;
mod blob;
mod members;

use crate::engine::analyze::crosstab::{crosstab, CrosstabParams};
use crate::engine::analyze::customers::{merge, ChunkAggregate, Customers, Merged};
use crate::engine::analyze::distinct::Bitset;
use crate::engine::analyze::filter::SourceFilter;
use crate::engine::analyze::migration::{migration_with_members, Migration, MigrationMembers};
use crate::engine::analyze::pareto::{pareto, Pareto, ParetoParams};
use crate::engine::analyze::rfm::{rfm, RfmParams, RfmResult};
use crate::engine::clean::incremental::Cleaner;
use crate::engine::clean::recipe::Recipe;
use crate::engine::clean::run::{clean, Cleaned, FLAGS_COLUMN};
use crate::engine::clean::table::TextTable;
use crate::engine::codec::{from_bytes, to_bytes};
use crate::engine::date::Day;
use crate::engine::error::{AnalysisError, EngineError, IngestError};
use crate::engine::ingest::chunk::ByteRange;
use crate::engine::ingest::detect::{detect_format, Format};
use crate::engine::ingest::fields::{auto_map, Mapping, SourceKind};
use crate::engine::ingest::orders::{OrderColumns, OrdersChunk};
use crate::engine::ingest::probe::{probe_excel, probe_text_with, Probe, PROBE_BYTES};
use crate::engine::pipeline::{
    check_rows, check_table_fits, read_excel, read_in_memory, read_text_range, read_text_table, WASM_TABLE_LIMIT,
};
use crate::engine::privacy::mask::MaskPreset;
use crate::engine::privacy::pseudonym::{PseudonymKey, KEY_LEN};
use crate::engine::privacy::roles::{Role, Visibility};
use crate::engine::privacy::scope::Scope;
use crate::engine::privacy::share::{self, Disclosure, Masking, PersonalMarks};
use crate::engine::privacy::small_cell::{protect_table, GroupColumns, SmallCellParams};
use crate::engine::privacy::vault::{KdfParams, NONCE_LEN, SALT_LEN};
use crate::engine::privacy::PersonalKind;
use crate::engine::report::export::{
    segments_table, write_changes_csv, write_migration_csv, write_pareto_csv, write_rejects_csv, write_rfm_csv,
    write_set_aside_csv, write_table_csv,
};
use crate::engine::report::xlsx::{clean_xlsx, unify_xlsx};
use crate::engine::sample::{all_tables, channel_tables, orders_csv, SampleSpec};
use crate::engine::unify::identity::{MergeChoice, MergeProposal};
use crate::engine::unify::{unify, IdentityConflict, IdentityMatch, Orphan, Source, Unified, UnifyOptions};
use crate::engine::workspace::{RfmSettings, Workspace, WorkspaceError, WorkspaceFile};
use crate::envelope::Envelope;
use crate::protocol::{
    CleanFile, CleanView, ColumnMark, KeyList, MarkChoice, Request, Response, RfmView, SourceSchema, SourceView,
    UnifyChange, UnifyFile, UnifyView, VIEW_LIST_MAX, VIEW_PREVIEW_ROWS,
};
use blob::BlobReader;
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

#[derive(Default)]
struct State {
    /// The chunk this worker read last (its columns stay for later questions).
    chunk: Option<OrdersChunk>,
    /// Worker 0: chunks merged, waiting for the keys on their shared bits,
    /// and the milliseconds spent decoding and merging them.
    pending: Option<(Merged, f64, f64)>,
    /// Worker 0: the merged customers.
    customers: Option<Customers>,
    /// Worker 0: the current RFM result.
    result: Option<RfmResult>,
    /// Worker 0: the last cleaning run (input, result, recipe).
    cleaned: Option<(TextTable, Cleaned, Recipe)>,
    /// Worker 0: which file `cleaned` read.
    clean_input: Option<CleanInput>,
    /// Worker 0: the headers and mapping of the last file cleaned (which field each column feeds).
    clean_mapping: Option<(Vec<String>, Mapping)>,
    /// Worker 0: the cleaning card's runs (keeps the standardised values between recipe edits).
    cleaner: Cleaner,
    /// Worker 0: the user's recipes by kind, for the sources (else each kind's default).
    recipes: HashMap<SourceKind, String>,
    /// Worker 0: the sources of the customer view, cleaned.
    sources: Vec<KeptSource>,
    /// Worker 0: the last unified view.
    unified: Option<Unified>,
    /// Worker 0: the Pareto analysis of `customers`.
    pareto: Option<Pareto>,
    /// Worker 0: the identity decisions (merges confirmed, matches undone).
    unify_opts: UnifyOptions,
    /// How personal data is shown and exported (masked unless raw was chosen).
    disclosure: Disclosure,
    /// The masking preset chosen (kept with a saved workspace).
    mask_preset: MaskPreset,
    /// Whether raw values are shown (a role allowed to chose it).
    raw: bool,
    /// The user's personal-data marks (kept with a saved workspace).
    marks: PersonalMarks,
    /// The role the page is viewed as.
    role: Role,
    /// What each role sees (kept with a saved workspace).
    visibility: Visibility,
    /// Small groups in exported reports (kept with a saved workspace).
    small_cells: Option<SmallCellParams>,
    /// The workspace's pseudonym key: drawn from the CSPRNG when first
    /// needed, kept only in memory and sealed in a saved workspace.
    pseudonym_key: Option<PseudonymKey>,
    /// Worker 0: which rows of the sources the analyses read.
    filter: SourceFilter,
    /// Worker 0: the last result of each time-based analysis of `sources`.
    analyses: analyses::Kept,
    /// Worker 0: the orders file read whole for migrations (file name, size, its chunk).
    migration_orders: Option<(String, u64, OrdersChunk)>,
    /// Worker 0: the last migration, and who is in each of its cells.
    migration: Option<(Migration, MigrationMembers)>,
}

/// A source kept for the customer view.
struct KeptSource {
    file: String,
    mapping: Mapping,
    cleaned: Cleaned,
    /// The file itself (a handle: its bytes are read again to save or re-read it).
    blob: Blob,
    probe: Probe,
}

/// The sources kept, as the analyses read them (their cleaned tables).
fn kept_sources(sources: &[KeptSource]) -> Vec<Source<'_>> {
    sources.iter().map(|k| Source { file: &k.file, mapping: &k.mapping, table: &k.cleaned.clean }).collect()
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    /// Time the last read spent waiting for file bytes.
    static IO_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// A response and the bytes attached to it.
type Answer = Result<(Response, Option<Vec<u8>>), EngineError>;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends a response with optional attached bytes (transferred).
fn reply(resp: Response, bytes: Option<Vec<u8>>) {
    let parts = bytes.map(|b| vec![Uint8Array::from(b.as_slice())]).unwrap_or_default();
    let (msg, transfer) = Envelope::new(resp).with_parts(parts).to_js();
    let _ = scope().post_message_with_transfer(&msg, &transfer);
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    console_error_panic_hook::set_once();
    let handler =
        Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| match Envelope::<Request>::from_js(&e.data()) {
            Ok(env) => handle(env),
            Err(msg) => reply(Response::Failed(read_error("message", &msg)), None),
        });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    warm_up();
    reply(Response::Ready, None);
}

/// Runs the engine once on a small sample before the first real request.
///
/// Browsers start WebAssembly in a quick baseline compiler and switch a
/// function to optimised code only for later calls, never in the middle of
/// one. The real work is a few long calls (read, merge, score), so without
/// this they would run unoptimised from start to end.
fn warm_up() {
    let bytes = orders_csv(SampleSpec { customers: 3_000, seed: 1 });
    for _ in 0..3 {
        if let Ok((_, customers)) = read_in_memory("warm-up.csv", &bytes, 2) {
            let _ = rfm(&customers, RfmParams::default());
        }
    }
}

fn read_error(file: &str, message: &str) -> EngineError {
    IngestError::Read { file: file.to_string(), message: message.to_string() }.into()
}

/// Milliseconds since an arbitrary origin (for phase timings).
fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn handle(env: Envelope<Request>) {
    let file = env.file;
    let parts = env.parts;
    let outcome: Answer = match env.body {
        Request::Probe { sheet } => with_file(file, |f| probe(f, sheet.as_deref())).map(|mut p| {
            STATE.with(|s| share::probe(&mut p, &s.borrow().disclosure));
            (Response::Probe(p), None)
        }),
        Request::SetAudience { role, visibility, small_cells } => STATE.with(|s| {
            let mut s = s.borrow_mut();
            s.role = role;
            s.visibility = visibility;
            s.small_cells = small_cells;
            s.disclose();
            let views = s.sources.iter().map(|k| source_view(k, &s.disclosure)).collect();
            Ok((Response::Sources(views), None))
        }),
        Request::SetMasking { preset, raw } => {
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.mask_preset = preset;
                s.raw = raw;
                s.disclose();
            });
            Ok((Response::Done, None))
        }
        Request::Sample { customers, seed } => {
            let bytes = orders_csv(SampleSpec { customers: customers as usize, seed });
            Ok((Response::File { name: "sample_orders.csv".into() }, Some(bytes)))
        }
        Request::Read { probe, cols, range } => with_file(file, |f| read(f, &probe, cols, range)),
        Request::Merge { probe, params } => merge_parts(&probe, &parts, params),
        Request::KeysOn => keys_on(&parts),
        Request::Settle { probe, params } => settle(&probe, &parts, params),
        Request::Rescore { params } => rescore(params).map(|v| (Response::Rfm(Box::new(v)), None)),
        Request::ExportCustomers { lang } => allowed(&[SourceKind::Orders]).and_then(|()| {
            export(|s, w| {
                let (Some(c), Some(r)) = (&s.customers, &s.result) else { return Ok(None) };
                write_rfm_csv(w, &share::ids(&c.ids, &s.disclosure), r, lang.texts())?;
                Ok(Some(format!("custlens_rfm_{}.csv", r.snapshot)))
            })
        }),
        Request::ExportRejects { lang } => export(|s, w| {
            let Some(c) = &s.customers else { return Ok(None) };
            write_rejects_csv(w, &share::rejects(&c.rejects, &s.disclosure), lang.texts())?;
            Ok(Some("custlens_rows_set_aside.csv".to_string()))
        }),
        Request::Clean { probe, kind, mapping, recipe_json } => {
            with_file(file, |f| clean_file(f, &probe, kind, &mapping, recipe_json.as_deref()))
        }
        Request::SetRecipe { kind, recipe_json } => set_recipe(kind, recipe_json),
        Request::SampleAll { customers, seed } => {
            let spec = SampleSpec { customers: customers as usize, seed };
            let tables: Vec<_> = all_tables(spec).into_iter().chain(channel_tables(spec)).collect();
            let names = tables.iter().map(|t| t.0.to_string()).collect();
            let sizes = tables.iter().map(|t| t.1.len() as u64).collect();
            Ok((Response::Files { names, sizes }, Some(tables.into_iter().flat_map(|t| t.1).collect())))
        }
        Request::AddSource { probe, kind } => with_file(file, |f| add_source(f, &probe, kind)),
        Request::RemoveSource { file } => {
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.sources.retain(|k| k.file != file);
                s.unified = None;
                analyses::forget(&mut s);
            });
            Ok((Response::Done, None))
        }
        Request::Unify { change } => unify_sources(change),
        Request::SetSourceKind { file, kind } => set_source_kind(&file, kind),
        Request::SetSourceMapping { file, mapping } => set_source_mapping(&file, mapping),
        Request::Schema => Ok((Response::Schema(schema()), None)),
        Request::SetMark { header, mark } => STATE.with(|s| {
            let mut s = s.borrow_mut();
            match mark {
                MarkChoice::Detected => s.marks.clear(&header),
                MarkChoice::NotPersonal => s.marks.set(&header, None),
                MarkChoice::Personal(k) => s.marks.set(&header, Some(k)),
            }
            s.disclose();
            s.unified = None;
            analyses::forget(&mut s);
            Ok((Response::Done, None))
        }),
        Request::SaveWorkspace { passphrase, tags_json, rfm } => save_workspace(&passphrase, tags_json, rfm),
        Request::OpenWorkspace { passphrase } => with_file(file, |f| open_workspace(f, &passphrase)),
        Request::Pareto => STATE.with(|s| {
            let mut s = s.borrow_mut();
            s.for_role(&[SourceKind::Orders])?;
            let Some(c) = &s.customers else { return Err(AnalysisError::NoData.into()) };
            let p = pareto(&c.spends(), ParetoParams::default())?;
            s.pareto = Some(p.clone());
            Ok((Response::Pareto(Box::new(p)), None))
        }),
        Request::ExportPareto => allowed(&[SourceKind::Orders]).and_then(|()| {
            export(|s, w| {
                let (Some(c), Some(p)) = (&s.customers, &s.pareto) else { return Ok(None) };
                write_pareto_csv(w, &share::ids(&c.ids, &s.disclosure), p)?;
                Ok(Some("custlens_pareto.csv".to_string()))
            })
        }),
        Request::Crosstab { params_json } => STATE.with(|s| {
            let s = s.borrow();
            let Some(u) = &s.unified else { return Err(AnalysisError::NoData.into()) };
            let params: CrosstabParams = serde_json::from_str(&params_json).unwrap_or_default();
            // The customers of the tag or segment chosen as a filter, else everyone.
            let mut table = u.customer_table();
            if let Some(ids) = &s.filter.customers {
                let rows: Vec<usize> = (0..table.len()).filter(|&r| ids.contains(table.cell(r, 0))).collect();
                table = table.select_rows(&rows);
            }
            let x = crosstab(&share::table(&table, &s.disclosure), &params)?;
            Ok((Response::Crosstab { json: serde_json::to_string(&x).unwrap_or_default() }, None))
        }),
        Request::SetFilter { filter } => STATE.with(|s| analyses::set_filter(&mut s.borrow_mut(), &filter)),
        Request::Analysis { which, params_json } => allowed(which.needs())
            .and_then(|()| STATE.with(|s| analyses::run(&mut s.borrow_mut(), which, &params_json))),
        Request::ExportAnalysis { what, xlsx, lang } => {
            allowed(what.analysis().needs()).and_then(|()| export(|s, w| analyses::export(s, what, xlsx, lang, w)))
        }
        Request::ExportUnify { what } => export(|s, w| {
            let Some(u) = &s.unified else { return Ok(None) };
            match what {
                UnifyFile::Customers => write_table_csv(w, &share::table(&u.customer_table(), &s.disclosure))?,
                UnifyFile::Identities => write_table_csv(w, &share::table(&u.identity_table(), &s.disclosure))?,
                UnifyFile::Merges => write_table_csv(w, &share::table(&u.merge_table(), &s.disclosure))?,
                UnifyFile::Workbook => w.write_all(&unify_xlsx(u, &s.disclosure).map_err(std::io::Error::other)?)?,
                UnifyFile::Report => {
                    let report = serde_json::json!({ "summary": u.summary, "sources": u.sources });
                    w.write_all(serde_json::to_string_pretty(&report).unwrap_or_default().as_bytes())?
                }
            }
            Ok(Some(format!("custlens_{}", what.name())))
        }),
        Request::Members { of, lang } => members::view(of, lang),
        Request::ExportMembers { of, lang } => members::export(of, lang),
        Request::MembersTag { of, name, dimension, level } => members::tag(of, &name, dimension, level),
        Request::ExportSegments { lang, actions } => allowed(&[SourceKind::Orders]).and_then(|()| {
            export(|s, w| {
                let Some(r) = &s.result else { return Ok(None) };
                let table = segments_table(r, &actions, lang.texts());
                // A shared report: small segments suppressed or merged when asked.
                let table = match &s.disclosure.scope.small_cells {
                    Some(p) => {
                        let cols = GroupColumns { label: 0, customers: 1, sums: vec![], within: None };
                        protect_table(&table, &cols, p, lang.texts().privacy_text("small_cell_other"))
                    }
                    None => table,
                };
                write_table_csv(w, &table)?;
                Ok(Some(format!("custlens_segments_{}.csv", r.snapshot)))
            })
        }),
        Request::Migrate { probe, params, from, to } => {
            allowed(&[SourceKind::Orders]).and_then(|()| with_file(file, |b| migrate(b, &probe, &params, from, to)))
        }
        Request::ExportMigration { lang } => allowed(&[SourceKind::Orders]).and_then(|()| {
            export(|s, w| {
                let Some((m, _)) = &s.migration else { return Ok(None) };
                write_migration_csv(w, m, lang.texts())?;
                Ok(Some(format!("custlens_migration_{}_{}.csv", m.from, m.to)))
            })
        }),
        Request::ExportClean { what, lang } => export(|s, w| {
            let Some((input, result, recipe)) = &s.cleaned else { return Ok(None) };
            let (input, shown) = share::cleaned(input, result, &s.disclosure);
            match what {
                CleanFile::Clean => write_table_csv(w, &shown.clean)?,
                CleanFile::SetAside => write_set_aside_csv(w, &input, &shown.set_aside, lang.texts())?,
                CleanFile::Changes => write_changes_csv(w, &shown.changes)?,
                CleanFile::Workbook => {
                    w.write_all(&clean_xlsx(&input, &shown, lang.texts()).map_err(std::io::Error::other)?)?
                }
                CleanFile::Quality => {
                    w.write_all(serde_json::to_string_pretty(&result.quality).unwrap_or_default().as_bytes())?
                }
                CleanFile::Recipe => w.write_all(recipe.to_json().as_bytes())?,
            }
            Ok(Some(what.name().to_string()))
        }),
    };
    match outcome {
        Ok((resp, bytes)) => reply(resp, bytes),
        Err(e) => reply(Response::Failed(e), None),
    }
}

/// Fails unless the role the page is viewed as may see an analysis of `kinds`.
fn allowed(kinds: &[SourceKind]) -> Result<(), EngineError> {
    STATE.with(|s| s.borrow().for_role(kinds))
}

fn with_file<T>(file: Option<Blob>, f: impl FnOnce(&Blob) -> Result<T, EngineError>) -> Result<T, EngineError> {
    match file {
        Some(b) => f(&b),
        None => Err(read_error("?", "no file was attached to the request")),
    }
}

fn file_name(b: &Blob) -> String {
    b.dyn_ref::<web_sys::File>().map_or_else(|| "data".to_string(), |f| f.name())
}

fn probe(b: &Blob, sheet: Option<&str>) -> Result<Probe, EngineError> {
    let name = file_name(b);
    let size = b.size() as u64;
    let mut reader = BlobReader::new(b, 0, size, &name)?;
    let head = reader.read_head(PROBE_BYTES)?;
    match detect_format(&head, &name) {
        Format::Xlsx | Format::Xls => {
            let bytes = BlobReader::new(b, 0, size, &name)?.read_all()?;
            Ok(probe_excel(&name, bytes, sheet)?.0)
        }
        // A header longer than the head: read more (see `probe_text_with`).
        Format::Csv | Format::JsonLines => Ok(probe_text_with(&name, size, |n| {
            if n <= head.len() {
                return Ok(head[..n].to_vec());
            }
            BlobReader::new(b, 0, size, &name).and_then(|mut r| r.read_head(n)).map_err(|e| match e {
                EngineError::Ingest(i) => i,
                other => IngestError::Read { file: name.clone(), message: other.to_string() },
            })
        })?),
    }
}

/// Reads a range (or the whole file), keeps the chunk and answers with its aggregate.
fn read(b: &Blob, probe: &Probe, cols: OrderColumns, range: Option<ByteRange>) -> Answer {
    STATE.with(|s| s.borrow_mut().chunk = None); // free the last file's columns first
    let t0 = now_ms();
    let chunk = read_chunk(b, probe, cols, range)?;
    let t1 = now_ms();
    let agg = ChunkAggregate::of(&chunk);
    let bytes = to_bytes(&agg);
    STATE.with(|s| s.borrow_mut().chunk = Some(chunk));
    let resp = Response::Chunk {
        ended_in_quote: agg.ended_in_quote,
        read_ms: t1 - t0,
        io_ms: IO_MS.with(|m| m.get()),
        encode_ms: now_ms() - t1,
    };
    Ok((resp, Some(bytes)))
}

fn read_chunk(
    b: &Blob,
    probe: &Probe,
    cols: OrderColumns,
    range: Option<ByteRange>,
) -> Result<OrdersChunk, EngineError> {
    let name = file_name(b);
    let size = b.size() as u64;
    if matches!(probe.format, Format::Xlsx | Format::Xls) {
        let bytes = BlobReader::new(b, 0, size, &name)?.read_all()?;
        let (_, src) = probe_excel(&name, bytes, probe.sheet.as_deref())?;
        return Ok(read_excel(src, probe, cols)?);
    }
    let range = range.unwrap_or(ByteRange { start: 0, end: size });
    let mut reader = BlobReader::new(b, range.start.saturating_sub(1), size, &name)?;
    let mut last_post = 0u64;
    let mut progress = |done: u64| {
        if done >= last_post + (4 << 20) || done == 0 {
            last_post = done;
            reply(Response::Progress { done }, None);
        }
    };
    let chunk = read_text_range(&mut reader, probe, cols, range, &mut progress)?;
    IO_MS.with(|m| m.set(reader.read_ms));
    Ok(chunk)
}

fn decode<T: serde::de::DeserializeOwned>(file: &str, p: &Uint8Array) -> Result<T, EngineError> {
    from_bytes(&p.to_vec()).map_err(|m| read_error(file, &m))
}

/// Reads a whole file as a table of text cells.
fn read_table(b: &Blob, probe: &Probe) -> Result<TextTable, EngineError> {
    let name = file_name(b);
    let size = b.size() as u64;
    let table = if matches!(probe.format, Format::Xlsx | Format::Xls) {
        let bytes = BlobReader::new(b, 0, size, &name)?.read_all()?;
        let (_, mut src) = probe_excel(&name, bytes, probe.sheet.as_deref())?;
        src.rewind();
        TextTable::read(&mut src, &name)?
    } else {
        // The table is held whole: refuse up front what would not fit in the tab's memory.
        check_table_fits(probe, WASM_TABLE_LIMIT)?;
        read_text_table(BlobReader::new(b, 0, size, &name)?, probe)?
    };
    if table.is_empty() {
        return Err(IngestError::NoRows { file: name }.into());
    }
    Ok(table)
}

impl State {
    /// Sets the disclosure from the preset, the raw choice, the marks and
    /// what the role sees.
    fn disclose(&mut self) {
        let marks = self.marks.through_mappings(self.sources.iter().map(|k| (k.probe.headers.as_slice(), &k.mapping)));
        let raw = self.raw && self.role.may_show_raw();
        let masking = if raw { Masking::Raw } else { Masking::Masked { policy: self.mask_preset.policy(), marks } };
        let access = self.visibility.of(self.role);
        if access.uses_pseudonyms() && self.pseudonym_key.is_none() {
            let mut bytes = zeroize::Zeroizing::new([0u8; KEY_LEN]);
            // Without a key, pseudonymised columns are left out (never shown as they are).
            if random_bytes(&mut bytes[..]).is_ok() {
                self.pseudonym_key = PseudonymKey::from_bytes(&bytes[..]).ok();
            }
        }
        let mut scope =
            Scope { access, key: self.pseudonym_key.clone(), small_cells: self.small_cells, ..Scope::everything() };
        for k in &self.sources {
            scope.learn_mapping(&k.probe.headers, &k.mapping);
        }
        if let Some((headers, mapping)) = &self.clean_mapping {
            scope.learn_mapping(headers, mapping);
        }
        self.disclosure = Disclosure { masking, scope };
    }

    /// Fails unless the role may see what an analysis of `kinds` reads.
    pub(super) fn for_role(&self, kinds: &[SourceKind]) -> Result<(), EngineError> {
        if self.disclosure.scope.access.may_analyse(kinds) {
            Ok(())
        } else {
            Err(AnalysisError::NotForRole { role: self.role }.into())
        }
    }
}

/// Worker 0: the personal columns of every source, as detection and the user's marks have them.
fn schema() -> Vec<SourceSchema> {
    STATE.with(|s| {
        let s = s.borrow();
        s.sources
            .iter()
            .map(|k| {
                let d = share::detect_personal(&k.cleaned.clean, &s.marks);
                let columns = d
                    .columns
                    .into_iter()
                    .filter(|c| c.header != FLAGS_COLUMN)
                    .map(|c| ColumnMark {
                        mark: match s.marks.get(&c.header) {
                            None => MarkChoice::Detected,
                            Some(None) => MarkChoice::NotPersonal,
                            Some(Some(k)) => MarkChoice::Personal(k),
                        },
                        share: c.evidence.share(),
                        sampled: c.evidence.sampled,
                        by: c.evidence.by,
                        kind: c.kind,
                        header: c.header,
                    })
                    .collect();
                SourceSchema { file: k.file.clone(), columns }
            })
            .collect()
    })
}

/// Worker 0: reads, cleans and keeps a source of the customer view.
fn add_source(b: &Blob, probe: &Probe, kind: SourceKind) -> Answer {
    let recipes = STATE.with(|s| s.borrow().recipes.clone());
    let kept = prepare_source(b, probe, kind, &recipes)?;
    Ok((Response::SourceAdded(Box::new(keep_source(kept))), None))
}

/// Reads a file as a table of `kind` and cleans it with the kind's default recipe.
fn prepare_source(
    b: &Blob,
    probe: &Probe,
    kind: SourceKind,
    recipes: &HashMap<SourceKind, String>,
) -> Result<KeptSource, EngineError> {
    let table = read_table(b, probe)?;
    let mapping = if probe.mapping.kind == kind { probe.mapping.clone() } else { auto_map(kind, &table.headers) };
    if let Some(&field) = mapping.missing_required().first() {
        let (file, field, columns) = (probe.file.clone(), field.key().to_string(), table.headers.join(", "));
        return Err(IngestError::Unmapped { file, field, columns }.into());
    }
    let cleaned = clean(&table, &mapping, &recipe_for(kind, &mapping, recipes.get(&kind).map(String::as_str))?);
    Ok(KeptSource { file: probe.file.clone(), mapping, cleaned, blob: b.clone(), probe: probe.clone() })
}

fn source_view(k: &KeptSource, d: &Disclosure) -> SourceView {
    let clean = &k.cleaned.clean;
    let mut head = TextTable::new(k.probe.headers.clone());
    for r in 0..clean.len().min(SOURCE_SAMPLE_SCAN) {
        head.push(clean.row_numbers[r], clean.row(r).take(head.width()));
    }
    let shown = share::table(&head, d);
    SourceView {
        file: k.file.clone(),
        kind: k.mapping.kind,
        detected: k.probe.detected,
        quality: k.cleaned.quality.clone(),
        headers: k.probe.headers.clone(),
        mapping: k.mapping.clone(),
        sample: (0..shown.len().min(SOURCE_SAMPLE_ROWS)).map(|r| shown.row(r).map(str::to_string).collect()).collect(),
    }
}

/// Rows of a source whose values show beside its mapping.
const SOURCE_SAMPLE_ROWS: usize = 3;
/// Rows looked at to recognise personal columns in them (a few rows are too few).
const SOURCE_SAMPLE_SCAN: usize = 50;

/// Keeps a prepared source (in place of one of the same name).
fn keep_source(kept: KeptSource) -> SourceView {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let view = source_view(&kept, &s.disclosure);
        s.unified = None;
        analyses::forget(&mut s);
        match s.sources.iter_mut().find(|k| k.file == kept.file) {
            Some(k) => *k = kept,
            None => s.sources.push(kept),
        }
        view
    })
}

/// Worker 0: the user's recipe for `kind` (`None`: back to the default)
/// applies to every source of that kind; only those are cleaned again.
fn set_recipe(kind: SourceKind, recipe_json: Option<String>) -> Answer {
    if let Some(j) = &recipe_json {
        Recipe::from_json(j).map_err(|m| read_error("recipe.json", &m))?;
    }
    STATE.with(|s| match recipe_json {
        Some(j) => s.borrow_mut().recipes.insert(kind, j),
        None => s.borrow_mut().recipes.remove(&kind),
    });
    let files: Vec<String> =
        STATE.with(|s| s.borrow().sources.iter().filter(|k| k.mapping.kind == kind).map(|k| k.file.clone()).collect());
    let mut views = Vec::with_capacity(files.len());
    for file in files {
        let (Response::SourceAdded(v), _) = reread_source(&file, |_| {})? else { continue };
        views.push(*v);
    }
    Ok((Response::Sources(views), None))
}

/// Worker 0: reads a kept source again as another kind (its columns mapped anew).
fn set_source_kind(file: &str, kind: SourceKind) -> Answer {
    reread_source(file, |probe| {
        if probe.mapping.kind != kind {
            probe.mapping = auto_map(kind, &probe.headers);
        }
    })
}

/// Worker 0: reads a kept source again with the columns the user chose.
fn set_source_mapping(file: &str, mapping: Mapping) -> Answer {
    reread_source(file, |probe| probe.mapping = mapping)
}

/// Reads a kept source again after `change` to its probe; the source stays as it was if that fails.
fn reread_source(file: &str, change: impl FnOnce(&mut Probe)) -> Answer {
    let found =
        STATE.with(|s| s.borrow().sources.iter().find(|k| k.file == file).map(|k| (k.blob.clone(), k.probe.clone())));
    let Some((blob, mut probe)) = found else { return Err(AnalysisError::NoData.into()) };
    change(&mut probe);
    let kind = probe.mapping.kind;
    let recipes = STATE.with(|s| s.borrow().recipes.clone());
    let kept = prepare_source(&blob, &probe, kind, &recipes)?;
    Ok((Response::SourceAdded(Box::new(keep_source(kept))), None))
}

/// Worker 0: the kept sources, decisions and masking preset, the page's tags
/// and RFM settings (refused when not valid), sealed with the passphrase.
fn save_workspace(passphrase: &str, tags_json: Option<String>, rfm: Option<RfmSettings>) -> Answer {
    if let Some(r) = &rfm {
        r.check().map_err(WorkspaceError::from)?;
    }
    let ws = STATE.with(|s| -> Result<Workspace, EngineError> {
        let s = s.borrow();
        let files = s
            .sources
            .iter()
            .map(|k| {
                let bytes = BlobReader::new(&k.blob, 0, k.blob.size() as u64, &k.file)?.read_all()?;
                let columns = k.mapping.user_choices(&k.probe.headers);
                Ok(WorkspaceFile { name: k.file.clone(), kind: k.mapping.kind, bytes, columns })
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        let recipes = s.recipes.iter().filter_map(|(k, j)| Recipe::from_json(j).ok().map(|r| (*k, r))).collect();
        Ok(Workspace {
            files,
            unify: s.unify_opts.clone(),
            mask_preset: s.mask_preset,
            marks: s.marks.clone(),
            recipes,
            visibility: s.visibility.clone(),
            small_cells: s.small_cells,
            pseudonym_key: s.pseudonym_key.as_ref().map(|k| *k.as_bytes()),
            tags_json,
            rfm,
        })
    })?;
    let (mut salt, mut nonce) = ([0u8; SALT_LEN], [0u8; NONCE_LEN]);
    random_bytes(&mut salt)?;
    random_bytes(&mut nonce)?;
    let sealed = ws.seal(passphrase.as_bytes(), salt, nonce, KdfParams::default())?;
    Ok((Response::File { name: "custlens_workspace.custlens".into() }, Some(sealed)))
}

/// Worker 0: opens a sealed workspace and replaces the sources with its files —
/// all of them or, on any error, none.
fn open_workspace(b: &Blob, passphrase: &str) -> Answer {
    let name = file_name(b);
    let sealed = BlobReader::new(b, 0, b.size() as u64, &name)?.read_all()?;
    let ws = Workspace::open(&sealed, passphrase.as_bytes())?;
    let recipes: HashMap<SourceKind, String> = ws.recipes.iter().map(|(k, r)| (*k, r.to_json())).collect();
    let mut kept = Vec::with_capacity(ws.files.len());
    for f in &ws.files {
        let parts = js_sys::Array::of1(&Uint8Array::from(f.bytes.as_slice()));
        let file = web_sys::File::new_with_u8_array_sequence(&parts, &f.name)
            .map_err(|e| read_error(&f.name, &format!("{e:?}")))?;
        let blob: Blob = file.into();
        let mut p = probe(&blob, None)?;
        p.mapping = auto_map(f.kind, &p.headers);
        // A column chosen by the user that the file no longer has is left to the automatic mapping.
        for choice in &f.columns {
            let _ = p.mapping.apply_overrides(std::slice::from_ref(choice), &p.headers);
        }
        kept.push(prepare_source(&blob, &p, f.kind, &recipes)?);
    }
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.mask_preset = ws.mask_preset;
        s.marks = ws.marks.clone();
        s.visibility = ws.visibility.clone();
        s.small_cells = ws.small_cells;
        s.pseudonym_key = ws.pseudonym_key.and_then(|k| PseudonymKey::from_bytes(&k).ok());
        s.sources = kept;
        s.disclose();
        let sources: Vec<SourceView> = s.sources.iter().map(|k| source_view(k, &s.disclosure)).collect();
        s.unified = None;
        analyses::forget(&mut s);
        s.unify_opts = ws.unify.clone();
        s.recipes = recipes.clone();
        let recipes_json = recipes.into_iter().collect();
        Ok((
            Response::WorkspaceOpened {
                sources,
                mask_preset: ws.mask_preset,
                recipes_json,
                visibility: ws.visibility.clone(),
                small_cells: ws.small_cells,
                tags_json: ws.tags_json.clone(),
                rfm: ws.rfm.clone(),
            },
            None,
        ))
    })
}

/// Fills `buf` from the browser's CSPRNG.
fn random_bytes(buf: &mut [u8]) -> Result<(), EngineError> {
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let crypto = global.crypto().map_err(|e| read_error("crypto", &format!("{e:?}")))?;
    crypto.get_random_values_with_u8_array(buf).map_err(|e| read_error("crypto", &format!("{e:?}")))?;
    Ok(())
}

/// Worker 0: applies the user's change to the identity decisions, joins the
/// kept sources and answers with the view as it may be shown.
fn unify_sources(change: UnifyChange) -> Answer {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let s = &mut *s;
        // The sources may have changed: marks reach the customer view's columns through their mappings.
        s.disclose();
        apply_change(&mut s.unify_opts, s.unified.as_ref(), change);
        let sources = kept_sources(&s.sources);
        let u = unify(&sources, &s.unify_opts);
        let view = unify_view(&u, &s.unify_opts, &s.disclosure);
        s.unified = Some(u);
        Ok((Response::Unified(Box::new(view)), None))
    })
}

/// Changes the identity decisions by what the user clicked (lists as last shown).
fn apply_change(opts: &mut UnifyOptions, shown: Option<&Unified>, change: UnifyChange) {
    match change {
        UnifyChange::None => {}
        UnifyChange::ToggleMerge(i) => {
            let Some(keep) = shown.and_then(|u| u.merges.get(i as usize)).map(|m| m.keep.clone()) else { return };
            let mut listed = match &opts.merges {
                MergeChoice::Listed { keep } => keep.clone(),
                MergeChoice::All => {
                    shown.map(|u| u.merges.iter().map(|m| m.keep.clone()).collect()).unwrap_or_default()
                }
                MergeChoice::None => Default::default(),
            };
            if !listed.remove(&keep) {
                listed.insert(keep);
            }
            opts.merges = MergeChoice::Listed { keep: listed };
        }
        UnifyChange::UndoMatch(i) => {
            if let Some(m) = shown.and_then(|u| u.matches.get(i as usize)) {
                opts.undone.insert(m.id.clone());
            }
        }
        UnifyChange::RestoreMatch(i) => {
            if let Some(id) = opts.undone.iter().nth(i as usize).cloned() {
                opts.undone.remove(&id);
            }
        }
    }
}

/// The unified view as the page may show it: lists cut, personal data masked.
fn unify_view(u: &Unified, opts: &UnifyOptions, d: &Disclosure) -> UnifyView {
    let table = u.customer_table();
    let table = share::table(&table, d);
    let text = |v: &str| share::text(v, d).into_owned();
    UnifyView {
        summary: u.summary.clone(),
        sources: u.sources.clone(),
        matches: u.matches.iter().take(VIEW_LIST_MAX).map(|m| IdentityMatch { id: text(&m.id), ..m.clone() }).collect(),
        conflicts: u
            .conflicts
            .iter()
            .take(VIEW_LIST_MAX)
            .map(|c| IdentityConflict { id: text(&c.id), ..c.clone() })
            .collect(),
        orphans: u.orphans.iter().take(VIEW_LIST_MAX).map(|o| Orphan { id: text(&o.id), ..o.clone() }).collect(),
        orphan_entries: u.orphans.len() as u64,
        merges: u
            .merges
            .iter()
            .take(VIEW_LIST_MAX)
            .map(|m| MergeProposal {
                name: share::value(PersonalKind::Name, &m.name, d),
                phone: share::value(PersonalKind::Phone, &m.phone, d),
                ..m.clone()
            })
            .collect(),
        undone: opts.undone.iter().map(|id| text(id)).collect(),
        headers: table.headers.clone(),
        preview: (0..table.len().min(VIEW_PREVIEW_ROWS)).map(|r| table.row(r).map(str::to_string).collect()).collect(),
    }
}

/// Worker 0: reads the whole file as a table and cleans it with `recipe`
/// (the kind's default when `None`). Cleaning the same file again (the
/// recipe was edited) reuses the table read and, when only row or fill
/// steps changed, the standardised values.
fn clean_file(b: &Blob, probe: &Probe, kind: SourceKind, mapping: &Mapping, recipe: Option<&str>) -> Answer {
    let key = CleanInput { file: probe.file.clone(), size: probe.size, sheet: probe.sheet.clone() };
    let again = STATE.with(|s| {
        let mut s = s.borrow_mut();
        match s.cleaned.take() {
            Some((table, ..)) if s.clean_input.as_ref() == Some(&key) => Some(table),
            _ => None,
        }
    });
    let table = match again {
        Some(t) => t,
        None => read_table(b, probe)?,
    };
    let mapping = if mapping.kind == kind { mapping.clone() } else { auto_map(kind, &table.headers) };
    let recipe = recipe_for(kind, &mapping, recipe)?;
    let (result, reused) = STATE.with(|s| {
        let mut s = s.borrow_mut();
        let result = s.cleaner.run(&table, &mapping, &recipe);
        (result, s.cleaner.reused_standardise())
    });
    let view = CleanView { kind, quality: result.quality.clone(), recipe_json: recipe.to_json(), reused };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.clean_mapping = Some((table.headers.clone(), mapping));
        s.cleaned = Some((table, result, recipe));
        s.clean_input = Some(key);
        s.disclose();
    });
    Ok((Response::Cleaned(Box::new(view)), None))
}

/// The recipe to clean a table of `kind` with: the user's (as JSON), else the kind's default.
fn recipe_for(kind: SourceKind, mapping: &Mapping, json: Option<&str>) -> Result<Recipe, EngineError> {
    match json {
        Some(j) => Recipe::from_json(j).map_err(|m| read_error("recipe.json", &m)),
        None => Ok(Recipe::default_for(kind, mapping)),
    }
}

/// Which file the last cleaning run read (to reuse its table when it is cleaned again).
#[derive(Clone, Debug, PartialEq, Eq)]
struct CleanInput {
    file: String,
    size: u64,
    sheet: Option<String>,
}

/// Worker 0: merges the chunk aggregates; scores them, or first asks for the
/// keys on bits that several chunks set.
fn merge_parts(probe: &Probe, parts: &[Uint8Array], params: RfmParams) -> Answer {
    let t0 = now_ms();
    let aggs = parts.iter().map(|p| decode::<ChunkAggregate>(&probe.file, p)).collect::<Result<Vec<_>, _>>()?;
    let t1 = now_ms();
    let merged = merge(aggs);
    let t2 = now_ms();
    if let Some(bits) = &merged.shared_bits {
        let bytes = to_bytes(bits);
        STATE.with(|s| s.borrow_mut().pending = Some((merged, t1 - t0, t2 - t1)));
        return Ok((Response::SharedBits, Some(bytes)));
    }
    let view = finish(probe, merged.settle(Vec::new()), params, t1 - t0, t2 - t1)?;
    Ok((Response::Rfm(Box::new(view)), None))
}

/// Any reader: its chunk's order keys on the given bits.
fn keys_on(parts: &[Uint8Array]) -> Answer {
    let bits: Bitset = parts.first().map(|p| decode("bits", p)).transpose()?.ok_or(AnalysisError::NoData)?;
    let keys = STATE.with(|s| s.borrow().chunk.as_ref().map(|c| c.keys_on(&bits))).unwrap_or_default();
    Ok((Response::Keys, Some(to_bytes(&KeyList::new(keys)))))
}

/// Worker 0: takes back orders counted in two chunks, then scores.
fn settle(probe: &Probe, parts: &[Uint8Array], params: RfmParams) -> Answer {
    let t0 = now_ms();
    let lists =
        parts.iter().map(|p| decode::<KeyList>(&probe.file, p).map(KeyList::pairs)).collect::<Result<Vec<_>, _>>()?;
    let (merged, decode_ms, merge_ms) = STATE.with(|s| s.borrow_mut().pending.take()).ok_or(AnalysisError::NoData)?;
    let customers = merged.settle(lists);
    let view = finish(probe, customers, params, decode_ms, merge_ms + now_ms() - t0)?;
    Ok((Response::Rfm(Box::new(view)), None))
}

fn finish(
    probe: &Probe,
    customers: Customers,
    params: RfmParams,
    decode_ms: f64,
    merge_ms: f64,
) -> Result<RfmView, EngineError> {
    let customers = check_rows(probe, customers)?;
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.customers = Some(customers);
        s.pareto = None;
        s.result = None;
    });
    let mut view = rescore(params)?;
    view.timings.decode_ms += decode_ms;
    view.timings.merge_ms += merge_ms;
    Ok(view)
}

fn rescore(params: RfmParams) -> Result<RfmView, EngineError> {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let c = s.customers.as_ref().ok_or(AnalysisError::NoData)?;
        let t0 = now_ms();
        let r = rfm(c, params)?;
        let mut view = RfmView::new(c, &r);
        view.rejects = share::rejects(&view.rejects, &s.disclosure);
        view.timings.score_ms = now_ms() - t0;
        s.result = Some(r);
        Ok(view)
    })
}

/// Worker 0: the migration between two snapshots of the orders file (read
/// whole once, then kept while the same file is asked about).
fn migrate(b: &Blob, probe: &Probe, params: &RfmParams, from: Day, to: Day) -> Answer {
    let (name, size) = (file_name(b), b.size() as u64);
    let cached = STATE.with(|s| s.borrow().migration_orders.as_ref().is_some_and(|(n, z, _)| *n == name && *z == size));
    if !cached {
        STATE.with(|s| s.borrow_mut().migration_orders = None);
        let cols = OrderColumns::from_mapping(&probe.mapping, &probe.file, &probe.headers)?;
        let chunk = read_chunk(b, probe, cols, None)?;
        STATE.with(|s| s.borrow_mut().migration_orders = Some((name, size, chunk)));
    }
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let Some((_, _, chunk)) = &s.migration_orders else { return Err(AnalysisError::NoData.into()) };
        let (m, who) = migration_with_members(std::slice::from_ref(chunk), from, to, params)?;
        s.migration = Some((m.clone(), who));
        Ok((Response::Migration(Box::new(m)), None))
    })
}

fn export(f: impl FnOnce(&State, &mut Vec<u8>) -> std::io::Result<Option<String>>) -> Answer {
    STATE.with(|s| {
        let s = s.borrow();
        let mut out = Vec::new();
        match f(&s, &mut out) {
            Ok(Some(name)) => Ok((Response::File { name }, Some(out))),
            Ok(None) => Err(AnalysisError::NoData.into()),
            Err(e) => Err(read_error("export", &e.to_string())),
        }
    })
}
