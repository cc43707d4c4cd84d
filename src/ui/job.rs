//! The steps of an analysis as the page drives them: probe a file, read its
//! ranges on every worker in parallel, merge and score in worker 0, re-score,
//! export. Nothing big passes through the main thread: chunk aggregates go
//! from worker to worker as transferred buffers.

use super::workers::{CallError, Pool};
use crate::engine::analyze::crosstab::{Crosstab, CrosstabParams};
use crate::engine::analyze::pareto::Pareto;
use crate::engine::analyze::rfm::RfmParams;
use crate::engine::clean::recipe::Recipe;
use crate::engine::error::EngineError;
use crate::engine::ingest::chunk::{needs_single_pass, plan};
use crate::engine::ingest::detect::Format;
use crate::engine::ingest::fields::{Mapping, SourceKind};
use crate::engine::ingest::orders::OrderColumns;
use crate::engine::ingest::probe::Probe;
use crate::engine::privacy::mask::MaskPreset;
use crate::engine::privacy::roles::{Role, Visibility};
use crate::engine::privacy::small_cell::SmallCellParams;
use crate::engine::workspace::RfmSettings;
use crate::envelope::Envelope;
use crate::i18n::Lang;
use crate::protocol::{
    Analysis, AnalysisFile, CleanFile, CleanView, FilterChoice, FilterView, MarkChoice, Request, Response, RfmView,
    SourceSchema, SourceView, UnifyChange, UnifyFile, UnifyView,
};
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Blob;

/// Smallest byte range worth a worker of its own.
const MIN_RANGE: u64 = 2 << 20;

/// Why a job did not finish.
#[derive(Debug, Clone, PartialEq)]
pub enum JobError {
    /// The engine refused the input or parameters.
    Engine(EngineError),
    /// The user cancelled.
    Cancelled,
    /// A worker failed.
    Worker(String),
}

impl From<CallError> for JobError {
    fn from(e: CallError) -> JobError {
        match e {
            CallError::Cancelled => JobError::Cancelled,
            CallError::Broken(m) => JobError::Worker(m),
        }
    }
}

impl From<EngineError> for JobError {
    fn from(e: EngineError) -> JobError {
        JobError::Engine(e)
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Engine(e) => write!(f, "{e}"),
            JobError::Cancelled => f.write_str("cancelled"),
            JobError::Worker(m) => write!(f, "{m}"),
        }
    }
}

fn unexpected(r: &Response) -> JobError {
    match r {
        Response::Failed(e) => JobError::Engine(e.clone()),
        other => JobError::Worker(format!("unexpected answer {other:?}")),
    }
}

/// Looks at a file (a workbook at `sheet`, else its first sheet with data):
/// format, encoding, headers, suggested mapping.
pub async fn probe(pool: &Pool, file: &Blob, sheet: Option<String>) -> Result<Probe, JobError> {
    let env = pool.call(0, Envelope::new(Request::Probe { sheet }).with_file(file.clone()), None).await?;
    match env.body {
        Response::Probe(p) => Ok(p),
        other => Err(unexpected(&other)),
    }
}

/// Generates the sample orders file in a worker.
pub async fn sample(pool: &Pool) -> Result<Uint8Array, JobError> {
    let req = Request::Sample { customers: 20_000, seed: 20_240_601 };
    let env = pool.call(0, Envelope::new(req), None).await?;
    match (env.body, env.parts.into_iter().next()) {
        (Response::File { .. }, Some(bytes)) => Ok(bytes),
        (other, _) => Err(unexpected(&other)),
    }
}

/// Which part of the job is running, for the progress bar.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Phase {
    /// Reading and parsing the file.
    Reading,
    /// Merging chunks and scoring.
    Merging,
}

