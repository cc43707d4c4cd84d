//! M17 Cohorts and retention: customers grouped by the period (month or ISO
//! week) of their first purchase, the retention matrix, the repurchase rate
//! and interval, and the monthly churn-rate trend — from an orders table.
//!
//! # Purchases
//! A purchase is an order row with a customer id, a readable order time and,
//! when an amount column is mapped, an amount of 0 or more. Rows whose id is
//! blank or time unreadable, whose amount is blank or not a number, and
//! refunds (negative amounts) are left out and counted by reason. Only the
//! purchase *day* matters: several orders (or order lines) on one day are one
//! purchase day.
//!
//! # Cohorts and the retention matrix
//! A customer's cohort is the period of their first purchase day, `c`. The
//! cell `(c, k)` counts the customers of cohort `c` with at least one purchase
//! in period `c + k`, for `k = 0 … max_periods`; `k = 0` is the cohort's size.
//! Retention is that count divided by the cohort's size. A cell whose period
//! lies after the last period with a purchase (the data's end) is not
//! observed: its count and retention are `null`. Only periods in which some
//! customer made their first purchase are listed. The average retention at
//! `k` is the sum of the observed counts at `k` over the sum of the sizes of
//! the cohorts observed at `k` (a customer-weighted mean).
//!
//! # Repurchase
//! The repurchase rate is the share of customers with purchases on at least
//! two distinct days. The repurchase interval of such a customer is the number
//! of days from their first purchase day to their second distinct one; the
//! result gives its median (the mean of the two middle values for an even
//! count, as numpy's `median`) and mean.
//!
//! # Monthly churn rate
//! Always by calendar month, whatever the cohort period: a customer is active
//! in a month when they made a purchase in it. For each month `m` after the
//! first month with a purchase, up to the last, the churn rate is the share of
//! the customers active in `m − 1` who are not active in `m`. (The last month
//! may be cut short by the data's end, which inflates its churn rate.)

use crate::engine::analyze::members::MemberError;
use crate::engine::analyze::period::Period;
use crate::engine::analyze::quantile::quantile_sorted;
use crate::engine::analyze::rows::{purchase, ratio, required_column, ExcludedRows, ExclusionTally};
use crate::engine::clean::table::TextTable;
use crate::engine::date::Day;
use crate::engine::error::AnalysisError;
use crate::engine::ids::Interner;
use crate::engine::ingest::fields::{Field, Mapping};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Options of the cohort analysis.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortParams {
    /// The cohort period: calendar months (default) or ISO weeks.
    pub period: Period,
    /// The retention matrix has columns `k = 0 … max_periods` (default 12).
    pub max_periods: usize,
}

impl Default for CohortParams {
    fn default() -> CohortParams {
        CohortParams { period: Period::Month, max_periods: 12 }
    }
}

/// One cohort: the customers whose first purchase fell in one period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// The period's label (`2024-03`, `2024-W05`).
    pub period: String,
    /// The period's first day (ISO).
    pub start: String,
    /// Customers in the cohort.
    pub customers: u64,
    /// `retained[k]`: customers of the cohort who bought in period `c + k`; `None` when not observed.
    pub retained: Vec<Option<u64>>,
    /// `retention[k] = retained[k] / customers` (0–1); `None` when not observed.
    pub retention: Vec<Option<f64>>,
}

/// Repeat purchases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repurchase {
    /// Customers with purchases on at least two distinct days.
    pub customers: u64,
    /// Their share of all customers (0–1).
    pub rate: f64,
    /// Median days from the first to the second distinct purchase day.
    pub median_interval_days: Option<f64>,
    /// Mean days from the first to the second distinct purchase day.
    pub mean_interval_days: Option<f64>,
}

/// One month of the churn-rate trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChurnMonth {
    /// The month (`2024-03`).
    pub month: String,
    /// Customers active (with a purchase) in the month before.
    pub active_before: u64,
    /// Of those, customers with no purchase in this month.
    pub churned: u64,
    /// `churned / active_before` (0–1); `None` when nobody was active before.
    pub rate: Option<f64>,
}

