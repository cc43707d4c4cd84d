//! RFM: recency, frequency and monetary value per customer at a snapshot
//! date, scores 1–5 (quintiles or the user's breakpoints), an optional 0–100
//! score, segments by rules, and the R × F grid.
//!
//! - recency = snapshot − day of the last order, in days;
//! - frequency = distinct order numbers (order rows when none is mapped);
//! - monetary = exact sum of amounts, refunds included;
//! - scores: four breakpoints per measure — by default the quintiles
//!   (numpy/pandas `linear` percentiles at 20/40/60/80 %), or the user's
//!   ([`UserBreaks`]: four finite, strictly ascending cut points); a value's
//!   score is 1 + the number of breakpoints it is above (for R: 5 − that
//!   number, recent = high). A value equal to a breakpoint is in the lower
//!   band. Equal values always get equal scores.
//! - 0–100 score (when [`RfmParams::scale100`] is set, with weights
//!   `w_R + w_F + w_M = 1`, each ≥ 0):
//!   `score100 = 100 × (w_R·p(−recency) + w_F·p(frequency) + w_M·p(monetary))`,
//!   where `p(x)` is x's percentile rank among all customers — its rank
//!   (1 = smallest, tied values share the mean of their ranks) divided by
//!   the number of customers, as pandas' `rank(pct=True)`. Recency is
//!   negated so that the most recent buyers rank highest. The score is in
//!   `(0, 100]`.
//! - segments: by the user's [`SegmentRules`], else the preset's (see
//!   `segment`); they read the 1–5 scores, the 0–100 score, the days since
//!   the last order and each measure against its mean.
//! - R × F grid: customers, revenue and mean spend per (R score, F score).

use super::customers::Customers;
use super::quantile::{percent_ranks, quintile_breaks, quintile_of};
use super::segment::{AboveMean, Facts, RuleError, SegmentLabel, SegmentPreset, SegmentRules};
use crate::engine::date::Day;
use crate::engine::error::{AnalysisError, EngineError};
use crate::engine::money::Money;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// One of the three measures.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Measure {
    /// Days since the last order.
    Recency,
    /// Orders.
    Frequency,
    /// Spend.
    Monetary,
}

impl Measure {
    /// All three, in R, F, M order.
    pub const ALL: [Measure; 3] = [Measure::Recency, Measure::Frequency, Measure::Monetary];

    /// `recency`, `frequency`, `monetary`.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Recency => "recency",
            Measure::Frequency => "frequency",
            Measure::Monetary => "monetary",
        }
    }
}

impl std::fmt::Display for Measure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// One value per measure.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerMeasure<T> {
    /// Recency.
    pub recency: T,
    /// Frequency.
    pub frequency: T,
    /// Monetary.
    pub monetary: T,
}

impl<T: Copy> PerMeasure<T> {
    /// The value of one measure.
    pub fn get(&self, m: Measure) -> T {
        match m {
            Measure::Recency => self.recency,
            Measure::Frequency => self.frequency,
            Measure::Monetary => self.monetary,
        }
    }

    /// Builds one from a function of the measure.
    pub fn from_fn(mut f: impl FnMut(Measure) -> T) -> PerMeasure<T> {
        PerMeasure { recency: f(Measure::Recency), frequency: f(Measure::Frequency), monetary: f(Measure::Monetary) }
    }
}

/// Score breakpoints of each measure (four cut points, ascending).
pub type Breakpoints = PerMeasure<[f64; 4]>;

/// The user's breakpoints per measure; `None`: the quintiles.
pub type UserBreaks = PerMeasure<Option<[f64; 4]>>;

/// Weights of R, F and M in the 0–100 score.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaleWeights {
    /// Weight of recency.
    pub r: f64,
    /// Weight of frequency.
    pub f: f64,
    /// Weight of monetary.
    pub m: f64,
}

