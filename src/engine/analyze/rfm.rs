//! RFM: recency, frequency and monetary value per customer at a snapshot
//! date, quintile scores 1–5 and segments.
//!
//! - recency = snapshot − day of the last order, in days;
//! - frequency = distinct order numbers (order rows when none is mapped);
//! - monetary = exact sum of amounts, refunds included;
//! - scores: quintile breakpoints (numpy/pandas `linear` percentiles at
//!   20/40/60/80 %); a value's score is 1 + the number of breakpoints it is
//!   above (for R: 5 − that number, recent = high). Equal values always get
//!   equal scores.

use super::customers::Customers;
use super::quantile::{quintile_breaks, quintile_of};
use super::segment::{classify, AboveMean, Segment, SegmentPreset};
use crate::engine::date::Day;
use crate::engine::error::AnalysisError;
use crate::engine::money::Money;
use serde::{Deserialize, Serialize};

/// How to run RFM.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmParams {
    /// Snapshot date; default the day after the last order.
    pub snapshot: Option<Day>,
    /// Segmentation.
    pub preset: SegmentPreset,
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
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRfm {
    /// Days since the last order.
    pub recency_days: i32,
    /// Orders.
    pub frequency: u64,
    /// Spend.
    pub monetary: Money,
    /// Scores.
    pub score: RfmScore,
    /// Segment.
    pub segment: Segment,
}

/// Quintile breakpoints of each measure.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Breakpoints {
    /// Recency (days).
    pub recency: [f64; 4],
    /// Frequency (orders).
    pub frequency: [f64; 4],
    /// Monetary (currency).
    pub monetary: [f64; 4],
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
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    /// The segment.
    pub segment: Segment,
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
    /// Score breakpoints.
    pub breaks: Breakpoints,
    /// Means.
    pub means: Means,
    /// Per segment of the preset, in its order.
    pub segments: Vec<SegmentSummary>,
    /// Totals.
    pub totals: Totals,
}

/// Computes RFM for all customers.
pub fn rfm(c: &Customers, params: RfmParams) -> Result<RfmResult, AnalysisError> {
    let n = c.stats.len();
    let last = c.last_day().ok_or(AnalysisError::NoData)?;
    let first = c.stats.iter().map(|s| s.first_day).min().unwrap_or(last);
    let snapshot = params.snapshot.unwrap_or(last.next());
    if snapshot < last {
        return Err(AnalysisError::SnapshotTooEarly { snapshot: snapshot.to_string(), last_order: last.to_string() });
    }
    let recency: Vec<f64> = c.stats.iter().map(|s| f64::from(snapshot.days_since(s.last_day))).collect();
    let frequency: Vec<f64> = c.stats.iter().map(|s| s.orders as f64).collect();
    let monetary: Vec<f64> = c.stats.iter().map(|s| s.monetary.to_f64()).collect();
    let breaks = Breakpoints {
        recency: quintile_breaks(&recency),
        frequency: quintile_breaks(&frequency),
        monetary: quintile_breaks(&monetary),
    };
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let means = Means { recency: mean(&recency), frequency: mean(&frequency), monetary: mean(&monetary) };
    let customers: Vec<CustomerRfm> = (0..n)
        .map(|i| {
            let s = &c.stats[i];
            let score = RfmScore {
                r: 5 - quintile_of(recency[i], &breaks.recency),
                f: 1 + quintile_of(frequency[i], &breaks.frequency),
                m: 1 + quintile_of(monetary[i], &breaks.monetary),
            };
            let above = AboveMean {
                r: recency[i] < means.recency,
                f: frequency[i] > means.frequency,
                m: monetary[i] > means.monetary,
            };
            let recency_days = snapshot.days_since(s.last_day);
            CustomerRfm {
                recency_days,
                frequency: s.orders,
                monetary: s.monetary,
                score,
                segment: classify(params.preset, score, above, recency_days),
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
    let segments = summarise(&customers, params.preset, totals);
    Ok(RfmResult {
        params: RfmParams { snapshot: Some(snapshot), ..params },
        snapshot,
        customers,
        breaks,
        means,
        segments,
        totals,
    })
}

fn summarise(customers: &[CustomerRfm], preset: SegmentPreset, totals: Totals) -> Vec<SegmentSummary> {
    #[derive(Default, Clone, Copy)]
    struct Acc {
        n: u64,
        revenue: Money,
        recency: f64,
        frequency: f64,
        monetary: f64,
    }
    let mut acc = [Acc::default(); Segment::COUNT];
    for c in customers {
        let a = &mut acc[c.segment.index()];
        a.n += 1;
        a.revenue = a.revenue + c.monetary;
        a.recency += f64::from(c.recency_days);
        a.frequency += c.frequency as f64;
        a.monetary += c.monetary.to_f64();
    }
    let total_rev = totals.revenue.to_f64();
    preset
        .segments()
        .iter()
        .map(|&segment| {
            let a = acc[segment.index()];
            let per = |x: f64| if a.n == 0 { 0.0 } else { x / a.n as f64 };
            SegmentSummary {
                segment,
                customers: a.n,
                customer_share: if totals.customers == 0 { 0.0 } else { a.n as f64 / totals.customers as f64 },
                revenue: a.revenue,
                revenue_share: if total_rev == 0.0 { 0.0 } else { a.revenue.to_f64() / total_rev },
                mean_recency: per(a.recency),
                mean_frequency: per(a.frequency),
                mean_monetary: per(a.monetary),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::customers::merge_local;
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
        let r = rfm(&customers(), RfmParams { snapshot, preset: SegmentPreset::Classic8 }).expect("rfm");
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
        let segs: Vec<Segment> = r.customers.iter().map(|c| c.segment).collect();
        assert_eq!(segs, vec![ImportantValue, GeneralDevelop, GeneralValue, GeneralWinBack, ImportantWinBack]);
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
        let e = rfm(&customers(), RfmParams { snapshot, preset: SegmentPreset::Tiers5 });
        assert!(matches!(e, Err(AnalysisError::SnapshotTooEarly { .. })));
    }

    #[test]
    fn tiers5_on_example() {
        let r = rfm(&customers(), RfmParams { snapshot: None, preset: SegmentPreset::Tiers5 }).expect("rfm");
        use Segment::*;
        let segs: Vec<Segment> = r.customers.iter().map(|c| c.segment).collect();
        // A 5/5/4 high value; B 4/1/2 general; C 3/4/3 general; D 2/1/1 at risk; E lost (395 days)
        assert_eq!(segs, vec![HighValue, General, General, AtRisk, Lost]);
        assert_eq!(r.segments.len(), 5);
        assert_eq!(r.segments[0].customers, 1);
        assert_eq!(r.segments[0].revenue, Money::from_cents(60_000));
    }
}
