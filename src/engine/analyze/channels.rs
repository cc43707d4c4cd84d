//! M18 Channels: the marketing-channel table's figures per channel (and per
//! channel × period) — visitors (uv), clicks, orders, cost, click-through and
//! conversion rates, revenue, ROI and CAC — and multi-touch attribution of
//! orders to channels from per-customer touchpoints.
//!
//! # The channel table
//! Rows of a channels table: `channel` (required), `period`, `uv`, `clicks`,
//! `orders`, `cost` (each optional). Rows with a blank channel are counted
//! and left out. Counts are whole numbers ≥ 0 (`1,234` allowed); cost is an
//! amount as [`parse_amount`] reads it. Blank and unreadable cells add
//! nothing and are counted per field. A figure whose column is not mapped is
//! `None`. Rates: click-through `clicks / uv`, conversion `orders / clicks`,
//! and `orders / uv`; ROI `(revenue − cost) / cost`; CAC `cost / new
//! customers`. A division by zero (or by a missing figure) is `None`, never
//! NaN or infinity.
//!
//! Revenue comes from the attribution (the model of
//! [`ChannelParams::revenue_model`]) when touchpoints and orders are given,
//! else from the orders' own `channel` column, else there is none
//! ([`RevenueSource`]). New customers come from the first-touch channel of
//! each customer's first order, else from the customers table's `channel`
//! column ([`AcquisitionSource`]). Per period they are taken from the orders
//! (first orders, customers' registration dates) of that month when the
//! period reads as a month (`2024-03`, `2024/3`, `2024年3月`); for other
//! periods they are `None`.
//!
//! # Attribution
//! An order is an order id of a customer (its lines summed, its time the
//! earliest line's), or a row when no order id is mapped. Rows without a
//! customer, a readable time or a readable amount are counted and left out;
//! refunds (negative amounts) stay in, so revenue is net. A customer's
//! touchpoints (rows with `user_id`, `channel`, `touch_time`) *in the window*
//! of an order are those at or before the order time and at most
//! `lookback_days` days before it, in time order (ties in file order).
//! - first touch: all credit to the first of them; last touch: to the last;
//! - linear: an equal share to each;
//! - position-based: 40 % to the first, 40 % to the last and 20 % shared by
//!   the ones between (one touch: all of it; two: half each).
//!
//! Money is split exactly in units of 0.0001: the first and last touch get
//! `⌊40 % · amount⌋` (two touches: the first `⌊amount / 2⌋`, the last the
//! rest), and an amount shared by `n` touches gives each `⌊amount / n⌋`,
//! the first `amount mod n` of them one unit more — so the credits of an
//! order always add up to it. Orders with no touchpoint in the window go to
//! the [`DIRECT`] bucket. Per model, the channels' orders and revenue add up
//! to all the orders and their revenue.

use crate::engine::analyze::period::Period;
use crate::engine::analyze::rows::{customer_and_time, ratio, seconds, ExcludedRows, ExclusionReason, ExclusionTally};
use crate::engine::clean::table::TextTable;
use crate::engine::date::parse_timestamp;
use crate::engine::ingest::fields::Field;
use crate::engine::money::{parse_amount, trim_text, Money};
use crate::engine::unify::Source;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The bucket of orders with no touchpoint in the window.
pub const DIRECT: &str = "(direct / none)";

/// How an order's revenue is shared among the touchpoints before it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributionModel {
    /// All to the first touch in the window.
    FirstTouch,
    /// All to the last touch in the window.
    LastTouch,
    /// Equal shares.
    Linear,
    /// 40 % first, 40 % last, 20 % shared by the touches between.
    PositionBased,
}

impl AttributionModel {
    /// Every model, in the order results list them.
    pub const ALL: [AttributionModel; 4] = [
        AttributionModel::FirstTouch,
        AttributionModel::LastTouch,
        AttributionModel::Linear,
        AttributionModel::PositionBased,
    ];

    /// The name in results and on the command line: `first_touch`…
    pub fn key(self) -> &'static str {
        match self {
            AttributionModel::FirstTouch => "first_touch",
            AttributionModel::LastTouch => "last_touch",
            AttributionModel::Linear => "linear",
            AttributionModel::PositionBased => "position_based",
        }
    }

    /// Parses [`AttributionModel::key`] (also `first`, `last`, `position`).
    pub fn from_key(s: &str) -> Option<AttributionModel> {
        match s.trim() {
            "first" => Some(AttributionModel::FirstTouch),
            "last" => Some(AttributionModel::LastTouch),
            "position" => Some(AttributionModel::PositionBased),
            k => AttributionModel::ALL.into_iter().find(|m| m.key() == k),
        }
    }

    /// Each touch's share of one order (`n` touches, `n ≥ 1`), in time order.
    fn order_shares(self, n: usize) -> Vec<f64> {
        let mut s = vec![0.0; n];
        match (self, n) {
            (_, 0) => {}
            (AttributionModel::FirstTouch, _) => s[0] = 1.0,
            (AttributionModel::LastTouch, _) => s[n - 1] = 1.0,
            (AttributionModel::Linear, _) => s.iter_mut().for_each(|x| *x = 1.0 / n as f64),
            (AttributionModel::PositionBased, 1) => s[0] = 1.0,
            (AttributionModel::PositionBased, 2) => s = vec![0.5, 0.5],
            (AttributionModel::PositionBased, _) => {
                s.iter_mut().for_each(|x| *x = 0.2 / (n - 2) as f64);
                s[0] = 0.4;
                s[n - 1] = 0.4;
            }
        }
        s
    }

    /// Each touch's part of `units` (`n ≥ 1` touches), exactly: the parts add up to `units`.
    fn split(self, units: i64, n: usize) -> Vec<i64> {
        let mut parts = vec![0i64; n];
        if n == 0 {
            return parts;
        }
        match (self, n) {
            (AttributionModel::FirstTouch, _) | (AttributionModel::PositionBased, 1) => parts[0] = units,
            (AttributionModel::LastTouch, _) => parts[n - 1] = units,
            (AttributionModel::Linear, _) => share_equally(units, &mut parts),
            (AttributionModel::PositionBased, 2) => {
                parts[0] = units.div_euclid(2);
                parts[1] = units - parts[0];
            }
            (AttributionModel::PositionBased, _) => {
                let end = (i128::from(units) * 2).div_euclid(5) as i64;
                parts[0] = end;
                parts[n - 1] = end;
                share_equally(units - 2 * end, &mut parts[1..n - 1]);
            }
        }
        parts
    }
}