impl Default for ScaleWeights {
    /// Equal weights.
    fn default() -> ScaleWeights {
        ScaleWeights { r: 1.0 / 3.0, f: 1.0 / 3.0, m: 1.0 / 3.0 }
    }
}

impl ScaleWeights {
    /// Each finite and ≥ 0, together 1 (to 1e-6).
    pub fn check(self) -> Result<(), RfmError> {
        let w = [self.r, self.f, self.m];
        if w.iter().all(|x| x.is_finite() && *x >= 0.0) && (w.iter().sum::<f64>() - 1.0).abs() <= 1e-6 {
            Ok(())
        } else {
            Err(RfmError::Weights { r: self.r.to_string(), f: self.f.to_string(), m: self.m.to_string() })
        }
    }
}

/// How to run RFM.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RfmParams {
    /// Snapshot date; default the day after the last order.
    pub snapshot: Option<Day>,
    /// Built-in segmentation (used unless `rules` are given).
    pub preset: SegmentPreset,
    /// The user's breakpoints (else quintiles), per measure.
    #[serde(default)]
    pub breaks: UserBreaks,
    /// Compute the 0–100 score with these weights.
    #[serde(default)]
    pub scale100: Option<ScaleWeights>,
    /// The user's segment rules (else the preset's).
    #[serde(default)]
    pub rules: Option<SegmentRules>,
}

impl RfmParams {
    /// The segment rules in force: the user's, else the preset's.
    pub fn segmentation(&self) -> Cow<'_, SegmentRules> {
        match &self.rules {
            Some(r) => Cow::Borrowed(r),
            None => Cow::Owned(self.preset.rules()),
        }
    }

    /// Checks breakpoints, weights and rules.
    pub fn check(&self) -> Result<(), RfmError> {
        for m in Measure::ALL {
            if let Some(b) = self.breaks.get(m) {
                if !b.iter().all(|x| x.is_finite()) || b.windows(2).any(|w| w[0] >= w[1]) {
                    let text = b.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
                    return Err(RfmError::Breaks { measure: m, breaks: text });
                }
            }
        }
        if let Some(w) = self.scale100 {
            w.check()?;
        }
        self.segmentation().check(self.scale100.is_some())?;
        Ok(())
    }
}

/// Why RFM could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RfmError {
    /// No data, or a snapshot before the last order.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// The segment rules are not valid.
    #[error(transparent)]
    Rules(#[from] RuleError),
    /// The user's breakpoints of a measure are not four finite ascending numbers.
    #[error("{measure} breakpoints {breaks}: give four finite numbers, each larger than the one before")]
    Breaks {
        /// The measure.
        measure: Measure,
        /// The breakpoints given.
        breaks: String,
    },
    /// The 0–100 score weights are negative, not finite or do not add up to 1.
    #[error("0–100 score weights R {r}, F {f}, M {m}: each must be 0 or more, and together 1")]
    Weights {
        /// Weight of R.
        r: String,
        /// Weight of F.
        f: String,
        /// Weight of M.
        m: String,
    },
    /// The migration's first snapshot is not before its second.
    #[error("migration from {from} to {to}: the first snapshot date must be before the second")]
    MigrationOrder {
        /// First snapshot (ISO).
        from: String,
        /// Second snapshot (ISO).
        to: String,
    },
}

impl From<RfmError> for EngineError {
    fn from(e: RfmError) -> EngineError {
        match e {
            RfmError::Analysis(a) => EngineError::Analysis(a),
            other => EngineError::Rfm(other),
        }
    }
}

/// A customer's three scores, each 1–5.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RfmScore {
    /// Recency score (5 = most recent).
    pub r: u8,
    /// Frequency score (5 = most orders).
    pub f: u8,
    /// Monetary score (5 = most spend).
    pub m: u8,
}

/// One customer's RFM.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerRfm {
    /// Days since the last order.
    pub recency_days: i32,
    /// Orders.
    pub frequency: u64,
    /// Spend.
    pub monetary: Money,
    /// Scores.
    pub score: RfmScore,
    /// The 0–100 score, when computed.
    pub score100: Option<f64>,
    /// Segment: position in [`RfmResult::segments`].
    pub segment: u32,
}

