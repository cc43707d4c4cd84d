//! Messages between the page (main thread) and its Web Workers. Bodies are
//! postcard-encoded; files and big byte buffers travel beside them in the
//! JS message (see `ui::workers` and `worker`).
//!
//! A job: `Probe` a file → the user confirms the mapping → `Read` each byte
//! range in a worker (in parallel) → `Merge` the chunk aggregates in worker 0,
//! which keeps the customers for `Rescore` and the exports.

use crate::engine::analyze::compare::{CompareParams, Metric};
use crate::engine::analyze::customers::Customers;
use crate::engine::analyze::members::MemberSource;
use crate::engine::analyze::pareto::Pareto;
use crate::engine::analyze::rfm::{
    rf_grid, Breakpoints, Means, PerMeasure, RfGrid, RfmParams, RfmResult, SegmentSummary, Totals,
};
use crate::engine::clean::run::Quality;
use crate::engine::clean::{Reject, RowAccount};
use crate::engine::date::Day;
use crate::engine::error::EngineError;
use crate::engine::ingest::chunk::ByteRange;
use crate::engine::ingest::fields::{Mapping, SourceKind};
use crate::engine::ingest::orders::OrderColumns;
use crate::engine::ingest::probe::Probe;
use crate::engine::privacy::detect::DetectedBy;
use crate::engine::privacy::mask::MaskPreset;
use crate::engine::privacy::roles::{Role, Visibility};
use crate::engine::privacy::small_cell::SmallCellParams;
use crate::engine::privacy::PersonalKind;
use crate::engine::unify::identity::MergeProposal;
use crate::engine::unify::{IdentityConflict, IdentityMatch, Orphan, SourceLink, UnifySummary};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// A request to a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Look at the attached file.
    Probe {
        /// Sheet to read (workbooks).
        sheet: Option<String>,
    },
    /// Generate the sample orders file.
    Sample {
        /// Customers to generate.
        customers: u32,
        /// Seed.
        seed: u64,
    },
    /// Read (a range of) the attached file and aggregate it per customer.
    Read {
        /// The file's probe (format, encoding, dialect, headers).
        probe: Probe,
        /// Columns to read.
        cols: OrderColumns,
        /// The byte range (text files); `None` reads the whole file.
        range: Option<ByteRange>,
    },
    /// Merge the attached chunk aggregates (in file order) and run RFM —
    /// unless two chunks may have counted the same order: then answer
    /// [`Response::SharedBits`] and wait for [`Request::Settle`].
    Merge {
        /// The file's probe.
        probe: Probe,
        /// RFM parameters.
        params: RfmParams,
    },
    /// List this worker's chunk's order keys on the attached bits.
    KeysOn,
    /// Settle orders counted twice with the attached key lists (in chunk
    /// order), then run RFM.
    Settle {
        /// The file's probe.
        probe: Probe,
        /// RFM parameters.
        params: RfmParams,
    },
    /// Re-run RFM on the merged customers with new parameters.
    Rescore {
        /// RFM parameters.
        params: RfmParams,
    },
    /// Export the per-customer table as CSV.
    ExportCustomers {
        /// Language of segment names.
        lang: Lang,
    },
    /// Export the rows set aside as CSV.
    ExportRejects {
        /// Language of reasons.
        lang: Lang,
    },
    /// Clean the attached file as a table of `kind`.
    Clean {
        /// The file's probe.
        probe: Probe,
        /// What the table holds.
        kind: SourceKind,
        /// The mapping (its kind must be `kind`).
        mapping: Mapping,
        /// The user's recipe as JSON; `None`: the kind's default.
        recipe_json: Option<String>,
    },
    /// Use this recipe (JSON; `None`: the default) for every source of `kind`:
    /// those sources are cleaned again.
    SetRecipe {
        /// The kind.
        kind: SourceKind,
        /// The recipe as JSON.
        recipe_json: Option<String>,
    },
    /// Export one of the cleaning run's files.
    ExportClean {
        /// Which file.
        what: CleanFile,
        /// Language of reasons.
        lang: Lang,
    },
    /// Generate every sample table (customers, orders, tickets, surveys, events, channel totals, touchpoints).
    SampleAll {
        /// Customers to generate.
        customers: u32,
        /// Seed.
        seed: u64,
    },
    /// Read the attached file as a table of `kind`, clean it with the kind's
    /// default recipe and keep it as a source of the customer view (in place
    /// of a source of the same name).
    AddSource {
        /// The file's probe.
        probe: Probe,
        /// What the table holds.
        kind: SourceKind,
    },
    /// Forget a source.
    RemoveSource {
        /// Its file name.
        file: String,
    },
    /// Join the sources kept into the unified customer view, after a change
    /// to the identity decisions (kept in the worker: the page only sees
    /// masked ids, so it names list entries by position).
    Unify {
        /// What the user changed.
        change: UnifyChange,
    },
    /// Read a kept source again as another kind.
    SetSourceKind {
        /// Its file name.
        file: String,
        /// The kind to read it as.
        kind: SourceKind,
    },
    /// The personal columns of every kept source.
    Schema,
    /// Mark a column (by header, in every table) as personal data or not.
    SetMark {
        /// The column's header.
        header: String,
        /// The user's choice.
        mark: MarkChoice,
    },
    /// Read a kept source again with the columns the user chose.
    SetSourceMapping {
        /// Its file name.
        file: String,
        /// The mapping (its kind is the kind to read it as).
        mapping: Mapping,
    },
    /// Seal the kept sources, decisions and masking preset into a workspace file.
    SaveWorkspace {
        /// The passphrase (never stored).
        passphrase: String,
        /// The page's tag definitions (`tags.json`), kept sealed with the rest.
        tags_json: Option<String>,
        /// The RFM editor's parameters and edited actions, kept sealed with the rest.
        rfm: Option<crate::engine::workspace::RfmSettings>,
    },
    /// Open the attached workspace file, replacing the sources.
    OpenWorkspace {
        /// The passphrase.
        passphrase: String,
    },
    /// How personal data is shown and exported from now on.
    SetMasking {
        /// The masking preset.
        preset: MaskPreset,
        /// Show and export raw values instead (an explicit, recorded choice).
        raw: bool,
    },
    /// Whom the page is viewed as and what each role sees, from now on;
    /// answered with the sources as now shown.
    SetAudience {
        /// The role.
        role: Role,
        /// What every role sees.
        visibility: Visibility,
        /// Small groups in exported reports (none: published as they are).
        small_cells: Option<SmallCellParams>,
    },
    /// Narrow what the analyses of the sources read from now on (answered
    /// with a [`FilterView`] as JSON in [`Response::Analysis`]).
    SetFilter {
        /// The choice.
        filter: FilterChoice,
    },
    /// Export one of the unified view's files.
    ExportUnify {
        /// Which file.
        what: UnifyFile,
    },
    /// Pareto analysis of the customers of the last RFM run.
    Pareto,
    /// Export the Pareto ranking (one row per customer).
    ExportPareto,
    /// Cross-tabulate two columns of the unified customer table.
    Crosstab {
        /// The [`crate::engine::analyze::crosstab::CrosstabParams`] as JSON.
        params_json: String,
    },
    /// Run a time-based analysis on the sources kept (see [`Analysis`]).
    Analysis {
        /// Which.
        which: Analysis,
        /// Its parameters as JSON (`CohortParams`, `SatisfactionParams`,
        /// `FunnelParams`, `ActivityParams`; ignored for the event types).
        params_json: String,
    },
    /// Export a table of the last run of an analysis.
    ExportAnalysis {
        /// Which table.
        what: AnalysisFile,
        /// As an XLSX workbook (else CSV).
        xlsx: bool,
        /// The language of labels the engine writes (the small-cell "other" group).
        lang: Lang,
    },
    /// The customers behind a figure of the last results (the first
    /// [`CUSTOMER_LIST_SHOWN`], as they may be shown): an R × F cell (with the
    /// per-customer RFM columns), a migration or cohort cell, a profile row,
    /// a funnel step's drop-outs.
    Members {
        /// Which cell or row.
        of: MemberSource,
        /// Language of segment names.
        lang: Lang,
    },
    /// Export every customer of a list as CSV (as `custlens … --members-out` / `--rf-cell-out` write it).
    ExportMembers {
        /// Which cell or row.
        of: MemberSource,
        /// Language of segment names.
        lang: Lang,
    },
    /// Make a tag of a list's customers (ids of the unified view, joined now
    /// if it is not yet): the definition is answered, for the page to add to
    /// its tag set.
    MembersTag {
        /// Which cell or row.
        of: MemberSource,
        /// The tag's name.
        name: String,
        /// Its dimension.
        dimension: crate::engine::analyze::tags::Dimension,
        /// Its level.
        level: crate::engine::analyze::tags::Level,
    },
    /// Export the segment summary of the last RFM run as CSV.
    ExportSegments {
        /// Language of names and default actions.
        lang: Lang,
        /// The user's suggested actions by segment key.
        actions: Vec<(String, String)>,
    },
    /// Segment migration between two snapshots of the attached orders file (read whole in worker 0).
    Migrate {
        /// The file's probe (mapping).
        probe: Probe,
        /// Breakpoints, weights and segment rules (snapshot unused).
        params: RfmParams,
        /// Snapshot A.
        from: Day,
        /// Snapshot B.
        to: Day,
    },
    /// Export the last migration matrix as CSV.
    ExportMigration {
        /// Language of segment names.
        lang: Lang,
    },
}

