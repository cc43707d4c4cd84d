//! The app's state and the actions that change it. Signals hold what is
//! shown; the worker pool and the picked file live beside them.

use super::browser;
use super::job::{self, Export, JobError, Phase};
use super::workers::Pool;
use crate::engine::analyze::activity::Activity;
use crate::engine::analyze::channels::ChannelReport;
use crate::engine::analyze::cohort::Cohorts;
use crate::engine::analyze::crosstab::{Crosstab, CrosstabParams};
use crate::engine::analyze::distribution::ValueCount;
use crate::engine::analyze::funnel::Funnel;
use crate::engine::analyze::members::MemberSource;
use crate::engine::analyze::pareto::Pareto;
use crate::engine::analyze::profiles::CustomerProfile;
use crate::engine::analyze::rfm::RfmParams;
use crate::engine::analyze::satisfaction::Satisfaction;
use crate::engine::analyze::tags::{default_tags, Dimension, Level, TagDef, TagError};
use crate::engine::clean::recipe::Recipe;
use crate::engine::ingest::fields::Confidence;
use crate::engine::ingest::fields::{auto_map, Field, SourceKind};
use crate::engine::ingest::probe::Probe;
use crate::engine::privacy::mask::MaskPreset;
use crate::engine::privacy::roles::{Access, Role, Visibility};
use crate::engine::privacy::small_cell::SmallCellParams;
use crate::engine::workspace::{RfmSettings, WorkspaceError};
use crate::i18n::Lang;
use crate::protocol::{
    Analysis, CleanView, CustomerListView, FilterChoice, FilterView, MarkChoice, MembersTag, Request, RfmView,
    SourceSchema, SourceView, TagParams, TagsView, UnifyChange, UnifyView,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
use web_sys::Blob;

/// What the page is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Waiting for a file.
    Idle,
    /// Looking at a file.
    Probing,
    /// Waiting for the user to confirm or fix the mapping.
    Mapping,
    /// Reading and scoring.
    Running {
        /// Which part.
        phase: Phase,
        /// Fraction done, 0–1.
        fraction: f64,
    },
    /// A result is on screen.
    Done,
    /// The user cancelled.
    Cancelled,
    /// Something went wrong.
    Failed(JobError),
}

/// A result signal of one analysis: nothing yet, the result, or why it failed.
pub type Outcome<T> = RwSignal<Option<Result<T, JobError>>>;

/// The time-based analyses of the sources, as shown.
#[derive(Clone, Copy)]
pub struct Analyses {
    /// Cohorts and retention.
    pub cohorts: Outcome<Cohorts>,
    /// Satisfaction.
    pub satisfaction: Outcome<Satisfaction>,
    /// The funnel.
    pub funnel: Outcome<Funnel>,
    /// Activity classes.
    pub activity: Outcome<Activity>,
    /// Channel figures and attribution.
    pub channels: Outcome<ChannelReport>,
    /// Tag coverage and overlap.
    pub tags: Outcome<TagsView>,
    /// Customer profiles.
    pub profiles: Outcome<CustomerProfile>,
    /// The tag definitions being edited (page state only: they may hold customer values).
    pub tag_drafts: RwSignal<Vec<TagDraft>>,
    /// The names of the tags of the last tag run, in its order (the tags a filter can choose;
    /// kept when a filter makes the run's figures stale).
    pub tag_names: RwSignal<Vec<String>>,
    /// The as-of date tags are evaluated at (`None`: the latest day in the tables).
    pub tags_as_of: RwSignal<Option<crate::engine::date::Day>>,
    /// The event types of the events source (steps a funnel can use).
    pub event_types: RwSignal<Vec<ValueCount>>,
    /// Analyses under way.
    pub busy: RwSignal<u32>,
    /// The filter chosen for every analysis of the sources.
    pub filter: RwSignal<FilterChoice>,
    /// What it keeps (or why it could not be set).
    pub filtered: Outcome<FilterView>,
    /// The comparisons (M24), one per place they are made.
    pub compare: Comparisons,
}

/// The comparisons on screen (M24): the comparison tab's and each over-time analysis's own.
#[derive(Clone, Copy)]
pub struct Comparisons(
    [Outcome<crate::engine::analyze::compare::CompareReport>; crate::protocol::CompareScope::ALL.len()],
);

impl Comparisons {
    /// The comparison made in `scope`.
    pub fn of(self, scope: crate::protocol::CompareScope) -> Outcome<crate::engine::analyze::compare::CompareReport> {
        self.0[scope.index()]
    }

    /// Forgets every one.
    fn forget(self) {
        self.0.iter().for_each(|o| o.set(None));
    }
}

impl Default for Comparisons {
    fn default() -> Comparisons {
        Comparisons(std::array::from_fn(|_| RwSignal::new(None)))
    }
}

/// A tag definition being edited, with a key that stays while tags are added and removed.
#[derive(Clone, Debug, PartialEq)]
pub struct TagDraft {
    /// Stable within the page.
    pub key: u32,
    /// The definition.
    pub def: TagDef,
}

impl TagDraft {
    /// Drafts of `defs`, keyed from `first`.
    pub fn list(defs: Vec<TagDef>, first: u32) -> Vec<TagDraft> {
        defs.into_iter().zip(first..).map(|(def, key)| TagDraft { key, def }).collect()
    }

    /// The default tags as drafts.
    pub fn defaults() -> Vec<TagDraft> {
        TagDraft::list(default_tags(), 0)
    }
}

