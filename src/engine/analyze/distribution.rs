//! M6 Profiles: how one column's values are distributed — counts and shares
//! by value for a categorical column; count, mean, quartiles, spread and a
//! histogram for a numeric one; and customers by age band from an age or a
//! birth-date column.
//!
//! # Definitions
//! - Missing: a cell that is blank after trimming. Shares of values are
//!   shares of the non-missing cells.
//! - Categorical or numeric: as [`crate::engine::ingest::profile`] infers the
//!   column's type (integers and decimals are numeric; everything else,
//!   dates included, is categorical) unless the caller says.
//! - Numbers are read as amounts are ([`bins::number`]); non-blank cells that
//!   are not numbers (or, for a birth date, not dates on or before the
//!   reference day) are counted as `unusable` and left out.
//! - Quartiles and median: numpy's default (`linear`) percentiles. `std` is
//!   the sample standard deviation (n − 1 in the denominator, as pandas'
//!   `std`); none for fewer than two values.
//! - Histogram: equal-width bins from the smallest to the largest value
//!   (numpy's `histogram` bins, [`bins`]), empty bins kept.
//! - Age bands: <18, 18–25, 26–35, 36–45, 46–55, 56+ by whole years of age
//!   (an age of 25.9 is in 18–25). From a birth date, the age is the number
//!   of birthdays passed on the reference day the caller gives.

use crate::engine::analyze::bins::{self, bin_label, bin_of, equal_width_edges};
use crate::engine::analyze::quantile::quantile_sorted;
use crate::engine::clean::table::TextTable;
use crate::engine::date::{parse_timestamp, Day};
use crate::engine::error::AnalysisError;
use crate::engine::ingest::profile::{profile_column, ColumnType};
use crate::engine::money::trim_text;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How to read the column.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnRole {
    /// Numeric when its inferred type is integer or decimal, else categorical.
    #[default]
    Auto,
    /// Counts by value.
    Categorical,
    /// Numeric summary and histogram.
    Numeric,
    /// Ages in years: numeric summary, histogram and age bands.
    Age,
    /// Birth dates: ages on the given day, then as [`ColumnRole::Age`].
    BirthDate(Day),
}

/// Options of a column profile.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DistributionParams {
    /// Categorical: the most frequent values listed; the rest are summed as "other".
    pub top: usize,
    /// Numeric: histogram bins.
    pub bins: usize,
}

impl Default for DistributionParams {
    fn default() -> DistributionParams {
        DistributionParams { top: 10, bins: 10 }
    }
}

/// A value (or band) with its count and share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueCount {
    /// The value or band label.
    pub value: String,
    /// Cells with it.
    pub count: u64,
    /// Its share (0–1) of the values counted.
    pub share: f64,
}

/// The values beyond the top N, together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OtherValues {
    /// How many distinct values.
    pub values: u64,
    /// Cells with any of them.
    pub count: u64,
    /// Their share (0–1) of the non-missing cells.
    pub share: f64,
}

/// Counts by value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoricalSummary {
    /// Distinct non-missing values.
    pub distinct: u64,
    /// The most frequent values, by descending count then value.
    pub values: Vec<ValueCount>,
    /// All other values, when there are more than the top N.
    pub other: Option<OtherValues>,
}

/// One histogram bin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistogramBin {
    /// `[lo, hi)`, or `[lo, hi]` for the last bin.
    pub label: String,
    /// Lower edge.
    pub lo: f64,
    /// Upper edge.
    pub hi: f64,
    /// Values in the bin.
    pub count: u64,
}

