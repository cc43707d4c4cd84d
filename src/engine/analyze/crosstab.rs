//! M11 Cross-tab and Pearson's chi-square test of independence for two
//! columns of a table — categorical, or numeric columns cut into bins.
//!
//! # Values, bins and excluded rows
//! A categorical value is the cell's text, trimmed. A binned column's cells
//! are read as numbers (as amounts are: `1,280`, `¥99` and `1.5万` work; four
//! decimals kept) and cut into bins `[a, b)`, the last one closed `[a, b]`:
//! - `EqualWidth(n)`: `n` bins of equal width from the smallest to the largest
//!   value of the rows used (edge `i` = `min + i·(max − min)/n`, the last edge
//!   `max`; `min ± 0.5` when all values are equal) — numpy's `histogram` bins;
//! - `Edges(e)`: the given increasing edges; values outside them are excluded.
//!
//! A row is excluded from the table and the test when a cell is blank, when a
//! binned cell is not a number, or when it lies outside the given edges. Each
//! excluded row is counted once, under the first problem found (the row
//! column is checked before the column column), and reported by column and
//! reason.
//!
//! # Order of labels
//! Categories are ordered by descending total, ties by label (code-point
//! order). Bins keep their numeric order; bins with no rows are left out
//! (an empty row or column has no expected count to test against).
//!
//! # The test
//! Expected counts `E_ij = R_i·C_j / N`; Pearson's `χ² = Σ (O_ij − E_ij)² / E_ij`
//! **without** Yates' continuity correction (also for 2×2 tables — the same as
//! `scipy.stats.chi2_contingency(table, correction=False)`); degrees of freedom
//! `(r − 1)(c − 1)`; the p-value is the chi-square distribution's upper tail
//! `P(X ≥ χ²)`; Cramér's `V = √(χ² / (N·min(r − 1, c − 1)))`. The test is
//! unreliable when expected counts are small: the classic rule asks that no
//! expected count be below 1 and at most 20 % be below 5.

use crate::engine::analyze::bins::{bin_label, bin_of, equal_width_edges, number};
use crate::engine::clean::table::TextTable;
use crate::engine::error::AnalysisError;
use crate::engine::money::trim_text;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::collections::HashMap;

/// How a column's values become the table's categories.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Binning {
    /// Each distinct (trimmed) text is a category.
    #[default]
    Categories,
    /// Numbers cut into this many equal-width bins over their range.
    EqualWidth(usize),
    /// Numbers cut at these increasing edges.
    Edges(Vec<f64>),
}

/// One side of the table: a column and how its values are grouped.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AxisSpec {
    /// The column's index in the table.
    pub column: usize,
    /// Categories or bins.
    pub binning: Binning,
}

/// What to cross-tabulate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CrosstabParams {
    /// The column whose values become the rows.
    pub rows: AxisSpec,
    /// The column whose values become the columns.
    pub cols: AxisSpec,
}

/// Why a row was left out of the table.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// The cell is blank.
    Blank,
    /// The column is binned and the cell is not a number.
    NotANumber,
    /// The number lies outside the given bin edges.
    OutOfRange,
}

/// Rows left out for one reason in one column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    /// The column's header.
    pub column: String,
    /// Why.
    pub reason: ExclusionReason,
    /// How many rows.
    pub rows: u64,
}

/// The contingency table of counts with its totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contingency {
    /// Labels of the rows (categories or bins like `[0, 100)`).
    pub row_labels: Vec<String>,
    /// Labels of the columns.
    pub col_labels: Vec<String>,
    /// `counts[i][j]`: rows with row label `i` and column label `j`.
    pub counts: Vec<Vec<u64>>,
    /// Total of each row.
    pub row_totals: Vec<u64>,
    /// Total of each column.
    pub col_totals: Vec<u64>,
    /// Grand total `N`.
    pub total: u64,
}