impl Default for Analyses {
    fn default() -> Analyses {
        Analyses {
            cohorts: RwSignal::new(None),
            satisfaction: RwSignal::new(None),
            funnel: RwSignal::new(None),
            activity: RwSignal::new(None),
            channels: RwSignal::new(None),
            tags: RwSignal::new(None),
            profiles: RwSignal::new(None),
            tag_drafts: RwSignal::new(TagDraft::defaults()),
            tag_names: RwSignal::new(Vec::new()),
            tags_as_of: RwSignal::new(None),
            event_types: RwSignal::new(Vec::new()),
            busy: RwSignal::new(0),
            filter: RwSignal::new(FilterChoice::default()),
            filtered: RwSignal::new(None),
            compare: Comparisons::default(),
        }
    }
}

impl Analyses {
    /// Forgets the results the filter narrows (all of them; the tag names stay for the filter).
    fn forget_filtered(self) {
        self.tags.set(None);
        self.profiles.set(None);
        self.cohorts.set(None);
        self.satisfaction.set(None);
        self.funnel.set(None);
        self.activity.set(None);
        self.channels.set(None);
        self.compare.forget();
    }
}

/// Mappings at least this sure run without asking.
const AUTO_RUN: Confidence = Confidence(90);

/// Shared app state (cheap to copy: every field is a handle).
#[derive(Clone, Copy)]
pub struct AppState {
    /// UI language.
    pub lang: RwSignal<Lang>,
    /// What is happening.
    pub status: RwSignal<Status>,
    /// The current file's probe (mapping edited in place).
    pub probe: RwSignal<Option<Probe>>,
    /// RFM parameters.
    pub params: RwSignal<RfmParams>,
    /// The result on screen.
    pub result: RwSignal<Option<RfmView>>,
    /// The kind of table to clean the file as.
    pub kind: RwSignal<SourceKind>,
    /// The last cleaning run's summary.
    pub cleaned: RwSignal<Option<CleanView>>,
    /// Whether a cleaning run is under way.
    pub cleaning: RwSignal<bool>,
    /// Sources of the customer view, cleaned, in the order added.
    pub sources: RwSignal<Vec<SourceView>>,
    /// The unified customer view on screen.
    pub unified: RwSignal<Option<UnifyView>>,
    /// The Pareto analysis of the RFM run's customers.
    pub pareto: RwSignal<Option<Pareto>>,
    /// The cross-tab on screen (or why it could not be made).
    pub crosstab: RwSignal<Option<Result<Crosstab, JobError>>>,
    /// Work on the sources under way (files left to read, or joining).
    pub sources_busy: RwSignal<u32>,
    /// The time-based analyses on screen (or why they could not be made).
    pub analyses: Analyses,
    /// The last problem with a source, as text.
    pub sources_error: RwSignal<Option<JobError>>,
    /// Whether the mapping on screen was reapplied from a saved one.
    pub mapping_reapplied: RwSignal<bool>,
    /// The masking preset on screen and in exports.
    pub mask_preset: RwSignal<MaskPreset>,
    /// The role the page is viewed as.
    pub role: RwSignal<Role>,
    /// Whether raw values are shown (only a role that may, and recorded).
    pub raw: RwSignal<bool>,
    /// What each role sees (edited by the admin).
    pub visibility: RwSignal<Visibility>,
    /// Small groups in exported reports (none: published as they are).
    pub small_cells: RwSignal<Option<SmallCellParams>>,
    /// What was revealed, by whom, when (this session).
    pub audit: RwSignal<Vec<AuditEntry>>,
    /// The last workspace action's outcome.
    pub workspace: RwSignal<Option<Result<WorkspaceDone, JobError>>>,
    /// The personal columns of the sources (schema view).
    pub schema: RwSignal<Vec<SourceSchema>>,
    /// The user's cleaning recipes by kind (else each kind's default).
    pub recipes: RwSignal<BTreeMap<SourceKind, Recipe>>,
    /// The RFM editor's state: actions, the migration.
    pub rfm: RfmExtras,
    /// The customer list behind a figure on screen.
    pub members: MemberLists,
    file: StoredValue<Option<Blob>, LocalStorage>,
    pool: StoredValue<Rc<Pool>, LocalStorage>,
    job: StoredValue<u64>,
}

impl AppState {
    /// Fresh state with a warm worker pool.
    pub fn new(lang: Lang) -> AppState {
        AppState {
            lang: RwSignal::new(lang),
            status: RwSignal::new(Status::Idle),
            probe: RwSignal::new(None),
            params: RwSignal::new(RfmParams::default()),
            result: RwSignal::new(None),
            kind: RwSignal::new(SourceKind::Orders),
            cleaned: RwSignal::new(None),
            cleaning: RwSignal::new(false),
            sources: RwSignal::new(Vec::new()),
            unified: RwSignal::new(None),
            pareto: RwSignal::new(None),
            crosstab: RwSignal::new(None),
            sources_busy: RwSignal::new(0),
            analyses: Analyses::default(),
            sources_error: RwSignal::new(None),
            mapping_reapplied: RwSignal::new(false),
            mask_preset: RwSignal::new(MaskPreset::default()),
            role: RwSignal::new(Role::default()),
            raw: RwSignal::new(false),
            visibility: RwSignal::new(Visibility::default()),
            small_cells: RwSignal::new(None),
            audit: RwSignal::new(Vec::new()),
            workspace: RwSignal::new(None),
            schema: RwSignal::new(Vec::new()),
            recipes: RwSignal::new(BTreeMap::new()),
            rfm: RfmExtras::default(),
            members: MemberLists::default(),
            file: StoredValue::new_local(None),
            pool: StoredValue::new_local(Pool::new(browser::cores())),
            job: StoredValue::new(0),
        }
    }

    fn pool(&self) -> Rc<Pool> {
        self.pool.get_value()
    }