/// Shares `units` among `parts` (at least one): `⌊units / n⌋` each, one more for the first `units mod n`.
fn share_equally(units: i64, parts: &mut [i64]) {
    let n = parts.len() as i64;
    let (q, r) = (units.div_euclid(n), units.rem_euclid(n));
    for (i, p) in parts.iter_mut().enumerate() {
        *p = q + i64::from((i as i64) < r);
    }
}

/// Options of the channel analysis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelParams {
    /// Touchpoints at most this many days before an order count for it (default 30).
    pub lookback_days: u32,
    /// The attribution model whose revenue the channel table shows (default last touch).
    pub revenue_model: AttributionModel,
}

impl Default for ChannelParams {
    fn default() -> ChannelParams {
        ChannelParams { lookback_days: 30, revenue_model: AttributionModel::LastTouch }
    }
}

/// The tables the channel analysis reads; any may be absent.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChannelInputs<'a> {
    /// A channels table of totals: channel, period, uv, clicks, orders, cost.
    pub metrics: Option<Source<'a>>,
    /// A channels table of touchpoints: user_id, channel, touch_time.
    pub touchpoints: Option<Source<'a>>,
    /// An orders table: user_id, order_time, amount (order_id and channel used when mapped).
    pub orders: Option<Source<'a>>,
    /// A customers table: user_id and channel (register_date used when mapped).
    pub customers: Option<Source<'a>>,
}

/// Why the channel analysis cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ChannelError {
    /// Neither a channel table nor touchpoints with orders.
    #[error("nothing to analyse: give a channel table (channel, uv, clicks, orders, cost) or touchpoints with orders")]
    NoInput,
    /// Touchpoints without orders to attribute.
    #[error("{file}: touchpoints need an orders table to attribute orders to channels")]
    TouchpointsWithoutOrders {
        /// The touchpoints file.
        file: String,
    },
    /// A table lacks a field the analysis needs.
    #[error("{file}: no column is mapped to the field `{field}` (columns: {columns})")]
    Unmapped {
        /// The file.
        file: String,
        /// The canonical field (`touch_time`…).
        field: String,
        /// The file's headers.
        columns: String,
    },
    /// No order could be read.
    #[error("{file}: no order has a customer, a readable order time and a readable amount")]
    NoOrders {
        /// The orders file.
        file: String,
    },
}

/// The column of `field` in `src`, if mapped.
fn column(src: &Source<'_>, field: Field) -> Option<usize> {
    src.mapping.column(field).filter(|&c| c < src.table.width())
}

/// The column of `field` in `src`, or the error naming the file.
fn needed(src: &Source<'_>, field: Field) -> Result<usize, ChannelError> {
    column(src, field).ok_or_else(|| ChannelError::Unmapped {
        file: src.file.to_string(),
        field: field.key().to_string(),
        columns: src.table.headers.join(", "),
    })
}

/// The month index ([`Period::Month`]) a period label names: `2024-03`, `2024/3`, `2024.03`, `2024年3月`.
pub fn month_of_label(label: &str) -> Option<i32> {
    let s = trim_text(label);
    let s = s.strip_suffix('月').unwrap_or(s);
    let (y, m) = s.split_once(['-', '/', '.', '年'])?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    ((1000..=9999).contains(&y) && (1..=12).contains(&m) && y.to_string().len() == 4).then(|| y * 12 + m as i32 - 1)
}

/// Channel names by dense index, in order of first appearance.
#[derive(Default)]
struct Names {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), self.names.len() as u32 - 1);
        self.names.len() as u32 - 1
    }
}

/// One readable order.
struct Order {
    customer: String,
    at: i64,
    units: i64,
    channel: String,
}

/// Rows read from a table and how many were left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowsRead {
    /// The file.
    pub file: String,
    /// Rows in the table.
    pub rows_in: u64,
    /// Rows used.
    pub rows_used: u64,
    /// Rows left out, by reason.
    pub excluded: Vec<ExcludedRows>,
    /// Rows left out because their channel is blank (channel tables only).
    pub blank_channel: u64,
}

fn read_orders(src: &Source<'_>) -> Result<(Vec<Order>, RowsRead), ChannelError> {
    let (user, time, amount) =
        (needed(src, Field::UserId)?, needed(src, Field::OrderTime)?, needed(src, Field::Amount)?);
    let (order_id, channel) = (column(src, Field::OrderId), column(src, Field::Channel));
    let t = src.table;
    let mut orders: Vec<Order> = Vec::new();
    let mut by_id: HashMap<(&str, &str), usize> = HashMap::new();
    let mut tally = ExclusionTally::default();
    for r in 0..t.len() {
        let read = customer_and_time(t, r, user, time).and_then(|(id, ts)| match parse_amount(t.cell(r, amount)) {
            Ok(m) => Ok((id, seconds(ts), m.units())),
            Err(_) => Err(ExclusionReason::BadAmount),
        });
        let (id, at, units) = match read {
            Ok(x) => x,
            Err(reason) => {
                tally.add(reason);
                continue;
            }
        };
        let oid = order_id.map_or("", |c| trim_text(t.cell(r, c)));
        if !oid.is_empty() {
            if let Some(&i) = by_id.get(&(id, oid)) {
                let o: &mut Order = &mut orders[i];
                o.at = o.at.min(at);
                o.units = o.units.saturating_add(units);
                continue;
            }
            by_id.insert((id, oid), orders.len());
        }
        let channel = channel.map_or("", |c| trim_text(t.cell(r, c))).to_string();
        orders.push(Order { customer: id.to_string(), at, units, channel });
    }
    let read = RowsRead {
        file: src.file.to_string(),
        rows_in: t.len() as u64,
        rows_used: t.len() as u64 - tally.total(),
        excluded: tally.into_list(),
        blank_channel: 0,
    };
    if orders.is_empty() {
        return Err(ChannelError::NoOrders { file: src.file.to_string() });
    }
    Ok((orders, read))
}

