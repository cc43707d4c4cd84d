//! Cleaning: every input row ends up used or set aside with a reason, and
//! the counts reconcile (`rows_in = rows_used + set aside`). The row
//! accounting lives here; the cleaning recipe, its steps and their run in
//! the submodules.

pub mod incremental;
pub mod recipe;
pub mod run;
pub mod standardise;
pub mod table;

use crate::engine::ingest::fields::Field;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a row was set aside.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RejectReason {
    /// Every cell is empty.
    BlankRow,
    /// The row has fewer cells than the mapped column needs.
    MissingColumn,
    /// A required value is empty (e.g. no customer id): 待补充.
    MissingValue,
    /// The date cannot be read.
    InvalidDate,
    /// Day and month could each be either (03/04/2024).
    AmbiguousDate,
    /// The amount is not a number.
    InvalidAmount,
    /// An exact copy of an earlier row.
    DuplicateRow,
    /// The same key (customer id; for events customer + time + content) as an earlier row.
    DuplicateKey,
    /// A test order (amount 0 or 999999 by default).
    TestOrder,
    /// More cells than the header has columns.
    TooManyFields,
    /// The row's text is not valid UTF-8 although the file is: a row in
    /// another encoding (GBK rows appended to a UTF-8 export).
    InvalidText,
    /// A numeric outlier (by the recipe's method).
    Outlier,
    /// Caught by a business rule of the recipe.
    BusinessRule,
}

impl RejectReason {
    /// Every reason, in display order.
    pub const ALL: [RejectReason; 13] = [
        RejectReason::MissingValue,
        RejectReason::InvalidDate,
        RejectReason::AmbiguousDate,
        RejectReason::InvalidAmount,
        RejectReason::MissingColumn,
        RejectReason::BlankRow,
        RejectReason::DuplicateRow,
        RejectReason::DuplicateKey,
        RejectReason::TestOrder,
        RejectReason::TooManyFields,
        RejectReason::InvalidText,
        RejectReason::Outlier,
        RejectReason::BusinessRule,
    ];

    /// Parses [`RejectReason::key`].
    pub fn from_key(key: &str) -> Option<RejectReason> {
        RejectReason::ALL.into_iter().find(|r| r.key() == key)
    }

    /// A stable machine name (`missing_value`…), used in exported files.
    pub fn key(self) -> &'static str {
        match self {
            RejectReason::BlankRow => "blank_row",
            RejectReason::MissingColumn => "missing_column",
            RejectReason::MissingValue => "missing_value",
            RejectReason::InvalidDate => "invalid_date",
            RejectReason::AmbiguousDate => "ambiguous_date",
            RejectReason::InvalidAmount => "invalid_amount",
            RejectReason::DuplicateRow => "duplicate_row",
            RejectReason::DuplicateKey => "duplicate_key",
            RejectReason::TestOrder => "test_order",
            RejectReason::TooManyFields => "too_many_fields",
            RejectReason::InvalidText => "invalid_text",
            RejectReason::Outlier => "outlier",
            RejectReason::BusinessRule => "business_rule",
        }
    }
}

/// One row set aside.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub row: u64,
    /// Why.
    pub reason: RejectReason,
    /// The offending field, if one.
    pub field: Option<Field>,
    /// The offending value (cut to 80 characters).
    pub value: String,
}

/// The longest value kept in a [`Reject`].
pub const MAX_REJECT_VALUE_CHARS: usize = 80;

impl Reject {
    /// A reject for `row` with the value cut to a readable length.
    pub fn new(row: u64, reason: RejectReason, field: Option<Field>, value: &str) -> Reject {
        let value = if value.chars().count() > MAX_REJECT_VALUE_CHARS {
            let mut v: String = value.chars().take(MAX_REJECT_VALUE_CHARS).collect();
            v.push('…');
            v
        } else {
            value.to_string()
        };
        Reject { row, reason, field, value }
    }
}

/// Where every input row went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowAccount {
    /// Data rows read (the header not counted).
    pub rows_in: u64,
    /// Rows that feed the analysis.
    pub rows_used: u64,
    /// Rows set aside, by reason.
    pub set_aside: BTreeMap<RejectReason, u64>,
}

impl RowAccount {
    /// Counts a used row.
    pub fn used(&mut self) {
        self.rows_in += 1;
        self.rows_used += 1;
    }

    /// Counts a row set aside.
    pub fn set_aside(&mut self, reason: RejectReason) {
        self.rows_in += 1;
        *self.set_aside.entry(reason).or_insert(0) += 1;
    }

    /// All rows set aside.
    pub fn set_aside_total(&self) -> u64 {
        self.set_aside.values().sum()
    }

    /// Whether `rows_in = rows_used + set aside` holds.
    pub fn reconciles(&self) -> bool {
        self.rows_in == self.rows_used + self.set_aside_total()
    }

    /// Adds another chunk's counts.
    pub fn merge(&mut self, other: &RowAccount) {
        self.rows_in += other.rows_in;
        self.rows_used += other.rows_used;
        for (r, n) in &other.set_aside {
            *self.set_aside.entry(*r).or_insert(0) += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_reconciles_and_merges() {
        let mut a = RowAccount::default();
        a.used();
        a.set_aside(RejectReason::InvalidDate);
        let mut b = RowAccount::default();
        b.set_aside(RejectReason::InvalidDate);
        b.used();
        a.merge(&b);
        assert_eq!(a.rows_in, 4);
        assert_eq!(a.set_aside.get(&RejectReason::InvalidDate), Some(&2));
        assert!(a.reconciles());
    }

    #[test]
    fn long_values_are_cut() {
        let r = Reject::new(2, RejectReason::InvalidAmount, Some(Field::Amount), &"9".repeat(200));
        assert_eq!(r.value.chars().count(), MAX_REJECT_VALUE_CHARS + 1);
    }
}
