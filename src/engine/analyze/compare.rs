//! M24 Comparison: a metric over time from the kept sources — one value per
//! month or ISO week, each compared with the period before (month-on-month,
//! 环比) or the same period a year before (year-on-year, 同比) — and the
//! metric before and after a strategy date, with Welch's t-test on the daily
//! values.
//!
//! # Metrics and their rows
//! Each metric reads the first source of one kind:
//! - **orders** — `revenue` (sum of the amounts), `orders` (distinct order
//!   numbers of a customer; a row without one is an order of its own),
//!   `buyers` (distinct customers), `aov` (average order value: revenue ÷
//!   orders, rounded half away from zero to the 0.0001 unit money is kept
//!   in), `new_buyers` (customers whose first purchase ever falls in the
//!   period). The rows are the purchases of the cohort analysis: a customer
//!   id, a readable order time and, when an amount column is mapped, an
//!   amount of 0 or more (blank or unreadable amounts and refunds — negative
//!   amounts — are left out and counted). `revenue` and `aov` need the amount.
//! - **events** — `active_customers` (distinct customers with an event),
//!   `events` (rows); a row needs a customer and a readable time.
//! - **tickets** — `tickets` (rows), `complaints` (rows whose type names 投诉
//!   or "complain", as the customer view decides); a row needs a readable
//!   creation time.
//! - **surveys** — `csat` (share 0–1 of CSAT answers that are 4 or 5), `nps`
//!   (% promoters 9–10 − % detractors 0–6, −100 … 100), `answers` (survey
//!   rows); a row needs a readable survey date, and for CSAT and NPS a valid
//!   score on the scale (blank and invalid scores are left out and counted).
//!
//! Rows left out are counted by reason, never dropped silently.
//!
//! # Periods
//! Months and ISO weeks as in [`Period`]. The periods listed run from the
//! period of the first day of the range to that of its last (whole periods);
//! the default range is the first to the last day of the metric's rows.
//! Every period in between is listed: a period without rows has 0 for
//! counts and sums, and no value (`None`) for `aov`, `csat` and `nps`.
//!
//! # Changes
//! The base of a period is the value of the period before (MoM) or of the
//! same period a year before (YoY: 12 months, or 52 ISO weeks). The change
//! is `value − base` (exact for money and counts; for CSAT in share points,
//! for NPS in points); the relative change is `(value − base) / |base|`, so
//! its sign is the direction of the change. Either is `None` when the value
//! or the base is missing, and the relative change also when the base is 0 —
//! never infinite or NaN. When a range is given, the values before it that
//! its first bases need are computed too.
//!
//! # Before and after a date
//! With the strategy date `D` and a window of `w` days, the windows are
//! `[D − w, D)` and `[D, D + w)`. Each has the metric over the whole window
//! and, for the metrics that add up over days — every metric but `aov`,
//! `csat` and `nps` — the daily values (every day of the window, 0 when it
//! has no rows) and their mean. (For `buyers` and `active_customers` the
//! window's value counts distinct customers over the window, the daily mean
//! distinct customers a day.) The difference of the daily means is tested
//! with Welch's unequal-variances t-test: `t = (m_after − m_before) / se`,
//! `se² = s²_a/n_a + s²_b/n_b` (sample variances), the Welch–Satterthwaite
//! degrees of freedom, and the two-sided p-value from Student's t. The test
//! is not applicable to the ratio metrics (no daily sample adds up to
//! them), to windows of one day, or when every daily value of both windows
//! is the same (no variance). A window that reaches outside the first to
//! last day of the metric's rows is marked as not covered by the data.

use crate::engine::analyze::period::Period;
use crate::engine::analyze::rows::{
    customer_and_time, purchase, required_column, time_of, ExcludedRows, ExclusionReason, ExclusionTally,
};
use crate::engine::analyze::satisfaction::{Scale, ScoreProblem};
use crate::engine::analyze::suite::first_of;
use crate::engine::clean::table::TextTable;
use crate::engine::date::Day;
use crate::engine::error::AnalysisError;
use crate::engine::ids::Interner;
use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::money::{trim_text, Money};
use crate::engine::unify::{is_complaint, Source};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::HashSet;

/// A metric that can be followed over time.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Sum of the purchase amounts (orders).
    #[default]
    Revenue,
    /// Distinct orders (orders).
    Orders,
    /// Distinct customers with a purchase (orders).
    Buyers,
    /// Revenue ÷ orders (orders).
    Aov,
    /// Customers whose first purchase ever falls in the period (orders).
    NewBuyers,
    /// Distinct customers with an event (events).
    ActiveCustomers,
    /// Event rows (events).
    Events,
    /// Tickets (tickets).
    Tickets,
    /// Tickets whose type is a complaint (tickets).
    Complaints,
    /// Share of CSAT answers that are 4 or 5 (surveys).
    Csat,
    /// Net promoter score (surveys).
    Nps,
    /// Survey answers (surveys).
    Answers,
}

impl Metric {
    /// Every metric, by source kind.
    pub const ALL: [Metric; 12] = [
        Metric::Revenue,
        Metric::Orders,
        Metric::Buyers,
        Metric::Aov,
        Metric::NewBuyers,
        Metric::ActiveCustomers,
        Metric::Events,
        Metric::Tickets,
        Metric::Complaints,
        Metric::Csat,
        Metric::Nps,
        Metric::Answers,
    ];

    /// Its name on the command line and in results (`revenue`…).
    pub fn key(self) -> &'static str {
        match self {
            Metric::Revenue => "revenue",
            Metric::Orders => "orders",
            Metric::Buyers => "buyers",
            Metric::Aov => "aov",
            Metric::NewBuyers => "new_buyers",
            Metric::ActiveCustomers => "active_customers",
            Metric::Events => "events",
            Metric::Tickets => "tickets",
            Metric::Complaints => "complaints",
            Metric::Csat => "csat",
            Metric::Nps => "nps",
            Metric::Answers => "answers",
        }
    }

    /// Parses [`Metric::key`].
    pub fn from_key(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == s.trim())
    }

    /// The kind of source it reads.
    pub fn kind(self) -> SourceKind {
        match self {
            Metric::Revenue | Metric::Orders | Metric::Buyers | Metric::Aov | Metric::NewBuyers => SourceKind::Orders,
            Metric::ActiveCustomers | Metric::Events => SourceKind::Events,
            Metric::Tickets | Metric::Complaints => SourceKind::Tickets,
            Metric::Csat | Metric::Nps | Metric::Answers => SourceKind::Surveys,
        }
    }

    /// What its values are.
    pub fn unit(self) -> Unit {
        match self {
            Metric::Revenue | Metric::Aov => Unit::Money,
            Metric::Csat => Unit::Share,
            Metric::Nps => Unit::Score,
            _ => Unit::Count,
        }
    }

    /// Whether it is a ratio (average order value, CSAT, NPS): no value in a
    /// period without rows, and no daily sample that adds up to it.
    pub fn is_ratio(self) -> bool {
        matches!(self, Metric::Aov | Metric::Csat | Metric::Nps)
    }
}