/// One touchpoint: its moment (seconds) and channel index.
#[derive(Clone, Copy)]
struct Touch {
    at: i64,
    channel: u32,
}

/// Every customer's touchpoints, in time order (ties in file order).
fn read_touches(src: &Source<'_>, names: &mut Names) -> Result<(HashMap<String, Vec<Touch>>, RowsRead), ChannelError> {
    let (user, channel, time) =
        (needed(src, Field::UserId)?, needed(src, Field::Channel)?, needed(src, Field::TouchTime)?);
    let t = src.table;
    let mut tally = ExclusionTally::default();
    let mut by_customer: HashMap<String, Vec<Touch>> = HashMap::new();
    let mut blank_channel = 0u64;
    for r in 0..t.len() {
        match customer_and_time(t, r, user, time) {
            Ok((id, ts)) => match trim_text(t.cell(r, channel)) {
                "" => blank_channel += 1,
                ch => {
                    let channel = names.intern(ch);
                    by_customer.entry(id.to_string()).or_default().push(Touch { at: seconds(ts), channel });
                }
            },
            Err(reason) => tally.add(reason),
        }
    }
    for touches in by_customer.values_mut() {
        touches.sort_by_key(|x| x.at);
    }
    let left_out = tally.total() + blank_channel;
    let read = RowsRead {
        file: src.file.to_string(),
        rows_in: t.len() as u64,
        rows_used: t.len() as u64 - left_out,
        excluded: tally.into_list(),
        blank_channel,
    };
    Ok((by_customer, read))
}

/// The touches of `touches` (sorted) in the window of an order at `at`.
fn window(touches: &[Touch], at: i64, lookback_secs: i64) -> &[Touch] {
    let lo = touches.partition_point(|t| t.at < at - lookback_secs);
    let hi = touches.partition_point(|t| t.at <= at);
    &touches[lo..hi.max(lo)]
}

/// What one model gives one channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelCredit {
    /// The channel ([`DIRECT`] for orders without a touchpoint).
    pub channel: String,
    /// Whether this is the bucket of orders without a touchpoint in the window.
    pub direct: bool,
    /// Orders credited (fractional for the shared models).
    pub orders: f64,
    /// Revenue credited.
    pub revenue: Money,
    /// Its share of all the orders' revenue (0–1); `None` when that is 0.
    pub revenue_share: Option<f64>,
}

/// One model's credits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCredits {
    /// The model.
    pub model: AttributionModel,
    /// Per channel, most revenue first (then by name); the [`DIRECT`] bucket last, always listed.
    pub credits: Vec<ChannelCredit>,
}

/// Customers acquired through a channel: the first touch of their first order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelCustomers {
    /// The channel ([`DIRECT`] when the first order had no touchpoint in the window).
    pub channel: String,
    /// Whether this is the bucket without a touchpoint.
    pub direct: bool,
    /// Customers.
    pub customers: u64,
}

/// Orders attributed to channels by the touchpoints before them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The lookback window in days.
    pub lookback_days: u32,
    /// Orders attributed (all readable orders).
    pub orders: u64,
    /// Their revenue (net of refunds).
    pub revenue: Money,
    /// Orders with at least one touchpoint in the window.
    pub orders_touched: u64,
    /// Orders with none (the [`DIRECT`] bucket).
    pub orders_direct: u64,
    /// The orders table's rows.
    pub order_rows: RowsRead,
    /// The touchpoints table's rows.
    pub touch_rows: RowsRead,
    /// Credits per model, in the order of [`AttributionModel::ALL`].
    pub models: Vec<ModelCredits>,
    /// New customers per channel (first touch of each customer's first order), most first, [`DIRECT`] last.
    pub new_customers: Vec<ChannelCustomers>,
}

/// Per-channel money and counts, overall and per month, for the channel table.
#[derive(Default)]
struct Book {
    total: HashMap<String, i64>,
    by_month: HashMap<(String, i32), i64>,
}

impl Book {
    fn add(&mut self, channel: &str, month: Option<i32>, v: i64) {
        let t = self.total.entry(channel.to_string()).or_insert(0);
        *t = t.saturating_add(v);
        if let Some(m) = month {
            let t = self.by_month.entry((channel.to_string(), m)).or_insert(0);
            *t = t.saturating_add(v);
        }
    }

    fn get(&self, channel: &str, month: Option<Option<i32>>) -> Option<i64> {
        match month {
            None => Some(self.total.get(channel).copied().unwrap_or(0)),
            Some(None) => None,
            Some(Some(m)) => Some(self.by_month.get(&(channel.to_string(), m)).copied().unwrap_or(0)),
        }
    }
}

fn month_of_seconds(at: i64) -> i32 {
    Period::Month.index(crate::engine::date::Day::from_days(at.div_euclid(86_400) as i32))
}

/// Attributes every readable order of `orders` to the channels of `touchpoints`.
pub fn attribute(
    touchpoints: &Source<'_>,
    orders: &Source<'_>,
    params: &ChannelParams,
) -> Result<Attribution, ChannelError> {
    attribute_books(touchpoints, orders, params).map(|(a, _, _)| a)
}

