//! M16 Funnels: how many customers go through a sequence of event steps
//! (e.g. 浏览 → 加购 → 下单 → 支付) within a time window, the conversion and
//! drop-off at each step, the time between steps, and who dropped where.
//!
//! # Definitions
//! Events are rows with a customer id, a readable time and an event type;
//! types are compared as trimmed text. Rows whose id, time or type cannot be
//! read are left out and counted by reason; events of other types are counted
//! as `other_events` and play no part.
//!
//! A customer enters the funnel at their **first** event of step 1, at time
//! `t₁`; the window is `[t₁, t₁ + window_days × 24 h]`, both ends included.
//! - `Strict` order: step `k` is reached at `t_k`, the earliest event of step
//!   `k` at or after `t_{k−1}` and inside the window; a customer who misses a
//!   step reaches none after it.
//! - `Loose` order: `t_k` is the earliest event of step `k` inside the window,
//!   wherever it falls relative to the other steps; a customer reaches step
//!   `k` when every step `1 … k` occurs inside the window.
//!
//! Either way the counts never rise from one step to the next. For each step:
//! customers reaching it, conversion from the previous step and from step 1,
//! drop-off (reached the previous step but not this one), and the median of
//! `t_k − t_{k−1}` in seconds over the customers reaching it (numpy's median;
//! in loose order the difference may be negative). The customers who dropped
//! at a step are listed in order of their first event in the table — all of
//! them in [`Funnel::dropped_customers`], at most `list_max` in the result.

use crate::engine::analyze::distribution::ValueCount;
use crate::engine::analyze::quantile::quantile_sorted;
use crate::engine::analyze::rows::{
    customer_and_time, ratio, required_column, seconds, ExcludedRows, ExclusionReason, ExclusionTally,
};
use crate::engine::clean::table::TextTable;
use crate::engine::error::AnalysisError;
use crate::engine::ids::{IdArena, Interner};
use crate::engine::ingest::fields::{Field, Mapping};
use crate::engine::money::trim_text;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Whether the steps must happen in order.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOrder {
    /// Each step at or after the previous one (the default).
    #[default]
    Strict,
    /// Each step anywhere in the window, order ignored.
    Loose,
}

/// Options of the funnel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelParams {
    /// The event types, in funnel order (default 浏览, 加购, 下单, 支付).
    pub steps: Vec<String>,
    /// Days after entering the funnel within which the steps count (default 7).
    pub window_days: u32,
    /// Strict (default) or loose order.
    pub order: StepOrder,
    /// At most this many dropped customer ids per step in the result (default 100).
    pub list_max: usize,
}

impl Default for FunnelParams {
    fn default() -> FunnelParams {
        FunnelParams {
            steps: ["浏览", "加购", "下单", "支付"].map(String::from).to_vec(),
            window_days: 7,
            order: StepOrder::Strict,
            list_max: 100,
        }
    }
}

/// Customers who dropped at a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dropped {
    /// How many (always the full count).
    pub count: u64,
    /// Their ids, at most `list_max`, in order of first appearance.
    pub ids: Vec<String>,
}

/// One step of the funnel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// The event type.
    pub step: String,
    /// Customers reaching the step.
    pub customers: u64,
    /// `customers / customers at the previous step` (0–1); `None` for step 1 or after nobody.
    pub conversion_from_previous: Option<f64>,
    /// `customers / customers at step 1` (0–1).
    pub conversion_from_start: Option<f64>,
    /// Reached the previous step but not this one (0 for step 1).
    pub drop_off: u64,
    /// `drop_off / customers at the previous step`; `None` for step 1.
    pub drop_off_rate: Option<f64>,
    /// Median seconds from the previous step to this one; `None` for step 1 or nobody.
    pub median_seconds_from_previous: Option<f64>,
    /// Who dropped here.
    pub dropped: Dropped,
}