/// What a metric's values are.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// An exact amount of money.
    Money,
    /// A whole number (orders, customers, rows).
    Count,
    /// A share 0–1 (CSAT).
    Share,
    /// A score (NPS, −100 … 100).
    Score,
}

/// A metric's value: exact money, a whole count, a share or a score.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Money (serialised in units of 0.0001).
    Money(Money),
    /// A count (negative only as a change).
    Count(i64),
    /// A share 0–1 (a change: share points).
    Share(f64),
    /// A score (a change: points).
    Score(f64),
}

impl Figure {
    /// As a float (money in currency units), for statistics and charts.
    pub fn to_f64(self) -> f64 {
        match self {
            Figure::Money(m) => m.to_f64(),
            Figure::Count(n) => n as f64,
            Figure::Share(x) | Figure::Score(x) => x,
        }
    }

    /// `self − base`, exactly for money and counts; `None` for figures of different units.
    pub fn minus(self, base: Figure) -> Option<Figure> {
        match (self, base) {
            (Figure::Money(a), Figure::Money(b)) => {
                Some(Figure::Money(Money::from_units(a.units().checked_sub(b.units()).unwrap_or(if a > b {
                    i64::MAX
                } else {
                    i64::MIN
                }))))
            }
            (Figure::Count(a), Figure::Count(b)) => Some(Figure::Count(a.saturating_sub(b))),
            (Figure::Share(a), Figure::Share(b)) => Some(Figure::Share(a - b)),
            (Figure::Score(a), Figure::Score(b)) => Some(Figure::Score(a - b)),
            _ => None,
        }
    }

    /// `(self − base) / |base|`; `None` when `base` is 0 or of another unit.
    pub fn relative_to(self, base: Figure) -> Option<f64> {
        let (a, b) = match (self, base) {
            (Figure::Money(a), Figure::Money(b)) => (i128::from(a.units()), i128::from(b.units())),
            (Figure::Count(a), Figure::Count(b)) => (i128::from(a), i128::from(b)),
            (Figure::Share(a), Figure::Share(b)) | (Figure::Score(a), Figure::Score(b)) => {
                return (b != 0.0 && a.is_finite() && b.is_finite()).then(|| (a - b) / b.abs());
            }
            _ => return None,
        };
        (b != 0).then(|| (a - b) as f64 / b.abs() as f64)
    }

    /// As written in exports: money with its decimals (`1234.50`), counts
    /// whole, shares and scores in full precision.
    pub fn text(self) -> String {
        match self {
            Figure::Money(m) => m.to_string(),
            Figure::Count(n) => n.to_string(),
            Figure::Share(x) | Figure::Score(x) => x.to_string(),
        }
    }
}

/// Days from `from` to `to`, both included.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRange {
    /// The first day.
    pub from: Day,
    /// The last day.
    pub to: Day,
}

/// How a period is compared.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// With the period before (环比).
    #[default]
    Mom,
    /// With the same period a year before (同比).
    Yoy,
}

impl Mode {
    /// How many periods back the base is.
    pub fn lag(self, period: Period) -> i32 {
        match (self, period) {
            (Mode::Mom, _) => 1,
            (Mode::Yoy, Period::Month) => 12,
            (Mode::Yoy, Period::Week) => 52,
        }
    }

    /// The name on the command line and in results: `mom` or `yoy`.
    pub fn key(self) -> &'static str {
        match self {
            Mode::Mom => "mom",
            Mode::Yoy => "yoy",
        }
    }

    /// Parses [`Mode::key`].
    pub fn from_key(s: &str) -> Option<Mode> {
        match s.trim() {
            "mom" => Some(Mode::Mom),
            "yoy" => Some(Mode::Yoy),
            _ => None,
        }
    }
}

/// One period of a series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// The period's label (`2024-03`, `2024-W05`).
    pub period: String,
    /// Its first day (ISO).
    pub start: String,
    /// The metric in it (`None`: undefined, e.g. no orders for the average order value).
    pub value: Option<Figure>,
}

/// Where a metric's rows went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowsRead {
    /// The source's file name.
    pub file: String,
    /// Rows in the table.
    pub rows_in: u64,
    /// Rows the metric counts (in any period).
    pub rows_used: u64,
    /// Rows left out, by reason.
    pub excluded: Vec<ExcludedRows>,
    /// The first day with a row used (ISO).
    pub first_day: String,
    /// The last day with a row used (ISO).
    pub last_day: String,
}

/// A metric per period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The metric.
    pub metric: Metric,
    /// Its unit.
    pub unit: Unit,
    /// Months or weeks.
    pub period: Period,
    /// The index ([`Period::index`]) of the first point's period.
    pub first_index: i32,
    /// Consecutive periods.
    pub points: Vec<SeriesPoint>,
    /// The rows read.
    pub rows: RowsRead,
}

/// One period compared with its base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparedPeriod {
    /// The period's label.
    pub period: String,
    /// Its first day (ISO).
    pub start: String,
    /// The metric in it.
    pub value: Option<Figure>,
    /// The base period's label.
    pub base_period: String,
    /// The metric in the base period (`None` when undefined or before the data).
    pub base: Option<Figure>,
    /// `value − base`.
    pub change: Option<Figure>,
    /// `(value − base) / |base|`; `None` when the base is 0 or missing.
    pub change_pct: Option<f64>,
}

/// A metric per period, each compared with its base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The metric.
    pub metric: Metric,
    /// Its unit.
    pub unit: Unit,
    /// Months or weeks.
    pub period: Period,
    /// Previous period or year before.
    pub mode: Mode,
    /// The periods, oldest first.
    pub points: Vec<ComparedPeriod>,
    /// The rows read.
    pub rows: RowsRead,
}

/// Columns of [`Comparison::table`].
pub const COMPARISON_COLUMNS: [&str; 8] =
    ["metric", "period", "start", "value", "base_period", "base", "change", "change_pct"];

fn opt_text(f: Option<Figure>) -> String {
    f.map(Figure::text).unwrap_or_default()
}