    /// Starts a new job; older jobs' answers are ignored.
    fn next_job(&self) -> u64 {
        self.job.update_value(|j| *j += 1);
        self.job.get_value()
    }

    fn is_current(&self, job: u64) -> bool {
        self.job.get_value() == job
    }

    fn fail(&self, job: u64, e: JobError) {
        if !self.is_current(job) {
            return;
        }
        self.status.set(match e {
            JobError::Cancelled => Status::Cancelled,
            e => Status::Failed(e),
        });
    }

    /// Takes a new file: probes it, and runs at once when the mapping is sure.
    pub fn open_file(self, file: Blob) {
        self.open_sheet(file, None);
    }

    /// Reads another sheet of the workbook on screen.
    pub fn choose_sheet(self, sheet: String) {
        if let Some(file) = self.file.get_value() {
            self.open_sheet(file, Some(sheet));
        }
    }

    fn open_sheet(self, file: Blob, sheet: Option<String>) {
        if matches!(self.status.get_untracked(), Status::Running { .. } | Status::Probing) {
            self.pool().cancel();
        }
        let job = self.next_job();
        self.file.set_value(Some(file.clone()));
        self.result.set(None);
        self.probe.set(None);
        self.cleaned.set(None);
        self.params.update(|p| p.snapshot = None);
        self.status.set(Status::Probing);
        let pool = self.pool();
        spawn_local(async move {
            match job::probe(&pool, &file, sheet).await {
                Ok(mut p) => {
                    if !self.is_current(job) {
                        return;
                    }
                    // Read as the kind the headers suggest; column choices saved for
                    // these headers last time are applied again.
                    let kind = p.detected;
                    let reapplied = map_as(&mut p, kind).await;
                    if !self.is_current(job) {
                        return;
                    }
                    self.mapping_reapplied.set(reapplied);
                    // Only an orders table is scored, and at once only when its mapping is sure.
                    let sure = kind == SourceKind::Orders && p.mapping.is_confident(AUTO_RUN);
                    self.kind.set(kind);
                    self.probe.set(Some(p));
                    if sure {
                        self.run();
                    } else {
                        self.status.set(Status::Mapping);
                    }
                }
                Err(e) => self.fail(job, e),
            }
        });
    }

    /// Generates the sample data in a worker and opens it like a picked file.
    pub fn load_sample(self) {
        let job = self.next_job();
        self.status.set(Status::Probing);
        let pool = self.pool();
        spawn_local(async move {
            match job::sample(&pool).await {
                Ok(bytes) => {
                    if !self.is_current(job) {
                        return;
                    }
                    match browser::file_from_bytes(&bytes, "sample_orders.csv", "text/csv") {
                        Ok(f) => self.open_file(f.into()),
                        Err(m) => self.fail(job, JobError::Worker(m)),
                    }
                }
                Err(e) => self.fail(job, e),
            }
        });
    }

    /// Reads the whole file with the current mapping and scores it.
    pub fn run(self) {
        let (Some(file), Some(probe)) = (self.file.get_value(), self.probe.get_untracked()) else {
            return;
        };
        let job = self.next_job();
        let params = self.params.get_untracked();
        self.result.set(None);
        self.pareto.set(None);
        self.status.set(Status::Running { phase: Phase::Reading, fraction: 0.0 });
        let pool = self.pool();
        let progress: Rc<dyn Fn(Phase, f64)> = Rc::new(move |phase, fraction| {
            if self.is_current(job) {
                self.status.set(Status::Running { phase, fraction: fraction.min(1.0) });
            }
        });
        spawn_local(async move {
            match job::run_rfm(&pool, &file, &probe, params, progress).await {
                Ok(view) if self.is_current(job) => {
                    // Settings restored from a workspace while the file was read are not lost.
                    let wanted = RfmParams { snapshot: view.params.snapshot, ..self.params.get_untracked() };
                    let restored = (wanted != view.params).then_some(wanted);
                    self.params.set(view.params.clone());
                    self.members.forget(MemberSource::is_rfm);
                    self.rfm.migration.set(None);
                    self.result.set(Some(view));
                    self.status.set(Status::Done);
                    // Pareto does not depend on the RFM parameters: once per run.
                    match job::pareto(&pool).await {
                        Ok(p) if self.is_current(job) => self.pareto.set(Some(p)),
                        _ => {}
                    }
                    if let Some(params) = restored.filter(|_| self.is_current(job)) {
                        self.rescore(params);
                    }
                }
                Ok(_) => {}
                Err(e) => self.fail(job, e),
            }
        });
    }

    /// Reads the file on screen as another kind: its columns are mapped
    /// anew for that kind (with the choices saved for these headers).
    pub fn set_kind(self, kind: SourceKind) {
        self.kind.set(kind);
        self.cleaned.set(None);
        let Some(mut p) = self.probe.get_untracked().filter(|p| p.mapping.kind != kind) else { return };
        spawn_local(async move {
            map_as(&mut p, kind).await;
            // Unless another file or kind was chosen meanwhile.
            let same = self.probe.with_untracked(|q| q.as_ref().is_some_and(|q| q.file == p.file && q.size == p.size));
            if same && self.kind.get_untracked() == kind {
                self.probe.set(Some(p));
            }
        });
    }

    /// The user chose `column` for `field` of the file on screen; the choice
    /// is saved (field → header only) for files with the same headers.
    pub fn set_column(self, field: Field, column: Option<usize>) {
        self.cleaned.set(None);
        self.probe.update(|p| {
            if let Some(p) = p {
                p.mapping.set(field, column);
                let choices = p.mapping.user_choices(&p.headers);
                if !choices.is_empty() {
                    browser::save_mapping(&p.headers, &choices);
                }
            }
        });
    }

