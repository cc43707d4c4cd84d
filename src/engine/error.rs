//! The engine's typed errors. Each names the file and, where it applies, the
//! row and column, so the message alone tells the user what to fix.

use serde::{Deserialize, Serialize};

/// Errors that stop a file from being read at all. (Problems with single
/// rows are not errors: they become [`crate::engine::clean::Reject`]s.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum IngestError {
    /// The file has no bytes.
    #[error("{file}: the file is empty")]
    Empty {
        /// File name.
        file: String,
    },
    /// The file is not a table (e.g. an image or archive renamed to .csv).
    #[error("{file}: this is not a text table or Excel workbook (binary content near byte {offset})")]
    Binary {
        /// File name.
        file: String,
        /// Where binary content was seen.
        offset: u64,
    },
    /// The file has a header row but no data rows.
    #[error("{file}: the file has a header row but no data rows")]
    NoRows {
        /// File name.
        file: String,
    },
    /// Reading the bytes failed.
    #[error("{file}: could not be read: {message}")]
    Read {
        /// File name.
        file: String,
        /// The underlying error.
        message: String,
    },
    /// The workbook could not be opened.
    #[error("{file}: the Excel workbook could not be read: {message}")]
    Excel {
        /// File name.
        file: String,
        /// What calamine reported.
        message: String,
    },
    /// A required field has no column mapped to it.
    #[error("{file}: no column is mapped to the required field `{field}` (columns: {columns})")]
    Unmapped {
        /// File name.
        file: String,
        /// The canonical field.
        field: String,
        /// The file's headers, for the message.
        columns: String,
    },
    /// A mapping names a column the file does not have.
    #[error("{file}: the mapping names column `{column}` for `{field}`, but the file has no such column (columns: {columns})")]
    NoSuchColumn {
        /// File name.
        file: String,
        /// The canonical field.
        field: String,
        /// The missing header.
        column: String,
        /// The file's headers.
        columns: String,
    },
    /// A JSON Lines file has a line that is not one JSON object.
    #[error("{file}: line {line} is not a JSON object: {message}")]
    JsonLine {
        /// File name.
        file: String,
        /// Line number (1-based; blank lines count).
        line: u64,
        /// What the JSON parser reported.
        message: String,
    },
    /// A quoted field is never closed: everything after its opening quote
    /// would be one cell.
    #[error("{file}: the quote opened in row {row} is never closed, so every line after it would be one cell; close the quote or remove it")]
    UnclosedQuote {
        /// File name.
        file: String,
        /// Row number of the row whose quote is open.
        row: u64,
    },
    /// The header row is longer than the probe will read.
    #[error("{file}: the header row is longer than {bytes} bytes (has the file line breaks at all?)")]
    HeaderTooLong {
        /// File name.
        file: String,
        /// The most bytes read looking for the end of the header.
        bytes: u64,
    },
    /// The file is too big to hold whole in memory here.
    #[error("{file}: holding this table needs about {needed_mb} MB, more than the {limit_mb} MB available; split the file or use the command-line tool")]
    TooLarge {
        /// File name.
        file: String,
        /// Estimated memory needed, in MB.
        needed_mb: u64,
        /// The limit, in MB.
        limit_mb: u64,
    },
    /// A customer's total spend exceeded the representable range (±900 trillion).
    #[error("{file}: the total `amount` of customer `{customer}` is too large to add up exactly")]
    Overflow {
        /// File name.
        file: String,
        /// The customer id.
        customer: String,
    },
}