/// Means of each measure (the 8-type model compares with them).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Means {
    /// Mean recency (days).
    pub recency: f64,
    /// Mean frequency.
    pub frequency: f64,
    /// Mean monetary.
    pub monetary: f64,
}

/// One segment's share of customers and revenue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    /// The segment.
    pub segment: SegmentLabel,
    /// The suggested action its rule gives (else the built-in segment's, from `i18n`).
    pub action: Option<String>,
    /// Customers in it.
    pub customers: u64,
    /// Share of all customers (0–1).
    pub customer_share: f64,
    /// Their spend.
    pub revenue: Money,
    /// Share of all revenue (0–1; revenue can include refunds).
    pub revenue_share: f64,
    /// Mean recency (days).
    pub mean_recency: f64,
    /// Mean frequency.
    pub mean_frequency: f64,
    /// Mean spend.
    pub mean_monetary: f64,
    /// Mean 0–100 score (when computed and the segment is not empty).
    pub mean_score100: Option<f64>,
}

/// Totals over all customers.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Customers.
    pub customers: u64,
    /// Distinct orders.
    pub orders: u64,
    /// Order rows used.
    pub rows: u64,
    /// Revenue.
    pub revenue: Money,
    /// First order day.
    pub first_day: Day,
    /// Last order day.
    pub last_day: Day,
}

/// RFM of every customer and the summaries shown to the user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmResult {
    /// The parameters used (snapshot resolved).
    pub params: RfmParams,
    /// The snapshot date used.
    pub snapshot: Day,
    /// Per customer, aligned with [`Customers::ids`].
    pub customers: Vec<CustomerRfm>,
    /// Score breakpoints used.
    pub breaks: Breakpoints,
    /// Which breakpoints are the user's (else quintiles).
    pub breaks_user: PerMeasure<bool>,
    /// Means.
    pub means: Means,
    /// Per segment of the rules, in their order (the catch-all last).
    pub segments: Vec<SegmentSummary>,
    /// Totals.
    pub totals: Totals,
}

/// Computes RFM for all customers.
pub fn rfm(c: &Customers, params: RfmParams) -> Result<RfmResult, RfmError> {
    params.check()?;
    let n = c.stats.len();
    let last = c.last_day().ok_or(AnalysisError::NoData)?;
    let first = c.stats.iter().map(|s| s.first_day).min().unwrap_or(last);
    let snapshot = params.snapshot.unwrap_or(last.next());
    if snapshot < last {
        return Err(
            AnalysisError::SnapshotTooEarly { snapshot: snapshot.to_string(), last_order: last.to_string() }.into()
        );
    }
    let recency: Vec<f64> = c.stats.iter().map(|s| f64::from(snapshot.days_since(s.last_day))).collect();
    let frequency: Vec<f64> = c.stats.iter().map(|s| s.orders as f64).collect();
    let monetary: Vec<f64> = c.stats.iter().map(|s| s.monetary.to_f64()).collect();
    let values = PerMeasure { recency: &recency, frequency: &frequency, monetary: &monetary };
    let breaks = PerMeasure::from_fn(|m| params.breaks.get(m).unwrap_or_else(|| quintile_breaks(values.get(m))));
    let breaks_user = PerMeasure::from_fn(|m| params.breaks.get(m).is_some());
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let means = Means { recency: mean(&recency), frequency: mean(&frequency), monetary: mean(&monetary) };
    let score100 = params.scale100.map(|w| scale100(c, snapshot, w));
    let rules = params.segmentation();
    let customers: Vec<CustomerRfm> = (0..n)
        .map(|i| {
            let s = &c.stats[i];
            let score = RfmScore {
                r: 5 - quintile_of(recency[i], &breaks.recency),
                f: 1 + quintile_of(frequency[i], &breaks.frequency),
                m: 1 + quintile_of(monetary[i], &breaks.monetary),
            };
            let better = AboveMean {
                r: recency[i] < means.recency,
                f: frequency[i] > means.frequency,
                m: monetary[i] > means.monetary,
            };
            let recency_days = snapshot.days_since(s.last_day);
            let score100 = score100.as_ref().map(|v| v[i]);
            let facts = Facts { score, score100, recency_days, better };
            CustomerRfm {
                recency_days,
                frequency: s.orders,
                monetary: s.monetary,
                score,
                score100,
                segment: rules.classify(&facts) as u32,
            }
        })
        .collect();
    let totals = Totals {
        customers: n as u64,
        orders: c.total_orders(),
        rows: c.account.rows_used,
        revenue: c.total_revenue(),
        first_day: first,
        last_day: last,
    };
    let segments = summarise(&customers, &rules, totals);
    Ok(RfmResult {
        params: RfmParams { snapshot: Some(snapshot), ..params },
        snapshot,
        customers,
        breaks,
        breaks_user,
        means,
        segments,
        totals,
    })
}