/// The funnel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    /// Strict or loose.
    pub order: StepOrder,
    /// The window in days.
    pub window_days: u32,
    /// Rows in the table.
    pub rows_in: u64,
    /// Events of the funnel's steps.
    pub step_events: u64,
    /// Readable events of other types (not used).
    pub other_events: u64,
    /// Rows left out, by reason.
    pub excluded: Vec<ExcludedRows>,
    /// Customers with at least one event of the funnel's steps.
    pub customers_with_step_events: u64,
    /// The steps in order.
    pub steps: Vec<FunnelStep>,
    /// Every customer who dropped at each step (indexes into `ids`), in order of first appearance.
    #[serde(skip)]
    pub dropped_customers: Vec<Vec<u32>>,
    /// The customers' ids, by index.
    #[serde(skip)]
    pub ids: IdArena,
}

fn check_steps(steps: &[String]) -> Result<Vec<&str>, AnalysisError> {
    let names: Vec<&str> = steps.iter().map(|s| trim_text(s)).collect();
    let distinct = names.iter().enumerate().all(|(i, a)| !a.is_empty() && !names[..i].contains(a));
    if names.len() < 2 || !distinct {
        return Err(AnalysisError::InvalidSteps { steps: steps.join(",") });
    }
    Ok(names)
}

/// The times `t_k` a customer reaches steps `1 … k` (as many as reached), from
/// their step events sorted by time.
fn reached(events: &[(i64, u8)], steps: usize, window: i64, order: StepOrder) -> Vec<i64> {
    let Some(start) = events.iter().find(|e| e.1 == 0).map(|e| e.0) else {
        return Vec::new();
    };
    let end = start + window;
    let first_at = |k: u8, from: i64| events.iter().find(|e| e.1 == k && e.0 >= from && e.0 <= end).map(|e| e.0);
    let mut times = vec![start];
    for k in 1..steps as u8 {
        let from = match order {
            StepOrder::Strict => times[times.len() - 1],
            StepOrder::Loose => start,
        };
        match first_at(k, from) {
            Some(t) => times.push(t),
            None => break,
        }
    }
    times
}

/// The event types of an events table (trimmed, blank left out) with their
/// counts and shares, most frequent first, then by text — the steps a
/// funnel can be made of.
pub fn event_types(table: &TextTable, mapping: &Mapping) -> Result<Vec<ValueCount>, AnalysisError> {
    let kind = required_column(mapping, Field::EventType, table)?;
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for r in 0..table.len() {
        match trim_text(table.cell(r, kind)) {
            "" => {}
            t => *counts.entry(t).or_insert(0) += 1,
        }
    }
    let total: u64 = counts.values().sum();
    let mut types: Vec<ValueCount> = counts
        .into_iter()
        .map(|(value, count)| ValueCount { value: value.to_string(), count, share: ratio(count, total).unwrap_or(0.0) })
        .collect();
    types.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    Ok(types)
}