/// The attribution, and the revenue (of `params.revenue_model`) and new customers per channel and month.
fn attribute_books(
    touchpoints: &Source<'_>,
    orders: &Source<'_>,
    params: &ChannelParams,
) -> Result<(Attribution, Book, Book), ChannelError> {
    let mut names = Names::default();
    let (touches, touch_rows) = read_touches(touchpoints, &mut names)?;
    let (orders, order_rows) = read_orders(orders)?;
    let lookback = i64::from(params.lookback_days) * 86_400;
    let width = names.names.len() + 1; // the last slot is the direct bucket
    let direct = width - 1;
    let mut orders_credit = vec![vec![0.0f64; width]; AttributionModel::ALL.len()];
    let mut revenue_credit = vec![vec![0i64; width]; AttributionModel::ALL.len()];
    let mut revenue_book = Book::default();
    let mut first_order: HashMap<&str, usize> = HashMap::new();
    let mut total = 0i64;
    let mut touched = 0u64;
    let empty: Vec<Touch> = Vec::new();
    let name = |i: usize| if i == direct { DIRECT } else { names.names[i].as_str() };
    for (k, o) in orders.iter().enumerate() {
        total = total.saturating_add(o.units);
        let f = first_order.entry(o.customer.as_str()).or_insert(k);
        if orders[*f].at > o.at {
            *f = k;
        }
        let path = window(touches.get(&o.customer).unwrap_or(&empty), o.at, lookback);
        touched += u64::from(!path.is_empty());
        let month = Some(month_of_seconds(o.at));
        for (m, model) in AttributionModel::ALL.into_iter().enumerate() {
            if path.is_empty() {
                orders_credit[m][direct] += 1.0;
                revenue_credit[m][direct] = revenue_credit[m][direct].saturating_add(o.units);
                if model == params.revenue_model {
                    revenue_book.add(DIRECT, month, o.units);
                }
                continue;
            }
            let shares = model.order_shares(path.len());
            let parts = model.split(o.units, path.len());
            for ((touch, share), part) in path.iter().zip(shares).zip(parts) {
                let c = touch.channel as usize;
                orders_credit[m][c] += share;
                revenue_credit[m][c] = revenue_credit[m][c].saturating_add(part);
                if model == params.revenue_model {
                    revenue_book.add(name(c), month, part);
                }
            }
        }
    }
    let mut acquired = vec![0u64; width];
    let mut customers_book = Book::default();
    for &k in first_order.values() {
        let o = &orders[k];
        let path = window(touches.get(&o.customer).unwrap_or(&empty), o.at, lookback);
        let c = path.first().map_or(direct, |t| t.channel as usize);
        acquired[c] += 1;
        customers_book.add(name(c), Some(month_of_seconds(o.at)), 1);
    }
    let models = AttributionModel::ALL
        .into_iter()
        .enumerate()
        .map(|(m, model)| {
            let mut credits: Vec<ChannelCredit> = (0..width)
                .map(|c| ChannelCredit {
                    channel: name(c).to_string(),
                    direct: c == direct,
                    orders: orders_credit[m][c],
                    revenue: Money::from_units(revenue_credit[m][c]),
                    revenue_share: (total != 0).then(|| revenue_credit[m][c] as f64 / total as f64),
                })
                .collect();
            credits.sort_by(|a, b| {
                a.direct.cmp(&b.direct).then(b.revenue.cmp(&a.revenue)).then_with(|| a.channel.cmp(&b.channel))
            });
            ModelCredits { model, credits }
        })
        .collect();
    let mut new_customers: Vec<ChannelCustomers> = (0..width)
        .map(|c| ChannelCustomers { channel: name(c).to_string(), direct: c == direct, customers: acquired[c] })
        .collect();
    new_customers.sort_by(|a, b| {
        a.direct.cmp(&b.direct).then(b.customers.cmp(&a.customers)).then_with(|| a.channel.cmp(&b.channel))
    });
    let attribution = Attribution {
        lookback_days: params.lookback_days,
        orders: orders.len() as u64,
        revenue: Money::from_units(total),
        orders_touched: touched,
        orders_direct: orders.len() as u64 - touched,
        order_rows,
        touch_rows,
        models,
        new_customers,
    };
    Ok((attribution, revenue_book, customers_book))
}

/// Where the channel table's revenue comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from")]
pub enum RevenueSource {
    /// The attribution of orders to touchpoints, by this model.
    Attribution {
        /// The model.
        model: AttributionModel,
    },
    /// The orders table's own `channel` column.
    OrdersChannel,
    /// No revenue: neither touchpoints with orders nor orders with a channel column.
    None,
}

/// Where the channel table's new customers (for CAC) come from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcquisitionSource {
    /// The first touch of each customer's first order.
    FirstTouch,
    /// The customers table's `channel` column.
    CustomersChannel,
    /// None: neither touchpoints with orders nor customers with a channel column.
    None,
}

/// Cells of one field that added nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedCells {
    /// The field (`uv`, `clicks`, `orders`, `cost`).
    pub field: Field,
    /// Blank cells.
    pub blank: u64,
    /// Cells that are not a whole number ≥ 0 (cost: not an amount).
    pub invalid: u64,
}

/// One channel's figures, overall or in one period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelMetrics {
    /// The channel.
    pub channel: String,
    /// The period label as written; `None` for the channel's total.
    pub period: Option<String>,
    /// Rows of the channel table summed.
    pub rows: u64,
    /// Visitors; `None` when no column is mapped to `uv`.
    pub uv: Option<u64>,
    /// Clicks; `None` when not mapped.
    pub clicks: Option<u64>,
    /// Orders (as the channel table counts them); `None` when not mapped.
    pub orders: Option<u64>,
    /// Cost; `None` when not mapped.
    pub cost: Option<Money>,
    /// Click-through rate `clicks / uv` (0–1).
    pub click_rate: Option<f64>,
    /// Conversion `orders / clicks`.
    pub conversion: Option<f64>,
    /// Conversion `orders / uv`.
    pub uv_conversion: Option<f64>,
    /// Revenue credited to the channel ([`ChannelReport::revenue_source`]).
    pub revenue: Option<Money>,
    /// `(revenue − cost) / cost`.
    pub roi: Option<f64>,
    /// New customers acquired through the channel ([`ChannelReport::acquisition_source`]).
    pub new_customers: Option<u64>,
    /// Customer acquisition cost `cost / new customers`, in currency units.
    pub cac: Option<f64>,
}

/// The channel analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelReport {
    /// The channel table's rows (when one was given).
    pub metrics_rows: Option<RowsRead>,
    /// The channel table's period column, if mapped.
    pub period_column: Option<String>,
    /// Numeric cells that added nothing, per mapped field.
    pub skipped_cells: Vec<SkippedCells>,
    /// Per channel, in order of first appearance.
    pub channels: Vec<ChannelMetrics>,
    /// Per channel and period (channels as above, periods in label order); empty without a period column.
    pub by_period: Vec<ChannelMetrics>,
    /// Where revenue comes from.
    pub revenue_source: RevenueSource,
    /// Where new customers come from.
    pub acquisition_source: AcquisitionSource,
    /// The attribution, when touchpoints and orders were given.
    pub attribution: Option<Attribution>,
}

