//! M9 Activity: each customer active, regular, silent or churned as of a
//! date, from their behaviour events; the counts and shares, and the same
//! counts at the end of each month (the trend).
//!
//! # Visits and classes
//! A **visit** is a distinct day on which the customer has at least one event
//! (of any type: several logins or page views on one day are one visit).
//! Events count when their day is before the as-of date `D` (by default the
//! day after the last event; later events are left out as `after_as_of`).
//! Rows whose customer or time cannot be read are left out by reason. A
//! customer with a visit before `D` is classified, first rule that applies:
//! 1. **churned**: no visit in the last `churn_days` days (`D − last visit > churn_days`);
//! 2. **active**: visits in the last `7 × active_weeks` days, divided by
//!    `active_weeks`, at least `active_visits_per_week` (defaults: 4 weeks, 3 a week,
//!    so ≥ 12 visits in 28 days);
//! 3. **silent**: fewer than `silent_visits_per_month` visits in the last
//!    `silent_days` days (defaults: fewer than 1 in 30 days);
//! 4. **regular**: everyone else.
//!
//! "The last `n` days" are the days `D − n … D − 1`.
//!
//! # Trend
//! For each month from the month of the first event whose end is before `D`,
//! the classes as of the first day after the month (the month-end
//! snapshot), over the customers with a visit by then.

use crate::engine::analyze::period::Period;
use crate::engine::analyze::rows::{
    customer_and_time, ratio, required_column, ExcludedRows, ExclusionReason, ExclusionTally,
};
use crate::engine::clean::table::TextTable;
use crate::engine::date::Day;
use crate::engine::error::AnalysisError;
use crate::engine::ids::{IdArena, Interner};
use crate::engine::ingest::fields::{Field, Mapping};
use serde::{Deserialize, Serialize};

/// Options of the activity classes.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityParams {
    /// The as-of date; `None` (default) for the day after the last event.
    pub as_of: Option<Day>,
    /// Active: at least this many visits a week on average (default 3)…
    pub active_visits_per_week: f64,
    /// …over this many weeks (default 4).
    pub active_weeks: u32,
    /// Silent: fewer than this many visits (default 1)…
    pub silent_visits_per_month: f64,
    /// …in this many days (default 30).
    pub silent_days: u32,
    /// Churned: no visit for more than this many days (default 90, "3 months").
    pub churn_days: u32,
}

impl Default for ActivityParams {
    fn default() -> ActivityParams {
        ActivityParams {
            as_of: None,
            active_visits_per_week: 3.0,
            active_weeks: 4,
            silent_visits_per_month: 1.0,
            silent_days: 30,
            churn_days: 90,
        }
    }
}

/// A customer's activity class.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityClass {
    /// Frequent visits lately.
    Active,
    /// Neither active, silent nor churned.
    Regular,
    /// Hardly any visit lately, but not churned.
    Silent,
    /// No visit for a long time.
    Churned,
}

/// Customers per class.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounts {
    /// Customers classified.
    pub customers: u64,
    /// Active.
    pub active: u64,
    /// Regular.
    pub regular: u64,
    /// Silent.
    pub silent: u64,
    /// Churned.
    pub churned: u64,
}

impl ClassCounts {
    fn add(&mut self, c: ActivityClass) {
        self.customers += 1;
        match c {
            ActivityClass::Active => self.active += 1,
            ActivityClass::Regular => self.regular += 1,
            ActivityClass::Silent => self.silent += 1,
            ActivityClass::Churned => self.churned += 1,
        }
    }

    /// Each class's share of the customers (0–1; all 0 without customers).
    pub fn shares(&self) -> ClassShares {
        let s = |n| ratio(n, self.customers).unwrap_or(0.0);
        ClassShares {
            active: s(self.active),
            regular: s(self.regular),
            silent: s(self.silent),
            churned: s(self.churned),
        }
    }
}

/// Each class's share of the customers (0–1).
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassShares {
    /// Active.
    pub active: f64,
    /// Regular.
    pub regular: f64,
    /// Silent.
    pub silent: f64,
    /// Churned.
    pub churned: f64,
}

/// The classes at one month's end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityPoint {
    /// The month (`2024-03`).
    pub month: String,
    /// The snapshot date: the first day after the month (ISO).
    pub as_of: String,
    /// Customers per class.
    pub counts: ClassCounts,
}