/// The cohort analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cohorts {
    /// The cohort period.
    pub period: Period,
    /// Columns of the retention matrix: `k = 0 … max_periods`.
    pub max_periods: usize,
    /// Rows in the table.
    pub rows_in: u64,
    /// Rows used as purchases.
    pub rows_used: u64,
    /// Rows left out, by reason.
    pub excluded: Vec<ExcludedRows>,
    /// Customers with at least one purchase.
    pub customers: u64,
    /// The first and last day with a purchase (ISO).
    pub first_day: String,
    /// The last day with a purchase (ISO): periods after it are not observed.
    pub last_day: String,
    /// The cohorts, oldest first.
    pub cohorts: Vec<Cohort>,
    /// Customer-weighted retention at each `k` over the cohorts observed there.
    pub average_retention: Vec<Option<f64>>,
    /// Repeat purchases.
    pub repurchase: Repurchase,
    /// The monthly churn rate, from the second month with data to the last.
    pub churn_trend: Vec<ChurnMonth>,
}

/// Runs the cohort analysis on an orders table (`user_id` and `order_time`
/// needed; `amount` used when mapped).
pub fn cohorts(table: &TextTable, mapping: &Mapping, params: CohortParams) -> Result<Cohorts, AnalysisError> {
    let PurchaseDays { days, tally, .. } = purchase_days(table, mapping)?;
    let first_day = days.iter().map(|d| d[0]).min().unwrap_or_default();
    let last_day = days.iter().filter_map(|d| d.last().copied()).max().unwrap_or_default();
    let p = params.period;
    let last_period = p.index(last_day);
    let width = params.max_periods + 1;
    // cohort index → (size, counts at k)
    let mut matrix: BTreeMap<i32, (u64, Vec<u64>)> = BTreeMap::new();
    let mut intervals: Vec<f64> = Vec::new();
    let (first_month, last_month) = (Period::Month.index(first_day), Period::Month.index(last_day));
    let months = (last_month - first_month + 1) as usize;
    let mut active = vec![0u64; months];
    let mut churned = vec![0u64; months];
    let mut periods: Vec<i32> = Vec::new();
    for d in &days {
        let c = p.index(d[0]);
        let entry = matrix.entry(c).or_insert_with(|| (0, vec![0; width]));
        entry.0 += 1;
        periods.clear();
        periods.extend(d.iter().map(|&x| p.index(x)));
        periods.dedup();
        for &q in &periods {
            if let Some(n) = entry.1.get_mut((q - c) as usize) {
                *n += 1;
            }
        }
        if d.len() >= 2 {
            intervals.push(f64::from(d[1].days_since(d[0])));
        }
        periods.clear();
        periods.extend(d.iter().map(|&x| Period::Month.index(x) - first_month));
        periods.dedup();
        for (j, &m) in periods.iter().enumerate() {
            active[m as usize] += 1;
            let next_active = periods.get(j + 1) == Some(&(m + 1));
            if !next_active && m + 1 < months as i32 {
                churned[m as usize + 1] += 1;
            }
        }
    }
    let mut sums = vec![(0u64, 0u64); width]; // (retained, sizes) over observed cohorts
    let cohorts: Vec<Cohort> = matrix
        .into_iter()
        .map(|(c, (size, counts))| {
            let retained: Vec<Option<u64>> =
                counts.iter().enumerate().map(|(k, &n)| (c + k as i32 <= last_period).then_some(n)).collect();
            for (s, n) in sums.iter_mut().zip(&retained) {
                if let Some(n) = n {
                    *s = (s.0 + n, s.1 + size);
                }
            }
            Cohort {
                period: p.label(c),
                start: p.start(c).to_string(),
                customers: size,
                retention: retained.iter().map(|n| n.and_then(|n| ratio(n, size))).collect(),
                retained,
            }
        })
        .collect();
    intervals.sort_unstable_by(f64::total_cmp);
    let n = days.len() as u64;
    let repeat = intervals.len() as u64;
    let mean = (repeat > 0).then(|| intervals.iter().sum::<f64>() / repeat as f64);
    Ok(Cohorts {
        period: p,
        max_periods: params.max_periods,
        rows_in: table.len() as u64,
        rows_used: table.len() as u64 - tally.total(),
        excluded: tally.into_list(),
        customers: n,
        first_day: first_day.to_string(),
        last_day: last_day.to_string(),
        cohorts,
        average_retention: sums.iter().map(|&(r, s)| ratio(r, s)).collect(),
        repurchase: Repurchase {
            customers: repeat,
            rate: repeat as f64 / n as f64,
            median_interval_days: quantile_sorted(&intervals, 0.5),
            mean_interval_days: mean,
        },
        churn_trend: (1..months)
            .map(|m| ChurnMonth {
                month: Period::Month.label(first_month + m as i32),
                active_before: active[m - 1],
                churned: churned[m],
                rate: ratio(churned[m], active[m - 1]),
            })
            .collect(),
    })
}