impl Contingency {
    /// A table from its counts (`counts[i][j]`), with totals computed.
    pub fn new(row_labels: Vec<String>, col_labels: Vec<String>, counts: Vec<Vec<u64>>) -> Contingency {
        let row_totals: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
        let col_totals: Vec<u64> =
            (0..col_labels.len()).map(|j| counts.iter().map(|r| r.get(j).copied().unwrap_or(0)).sum()).collect();
        let total = row_totals.iter().sum();
        Contingency { row_labels, col_labels, counts, row_totals, col_totals, total }
    }

    /// Expected counts under independence: `E_ij = R_i·C_j / N`.
    pub fn expected(&self) -> Vec<Vec<f64>> {
        let n = self.total as f64;
        self.row_totals
            .iter()
            .map(|&r| self.col_totals.iter().map(|&c| if n == 0.0 { 0.0 } else { (r as f64 * c as f64) / n }).collect())
            .collect()
    }

    /// Each count as a share of its row total (row %, as fractions of 1).
    pub fn row_shares(&self) -> Vec<Vec<f64>> {
        self.counts.iter().zip(&self.row_totals).map(|(r, &t)| r.iter().map(|&x| share(x, t)).collect()).collect()
    }

    /// Each count as a share of its column total (column %, as fractions of 1).
    pub fn col_shares(&self) -> Vec<Vec<f64>> {
        self.counts.iter().map(|r| r.iter().zip(&self.col_totals).map(|(&x, &t)| share(x, t)).collect()).collect()
    }

    /// Pearson's chi-square test of independence (no continuity correction).
    /// Needs at least two rows and two columns with non-zero totals.
    pub fn chi_square(&self) -> ChiSquare {
        let expected = self.expected();
        let chi2: f64 = self
            .counts
            .iter()
            .zip(&expected)
            .flat_map(|(o, e)| o.iter().zip(e).map(|(&o, &e)| (o as f64 - e).powi(2) / e))
            .sum();
        let (r, c) = (self.row_labels.len() as u64, self.col_labels.len() as u64);
        let dof = r.saturating_sub(1) * c.saturating_sub(1);
        let p_value = match ChiSquared::new(dof as f64) {
            Ok(d) if dof > 0 => d.sf(chi2),
            _ => 1.0,
        };
        let k = r.min(c).saturating_sub(1);
        let cramers_v = if k == 0 || self.total == 0 { 0.0 } else { (chi2 / (self.total as f64 * k as f64)).sqrt() };
        ChiSquare { chi2, dof, p_value, cramers_v }
    }

    /// How small the expected counts are (see [`ExpectedCheck`]).
    pub fn expected_check(&self) -> ExpectedCheck {
        let expected = self.expected();
        let all: Vec<f64> = expected.into_iter().flatten().collect();
        let cells = all.len() as u64;
        let below_5 = all.iter().filter(|&&e| e < 5.0).count() as u64;
        let min_expected = all.iter().copied().fold(f64::INFINITY, f64::min);
        let share_below_5 = if cells == 0 { 0.0 } else { below_5 as f64 / cells as f64 };
        ExpectedCheck {
            cells,
            cells_below_5: below_5,
            share_below_5,
            min_expected: if cells == 0 { 0.0 } else { min_expected },
            rule_broken: cells > 0 && (min_expected < 1.0 || share_below_5 > 0.2),
        }
    }
}

fn share(x: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        x as f64 / of as f64
    }
}

/// The result of Pearson's chi-square test of independence.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChiSquare {
    /// Pearson's χ² statistic (no continuity correction).
    pub chi2: f64,
    /// Degrees of freedom `(r − 1)(c − 1)`.
    pub dof: u64,
    /// `P(X ≥ χ²)` for X chi-square distributed with `dof` degrees of freedom.
    pub p_value: f64,
    /// Cramér's V, 0 (independent) to 1 (each row value fixes the column value).
    pub cramers_v: f64,
}