    /// The recipe tables of `kind` are cleaned with: the user's, else the
    /// default for the file on screen's mapping.
    pub fn recipe(self, kind: SourceKind) -> Recipe {
        if let Some(r) = self.recipes.with_untracked(|r| r.get(&kind).cloned()) {
            return r;
        }
        self.probe.with_untracked(|p| match p {
            Some(p) if p.mapping.kind == kind => Recipe::default_for(kind, &p.mapping),
            _ => Recipe::default_for(kind, &auto_map(kind, &[])),
        })
    }

    /// Makes `recipe` (`None`: back to the default) the recipe of every table
    /// of `kind`: the file on screen is cleaned again (reusing what the edit
    /// does not touch), and so is every source of that kind — no other.
    /// A recipe with errors is kept for editing but not run.
    pub fn set_recipe(self, kind: SourceKind, recipe: Option<Recipe>) {
        self.recipes.update(|r| match &recipe {
            Some(x) => {
                r.insert(kind, x.clone());
            }
            None => {
                r.remove(&kind);
            }
        });
        let runnable = self.probe.with_untracked(|p| match (p, &recipe) {
            (Some(p), Some(r)) if p.mapping.kind == kind => {
                !r.check(&p.headers, &p.mapping).iter().any(|x| x.is_error())
            }
            _ => true,
        });
        if !runnable {
            return;
        }
        if self.kind.get_untracked() == kind && self.cleaned.with_untracked(Option::is_some) {
            self.run_clean();
        }
        // The worker keeps the recipe for sources added later, too.
        let pool = self.pool();
        self.spawn_busy(async move {
            match job::set_recipe(&pool, kind, recipe.as_ref()).await {
                Ok(views) if views.is_empty() => {}
                Ok(views) => {
                    views.into_iter().for_each(|v| self.show_source(v));
                    self.unify_now(&pool).await
                }
                Err(e) => self.sources_error.set(Some(e)),
            }
        });
    }

    /// Cleans the file as a table of the chosen kind, with its recipe. The
    /// report on screen stays until the new one arrives.
    pub fn run_clean(self) {
        let (Some(file), Some(probe)) = (self.file.get_value(), self.probe.get_untracked()) else { return };
        let kind = self.kind.get_untracked();
        let recipe = self.recipes.with_untracked(|r| r.get(&kind).cloned());
        self.cleaning.set(true);
        let pool = self.pool();
        spawn_local(async move {
            let outcome = job::clean(&pool, &file, &probe, kind, recipe.as_ref()).await;
            self.cleaning.set(false);
            match outcome {
                Ok(view) => self.cleaned.set(Some(view)),
                Err(JobError::Cancelled) => self.status.set(Status::Cancelled),
                Err(e) => self.status.set(Status::Failed(e)),
            }
        });
    }

    /// Stops whatever runs.
    pub fn cancel(self) {
        self.next_job();
        self.pool().cancel();
        self.status.set(Status::Cancelled);
    }

    /// Re-scores with new parameters (snapshot, preset) without re-reading.
    pub fn rescore(self, params: RfmParams) {
        self.params.set(params.clone());
        if self.result.get_untracked().is_none() {
            return;
        }
        let job = self.next_job();
        let pool = self.pool();
        spawn_local(async move {
            match job::rescore(&pool, params).await {
                Ok(view) if self.is_current(job) => {
                    self.members.forget(MemberSource::is_rfm);
                    self.result.set(Some(view));
                    self.status.set(Status::Done);
                }
                Ok(_) => {}
                Err(e) => self.fail(job, e),
            }
        });
    }

    /// Downloads an export built by the worker.
    pub fn export(self, what: Export) {
        let lang = self.lang.get_untracked();
        let pool = self.pool();
        self.download(async move { job::export(&pool, what, lang).await });
    }

    /// Saves the file an export job builds.
    fn download(
        self,
        built: impl std::future::Future<Output = Result<(String, js_sys::Uint8Array), JobError>> + 'static,
    ) {
        spawn_local(async move {
            match built.await {
                Ok((name, bytes)) => {
                    let mime = if name.ends_with(".xlsx") {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    } else if name.ends_with(".json") {
                        "application/json"
                    } else {
                        "text/csv;charset=utf-8"
                    };
                    if let Err(m) = browser::download(&bytes, &name, mime) {
                        self.status.set(Status::Failed(JobError::Worker(m)));
                    }
                }
                Err(e) => self.status.set(Status::Failed(e)),
            }
        });
    }

    /// Runs `work` in the background with the sources marked busy from now
    /// until it ends, its follow-up steps (the view joined again) included,
    /// so nothing reads the page half-updated.
    fn spawn_busy(self, work: impl Future<Output = ()> + 'static) {
        spawn_local(self.while_busy(work));
    }

    /// `work`, with the sources marked busy from this call until it ends.
    fn while_busy<F: Future>(self, work: F) -> impl Future<Output = F::Output> {
        self.sources_busy.update(|n| *n += 1);
        async move {
            let out = work.await;
            self.sources_busy.update(|n| *n = n.saturating_sub(1));
            out
        }
    }

    /// Adds files as sources of the customer view: each is probed, read as
    /// the kind its headers suggest, cleaned and kept (in worker 0), one
    /// after another; the view is then joined again.
    pub fn add_sources(self, files: Vec<Blob>) {
        let pool = self.pool();
        self.sources_error.set(None);
        self.spawn_busy(async move {
            for file in files {
                let added = match job::probe(&pool, &file, None).await {
                    Ok(mut probe) => {
                        let kind = probe.detected;
                        map_as(&mut probe, kind).await;
                        self.keep_source(&pool, file, probe, kind).await
                    }
                    Err(e) => Err(e),
                };
                if let Err(e) = added {
                    self.sources_error.set(Some(e));
                }
            }
            self.unify_now(&pool).await;
        });
    }

