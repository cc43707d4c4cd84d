//! Small-cell protection for published counts: a group with fewer than `k`
//! customers (default 5) could single people out, so it is suppressed, or
//! merged into one "other" group.
//!
//! Scope: primary suppression only. Complementary suppression (hiding further
//! cells so a suppressed one cannot be recovered from a published total or
//! from other tables) is out of scope: when totals are shown next to
//! suppressed groups, a single suppressed group can be computed back — merge
//! into "other" or suppress a second group by hand in that case. Empty groups
//! (0 customers) point at nobody and are kept. If the merged "other" group is
//! itself below `k`, it is suppressed too.

use crate::engine::clean::table::TextTable;
use serde::{Deserialize, Serialize};

/// One group's label and customer count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    /// The group's label (a segment, a city…).
    pub label: String,
    /// Customers in it.
    pub customers: u64,
}

/// What happens to a small group.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallCellAction {
    /// Drop it from the output.
    #[default]
    Suppress,
    /// Add it to one "other" group (named by the UI's language).
    MergeIntoOther,
}

/// The threshold and the action.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SmallCellParams {
    /// Smallest publishable group.
    pub k: u64,
    /// What to do with smaller ones.
    pub action: SmallCellAction,
}

impl Default for SmallCellParams {
    fn default() -> Self {
        SmallCellParams { k: 5, action: SmallCellAction::Suppress }
    }
}

/// The publishable groups and what was held back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmallCellResult {
    /// Groups with at least `k` customers (or none), in input order.
    pub kept: Vec<GroupCount>,
    /// Customers in the merged "other" group, when merging produced one of at least `k`.
    pub other: Option<u64>,
    /// Groups held back (merged into "other", or suppressed), in input order.
    pub suppressed: Vec<GroupCount>,
    /// Whether the held-back groups were merged into [`SmallCellResult::other`]
    /// (false when suppressed, or when the merged group was itself too small).
    pub merged: bool,
}

/// Applies the threshold to `groups`.
pub fn protect(groups: &[GroupCount], params: &SmallCellParams) -> SmallCellResult {
    let small = |g: &GroupCount| g.customers > 0 && g.customers < params.k;
    let kept: Vec<GroupCount> = groups.iter().filter(|g| !small(g)).cloned().collect();
    let suppressed: Vec<GroupCount> = groups.iter().filter(|g| small(g)).cloned().collect();
    let total: u64 = suppressed.iter().map(|g| g.customers).sum();
    let merge = params.action == SmallCellAction::MergeIntoOther && !suppressed.is_empty() && total >= params.k;
    SmallCellResult { kept, other: merge.then_some(total), suppressed, merged: merge }
}

/// Where a grouped table keeps its groups: the label column, the customer
/// count the threshold applies to, and other counts that add up when groups merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupColumns {
    /// The group's label.
    pub label: usize,
    /// Its customers (or the units the threshold counts).
    pub customers: usize,
    /// Further counts summed into a merged group (every other cell of a merged group is left blank).
    pub sums: Vec<usize>,
    /// A column splitting the table into separate sets of groups (a profile's
    /// dimension): each set is protected on its own, its "other" row after it.
    pub within: Option<usize>,
}

/// A grouped table as it may be published: rows of small groups removed,
/// or replaced by one row labelled `other` after the kept ones. Rows whose
/// count is not a whole number (an average row) are kept as they are.
pub fn protect_table(t: &TextTable, cols: &GroupColumns, params: &SmallCellParams, other: &str) -> TextTable {
    let mut out = TextTable::new(t.headers.clone());
    // Consecutive rows with the same `within` value form one set (all rows when none).
    let set = |r: usize| cols.within.map(|c| t.cell(r, c));
    let mut start = 0;
    while start < t.len() {
        let end = (start..t.len()).find(|&r| set(r) != set(start)).unwrap_or(t.len());
        protect_rows(t, start..end, cols, params, other, &mut out);
        start = end;
    }
    out
}