/// One customer's class as of the analysis date.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CustomerActivity {
    /// Index into [`Activity::ids`].
    pub customer: u32,
    /// The class.
    pub class: ActivityClass,
    /// The last visit before the as-of date.
    pub last_visit: Day,
    /// Visits in the active window (the last `7 × active_weeks` days).
    pub recent_visits: u32,
}

/// The activity analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// The as-of date (ISO): visits before it count.
    pub as_of: String,
    /// Rows in the table.
    pub rows_in: u64,
    /// Rows used.
    pub rows_used: u64,
    /// Rows left out, by reason.
    pub excluded: Vec<ExcludedRows>,
    /// Customers per class.
    pub counts: ClassCounts,
    /// Shares per class.
    pub shares: ClassShares,
    /// Counts at each month's end.
    pub trend: Vec<ActivityPoint>,
    /// Every customer's class.
    #[serde(skip)]
    pub customers: Vec<CustomerActivity>,
    /// The customers' ids, by index.
    #[serde(skip)]
    pub ids: IdArena,
}

/// Visits in the days `[from, to)` among ascending distinct `days`.
fn visits_between(days: &[Day], from: Day, to: Day) -> usize {
    days.partition_point(|&d| d < to) - days.partition_point(|&d| d < from)
}

/// The class of a customer with ascending distinct visit `days`, as of `d`; `None` before their first visit.
fn classify(days: &[Day], d: Day, p: &ActivityParams) -> Option<(ActivityClass, Day, u32)> {
    let before = days.partition_point(|&x| x < d);
    let last = *days[..before].last()?;
    let back = |n: u32| Day::from_days(d.days() - n as i32);
    let recent = visits_between(days, back(7 * p.active_weeks), d) as u32;
    let class = if d.days_since(last) > p.churn_days as i32 {
        ActivityClass::Churned
    } else if p.active_weeks > 0 && f64::from(recent) / f64::from(p.active_weeks) >= p.active_visits_per_week {
        ActivityClass::Active
    } else if (visits_between(days, back(p.silent_days), d) as f64) < p.silent_visits_per_month {
        ActivityClass::Silent
    } else {
        ActivityClass::Regular
    };
    Some((class, last, recent))
}