    async fn keep_source(self, pool: &Pool, file: Blob, probe: Probe, kind: SourceKind) -> Result<(), JobError> {
        let view = job::add_source(pool, &file, &probe, kind).await?;
        self.show_source(view);
        Ok(())
    }

    fn show_source(self, view: SourceView) {
        self.sources.update(|list| match list.iter_mut().find(|s| s.file == view.file) {
            Some(s) => *s = view,
            None => list.push(view),
        });
    }

    /// Generates every sample table and adds them all as sources.
    pub fn load_sample_sources(self) {
        let pool = self.pool();
        self.spawn_busy(async move {
            match job::sample_all(&pool).await {
                Ok(tables) => {
                    let files: Result<Vec<Blob>, String> = tables
                        .iter()
                        .map(|(name, bytes)| browser::file_from_bytes(bytes, name, "text/csv").map(Blob::from))
                        .collect();
                    match files {
                        Ok(files) => self.add_sources(files),
                        Err(m) => self.sources_error.set(Some(JobError::Worker(m))),
                    }
                }
                Err(e) => self.sources_error.set(Some(e)),
            }
        });
    }

    /// Reads a source again as another kind (only that source is cleaned again).
    pub fn set_source_kind(self, file: String, kind: SourceKind) {
        self.reread_source(move |pool| async move { job::set_source_kind(&pool, file, kind).await });
    }

    /// Runs `work` (a source read again in the worker), shows the source and joins the view again.
    fn reread_source<F, Fut>(self, work: F)
    where
        F: FnOnce(Rc<Pool>) -> Fut + 'static,
        Fut: std::future::Future<Output = Result<SourceView, JobError>> + 'static,
    {
        let pool = self.pool();
        self.sources_error.set(None);
        self.spawn_busy(async move {
            match work(pool.clone()).await {
                Ok(view) => {
                    self.show_source(view);
                    self.unify_now(&pool).await
                }
                Err(e) => self.sources_error.set(Some(e)),
            }
        });
    }

    /// The user chose `column` for `field` of a source: it is read and
    /// cleaned again with that mapping (and the choice saved for files with
    /// the same headers), then the view is joined again.
    pub fn set_source_column(self, file: String, field: Field, column: Option<usize>) {
        let Some(source) = self.sources.get_untracked().into_iter().find(|s| s.file == file) else { return };
        let mut mapping = source.mapping;
        mapping.set(field, column);
        let choices = mapping.user_choices(&source.headers);
        if !choices.is_empty() {
            browser::save_mapping(&source.headers, &choices);
        }
        self.reread_source(move |pool| async move { job::set_source_mapping(&pool, file, mapping).await });
    }

    /// Removes a source and joins the rest again.
    pub fn remove_source(self, file: String) {
        let pool = self.pool();
        self.sources.update(|list| list.retain(|s| s.file != file));
        spawn_local(async move {
            match job::remove_source(&pool, file).await {
                Ok(()) => self.unify_now(&pool).await,
                Err(e) => self.sources_error.set(Some(e)),
            }
        });
    }

    /// Confirms or withdraws the merge proposal at position `i` of the list shown.
    pub fn toggle_merge(self, i: usize) {
        self.rejoin(UnifyChange::ToggleMerge(i as u32));
    }

    /// Undoes the id match at position `i` of the list shown.
    pub fn undo_match(self, i: usize) {
        self.rejoin(UnifyChange::UndoMatch(i as u32));
    }

    /// Restores the undone match at position `i` of the undone list.
    pub fn restore_match(self, i: usize) {
        self.rejoin(UnifyChange::RestoreMatch(i as u32));
    }

    fn rejoin(self, change: UnifyChange) {
        let pool = self.pool();
        self.spawn_busy(async move { self.join_view(&pool, change).await });
    }

    async fn unify_now(self, pool: &Pool) {
        self.unify_with(pool, UnifyChange::None).await
    }

    /// Marks a column (by header) as personal data or not; removing a mark
    /// detection set shows raw values, so only a role that may do that can.
    pub fn set_mark(self, header: String, mark: MarkChoice) {
        if mark == MarkChoice::NotPersonal && !self.role.get_untracked().may_show_raw() {
            return;
        }
        let pool = self.pool();
        self.spawn_busy(async move {
            match job::set_mark(&pool, header, mark).await {
                Ok(()) => {
                    self.crosstab.set(None);
                    self.unify_now(&pool).await
                }
                Err(e) => self.sources_error.set(Some(e)),
            }
        });
    }

    async fn unify_with(self, pool: &Pool, change: UnifyChange) {
        self.while_busy(self.join_view(pool, change)).await
    }

    /// The steps of [`AppState::unify_with`].
    async fn join_view(self, pool: &Pool, change: UnifyChange) {
        if let Ok(schema) = job::schema(pool).await {
            self.schema.set(schema);
        }
        if self.sources.get_untracked().is_empty() {
            self.unified.set(None);
            self.refresh_analyses(pool).await;
            return;
        }
        match job::unify(pool, change).await {
            Ok(view) => {
                self.crosstab.set(None);
                // Tags and profiles are made on the unified view: any change to it makes them stale.
                self.analyses.tags.set(None);
                self.analyses.tag_names.set(Vec::new());
                self.analyses.profiles.set(None);
                self.unified.set(Some(view));
                if change == UnifyChange::None {
                    self.refresh_analyses(pool).await;
                }
            }
            Err(e) => self.sources_error.set(Some(e)),
        }
    }

