//! The app's state and the actions that change it. Signals hold what is
//! shown; the worker pool and the picked file live beside them.

use super::browser;
use super::job::{self, Export, JobError, Phase};
use super::workers::Pool;
use crate::engine::analyze::activity::Activity;
use crate::engine::analyze::cohort::Cohorts;
use crate::engine::analyze::crosstab::{Crosstab, CrosstabParams};
use crate::engine::analyze::distribution::ValueCount;
use crate::engine::analyze::funnel::Funnel;
use crate::engine::analyze::pareto::Pareto;
use crate::engine::analyze::rfm::RfmParams;
use crate::engine::analyze::satisfaction::Satisfaction;
use crate::engine::ingest::fields::Confidence;
use crate::engine::ingest::fields::SourceKind;
use crate::engine::ingest::probe::Probe;
use crate::i18n::Lang;
use crate::protocol::{Analysis, CleanView, RfmView, SourceView, UnifyChange, UnifyView};
use leptos::prelude::*;
use leptos::task::spawn_local;
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
    /// The event types of the events source (steps a funnel can use).
    pub event_types: RwSignal<Vec<ValueCount>>,
    /// Analyses under way.
    pub busy: RwSignal<u32>,
}

impl Default for Analyses {
    fn default() -> Analyses {
        Analyses {
            cohorts: RwSignal::new(None),
            satisfaction: RwSignal::new(None),
            funnel: RwSignal::new(None),
            activity: RwSignal::new(None),
            event_types: RwSignal::new(Vec::new()),
            busy: RwSignal::new(0),
        }
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
    source_files: StoredValue<Vec<(Blob, Probe)>, LocalStorage>,
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
            source_files: StoredValue::new_local(Vec::new()),
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
            match job::probe(&pool, &file).await {
                Ok(p) => {
                    if !self.is_current(job) {
                        return;
                    }
                    let sure = p.mapping.is_confident(AUTO_RUN);
                    self.kind.set(p.detected);
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
                    self.params.set(view.params);
                    self.result.set(Some(view));
                    self.status.set(Status::Done);
                    // Pareto does not depend on the RFM parameters: once per run.
                    match job::pareto(&pool).await {
                        Ok(p) if self.is_current(job) => self.pareto.set(Some(p)),
                        _ => {}
                    }
                }
                Ok(_) => {}
                Err(e) => self.fail(job, e),
            }
        });
    }

    /// Cleans the file as a table of the chosen kind (default recipe).
    pub fn run_clean(self) {
        let (Some(file), Some(probe)) = (self.file.get_value(), self.probe.get_untracked()) else { return };
        let kind = self.kind.get_untracked();
        self.cleaned.set(None);
        self.cleaning.set(true);
        let pool = self.pool();
        spawn_local(async move {
            let outcome = job::clean(&pool, &file, &probe, kind).await;
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
        self.params.set(params);
        if self.result.get_untracked().is_none() {
            return;
        }
        let job = self.next_job();
        let pool = self.pool();
        spawn_local(async move {
            match job::rescore(&pool, params).await {
                Ok(view) if self.is_current(job) => {
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
        spawn_local(async move {
            match job::export(&pool, what, lang).await {
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

    /// Adds files as sources of the customer view: each is probed, read as
    /// the kind its headers suggest, cleaned and kept (in worker 0), one
    /// after another; the view is then joined again.
    pub fn add_sources(self, files: Vec<Blob>) {
        let pool = self.pool();
        self.sources_error.set(None);
        self.sources_busy.update(|n| *n += files.len() as u32);
        spawn_local(async move {
            for file in files {
                let added = match job::probe(&pool, &file).await {
                    Ok(probe) => {
                        let kind = probe.detected;
                        self.keep_source(&pool, file, probe, kind).await
                    }
                    Err(e) => Err(e),
                };
                self.sources_busy.update(|n| *n = n.saturating_sub(1));
                if let Err(e) = added {
                    self.sources_error.set(Some(e));
                }
            }
            self.unify_now(&pool).await;
        });
    }

    async fn keep_source(self, pool: &Pool, file: Blob, probe: Probe, kind: SourceKind) -> Result<(), JobError> {
        let view = job::add_source(pool, &file, &probe, kind).await?;
        self.source_files.update_value(|v| {
            v.retain(|(_, p)| p.file != probe.file);
            v.push((file, probe));
        });
        self.sources.update(|list| match list.iter_mut().find(|s| s.file == view.file) {
            Some(s) => *s = view,
            None => list.push(view),
        });
        Ok(())
    }

    /// Generates every sample table and adds them all as sources.
    pub fn load_sample_sources(self) {
        let pool = self.pool();
        self.sources_busy.update(|n| *n += 1);
        spawn_local(async move {
            let outcome = job::sample_all(&pool).await;
            self.sources_busy.update(|n| *n = n.saturating_sub(1));
            match outcome {
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
        let Some((blob, probe)) = self.source_files.with_value(|v| v.iter().find(|(_, p)| p.file == file).cloned())
        else {
            return;
        };
        let pool = self.pool();
        self.sources_error.set(None);
        self.sources_busy.update(|n| *n += 1);
        spawn_local(async move {
            let outcome = self.keep_source(&pool, blob, probe, kind).await;
            self.sources_busy.update(|n| *n = n.saturating_sub(1));
            match outcome {
                Ok(()) => self.unify_now(&pool).await,
                Err(e) => self.sources_error.set(Some(e)),
            }
        });
    }

    /// Removes a source and joins the rest again.
    pub fn remove_source(self, file: String) {
        let pool = self.pool();
        self.source_files.update_value(|v| v.retain(|(_, p)| p.file != file));
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
        spawn_local(async move { self.unify_with(&pool, change).await });
    }

    async fn unify_now(self, pool: &Pool) {
        self.unify_with(pool, UnifyChange::None).await
    }

    async fn unify_with(self, pool: &Pool, change: UnifyChange) {
        if self.sources.get_untracked().is_empty() {
            self.unified.set(None);
            self.refresh_analyses(pool).await;
            return;
        }
        self.sources_busy.update(|n| *n += 1);
        let outcome = job::unify(pool, change).await;
        self.sources_busy.update(|n| *n = n.saturating_sub(1));
        match outcome {
            Ok(view) => {
                self.crosstab.set(None);
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
        self.sources_busy.update(|n| *n += 1);
        spawn_local(async move {
            let outcome = job::crosstab(&pool, &params).await;
            self.sources_busy.update(|n| *n = n.saturating_sub(1));
            self.crosstab.set(Some(outcome));
        });
    }

    /// Forgets the analyses shown (the sources changed) and lists the event types anew.
    async fn refresh_analyses(self, pool: &Pool) {
        let a = self.analyses;
        a.cohorts.set(None);
        a.satisfaction.set(None);
        a.funnel.set(None);
        a.activity.set(None);
        let has_events = self.sources.get_untracked().iter().any(|s| s.kind == SourceKind::Events);
        let types = if has_events {
            job::analysis::<Vec<ValueCount>>(pool, Analysis::EventTypes, String::new()).await.unwrap_or_default()
        } else {
            Vec::new()
        };
        a.event_types.set(types);
    }

    /// Runs a time-based analysis of the sources in the worker and shows its result in `target`.
    pub fn run_analysis<T>(self, which: Analysis, params: &impl serde::Serialize, target: Outcome<T>)
    where
        T: serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        let pool = self.pool();
        let params_json = serde_json::to_string(params).unwrap_or_default();
        target.set(None);
        self.analyses.busy.update(|n| *n += 1);
        spawn_local(async move {
            let outcome = job::analysis::<T>(&pool, which, params_json).await;
            self.analyses.busy.update(|n| *n = n.saturating_sub(1));
            target.set(Some(outcome));
        });
    }
}