fn opt_f64(x: Option<f64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

impl Comparison {
    /// One row per period (the CSV/XLSX export).
    pub fn table(&self) -> TextTable {
        let mut t = TextTable::new(COMPARISON_COLUMNS.iter().map(|s| s.to_string()).collect());
        for (i, p) in self.points.iter().enumerate() {
            let cells = [
                self.metric.key().to_string(),
                p.period.clone(),
                p.start.clone(),
                opt_text(p.value),
                p.base_period.clone(),
                opt_text(p.base),
                opt_text(p.change),
                opt_f64(p.change_pct),
            ];
            t.push(i as u64 + 2, cells.iter().map(String::as_str));
        }
        t
    }
}

/// Welch's unequal-variances t-test of the daily values after vs before.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WelchTest {
    /// The t statistic (positive when the daily mean rose).
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Why no test was made.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoTest {
    /// The metric is a ratio: no daily values add up to it.
    RatioMetric,
    /// A window of one day has no variance to estimate.
    TooFewDays,
    /// Every daily value of both windows is the same.
    NoVariance,
}

/// The test used on a before/after comparison.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Significance {
    /// Welch's t-test on the daily values.
    Welch(WelchTest),
    /// No test, and why.
    NotApplicable(NoTest),
}

/// One window of a before/after comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Its first day (ISO).
    pub from: String,
    /// Its last day (ISO).
    pub to: String,
    /// Days in it.
    pub days: u32,
    /// The metric over the whole window.
    pub value: Option<Figure>,
    /// The mean of the daily values (additive metrics only).
    pub daily_mean: Option<f64>,
    /// Their sample standard deviation (additive metrics, at least two days).
    pub daily_sd: Option<f64>,
    /// Whether the window lies within the first to last day of the metric's rows.
    pub covered: bool,
}

/// The metric on one day of a before/after comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DailyValue {
    /// The day (ISO).
    pub day: String,
    /// Whether it is in the window after the date.
    pub after: bool,
    /// The metric on the day.
    pub value: Option<Figure>,
}

/// A metric before and after a strategy date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfter {
    /// The metric.
    pub metric: Metric,
    /// Its unit.
    pub unit: Unit,
    /// The strategy date (ISO): the first day of the window after.
    pub date: String,
    /// Days in each window.
    pub window_days: u32,
    /// `[date − window, date)`.
    pub before: Window,
    /// `[date, date + window)`.
    pub after: Window,
    /// After − before (the windows' values).
    pub change: Option<Figure>,
    /// `(after − before) / |before|`.
    pub change_pct: Option<f64>,
    /// Difference of the daily means (after − before).
    pub daily_mean_change: Option<f64>,
    /// The test of the daily means.
    pub test: Significance,
    /// Every day of both windows.
    pub daily: Vec<DailyValue>,
    /// The rows read.
    pub rows: RowsRead,
}

/// Columns of [`BeforeAfter::table`].
pub const BEFORE_AFTER_COLUMNS: [&str; 2] = ["item", "value"];
/// Columns of [`BeforeAfter::daily_table`].
pub const DAILY_COLUMNS: [&str; 3] = ["day", "window", "value"];

impl BeforeAfter {
    /// The figures as item–value rows (the CSV export).
    pub fn table(&self) -> TextTable {
        let (b, a) = (&self.before, &self.after);
        let (test, t, df, p) = match self.test {
            Significance::Welch(w) => ("welch_t_test".to_string(), Some(w.t), Some(w.df), Some(w.p_value)),
            Significance::NotApplicable(why) => {
                let key = serde_json::to_value(why).ok().and_then(|v| v.as_str().map(str::to_string));
                (format!("not_applicable: {}", key.unwrap_or_default()), None, None, None)
            }
        };
        let rows: Vec<(&str, String)> = vec![
            ("metric", self.metric.key().to_string()),
            ("date", self.date.clone()),
            ("window_days", self.window_days.to_string()),
            ("before_from", b.from.clone()),
            ("before_to", b.to.clone()),
            ("before_value", opt_text(b.value)),
            ("before_daily_mean", opt_f64(b.daily_mean)),
            ("before_daily_sd", opt_f64(b.daily_sd)),
            ("before_covered", b.covered.to_string()),
            ("after_from", a.from.clone()),
            ("after_to", a.to.clone()),
            ("after_value", opt_text(a.value)),
            ("after_daily_mean", opt_f64(a.daily_mean)),
            ("after_daily_sd", opt_f64(a.daily_sd)),
            ("after_covered", a.covered.to_string()),
            ("change", opt_text(self.change)),
            ("change_pct", opt_f64(self.change_pct)),
            ("daily_mean_change", opt_f64(self.daily_mean_change)),
            ("test", test),
            ("t", opt_f64(t)),
            ("df", opt_f64(df)),
            ("p_value", opt_f64(p)),
        ];
        let mut out = TextTable::new(BEFORE_AFTER_COLUMNS.iter().map(|s| s.to_string()).collect());
        for (i, (k, v)) in rows.iter().enumerate() {
            out.push(i as u64 + 2, [*k, v.as_str()]);
        }
        out
    }

    /// Every day's value (the XLSX export's second sheet).
    pub fn daily_table(&self) -> TextTable {
        let mut t = TextTable::new(DAILY_COLUMNS.iter().map(|s| s.to_string()).collect());
        for (i, d) in self.daily.iter().enumerate() {
            let window = if d.after { "after" } else { "before" };
            t.push(i as u64 + 2, [d.day.as_str(), window, opt_text(d.value).as_str()]);
        }
        t
    }
}

/// One row a metric counts: its day, customer, key (order, complaint flag
/// or score) and amount.
#[derive(Copy, Clone, Debug)]
struct Item {
    day: Day,
    who: u32,
    key: u64,
    units: i64,
}

/// A metric's rows, read.
struct Rows {
    items: Vec<Item>,
    /// Each customer's first day (orders: their first purchase).
    first_day: Vec<Day>,
    read: RowsRead,
}

fn column(s: &Source<'_>, f: Field) -> Option<usize> {
    s.mapping.column(f).filter(|&c| c < s.table.width())
}

/// A key for rows without an order number: above every interned one.
const OWN_ORDER: u64 = 1 << 32;