/// Errors in analysis parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AnalysisError {
    /// Nothing to analyse.
    #[error("no usable rows: every row was set aside (see the rejected rows)")]
    NoData,
    /// The role the page is viewed as may not see the fields this analysis reads.
    #[error("the {} role may not see the fields this analysis reads", role.key())]
    NotForRole {
        /// The role.
        role: crate::engine::privacy::roles::Role,
    },
    /// The snapshot date is before some orders.
    #[error("the snapshot date {snapshot} is before the last order ({last_order}); choose {last_order} or later")]
    SnapshotTooEarly {
        /// Chosen snapshot (ISO).
        snapshot: String,
        /// Last order day (ISO).
        last_order: String,
    },
    /// No customer spent more than they got back, so revenue shares are undefined.
    #[error("no customer has a positive total spend, so there is no revenue to share out")]
    NoPositiveSpend,
    /// An analysis names a column the table does not have.
    #[error("there is no column `{column}` (columns: {columns})")]
    NoSuchColumn {
        /// The name asked for.
        column: String,
        /// The table's headers.
        columns: String,
    },
    /// A column has no usable value in any row (all blank or, when binned, not numbers).
    #[error("column `{column}` has no usable values (every cell is blank or, for a binned column, not a number)")]
    NoValues {
        /// The column's header.
        column: String,
    },
    /// A column has one value only among the rows used, so nothing can be compared.
    #[error("column `{column}` has a single value (`{value}`) in the rows used; a cross-tab needs at least two")]
    SingleValue {
        /// The column's header.
        column: String,
        /// Its only value (label).
        value: String,
    },
    /// Binning asked for no bins, or edges that are not increasing numbers.
    #[error("column `{column}`: bins need a count of at least 1, or at least two increasing, finite edges")]
    InvalidBins {
        /// The column's header.
        column: String,
    },
    /// An analysis needs a field that no column is mapped to.
    #[error("no column is mapped to the field `{field}` (columns: {columns})")]
    UnmappedField {
        /// The canonical field (`order_time`…).
        field: String,
        /// The table's headers.
        columns: String,
    },
    /// A funnel needs at least two steps, each named once and not blank.
    #[error("a funnel needs at least two different, non-blank steps (got: {steps})")]
    InvalidSteps {
        /// The steps asked for, comma-separated.
        steps: String,
    },
    /// No customer has an event of a funnel's first step.
    #[error("no event has the type `{step}` (event types in the file: {types})")]
    NoSuchEvent {
        /// The step asked for.
        step: String,
        /// The most frequent event types in the table, comma-separated.
        types: String,
    },
    /// A survey table has none of the score columns an analysis reads.
    #[error("no column is mapped to `nps`, `csat` or `ces` (columns: {columns})")]
    NoScoreColumns {
        /// The table's headers.
        columns: String,
    },
    /// An analysis needs a source of a kind that none of the sources is.
    #[error("no source is a table of {} (add one to the sources)", kinds_text(.kinds))]
    NoSource {
        /// The kinds that would do.
        kinds: Vec<crate::engine::ingest::fields::SourceKind>,
    },
    /// A date range that ends before it starts (or spans too many periods).
    #[error(
        "the range {from} … {to} is not valid: it must start on or before its last day and span at most 2400 periods"
    )]
    InvalidRange {
        /// Its first day (ISO).
        from: String,
        /// Its last day (ISO).
        to: String,
    },
    /// A before/after window of no days, or too many.
    #[error("a before/after window of {days} days is not valid: choose 1 to {max} days")]
    InvalidWindow {
        /// The days asked for.
        days: u32,
        /// The most allowed.
        max: u32,
    },
}

fn kinds_text(kinds: &[crate::engine::ingest::fields::SourceKind]) -> String {
    kinds.iter().map(|k| k.key()).collect::<Vec<_>>().join(" or ")
}

/// Errors writing an export (an XLSX workbook). Each names the sheet and,
/// where it applies, the row and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ExportError {
    /// More rows than a worksheet holds.
    #[error("sheet `{sheet}`: {rows} rows do not fit in a worksheet (at most {max} data rows); export CSV instead")]
    TooManyRows {
        /// Sheet name.
        sheet: String,
        /// Data rows of the table.
        rows: usize,
        /// The most a worksheet takes under its header.
        max: usize,
    },
    /// More columns than a worksheet holds.
    #[error("sheet `{sheet}`: {columns} columns do not fit in a worksheet (at most {max}); export CSV instead")]
    TooManyColumns {
        /// Sheet name.
        sheet: String,
        /// Columns of the table.
        columns: usize,
        /// The most a worksheet takes.
        max: usize,
    },
    /// A cell longer than a worksheet cell holds.
    #[error("sheet `{sheet}`, row {row}, column `{column}`: the text has {length} characters, more than the {max} a worksheet cell holds; export CSV instead")]
    CellTooLong {
        /// Sheet name.
        sheet: String,
        /// Spreadsheet row number in the sheet (the header is row 1).
        row: u64,
        /// Column header.
        column: String,
        /// Length in UTF-16 units (what Excel counts).
        length: usize,
        /// Excel's limit.
        max: usize,
    },
    /// The XLSX writer failed.
    #[error("sheet `{sheet}`: the workbook could not be written: {message}")]
    Xlsx {
        /// Sheet name (empty when the whole workbook failed).
        sheet: String,
        /// The writer's message.
        message: String,
    },
}

/// Any engine error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum EngineError {
    /// Reading the input failed.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The analysis could not run.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// A saved workspace could not be opened or saved.
    #[error(transparent)]
    Workspace(#[from] crate::engine::workspace::WorkspaceError),
    /// The channel analysis could not run.
    #[error(transparent)]
    Channels(#[from] crate::engine::analyze::channels::ChannelError),
    /// The tag definitions are not valid.
    #[error(transparent)]
    Tags(#[from] crate::engine::analyze::tags::TagError),
    /// The customer profiles could not be made.
    #[error(transparent)]
    Profiles(#[from] crate::engine::analyze::profiles::ProfileError),
    /// RFM parameters (breakpoints, weights, segment rules) are not valid.
    #[error(transparent)]
    Rfm(crate::engine::analyze::rfm::RfmError),
    /// A customer list behind a figure could not be made.
    #[error(transparent)]
    Members(#[from] crate::engine::analyze::members::MemberError),
}