    /// Cross-tabulates two columns of the unified customer table.
    pub fn run_crosstab(self, params: CrosstabParams) {
        let pool = self.pool();
        self.spawn_busy(async move {
            let outcome = job::crosstab(&pool, &params).await;
            self.crosstab.set(Some(outcome));
        });
    }

    /// Changes how personal data is shown and exported; raw values only for
    /// a role that may see them, and every reveal is recorded.
    pub fn set_masking(self, preset: MaskPreset, raw: bool) {
        let role = self.role.get_untracked();
        let raw = raw && role.may_show_raw();
        if raw != self.raw.get_untracked() {
            let action = if raw { AuditAction::ShowRaw } else { AuditAction::Mask };
            self.audit.update(|a| a.push(AuditEntry { at: browser::now_text(), role, action }));
        }
        self.mask_preset.set(preset);
        self.raw.set(raw);
        let pool = self.pool();
        spawn_local(async move {
            match job::set_masking(&pool, preset, raw).await {
                Ok(()) => {
                    self.crosstab.set(None);
                    self.unify_now(&pool).await
                }
                Err(e) => self.sources_error.set(Some(e)),
            }
        });
    }

    /// Views the page as another role (masked again unless it may see raw
    /// values): everything on screen is made again for it.
    pub fn set_role(self, role: Role) {
        self.role.set(role);
        if self.raw.get_untracked() && !role.may_show_raw() {
            self.set_masking(self.mask_preset.get_untracked(), false);
        }
        self.push_audience();
    }

    /// Whether the role on screen may see an analysis of `kinds`.
    pub fn may_analyse(self, kinds: &[SourceKind]) -> bool {
        let role = self.role.get();
        self.visibility.with(|v| v.of(role).may_analyse(kinds))
    }

    /// Changes what `role` sees of `field` (`None`: the other columns); only the admin may.
    pub fn set_visibility(self, role: Role, field: Option<Field>, access: Access) {
        if !self.role.get_untracked().may_edit_visibility() {
            return;
        }
        self.visibility.update(|v| v.set(role, field, access));
        self.push_audience();
    }

    /// Puts back the built-in visibility of every role; only the admin may.
    pub fn reset_visibility(self) {
        if !self.role.get_untracked().may_edit_visibility() {
            return;
        }
        self.visibility.set(Visibility::default());
        self.push_audience();
    }

    /// Sets the small-cell protection of exported reports.
    pub fn set_small_cells(self, params: Option<SmallCellParams>) {
        self.small_cells.set(params);
        self.push_audience();
    }

    /// Tells the worker whom the page is for, then shows everything again as
    /// that audience may see it: sources, the file previewed, the cleaning
    /// run, the RFM result, the customer view; analyses are run again by hand.
    fn push_audience(self) {
        let (role, visibility, small_cells) =
            (self.role.get_untracked(), self.visibility.get_untracked(), self.small_cells.get_untracked());
        let pool = self.pool();
        self.spawn_busy(async move { self.show_audience(&pool, role, visibility, small_cells).await });
    }

    /// The steps of [`AppState::push_audience`].
    async fn show_audience(
        self,
        pool: &Pool,
        role: Role,
        visibility: Visibility,
        small_cells: Option<SmallCellParams>,
    ) {
        match job::set_audience(pool, role, visibility, small_cells).await {
            Ok(views) => self.sources.set(views),
            Err(e) => {
                self.sources_error.set(Some(e));
                return;
            }
        }
        if let (Some(file), Some(p)) = (self.file.get_value(), self.probe.get_untracked()) {
            if let Ok(fresh) = job::probe(pool, &file, p.sheet.clone()).await {
                self.probe.update(|p| {
                    if let Some(p) = p {
                        p.sample = fresh.sample;
                        for (col, f) in p.columns.iter_mut().zip(fresh.columns) {
                            col.samples = f.samples;
                        }
                    }
                });
            }
        }
        if self.cleaned.get_untracked().is_some() {
            self.run_clean();
        }
        if self.result.get_untracked().is_some() {
            self.rescore(self.params.get_untracked());
        }
        self.pareto.set(None);
        self.unify_now(pool).await;
    }