/// A numeric column's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    /// Values counted.
    pub count: u64,
    /// Non-blank cells that could not be used (not numbers, impossible dates).
    pub unusable: u64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` for fewer than two values.
    pub std: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// 25th percentile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// 75th percentile.
    pub q3: f64,
    /// Largest value.
    pub max: f64,
    /// Equal-width histogram.
    pub histogram: Vec<HistogramBin>,
    /// Customers by age band, for ages and birth dates.
    pub age_bands: Option<Vec<ValueCount>>,
}

/// What the column holds, summarised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Summary {
    /// Counts by value.
    Categorical(CategoricalSummary),
    /// Numbers (or ages).
    Numeric(NumericSummary),
}

/// One column's profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnDistribution {
    /// The header.
    pub column: String,
    /// The type inferred from the values.
    pub inferred_type: ColumnType,
    /// Rows in the table.
    pub rows: u64,
    /// Blank cells.
    pub missing: u64,
    /// The summary.
    #[serde(flatten)]
    pub summary: Summary,
}

/// The age bands: label and the lowest whole age in it.
pub const AGE_BANDS: [(&str, i64); 6] =
    [("<18", i64::MIN), ("18–25", 18), ("26–35", 26), ("36–45", 36), ("46–55", 46), ("56+", 56)];

/// The band of a whole age (index into [`AGE_BANDS`]).
pub fn age_band(age: i64) -> usize {
    AGE_BANDS.iter().rposition(|&(_, lo)| age >= lo).unwrap_or(0)
}

/// Whole years from `birth` to `on` (birthdays passed); `None` if born after `on`.
pub fn age_on(birth: Day, on: Day) -> Option<i64> {
    if birth > on {
        return None;
    }
    let (b, d) = (birth.to_naive(), on.to_naive());
    let before_birthday = (d.month(), d.day()) < (b.month(), b.day());
    Some(i64::from(d.year() - b.year()) - i64::from(before_birthday))
}

/// Profiles column `column` of `table`.
pub fn distribution(
    table: &TextTable,
    column: usize,
    role: ColumnRole,
    params: DistributionParams,
) -> Result<ColumnDistribution, AnalysisError> {
    let header = table
        .headers
        .get(column)
        .cloned()
        .ok_or_else(|| AnalysisError::NoSuchColumn { column: column.to_string(), columns: table.headers.join(", ") })?;
    let cells = || (0..table.len()).map(|r| trim_text(table.cell(r, column)));
    let inferred = profile_column(&header, cells()).ty;
    let missing = cells().filter(|v| v.is_empty()).count() as u64;
    let role = match role {
        ColumnRole::Auto if matches!(inferred, ColumnType::Integer | ColumnType::Decimal) => ColumnRole::Numeric,
        ColumnRole::Auto => ColumnRole::Categorical,
        r => r,
    };
    let summary = match role {
        ColumnRole::Categorical | ColumnRole::Auto => Summary::Categorical(categorical(cells(), params.top)),
        ColumnRole::Numeric | ColumnRole::Age | ColumnRole::BirthDate(_) => {
            let mut values = Vec::new();
            let mut unusable = 0u64;
            for v in cells().filter(|v| !v.is_empty()) {
                let x = match role {
                    ColumnRole::BirthDate(on) => {
                        parse_timestamp(v).ok().and_then(|t| age_on(t.day, on)).map(|a| a as f64)
                    }
                    _ => bins::number(v),
                };
                match x {
                    Some(x) => values.push(x),
                    None => unusable += 1,
                }
            }
            let ages = !matches!(role, ColumnRole::Numeric);
            let s = numeric(values, unusable, params.bins, ages)
                .ok_or(AnalysisError::NoValues { column: header.clone() })?;
            Summary::Numeric(s)
        }
    };
    Ok(ColumnDistribution { column: header, inferred_type: inferred, rows: table.len() as u64, missing, summary })
}

/// Counts of the non-blank `cells` by value: the `top` most frequent (by
/// descending count, then value), the rest together; shares of the non-blank cells.
pub fn categorical<'a>(cells: impl Iterator<Item = &'a str>, top: usize) -> CategoricalSummary {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for v in cells.filter(|v| !v.is_empty()) {
        *counts.entry(v).or_insert(0) += 1;
    }
    let filled: u64 = counts.values().sum();
    let mut sorted: Vec<(&str, u64)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let share = |n: u64| if filled == 0 { 0.0 } else { n as f64 / filled as f64 };
    let distinct = sorted.len() as u64;
    let rest = sorted.split_off(top.min(sorted.len()));
    let other = (!rest.is_empty()).then(|| {
        let count = rest.iter().map(|x| x.1).sum();
        OtherValues { values: rest.len() as u64, count, share: share(count) }
    });
    let values =
        sorted.into_iter().map(|(v, n)| ValueCount { value: v.to_string(), count: n, share: share(n) }).collect();
    CategoricalSummary { distinct, values, other }
}

/// The numeric summary of `values` with a histogram of `bins` equal-width bins
/// (no age bands, nothing unusable); `None` when there are none.
pub fn numeric_summary(values: Vec<f64>, bins: usize) -> Option<NumericSummary> {
    numeric(values, 0, bins, false)
}

/// The numeric summary of `values`; `None` when there are none.
fn numeric(mut values: Vec<f64>, unusable: u64, bins: usize, ages: bool) -> Option<NumericSummary> {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    let (&min, &max) = (values.first()?, values.last()?);
    let mean = values.iter().sum::<f64>() / n as f64;
    let std = (n >= 2).then(|| (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
    let q = |p: f64| quantile_sorted(&values, p).unwrap_or(f64::NAN);
    let edges = equal_width_edges(min, max, bins.max(1));
    let mut counts = vec![0u64; edges.len() - 1];
    for &x in &values {
        counts[bin_of(x, &edges)] += 1;
    }
    let histogram = counts
        .iter()
        .enumerate()
        .map(|(i, &count)| HistogramBin { label: bin_label(&edges, i), lo: edges[i], hi: edges[i + 1], count })
        .collect();
    let age_bands = ages.then(|| {
        let mut c = [0u64; AGE_BANDS.len()];
        for &x in &values {
            c[age_band(x.floor() as i64)] += 1;
        }
        AGE_BANDS
            .iter()
            .zip(c)
            .map(|(&(label, _), count)| ValueCount { value: label.to_string(), count, share: count as f64 / n as f64 })
            .collect()
    });
    Some(NumericSummary {
        count: n as u64,
        unusable,
        mean,
        std,
        min,
        q1: q(0.25),
        median: q(0.5),
        q3: q(0.75),
        max,
        histogram,
        age_bands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(values: &[&str]) -> TextTable {
        let mut t = TextTable::new(vec!["v".into()]);
        for (i, v) in values.iter().enumerate() {
            t.push(i as u64 + 2, [*v]);
        }
        t
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    fn numeric_of(d: ColumnDistribution) -> NumericSummary {
        match d.summary {
            Summary::Numeric(n) => n,
            Summary::Categorical(c) => panic!("categorical: {c:?}"),
        }
    }

    #[test]
    fn categories_top_n_and_other() {
        let t = table(&["金卡", "普通", " 普通", "", "银卡", "普通", "钻石", "金卡", "  "]);
        let d = distribution(&t, 0, ColumnRole::Auto, DistributionParams { top: 2, bins: 10 }).expect("profile");
        assert_eq!((d.rows, d.missing, d.inferred_type), (9, 2, ColumnType::Category));
        let Summary::Categorical(c) = d.summary else { panic!("not categorical") };
        assert_eq!(c.distinct, 4);
        // 普通 3, 金卡 2 of 7 non-missing; 银卡 and 钻石 (1 each) are "other".
        assert_eq!(c.values[0], ValueCount { value: "普通".into(), count: 3, share: 3.0 / 7.0 });
        assert_eq!(c.values[1], ValueCount { value: "金卡".into(), count: 2, share: 2.0 / 7.0 });
        assert_eq!(c.other, Some(OtherValues { values: 2, count: 2, share: 2.0 / 7.0 }));
    }

    #[test]
    fn numbers_by_hand() {
        // 1, 2, 3, 4, 10 (and "n/a" unusable, one blank): mean 4, numpy quartiles 2, 3, 4,
        // sample variance (9 + 4 + 1 + 0 + 36) / 4 = 12.5.
        let t = table(&["4", "1", "10", "n/a", "3", "", "2"]);
        let d = distribution(&t, 0, ColumnRole::Numeric, DistributionParams { top: 10, bins: 3 }).expect("profile");
        assert_eq!(d.missing, 1);
        let n = numeric_of(d);
        assert_eq!((n.count, n.unusable), (5, 1));
        close(n.mean, 4.0);
        close(n.std.expect("std"), 12.5f64.sqrt());
        assert_eq!((n.min, n.q1, n.median, n.q3, n.max), (1.0, 2.0, 3.0, 4.0, 10.0));
        // Bins over [1, 10] of width 3: [1, 4) holds 1, 2, 3; [4, 7) holds 4; [7, 10] holds 10.
        let h: Vec<(&str, u64)> = n.histogram.iter().map(|b| (b.label.as_str(), b.count)).collect();
        assert_eq!(h, vec![("[1, 4)", 3), ("[4, 7)", 1), ("[7, 10]", 1)]);
        assert!(n.age_bands.is_none());
    }

    #[test]
    fn auto_reads_integer_columns_as_numbers() {
        let t = table(&["18", "25", "25", "60", "18", "30"]);
        let d = distribution(&t, 0, ColumnRole::Auto, DistributionParams::default()).expect("profile");
        assert!(matches!(d.summary, Summary::Numeric(_)));
        // All different: inferred as ids (phone numbers, customer numbers), counted by value.
        let t = table(&["13800138000", "13900139000", "13700137000"]);
        let d = distribution(&t, 0, ColumnRole::Auto, DistributionParams::default()).expect("profile");
        assert_eq!(d.inferred_type, ColumnType::Id);
        assert!(matches!(d.summary, Summary::Categorical(_)));
        let one = distribution(&table(&["5"]), 0, ColumnRole::Numeric, DistributionParams::default()).expect("one");
        assert_eq!(numeric_of(one).std, None);
    }

    #[test]
    fn age_bands_from_ages_and_birth_dates() {
        let t = table(&["17", "18", "25.9", "26", "45", "46", "55", "56", "90"]);
        let n = numeric_of(distribution(&t, 0, ColumnRole::Age, DistributionParams::default()).expect("profile"));
        let bands: Vec<u64> = n.age_bands.expect("bands").iter().map(|b| b.count).collect();
        assert_eq!(bands, vec![1, 2, 1, 1, 2, 2]);
        let on = Day::parse_iso("2024-06-15").expect("day");
        // 18 on the day of the birthday, 17 the day before; born after the day: unusable.
        let t = table(&["2006-06-15", "2006-06-16", "1990/1/1", "2030-01-01", "not a date"]);
        let n = numeric_of(distribution(&t, 0, ColumnRole::BirthDate(on), DistributionParams::default()).expect("p"));
        let ages_sorted = (n.min, n.median, n.max);
        assert_eq!(ages_sorted, (17.0, 18.0, 34.0));
        assert_eq!(n.unusable, 2);
        let bands: Vec<u64> = n.age_bands.expect("bands").iter().map(|b| b.count).collect();
        assert_eq!(bands, vec![1, 1, 1, 0, 0, 0]);
    }

    #[test]
    fn no_numbers_is_an_error() {
        let t = table(&["a", "", "b"]);
        let e = distribution(&t, 0, ColumnRole::Numeric, DistributionParams::default());
        assert_eq!(e, Err(AnalysisError::NoValues { column: "v".into() }));
    }
}