/// Reads the file on all workers, merges and scores. `on_progress` gets the
/// phase and the fraction of bytes read.
pub async fn run_rfm(
    pool: &Pool,
    file: &Blob,
    probe: &Probe,
    params: RfmParams,
    on_progress: Rc<dyn Fn(Phase, f64)>,
) -> Result<RfmView, JobError> {
    let cols = OrderColumns::from_mapping(&probe.mapping, &probe.file, &probe.headers).map_err(EngineError::from)?;
    let size = file.size() as u64;
    let parallel = probe.format == Format::Csv && probe.encoding.is_some_and(|e| e.ascii_compatible());
    let ranges: Vec<_> =
        if parallel { plan(size, pool.size(), MIN_RANGE).into_iter().map(Some).collect() } else { vec![None] };
    let t0 = js_sys::Date::now();
    let mut parts = read_all(pool, file, probe, cols, &ranges, size, on_progress.clone()).await?;
    if needs_single_pass(&parts.iter().map(|c| c.ended_in_quote).collect::<Vec<_>>()) {
        // A quoted field with a line break straddles a range boundary: read in one piece.
        parts = read_all(pool, file, probe, cols, &[None], size, on_progress.clone()).await?;
    }
    on_progress(Phase::Merging, 1.0);
    let req = Request::Merge { probe: probe.clone(), params: params.clone() };
    let read_ms: Vec<f64> = parts.iter().map(|c| c.read_ms).collect();
    let encode_ms: Vec<f64> = parts.iter().map(|c| c.encode_ms).collect();
    let io_ms: Vec<f64> = parts.iter().map(|c| c.io_ms).collect();
    let n = parts.len();
    let t1 = js_sys::Date::now();
    let mut env =
        pool.call(0, Envelope::new(req).with_parts(parts.into_iter().map(|c| c.bytes).collect()), None).await?;
    let t2 = js_sys::Date::now();
    if let (Response::SharedBits, Some(bits)) = (&env.body, env.parts.first()) {
        // Two chunks may have counted the same order: each reader lists its keys on the shared bits.
        let calls = (0..n).map(|i| {
            let copy = bits.slice(0, bits.length());
            pool.call(i, Envelope::new(Request::KeysOn).with_parts(vec![copy]), None)
        });
        let mut lists = Vec::with_capacity(n);
        for answer in futures::future::join_all(calls).await {
            let answer = answer?;
            match (answer.body, answer.parts.into_iter().next()) {
                (Response::Keys, Some(list)) => lists.push(list),
                (other, _) => return Err(unexpected(&other)),
            }
        }
        let req = Request::Settle { probe: probe.clone(), params };
        env = pool.call(0, Envelope::new(req).with_parts(lists), None).await?;
    }
    match env.body {
        Response::Rfm(mut view) => {
            view.timings.wall_ms = vec![t1 - t0, t2 - t1, js_sys::Date::now() - t2];
            view.timings.read_ms = read_ms;
            view.timings.io_ms = io_ms;
            view.timings.encode_ms = encode_ms;
            Ok(*view)
        }
        other => Err(unexpected(&other)),
    }
}

/// One chunk's answer.
struct ChunkAnswer {
    ended_in_quote: bool,
    read_ms: f64,
    io_ms: f64,
    encode_ms: f64,
    bytes: Uint8Array,
}

async fn read_all(
    pool: &Pool,
    file: &Blob,
    probe: &Probe,
    cols: OrderColumns,
    ranges: &[Option<crate::engine::ingest::chunk::ByteRange>],
    size: u64,
    on_progress: Rc<dyn Fn(Phase, f64)>,
) -> Result<Vec<ChunkAnswer>, JobError> {
    let done = Rc::new(RefCell::new(vec![0u64; ranges.len()]));
    let calls = ranges.iter().enumerate().map(|(i, &range)| {
        let done = done.clone();
        let on_progress = on_progress.clone();
        let progress: Rc<dyn Fn(u64)> = Rc::new(move |d| {
            done.borrow_mut()[i] = d;
            let total: u64 = done.borrow().iter().sum();
            on_progress(Phase::Reading, total as f64 / size.max(1) as f64);
        });
        let req = Request::Read { probe: probe.clone(), cols, range };
        pool.call(i, Envelope::new(req).with_file(file.clone()), Some(progress))
    });
    let answers = futures::future::join_all(calls).await;
    let mut parts = Vec::with_capacity(answers.len());
    for a in answers {
        let env = a?;
        match (env.body, env.parts.into_iter().next()) {
            (Response::Chunk { ended_in_quote, read_ms, io_ms, encode_ms }, Some(bytes)) => {
                parts.push(ChunkAnswer { ended_in_quote, read_ms, io_ms, encode_ms, bytes })
            }
            (other, _) => return Err(unexpected(&other)),
        }
    }
    Ok(parts)
}

/// Re-scores the merged customers with new parameters.
pub async fn rescore(pool: &Pool, params: RfmParams) -> Result<RfmView, JobError> {
    let env = pool.call(0, Envelope::new(Request::Rescore { params }), None).await?;
    match env.body {
        Response::Rfm(view) => Ok(*view),
        other => Err(unexpected(&other)),
    }
}