fn read(sources: &[Source<'_>], metric: Metric) -> Result<Rows, AnalysisError> {
    let kind = metric.kind();
    let s = first_of(sources, kind).ok_or(AnalysisError::NoSource { kinds: vec![kind] })?;
    let t = s.table;
    let mut tally = ExclusionTally::default();
    let mut items: Vec<Item> = Vec::with_capacity(t.len());
    let mut who = Interner::default();
    let mut keys = Interner::default();
    match kind {
        SourceKind::Orders => {
            let user = required_column(s.mapping, Field::UserId, t)?;
            let time = required_column(s.mapping, Field::OrderTime, t)?;
            let amount = match metric {
                Metric::Revenue | Metric::Aov => Some(required_column(s.mapping, Field::Amount, t)?),
                _ => column(s, Field::Amount),
            };
            let order = column(s, Field::OrderId);
            for r in 0..t.len() {
                match purchase(t, r, user, time, amount) {
                    Ok((id, ts, money)) => {
                        let c = who.intern(id).0;
                        let number = order.map_or("", |o| trim_text(t.cell(r, o)));
                        let key = if number.is_empty() {
                            OWN_ORDER + r as u64
                        } else {
                            u64::from(keys.intern(&format!("{id}\u{1f}{number}")).0)
                        };
                        items.push(Item { day: ts.day, who: c, key, units: money.map_or(0, Money::units) });
                    }
                    Err(why) => tally.add(why),
                }
            }
        }
        SourceKind::Events => {
            let user = required_column(s.mapping, Field::UserId, t)?;
            let time = required_column(s.mapping, Field::EventTime, t)?;
            for r in 0..t.len() {
                match customer_and_time(t, r, user, time) {
                    Ok((id, ts)) => items.push(Item { day: ts.day, who: who.intern(id).0, key: 0, units: 0 }),
                    Err(why) => tally.add(why),
                }
            }
        }
        SourceKind::Tickets => {
            let time = required_column(s.mapping, Field::CreatedAt, t)?;
            let ty = match metric {
                Metric::Complaints => Some(required_column(s.mapping, Field::TicketType, t)?),
                _ => None,
            };
            for r in 0..t.len() {
                match time_of(t, r, time) {
                    Ok(ts) => {
                        let key = ty.is_some_and(|c| is_complaint(trim_text(t.cell(r, c))));
                        items.push(Item { day: ts.day, who: 0, key: u64::from(key), units: 0 });
                    }
                    Err(why) => tally.add(why),
                }
            }
        }
        _ => {
            let date = required_column(s.mapping, Field::SurveyDate, t)?;
            let score = match metric {
                Metric::Csat => Some((Scale::Csat, required_column(s.mapping, Field::Csat, t)?)),
                Metric::Nps => Some((Scale::Nps, required_column(s.mapping, Field::Nps, t)?)),
                _ => None,
            };
            for r in 0..t.len() {
                let row = time_of(t, r, date).and_then(|ts| match score {
                    None => Ok((ts, 0)),
                    Some((scale, c)) => match scale.read(t.cell(r, c)) {
                        Ok(x) => Ok((ts, u64::from(x - scale.range().0))),
                        Err(ScoreProblem::Blank) => Err(ExclusionReason::BlankScore),
                        Err(ScoreProblem::Invalid) => Err(ExclusionReason::BadScore),
                    },
                });
                match row {
                    Ok((ts, key)) => items.push(Item { day: ts.day, who: 0, key, units: 0 }),
                    Err(why) => tally.add(why),
                }
            }
        }
    }
    let (Some(first), Some(last)) = (items.iter().map(|i| i.day).min(), items.iter().map(|i| i.day).max()) else {
        return Err(AnalysisError::NoData);
    };
    // Customers are interned for orders and events only (the others' `who` is 0 and unused).
    let mut first_day = vec![last; who.len()];
    for i in &items {
        if let Some(d) = first_day.get_mut(i.who as usize) {
            *d = (*d).min(i.day);
        }
    }
    let read = RowsRead {
        file: s.file.to_string(),
        rows_in: t.len() as u64,
        rows_used: items.len() as u64,
        excluded: tally.into_list(),
        first_day: first.to_string(),
        last_day: last.to_string(),
    };
    Ok(Rows { items, first_day, read })
}

/// What one bucket (a period, a window, a day) adds up.
#[derive(Clone, Default)]
struct Acc {
    rows: u64,
    units: i64,
    keys: HashSet<u64>,
    who: HashSet<u32>,
    scores: [u64; 11],
    new_buyers: i64,
}

impl Acc {
    fn add(&mut self, metric: Metric, i: &Item) {
        match metric {
            Metric::Revenue => self.units = self.units.saturating_add(i.units),
            Metric::Orders => {
                self.keys.insert(i.key);
            }
            Metric::Aov => {
                self.units = self.units.saturating_add(i.units);
                self.keys.insert(i.key);
            }
            Metric::Buyers | Metric::ActiveCustomers => {
                self.who.insert(i.who);
            }
            Metric::Complaints => self.rows += i.key,
            Metric::Csat | Metric::Nps => self.scores[i.key as usize] += 1,
            Metric::NewBuyers => {}
            Metric::Events | Metric::Tickets | Metric::Answers => self.rows += 1,
        }
    }

    fn figure(&self, metric: Metric) -> Option<Figure> {
        let count = |n: usize| Some(Figure::Count(n as i64));
        match metric {
            Metric::Revenue => Some(Figure::Money(Money::from_units(self.units))),
            Metric::Orders => count(self.keys.len()),
            Metric::Buyers | Metric::ActiveCustomers => count(self.who.len()),
            Metric::Aov => {
                let n = self.keys.len() as i64;
                (n > 0).then(|| Figure::Money(Money::from_units(div_round(self.units, n))))
            }
            Metric::NewBuyers => Some(Figure::Count(self.new_buyers)),
            Metric::Events | Metric::Tickets | Metric::Complaints | Metric::Answers => {
                Some(Figure::Count(self.rows as i64))
            }
            Metric::Csat => Scale::Csat.figure(&self.scores[..5]).map(Figure::Share),
            Metric::Nps => Scale::Nps.figure(&self.scores).map(Figure::Score),
        }
    }
}

/// `a / n` rounded half away from zero (`n > 0`).
fn div_round(a: i64, n: i64) -> i64 {
    let (q, r) = (a / n, a % n);
    if 2 * i128::from(r).abs() >= i128::from(n) {
        q + a.signum()
    } else {
        q
    }
}

/// The metric in each of `n` buckets; `bucket` places a day in one (or none).
fn aggregate(rows: &Rows, metric: Metric, n: usize, bucket: impl Fn(Day) -> Option<usize>) -> Vec<Option<Figure>> {
    let mut accs = vec![Acc::default(); n];
    for i in &rows.items {
        if let Some(b) = bucket(i.day) {
            accs[b].add(metric, i);
        }
    }
    if metric == Metric::NewBuyers {
        for &d in &rows.first_day {
            if let Some(b) = bucket(d) {
                accs[b].new_buyers += 1;
            }
        }
    }
    accs.iter().map(|a| a.figure(metric)).collect()
}

/// The metric per period over `range` (whole periods; default the span of its rows).
pub fn series(
    sources: &[Source<'_>],
    metric: Metric,
    period: Period,
    range: Option<DayRange>,
) -> Result<Series, AnalysisError> {
    let rows = read(sources, metric)?;
    series_of(&rows, metric, period, range)
}

fn check_range(r: DayRange) -> Result<(), AnalysisError> {
    if r.from > r.to {
        return Err(AnalysisError::InvalidRange { from: r.from.to_string(), to: r.to.to_string() });
    }
    Ok(())
}

/// The most periods a series lists (200 years of months, 40 of weeks).
const MAX_PERIODS: i32 = 2400;

fn series_of(rows: &Rows, metric: Metric, period: Period, range: Option<DayRange>) -> Result<Series, AnalysisError> {
    let range = match range {
        Some(r) => {
            check_range(r)?;
            r
        }
        None => {
            let days = rows.items.iter().map(|i| i.day);
            let (lo, hi) =
                days.fold((Day::from_days(i32::MAX), Day::from_days(i32::MIN)), |(lo, hi), d| (lo.min(d), hi.max(d)));
            DayRange { from: lo, to: hi }
        }
    };
    let (first, last) = (period.index(range.from), period.index(range.to));
    if last - first >= MAX_PERIODS {
        return Err(AnalysisError::InvalidRange { from: range.from.to_string(), to: range.to.to_string() });
    }
    let n = (last - first + 1) as usize;
    let values = aggregate(rows, metric, n, |d| {
        let k = period.index(d);
        (first..=last).contains(&k).then(|| (k - first) as usize)
    });
    let points = values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let k = first + i as i32;
            SeriesPoint { period: period.label(k), start: period.start(k).to_string(), value }
        })
        .collect();
    Ok(Series { metric, unit: metric.unit(), period, first_index: first, points, rows: rows.read.clone() })
}