    /// Seals the sources, decisions, masking preset, tags and the RFM editor's
    /// settings (parameters and edited actions) with `passphrase` and downloads the file.
    pub fn save_workspace(self, passphrase: String) {
        if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
            self.workspace.set(Some(Ok(WorkspaceDone::TooShort)));
            return;
        }
        if self.sources.get_untracked().is_empty() {
            self.workspace.set(Some(Ok(WorkspaceDone::Nothing)));
            return;
        }
        let rfm = match RfmSettings::new(self.params.get_untracked(), self.rfm.actions.get_untracked()) {
            Ok(r) => r,
            Err(e) => {
                self.workspace.set(Some(Err(JobError::Engine(WorkspaceError::from(e).into()))));
                return;
            }
        };
        let pool = self.pool();
        let files = self.sources.get_untracked().len();
        let defs: Vec<TagDef> = self.analyses.tag_drafts.with_untracked(|v| v.iter().map(|d| d.def.clone()).collect());
        let tags_json = serde_json::to_string(&defs).ok();
        self.spawn_busy(async move {
            let outcome = job::save_workspace(&pool, passphrase, tags_json, Some(rfm)).await;
            self.workspace.set(Some(outcome.and_then(|(name, bytes)| {
                let size = bytes.length() as u64;
                browser::download(&bytes, &name, "application/octet-stream").map_err(JobError::Worker)?;
                Ok(WorkspaceDone::Saved { files, bytes: size })
            })));
        });
    }

    /// Opens a workspace file: its sources replace the current ones, all or none.
    pub fn open_workspace(self, file: Blob, passphrase: String) {
        let pool = self.pool();
        self.spawn_busy(async move {
            match job::open_workspace(&pool, &file, passphrase).await {
                Ok(opened) => {
                    let files = opened.sources.len();
                    self.sources.set(opened.sources);
                    self.mask_preset.set(opened.mask_preset);
                    self.recipes.set(opened.recipes);
                    self.visibility.set(opened.visibility);
                    self.small_cells.set(opened.small_cells);
                    if let Some(defs) = opened.tags {
                        self.analyses.tag_drafts.set(TagDraft::list(defs, 0));
                    }
                    if let Some(rfm) = opened.rfm {
                        self.restore_rfm(rfm);
                    }
                    self.sources_error.set(None);
                    self.workspace.set(Some(Ok(WorkspaceDone::Opened { files })));
                    self.unify_now(&pool).await;
                }
                Err(e) => self.workspace.set(Some(Err(e))),
            }
        });
    }

    /// Puts a workspace's RFM settings back in the editor: its edited actions,
    /// and its parameters with the snapshot of the file on screen (the result
    /// on screen is scored again with them; a file read later uses them).
    fn restore_rfm(self, rfm: RfmSettings) {
        self.rfm.actions.set(rfm.actions);
        let snapshot = self.params.with_untracked(|p| p.snapshot);
        self.rescore(RfmParams { snapshot, ..rfm.params });
    }

    /// Forgets the analyses shown (the sources changed) and lists the event types anew.
    async fn refresh_analyses(self, pool: &Pool) {
        let a = self.analyses;
        a.forget_filtered();
        a.tags.set(None);
        a.profiles.set(None);
        let has_events = self.sources.get_untracked().iter().any(|s| s.kind == SourceKind::Events);
        let types = if has_events {
            job::analysis::<Vec<ValueCount>>(pool, Analysis::EventTypes, String::new()).await.unwrap_or_default()
        } else {
            Vec::new()
        };
        a.event_types.set(types);
    }

    /// Narrows every analysis of the sources to a date range and a tag's or
    /// segment's customers; the results shown are made again by hand.
    pub fn set_filter(self, choice: FilterChoice) {
        let pool = self.pool();
        self.analyses.filter.set(choice.clone());
        self.analyses.busy.update(|n| *n += 1);
        spawn_local(async move {
            let outcome = job::set_filter(&pool, choice).await;
            self.analyses.busy.update(|n| *n = n.saturating_sub(1));
            if outcome.is_ok() {
                self.analyses.forget_filtered();
                // Lists of the analyses the filter narrows are stale (the RFM's are not narrowed).
                self.members.forget(|x| list_analysis(x).is_some());
                self.crosstab.set(None);
            }
            self.analyses.filtered.set(Some(outcome));
        });
    }

    /// Evaluates the tag definitions in the worker; shows the result and keeps its tags' names for the filter.
    pub fn run_tags(self, params: TagParams) {
        let names = self.analyses.tag_names;
        self.run_analysis_then(Analysis::Tags, &params, self.analyses.tags, move |got: &TagsView| {
            names.set(got.report.tags.iter().map(|t| t.name.clone()).collect());
        });
    }

    /// Runs a time-based analysis of the sources in the worker and shows its result in `target`.
    pub fn run_analysis<T>(self, which: Analysis, params: &impl serde::Serialize, target: Outcome<T>)
    where
        T: serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        self.run_analysis_then(which, params, target, |_: &T| {});
    }

    /// [`AppState::run_analysis`], then `done` with the result when there is one.
    fn run_analysis_then<T>(
        self,
        which: Analysis,
        params: &impl serde::Serialize,
        target: Outcome<T>,
        done: impl FnOnce(&T) + 'static,
    ) where
        T: serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        let pool = self.pool();
        let params_json = serde_json::to_string(params).unwrap_or_default();
        // A list of the result made again is stale.
        let m = self.members;
        if m.asked.get_untracked().is_some_and(|x| list_analysis(&x) == Some(which)) {
            m.forget(|_| true);
        }
        target.set(None);
        self.analyses.busy.update(|n| *n += 1);
        spawn_local(async move {
            let outcome = job::analysis::<T>(&pool, which, params_json).await;
            self.analyses.busy.update(|n| *n = n.saturating_sub(1));
            if let Ok(got) = &outcome {
                done(got);
            }
            target.set(Some(outcome));
        });
    }
}

/// Maps the probed file's columns for a table of `kind`, then applies the
/// column choices saved for these headers (those of fields `kind` has);
/// tells whether there were any.
async fn map_as(p: &mut Probe, kind: SourceKind) -> bool {
    if p.mapping.kind != kind {
        p.mapping = auto_map(kind, &p.headers);
    }
    let saved: Vec<_> =
        browser::load_mapping(&p.headers).await.unwrap_or_default().into_iter().filter(|(f, _)| kind.has(*f)).collect();
    !saved.is_empty() && p.mapping.apply_overrides(&saved, &p.headers).is_ok()
}

/// The shortest passphrase a workspace is sealed with.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// What a workspace action did.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkspaceDone {
    /// Sealed and downloaded.
    Saved {
        /// Files in it.
        files: usize,
        /// Its size.
        bytes: u64,
    },
    /// Opened.
    Opened {
        /// Files restored.
        files: usize,
    },
    /// Not saved: the passphrase is too short.
    TooShort,
    /// Not saved: there are no sources.
    Nothing,
}