/// What to export.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Export {
    /// The per-customer RFM table.
    Customers,
    /// The rows set aside.
    Rejects,
    /// A file of the last cleaning run.
    Clean(CleanFile),
    /// A file of the unified customer view.
    Unify(UnifyFile),
    /// The Pareto ranking.
    Pareto,
    /// A table of a time-based analysis, as XLSX when `true` (else CSV).
    Analysis(AnalysisFile, bool),
    /// The customers behind a figure.
    Members(crate::engine::analyze::members::MemberSource),
    /// The last segment migration matrix.
    Migration,
}

/// Cleans the file as a table of `kind` in worker 0.
pub async fn clean(
    pool: &Pool,
    file: &Blob,
    probe: &Probe,
    kind: SourceKind,
    recipe: Option<&Recipe>,
) -> Result<CleanView, JobError> {
    let recipe_json = recipe.map(Recipe::to_json);
    let req = Request::Clean { probe: probe.clone(), kind, mapping: probe.mapping.clone(), recipe_json };
    let env = pool.call(0, Envelope::new(req).with_file(file.clone()), None).await?;
    match env.body {
        Response::Cleaned(view) => Ok(*view),
        other => Err(unexpected(&other)),
    }
}

/// Makes `recipe` (`None`: the default) the recipe of every source of `kind`,
/// in worker 0; the sources cleaned again.
pub async fn set_recipe(pool: &Pool, kind: SourceKind, recipe: Option<&Recipe>) -> Result<Vec<SourceView>, JobError> {
    let req = Request::SetRecipe { kind, recipe_json: recipe.map(Recipe::to_json) };
    let env = pool.call(0, Envelope::new(req), None).await?;
    match env.body {
        Response::Sources(views) => Ok(views),
        other => Err(unexpected(&other)),
    }
}

/// Builds an export in worker 0; returns its file name and bytes.
pub async fn export(pool: &Pool, what: Export, lang: Lang) -> Result<(String, Uint8Array), JobError> {
    let req = match what {
        Export::Customers => Request::ExportCustomers { lang },
        Export::Rejects => Request::ExportRejects { lang },
        Export::Clean(what) => Request::ExportClean { what, lang },
        Export::Unify(what) => Request::ExportUnify { what },
        Export::Pareto => Request::ExportPareto,
        Export::Analysis(what, xlsx) => Request::ExportAnalysis { what, xlsx, lang },
        Export::Members(of) => Request::ExportMembers { of, lang },
        Export::Migration => Request::ExportMigration { lang },
    };
    export_request(pool, req).await
}

/// Builds the export `req` asks for in worker 0; returns its file name and bytes.
pub async fn export_request(pool: &Pool, req: Request) -> Result<(String, Uint8Array), JobError> {
    let env = pool.call(0, Envelope::new(req), None).await?;
    match (env.body, env.parts.into_iter().next()) {
        (Response::File { name }, Some(bytes)) => Ok((name, bytes)),
        (other, _) => Err(unexpected(&other)),
    }
}

/// Generates every sample table in a worker: (file name, bytes) in order.
pub async fn sample_all(pool: &Pool) -> Result<Vec<(String, Uint8Array)>, JobError> {
    let req = Request::SampleAll { customers: 5_000, seed: 20_240_601 };
    let env = pool.call(0, Envelope::new(req), None).await?;
    match (env.body, env.parts.into_iter().next()) {
        (Response::Files { names, sizes }, Some(bytes)) => {
            let mut at = 0u32;
            Ok(names
                .into_iter()
                .zip(sizes)
                .map(|(name, size)| {
                    let part = bytes.subarray(at, at + size as u32);
                    at += size as u32;
                    (name, part)
                })
                .collect())
        }
        (other, _) => Err(unexpected(&other)),
    }
}

/// Reads, cleans and keeps a source of the customer view in worker 0.
pub async fn add_source(pool: &Pool, file: &Blob, probe: &Probe, kind: SourceKind) -> Result<SourceView, JobError> {
    let req = Request::AddSource { probe: probe.clone(), kind };
    let env = pool.call(0, Envelope::new(req).with_file(file.clone()), None).await?;
    match env.body {
        Response::SourceAdded(view) => Ok(*view),
        other => Err(unexpected(&other)),
    }
}