/// Each customer's 0–100 score (see the module documentation).
fn scale100(c: &Customers, snapshot: Day, w: ScaleWeights) -> Vec<f64> {
    let recent: Vec<f64> = c.stats.iter().map(|s| -f64::from(snapshot.days_since(s.last_day))).collect();
    let orders: Vec<f64> = c.stats.iter().map(|s| s.orders as f64).collect();
    let spend: Vec<f64> = c.stats.iter().map(|s| s.monetary.units() as f64).collect();
    let (pr, pf, pm) = (percent_ranks(&recent), percent_ranks(&orders), percent_ranks(&spend));
    (0..c.stats.len()).map(|i| 100.0 * (w.r * pr[i] + w.f * pf[i] + w.m * pm[i])).collect()
}

fn summarise(customers: &[CustomerRfm], rules: &SegmentRules, totals: Totals) -> Vec<SegmentSummary> {
    #[derive(Default, Clone, Copy)]
    struct Acc {
        n: u64,
        revenue: Money,
        recency: f64,
        frequency: f64,
        monetary: f64,
        score100: f64,
    }
    let labels = rules.labels();
    let mut acc = vec![Acc::default(); labels.len()];
    for c in customers {
        let a = &mut acc[c.segment as usize];
        a.n += 1;
        a.revenue = a.revenue + c.monetary;
        a.recency += f64::from(c.recency_days);
        a.frequency += c.frequency as f64;
        a.monetary += c.monetary.to_f64();
        a.score100 += c.score100.unwrap_or(0.0);
    }
    let scaled = customers.first().is_some_and(|c| c.score100.is_some());
    let total_rev = totals.revenue.to_f64();
    labels
        .into_iter()
        .zip(rules.actions())
        .zip(acc)
        .map(|((segment, action), a)| {
            let per = |x: f64| if a.n == 0 { 0.0 } else { x / a.n as f64 };
            SegmentSummary {
                segment,
                action,
                customers: a.n,
                customer_share: if totals.customers == 0 { 0.0 } else { a.n as f64 / totals.customers as f64 },
                revenue: a.revenue,
                revenue_share: if total_rev == 0.0 { 0.0 } else { a.revenue.to_f64() / total_rev },
                mean_recency: per(a.recency),
                mean_frequency: per(a.frequency),
                mean_monetary: per(a.monetary),
                mean_score100: (scaled && a.n > 0).then(|| per(a.score100)),
            }
        })
        .collect()
}

/// One cell of the R × F grid.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfCell {
    /// R score (1–5).
    pub r: u8,
    /// F score (1–5).
    pub f: u8,
    /// Customers with these scores.
    pub customers: u64,
    /// Their spend.
    pub revenue: Money,
    /// Their mean spend (`None` when the cell is empty).
    pub mean_monetary: Option<f64>,
}

