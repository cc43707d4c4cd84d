//! M7 Pareto: how concentrated revenue is among customers — the customers
//! ranked by spend, the Pareto curve, the revenue share of the top 20 %, the
//! share of customers that makes 80 % of revenue, and the Gini coefficient.
//!
//! # Spend that is zero or negative
//! A customer's spend is their net total (orders minus refunds). Customers
//! whose net spend is zero or negative stay in the population — they count in
//! every share *of customers* — but add nothing to revenue: the revenue base
//! `T` is the sum of the positive net spends, and every customer's spend on the
//! curve and in the Gini coefficient is `max(spend, 0)`. So the curve rises
//! from (0, 0) to (1, 1) without ever falling, and the Gini coefficient stays
//! in [0, 1). The ranking still lists each customer's actual net spend.
//!
//! # Ranking, curve and fractional customers
//! Customers are ranked by net spend, highest first; ties keep their order of
//! first appearance in the file. With `n` customers and `C_k` the (clipped)
//! revenue of the top `k` (`C_0 = 0`, `C_n = T`), the Pareto curve is the
//! piecewise-linear function `P` through the points `(k/n, C_k/T)`, k = 0…n.
//! Fractional customer counts are read off this line, i.e. linear
//! interpolation: `top20_revenue_share = P(0.2)` — the top ⌊0.2n⌋ customers
//! plus the fraction `0.2n − ⌊0.2n⌋` of the next customer's spend — and
//! `customers_for_80pct_share` is the smallest `x` with `P(x) = 0.8`.
//! `P` is the Lorenz curve `L` (smallest spenders first) turned by 180°:
//! `P(x) = 1 − L(1 − x)`; it is increasing and concave.
//!
//! # Gini coefficient
//! For spends `x_1 … x_n` (clipped at 0) with mean `μ`:
//! `G = Σ_i Σ_j |x_i − x_j| / (2 n² μ)`, computed from the ascending order
//! `x_(1) ≤ … ≤ x_(n)` as `G = 2 Σ_i i·x_(i) / (n T) − (n + 1) / n`, with the
//! sums in exact integers. `G = 0` when everyone spends the same and
//! `(n − 1)/n` when one customer has all the revenue; it equals
//! `1 − 2 × (area under the Lorenz curve)`.

use crate::engine::error::AnalysisError;
use crate::engine::money::Money;
use serde::{Deserialize, Serialize};

/// Options of the Pareto analysis.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ParetoParams {
    /// At most this many segments in [`Pareto::curve`]: with more customers,
    /// the curve is sampled at `x = j / max_curve_segments` (exactly
    /// interpolated); with fewer, every vertex is given.
    pub max_curve_segments: usize,
}

impl Default for ParetoParams {
    fn default() -> ParetoParams {
        ParetoParams { max_curve_segments: 200 }
    }
}

/// One point of the Pareto curve: the best `customer_share` of customers
/// make `revenue_share` of revenue (both fractions of 1).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Share of customers, best first (x).
    pub customer_share: f64,
    /// Their share of revenue (y).
    pub revenue_share: f64,
}

/// One customer in the ranking.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct RankedCustomer {
    /// Position in the ranking, 1 for the biggest spender.
    pub rank: usize,
    /// The customer's index in the input (e.g. into `Customers::ids`).
    pub customer: u32,
    /// Net spend (may be zero or negative).
    pub spend: Money,
    /// Share of customers ranked this high or higher: `rank / n`.
    pub cumulative_customer_share: f64,
    /// Share of revenue they make: `C_rank / T`.
    pub cumulative_revenue_share: f64,
}

/// Customers ranked by spend, with the cumulative revenue of the top k.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ranking {
    /// Customer indexes, best first.
    order: Vec<u32>,
    /// Net spend of each ranked customer, in ranking order.
    spend: Vec<Money>,
    /// `C_k` in units of `Money`, k = 0..=n, of spends clipped at 0.
    cumulative: Vec<i128>,
}

impl Ranking {
    /// Ranks `spends` (customer `i` spent `spends[i]`), highest first, ties in input order.
    pub fn new(spends: &[Money]) -> Ranking {
        let mut order: Vec<u32> = (0..spends.len() as u32).collect();
        order.sort_by(|&a, &b| spends[b as usize].cmp(&spends[a as usize]));
        let spend: Vec<Money> = order.iter().map(|&i| spends[i as usize]).collect();
        let mut cumulative = Vec::with_capacity(spend.len() + 1);
        let mut sum = 0i128;
        cumulative.push(sum);
        for s in &spend {
            sum += i128::from(s.units().max(0));
            cumulative.push(sum);
        }
        Ranking { order, spend, cumulative }
    }