/// The time-based analyses of the sources kept, each on the first source of
/// the kind it needs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Analysis {
    /// Cohorts and retention (orders).
    Cohorts,
    /// CSAT, NPS, CES and tickets (surveys, tickets).
    Satisfaction,
    /// A funnel of event steps (events).
    Funnel,
    /// Activity classes (events).
    Activity,
    /// The event types present, most frequent first (events).
    EventTypes,
    /// Channel figures and attribution (channels; orders and customers when present).
    Channels,
    /// Rule-based tags over the unified customers (customers or orders; tickets and events when present).
    Tags,
    /// Customer profiles over the unified customers (customers, orders or events).
    Profiles,
    /// A metric over time: month-on-month, year-on-year or before/after a date
    /// (orders, events, tickets or surveys, by metric; aggregates only).
    Compare,
}

impl Analysis {
    /// The kinds of source it is about: a role may see it when it sees the
    /// required fields of one of them.
    pub fn needs(self) -> &'static [SourceKind] {
        match self {
            Analysis::Cohorts => &[SourceKind::Orders],
            Analysis::Satisfaction => &[SourceKind::Surveys, SourceKind::Tickets],
            Analysis::Funnel | Analysis::Activity | Analysis::EventTypes => &[SourceKind::Events],
            Analysis::Channels => &[SourceKind::Channels],
            Analysis::Tags | Analysis::Profiles => &[SourceKind::Customers, SourceKind::Orders],
            Analysis::Compare => &[SourceKind::Orders, SourceKind::Events, SourceKind::Tickets, SourceKind::Surveys],
        }
    }
}