/// Customers (and mean spend) by R score × F score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfGrid {
    /// The 25 cells, R = 5 first (rows), F = 1 first within a row.
    pub cells: Vec<RfCell>,
    /// Customers in all.
    pub customers: u64,
}

impl RfGrid {
    /// The cell of scores `r`, `f` (each 1–5).
    pub fn cell(&self, r: u8, f: u8) -> Option<&RfCell> {
        self.cells.iter().find(|c| c.r == r && c.f == f)
    }
}

/// The R × F grid of a result.
pub fn rf_grid(r: &RfmResult) -> RfGrid {
    let mut n = [[0u64; 5]; 5];
    let mut revenue = [[Money::ZERO; 5]; 5];
    for c in &r.customers {
        let (i, j) = (usize::from(c.score.r - 1), usize::from(c.score.f - 1));
        n[i][j] += 1;
        revenue[i][j] = revenue[i][j] + c.monetary;
    }
    let cells = (1..=5u8)
        .rev()
        .flat_map(|rs| (1..=5u8).map(move |fs| (rs, fs)))
        .map(|(rs, fs)| {
            let (i, j) = (usize::from(rs - 1), usize::from(fs - 1));
            RfCell {
                r: rs,
                f: fs,
                customers: n[i][j],
                revenue: revenue[i][j],
                mean_monetary: (n[i][j] > 0).then(|| revenue[i][j].to_f64() / n[i][j] as f64),
            }
        })
        .collect();
    RfGrid { cells, customers: r.customers.len() as u64 }
}