/// A recorded change of what is shown.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// Local time, as text.
    pub at: String,
    /// The role that did it.
    pub role: Role,
    /// What.
    pub action: AuditAction,
}

/// What was changed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AuditAction {
    /// Raw values shown.
    ShowRaw,
    /// Masked again.
    Mask,
}

/// The analysis of the sources a list is of (none for the RFM result's).
fn list_analysis(of: &MemberSource) -> Option<Analysis> {
    match of {
        MemberSource::Cohort { .. } => Some(Analysis::Cohorts),
        MemberSource::Profile { .. } => Some(Analysis::Profiles),
        MemberSource::FunnelDropped { .. } => Some(Analysis::Funnel),
        MemberSource::RfCell { .. } | MemberSource::Migration { .. } => None,
    }
}

/// A customer list behind a figure, shown in the card it belongs to, and
/// the last tag made of one. Page state only: never saved.
#[derive(Clone, Copy)]
pub struct MemberLists {
    /// The list (or why it could not be made).
    pub list: Outcome<CustomerListView>,
    /// What was last asked for (the card that shows the list or its error).
    pub asked: RwSignal<Option<MemberSource>>,
    /// What the list is of, in words (its title and the tag name's default).
    pub title: RwSignal<String>,
    /// The last tag saved from a list (or why it could not be).
    pub saved: Outcome<MembersTag>,
}

impl MemberLists {
    /// Forgets the list when it is of a result made again (`of` says which).
    pub fn forget(self, of: fn(&MemberSource) -> bool) {
        if self.asked.get_untracked().is_some_and(|x| of(&x)) {
            self.asked.set(None);
            self.list.set(None);
            self.saved.set(None);
        }
    }
}

impl Default for MemberLists {
    fn default() -> MemberLists {
        MemberLists {
            list: RwSignal::new(None),
            asked: RwSignal::new(None),
            title: RwSignal::new(String::new()),
            saved: RwSignal::new(None),
        }
    }
}

/// The RFM editor's state (M8): the user's suggested actions, the R × F cell
/// shown and the migration. The actions are saved with a workspace (with the
/// parameters, [`RfmSettings`]); the rest is page state only.
#[derive(Clone, Copy)]
pub struct RfmExtras {
    /// Suggested actions the user wrote, by segment key.
    pub actions: RwSignal<BTreeMap<String, String>>,
    /// The segment migration (or why it could not be made).
    pub migration: Outcome<crate::engine::analyze::migration::Migration>,
    /// Whether a migration is being computed.
    pub migrating: RwSignal<bool>,
}

impl Default for RfmExtras {
    fn default() -> RfmExtras {
        RfmExtras {
            actions: RwSignal::new(BTreeMap::new()),
            migration: RwSignal::new(None),
            migrating: RwSignal::new(false),
        }
    }
}

impl AppState {
    /// Lists the customers behind a figure on screen; `title` names it (and is the tag name's default).
    pub fn show_members(self, of: MemberSource, title: String) {
        let (pool, lang) = (self.pool(), self.lang.get_untracked());
        let m = self.members;
        m.asked.set(Some(of));
        m.title.set(title);
        m.list.set(None);
        m.saved.set(None);
        spawn_local(async move {
            let got = job::members(&pool, of, lang).await;
            m.list.set(Some(got));
        });
    }

    /// Makes a tag of the customers behind a figure, adds it to the tag
    /// definitions and evaluates the tags again (coverage, overlap, filter).
    pub fn save_members_tag(self, of: MemberSource, name: String, dimension: Dimension, level: Level) {
        let (pool, m, drafts) = (self.pool(), self.members, self.analyses.tag_drafts);
        let tag = name.trim().to_string();
        if drafts.with_untracked(|v| v.iter().any(|d| d.def.name.trim() == tag)) {
            m.saved.set(Some(Err(JobError::Engine(TagError::DuplicateName { tag }.into()))));
            return;
        }
        m.saved.set(None);
        spawn_local(async move {
            let got = job::members_tag(&pool, Request::MembersTag { of, name, dimension, level }).await;
            if let Ok(saved) = &got {
                let key = drafts.with_untracked(|v| v.iter().map(|d| d.key + 1).max().unwrap_or(0));
                drafts.update(|v| v.push(TagDraft { key, def: saved.def.clone() }));
                let defs: Vec<TagDef> = drafts.with_untracked(|v| v.iter().map(|d| d.def.clone()).collect());
                let tags_json = serde_json::to_string(&defs).unwrap_or_default();
                self.run_tags(TagParams { tags_json, as_of: self.analyses.tags_as_of.get_untracked() });
            }
            m.saved.set(Some(got));
        });
    }

    /// Computes the segment migration from snapshot `from` to `to` with the parameters in force.
    pub fn migrate(self, from: crate::engine::date::Day, to: crate::engine::date::Day) {
        let (Some(file), Some(probe)) = (self.file.get_value(), self.probe.get_untracked()) else { return };
        let (pool, params) = (self.pool(), self.params.get_untracked());
        self.rfm.migrating.set(true);
        spawn_local(async move {
            let got = job::migrate(&pool, &file, &probe, params, from, to).await;
            self.rfm.migrating.set(false);
            self.rfm.migration.set(Some(got));
        });
    }

    /// Downloads the segment summary with the user's suggested actions.
    pub fn export_segments(self) {
        let lang = self.lang.get_untracked();
        let actions = self.rfm.actions.get_untracked().into_iter().collect();
        let pool = self.pool();
        self.download(async move {
            job::export_request(&pool, crate::protocol::Request::ExportSegments { lang, actions }).await
        });
    }
}