/// Runs the funnel on an events table (`user_id`, `event_type` and `event_time` needed).
pub fn funnel(table: &TextTable, mapping: &Mapping, params: &FunnelParams) -> Result<Funnel, AnalysisError> {
    let steps = check_steps(&params.steps)?;
    let user = required_column(mapping, Field::UserId, table)?;
    let kind = required_column(mapping, Field::EventType, table)?;
    let time = required_column(mapping, Field::EventTime, table)?;
    let mut tally = ExclusionTally::default();
    let mut ids = Interner::default();
    let mut events: Vec<Vec<(i64, u8)>> = Vec::new();
    let mut types: HashMap<&str, u64> = HashMap::new();
    let mut step_events = 0u64;
    for r in 0..table.len() {
        let read = customer_and_time(table, r, user, time).and_then(|(id, ts)| {
            let t = trim_text(table.cell(r, kind));
            if t.is_empty() {
                Err(ExclusionReason::BlankEventType)
            } else {
                Ok((id, ts, t))
            }
        });
        let (id, ts, t) = match read {
            Ok(x) => x,
            Err(reason) => {
                tally.add(reason);
                continue;
            }
        };
        *types.entry(t).or_insert(0) += 1;
        if let Some(k) = steps.iter().position(|s| *s == t) {
            let (i, new) = ids.intern(id);
            if new {
                events.push(Vec::new());
            }
            events[i as usize].push((seconds(ts), k as u8));
            step_events += 1;
        }
    }
    let n = steps.len();
    let window = i64::from(params.window_days) * 86_400;
    let mut counts = vec![0u64; n];
    let mut gaps: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut dropped: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (i, ev) in events.iter_mut().enumerate() {
        ev.sort_unstable();
        let times = reached(ev, n, window, params.order);
        for (k, t) in times.iter().enumerate() {
            counts[k] += 1;
            if k > 0 {
                gaps[k].push((t - times[k - 1]) as f64);
            }
        }
        if !times.is_empty() && times.len() < n {
            dropped[times.len()].push(i as u32);
        }
    }
    if counts[0] == 0 {
        let mut seen: Vec<(&str, u64)> = types.into_iter().collect();
        seen.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let types: Vec<&str> = seen.iter().take(12).map(|x| x.0).collect();
        return Err(AnalysisError::NoSuchEvent { step: steps[0].to_string(), types: types.join(", ") });
    }
    let ids = ids.into_ids();
    let out_steps = (0..n)
        .map(|k| {
            gaps[k].sort_unstable_by(f64::total_cmp);
            let before = if k == 0 { None } else { Some(counts[k - 1]) };
            FunnelStep {
                step: steps[k].to_string(),
                customers: counts[k],
                conversion_from_previous: before.and_then(|b| ratio(counts[k], b)),
                conversion_from_start: ratio(counts[k], counts[0]),
                drop_off: before.map_or(0, |b| b - counts[k]),
                drop_off_rate: before.and_then(|b| ratio(b - counts[k], b)),
                median_seconds_from_previous: quantile_sorted(&gaps[k], 0.5),
                dropped: Dropped {
                    count: dropped[k].len() as u64,
                    ids: dropped[k].iter().take(params.list_max).map(|&i| ids.get(i).to_string()).collect(),
                },
            }
        })
        .collect();
    Ok(Funnel {
        order: params.order,
        window_days: params.window_days,
        rows_in: table.len() as u64,
        step_events,
        other_events: table.len() as u64 - tally.total() - step_events,
        excluded: tally.into_list(),
        customers_with_step_events: events.len() as u64,
        steps: out_steps,
        dropped_customers: dropped,
        ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::{auto_map, SourceKind};

    fn events(rows: &[[&str; 3]]) -> (TextTable, Mapping) {
        let mut t = TextTable::new(vec!["用户ID".into(), "行为类型".into(), "行为时间".into()]);
        for (i, r) in rows.iter().enumerate() {
            t.push(i as u64 + 2, r.iter().copied());
        }
        let m = auto_map(SourceKind::Events, &t.headers);
        (t, m)
    }

    fn params(order: StepOrder, window_days: u32) -> FunnelParams {
        FunnelParams {
            steps: ["浏览", "加购", "下单"].map(String::from).to_vec(), window_days, order, list_max: 1
        }
    }

    fn sample() -> (TextTable, Mapping) {
        events(&[
            // A: 浏览 10:00, 加购 10:05, 下单 10:20 — the whole funnel (300 s, 900 s).
            ["A", "浏览", "2024-01-01 10:00:00"],
            ["A", "加购", "2024-01-01 10:05:00"],
            ["A", "下单", "2024-01-01 10:20:00"],
            // B: 下单 before 浏览, then 加购: strict stops at 加购; loose reaches 下单 (−60 s).
            ["B", "下单", "2024-01-02 09:00:00"],
            ["B", "浏览", "2024-01-02 09:01:00"],
            ["B", "加购", "2024-01-02 09:02:00"],
            // C: 浏览, 加购 8 days later: outside a 7-day window.
            ["C", "浏览", "2024-01-03 09:00:00"],
            ["C", "加购", "2024-01-11 09:00:01"],
            // D: only 加购 (never enters); E: 浏览 only, plus a 登录.
            ["D", "加购", "2024-01-03 09:00:00"],
            ["E", "登录", "2024-01-04 08:00:00"],
            ["E", "浏览", "2024-01-04 08:00:10"],
            ["", "浏览", "2024-01-04 08:00:10"],
            ["F", " ", "2024-01-04 08:00:10"],
        ])
    }

    #[test]
    fn strict_funnel_by_hand() {
        let (t, m) = sample();
        let f = funnel(&t, &m, &params(StepOrder::Strict, 7)).expect("funnel");
        assert_eq!((f.rows_in, f.step_events, f.other_events), (13, 10, 1));
        assert_eq!(f.customers_with_step_events, 5);
        let counts: Vec<u64> = f.steps.iter().map(|s| s.customers).collect();
        assert_eq!(counts, vec![4, 2, 1]); // A B C E; A B; A
        assert_eq!(f.steps[1].conversion_from_previous, Some(0.5));
        assert_eq!(f.steps[2].conversion_from_start, Some(0.25));
        assert_eq!((f.steps[1].drop_off, f.steps[2].drop_off), (2, 1));
        // 加购 after 浏览: A 300 s, B 60 s → median 180.
        assert_eq!(f.steps[1].median_seconds_from_previous, Some(180.0));
        assert_eq!(f.steps[2].median_seconds_from_previous, Some(900.0));
        // Dropped at 加购: C and E (listed 1 of 2); at 下单: B.
        assert_eq!(f.steps[1].dropped, Dropped { count: 2, ids: vec!["C".into()] });
        assert_eq!(f.steps[2].dropped, Dropped { count: 1, ids: vec!["B".into()] });
        let all: Vec<&str> = f.dropped_customers[1].iter().map(|&i| f.ids.get(i)).collect();
        assert_eq!(all, vec!["C", "E"]);
        assert_eq!(f.excluded.iter().map(|e| e.rows).sum::<u64>(), 2);
        // A 9-day window takes C's 加购 in.
        let f = funnel(&t, &m, &params(StepOrder::Strict, 9)).expect("funnel");
        assert_eq!(f.steps[1].customers, 3);
    }

    #[test]
    fn loose_funnel_by_hand() {
        let (t, m) = sample();
        let f = funnel(&t, &m, &params(StepOrder::Loose, 7)).expect("funnel");
        let counts: Vec<u64> = f.steps.iter().map(|s| s.customers).collect();
        // B's 下单 came before 浏览, so before the window starts: still not reached.
        assert_eq!(counts, vec![4, 2, 1]);
        let t2 = events(&[
            ["B", "浏览", "2024-01-02 09:00:00"],
            ["B", "下单", "2024-01-02 09:01:00"],
            ["B", "加购", "2024-01-02 09:02:00"],
        ]);
        let strict = funnel(&t2.0, &t2.1, &params(StepOrder::Strict, 7)).expect("funnel");
        let loose = funnel(&t2.0, &t2.1, &params(StepOrder::Loose, 7)).expect("funnel");
        assert_eq!(strict.steps[2].customers, 0);
        assert_eq!(loose.steps[2].customers, 1);
        assert_eq!(loose.steps[2].median_seconds_from_previous, Some(-60.0));
    }

    #[test]
    fn event_types_by_count_then_text() {
        let (t, m) = sample();
        let types: Vec<(String, u64)> =
            event_types(&t, &m).expect("types").into_iter().map(|v| (v.value, v.count)).collect();
        let want = [("浏览", 5), ("加购", 4), ("下单", 2), ("登录", 1)].map(|(v, n)| (v.to_string(), n));
        assert_eq!(types, want.to_vec());
    }

    #[test]
    fn bad_steps_and_unknown_events_are_errors() {
        let (t, m) = sample();
        let mut p = params(StepOrder::Strict, 7);
        p.steps = vec!["浏览".into(), " 浏览".into()];
        assert!(matches!(funnel(&t, &m, &p), Err(AnalysisError::InvalidSteps { .. })));
        p.steps = vec!["browse".into(), "加购".into()];
        assert_eq!(
            funnel(&t, &m, &p),
            Err(AnalysisError::NoSuchEvent { step: "browse".into(), types: "加购, 浏览, 下单, 登录".into() })
        );
    }
}
