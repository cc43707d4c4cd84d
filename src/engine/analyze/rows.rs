//! The rows behind the time-based analyses (cohorts, funnels, activity):
//! the columns they read, a row's customer and moment, and the rows left out,
//! counted by reason — never dropped silently.

use crate::engine::clean::table::TextTable;
use crate::engine::date::{parse_timestamp, DateError, Timestamp};
use crate::engine::error::AnalysisError;
use crate::engine::ingest::fields::{Field, Mapping};
use crate::engine::money::trim_text;
use serde::{Deserialize, Serialize};

/// Why a row was left out of an analysis.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// The customer id is blank.
    BlankCustomer,
    /// The time is blank.
    BlankTime,
    /// The time is not a date or date-time that can be read.
    BadTime,
    /// The amount is blank or not a number.
    BadAmount,
    /// The amount is negative: a refund, not a purchase.
    Refund,
    /// The event type is blank.
    BlankEventType,
    /// The event is after the analysis date.
    AfterAsOf,
}

impl ExclusionReason {
    /// The reason's name in results (`blank_customer`…).
    pub fn key(self) -> &'static str {
        match self {
            ExclusionReason::BlankCustomer => "blank_customer",
            ExclusionReason::BlankTime => "blank_time",
            ExclusionReason::BadTime => "bad_time",
            ExclusionReason::BadAmount => "bad_amount",
            ExclusionReason::Refund => "refund",
            ExclusionReason::BlankEventType => "blank_event_type",
            ExclusionReason::AfterAsOf => "after_as_of",
        }
    }
}

/// Rows left out for one reason.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedRows {
    /// Why.
    pub reason: ExclusionReason,
    /// How many rows.
    pub rows: u64,
}

/// Counts rows left out, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExclusionTally {
    counts: Vec<ExcludedRows>,
}

impl ExclusionTally {
    /// Counts one row left out for `reason`.
    pub fn add(&mut self, reason: ExclusionReason) {
        match self.counts.iter_mut().find(|e| e.reason == reason) {
            Some(e) => e.rows += 1,
            None => self.counts.push(ExcludedRows { reason, rows: 1 }),
        }
    }

    /// Rows left out in all.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|e| e.rows).sum()
    }

    /// The non-zero counts, in the order of [`ExclusionReason`].
    pub fn into_list(mut self) -> Vec<ExcludedRows> {
        self.counts.sort_by_key(|e| e.reason);
        self.counts
    }
}

/// The column mapped to a field the analysis cannot do without.
pub fn required_column(mapping: &Mapping, field: Field, table: &TextTable) -> Result<usize, AnalysisError> {
    mapping.column(field).filter(|&c| c < table.width()).ok_or_else(|| AnalysisError::UnmappedField {
        field: field.key().to_string(),
        columns: table.headers.join(", "),
    })
}

/// A moment as whole seconds since 1970-01-01 00:00 (wall-clock, as written).
pub fn seconds(ts: Timestamp) -> i64 {
    i64::from(ts.day.days()) * 86_400 + i64::from(ts.secs)
}

/// Row `r`'s customer id (trimmed) and time, or why they cannot be read
/// (the customer is checked first).
pub fn customer_and_time(
    table: &TextTable,
    r: usize,
    customer: usize,
    time: usize,
) -> Result<(&str, Timestamp), ExclusionReason> {
    let id = trim_text(table.cell(r, customer));
    if id.is_empty() {
        return Err(ExclusionReason::BlankCustomer);
    }
    match parse_timestamp(table.cell(r, time)) {
        Ok(ts) => Ok((id, ts)),
        Err(DateError::Empty) => Err(ExclusionReason::BlankTime),
        Err(_) => Err(ExclusionReason::BadTime),
    }
}

/// `part / whole`, or `None` when `whole` is 0.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_or_excluded_with_a_reason() {
        let mut t = TextTable::new(vec!["id".into(), "t".into()]);
        for (i, r) in
            [["a", "2024-01-02 03:04:05"], [" ", "2024-01-02"], ["b", ""], ["c", "2024-02-30"]].iter().enumerate()
        {
            t.push(i as u64 + 2, r.iter().copied());
        }
        let (id, ts) = customer_and_time(&t, 0, 0, 1).expect("row 0");
        assert_eq!((id, seconds(ts) % 86_400), ("a", 3 * 3600 + 4 * 60 + 5));
        let mut tally = ExclusionTally::default();
        for r in 1..4 {
            tally.add(customer_and_time(&t, r, 0, 1).expect_err("excluded"));
        }
        tally.add(ExclusionReason::BlankCustomer);
        assert_eq!(tally.total(), 4);
        let list = tally.into_list();
        assert_eq!(list[0], ExcludedRows { reason: ExclusionReason::BlankCustomer, rows: 2 });
        assert_eq!(list[1].reason, ExclusionReason::BlankTime);
        assert_eq!(list[2].reason, ExclusionReason::BadTime);
        assert_eq!(ratio(1, 0), None);
        let json = serde_json::to_string(&ExclusionReason::AfterAsOf).expect("json");
        assert_eq!(json, format!("\"{}\"", ExclusionReason::AfterAsOf.key()));
    }
}