/// Which rows the analyses of the sources read: a date range, and the
/// customers of a tag (of the last tag run) or an RFM segment (of the RFM result).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoice {
    /// First day (inclusive).
    pub from: Option<Day>,
    /// Last day (inclusive).
    pub to: Option<Day>,
    /// The tag at this position of the last tag run.
    pub tag: Option<u32>,
    /// The segment at this position of the RFM result on screen.
    pub segment: Option<u32>,
}

/// What a filter keeps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterView {
    /// Per source: rows read, kept, and left out for lacking a date.
    pub sources: Vec<crate::engine::analyze::filter::FilteredSource>,
    /// Customers of the tag or segment chosen (their ids as the sources write them).
    pub customers: Option<u64>,
}

/// Parameters of [`Analysis::Tags`], as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TagParams {
    /// The tag definitions as a `tags.json` list.
    pub tags_json: String,
    /// The day the condition windows end on; default the latest day in the tables.
    pub as_of: Option<Day>,
}

/// Customers of a tag listed in the page (the download has all).
pub const TAG_MEMBERS_SHOWN: usize = 100;

/// What the page shows of a tag run (sent as JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagsView {
    /// Coverage and overlap (the member lists left out: they index the worker's customers).
    pub report: crate::engine::analyze::tags::TagReport,
    /// Per tag, its first [`TAG_MEMBERS_SHOWN`] customers' ids as they may be shown.
    pub shown: Vec<Vec<String>>,
    /// Customers carrying at least one tag.
    pub tagged: u64,
}

