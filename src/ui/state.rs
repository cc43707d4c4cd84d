//! The app's state and the actions that change it. Signals hold what is
//! shown; the worker pool and the picked file live beside them.

use super::browser;
use super::job::{self, Export, JobError, Phase};
use super::workers::Pool;
use crate::engine::analyze::rfm::RfmParams;
use crate::engine::ingest::fields::Confidence;
use crate::engine::ingest::fields::SourceKind;
use crate::engine::ingest::probe::Probe;
use crate::i18n::Lang;
use crate::protocol::{CleanView, RfmView};
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
                    if let Err(m) = browser::download(&bytes, &name, "text/csv;charset=utf-8") {
                        self.status.set(Status::Failed(JobError::Worker(m)));
                    }
                }
                Err(e) => self.status.set(Status::Failed(e)),
            }
        });
    }
}