/// Each customer's distinct purchase days, increasing (customers in order of first appearance).
struct PurchaseDays {
    ids: Interner,
    days: Vec<Vec<Day>>,
    tally: ExclusionTally,
}

fn purchase_days(table: &TextTable, mapping: &Mapping) -> Result<PurchaseDays, AnalysisError> {
    let user = required_column(mapping, Field::UserId, table)?;
    let time = required_column(mapping, Field::OrderTime, table)?;
    let amount = mapping.column(Field::Amount).filter(|&c| c < table.width());
    let mut ids = Interner::default();
    let mut days: Vec<Vec<Day>> = Vec::new();
    let mut tally = ExclusionTally::default();
    for r in 0..table.len() {
        match purchase(table, r, user, time, amount) {
            Ok((id, ts, _)) => {
                let (i, new) = ids.intern(id);
                if new {
                    days.push(Vec::new());
                }
                days[i as usize].push(ts.day);
            }
            Err(reason) => tally.add(reason),
        }
    }
    if days.is_empty() {
        return Err(AnalysisError::NoData);
    }
    for d in &mut days {
        d.sort_unstable();
        d.dedup();
    }
    Ok(PurchaseDays { ids, days, tally })
}

/// The customers of cohort `cohort` (its period label, `2024-03` or
/// `2024-W05`) with a purchase in the period `offset` periods after it —
/// the customers counted in that cell of the retention matrix (`offset` 0:
/// the whole cohort) — in order of first appearance in the table. A cell
/// after the last period with a purchase, or beyond `max_periods`, is not
/// observed and refused, as is a period that is no cohort.
pub fn cohort_members(
    table: &TextTable,
    mapping: &Mapping,
    params: CohortParams,
    cohort: &str,
    offset: u32,
) -> Result<Vec<String>, MemberError> {
    let PurchaseDays { ids, days, .. } = purchase_days(table, mapping)?;
    let p = params.period;
    let last_day = days.iter().filter_map(|d| d.last().copied()).max().unwrap_or_default();
    let mut starts: Vec<i32> = days.iter().map(|d| p.index(d[0])).collect();
    let Some(c) = starts.iter().copied().find(|&c| p.label(c) == cohort.trim()) else {
        starts.sort_unstable();
        starts.dedup();
        let cohorts = starts.iter().map(|&c| p.label(c)).collect::<Vec<_>>().join(", ");
        return Err(MemberError::NoCohort { cohort: cohort.to_string(), cohorts });
    };
    let target = c + offset as i32;
    if offset as usize > params.max_periods || target > p.index(last_day) {
        return Err(MemberError::NotObserved { cohort: cohort.to_string(), offset, max: params.max_periods as u32 });
    }
    let ids = ids.ids();
    Ok(days
        .iter()
        .enumerate()
        .filter(|(_, d)| p.index(d[0]) == c && d.iter().any(|&x| p.index(x) == target))
        .map(|(i, _)| ids.get(i as u32).to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::rows::ExclusionReason;
    use crate::engine::ingest::fields::{auto_map, SourceKind};

    fn orders(rows: &[[&str; 3]]) -> (TextTable, Mapping) {
        let mut t = TextTable::new(vec!["客户ID".into(), "下单时间".into(), "订单金额".into()]);
        for (i, r) in rows.iter().enumerate() {
            t.push(i as u64 + 2, r.iter().copied());
        }
        let m = auto_map(SourceKind::Orders, &t.headers);
        (t, m)
    }

    #[test]
    fn monthly_cohorts_by_hand() {
        // A: Jan 5, Jan 5 (same day), Feb 10, Apr 1 → cohort Jan; months 0, 1, 3; interval 36 days.
        // B: Jan 20, Mar 3 → cohort Jan; months 0, 2; interval 43 days.
        // C: Feb 1 → cohort Feb; month 0. D: Feb 2, Feb 3 → cohort Feb; interval 1 day.
        // E: a refund only; F: a bad time; a blank id.
        let (t, m) = orders(&[
            ["A", "2024-01-05 10:00:00", "100"],
            ["A", "2024-01-05 18:00:00", "50"],
            ["B", "2024-01-20", "80"],
            ["C", "2024-02-01", "10"],
            ["D", "2024-02-02", "10"],
            ["D", "2024-02-03", "0"],
            ["A", "2024-02-10", "30"],
            ["B", "2024-03-03", "20"],
            ["A", "2024-04-01", "20"],
            ["E", "2024-04-01", "-20"],
            ["F", "2024-13-01", "20"],
            ["", "2024-04-01", "20"],
            ["G", "2024-04-01", "N/A"],
        ]);
        let c = cohorts(&t, &m, CohortParams { period: Period::Month, max_periods: 3 }).expect("cohorts");
        assert_eq!((c.rows_in, c.rows_used, c.customers), (13, 9, 4));
        let reasons: Vec<(ExclusionReason, u64)> = c.excluded.iter().map(|e| (e.reason, e.rows)).collect();
        assert_eq!(
            reasons,
            vec![
                (ExclusionReason::BlankCustomer, 1),
                (ExclusionReason::BadTime, 1),
                (ExclusionReason::BadAmount, 1),
                (ExclusionReason::Refund, 1)
            ]
        );
        assert_eq!((c.first_day.as_str(), c.last_day.as_str()), ("2024-01-05", "2024-04-01"));
        assert_eq!(c.cohorts.len(), 2);
        let jan = &c.cohorts[0];
        assert_eq!((jan.period.as_str(), jan.start.as_str(), jan.customers), ("2024-01", "2024-01-01", 2));
        assert_eq!(jan.retained, vec![Some(2), Some(1), Some(1), Some(1)]);
        assert_eq!(jan.retention, vec![Some(1.0), Some(0.5), Some(0.5), Some(0.5)]);
        let feb = &c.cohorts[1];
        // Feb + 3 = May is after the last purchase (April): not observed.
        assert_eq!(feb.retained, vec![Some(2), Some(0), Some(0), None]);
        assert_eq!(c.average_retention, vec![Some(1.0), Some(0.25), Some(0.25), Some(0.5)]);
        assert_eq!(c.repurchase.customers, 3);
        assert_eq!(c.repurchase.rate, 0.75);
        assert_eq!(c.repurchase.median_interval_days, Some(36.0));
        assert_eq!(c.repurchase.mean_interval_days, Some(80.0 / 3.0));
        // Active: Jan {A, B}, Feb {A, C, D}, Mar {B}, Apr {A}.
        let trend: Vec<(&str, u64, u64)> =
            c.churn_trend.iter().map(|m| (m.month.as_str(), m.active_before, m.churned)).collect();
        assert_eq!(trend, vec![("2024-02", 2, 1), ("2024-03", 3, 3), ("2024-04", 1, 1)]);
        assert_eq!(c.churn_trend[0].rate, Some(0.5));
    }

    #[test]
    fn weekly_cohorts_use_iso_weeks() {
        // 2024-01-07 is a Sunday (W01), 2024-01-08 a Monday (W02).
        let (t, m) = orders(&[["A", "2024-01-07", "1"], ["A", "2024-01-08", "1"], ["B", "2024-01-01", "1"]]);
        let c = cohorts(&t, &m, CohortParams { period: Period::Week, max_periods: 2 }).expect("cohorts");
        assert_eq!(c.cohorts.len(), 1);
        assert_eq!(c.cohorts[0].period, "2024-W01");
        assert_eq!(c.cohorts[0].retained, vec![Some(2), Some(1), None]);
        assert_eq!(c.repurchase.median_interval_days, Some(1.0));
        assert!(c.churn_trend.is_empty());
    }

    #[test]
    fn nothing_usable_is_an_error() {
        let (t, m) = orders(&[["", "2024-01-07", "1"]]);
        assert_eq!(cohorts(&t, &m, CohortParams::default()), Err(AnalysisError::NoData));
        let t2 = TextTable::new(vec!["客户ID".into(), "金额".into()]);
        let m2 = auto_map(SourceKind::Orders, &t2.headers);
        assert!(matches!(cohorts(&t2, &m2, CohortParams::default()), Err(AnalysisError::UnmappedField { .. })));
    }

    #[test]
    fn cohort_cells_list_their_customers() {
        // As `monthly_cohorts_by_hand`: Jan {A, B}: A buys in Jan, Feb, Apr; B in Jan, Mar.
        // Feb {C, D}. The data ends in April.
        let (t, m) = orders(&[
            ["A", "2024-01-05", "100"],
            ["B", "2024-01-20", "80"],
            ["C", "2024-02-01", "10"],
            ["D", "2024-02-02", "10"],
            ["A", "2024-02-10", "30"],
            ["B", "2024-03-03", "20"],
            ["A", "2024-04-01", "20"],
            ["E", "2024-04-01", "-20"],
        ]);
        let p = CohortParams { period: Period::Month, max_periods: 3 };
        let of = |c: &str, k: u32| cohort_members(&t, &m, p, c, k);
        assert_eq!(of("2024-01", 0), Ok(vec!["A".to_string(), "B".to_string()]), "the cohort's size");
        assert_eq!(of("2024-01", 1), Ok(vec!["A".to_string()]));
        assert_eq!(of("2024-01", 2), Ok(vec!["B".to_string()]));
        assert_eq!(of("2024-01", 3), Ok(vec!["A".to_string()]));
        assert_eq!(of("2024-02", 0), Ok(vec!["C".to_string(), "D".to_string()]));
        assert_eq!(of("2024-02", 1), Ok(vec![]));
        // The counts are the matrix's.
        let c = cohorts(&t, &m, p).expect("cohorts");
        for (row, label) in c.cohorts.iter().zip(["2024-01", "2024-02"]) {
            for (k, n) in row.retained.iter().enumerate() {
                if let Some(n) = n {
                    assert_eq!(of(label, k as u32).map(|v| v.len() as u64), Ok(*n), "{label} +{k}");
                }
            }
        }
        // Feb + 3 = May is after the data's end; +4 is beyond the matrix; March is no cohort (E only refunded).
        assert!(matches!(of("2024-02", 3), Err(MemberError::NotObserved { offset: 3, max: 3, .. })));
        assert!(matches!(of("2024-01", 4), Err(MemberError::NotObserved { .. })));
        let e = of("2024-03", 0).expect_err("no cohort");
        assert_eq!(e.to_string(), "there is no cohort `2024-03` (cohorts: 2024-01, 2024-02)");
    }
}