/// Sums of one channel (or channel × period).
#[derive(Default)]
struct Sums {
    rows: u64,
    uv: u64,
    clicks: u64,
    orders: u64,
    cost: i64,
}

/// A count cell: a whole number ≥ 0.
fn read_count(cell: &str) -> Result<u64, bool> {
    match parse_amount(cell) {
        Err(crate::engine::money::AmountError::Empty) => Err(true),
        Ok(m) if m.units() >= 0 && m.units() % Money::SCALE == 0 => Ok((m.units() / Money::SCALE) as u64),
        _ => Err(false),
    }
}

const COUNT_FIELDS: [Field; 3] = [Field::Uv, Field::Clicks, Field::OrderCount];

/// Runs the channel analysis.
pub fn channels(inputs: &ChannelInputs<'_>, params: &ChannelParams) -> Result<ChannelReport, ChannelError> {
    let attributed = match (&inputs.touchpoints, &inputs.orders) {
        (Some(t), Some(o)) => Some(attribute_books(t, o, params)?),
        (Some(t), None) => return Err(ChannelError::TouchpointsWithoutOrders { file: t.file.to_string() }),
        (None, _) if inputs.metrics.is_none() => return Err(ChannelError::NoInput),
        (None, _) => None,
    };
    let (attribution, revenue, acquisition) = match attributed {
        Some((a, r, c)) => (
            Some(a),
            Some((RevenueSource::Attribution { model: params.revenue_model }, r)),
            Some((AcquisitionSource::FirstTouch, c)),
        ),
        None => (None, orders_channel_revenue(inputs.orders)?, customers_channel(inputs.customers)),
    };
    let mut report = ChannelReport {
        metrics_rows: None,
        period_column: None,
        skipped_cells: Vec::new(),
        channels: Vec::new(),
        by_period: Vec::new(),
        revenue_source: revenue.as_ref().map_or(RevenueSource::None, |r| r.0),
        acquisition_source: acquisition.as_ref().map_or(AcquisitionSource::None, |c| c.0),
        attribution,
    };
    if let Some(src) = &inputs.metrics {
        metrics(src, revenue.as_ref().map(|r| &r.1), acquisition.as_ref().map(|c| &c.1), &mut report)?;
    }
    Ok(report)
}

/// Revenue by the orders' own channel column, when there is one.
fn orders_channel_revenue(orders: Option<Source<'_>>) -> Result<Option<(RevenueSource, Book)>, ChannelError> {
    let Some(src) = orders.filter(|s| column(s, Field::Channel).is_some()) else { return Ok(None) };
    let (orders, _) = read_orders(&src)?;
    let mut book = Book::default();
    for o in orders.iter().filter(|o| !o.channel.is_empty()) {
        book.add(&o.channel, Some(month_of_seconds(o.at)), o.units);
    }
    Ok(Some((RevenueSource::OrdersChannel, book)))
}

/// Customers by the customers table's channel column (first record of an id), months by registration.
fn customers_channel(customers: Option<Source<'_>>) -> Option<(AcquisitionSource, Book)> {
    let src = customers?;
    let (user, channel) = (column(&src, Field::UserId)?, column(&src, Field::Channel)?);
    let registered = column(&src, Field::RegisterDate);
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut book = Book::default();
    for r in 0..src.table.len() {
        let (id, ch) = (trim_text(src.table.cell(r, user)), trim_text(src.table.cell(r, channel)));
        if id.is_empty() || !seen.insert(id) || ch.is_empty() {
            continue;
        }
        let month =
            registered.and_then(|c| parse_timestamp(src.table.cell(r, c)).ok()).map(|ts| Period::Month.index(ts.day));
        book.add(ch, month, 1);
    }
    Some((AcquisitionSource::CustomersChannel, book))
}