/// Protects the groups in `rows` of `t`, appending what may be published to `out`.
fn protect_rows(
    t: &TextTable,
    rows: std::ops::Range<usize>,
    cols: &GroupColumns,
    params: &SmallCellParams,
    other: &str,
    out: &mut TextTable,
) {
    let count = |r: usize| t.cell(r, cols.customers).trim().parse::<u64>().ok();
    let groups: Vec<GroupCount> =
        rows.clone().filter_map(|r| count(r).map(|n| GroupCount { label: r.to_string(), customers: n })).collect();
    let result = protect(&groups, params);
    let held: Vec<usize> = result.suppressed.iter().filter_map(|g| g.label.parse().ok()).collect();
    for r in rows.clone().filter(|r| !held.contains(r)) {
        out.push(t.row_numbers[r], t.row(r));
    }
    if let Some(n) = result.other {
        let mut cells = vec![String::new(); t.width()];
        if let Some(c) = cols.within {
            cells[c] = t.cell(rows.start, c).to_string();
        }
        cells[cols.label] = other.to_string();
        cells[cols.customers] = n.to_string();
        for &c in &cols.sums {
            let sum: u64 = held.iter().filter_map(|&r| t.cell(r, c).trim().parse::<u64>().ok()).sum();
            cells[c] = sum.to_string();
        }
        let number = rows.end.checked_sub(1).map_or(2, |last| t.row_numbers[last]);
        out.push(number, cells.iter().map(String::as_str));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(label: &str, n: u64) -> GroupCount {
        GroupCount { label: label.into(), customers: n }
    }

    #[test]
    fn suppresses_below_k() {
        let groups = [g("北京", 120), g("拉萨", 3), g("三亚", 4), g("空", 0), g("成都", 5)];
        let r = protect(&groups, &SmallCellParams::default());
        assert_eq!(r.kept, vec![g("北京", 120), g("空", 0), g("成都", 5)]);
        assert_eq!(r.suppressed, vec![g("拉萨", 3), g("三亚", 4)]);
        assert_eq!(r.other, None);
        assert!(!r.merged);
    }

    #[test]
    fn merges_into_other_when_that_is_big_enough() {
        let groups = [g("北京", 120), g("拉萨", 3), g("三亚", 4)];
        let p = SmallCellParams { k: 5, action: SmallCellAction::MergeIntoOther };
        let r = protect(&groups, &p);
        assert_eq!(r.other, Some(7));
        assert!(r.merged);
        assert_eq!(r.kept.len(), 1);
        // A merged group of 3 < 5 is suppressed too.
        let r = protect(&[g("北京", 120), g("拉萨", 3)], &p);
        assert_eq!((r.other, r.merged, r.suppressed.len()), (None, false, 1));
        // Nothing small: no other group.
        let r = protect(&[g("北京", 120)], &p);
        assert_eq!((r.other, r.merged), (None, false));
    }

    #[test]
    fn tables_lose_or_merge_their_small_rows() {
        let t = TextTable::from_rows(
            &["city", "customers", "orders", "share"],
            &[
                &["北京", "120", "300", "0.9"],
                &["拉萨", "3", "4", "0.02"],
                &["三亚", "4", "9", "0.03"],
                &["average", "x", "", ""],
            ],
        );
        let cols = GroupColumns { label: 0, customers: 1, sums: vec![2], within: None };
        let suppressed = protect_table(&t, &cols, &SmallCellParams::default(), "其他");
        assert_eq!(suppressed.len(), 2);
        assert_eq!(suppressed.row(1).collect::<Vec<_>>(), ["average", "x", "", ""]);
        let merge = SmallCellParams { k: 5, action: SmallCellAction::MergeIntoOther };
        let merged = protect_table(&t, &cols, &merge, "其他");
        assert_eq!(merged.len(), 3);
        assert_eq!(merged.row(2).collect::<Vec<_>>(), ["其他", "7", "13", ""]);
        // Nothing below k: the same rows.
        let k1 = protect_table(&t, &cols, &SmallCellParams { k: 1, ..merge }, "其他");
        assert_eq!(k1.len(), 4);
    }

    #[test]
    fn each_set_of_groups_is_protected_on_its_own() {
        let t = TextTable::from_rows(
            &["dimension", "value", "customers"],
            &[
                &["gender", "女", "50"],
                &["gender", "未知", "3"],
                &["city", "北京", "40"],
                &["city", "拉萨", "2"],
                &["city", "三亚", "4"],
            ],
        );
        let cols = GroupColumns { label: 1, customers: 2, sums: vec![], within: Some(0) };
        let merge = SmallCellParams { k: 5, action: SmallCellAction::MergeIntoOther };
        let out = protect_table(&t, &cols, &merge, "其他");
        let rows: Vec<Vec<&str>> = (0..out.len()).map(|r| out.row(r).collect()).collect();
        // gender's single small group (3 < 5) is suppressed; city's two merge into 6.
        assert_eq!(rows, vec![vec!["gender", "女", "50"], vec!["city", "北京", "40"], vec!["city", "其他", "6"]]);
    }

    #[test]
    fn k_of_one_keeps_everything() {
        let r = protect(&[g("a", 1), g("b", 0)], &SmallCellParams { k: 1, ..Default::default() });
        assert_eq!(r.kept.len(), 2);
        assert!(r.suppressed.is_empty());
    }
}