/// The tables the time-based analyses export.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnalysisFile {
    /// The retention matrix.
    Cohorts,
    /// The satisfaction scores by month.
    Satisfaction,
    /// Tickets per type.
    TicketTypes,
    /// The funnel's steps.
    Funnel,
    /// Every customer who dropped out of the funnel (CSV only, as `custlens funnel --dropped-out`).
    FunnelDropped,
    /// Activity classes at each month's end.
    Activity,
    /// The channel table (per channel, then per channel and period); as XLSX with the attribution as a second sheet.
    Channels,
    /// The attribution credits (CSV only, as `custlens channels --attribution-out`).
    Attribution,
    /// Every tagged customer with their tags (as `custlens tags --out`).
    Tags,
    /// The customers of the tag at this position, with all their tags (CSV only).
    TagCustomers(u32),
    /// The profiles' counts per dimension; as XLSX every profile table, one sheet each (as `custlens profiles --format xlsx`).
    Profiles,
    /// The profiles' numeric summaries.
    ProfileNumbers,
    /// The profiles' histogram bins.
    ProfileHistograms,
    /// The profiles' weekday × hour heat map.
    ProfileHeatmap,
    /// The comparison made in this place (as `custlens compare --out`; before/after as XLSX with the daily values).
    Compare(CompareScope),
}

impl AnalysisFile {
    /// The analysis it comes from.
    pub fn analysis(self) -> Analysis {
        match self {
            AnalysisFile::Cohorts => Analysis::Cohorts,
            AnalysisFile::Satisfaction | AnalysisFile::TicketTypes => Analysis::Satisfaction,
            AnalysisFile::Funnel | AnalysisFile::FunnelDropped => Analysis::Funnel,
            AnalysisFile::Activity => Analysis::Activity,
            AnalysisFile::Channels | AnalysisFile::Attribution => Analysis::Channels,
            AnalysisFile::Tags | AnalysisFile::TagCustomers(_) => Analysis::Tags,
            AnalysisFile::Profiles
            | AnalysisFile::ProfileNumbers
            | AnalysisFile::ProfileHistograms
            | AnalysisFile::ProfileHeatmap => Analysis::Profiles,
            AnalysisFile::Compare(_) => Analysis::Compare,
        }
    }

    /// Its file name without the extension.
    pub fn stem(self) -> &'static str {
        match self {
            AnalysisFile::Cohorts => "custlens_cohorts",
            AnalysisFile::Satisfaction => "custlens_satisfaction",
            AnalysisFile::TicketTypes => "custlens_ticket_types",
            AnalysisFile::Funnel => "custlens_funnel",
            AnalysisFile::FunnelDropped => "custlens_funnel_dropped",
            AnalysisFile::Activity => "custlens_activity",
            AnalysisFile::Channels => "custlens_channels",
            AnalysisFile::Attribution => "custlens_attribution",
            AnalysisFile::Tags => "custlens_tags",
            AnalysisFile::TagCustomers(_) => "custlens_tag",
            AnalysisFile::Profiles => "custlens_profiles",
            AnalysisFile::ProfileNumbers => "custlens_profile_numbers",
            AnalysisFile::ProfileHistograms => "custlens_profile_histograms",
            AnalysisFile::ProfileHeatmap => "custlens_profile_heatmap",
            AnalysisFile::Compare(scope) => scope.stem(),
        }
    }
}

/// A change to the identity decisions, naming entries of the lists last shown.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnifyChange {
    /// None: join again as decided.
    None,
    /// Confirm or withdraw the merge proposal at this position.
    ToggleMerge(u32),
    /// Undo the id match at this position.
    UndoMatch(u32),
    /// Restore the undone match at this position of the undone list.
    RestoreMatch(u32),
}

/// The files the unified customer view produces.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnifyFile {
    /// One row per customer (`customers.csv`).
    Customers,
    /// Matches, conflicts and orphans (`identities.csv`).
    Identities,
    /// Duplicate-record proposals (`merges.csv`).
    Merges,
    /// Counts and per-source accounting (`unify.json`).
    Report,
    /// Customers, identities and merges as one workbook (`unify.xlsx`).
    Workbook,
}

impl UnifyFile {
    /// Every file.
    pub const ALL: [UnifyFile; 5] =
        [UnifyFile::Customers, UnifyFile::Identities, UnifyFile::Merges, UnifyFile::Report, UnifyFile::Workbook];

    /// Its file name.
    pub fn name(self) -> &'static str {
        match self {
            UnifyFile::Customers => "customers.csv",
            UnifyFile::Identities => "identities.csv",
            UnifyFile::Merges => "merges.csv",
            UnifyFile::Report => "unify.json",
            UnifyFile::Workbook => "unify.xlsx",
        }
    }
}