fn metrics(
    src: &Source<'_>,
    revenue: Option<&Book>,
    acquisition: Option<&Book>,
    report: &mut ChannelReport,
) -> Result<(), ChannelError> {
    let t: &TextTable = src.table;
    let channel = needed(src, Field::Channel)?;
    let period = column(src, Field::Period);
    let counts: Vec<Option<usize>> = COUNT_FIELDS.iter().map(|&f| column(src, f)).collect();
    let cost = column(src, Field::Cost);
    let mut skipped: Vec<SkippedCells> = COUNT_FIELDS
        .iter()
        .chain([Field::Cost].iter())
        .zip(counts.iter().chain([cost].iter()))
        .filter(|(_, c)| c.is_some())
        .map(|(&field, _)| SkippedCells { field, blank: 0, invalid: 0 })
        .collect();
    let mut names = Names::default();
    let mut totals: Vec<Sums> = Vec::new();
    let mut periods: BTreeMap<(u32, String), Sums> = BTreeMap::new();
    let mut blank_channel = 0u64;
    for r in 0..t.len() {
        let ch = trim_text(t.cell(r, channel));
        if ch.is_empty() {
            blank_channel += 1;
            continue;
        }
        let i = names.intern(ch);
        if i as usize == totals.len() {
            totals.push(Sums::default());
        }
        let mut row = Sums { rows: 1, ..Sums::default() };
        for (k, c) in counts.iter().enumerate() {
            let Some(c) = c else { continue };
            match read_count(t.cell(r, *c)) {
                Ok(n) => match COUNT_FIELDS[k] {
                    Field::Uv => row.uv = n,
                    Field::Clicks => row.clicks = n,
                    _ => row.orders = n,
                },
                Err(blank) => skip(&mut skipped, COUNT_FIELDS[k], blank),
            }
        }
        if let Some(c) = cost {
            match parse_amount(t.cell(r, c)) {
                Ok(m) => row.cost = m.units(),
                Err(e) => skip(&mut skipped, Field::Cost, e == crate::engine::money::AmountError::Empty),
            }
        }
        add(&mut totals[i as usize], &row);
        if let Some(p) = period {
            add(periods.entry((i, trim_text(t.cell(r, p)).to_string())).or_default(), &row);
        }
    }
    let mapped = |k: usize| counts[k].is_some();
    let figures = |name: &str, label: Option<&str>, s: &Sums| {
        let month = label.map(month_of_label);
        let uv = mapped(0).then_some(s.uv);
        let clicks = mapped(1).then_some(s.clicks);
        let orders = mapped(2).then_some(s.orders);
        let cost = cost.map(|_| Money::from_units(s.cost));
        let revenue = revenue.and_then(|b| b.get(name, month)).map(Money::from_units);
        let new_customers = acquisition.and_then(|b| b.get(name, month)).map(|n| n as u64);
        let over = |a: Option<u64>, b: Option<u64>| a.zip(b).and_then(|(a, b)| ratio(a, b));
        ChannelMetrics {
            channel: name.to_string(),
            period: label.map(str::to_string),
            rows: s.rows,
            uv,
            clicks,
            orders,
            cost,
            click_rate: over(clicks, uv),
            conversion: over(orders, clicks),
            uv_conversion: over(orders, uv),
            revenue,
            roi: revenue
                .zip(cost)
                .and_then(|(r, c)| (c.units() != 0).then(|| (r.units() as f64 - c.units() as f64) / c.units() as f64)),
            new_customers,
            cac: cost.zip(new_customers).and_then(|(c, n)| (n > 0).then(|| c.to_f64() / n as f64)),
        }
    };
    report.channels = names.names.iter().zip(&totals).map(|(n, s)| figures(n, None, s)).collect();
    report.by_period =
        periods.iter().map(|((i, label), s)| figures(&names.names[*i as usize], Some(label.as_str()), s)).collect();
    report.period_column = period.map(|c| t.headers[c].clone());
    report.skipped_cells = skipped;
    report.metrics_rows = Some(RowsRead {
        file: src.file.to_string(),
        rows_in: t.len() as u64,
        rows_used: t.len() as u64 - blank_channel,
        excluded: Vec::new(),
        blank_channel,
    });
    Ok(())
}

fn skip(skipped: &mut [SkippedCells], field: Field, blank: bool) {
    if let Some(s) = skipped.iter_mut().find(|s| s.field == field) {
        if blank {
            s.blank += 1;
        } else {
            s.invalid += 1;
        }
    }
}

fn add(to: &mut Sums, row: &Sums) {
    to.rows += row.rows;
    to.uv += row.uv;
    to.clicks += row.clicks;
    to.orders += row.orders;
    to.cost = to.cost.saturating_add(row.cost);
}

fn cell_f64(x: Option<f64>) -> String {
    x.map_or_else(String::new, |x| x.to_string())
}

fn cell_u64(x: Option<u64>) -> String {
    x.map_or_else(String::new, |x| x.to_string())
}

fn cell_money(x: Option<Money>) -> String {
    x.map_or_else(String::new, |x| x.to_string())
}

/// Columns of [`ChannelReport::metrics_table`].
pub const METRICS_COLUMNS: [&str; 13] = [
    "channel",
    "period",
    "uv",
    "clicks",
    "orders",
    "cost",
    "click_rate",
    "conversion",
    "uv_conversion",
    "revenue",
    "roi",
    "new_customers",
    "cac",
];

/// Columns of [`Attribution::table`].
pub const ATTRIBUTION_COLUMNS: [&str; 5] = ["model", "channel", "orders", "revenue", "revenue_share"];

impl ChannelReport {
    /// The per-channel figures as a table: the channels' totals (blank period), then each channel × period.
    /// Figures that are `None` are blank cells.
    pub fn metrics_table(&self) -> TextTable {
        let mut t = TextTable::new(METRICS_COLUMNS.iter().map(|s| s.to_string()).collect());
        for (i, m) in self.channels.iter().chain(&self.by_period).enumerate() {
            let cells = [
                m.channel.clone(),
                m.period.clone().unwrap_or_default(),
                cell_u64(m.uv),
                cell_u64(m.clicks),
                cell_u64(m.orders),
                cell_money(m.cost),
                cell_f64(m.click_rate),
                cell_f64(m.conversion),
                cell_f64(m.uv_conversion),
                cell_money(m.revenue),
                cell_f64(m.roi),
                cell_u64(m.new_customers),
                cell_f64(m.cac),
            ];
            t.push(i as u64 + 2, cells.iter().map(String::as_str));
        }
        t
    }
}