/// Classifies the customers of an events table (`user_id` and `event_time` needed).
pub fn activity(table: &TextTable, mapping: &Mapping, params: &ActivityParams) -> Result<Activity, AnalysisError> {
    let user = required_column(mapping, Field::UserId, table)?;
    let time = required_column(mapping, Field::EventTime, table)?;
    let mut tally = ExclusionTally::default();
    let mut read: Vec<(&str, Day)> = Vec::with_capacity(table.len());
    for r in 0..table.len() {
        match customer_and_time(table, r, user, time) {
            Ok((id, ts)) => read.push((id, ts.day)),
            Err(reason) => tally.add(reason),
        }
    }
    let as_of = match params.as_of {
        Some(d) => d,
        None => read.iter().map(|x| x.1).max().ok_or(AnalysisError::NoData)?.next(),
    };
    let mut ids = Interner::default();
    let mut days: Vec<Vec<Day>> = Vec::new();
    for (id, day) in read {
        if day >= as_of {
            tally.add(ExclusionReason::AfterAsOf);
            continue;
        }
        let (i, new) = ids.intern(id);
        if new {
            days.push(Vec::new());
        }
        days[i as usize].push(day);
    }
    if days.is_empty() {
        return Err(AnalysisError::NoData);
    }
    for d in &mut days {
        d.sort_unstable();
        d.dedup();
    }
    let mut counts = ClassCounts::default();
    let mut customers = Vec::with_capacity(days.len());
    for (i, d) in days.iter().enumerate() {
        if let Some((class, last_visit, recent_visits)) = classify(d, as_of, params) {
            counts.add(class);
            customers.push(CustomerActivity { customer: i as u32, class, last_visit, recent_visits });
        }
    }
    let first = days.iter().map(|d| d[0]).min().unwrap_or(as_of);
    let m = Period::Month;
    let trend = (m.index(first)..)
        .map(|k| (k, m.start(k + 1)))
        .take_while(|&(_, end)| end <= as_of)
        .map(|(k, end)| {
            let mut c = ClassCounts::default();
            for d in &days {
                if let Some((class, _, _)) = classify(d, end, params) {
                    c.add(class);
                }
            }
            ActivityPoint { month: m.label(k), as_of: end.to_string(), counts: c }
        })
        .collect();
    Ok(Activity {
        as_of: as_of.to_string(),
        rows_in: table.len() as u64,
        rows_used: table.len() as u64 - tally.total(),
        excluded: tally.into_list(),
        shares: counts.shares(),
        counts,
        trend,
        customers,
        ids: ids.into_ids(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::{auto_map, SourceKind};

    fn day(s: &str) -> Day {
        Day::parse_iso(s).expect("date")
    }

    fn events(rows: &[(&str, String)]) -> (TextTable, Mapping) {
        let mut t = TextTable::new(vec!["用户ID".into(), "行为类型".into(), "行为时间".into()]);
        for (i, (id, time)) in rows.iter().enumerate() {
            t.push(i as u64 + 2, [*id, "登录", time.as_str()]);
        }
        let m = auto_map(SourceKind::Events, &t.headers);
        (t, m)
    }

    #[test]
    fn classes_by_hand() {
        // As of 2024-04-01: the last 28 days are 03-04 … 03-31, the last 30 days 03-02 … 03-31.
        let mut rows: Vec<(&str, String)> = Vec::new();
        // A: 12 distinct days in 03-04 … 03-15 (twice on 03-04) → 12 / 4 = 3 a week: active.
        for d in 4..=15 {
            rows.push(("A", format!("2024-03-{d:02} 10:00:00")));
        }
        rows.push(("A", "2024-03-04 18:00:00".into()));
        // B: 11 days → 2.75 a week: regular.
        for d in 4..=14 {
            rows.push(("B", format!("2024-03-{d:02}")));
        }
        // C: last visit 2024-03-01 (31 days before): silent. D: 2024-01-02 (90 days): silent, not churned.
        rows.push(("C", "2024-03-01".into()));
        rows.push(("D", "2024-01-02".into()));
        // E: 2024-01-01 (91 days before): churned. F: 2024-04-01: after the as-of date, left out.
        rows.push(("E", "2024-01-01".into()));
        rows.push(("F", "2024-04-01".into()));
        rows.push(("", "2024-03-01".into()));
        let (t, m) = events(&rows);
        let p = ActivityParams { as_of: Some(day("2024-04-01")), ..ActivityParams::default() };
        let a = activity(&t, &m, &p).expect("activity");
        assert_eq!(a.counts, ClassCounts { customers: 5, active: 1, regular: 1, silent: 2, churned: 1 });
        assert_eq!(a.shares.silent, 0.4);
        assert_eq!((a.rows_in, a.rows_used), (29, 27));
        let class_of = |id: &str| a.customers.iter().find(|c| a.ids.get(c.customer) == id).map(|c| c.class);
        assert_eq!(class_of("D"), Some(ActivityClass::Silent));
        assert_eq!(class_of("E"), Some(ActivityClass::Churned));
        assert_eq!(a.customers[0].recent_visits, 12);
        // Trend: January (as of 02-01, the last 30 days are 01-02 … 01-31: D has a visit → regular,
        // E's 01-01 is before them → silent), February (as of 03-01: D, E silent), March (as above).
        let months: Vec<&str> = a.trend.iter().map(|p| p.month.as_str()).collect();
        assert_eq!(months, vec!["2024-01", "2024-02", "2024-03"]);
        assert_eq!(a.trend[0].counts, ClassCounts { customers: 2, regular: 1, silent: 1, ..ClassCounts::default() });
        assert_eq!(a.trend[1].counts, ClassCounts { customers: 2, silent: 2, ..ClassCounts::default() });
        assert_eq!(a.trend[2].counts, a.counts);
        // Default as-of: the day after the last event (F's 04-01): 04-02.
        let a = activity(&t, &m, &ActivityParams::default()).expect("activity");
        assert_eq!(a.as_of, "2024-04-02");
        assert_eq!(a.counts.customers, 6);
        assert_eq!(a.trend.len(), 3); // April has not ended
    }

    #[test]
    fn no_events_is_an_error() {
        let (t, m) = events(&[("A", "2024-05-01".into())]);
        let p = ActivityParams { as_of: Some(day("2024-01-01")), ..ActivityParams::default() };
        assert_eq!(activity(&t, &m, &p), Err(AnalysisError::NoData));
    }
}