/// Forgets a source in worker 0.
pub async fn remove_source(pool: &Pool, file: String) -> Result<(), JobError> {
    let env = pool.call(0, Envelope::new(Request::RemoveSource { file }), None).await?;
    match env.body {
        Response::Done => Ok(()),
        other => Err(unexpected(&other)),
    }
}

/// Joins the kept sources into the unified customer view in worker 0, after
/// a change to the identity decisions.
pub async fn unify(pool: &Pool, change: UnifyChange) -> Result<UnifyView, JobError> {
    let env = pool.call(0, Envelope::new(Request::Unify { change }), None).await?;
    match env.body {
        Response::Unified(view) => Ok(*view),
        other => Err(unexpected(&other)),
    }
}

/// The Pareto analysis of the last RFM run's customers, in worker 0.
pub async fn pareto(pool: &Pool) -> Result<Pareto, JobError> {
    let env = pool.call(0, Envelope::new(Request::Pareto), None).await?;
    match env.body {
        Response::Pareto(p) => Ok(*p),
        other => Err(unexpected(&other)),
    }
}

/// Cross-tabulates two columns of the unified customer table in worker 0.
pub async fn crosstab(pool: &Pool, params: &CrosstabParams) -> Result<Crosstab, JobError> {
    let params_json = serde_json::to_string(params).unwrap_or_default();
    let env = pool.call(0, Envelope::new(Request::Crosstab { params_json }), None).await?;
    match env.body {
        Response::Crosstab { json } => serde_json::from_str(&json).map_err(|e| JobError::Worker(e.to_string())),
        other => Err(unexpected(&other)),
    }
}

/// Tells worker 0 (which answers every probe, view and export) how personal
/// data is shown and exported from now on.
pub async fn set_masking(pool: &Pool, preset: MaskPreset, raw: bool) -> Result<(), JobError> {
    let env = pool.call(0, Envelope::new(Request::SetMasking { preset, raw }), None).await?;
    match env.body {
        Response::Done => Ok(()),
        other => Err(unexpected(&other)),
    }
}

/// Tells worker 0 whom the page is viewed as and what each role sees; the
/// sources as now shown.
pub async fn set_audience(
    pool: &Pool,
    role: Role,
    visibility: Visibility,
    small_cells: Option<SmallCellParams>,
) -> Result<Vec<SourceView>, JobError> {
    let env = pool.call(0, Envelope::new(Request::SetAudience { role, visibility, small_cells }), None).await?;
    match env.body {
        Response::Sources(views) => Ok(views),
        other => Err(unexpected(&other)),
    }
}

/// Reads a kept source again as another kind, in worker 0.
pub async fn set_source_kind(pool: &Pool, file: String, kind: SourceKind) -> Result<SourceView, JobError> {
    let env = pool.call(0, Envelope::new(Request::SetSourceKind { file, kind }), None).await?;
    match env.body {
        Response::SourceAdded(view) => Ok(*view),
        other => Err(unexpected(&other)),
    }
}

/// Reads a kept source again with another mapping, in worker 0.
pub async fn set_source_mapping(pool: &Pool, file: String, mapping: Mapping) -> Result<SourceView, JobError> {
    let env = pool.call(0, Envelope::new(Request::SetSourceMapping { file, mapping }), None).await?;
    match env.body {
        Response::SourceAdded(view) => Ok(*view),
        other => Err(unexpected(&other)),
    }
}

/// The personal columns of every kept source, from worker 0.
pub async fn schema(pool: &Pool) -> Result<Vec<SourceSchema>, JobError> {
    let env = pool.call(0, Envelope::new(Request::Schema), None).await?;
    match env.body {
        Response::Schema(s) => Ok(s),
        other => Err(unexpected(&other)),
    }
}

/// Sets the user's personal-data mark of a column, in worker 0.
pub async fn set_mark(pool: &Pool, header: String, mark: MarkChoice) -> Result<(), JobError> {
    let env = pool.call(0, Envelope::new(Request::SetMark { header, mark }), None).await?;
    match env.body {
        Response::Done => Ok(()),
        other => Err(unexpected(&other)),
    }
}

/// Seals the workspace (with the page's tags and RFM settings) in worker 0; returns the file name and bytes.
pub async fn save_workspace(
    pool: &Pool,
    passphrase: String,
    tags_json: Option<String>,
    rfm: Option<RfmSettings>,
) -> Result<(String, Uint8Array), JobError> {
    let env = pool.call(0, Envelope::new(Request::SaveWorkspace { passphrase, tags_json, rfm }), None).await?;
    match (env.body, env.parts.into_iter().next()) {
        (Response::File { name }, Some(bytes)) => Ok((name, bytes)),
        (other, _) => Err(unexpected(&other)),
    }
}