/// A source kept for the customer view, as the page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceView {
    /// File name.
    pub file: String,
    /// The kind it was read as.
    pub kind: SourceKind,
    /// The kind its headers suggest.
    pub detected: SourceKind,
    /// Its cleaning report.
    pub quality: Quality,
    /// Its headers.
    pub headers: Vec<String>,
    /// Which column feeds each field.
    pub mapping: Mapping,
    /// Its first rows, as shown (masked unless raw values are shown).
    pub sample: Vec<Vec<String>>,
}

/// The most list entries (matches, orphans…) a view carries; the counts are complete.
pub const VIEW_LIST_MAX: usize = 200;
/// Customers shown in the preview.
pub const VIEW_PREVIEW_ROWS: usize = 20;

/// What the page shows of the unified customer view.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnifyView {
    /// The headline counts.
    pub summary: UnifySummary,
    /// Per source: how its rows were joined.
    pub sources: Vec<SourceLink>,
    /// Ids tied by a contact key (first [`VIEW_LIST_MAX`]).
    pub matches: Vec<IdentityMatch>,
    /// Ids not tied because their keys disagree (first [`VIEW_LIST_MAX`]).
    pub conflicts: Vec<IdentityConflict>,
    /// Ids in no CRM record (first [`VIEW_LIST_MAX`]).
    pub orphans: Vec<Orphan>,
    /// Orphan entries in all.
    pub orphan_entries: u64,
    /// Duplicate-record proposals (first [`VIEW_LIST_MAX`]).
    pub merges: Vec<MergeProposal>,
    /// Ids whose match was undone (as they may be shown).
    pub undone: Vec<String>,
    /// Header of the customer table.
    pub headers: Vec<String>,
    /// Its first [`VIEW_PREVIEW_ROWS`] rows.
    pub preview: Vec<Vec<String>>,
}

/// The files a cleaning run produces.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CleanFile {
    /// The clean rows (`clean.csv`).
    Clean,
    /// The rows set aside with reasons (`set_aside.csv`).
    SetAside,
    /// The change log (`changes.csv`).
    Changes,
    /// The data-quality report (`quality.json`).
    Quality,
    /// The recipe used (`recipe.json`).
    Recipe,
    /// Clean rows, set-aside rows and change log as one workbook (`clean.xlsx`).
    Workbook,
}

impl CleanFile {
    /// Every file.
    pub const ALL: [CleanFile; 6] = [
        CleanFile::Clean,
        CleanFile::SetAside,
        CleanFile::Changes,
        CleanFile::Quality,
        CleanFile::Recipe,
        CleanFile::Workbook,
    ];

    /// Its file name.
    pub fn name(self) -> &'static str {
        match self {
            CleanFile::Clean => "clean.csv",
            CleanFile::SetAside => "set_aside.csv",
            CleanFile::Changes => "changes.csv",
            CleanFile::Quality => "quality.json",
            CleanFile::Recipe => "recipe.json",
            CleanFile::Workbook => "clean.xlsx",
        }
    }
}

/// What the page shows of a cleaning run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CleanView {
    /// The kind cleaned as.
    pub kind: SourceKind,
    /// The counts.
    pub quality: Quality,
    /// The recipe used, as JSON (recipes use tagged enums, which the binary
    /// message format cannot carry).
    pub recipe_json: String,
    /// Whether the standardised values of the run before were reused (only
    /// row or fill steps changed).
    pub reused: bool,
}