    /// Number of customers `n`.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are no customers.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The revenue base `T` (sum of positive net spends), in units of `Money`.
    pub fn revenue_units(&self) -> i128 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    /// `P(x)`: the share of revenue made by the best `x` (0–1) of customers,
    /// linearly interpolated within a customer. 0 without revenue.
    pub fn revenue_share_of_top(&self, x: f64) -> f64 {
        let n = self.len();
        let t = self.revenue_units();
        if n == 0 || t == 0 {
            return 0.0;
        }
        let h = x.clamp(0.0, 1.0) * n as f64;
        let k = (h.floor() as usize).min(n);
        if k == n {
            return 1.0;
        }
        let f = h - k as f64;
        let c = self.cumulative[k] as f64;
        let next = (self.cumulative[k + 1] - self.cumulative[k]) as f64;
        (c + f * next) / t as f64
    }

    /// `P⁻¹(y)`: the smallest share of customers, best first, that makes the
    /// share `y` (0–1) of revenue, linearly interpolated within a customer.
    /// 0 without revenue.
    pub fn customers_for_revenue_share(&self, y: f64) -> f64 {
        let n = self.len();
        let t = self.revenue_units();
        if n == 0 || t == 0 {
            return 0.0;
        }
        let target = y.clamp(0.0, 1.0) * t as f64;
        // first k with C_k ≥ target (C is non-decreasing)
        let k = self.cumulative.partition_point(|&c| (c as f64) < target);
        if k == 0 {
            return 0.0;
        }
        let k = k.min(n);
        let before = self.cumulative[k - 1] as f64;
        let step = (self.cumulative[k] - self.cumulative[k - 1]) as f64;
        ((k - 1) as f64 + (target - before) / step) / n as f64
    }

    /// The Gini coefficient of the clipped spends (see the module docs); 0 without revenue.
    pub fn gini(&self) -> f64 {
        let n = self.len() as i128;
        let t = self.revenue_units();
        if n == 0 || t == 0 {
            return 0.0;
        }
        // Ascending rank of the customer at ranking position r (0-based) is n − r.
        let weighted: i128 =
            self.spend.iter().enumerate().map(|(r, s)| (n - r as i128) * i128::from(s.units().max(0))).sum();
        let num = 2 * weighted - (n + 1) * t;
        num as f64 / (n as f64 * t as f64)
    }

    /// The curve: every vertex `(k/n, C_k/T)` when `n ≤ max_segments`, else
    /// `max_segments + 1` points at `x = j / max_segments`, read off the same line.
    pub fn curve(&self, max_segments: usize) -> Vec<CurvePoint> {
        let n = self.len();
        let t = self.revenue_units();
        if n == 0 || t == 0 {
            return Vec::new();
        }
        if n <= max_segments.max(1) {
            return (0..=n)
                .map(|k| CurvePoint {
                    customer_share: k as f64 / n as f64,
                    revenue_share: self.cumulative[k] as f64 / t as f64,
                })
                .collect();
        }
        let m = max_segments.max(1);
        (0..=m)
            .map(|j| {
                let x = j as f64 / m as f64;
                CurvePoint { customer_share: x, revenue_share: self.revenue_share_of_top(x) }
            })
            .collect()
    }

    /// The customers, best first, with cumulative shares.
    pub fn rows(&self) -> impl Iterator<Item = RankedCustomer> + '_ {
        let n = self.len() as f64;
        let t = self.revenue_units();
        self.order.iter().zip(&self.spend).enumerate().map(move |(r, (&customer, &spend))| RankedCustomer {
            rank: r + 1,
            customer,
            spend,
            cumulative_customer_share: (r + 1) as f64 / n,
            cumulative_revenue_share: if t == 0 { 0.0 } else { self.cumulative[r + 1] as f64 / t as f64 },
        })
    }
}

/// The Pareto analysis of a set of customers' spends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pareto {
    /// Customers in the population (all of them, whatever their spend).
    pub customers: u64,
    /// Customers whose net spend is zero or negative (counted, adding no revenue).
    pub customers_without_spend: u64,
    /// The revenue base: the sum of positive net spends, in yuan.
    pub revenue: f64,
    /// The sum of all net spends, refunds included, in yuan.
    pub net_revenue: f64,
    /// Share of revenue (0–1) made by the best 20 % of customers: `P(0.2)`.
    pub top20_revenue_share: f64,
    /// Share of customers (0–1), best first, that makes 80 % of revenue: `P⁻¹(0.8)`.
    pub customers_for_80pct_share: f64,
    /// The Gini coefficient (0 = equal spend; see the module docs).
    pub gini: f64,
    /// The Pareto curve from (0, 0) to (1, 1), for a chart.
    pub curve: Vec<CurvePoint>,
    /// The ranking behind the figures (not serialised: one row per customer).
    #[serde(skip)]
    pub ranking: Ranking,
}

fn yuan(units: i128) -> f64 {
    units as f64 / Money::SCALE as f64
}