/// The customers (positions in [`RfmResult::customers`]) of one R × F cell.
pub fn rf_members(r: &RfmResult, r_score: u8, f_score: u8) -> Vec<usize> {
    r.customers
        .iter()
        .enumerate()
        .filter(|(_, c)| c.score.r == r_score && c.score.f == f_score)
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::customers::merge_local;
    use crate::engine::analyze::segment::Segment;
    use crate::engine::ingest::orders::{read_orders, OrderColumns, ReadOptions};
    use crate::engine::ingest::split::{CsvSplitter, Dialect};

    /// Five customers, hand-checked (snapshot 2024-04-01):
    ///
    /// | id | last order | recency | orders | spend |
    /// | A  | 2024-03-31 | 1       | 3      | 600   |
    /// | B  | 2024-03-22 | 10      | 1      | 50    |
    /// | C  | 2024-02-01 | 60      | 2      | 300   |
    /// | D  | 2023-12-03 | 120     | 1      | 20    |
    /// | E  | 2023-03-03 | 395     | 1      | 1000  |
    const ORDERS: &str = "user,time,amount,order\n\
        A,2024-01-10,100,a1\nA,2024-02-10,200,a2\nA,2024-03-31 18:00:00,250,a3\nA,2024-03-31 18:00:00,50,a3\n\
        B,2024-03-22,50,b1\nC,2024-01-05,100,c1\nC,2024-02-01,200,c2\nD,2023-12-03,20,d1\nE,2023-03-03,1000,e1\n";

    /// Each customer's built-in segment.
    fn segments(r: &RfmResult) -> Vec<Segment> {
        r.customers
            .iter()
            .map(|c| match &r.segments[c.segment as usize].segment {
                SegmentLabel::Builtin(s) => *s,
                SegmentLabel::Named(n) => panic!("{n}"),
            })
            .collect()
    }

    fn customers() -> Customers {
        let cols = OrderColumns { user_id: 0, order_time: 1, amount: 2, order_id: Some(3) };
        let mut src = CsvSplitter::new(ORDERS.as_bytes(), Dialect::default(), "t");
        let opts = ReadOptions { file: "t", cols, header: true, order_bits_log2: 10, expected_rows: 0 };
        let chunk = read_orders(&mut src, opts, &mut |_| {}).expect("read");
        merge_local(&[chunk])
    }

    #[test]
    fn hand_checked_example() {
        let snapshot = Day::parse_iso("2024-04-01").ok();
        let r = rfm(&customers(), RfmParams { snapshot, ..RfmParams::default() }).expect("rfm");
        let got: Vec<(i32, u64, String)> =
            r.customers.iter().map(|c| (c.recency_days, c.frequency, c.monetary.to_string())).collect();
        assert_eq!(
            got,
            vec![
                (1, 3, "600.00".into()),
                (10, 1, "50.00".into()),
                (60, 2, "300.00".into()),
                (120, 1, "20.00".into()),
                (395, 1, "1000.00".into()),
            ]
        );
        // numpy.percentile([1,10,60,120,395], [20,40,60,80]) = [8.2, 40, 84, 175]
        for (got, want) in r.breaks.recency.iter().zip([8.2, 40.0, 84.0, 175.0]) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
        // R: 1 is below every break → 5; 10 > 8.2 → 4; 60 → 3; 120 → 2; 395 → 1
        let rs: Vec<u8> = r.customers.iter().map(|c| c.score.r).collect();
        assert_eq!(rs, vec![5, 4, 3, 2, 1]);
        // F values [3,1,2,1,1]: breaks [1, 1, 1.4, 2.2] → 3 → 5, 1 → 1, 2 → 4
        let fs: Vec<u8> = r.customers.iter().map(|c| c.score.f).collect();
        assert_eq!(fs, vec![5, 1, 4, 1, 1]);
        // M values [600,50,300,20,1000]: breaks [44, 200, 420, 680]
        let ms: Vec<u8> = r.customers.iter().map(|c| c.score.m).collect();
        assert_eq!(ms, vec![4, 2, 3, 1, 5]);
        // Means: R 117.2, F 1.6, M 394 → A: recent, frequent, high → 重要价值
        use Segment::*;
        assert_eq!(segments(&r), vec![ImportantValue, GeneralDevelop, GeneralValue, GeneralWinBack, ImportantWinBack]);
        assert_eq!(r.breaks_user, PerMeasure::default());
        assert!(r.customers.iter().all(|c| c.score100.is_none()));
        assert_eq!(r.totals.revenue, Money::from_cents(197_000));
        assert_eq!(r.totals.orders, 8);
        let sum_share: f64 = r.segments.iter().map(|s| s.customer_share).sum();
        assert!((sum_share - 1.0).abs() < 1e-12);
    }

    #[test]
    fn default_snapshot_is_day_after_last_order() {
        let r = rfm(&customers(), RfmParams::default()).expect("rfm");
        assert_eq!(r.snapshot.to_string(), "2024-04-01");
        assert_eq!(r.customers[0].recency_days, 1);
    }

    #[test]
    fn snapshot_before_last_order_is_refused() {
        let snapshot = Day::parse_iso("2024-03-01").ok();
        let e = rfm(&customers(), RfmParams { snapshot, preset: SegmentPreset::Tiers5, ..RfmParams::default() });
        assert!(matches!(e, Err(RfmError::Analysis(AnalysisError::SnapshotTooEarly { .. }))));
    }

    #[test]
    fn tiers5_on_example() {
        let r = rfm(&customers(), RfmParams { preset: SegmentPreset::Tiers5, ..RfmParams::default() }).expect("rfm");
        use Segment::*;
        let segs = segments(&r);
        // A 5/5/4 high value; B 4/1/2 general; C 3/4/3 general; D 2/1/1 at risk; E lost (395 days)
        assert_eq!(segs, vec![HighValue, General, General, AtRisk, Lost]);
        assert_eq!(r.segments.len(), 5);
        assert_eq!(r.segments[0].segment, SegmentLabel::Builtin(HighValue));
        assert_eq!(r.segments[0].customers, 1);
        assert_eq!(r.segments[0].revenue, Money::from_cents(60_000));
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn user_breaks_replace_the_quintiles() {
        let breaks = UserBreaks { recency: Some([5.0, 30.0, 90.0, 365.0]), ..UserBreaks::default() };
        let r = rfm(&customers(), RfmParams { breaks, ..RfmParams::default() }).expect("rfm");
        // recency [1, 10, 60, 120, 395]: 1 ≤ 5 → 5; 10 → 4; 60 → 3; 120 → 2; 395 → 1
        let rs: Vec<u8> = r.customers.iter().map(|c| c.score.r).collect();
        assert_eq!(rs, vec![5, 4, 3, 2, 1]);
        assert_eq!(r.breaks.recency, [5.0, 30.0, 90.0, 365.0]);
        assert_eq!(r.breaks_user, PerMeasure { recency: true, frequency: false, monetary: false });
        // F and M keep the quintiles
        for (got, want) in r.breaks.monetary.iter().zip([44.0, 200.0, 420.0, 680.0]) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
        // A value on a breakpoint is in the lower band: M breaks at 50 and 600 exactly
        let breaks = UserBreaks { monetary: Some([20.0, 50.0, 600.0, 999.0]), ..UserBreaks::default() };
        let r = rfm(&customers(), RfmParams { breaks, ..RfmParams::default() }).expect("rfm");
        let ms: Vec<u8> = r.customers.iter().map(|c| c.score.m).collect();
        // [600, 50, 300, 20, 1000] → 3, 2, 3, 1, 5
        assert_eq!(ms, vec![3, 2, 3, 1, 5]);
    }

    #[test]
    fn bad_breaks_and_weights_are_refused_naming_the_measure() {
        let breaks = UserBreaks { frequency: Some([1.0, 3.0, 2.0, 4.0]), ..UserBreaks::default() };
        let e = rfm(&customers(), RfmParams { breaks, ..RfmParams::default() });
        assert_eq!(e, Err(RfmError::Breaks { measure: Measure::Frequency, breaks: "1, 3, 2, 4".into() }));
        assert!(e.expect_err("refused").to_string().contains("frequency"));
        let breaks = UserBreaks { monetary: Some([1.0, 2.0, 2.0, f64::NAN]), ..UserBreaks::default() };
        let e = rfm(&customers(), RfmParams { breaks, ..RfmParams::default() });
        assert!(matches!(e, Err(RfmError::Breaks { measure: Measure::Monetary, .. })));
        for w in [ScaleWeights { r: 0.5, f: 0.5, m: 0.5 }, ScaleWeights { r: 1.5, f: -0.5, m: 0.0 }] {
            let e = rfm(&customers(), RfmParams { scale100: Some(w), ..RfmParams::default() });
            assert!(matches!(e, Err(RfmError::Weights { .. })), "{w:?}");
        }
    }

    #[test]
    fn score100_is_the_weighted_mean_of_percentile_ranks() {
        // Ranks / 5 of −recency [−1, −10, −60, −120, −395]: 1, .8, .6, .4, .2
        // of frequency [3, 1, 2, 1, 1]: 1, .4, .8, .4, .4; of spend [600, 50, 300, 20, 1000]: .8, .4, .6, .2, 1
        let w = ScaleWeights { r: 0.5, f: 0.25, m: 0.25 };
        let r = rfm(&customers(), RfmParams { scale100: Some(w), ..RfmParams::default() }).expect("rfm");
        let got: Vec<f64> = r.customers.iter().map(|c| c.score100.unwrap_or(-1.0)).collect();
        for (g, want) in got.iter().zip([95.0, 60.0, 65.0, 35.0, 45.0]) {
            assert!(close(*g, want), "{got:?}");
        }
        let r = rfm(&customers(), RfmParams { scale100: Some(ScaleWeights::default()), ..RfmParams::default() })
            .expect("rfm");
        let got: Vec<f64> = r.customers.iter().map(|c| c.score100.unwrap_or(-1.0)).collect();
        for (g, want) in got.iter().zip([280.0 / 3.0, 160.0 / 3.0, 200.0 / 3.0, 100.0 / 3.0, 160.0 / 3.0]) {
            assert!(close(*g, want), "{got:?}");
        }
        // Segment means: ImportantValue holds A alone
        assert!(close(r.segments[0].mean_score100.unwrap_or(0.0), 280.0 / 3.0));
        assert_eq!(r.segments[1].mean_score100, None, "an empty segment has no mean");
    }

    #[test]
    fn user_rules_make_the_segments_and_their_shares() {
        let rules = SegmentRules::from_json(
            r#"{"rules": [
                {"name": "Top", "when": {"score100": {"min": 55}}, "action": "Thank them"},
                {"name": "Recent", "when": {"r": {"min": 4}}}],
              "other": {"name": "Rest"}}"#,
        )
        .expect("rules");
        let params = RfmParams { rules: Some(rules.clone()), ..RfmParams::default() };
        assert!(matches!(rfm(&customers(), params), Err(RfmError::Rules(RuleError::NeedsScale100 { .. }))));
        let w = ScaleWeights { r: 0.5, f: 0.25, m: 0.25 };
        let params = RfmParams { rules: Some(rules), scale100: Some(w), ..RfmParams::default() };
        let r = rfm(&customers(), params).expect("rfm");
        // score100 [95, 60, 65, 35, 45]; R [5, 4, 3, 2, 1] → Top, Top, Top, Rest, Rest
        let segs: Vec<u32> = r.customers.iter().map(|c| c.segment).collect();
        assert_eq!(segs, vec![0, 0, 0, 2, 2]);
        let names: Vec<&str> = r.segments.iter().map(|s| s.segment.key()).collect();
        assert_eq!(names, vec!["Top", "Recent", "Rest"]);
        assert_eq!(r.segments[0].customers, 3);
        assert!(close(r.segments[0].customer_share, 0.6));
        // Top's revenue 600 + 50 + 300 = 950 of 1970
        assert_eq!(r.segments[0].revenue, Money::from_cents(95_000));
        assert!(close(r.segments[0].revenue_share, 950.0 / 1970.0));
        assert_eq!(r.segments[0].action.as_deref(), Some("Thank them"));
        assert_eq!(r.segments[1].customers, 0);
        assert!(close(r.segments[2].revenue_share, 1020.0 / 1970.0));
    }

    #[test]
    fn rf_grid_counts_customers_and_mean_spend() {
        let r = rfm(&customers(), RfmParams::default()).expect("rfm");
        let g = rf_grid(&r);
        assert_eq!(g.cells.len(), 25);
        assert_eq!((g.cells[0].r, g.cells[0].f), (5, 1), "R = 5 first");
        // (R, F): A (5, 5) 600; B (4, 1) 50; C (3, 4) 300; D (2, 1) 20; E (1, 1) 1000
        let a = g.cell(5, 5).expect("cell");
        assert_eq!((a.customers, a.mean_monetary), (1, Some(600.0)));
        assert_eq!(g.cell(1, 1).map(|c| c.customers), Some(1));
        assert_eq!(g.cell(5, 1).map(|c| (c.customers, c.mean_monetary)), Some((0, None)));
        assert_eq!(g.cells.iter().map(|c| c.customers).sum::<u64>(), 5);
        assert_eq!(rf_members(&r, 3, 4), vec![2]);
        // Two customers in one cell: R breaks put A and B both at 5, F both at 1 with user breaks
        let breaks = UserBreaks {
            recency: Some([10.0, 100.0, 200.0, 300.0]),
            frequency: Some([3.0, 4.0, 5.0, 6.0]),
            ..UserBreaks::default()
        };
        let r = rfm(&customers(), RfmParams { breaks, ..RfmParams::default() }).expect("rfm");
        let g = rf_grid(&r);
        let c = g.cell(5, 1).expect("cell");
        assert_eq!((c.customers, c.revenue, c.mean_monetary), (2, Money::from_cents(65_000), Some(325.0)));
        assert_eq!(rf_members(&r, 5, 1), vec![0, 1]);
    }
}