/// What an opened workspace restores.
pub struct OpenedWorkspace {
    /// Its sources, as shown.
    pub sources: Vec<SourceView>,
    /// Its masking preset.
    pub mask_preset: MaskPreset,
    /// Its recipes.
    pub recipes: std::collections::BTreeMap<SourceKind, Recipe>,
    /// What each role sees.
    pub visibility: Visibility,
    /// Small groups in exported reports.
    pub small_cells: Option<SmallCellParams>,
    /// Its tag definitions, when it kept them.
    pub tags: Option<Vec<crate::engine::analyze::tags::TagDef>>,
    /// Its RFM editor settings, when it kept them.
    pub rfm: Option<RfmSettings>,
}

/// Opens a workspace file in worker 0: the sources it restored, its masking preset and recipes.
pub async fn open_workspace(pool: &Pool, file: &Blob, passphrase: String) -> Result<OpenedWorkspace, JobError> {
    let env = pool.call(0, Envelope::new(Request::OpenWorkspace { passphrase }).with_file(file.clone()), None).await?;
    match env.body {
        Response::WorkspaceOpened { sources, mask_preset, recipes_json, visibility, small_cells, tags_json, rfm } => {
            let recipes = recipes_json.iter().filter_map(|(k, j)| Recipe::from_json(j).ok().map(|r| (*k, r))).collect();
            let tags = tags_json.and_then(|j| serde_json::from_str(&j).ok());
            Ok(OpenedWorkspace { sources, mask_preset, recipes, visibility, small_cells, tags, rfm })
        }
        other => Err(unexpected(&other)),
    }
}

/// Narrows what the analyses of the sources read, in worker 0; what it keeps.
pub async fn set_filter(pool: &Pool, filter: FilterChoice) -> Result<FilterView, JobError> {
    let env = pool.call(0, Envelope::new(Request::SetFilter { filter }), None).await?;
    match env.body {
        Response::Analysis { json } => serde_json::from_str(&json).map_err(|e| JobError::Worker(e.to_string())),
        other => Err(unexpected(&other)),
    }
}

/// Runs a time-based analysis of the sources in worker 0; `T` is its result type.
pub async fn analysis<T: serde::de::DeserializeOwned>(
    pool: &Pool,
    which: Analysis,
    params_json: String,
) -> Result<T, JobError> {
    let env = pool.call(0, Envelope::new(Request::Analysis { which, params_json }), None).await?;
    match env.body {
        Response::Analysis { json } => serde_json::from_str(&json).map_err(|e| JobError::Worker(e.to_string())),
        other => Err(unexpected(&other)),
    }
}

/// The customers behind a figure of the last results (worker 0).
pub async fn members(
    pool: &Pool,
    of: crate::engine::analyze::members::MemberSource,
    lang: Lang,
) -> Result<crate::protocol::CustomerListView, JobError> {
    let env = pool.call(0, Envelope::new(Request::Members { of, lang }), None).await?;
    match env.body {
        Response::Members(v) => Ok(*v),
        other => Err(unexpected(&other)),
    }
}

/// A tag of the customers behind a figure (worker 0).
pub async fn members_tag(pool: &Pool, req: Request) -> Result<crate::protocol::MembersTag, JobError> {
    let env = pool.call(0, Envelope::new(req), None).await?;
    match env.body {
        Response::MembersTag { json } => serde_json::from_str(&json).map_err(|e| JobError::Worker(e.to_string())),
        other => Err(unexpected(&other)),
    }
}

/// The segment migration between two snapshots of the orders file (read whole in worker 0).
pub async fn migrate(
    pool: &Pool,
    file: &Blob,
    probe: &Probe,
    params: RfmParams,
    from: crate::engine::date::Day,
    to: crate::engine::date::Day,
) -> Result<crate::engine::analyze::migration::Migration, JobError> {
    let req = Request::Migrate { probe: probe.clone(), params, from, to };
    let env = pool.call(0, Envelope::new(req).with_file(file.clone()), None).await?;
    match env.body {
        Response::Migration(m) => Ok(*m),
        other => Err(unexpected(&other)),
    }
}