/// Runs the Pareto analysis on each customer's net spend (`spends[i]` for customer `i`).
pub fn pareto(spends: &[Money], params: ParetoParams) -> Result<Pareto, AnalysisError> {
    if spends.is_empty() {
        return Err(AnalysisError::NoData);
    }
    let ranking = Ranking::new(spends);
    if ranking.revenue_units() == 0 {
        return Err(AnalysisError::NoPositiveSpend);
    }
    let net: i128 = spends.iter().map(|s| i128::from(s.units())).sum();
    Ok(Pareto {
        customers: spends.len() as u64,
        customers_without_spend: spends.iter().filter(|s| s.units() <= 0).count() as u64,
        revenue: yuan(ranking.revenue_units()),
        net_revenue: yuan(net),
        top20_revenue_share: ranking.revenue_share_of_top(0.2),
        customers_for_80pct_share: ranking.customers_for_revenue_share(0.8),
        gini: ranking.gini(),
        curve: ranking.curve(params.max_curve_segments),
        ranking,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan_list(v: &[i64]) -> Vec<Money> {
        v.iter().map(|&y| Money::from_units(y * Money::SCALE)).collect()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn five_customers_by_hand() {
        // Spends 10, 50, 20, 0, 20 → ranked 50, 20, 20, 10, 0; T = 100.
        // C = 0, 50, 70, 90, 100, 100.
        let p = pareto(&yuan_list(&[10, 50, 20, 0, 20]), ParetoParams::default()).expect("pareto");
        assert_eq!(p.customers, 5);
        assert_eq!(p.customers_without_spend, 1);
        close(p.revenue, 100.0);
        // 0.2 × 5 = 1 customer exactly: 50 / 100.
        close(p.top20_revenue_share, 0.5);
        // 80 reached inside the 3rd customer (C_2 = 70, next 20): 2.5 customers of 5.
        close(p.customers_for_80pct_share, 0.5);
        // ascending 0, 10, 20, 20, 50: Σ i·x = 0 + 20 + 60 + 80 + 250 = 410;
        // G = 2·410 / (5·100) − 6/5 = 1.64 − 1.2 = 0.44.
        close(p.gini, 0.44);
        // By the pairwise definition: Σ|xi − xj| over ordered pairs = 440; / (2·25·20) = 0.44.
        let order: Vec<u32> = p.ranking.rows().map(|r| r.customer).collect();
        assert_eq!(order, vec![1, 2, 4, 0, 3]); // the two 20s in input order
        let y: Vec<f64> = p.curve.iter().map(|c| c.revenue_share).collect();
        assert_eq!(y, vec![0.0, 0.5, 0.7, 0.9, 1.0, 1.0]);
    }

    #[test]
    fn fractional_customers_interpolate() {
        // Spends 60, 30, 10 (n = 3, T = 100): C = 0, 60, 90, 100.
        let p = pareto(&yuan_list(&[30, 10, 60]), ParetoParams::default()).expect("pareto");
        // 0.2 × 3 = 0.6 of the first customer: 0.6 × 60 = 36.
        close(p.top20_revenue_share, 0.36);
        // 80: after 1 customer 60, the next adds 30: 20/30 of it → (1 + 2/3) / 3.
        close(p.customers_for_80pct_share, (1.0 + 2.0 / 3.0) / 3.0);
    }

    #[test]
    fn gini_extremes() {
        let equal = pareto(&yuan_list(&[7; 10]), ParetoParams::default()).expect("pareto");
        close(equal.gini, 0.0);
        close(equal.top20_revenue_share, 0.2);
        close(equal.customers_for_80pct_share, 0.8);
        let mut one = vec![0; 8];
        one[3] = 500;
        let one = pareto(&yuan_list(&one), ParetoParams::default()).expect("pareto");
        close(one.gini, 7.0 / 8.0);
        close(one.top20_revenue_share, 1.0);
        close(one.customers_for_80pct_share, 0.8 / 8.0);
    }

    #[test]
    fn refunds_count_as_customers_without_revenue() {
        // Net −30 and 0 count as customers; T = 100 (not 70).
        let p = pareto(&yuan_list(&[100, -30, 0]), ParetoParams::default()).expect("pareto");
        close(p.revenue, 100.0);
        close(p.net_revenue, 70.0);
        assert_eq!(p.customers_without_spend, 2);
        close(p.gini, 2.0 / 3.0);
        let last = p.ranking.rows().last().expect("rows");
        assert_eq!((last.customer, last.spend), (1, Money::from_units(-300_000)));
        close(last.cumulative_revenue_share, 1.0);
    }

    #[test]
    fn curve_is_sampled_for_many_customers() {
        let spends: Vec<Money> = (1..=1000).map(|i| Money::from_units(i * 10_000)).collect();
        let p = pareto(&spends, ParetoParams { max_curve_segments: 200 }).expect("pareto");
        assert_eq!(p.curve.len(), 201);
        assert_eq!(p.curve[0], CurvePoint { customer_share: 0.0, revenue_share: 0.0 });
        assert_eq!(p.curve[200], CurvePoint { customer_share: 1.0, revenue_share: 1.0 });
        // x = 0.005 is exactly 5 customers: 1000 + 999 + … + 996 = 4990 of 500500.
        close(p.curve[1].revenue_share, 4990.0 / 500_500.0);
    }

    #[test]
    fn nothing_to_share() {
        assert_eq!(pareto(&[], ParetoParams::default()), Err(AnalysisError::NoData));
        assert_eq!(pareto(&yuan_list(&[0, -5]), ParetoParams::default()), Err(AnalysisError::NoPositiveSpend));
    }
}