/// A worker's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has started and listens (sent once, unasked).
    Ready,
    /// The probe of the file.
    Probe(Probe),
    /// Bytes of the current range processed so far.
    Progress {
        /// Bytes done.
        done: u64,
    },
    /// A chunk aggregate (encoded, attached).
    Chunk {
        /// Whether the chunk ended inside an open quote.
        ended_in_quote: bool,
        /// Time spent reading and aggregating, ms.
        read_ms: f64,
        /// Of which waiting for the file's bytes, ms.
        io_ms: f64,
        /// Time spent encoding the aggregate, ms.
        encode_ms: f64,
    },
    /// Bits that several chunks set (attached): ask every reader for its keys on them.
    SharedBits,
    /// Order keys (attached).
    Keys,
    /// The RFM result summary.
    Rfm(Box<RfmView>),
    /// The cleaning run's summary.
    Cleaned(Box<CleanView>),
    /// A source was read, cleaned and kept.
    SourceAdded(Box<SourceView>),
    /// Sources cleaned again.
    Sources(Vec<SourceView>),
    /// Done (e.g. a source removed).
    Done,
    /// A workspace was opened: its sources, read and cleaned.
    WorkspaceOpened {
        /// The sources, in order.
        sources: Vec<SourceView>,
        /// Its masking preset.
        mask_preset: MaskPreset,
        /// The user's recipes by kind, as JSON.
        recipes_json: Vec<(SourceKind, String)>,
        /// What each role sees.
        visibility: Visibility,
        /// Small groups in exported reports.
        small_cells: Option<SmallCellParams>,
        /// Its tag definitions (`tags.json`), when it kept them.
        tags_json: Option<String>,
        /// Its RFM editor settings, when it kept them (checked).
        rfm: Option<crate::engine::workspace::RfmSettings>,
    },
    /// The unified customer view.
    Unified(Box<UnifyView>),
    /// The personal columns of every kept source.
    Schema(Vec<SourceSchema>),
    /// The Pareto analysis.
    Pareto(Box<Pareto>),
    /// A cross-tab, as JSON (its test is a flattened struct, which the binary format cannot carry).
    Crosstab {
        /// The [`crate::engine::analyze::crosstab::Crosstab`] as JSON.
        json: String,
    },
    /// A time-based analysis, as JSON (its results hold optional nested tables
    /// and skipped fields; JSON keeps it simple).
    Analysis {
        /// The result (`Cohorts`, `Satisfaction`, `Funnel`, `Activity` or a list of `ValueCount`) as JSON.
        json: String,
    },
    /// Several files, attached as one buffer one after another.
    Files {
        /// Their names.
        names: Vec<String>,
        /// Their sizes in bytes, in order.
        sizes: Vec<u64>,
    },
    /// A file (attached bytes) to download or use.
    File {
        /// Suggested file name.
        name: String,
    },
    /// The request failed.
    Failed(EngineError),
    /// The customers behind a figure.
    Members(Box<CustomerListView>),
    /// A tag made of a customer list: a [`MembersTag`] as JSON (tag rules
    /// are untagged enums, which the binary format cannot carry).
    MembersTag {
        /// The [`MembersTag`] as JSON.
        json: String,
    },
    /// A segment migration.
    Migration(Box<crate::engine::analyze::migration::Migration>),
}

/// Order keys with their chunk-local customers, as compact columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyList {
    /// The keys.
    #[serde(with = "crate::engine::codec::u64s")]
    pub keys: Vec<u64>,
    /// Each key's customer (chunk-local index).
    #[serde(with = "crate::engine::codec::u32s")]
    pub users: Vec<u32>,
}

impl KeyList {
    /// From `(key, customer)` pairs.
    pub fn new(pairs: Vec<(u64, u32)>) -> KeyList {
        let (keys, users) = pairs.into_iter().unzip();
        KeyList { keys, users }
    }

    /// As `(key, customer)` pairs.
    pub fn pairs(self) -> Vec<(u64, u32)> {
        self.keys.into_iter().zip(self.users).collect()
    }
}

/// How many rejects a result view lists (the export has all).
pub const VIEW_REJECTS: usize = 200;

/// What the page shows of an RFM run: summaries, never per-customer rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmView {
    /// Parameters used (snapshot resolved).
    pub params: RfmParams,
    /// Snapshot date.
    pub snapshot: Day,
    /// Totals.
    pub totals: Totals,
    /// Per-segment summaries.
    pub segments: Vec<SegmentSummary>,
    /// Score breakpoints.
    pub breaks: Breakpoints,
    /// Which breakpoints are the user's.
    pub breaks_user: PerMeasure<bool>,
    /// Customers and mean spend by R × F score.
    pub rf: RfGrid,
    /// Means.
    pub means: Means,
    /// Where the rows went.
    pub account: RowAccount,
    /// The first rejects.
    pub rejects: Vec<Reject>,
    /// All rejects listed (before the view's cut).
    pub rejects_listed: u64,
    /// Whether the engine listed fewer rejects than it counted.
    pub rejects_truncated: bool,
    /// Whether order numbers were counted (else order rows).
    pub order_ids_mapped: bool,
    /// Where the time went (for the benchmark and the curious).
    pub timings: Timings,
}