/// Whether the expected counts are large enough for the test to be trusted.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpectedCheck {
    /// Cells in the table.
    pub cells: u64,
    /// Cells whose expected count is below 5.
    pub cells_below_5: u64,
    /// Their share of all cells (0–1).
    pub share_below_5: f64,
    /// The smallest expected count.
    pub min_expected: f64,
    /// Whether the classic rule (no expected count below 1, at most 20 % below 5) is broken.
    pub rule_broken: bool,
}

/// A cross-tab with its test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crosstab {
    /// Header of the column giving the rows.
    pub row_column: String,
    /// Header of the column giving the columns.
    pub col_column: String,
    /// Counts and totals.
    pub table: Contingency,
    /// Row % (fractions of 1), aligned with `table.counts`.
    pub row_shares: Vec<Vec<f64>>,
    /// Column % (fractions of 1).
    pub col_shares: Vec<Vec<f64>>,
    /// Expected counts under independence.
    pub expected: Vec<Vec<f64>>,
    /// The test.
    #[serde(flatten)]
    pub test: ChiSquare,
    /// Small expected counts.
    pub expected_check: ExpectedCheck,
    /// Rows in the input.
    pub rows_in: u64,
    /// Rows in the table (`rows_in` minus the excluded ones).
    pub rows_used: u64,
    /// Rows left out, by column and reason (only non-zero counts).
    pub excluded: Vec<Excluded>,
}

/// A cell's value on one axis, before grouping.
enum Value<'a> {
    Text(&'a str),
    Number(f64),
}

fn read_value<'a>(cell: &'a str, binning: &Binning) -> Result<Value<'a>, ExclusionReason> {
    let v = trim_text(cell);
    if v.is_empty() {
        return Err(ExclusionReason::Blank);
    }
    match binning {
        Binning::Categories => Ok(Value::Text(v)),
        Binning::EqualWidth(_) | Binning::Edges(_) => {
            let x = number(v).ok_or(ExclusionReason::NotANumber)?;
            match binning {
                Binning::Edges(e) if !(e.first().is_some_and(|&a| a <= x) && e.last().is_some_and(|&b| x <= b)) => {
                    Err(ExclusionReason::OutOfRange)
                }
                _ => Ok(Value::Number(x)),
            }
        }
    }
}

/// The labels of one axis and each used row's group on it.
struct Axis {
    labels: Vec<String>,
    /// Per used row: index into `labels` (before reordering).
    groups: Vec<u32>,
}

fn group_axis(values: Vec<Value<'_>>, binning: &Binning, header: &str) -> Result<Axis, AnalysisError> {
    let invalid = || AnalysisError::InvalidBins { column: header.to_string() };
    match binning {
        Binning::Categories => {
            let mut index: HashMap<&str, u32> = HashMap::new();
            let mut labels = Vec::new();
            let groups = values
                .iter()
                .map(|v| {
                    let text = match v {
                        Value::Text(t) => *t,
                        Value::Number(_) => "",
                    };
                    *index.entry(text).or_insert_with(|| {
                        labels.push(text.to_string());
                        labels.len() as u32 - 1
                    })
                })
                .collect();
            Ok(Axis { labels, groups })
        }
        Binning::EqualWidth(_) | Binning::Edges(_) => {
            let xs: Vec<f64> = values.iter().map(|v| if let Value::Number(x) = v { *x } else { f64::NAN }).collect();
            let edges = match binning {
                Binning::EqualWidth(n) => {
                    if *n == 0 {
                        return Err(invalid());
                    }
                    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    equal_width_edges(lo, hi, *n)
                }
                Binning::Edges(e) => e.clone(),
                Binning::Categories => Vec::new(),
            };
            let labels = (0..edges.len() - 1).map(|i| bin_label(&edges, i)).collect();
            let groups = xs.iter().map(|&x| bin_of(x, &edges) as u32).collect();
            Ok(Axis { labels, groups })
        }
    }
}