impl Attribution {
    /// Every model's credits as one table: model, channel, orders, revenue, revenue share.
    pub fn table(&self) -> TextTable {
        let mut t = TextTable::new(ATTRIBUTION_COLUMNS.iter().map(|s| s.to_string()).collect());
        let mut n = 1;
        for m in &self.models {
            for c in &m.credits {
                n += 1;
                let cells = [
                    m.model.key().to_string(),
                    c.channel.clone(),
                    c.orders.to_string(),
                    c.revenue.to_string(),
                    cell_f64(c.revenue_share),
                ];
                t.push(n, cells.iter().map(String::as_str));
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::SourceKind;

    use crate::engine::unify::fixture::Owned;

    fn touches() -> Owned {
        Owned::new(
            "touch.csv",
            SourceKind::Channels,
            &["客户ID", "渠道", "触点时间"],
            &[
                &["a", "社交", "2024-01-20 10:00:00"],
                &["a", "搜索", "2024-01-01 10:00:00"],
                &["a", "邮件", "2024-01-10 10:00:00"],
                &["b", "邮件", "2023-11-01 10:00:00"],
                &["c", "搜索", "2024-02-01 12:00:00"],
                &["", "搜索", "2024-02-01 12:00:00"],
                &["c", "", "2024-02-01 12:00:00"],
            ],
        )
    }

    fn orders() -> Owned {
        Owned::new(
            "orders.csv",
            SourceKind::Orders,
            &["订单号", "客户ID", "下单时间", "订单金额"],
            &[
                &["O1", "a", "2024-01-25 10:00:00", "60.00"],
                &["O1", "a", "2024-01-25 10:00:00", "40.00"],
                &["O3", "b", "2024-01-05 10:00:00", "50"],
                &["O4", "c", "2024-02-01 10:00:00", "30"],
                &["O5", "a", "2024-02-05 10:00:00", "10"],
                &["O6", "a", "2024-02-06 10:00:00", "N/A"],
            ],
        )
    }

    fn credits(a: &Attribution, model: AttributionModel) -> Vec<(String, f64, String)> {
        let m = a.models.iter().find(|m| m.model == model).expect("model");
        m.credits.iter().map(|c| (c.channel.clone(), (c.orders * 1e6).round() / 1e6, c.revenue.to_string())).collect()
    }

    fn row(channel: &str, orders: f64, revenue: &str) -> (String, f64, String) {
        (channel.to_string(), (orders * 1e6_f64).round() / 1e6, revenue.to_string())
    }

    #[test]
    fn money_splits_add_up_exactly() {
        use AttributionModel::*;
        assert_eq!(Linear.split(1_000_000, 3), vec![333_334, 333_333, 333_333]);
        assert_eq!(Linear.split(-100, 3), vec![-33, -33, -34]);
        assert_eq!(PositionBased.split(1000, 4), vec![400, 100, 100, 400]);
        assert_eq!(PositionBased.split(7, 3), vec![2, 3, 2]);
        assert_eq!(PositionBased.split(7, 2), vec![3, 4]);
        assert_eq!(PositionBased.split(7, 1), vec![7]);
        assert_eq!(FirstTouch.split(7, 3), vec![7, 0, 0]);
        assert_eq!(LastTouch.split(7, 3), vec![0, 0, 7]);
        assert_eq!(PositionBased.order_shares(4), vec![0.4, 0.1, 0.1, 0.4]);
        for n in 1..9 {
            for units in [-1_000_003i64, -1, 0, 1, 2, 999_999_999_999] {
                for m in AttributionModel::ALL {
                    assert_eq!(m.split(units, n).iter().sum::<i64>(), units, "{m:?} {units} / {n}");
                    assert!((m.order_shares(n).iter().sum::<f64>() - 1.0).abs() < 1e-12);
                }
            }
        }
        assert_eq!(AttributionModel::from_key("position"), Some(PositionBased));
        assert_eq!(AttributionModel::from_key("last_touch"), Some(LastTouch));
        assert_eq!(AttributionModel::from_key("x"), None);
    }

    #[test]
    fn attribution_by_hand() {
        // O1 (100, lines 60 + 40) has 搜索 01-01, 邮件 01-10, 社交 01-20 in its 30 days; O3's touch is
        // 65 days earlier and O4's two hours later: direct; O5 (10) has 邮件 and 社交 (搜索 is 35 days back).
        let (t, o) = (touches(), orders());
        let a = attribute(&t.source(), &o.source(), &ChannelParams::default()).expect("attribution");
        assert_eq!((a.orders, a.revenue.to_string(), a.orders_touched, a.orders_direct), (4, "190.00".into(), 2, 2));
        assert_eq!((a.order_rows.rows_in, a.order_rows.rows_used), (6, 5));
        assert_eq!(a.order_rows.excluded, vec![ExcludedRows { reason: ExclusionReason::BadAmount, rows: 1 }]);
        assert_eq!((a.touch_rows.rows_used, a.touch_rows.blank_channel), (5, 1));
        use AttributionModel::*;
        assert_eq!(
            credits(&a, FirstTouch),
            vec![
                row("搜索", 1.0, "100.00"),
                row("邮件", 1.0, "10.00"),
                row("社交", 0.0, "0.00"),
                row(DIRECT, 2.0, "80.00")
            ]
        );
        assert_eq!(
            credits(&a, LastTouch),
            vec![
                row("社交", 2.0, "110.00"),
                row("搜索", 0.0, "0.00"),
                row("邮件", 0.0, "0.00"),
                row(DIRECT, 2.0, "80.00")
            ]
        );
        assert_eq!(
            credits(&a, Linear),
            vec![
                row("社交", 1.0 / 3.0 + 0.5, "38.3333"),
                row("邮件", 1.0 / 3.0 + 0.5, "38.3333"),
                row("搜索", 1.0 / 3.0, "33.3334"),
                row(DIRECT, 2.0, "80.00"),
            ]
        );
        assert_eq!(
            credits(&a, PositionBased),
            vec![
                row("社交", 0.9, "45.00"),
                row("搜索", 0.4, "40.00"),
                row("邮件", 0.7, "25.00"),
                row(DIRECT, 2.0, "80.00")
            ]
        );
        let share = a.models[0].credits[0].revenue_share.expect("share");
        assert!((share - 100.0 / 190.0).abs() < 1e-15);
        let new: Vec<(&str, u64)> = a.new_customers.iter().map(|c| (c.channel.as_str(), c.customers)).collect();
        assert_eq!(new, vec![("搜索", 1), ("社交", 0), ("邮件", 0), (DIRECT, 2)]);
        // A 40-day window reaches O5's 搜索 touch (35 days back): first touch moves it.
        let wide = ChannelParams { lookback_days: 40, ..ChannelParams::default() };
        let a = attribute(&t.source(), &o.source(), &wide).expect("attribution");
        assert_eq!(credits(&a, FirstTouch)[0], row("搜索", 2.0, "110.00"));
    }

    #[test]
    fn channel_table_by_hand() {
        let metrics = Owned::new(
            "channels.csv",
            SourceKind::Channels,
            &["月份", "渠道", "访客数", "点击数", "订单数", "费用"],
            &[
                &["2024-01", "搜索", "1,000", "100", "5", "200"],
                &["2024-02", "搜索", "0", "0", "0", "0"],
                &["2024-01", "社交", "500", "50", "2", ""],
                &["2024-01", "邮件", "x", "10", "1", "50"],
                &["2024-01", " ", "1", "1", "1", "1"],
            ],
        );
        let (t, o) = (touches(), orders());
        let inputs = ChannelInputs {
            metrics: Some(metrics.source()),
            touchpoints: Some(t.source()),
            orders: Some(o.source()),
            customers: None,
        };
        let r = channels(&inputs, &ChannelParams::default()).expect("report");
        assert_eq!(r.revenue_source, RevenueSource::Attribution { model: AttributionModel::LastTouch });
        assert_eq!(r.acquisition_source, AcquisitionSource::FirstTouch);
        let rows = r.metrics_rows.as_ref().expect("rows");
        assert_eq!((rows.rows_in, rows.rows_used, rows.blank_channel), (5, 4, 1));
        let skipped: Vec<(Field, u64, u64)> = r.skipped_cells.iter().map(|s| (s.field, s.blank, s.invalid)).collect();
        assert_eq!(
            skipped,
            vec![(Field::Uv, 0, 1), (Field::Clicks, 0, 0), (Field::OrderCount, 0, 0), (Field::Cost, 1, 0)]
        );
        let by: HashMap<&str, &ChannelMetrics> = r.channels.iter().map(|m| (m.channel.as_str(), m)).collect();
        let s = by["搜索"];
        assert_eq!(
            (s.uv, s.clicks, s.orders, s.cost),
            (Some(1000), Some(100), Some(5), Some(Money::from_cents(20_000)))
        );
        assert_eq!((s.click_rate, s.conversion, s.uv_conversion), (Some(0.1), Some(0.05), Some(0.005)));
        assert_eq!((s.revenue, s.roi, s.new_customers, s.cac), (Some(Money::ZERO), Some(-1.0), Some(1), Some(200.0)));
        let social = by["社交"];
        assert_eq!((social.cost, social.revenue), (Some(Money::ZERO), Some(Money::from_cents(11_000))));
        assert_eq!((social.roi, social.cac), (None, None), "cost 0: no ROI; no new customer: no CAC");
        let mail = by["邮件"];
        assert_eq!((mail.uv, mail.click_rate, mail.conversion), (Some(0), None, Some(0.1)));
        assert_eq!(r.channels.iter().map(|m| m.channel.as_str()).collect::<Vec<_>>(), vec!["搜索", "社交", "邮件"]);
        let periods: Vec<(&str, Option<&str>, Option<Money>)> =
            r.by_period.iter().map(|m| (m.channel.as_str(), m.period.as_deref(), m.revenue)).collect();
        assert_eq!(
            periods,
            vec![
                ("搜索", Some("2024-01"), Some(Money::ZERO)),
                ("搜索", Some("2024-02"), Some(Money::ZERO)),
                ("社交", Some("2024-01"), Some(Money::from_cents(10_000))),
                ("邮件", Some("2024-01"), Some(Money::ZERO)),
            ]
        );
        assert_eq!(r.by_period[1].click_rate, None, "uv 0");
        let table = r.metrics_table();
        assert_eq!(table.len(), 3 + 4);
        assert_eq!((table.cell(1, 0), table.cell(1, 10), table.cell(1, 9)), ("社交", "", "110.00"));
        assert_eq!(r.attribution.as_ref().map(|a| a.table().len()), Some(16));
    }

    #[test]
    fn fallbacks_and_errors() {
        let metrics = Owned::new("m.csv", SourceKind::Channels, &["渠道", "费用"], &[&["APP", "100"], &["官网", "10"]]);
        let orders = Owned::new(
            "o.csv",
            SourceKind::Orders,
            &["客户ID", "下单时间", "订单金额", "渠道"],
            &[&["a", "2024-01-01", "300", "APP"], &["b", "2024-01-02", "20", ""]],
        );
        let crm = Owned::new(
            "c.csv",
            SourceKind::Customers,
            &["客户ID", "渠道来源"],
            &[&["a", "APP"], &["b", "APP"], &["a", "官网"], &["c", "官网"]],
        );
        let inputs = ChannelInputs {
            metrics: Some(metrics.source()),
            orders: Some(orders.source()),
            customers: Some(crm.source()),
            ..ChannelInputs::default()
        };
        let r = channels(&inputs, &ChannelParams::default()).expect("report");
        assert_eq!(
            (r.revenue_source, r.acquisition_source),
            (RevenueSource::OrdersChannel, AcquisitionSource::CustomersChannel)
        );
        let app = &r.channels[0];
        assert_eq!(
            (app.revenue, app.roi, app.new_customers, app.cac),
            (Some(Money::from_cents(30_000)), Some(2.0), Some(2), Some(50.0))
        );
        assert_eq!((app.uv, app.click_rate), (None, None), "no uv column");
        assert!(r.by_period.is_empty() && r.attribution.is_none());
        let bare = channels(
            &ChannelInputs { metrics: Some(metrics.source()), ..ChannelInputs::default() },
            &ChannelParams::default(),
        )
        .expect("report");
        assert_eq!((bare.revenue_source, bare.channels[0].revenue), (RevenueSource::None, None));
        assert_eq!(channels(&ChannelInputs::default(), &ChannelParams::default()), Err(ChannelError::NoInput));
        let t = touches();
        let only = ChannelInputs { touchpoints: Some(t.source()), ..ChannelInputs::default() };
        assert!(matches!(
            channels(&only, &ChannelParams::default()),
            Err(ChannelError::TouchpointsWithoutOrders { .. })
        ));
        // The metrics table as touchpoints: no user_id, no touch_time.
        let wrong = ChannelInputs {
            touchpoints: Some(metrics.source()),
            orders: Some(orders.source()),
            ..ChannelInputs::default()
        };
        let e = channels(&wrong, &ChannelParams::default()).expect_err("unmapped");
        assert!(e.to_string().starts_with("m.csv: no column is mapped to the field `user_id`"), "{e}");
    }

    #[test]
    fn month_labels() {
        assert_eq!(month_of_label("2024-03"), Some(2024 * 12 + 2));
        assert_eq!(month_of_label("2024/3"), month_of_label("2024年3月"));
        assert_eq!(month_of_label("2024.12"), Some(2024 * 12 + 11));
        assert_eq!(month_of_label("2024-03-01"), None);
        assert_eq!(month_of_label("2024-W05"), None);
        assert_eq!(month_of_label("2024-13"), None);
    }
}
