//! The rows behind the time-based analyses (cohorts, funnels, activity):
//! the columns they read, a row's customer and moment, and the rows left out,
//! counted by reason — never dropped silently.

use crate::engine::clean::table::TextTable;
use crate::engine::date::{parse_timestamp, DateError, Timestamp};
use crate::engine::error::AnalysisError;
use crate::engine::ingest::fields::{Field, Mapping};
use crate::engine::money::{parse_amount, trim_text, Money};
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
    /// The score (CSAT, NPS…) is blank.
    BlankScore,
    /// The score is not a whole number on its scale.
    BadScore,
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
            ExclusionReason::BlankScore => "blank_score",
            ExclusionReason::BadScore => "bad_score",
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

/// Row `r`'s time in `column`, or why it cannot be read.
pub fn time_of(table: &TextTable, r: usize, column: usize) -> Result<Timestamp, ExclusionReason> {
    match parse_timestamp(table.cell(r, column)) {
        Ok(ts) => Ok(ts),
        Err(DateError::Empty) => Err(ExclusionReason::BlankTime),
        Err(_) => Err(ExclusionReason::BadTime),
    }
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
    time_of(table, r, time).map(|ts| (id, ts))
}

/// Order row `r` as a purchase: its customer, time and — when an amount
/// column is given — amount; or why it is none (checked in this order:
/// customer, time, an amount that is blank or not a number, a negative
/// amount, which is a refund).
pub fn purchase(
    table: &TextTable,
    r: usize,
    customer: usize,
    time: usize,
    amount: Option<usize>,
) -> Result<(&str, Timestamp, Option<Money>), ExclusionReason> {
    let (id, ts) = customer_and_time(table, r, customer, time)?;
    match amount.map(|a| parse_amount(table.cell(r, a))) {
        None => Ok((id, ts, None)),
        Some(Err(_)) => Err(ExclusionReason::BadAmount),
        Some(Ok(m)) if m.is_negative() => Err(ExclusionReason::Refund),
        Some(Ok(m)) => Ok((id, ts, Some(m))),
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