/// Phase timings of a run, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Reading and aggregating, per chunk (in the workers).
    pub read_ms: Vec<f64>,
    /// Of which waiting for the file's bytes, per chunk.
    pub io_ms: Vec<f64>,
    /// Encoding each chunk's aggregate for transfer.
    pub encode_ms: Vec<f64>,
    /// Decoding the chunk aggregates in worker 0.
    pub decode_ms: f64,
    /// Merging chunks into customers.
    pub merge_ms: f64,
    /// RFM scoring and segment summaries.
    pub score_ms: f64,
    /// Wall time of each phase as the page saw it: read, merge, settle.
    pub wall_ms: Vec<f64>,
}

impl RfmView {
    /// The summary of a result.
    pub fn new(c: &Customers, r: &RfmResult) -> RfmView {
        RfmView {
            params: r.params.clone(),
            snapshot: r.snapshot,
            totals: r.totals,
            segments: r.segments.clone(),
            breaks: r.breaks,
            breaks_user: r.breaks_user,
            rf: rf_grid(r),
            means: r.means,
            account: c.account.clone(),
            rejects: c.rejects.iter().take(VIEW_REJECTS).cloned().collect(),
            rejects_listed: c.rejects.len() as u64,
            rejects_truncated: c.rejects_truncated,
            order_ids_mapped: c.order_ids_mapped,
            timings: Timings::default(),
        }
    }
}

/// The user's choice for one column in the schema view.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarkChoice {
    /// As detection has it.
    Detected,
    /// Not personal data, whatever detection says (only a role that may see raw values).
    NotPersonal,
    /// Personal data of this kind.
    Personal(PersonalKind),
}

/// One column of a source in the schema view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnMark {
    /// Its header.
    pub header: String,
    /// The personal data it is taken to hold (after the user's mark).
    pub kind: Option<PersonalKind>,
    /// What marked it.
    pub by: Option<DetectedBy>,
    /// Share of sampled cells that looked like the kind.
    pub share: f64,
    /// Non-blank cells sampled.
    pub sampled: u32,
    /// The user's mark.
    pub mark: MarkChoice,
}

/// The columns of one source in the schema view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceSchema {
    /// The source's file name.
    pub file: String,
    /// Its columns, in order.
    pub columns: Vec<ColumnMark>,
}

/// Customers of a list shown in the page (the download has all).
pub const CUSTOMER_LIST_SHOWN: usize = 100;

/// The customers behind a figure, as the page lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerListView {
    /// Which cell or row.
    pub of: MemberSource,
    /// Customers in it.
    pub customers: u64,
    /// Columns of the table (`user_id`; the per-customer RFM columns for an R × F cell).
    pub headers: Vec<String>,
    /// The first [`CUSTOMER_LIST_SHOWN`] rows, ids as they may be shown.
    pub rows: Vec<Vec<String>>,
}

/// A tag made of a customer list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembersTag {
    /// The definition (`user_id` in the list of the view's ids).
    pub def: crate::engine::analyze::tags::TagDef,
    /// Customers of the view it names.
    pub customers: u64,
    /// Ids of the list that stand for no customer of the view.
    pub unmatched: u64,
}

/// Where a comparison (M24) is made: its own tab with every metric, or next
/// to an over-time analysis with that analysis's metrics. Each place keeps
/// its own result and exports it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareScope {
    /// The comparison tab.
    #[default]
    Standalone,
    /// Beside the satisfaction trend.
    Satisfaction,
    /// Beside the activity counts.
    Activity,
    /// Beside the cohorts.
    Cohorts,
    /// Beside the channel figures.
    Channels,
}

impl CompareScope {
    /// Every place.
    pub const ALL: [CompareScope; 5] = [
        CompareScope::Standalone,
        CompareScope::Satisfaction,
        CompareScope::Activity,
        CompareScope::Cohorts,
        CompareScope::Channels,
    ];