fn valid_edges(binning: &Binning) -> bool {
    match binning {
        Binning::Categories => true,
        Binning::EqualWidth(n) => *n > 0,
        Binning::Edges(e) => e.len() >= 2 && e.iter().all(|x| x.is_finite()) && e.windows(2).all(|w| w[0] < w[1]),
    }
}

/// The order to show an axis's non-empty groups in: categories by descending
/// total then label, bins by position.
fn axis_order(labels: &[String], totals: &[u64], binning: &Binning) -> Vec<usize> {
    let mut order: Vec<usize> = (0..labels.len()).filter(|&i| totals[i] > 0).collect();
    if matches!(binning, Binning::Categories) {
        order.sort_by(|&a, &b| totals[b].cmp(&totals[a]).then_with(|| labels[a].cmp(&labels[b])));
    }
    order
}

/// Cross-tabulates two columns of `table` and tests their independence.
pub fn crosstab(table: &TextTable, params: &CrosstabParams) -> Result<Crosstab, AnalysisError> {
    let axes = [&params.rows, &params.cols];
    let header = |a: &AxisSpec| table.headers.get(a.column).cloned().unwrap_or_default();
    for a in axes {
        if a.column >= table.width() {
            return Err(AnalysisError::NoSuchColumn {
                column: a.column.to_string(),
                columns: table.headers.join(", "),
            });
        }
        if !valid_edges(&a.binning) {
            return Err(AnalysisError::InvalidBins { column: header(a) });
        }
    }
    let mut excluded: Vec<((usize, ExclusionReason), u64)> = Vec::new();
    let mut usable = [0u64; 2]; // cells with a usable value, per axis
    let mut values: [Vec<Value<'_>>; 2] = [Vec::new(), Vec::new()];
    for r in 0..table.len() {
        let got: Vec<Result<Value<'_>, ExclusionReason>> =
            axes.iter().map(|a| read_value(table.cell(r, a.column), &a.binning)).collect();
        for (k, g) in got.iter().enumerate() {
            usable[k] += u64::from(g.is_ok());
        }
        if let Some((k, reason)) = got.iter().enumerate().find_map(|(k, g)| g.as_ref().err().map(|e| (k, *e))) {
            match excluded.iter_mut().find(|(key, _)| *key == (k, reason)) {
                Some((_, n)) => *n += 1,
                None => excluded.push(((k, reason), 1)),
            }
            continue;
        }
        for (k, g) in got.into_iter().enumerate() {
            if let Ok(v) = g {
                values[k].push(v);
            }
        }
    }
    let rows_used = values[0].len() as u64;
    if rows_used == 0 {
        return Err(match usable.iter().position(|&n| n == 0) {
            Some(k) => AnalysisError::NoValues { column: header(axes[k]) },
            None => AnalysisError::NoData,
        });
    }
    let [row_values, col_values] = values;
    let ra = group_axis(row_values, &params.rows.binning, &header(&params.rows))?;
    let ca = group_axis(col_values, &params.cols.binning, &header(&params.cols))?;
    let mut raw = vec![vec![0u64; ca.labels.len()]; ra.labels.len()];
    for (&i, &j) in ra.groups.iter().zip(&ca.groups) {
        raw[i as usize][j as usize] += 1;
    }
    let raw_rows: Vec<u64> = raw.iter().map(|r| r.iter().sum()).collect();
    let raw_cols: Vec<u64> = (0..ca.labels.len()).map(|j| raw.iter().map(|r| r[j]).sum()).collect();
    let ro = axis_order(&ra.labels, &raw_rows, &params.rows.binning);
    let co = axis_order(&ca.labels, &raw_cols, &params.cols.binning);
    for (order, axis, spec) in [(&ro, &ra, &params.rows), (&co, &ca, &params.cols)] {
        if order.len() < 2 {
            let value = order.first().map(|&i| axis.labels[i].clone()).unwrap_or_default();
            return Err(AnalysisError::SingleValue { column: header(spec), value });
        }
    }
    let counts = ro.iter().map(|&i| co.iter().map(|&j| raw[i][j]).collect()).collect();
    let t = Contingency::new(
        ro.iter().map(|&i| ra.labels[i].clone()).collect(),
        co.iter().map(|&j| ca.labels[j].clone()).collect(),
        counts,
    );
    excluded.sort_by_key(|((k, reason), _)| (*k, *reason as u8));
    Ok(Crosstab {
        row_column: header(&params.rows),
        col_column: header(&params.cols),
        row_shares: t.row_shares(),
        col_shares: t.col_shares(),
        expected: t.expected(),
        test: t.chi_square(),
        expected_check: t.expected_check(),
        rows_in: table.len() as u64,
        rows_used,
        excluded: excluded
            .into_iter()
            .map(|((k, reason), rows)| Excluded { column: header(axes[k]), reason, rows })
            .collect(),
        table: t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }

    fn table(rows: &[[&str; 2]]) -> TextTable {
        let mut t = TextTable::new(vec!["a".into(), "b".into()]);
        for (i, r) in rows.iter().enumerate() {
            t.push(i as u64 + 2, r.iter().copied());
        }
        t
    }

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn two_by_two_by_hand() {
        // N = 100, R = 30, 70, C = 40, 60 → E = 12, 18, 28, 42;
        // χ² = 4/12 + 4/18 + 4/28 + 4/42 = 4 · 50/252 = 50/63.
        let t = Contingency::new(labels(&["x", "y"]), labels(&["p", "q"]), vec![vec![10, 20], vec![30, 40]]);
        assert_eq!(t.expected(), vec![vec![12.0, 18.0], vec![28.0, 42.0]]);
        let c = t.chi_square();
        close(c.chi2, 50.0 / 63.0);
        assert_eq!(c.dof, 1);
        close(c.cramers_v, (50.0f64 / 63.0 / 100.0).sqrt());
        // scipy.stats.chi2.sf(50/63, 1) (= erfc(√(χ²/2)))
        close(c.p_value, 0.37299848361348686);
        assert_eq!(t.row_shares()[0], vec![1.0 / 3.0, 2.0 / 3.0]);
        assert_eq!(t.col_shares()[1], vec![0.75, 40.0 / 60.0]);
    }

    #[test]
    fn three_by_three_by_hand() {
        // N = 80, R = 30, 30, 20, C = 35, 25, 20.
        // E row 1 and 2: 13.125, 9.375, 7.5; row 3: 8.75, 6.25, 5.
        // (O−E)²/E: 3.6012 + 2.0417 + 0.8333 + 0.7440 + 3.375 + 0.8333 + 1.6071 + 0.25 + 5 = 128/7.
        let t = Contingency::new(
            labels(&["a", "b", "c"]),
            labels(&["p", "q", "r"]),
            vec![vec![20, 5, 5], vec![10, 15, 5], vec![5, 5, 10]],
        );
        let c = t.chi_square();
        close(c.chi2, 128.0 / 7.0);
        assert_eq!(c.dof, 4);
        // With 4 degrees of freedom the upper tail is e^(−x/2)·(1 + x/2).
        let x: f64 = 128.0 / 7.0;
        close(c.p_value, (-x / 2.0).exp() * (1.0 + x / 2.0));
        close(c.cramers_v, (x / (80.0 * 2.0)).sqrt());
        let w = t.expected_check();
        assert_eq!((w.cells, w.cells_below_5, w.min_expected, w.rule_broken), (9, 0, 5.0, false));
    }

    #[test]
    fn small_expected_counts_are_flagged() {
        // E = [[0.5, 4.5], [0.5, 4.5]]: all four below 5, the smallest below 1.
        let t = Contingency::new(labels(&["x", "y"]), labels(&["p", "q"]), vec![vec![1, 4], vec![0, 5]]);
        let w = t.expected_check();
        assert_eq!((w.cells_below_5, w.share_below_5, w.min_expected, w.rule_broken), (4, 1.0, 0.5, true));
    }

    #[test]
    fn labels_ordered_by_total_then_label_and_blanks_excluded() {
        let t = table(&[
            ["女", "APP"],
            ["男", "官网"],
            ["女", "官网"],
            [" 女 ", "APP"],
            ["", "APP"],
            ["男", " "],
            ["未知", "APP"],
            ["男", "APP"],
            ["Z", "官网"],
        ]);
        let p = CrosstabParams {
            rows: AxisSpec { column: 0, ..AxisSpec::default() },
            cols: AxisSpec { column: 1, ..AxisSpec::default() },
        };
        let x = crosstab(&t, &p).expect("crosstab");
        assert_eq!(x.table.row_labels, labels(&["女", "男", "Z", "未知"])); // 3, 2, then 1 and 1 by label
        assert_eq!(x.table.col_labels, labels(&["APP", "官网"]));
        assert_eq!(x.table.counts, vec![vec![2, 1], vec![1, 1], vec![0, 1], vec![1, 0]]);
        assert_eq!((x.rows_in, x.rows_used, x.table.total), (9, 7, 7));
        assert_eq!(
            x.excluded,
            vec![
                Excluded { column: "a".into(), reason: ExclusionReason::Blank, rows: 1 },
                Excluded { column: "b".into(), reason: ExclusionReason::Blank, rows: 1 },
            ]
        );
    }

    #[test]
    fn numeric_bins_like_numpy() {
        // Values 0, 10, 25, 40 in 4 bins over [0, 40]: edges 0, 10, 20, 30, 40.
        let t = table(&[["0", "a"], ["10", "b"], ["25", "a"], ["40", "b"], ["n/a", "a"], ["15", "b"]]);
        let p = CrosstabParams {
            rows: AxisSpec { column: 0, binning: Binning::EqualWidth(4) },
            cols: AxisSpec { column: 1, ..AxisSpec::default() },
        };
        let x = crosstab(&t, &p).expect("crosstab");
        // 10 and 15 share [10, 20); 40 falls in the closed last bin.
        assert_eq!(x.table.row_labels, labels(&["[0, 10)", "[10, 20)", "[20, 30)", "[30, 40]"]));
        assert_eq!(x.table.row_totals, vec![1, 2, 1, 1]);
        assert_eq!(x.excluded, vec![Excluded { column: "a".into(), reason: ExclusionReason::NotANumber, rows: 1 }]);
        // Given edges: 0 and 40 out of range; empty bins left out.
        let p =
            CrosstabParams { rows: AxisSpec { column: 0, binning: Binning::Edges(vec![5.0, 12.5, 30.0, 35.0]) }, ..p };
        let x = crosstab(&t, &p).expect("crosstab");
        assert_eq!(x.table.row_labels, labels(&["[5, 12.5)", "[12.5, 30)"]));
        assert_eq!(x.table.row_totals, vec![1, 2]);
        assert_eq!(x.excluded[1], Excluded { column: "a".into(), reason: ExclusionReason::OutOfRange, rows: 2 });
    }

    #[test]
    fn degenerate_tables_are_errors() {
        let t = table(&[["女", "APP"], ["男", "APP"], ["女", ""]]);
        let p = CrosstabParams {
            rows: AxisSpec { column: 0, ..AxisSpec::default() },
            cols: AxisSpec { column: 1, ..AxisSpec::default() },
        };
        assert_eq!(crosstab(&t, &p), Err(AnalysisError::SingleValue { column: "b".into(), value: "APP".into() }));
        let t = table(&[["女", ""], ["男", " "]]);
        assert_eq!(crosstab(&t, &p), Err(AnalysisError::NoValues { column: "b".into() }));
        let t = table(&[["1", "x"], ["2", "y"]]);
        let bad = CrosstabParams { rows: AxisSpec { column: 0, binning: Binning::Edges(vec![3.0, 1.0]) }, ..p };
        assert_eq!(crosstab(&t, &bad), Err(AnalysisError::InvalidBins { column: "a".into() }));
    }
}
