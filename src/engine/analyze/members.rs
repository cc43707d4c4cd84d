//! The customers behind a figure: which cell or row of an analysis a
//! customer list is of ([`MemberSource`]), the one-column table every such
//! list is shown and written as (`user_id`, ids as the analysis read them,
//! masked by the caller), and the typed errors of asking for a cell that is
//! not there. The lists themselves are made by each analysis
//! ([`crate::engine::analyze::cohort::cohort_members`],
//! [`crate::engine::analyze::profiles::ProfileMembers`],
//! [`crate::engine::analyze::migration::MigrationMembers`]).

use crate::engine::analyze::profiles::Dimension;
use crate::engine::clean::table::TextTable;
use crate::engine::error::AnalysisError;
use crate::engine::privacy::share::{self, Disclosure};
use serde::{Deserialize, Serialize};

/// Columns of [`member_table`].
pub const MEMBER_COLUMNS: [&str; 1] = ["user_id"];

/// The one-column table of a customer list, in the order given.
pub fn member_table<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> TextTable {
    let mut t = TextTable::new(MEMBER_COLUMNS.iter().map(|s| s.to_string()).collect());
    for (i, id) in ids.into_iter().enumerate() {
        t.push(i as u64 + 2, [id.as_ref()]);
    }
    t
}

/// The table of a customer list as it may be shown or exported: each id
/// masked, pseudonymised or hidden as the audience sees customer ids
/// ([`share::id`]) — what the page lists and downloads and the CLI writes.
pub fn shown_member_table<'a>(ids: impl IntoIterator<Item = &'a str>, d: &Disclosure) -> TextTable {
    member_table(ids.into_iter().map(|id| share::id(id, d)))
}

/// A cell or row of an analysis whose customers can be listed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberSource {
    /// An R × F cell of the RFM result (scores 1–5).
    RfCell {
        /// R score.
        r: u8,
        /// F score.
        f: u8,
    },
    /// A cell of the segment migration: segment `from` at snapshot A and `to`
    /// at B, by position; the position after the last segment is "new" (no
    /// order by A) as a row and "no order by B" as a column.
    Migration {
        /// Row (segment at A).
        from: u32,
        /// Column (segment at B).
        to: u32,
    },
    /// A cell of the retention matrix: the cohort (by position) and the period offset (0: its size).
    Cohort {
        /// The cohort's position in the result.
        cohort: u32,
        /// Periods after the first purchase.
        offset: u32,
    },
    /// A row of a profile dimension's table (by position, "other" and "unknown" included).
    Profile {
        /// The dimension.
        dimension: Dimension,
        /// The row's position in its table.
        row: u32,
    },
    /// The customers who entered the funnel and dropped out at a step.
    FunnelDropped {
        /// The step's position (0-based, as in the result; nobody drops at the first).
        step: u32,
    },
}

impl MemberSource {
    /// Whether it is of the RFM result (an R × F or migration cell), not of the sources.
    pub fn is_rfm(&self) -> bool {
        matches!(self, MemberSource::RfCell { .. } | MemberSource::Migration { .. })
    }
}

/// Why a customer list cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum MemberError {
    /// A cell written in a form that cannot be read.
    #[error("`{text}`: expected {expected}")]
    Syntax {
        /// What was given.
        text: String,
        /// The form expected (`COHORT:OFFSET`…).
        expected: String,
    },
    /// No cohort by that period.
    #[error("there is no cohort `{cohort}` (cohorts: {cohorts})")]
    NoCohort {
        /// The period asked for.
        cohort: String,
        /// The cohorts there are.
        cohorts: String,
    },
    /// A period offset beyond the columns of the retention matrix, or after the data's end.
    #[error("cohort `{cohort}`: period +{offset} is not observed (the matrix has +0 … +{max}, up to the data's end)")]
    NotObserved {
        /// The cohort.
        cohort: String,
        /// The offset asked for.
        offset: u32,
        /// The last offset of the matrix.
        max: u32,
    },
    /// A dimension that was not counted.
    #[error("the profiles do not count the dimension `{dimension}` (dimensions: {dimensions})")]
    NoDimension {
        /// The dimension asked for.
        dimension: String,
        /// Those counted.
        dimensions: String,
    },
    /// No row of a dimension with that value.
    #[error("dimension `{dimension}` has no row `{value}` (rows: {rows})")]
    NoRow {
        /// The dimension.
        dimension: String,
        /// The value asked for.
        value: String,
        /// Its rows.
        rows: String,
    },
    /// A segment name or key that is none of the migration's.
    #[error("there is no segment `{segment}` (use a key or name of: {segments}, or new / none)")]
    NoSegment {
        /// What was asked for.
        segment: String,
        /// The segments' keys.
        segments: String,
    },
    /// The analysis itself cannot be made.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// A cell outside the table it names.
    #[error("there is no such cell in the result shown; run the analysis again")]
    NoCell,
    /// A group smaller than the small-cell threshold in force: its members are not listed.
    #[error("this group has {customers} customers, fewer than {k}: while small groups are protected, their customers are not listed")]
    SmallGroup {
        /// Customers in the group.
        customers: u64,
        /// The smallest group that may be listed.
        k: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_table_lists_the_ids_in_order() {
        let t = member_table(["B", "A", "C"]);
        assert_eq!(t.headers, vec!["user_id".to_string()]);
        assert_eq!((0..t.len()).map(|r| t.cell(r, 0)).collect::<Vec<_>>(), vec!["B", "A", "C"]);
        assert_eq!(member_table(Vec::<String>::new()).len(), 0);
    }

    #[test]
    fn member_sources_round_trip_as_json() {
        let all = [
            MemberSource::RfCell { r: 5, f: 1 },
            MemberSource::Migration { from: 0, to: 3 },
            MemberSource::Cohort { cohort: 2, offset: 0 },
            MemberSource::Profile { dimension: Dimension::Province, row: 4 },
            MemberSource::FunnelDropped { step: 1 },
        ];
        for s in all {
            let json = serde_json::to_string(&s).expect("json");
            assert_eq!(serde_json::from_str::<MemberSource>(&json).expect("back"), s);
        }
    }
}