/// Each period of `series` compared with its base (see the module notes).
pub fn compare_periods(series: &Series, mode: Mode) -> Comparison {
    let lag = mode.lag(series.period);
    let points = series
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let base = (i as i32 >= lag).then(|| series.points[i - lag as usize].value).flatten();
            let both = p.value.zip(base);
            ComparedPeriod {
                period: p.period.clone(),
                start: p.start.clone(),
                value: p.value,
                base_period: series.period.label(series.first_index + i as i32 - lag),
                base,
                change: both.and_then(|(v, b)| v.minus(b)),
                change_pct: both.and_then(|(v, b)| v.relative_to(b)),
            }
        })
        .collect();
    Comparison {
        metric: series.metric,
        unit: series.unit,
        period: series.period,
        mode,
        points,
        rows: series.rows.clone(),
    }
}

/// The metric per period compared with its base; with a `range`, only its
/// periods are listed, but their bases before it are computed too.
pub fn comparison(
    sources: &[Source<'_>],
    metric: Metric,
    period: Period,
    mode: Mode,
    range: Option<DayRange>,
) -> Result<Comparison, AnalysisError> {
    let rows = read(sources, metric)?;
    let lag = mode.lag(period);
    let Some(r) = range else {
        return Ok(compare_periods(&series_of(&rows, metric, period, None)?, mode));
    };
    check_range(r)?;
    let extended = DayRange { from: period.start(period.index(r.from) - lag), to: r.to };
    let mut c = compare_periods(&series_of(&rows, metric, period, Some(extended))?, mode);
    c.points.drain(..(lag as usize).min(c.points.len()));
    Ok(c)
}

/// The most days a before/after window has (about ten years).
pub const MAX_WINDOW_DAYS: u32 = 3660;

fn mean_sd(xs: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = xs.len();
    if n == 0 {
        return (None, None);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let sd = (n >= 2).then(|| (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
    (Some(mean), sd)
}

/// Welch's t-test of `after` against `before` (each at least two values).
pub fn welch(before: &[f64], after: &[f64]) -> Result<WelchTest, NoTest> {
    if before.len() < 2 || after.len() < 2 {
        return Err(NoTest::TooFewDays);
    }
    let (Some(mb), Some(sb)) = mean_sd(before) else { return Err(NoTest::TooFewDays) };
    let (Some(ma), Some(sa)) = mean_sd(after) else { return Err(NoTest::TooFewDays) };
    let (vb, va) = (sb * sb / before.len() as f64, sa * sa / after.len() as f64);
    let se2 = va + vb;
    if se2 <= 0.0 || !se2.is_finite() {
        return Err(NoTest::NoVariance);
    }
    let t = (ma - mb) / se2.sqrt();
    let df = se2 * se2 / (va * va / (after.len() - 1) as f64 + vb * vb / (before.len() - 1) as f64);
    let dist = StudentsT::new(0.0, 1.0, df).map_err(|_| NoTest::NoVariance)?;
    let p_value = (2.0 * dist.sf(t.abs())).min(1.0);
    Ok(WelchTest { t, df, p_value })
}

/// The metric over `[date − window, date)` and `[date, date + window)`, and the test of the daily means.
pub fn before_after(
    sources: &[Source<'_>],
    metric: Metric,
    date: Day,
    window_days: u32,
) -> Result<BeforeAfter, AnalysisError> {
    if window_days == 0 || window_days > MAX_WINDOW_DAYS {
        return Err(AnalysisError::InvalidWindow { days: window_days, max: MAX_WINDOW_DAYS });
    }
    let rows = read(sources, metric)?;
    let w = window_days as i32;
    let start = date.days() - w;
    let windows = aggregate(&rows, metric, 2, |d| {
        let k = d.days() - start;
        (0..2 * w).contains(&k).then(|| (k / w) as usize)
    });
    let days = aggregate(&rows, metric, 2 * w as usize, |d| {
        let k = d.days() - start;
        (0..2 * w).contains(&k).then_some(k as usize)
    });
    let additive = !metric.is_ratio();
    let daily_of = |half: &[Option<Figure>]| -> Vec<f64> { half.iter().flatten().map(|f| f.to_f64()).collect() };
    let (before_days, after_days) = days.split_at(w as usize);
    let (xb, xa) = (daily_of(before_days), daily_of(after_days));
    let (first, last) =
        (Day::parse_iso(&rows.read.first_day).unwrap_or(date), Day::parse_iso(&rows.read.last_day).unwrap_or(date));
    let window = |from: i32, value: Option<Figure>, xs: &[f64]| {
        let (mean, sd) = if additive { mean_sd(xs) } else { (None, None) };
        let (from, to) = (Day::from_days(from), Day::from_days(from + w - 1));
        Window {
            from: from.to_string(),
            to: to.to_string(),
            days: window_days,
            value,
            daily_mean: mean,
            daily_sd: sd,
            covered: from >= first && to <= last,
        }
    };
    let before = window(start, windows[0], &xb);
    let after = window(date.days(), windows[1], &xa);
    let both = windows[1].zip(windows[0]);
    let test = if additive {
        match welch(&xb, &xa) {
            Ok(t) => Significance::Welch(t),
            Err(why) => Significance::NotApplicable(why),
        }
    } else {
        Significance::NotApplicable(NoTest::RatioMetric)
    };
    let daily = days
        .iter()
        .enumerate()
        .map(|(k, &value)| DailyValue {
            day: Day::from_days(start + k as i32).to_string(),
            after: k as i32 >= w,
            value,
        })
        .collect();
    Ok(BeforeAfter {
        metric,
        unit: metric.unit(),
        date: date.to_string(),
        window_days,
        change: both.and_then(|(a, b)| a.minus(b)),
        change_pct: both.and_then(|(a, b)| a.relative_to(b)),
        daily_mean_change: after.daily_mean.zip(before.daily_mean).map(|(a, b)| a - b),
        before,
        after,
        test,
        daily,
        rows: rows.read,
    })
}

/// Parameters of a comparison (the page's and the command line's).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareParams {
    /// The metric.
    pub metric: Metric,
    /// Months or weeks (period comparisons).
    pub period: Period,
    /// Previous period or year before (period comparisons).
    pub mode: Mode,
    /// The periods listed (default: the span of the metric's rows).
    pub range: Option<DayRange>,
    /// Compare before and after this date instead of periods.
    pub before_after: Option<Day>,
    /// Days in each before/after window (default 30).
    pub window_days: u32,
}

impl Default for CompareParams {
    fn default() -> CompareParams {
        CompareParams {
            metric: Metric::Revenue,
            period: Period::Month,
            mode: Mode::Mom,
            range: None,
            before_after: None,
            window_days: 30,
        }
    }
}

/// A comparison's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareReport {
    /// Periods compared with their bases.
    Periods(Comparison),
    /// Before and after a date.
    BeforeAfter(Box<BeforeAfter>),
}

impl CompareReport {
    /// The export's tables by sheet name: the periods, or the before/after
    /// figures and the daily values (a CSV holds the first).
    pub fn sheets(&self) -> Vec<(&'static str, TextTable)> {
        match self {
            CompareReport::Periods(c) => vec![("compare", c.table())],
            CompareReport::BeforeAfter(b) => vec![("compare", b.table()), ("daily", b.daily_table())],
        }
    }

    /// The rows read.
    pub fn rows(&self) -> &RowsRead {
        match self {
            CompareReport::Periods(c) => &c.rows,
            CompareReport::BeforeAfter(b) => &b.rows,
        }
    }
}

/// Runs the comparison `params` asks for.
pub fn compare_of(sources: &[Source<'_>], params: &CompareParams) -> Result<CompareReport, AnalysisError> {
    match params.before_after {
        Some(date) => before_after(sources, params.metric, date, params.window_days)
            .map(|b| CompareReport::BeforeAfter(Box::new(b))),
        None => {
            comparison(sources, params.metric, params.period, params.mode, params.range).map(CompareReport::Periods)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::{auto_map, Mapping};

    fn day(s: &str) -> Day {
        Day::parse_iso(s).expect("date")
    }

    fn table(headers: &[&str], rows: &[&[&str]]) -> TextTable {
        TextTable::from_rows(headers, rows)
    }

    fn yuan(x: &str) -> Option<Figure> {
        Some(Figure::Money(crate::engine::money::parse_amount(x).expect("amount")))
    }

    fn count(n: i64) -> Option<Figure> {
        Some(Figure::Count(n))
    }

    /// Orders in Jan 2023 (one order of two lines), none in Feb, two in Mar (one without a number),
    /// a refund, a row without customer, then Jan and Mar 2024.
    fn orders() -> (TextTable, Mapping) {
        let t = table(
            &["客户ID", "订单号", "下单时间", "订单金额"],
            &[
                &["A", "O1", "2023-01-05 10:00:00", "100"],
                &["B", "O2", "2023-01-20", "50.5"],
                &["A", "O1", "2023-01-05 10:00:00", "20"],
                &["C", "O3", "2023-03-02", "30"],
                &["C", "", "2023-03-03", "10"],
                &["D", "O4", "2023-03-04", "-5"],
                &["", "O5", "2023-03-05", "10"],
                &["E", "O6", "2024-01-10", "200"],
                &["A", "O7", "2024-03-15", "60"],
            ],
        );
        let m = auto_map(SourceKind::Orders, &t.headers);
        (t, m)
    }

    type Row<'a> = (&'a str, Option<Figure>, Option<Figure>, Option<Figure>, Option<f64>);

    fn values(c: &Comparison) -> Vec<Row<'_>> {
        c.points.iter().map(|p| (p.period.as_str(), p.value, p.base, p.change, p.change_pct)).collect()
    }

    #[test]
    fn month_on_month_with_gaps_and_zero_bases() {
        let (t, m) = orders();
        let sources = [Source { file: "o.csv", mapping: &m, table: &t }];
        let s = series(&sources, Metric::Revenue, Period::Month, None).expect("series");
        assert_eq!(s.points.len(), 15, "2023-01 … 2024-03, every month listed");
        assert_eq!((s.rows.rows_in, s.rows.rows_used), (9, 7));
        let why: Vec<(ExclusionReason, u64)> = s.rows.excluded.iter().map(|e| (e.reason, e.rows)).collect();
        assert_eq!(why, vec![(ExclusionReason::BlankCustomer, 1), (ExclusionReason::Refund, 1)]);
        assert_eq!((s.rows.first_day.as_str(), s.rows.last_day.as_str()), ("2023-01-05", "2024-03-15"));
        let c = compare_periods(&s, Mode::Mom);
        let v = values(&c);
        // January: 100 + 20 + 50.5; its base (2022-12) is before the data.
        assert_eq!(v[0], ("2023-01", yuan("170.5"), None, None, None));
        assert_eq!(c.points[0].base_period, "2022-12");
        // February: nothing sold, −100 %; March against a zero base: a change, no rate.
        assert_eq!(v[1], ("2023-02", yuan("0"), yuan("170.5"), yuan("-170.5"), Some(-1.0)));
        assert_eq!(v[2], ("2023-03", yuan("40"), yuan("0"), yuan("40"), None));
        assert_eq!(v[3], ("2023-04", yuan("0"), yuan("40"), yuan("-40"), Some(-1.0)));
        assert_eq!(v[12], ("2024-01", yuan("200"), yuan("0"), yuan("200"), None));

        // Year on year: January 2024 against January 2023; zero against zero has no rate.
        let c = compare_periods(&s, Mode::Yoy);
        let v = values(&c);
        assert!(v[..12].iter().all(|p| p.2.is_none()), "no base in the first year");
        assert_eq!(v[12], ("2024-01", yuan("200"), yuan("170.5"), yuan("29.5"), Some(29.5 / 170.5)));
        assert_eq!(v[13], ("2024-02", yuan("0"), yuan("0"), yuan("0"), None));
        assert_eq!(v[14], ("2024-03", yuan("60"), yuan("40"), yuan("20"), Some(0.5)));
        assert_eq!(c.points[14].base_period, "2023-03");

        // Orders (O1's two lines are one order; the row without a number is one), AOV undefined without orders.
        let o = series(&sources, Metric::Orders, Period::Month, None).expect("orders");
        let got: Vec<Option<Figure>> = o.points.iter().map(|p| p.value).collect();
        assert_eq!(&got[..3], &[count(2), count(0), count(2)]);
        let a = compare_periods(&series(&sources, Metric::Aov, Period::Month, None).expect("aov"), Mode::Mom);
        let v = values(&a);
        assert_eq!(v[0].1, yuan("85.25"));
        assert_eq!(v[1], ("2023-02", None, yuan("85.25"), None, None));
        assert_eq!(v[2], ("2023-03", yuan("20"), None, None, None));
        // New buyers: A and B in January, C in March, E in January 2024; A's return in March 2024 is not new.
        let n = series(&sources, Metric::NewBuyers, Period::Month, None).expect("new");
        let got: Vec<Option<Figure>> = n.points.iter().map(|p| p.value).collect();
        assert_eq!((got[0], got[2], got[12], got[14]), (count(2), count(1), count(1), count(0)));
        let b = series(&sources, Metric::Buyers, Period::Month, None).expect("buyers");
        assert_eq!((b.points[0].value, b.points[14].value), (count(2), count(1)));
    }

    #[test]
    fn a_range_lists_its_periods_with_bases_before_it() {
        let (t, m) = orders();
        let sources = [Source { file: "o.csv", mapping: &m, table: &t }];
        let r = DayRange { from: day("2024-01-15"), to: day("2024-03-01") };
        let c = comparison(&sources, Metric::Revenue, Period::Month, Mode::Yoy, Some(r)).expect("yoy");
        let v = values(&c);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0], ("2024-01", yuan("200"), yuan("170.5"), yuan("29.5"), Some(29.5 / 170.5)));
        assert_eq!(v[2].0, "2024-03");
        let r = DayRange { from: day("2023-02-10"), to: day("2023-03-01") };
        let c = comparison(&sources, Metric::Revenue, Period::Month, Mode::Mom, Some(r)).expect("mom");
        assert_eq!(values(&c)[0], ("2023-02", yuan("0"), yuan("170.5"), yuan("-170.5"), Some(-1.0)));
        let bad = DayRange { from: day("2024-02-01"), to: day("2024-01-01") };
        assert_eq!(
            comparison(&sources, Metric::Revenue, Period::Month, Mode::Mom, Some(bad)),
            Err(AnalysisError::InvalidRange { from: "2024-02-01".into(), to: "2024-01-01".into() })
        );
        // Revenue needs the amount; another kind of source is named when missing.
        let t2 = table(&["客户ID", "下单时间"], &[&["A", "2024-01-01"]]);
        let m2 = auto_map(SourceKind::Orders, &t2.headers);
        let s2 = [Source { file: "o.csv", mapping: &m2, table: &t2 }];
        assert!(matches!(series(&s2, Metric::Revenue, Period::Month, None), Err(AnalysisError::UnmappedField { .. })));
        assert_eq!(series(&s2, Metric::Orders, Period::Month, None).expect("orders").points[0].value, count(1));
        assert_eq!(
            series(&s2, Metric::Events, Period::Month, None),
            Err(AnalysisError::NoSource { kinds: vec![SourceKind::Events] })
        );
    }

    #[test]
    fn weeks_year_on_year_are_52_weeks_back() {
        // 2023-01-02 and 2024-01-01 are both Mondays of ISO week 1, 364 days apart.
        let t = table(
            &["用户ID", "行为类型", "行为时间"],
            &[
                &["A", "登录", "2023-01-02 09:00:00"],
                &["B", "浏览", "2023-01-08"],
                &["A", "浏览", "2023-01-03"],
                &["A", "登录", "2024-01-01"],
                &["", "登录", "2024-01-01"],
                &["C", "登录", "昨天"],
            ],
        );
        let m = auto_map(SourceKind::Events, &t.headers);
        let sources = [Source { file: "e.csv", mapping: &m, table: &t }];
        let s = series(&sources, Metric::ActiveCustomers, Period::Week, None).expect("weeks");
        assert_eq!(s.points.len(), 53);
        assert_eq!((s.points[0].period.as_str(), s.points[52].period.as_str()), ("2023-W01", "2024-W01"));
        let c = compare_periods(&s, Mode::Yoy);
        let last = &c.points[52];
        assert_eq!((last.base_period.as_str(), last.value, last.base), ("2023-W01", count(1), count(2)));
        assert_eq!((last.change, last.change_pct), (count(-1), Some(-0.5)));
        let e = series(&sources, Metric::Events, Period::Week, None).expect("events");
        assert_eq!((e.points[0].value, e.points[1].value), (count(3), count(0)));
        assert_eq!(e.rows.rows_used, 4);
    }

    fn tickets() -> (TextTable, Mapping) {
        // Tickets a day: 1, 2, 3 before 2024-01-04; 4, 4, 7 from it; complaints among them.
        let mut rows: Vec<Vec<String>> = Vec::new();
        for (d, n) in [(1, 1), (2, 2), (3, 3), (4, 4), (5, 4), (6, 7)] {
            for i in 0..n {
                let ty = if i == 0 { "投诉-服务态度" } else { "咨询" };
                rows.push(vec![format!("T{d}{i}"), format!("2024-01-0{d} 10:00:00"), ty.to_string()]);
            }
        }
        rows.push(vec!["T99".into(), "".into(), "咨询".into()]);
        let refs: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
        let refs: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        let t = table(&["工单号", "创建时间", "问题类型"], &refs);
        let m = auto_map(SourceKind::Tickets, &t.headers);
        (t, m)
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }

    #[test]
    fn before_and_after_with_welch_by_hand() {
        let (t, m) = tickets();
        let sources = [Source { file: "t.csv", mapping: &m, table: &t }];
        let b = before_after(&sources, Metric::Tickets, day("2024-01-04"), 3).expect("before/after");
        assert_eq!((b.before.from.as_str(), b.before.to.as_str()), ("2024-01-01", "2024-01-03"));
        assert_eq!((b.after.from.as_str(), b.after.to.as_str()), ("2024-01-04", "2024-01-06"));
        assert_eq!((b.before.value, b.after.value, b.change, b.change_pct), (count(6), count(15), count(9), Some(1.5)));
        assert_eq!((b.before.daily_mean, b.after.daily_mean, b.daily_mean_change), (Some(2.0), Some(5.0), Some(3.0)));
        close(b.after.daily_sd.expect("sd"), 3f64.sqrt());
        assert!(b.before.covered && b.after.covered);
        assert_eq!(b.rows.excluded, vec![ExcludedRows { reason: ExclusionReason::BlankTime, rows: 1 }]);
        // Means 2 and 5, variances 1 and 3 over 3 days: se² = 4/3, t = 3·√3/2, df = 3.2
        // (scipy.stats.ttest_ind(after, before, equal_var=False): p = 0.07537639358058143).
        let Significance::Welch(w) = b.test else { panic!("expected a t-test, got {:?}", b.test) };
        close(w.t, 3.0 * 3f64.sqrt() / 2.0);
        close(w.df, 3.2);
        assert!((w.p_value - 0.07537639358058143).abs() < 1e-12, "p {}", w.p_value);
        let days: Vec<Option<Figure>> = b.daily.iter().map(|d| d.value).collect();
        assert_eq!(days, [1, 2, 3, 4, 4, 7].map(count));
        assert_eq!(b.daily.iter().filter(|d| d.after).count(), 3);
        // Complaints: one a day in both windows: no variance, no test.
        let c = before_after(&sources, Metric::Complaints, day("2024-01-04"), 3).expect("complaints");
        assert_eq!((c.before.value, c.after.value), (count(3), count(3)));
        assert_eq!(c.test, Significance::NotApplicable(NoTest::NoVariance));
        // A window reaching past the data is marked; one day is too few for a test.
        let w = before_after(&sources, Metric::Tickets, day("2024-01-06"), 10).expect("wide");
        assert!(!w.before.covered && !w.after.covered);
        assert_eq!(w.after.value, count(7));
        let one = before_after(&sources, Metric::Tickets, day("2024-01-04"), 1).expect("one day");
        assert_eq!(one.test, Significance::NotApplicable(NoTest::TooFewDays));
        assert_eq!(
            before_after(&sources, Metric::Tickets, day("2024-01-04"), 0),
            Err(AnalysisError::InvalidWindow { days: 0, max: MAX_WINDOW_DAYS })
        );
        // One window without variance: scipy gives t = −0.42008402520840293, df 3, p = 0.7026969438943615.
        let w = welch(&[2.0, 2.0, 2.0], &[0.0, 0.0, 5.0, 1.0]).expect("welch");
        close(w.t, -0.42008402520840293);
        close(w.df, 3.0);
        assert!((w.p_value - 0.7026969438943615).abs() < 1e-12, "p {}", w.p_value);
    }

    #[test]
    fn survey_ratios_have_no_test_and_no_value_without_answers() {
        let t = table(
            &["客户ID", "调查日期", "NPS评分", "满意度CSAT"],
            &[
                &["a", "2024-01-03", "10", "5"],
                &["b", "2024-01-09", "9", "3"],
                &["c", "2024-01-30", "6", ""],
                &["d", "2024-03-01", "0", "4"],
                &["e", "2024-03-02", "11", "好"],
            ],
        );
        let m = auto_map(SourceKind::Surveys, &t.headers);
        let sources = [Source { file: "s.csv", mapping: &m, table: &t }];
        let csat = compare_periods(&series(&sources, Metric::Csat, Period::Month, None).expect("csat"), Mode::Mom);
        let v = values(&csat);
        assert_eq!(v[0].1, Some(Figure::Share(0.5)));
        assert_eq!(v[1], ("2024-02", None, Some(Figure::Share(0.5)), None, None));
        assert_eq!(v[2], ("2024-03", Some(Figure::Share(1.0)), None, None, None));
        let why: Vec<(ExclusionReason, u64)> = csat.rows.excluded.iter().map(|e| (e.reason, e.rows)).collect();
        assert_eq!(why, vec![(ExclusionReason::BlankScore, 1), (ExclusionReason::BadScore, 1)]);
        // NPS: January 2 promoters, 1 detractor of 3 → 33.3; March 1 detractor → −100: change −133.3, rate −4.
        let nps = comparison(&sources, Metric::Nps, Period::Month, Mode::Mom, None).expect("nps");
        let mar = &nps.points[2];
        assert_eq!(mar.value, Some(Figure::Score(-100.0)));
        assert_eq!(nps.points[1].value, None);
        let jan = nps.points[0].value.map_or(f64::NAN, Figure::to_f64);
        close(jan, 100.0 / 3.0);
        let answers = series(&sources, Metric::Answers, Period::Month, None).expect("answers");
        let got: Vec<Option<Figure>> = answers.points.iter().map(|p| p.value).collect();
        assert_eq!(got, vec![count(3), count(0), count(2)]);
        let b = before_after(&sources, Metric::Csat, day("2024-02-01"), 40).expect("before/after");
        assert_eq!(b.test, Significance::NotApplicable(NoTest::RatioMetric));
        assert_eq!((b.before.value, b.after.value), (Some(Figure::Share(0.5)), Some(Figure::Share(1.0))));
        assert_eq!(b.before.daily_mean, None);
        assert_eq!(b.change, Some(Figure::Share(0.5)));
    }

    #[test]
    fn figures_subtract_and_compare_without_nan() {
        let m = |u| Figure::Money(Money::from_units(u));
        assert_eq!(m(5).minus(m(7)), Some(m(-2)));
        assert_eq!(m(i64::MIN).minus(m(1)), Some(m(i64::MIN)));
        assert_eq!(Figure::Count(3).relative_to(Figure::Count(0)), None);
        assert_eq!(Figure::Score(-10.0).relative_to(Figure::Score(-20.0)), Some(0.5));
        assert_eq!(Figure::Count(1).minus(Figure::Share(1.0)), None);
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(7, 3), 2);
        assert_eq!(m(12_345_000).text(), "1234.50");
        let json = serde_json::to_string(&Some(m(10_000))).expect("json");
        assert_eq!(json, r#"{"money":10000}"#);
        for metric in Metric::ALL {
            assert_eq!(Metric::from_key(metric.key()), Some(metric));
        }
    }

    #[test]
    fn tables_for_export() {
        let (t, m) = orders();
        let sources = [Source { file: "o.csv", mapping: &m, table: &t }];
        let c = comparison(&sources, Metric::Revenue, Period::Month, Mode::Mom, None).expect("mom");
        let table = c.table();
        assert_eq!(table.headers, COMPARISON_COLUMNS);
        assert_eq!(
            table.row(1).collect::<Vec<_>>(),
            ["revenue", "2023-02", "2023-02-01", "0.00", "2023-01", "170.50", "-170.50", "-1"]
        );
        assert_eq!(table.row(2).collect::<Vec<_>>()[7], "");
        let (t, m) = tickets();
        let sources = [Source { file: "t.csv", mapping: &m, table: &t }];
        let b = before_after(&sources, Metric::Tickets, day("2024-01-04"), 3).expect("before/after");
        let s = b.table();
        let item = |k: &str| (0..s.len()).find(|&r| s.cell(r, 0) == k).map(|r| s.cell(r, 1).to_string());
        assert_eq!(item("after_value").as_deref(), Some("15"));
        assert_eq!(item("test").as_deref(), Some("welch_t_test"));
        assert_eq!(item("df").as_deref(), Some("3.2"));
        assert_eq!(b.daily_table().len(), 6);
    }
}