    /// Its key (`data-testid` prefixes use it).
    pub fn key(self) -> &'static str {
        match self {
            CompareScope::Standalone => "compare",
            CompareScope::Satisfaction => "satisfaction-compare",
            CompareScope::Activity => "activity-compare",
            CompareScope::Cohorts => "cohorts-compare",
            CompareScope::Channels => "channels-compare",
        }
    }

    /// The metrics it offers: every one in the tab, the analysis's own beside it.
    pub fn metrics(self) -> &'static [Metric] {
        match self {
            CompareScope::Standalone => &Metric::ALL,
            CompareScope::Satisfaction => {
                &[Metric::Csat, Metric::Nps, Metric::Answers, Metric::Tickets, Metric::Complaints]
            }
            CompareScope::Activity => &[Metric::ActiveCustomers, Metric::Events],
            CompareScope::Cohorts => &[Metric::NewBuyers, Metric::Buyers],
            CompareScope::Channels => &[Metric::Revenue, Metric::Orders, Metric::Buyers, Metric::Aov],
        }
    }

    /// The file name of its export, without the extension.
    pub fn stem(self) -> &'static str {
        match self {
            CompareScope::Standalone => "custlens_compare",
            CompareScope::Satisfaction => "custlens_satisfaction_compare",
            CompareScope::Activity => "custlens_activity_compare",
            CompareScope::Cohorts => "custlens_cohorts_compare",
            CompareScope::Channels => "custlens_channels_compare",
        }
    }

    /// Its position in [`CompareScope::ALL`] (the declaration order).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Parameters of [`Analysis::Compare`], as JSON: where it is made and what it compares.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRun {
    /// The place whose result it replaces.
    pub scope: CompareScope,
    /// The comparison.
    pub params: CompareParams,
}

/// One value per [`CompareScope`] (the worker keeps each place's last comparison for its exports).
#[derive(Clone, Debug, PartialEq)]
pub struct ByScope<T>([Option<T>; CompareScope::ALL.len()]);

impl<T> Default for ByScope<T> {
    fn default() -> ByScope<T> {
        ByScope(std::array::from_fn(|_| None))
    }
}

impl<T> ByScope<T> {
    /// The value of `scope`, if any.
    pub fn get(&self, scope: CompareScope) -> Option<&T> {
        self.0[scope.index()].as_ref()
    }

    /// Sets the value of `scope`, leaving the others.
    pub fn set(&mut self, scope: CompareScope, value: T) {
        self.0[scope.index()] = Some(value);
    }
}

#[cfg(test)]
mod compare_scope_tests {
    use super::*;
    use crate::engine::analyze::compare::Mode;

    #[test]
    fn each_scope_keeps_its_own_comparison() {
        let mut kept = ByScope::<Metric>::default();
        kept.set(CompareScope::Satisfaction, Metric::Csat);
        kept.set(CompareScope::Activity, Metric::ActiveCustomers);
        kept.set(CompareScope::Satisfaction, Metric::Nps);
        assert_eq!(kept.get(CompareScope::Satisfaction), Some(&Metric::Nps));
        assert_eq!(kept.get(CompareScope::Activity), Some(&Metric::ActiveCustomers));
        assert_eq!(kept.get(CompareScope::Standalone), None);
        assert_eq!(kept.get(CompareScope::Channels), None);
        let indices: std::collections::HashSet<usize> = CompareScope::ALL.iter().map(|s| s.index()).collect();
        assert_eq!(indices.len(), CompareScope::ALL.len());
    }

    #[test]
    fn scopes_offer_their_analysis_metrics_and_export_to_their_own_files() {
        assert_eq!(CompareScope::Standalone.metrics(), &Metric::ALL[..]);
        let keys = |s: CompareScope| s.metrics().iter().map(|m| m.key()).collect::<Vec<_>>();
        assert_eq!(keys(CompareScope::Satisfaction), ["csat", "nps", "answers", "tickets", "complaints"]);
        assert_eq!(keys(CompareScope::Activity), ["active_customers", "events"]);
        assert_eq!(keys(CompareScope::Cohorts), ["new_buyers", "buyers"]);
        assert_eq!(keys(CompareScope::Channels), ["revenue", "orders", "buyers", "aov"]);
        let stems: std::collections::HashSet<&str> =
            CompareScope::ALL.iter().map(|&s| AnalysisFile::Compare(s).stem()).collect();
        assert_eq!(stems.len(), CompareScope::ALL.len());
        assert!(CompareScope::ALL.iter().all(|&s| AnalysisFile::Compare(s).analysis() == Analysis::Compare));
    }

    #[test]
    fn a_run_reads_back_as_sent() {
        let run = CompareRun {
            scope: CompareScope::Activity,
            params: CompareParams { metric: Metric::ActiveCustomers, mode: Mode::Yoy, ..CompareParams::default() },
        };
        let json = serde_json::to_string(&run).expect("json");
        assert!(json.contains("\"scope\":\"activity\""), "{json}");
        assert_eq!(serde_json::from_str::<CompareRun>(&json).expect("read"), run);
    }
}
