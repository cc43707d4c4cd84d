//! M6 Profiles: who the customers are — counts and shares of customers by
//! age band, gender, province, city, city tier, industry, company size,
//! member level, channel, device and OS; numeric summaries with histograms
//! of age, spend and orders per customer and order value (its mean is the
//! average order value 客单价); and when they are active, as a weekday ×
//! hour heat map.
//!
//! # Who is profiled
//! The customers of the unified view ([`crate::engine::unify`]) that have a
//! CRM record, or a row in the orders or events table given (orphans of
//! those tables included). Rows of those tables are tied to customers as the
//! unification tied them ([`Resolver`]); rows without a customer id are left
//! out and counted.
//!
//! # Dimensions
//! - Attributes (gender, province, city, industry, company size, member
//!   level, channel) are the unified view's CRM values as cleaned (blank and
//!   `未知` are unknown).
//! - Age: the `age` attribute read as a number, else the whole years from
//!   the `birth_date` attribute to the as-of day (given, else the latest day
//!   of the orders and events rows; without one, birth dates give no age).
//!   Bands by whole years ([`AgeBands`], default <18, 18–25, 26–35, 36–45,
//!   46–55, 56+).
//! - City tier: the city looked up as written, then without a trailing 市,
//!   in the 2023 ranking in `city_tiers.csv` (一线 / 新一线 / 二线); any other
//!   city is 三线及以下; no city is unknown.
//! - Device, OS: the customer's most frequent non-blank value in the events
//!   table (ties: the smallest value); none is unknown.
//!
//! Every profiled customer is counted once per dimension: in a value, in
//! "other" (values beyond the `top` most frequent, by descending count then
//! value), or in "unknown" — so the shares (of all profiled customers) sum
//! to 1. Age bands and city tiers list every band in order instead.
//!
//! # Numbers
//! As [`crate::engine::analyze::distribution`] summarises a column (numpy
//! `linear` quartiles, sample std, numpy histogram bins):
//! - `age`: of the customers with an age;
//! - `spend` (net, yuan) and `orders` (distinct order ids; a row without
//!   one is one order) per customer, of the customers with an order;
//! - `order_value`: each order's net amount (its rows summed); the mean is
//!   the total spend over all orders divided by their number, 客单价.
//!
//! # Heat map
//! Events per weekday (Monday first) and hour of day, and the distinct
//! customers in each cell, from the event times written with a time of day
//! (`hh:mm`); when no event has one, orders (each order once, at its first
//! row's time) instead — [`HeatMap::source`] says which.

use crate::engine::analyze::distribution::{age_on, categorical, numeric_summary, NumericSummary, AGE_BANDS};
use crate::engine::analyze::members::MemberError;
use crate::engine::clean::table::TextTable;
use crate::engine::date::{parse_timestamp, Day, Timestamp};
use crate::engine::ingest::fields::Field;
use crate::engine::money::{parse_amount, trim_text, Money};
use crate::engine::privacy::roles::Access;
use crate::engine::privacy::share::{self, Disclosure};
use crate::engine::unify::{Resolver, Source, Unified};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Why the profiles cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ProfileError {
    /// No customer to profile.
    #[error("no customers to profile: add a customers (CRM), orders or events table")]
    NoCustomers,
    /// Age band edges that are not increasing whole ages.
    #[error("age bands: `{edges}` — give increasing whole ages between 1 and 150, e.g. 18,26,36,46,56")]
    AgeBands {
        /// The edges as given.
        edges: String,
    },
    /// Zero histogram bins or zero values listed per dimension.
    #[error("histogram bins ({bins}) and values listed per dimension ({top}) must be at least 1")]
    Counts {
        /// Histogram bins asked for.
        bins: usize,
        /// Values listed per dimension.
        top: usize,
    },
}

/// What customers are counted by.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Age band.
    AgeBand,
    /// Gender.
    Gender,
    /// Province.
    Province,
    /// City.
    City,
    /// City tier (一线 …).
    CityTier,
    /// Industry.
    Industry,
    /// Company size.
    CompanySize,
    /// Member level.
    MemberLevel,
    /// Acquisition channel (CRM).
    Channel,
    /// Device (events).
    Device,
    /// Operating system (events).
    Os,
}

impl Dimension {
    /// The field its values come from (what a role must see to be shown it).
    pub fn field(self) -> Field {
        match self {
            Dimension::AgeBand => Field::Age,
            Dimension::Gender => Field::Gender,
            Dimension::Province => Field::Province,
            Dimension::City | Dimension::CityTier => Field::City,
            Dimension::Industry => Field::Industry,
            Dimension::CompanySize => Field::CompanySize,
            Dimension::MemberLevel => Field::MemberLevel,
            Dimension::Channel => Field::Channel,
            Dimension::Device => Field::Device,
            Dimension::Os => Field::Os,
        }
    }

    /// Every dimension, in display order.
    pub const ALL: [Dimension; 11] = [
        Dimension::AgeBand,
        Dimension::Gender,
        Dimension::Province,
        Dimension::City,
        Dimension::CityTier,
        Dimension::Industry,
        Dimension::CompanySize,
        Dimension::MemberLevel,
        Dimension::Channel,
        Dimension::Device,
        Dimension::Os,
    ];

    /// Its key (`age_band`, `city_tier`…), as in JSON and the CSV.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::AgeBand => "age_band",
            Dimension::Gender => "gender",
            Dimension::Province => "province",
            Dimension::City => "city",
            Dimension::CityTier => "city_tier",
            Dimension::Industry => "industry",
            Dimension::CompanySize => "company_size",
            Dimension::MemberLevel => "member_level",
            Dimension::Channel => "channel",
            Dimension::Device => "device",
            Dimension::Os => "os",
        }
    }

    /// The dimension of a key.
    pub fn from_key(key: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.key() == key.trim())
    }

    /// The CRM attribute it counts, for attribute dimensions.
    fn attribute(self) -> Option<Field> {
        match self {
            Dimension::Gender => Some(Field::Gender),
            Dimension::Province => Some(Field::Province),
            Dimension::City => Some(Field::City),
            Dimension::Industry => Some(Field::Industry),
            Dimension::CompanySize => Some(Field::CompanySize),
            Dimension::MemberLevel => Some(Field::MemberLevel),
            Dimension::Channel => Some(Field::Channel),
            Dimension::AgeBand | Dimension::CityTier | Dimension::Device | Dimension::Os => None,
        }
    }
}

/// A city's tier in the 2023 ranking (see `city_tiers.csv`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CityTier {
    /// 一线.
    Tier1,
    /// 新一线.
    NewTier1,
    /// 二线.
    Tier2,
    /// 三线及以下: every city not listed.
    Tier3Below,
}

impl CityTier {
    /// The tiers, highest first.
    pub const ALL: [CityTier; 4] = [CityTier::Tier1, CityTier::NewTier1, CityTier::Tier2, CityTier::Tier3Below];

    /// Its name as the ranking writes it (the value in results and files).
    pub fn label(self) -> &'static str {
        match self {
            CityTier::Tier1 => "一线",
            CityTier::NewTier1 => "新一线",
            CityTier::Tier2 => "二线",
            CityTier::Tier3Below => "三线及以下",
        }
    }

    fn from_label(s: &str) -> Option<CityTier> {
        CityTier::ALL.into_iter().find(|t| t.label() == s)
    }
}

/// The ranking's cities and tiers, as data.
const CITY_TIERS_CSV: &str = include_str!("city_tiers.csv");

/// The listed cities by name (`#` lines are notes; the first other line is the header).
fn tier_table() -> &'static HashMap<&'static str, CityTier> {
    static TABLE: OnceLock<HashMap<&'static str, CityTier>> = OnceLock::new();
    TABLE.get_or_init(|| {
        CITY_TIERS_CSV
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .skip(1)
            .filter_map(|l| {
                let (city, tier) = l.split_once(',')?;
                Some((city.trim(), CityTier::from_label(tier.trim())?))
            })
            .collect()
    })
}

/// The tier of a city as written in the data; `None` when blank.
pub fn city_tier(city: &str) -> Option<CityTier> {
    let city = trim_text(city);
    if city.is_empty() || city == "未知" {
        return None;
    }
    let table = tier_table();
    let short = city.strip_suffix('市').unwrap_or(city);
    Some(table.get(city).or_else(|| table.get(short)).copied().unwrap_or(CityTier::Tier3Below))
}

/// Age bands: the lowest whole age of every band after the first (`[18, 26]`
/// makes <18, 18–25, 26+).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgeBands(Vec<i64>);

impl Default for AgeBands {
    /// The bands of the column profile ([`AGE_BANDS`]): <18, 18–25, 26–35, 36–45, 46–55, 56+.
    fn default() -> AgeBands {
        AgeBands(AGE_BANDS[1..].iter().map(|b| b.1).collect())
    }
}

impl AgeBands {
    /// Bands from their lower edges: at least one, increasing, each 1–150.
    pub fn new(lower: Vec<i64>) -> Result<AgeBands, ProfileError> {
        let ok =
            !lower.is_empty() && lower.iter().all(|a| (1..=150).contains(a)) && lower.windows(2).all(|w| w[0] < w[1]);
        if ok {
            Ok(AgeBands(lower))
        } else {
            let edges = lower.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            Err(ProfileError::AgeBands { edges })
        }
    }

    /// Bands from text like `18,26,36` (commas, spaces or 、 between the ages).
    pub fn parse(text: &str) -> Result<AgeBands, ProfileError> {
        let parts: Vec<&str> = text.split([',', '，', '、', ' ', ';']).filter(|s| !s.trim().is_empty()).collect();
        let ages: Option<Vec<i64>> = parts.iter().map(|s| s.trim().parse().ok()).collect();
        ages.map_or_else(|| Err(ProfileError::AgeBands { edges: text.trim().to_string() }), AgeBands::new)
    }

    /// The lower edges.
    pub fn lower(&self) -> &[i64] {
        &self.0
    }

    /// The edges as text (`18,26,36,46,56`).
    pub fn to_text(&self) -> String {
        self.0.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }

    /// The bands' labels: `<18`, `18–25`, …, `56+` (a one-year band is its age).
    pub fn labels(&self) -> Vec<String> {
        let e = &self.0;
        let mut out = Vec::with_capacity(e.len() + 1);
        if let Some(first) = e.first() {
            out.push(format!("<{first}"));
        }
        for w in e.windows(2) {
            let (lo, hi) = (w[0], w[1] - 1);
            out.push(if lo == hi { lo.to_string() } else { format!("{lo}–{hi}") });
        }
        if let Some(last) = e.last() {
            out.push(format!("{last}+"));
        }
        out
    }

    /// The band of an age (its whole years): an index into [`AgeBands::labels`].
    pub fn band(&self, age: f64) -> usize {
        let years = age.floor() as i64;
        self.0.partition_point(|&lo| lo <= years)
    }
}

/// Options of the profiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileParams {
    /// The dimensions counted, in this order (default: all).
    pub dimensions: Vec<Dimension>,
    /// Values listed per dimension, most frequent first; the rest are summed as "other" (default 20).
    pub top: usize,
    /// Histogram bins of the numeric summaries (default 10).
    pub bins: usize,
    /// The day ages are taken on from birth dates; default the latest day of the orders and events.
    pub as_of: Option<Day>,
    /// The age bands.
    pub age_bands: AgeBands,
}

impl Default for ProfileParams {
    fn default() -> ProfileParams {
        ProfileParams {
            dimensions: Dimension::ALL.to_vec(),
            top: 20,
            bins: 10,
            as_of: None,
            age_bands: AgeBands::default(),
        }
    }
}

/// What the profiles are made of.
#[derive(Clone, Copy, Debug)]
pub struct ProfileInputs<'a> {
    /// The unified customer view (attributes; ids as joined).
    pub unified: &'a Unified,
    /// The orders table (as unified): spend, orders, order values; times for the heat map without events.
    pub orders: Option<Source<'a>>,
    /// The events table (as unified): device, OS and the heat map.
    pub events: Option<Source<'a>>,
}

/// What a row of a dimension's table stands for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A value (or band).
    Value,
    /// The values beyond the top N, together.
    Other,
    /// Customers without a value.
    Unknown,
}

/// Customers with a value of a dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRow {
    /// What the row stands for.
    pub kind: RowKind,
    /// The value or band; `(other)` and `(unknown)` for those rows.
    pub value: String,
    /// Customers.
    pub customers: u64,
    /// Their share (0–1) of the customers profiled.
    pub share: f64,
}

/// Label of the "other" row in tables and files.
pub const OTHER_LABEL: &str = "(other)";
/// Label of the "unknown" row in tables and files.
pub const UNKNOWN_LABEL: &str = "(unknown)";

/// One dimension's counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DimensionProfile {
    /// The dimension.
    pub dimension: Dimension,
    /// Distinct values among the customers (bands: bands with customers).
    pub distinct: u64,
    /// Distinct values summed in the "other" row.
    pub other_values: u64,
    /// Values (or every band, in order), then "other" when any, then "unknown" (always).
    pub rows: Vec<ProfileRow>,
}

/// A per-customer or per-order figure summarised.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Age in years, of the customers with one.
    Age,
    /// Net spend (yuan) per customer with an order.
    Spend,
    /// Orders per customer with an order.
    Orders,
    /// Net amount (yuan) per order; the mean is 客单价.
    OrderValue,
}

impl Measure {
    /// The field its values come from (what a role must see to be shown it).
    pub fn field(self) -> Field {
        match self {
            Measure::Age => Field::Age,
            Measure::Spend | Measure::OrderValue => Field::Amount,
            Measure::Orders => Field::OrderTime,
        }
    }

    /// Every measure, in display order.
    pub const ALL: [Measure; 4] = [Measure::Age, Measure::Spend, Measure::Orders, Measure::OrderValue];

    /// Its key, as in JSON and the CSV.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Age => "age",
            Measure::Spend => "spend",
            Measure::Orders => "orders",
            Measure::OrderValue => "order_value",
        }
    }
}

/// One measure's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureSummary {
    /// The measure.
    pub measure: Measure,
    /// Count, mean, quartiles, spread and histogram; `None` without values.
    pub summary: Option<NumericSummary>,
}

/// Where the heat map's times come from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeatSource {
    /// Event times (one count per event).
    Events,
    /// Order times (one count per order), when no event has a time of day.
    Orders,
}

/// Activity by weekday and hour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeatMap {
    /// Events or orders.
    pub source: HeatSource,
    /// The table the times come from.
    pub file: String,
    /// Events (or orders) counted.
    pub counted: u64,
    /// Events (or orders) of known customers left out: no readable time of day.
    pub without_time: u64,
    /// `counts[weekday][hour]`, Monday = 0, hours 0–23.
    pub counts: Vec<Vec<u64>>,
    /// Distinct customers in each cell, as `counts`.
    pub customers: Vec<Vec<u64>>,
}

impl HeatMap {
    /// The largest cell count.
    pub fn max(&self) -> u64 {
        self.counts.iter().flatten().copied().max().unwrap_or(0)
    }
}

/// The customer profiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerProfile {
    /// Customers profiled.
    pub customers: u64,
    /// Of which with a CRM record.
    pub in_crm: u64,
    /// Of which with an order.
    pub buyers: u64,
    /// The day ages were taken on from birth dates (ISO); `None` when there was none.
    pub as_of: Option<String>,
    /// Rows of the orders and events tables left out: no customer id.
    pub rows_without_customer: u64,
    /// Counts per dimension, in the order asked for.
    pub dimensions: Vec<DimensionProfile>,
    /// Age, spend, orders and order value.
    pub numbers: Vec<MeasureSummary>,
    /// Activity by weekday and hour; `None` when neither table has a time of day.
    pub heat: Option<HeatMap>,
}

impl ProfileParams {
    fn check(&self) -> Result<(), ProfileError> {
        if self.bins == 0 || self.top == 0 {
            return Err(ProfileError::Counts { bins: self.bins, top: self.top });
        }
        AgeBands::new(self.age_bands.0.clone()).map(|_| ())
    }
}

fn cell<'t>(s: &Source<'t>, r: usize, f: Field) -> &'t str {
    s.mapping.column(f).filter(|&c| c < s.table.width()).map_or("", |c| trim_text(s.table.cell(r, c)))
}

/// A time with a time of day written (`hh:mm` or `时`); date-only cells have none.
fn time_of_day(text: &str) -> Option<Timestamp> {
    if !text.contains(':') && !text.contains('时') {
        return None;
    }
    parse_timestamp(text).ok()
}

/// Weekday (Monday = 0) and hour of a timestamp.
fn cell_of(t: Timestamp) -> (usize, usize) {
    (t.day.to_naive().weekday().num_days_from_monday() as usize, (t.secs / 3600).min(23) as usize)
}

/// The most frequent value (ties: the smallest).
fn mode<'a>(counts: &HashMap<&'a str, u64>) -> Option<&'a str> {
    counts.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(v, _)| *v)
}

/// Counts and distinct customers per weekday and hour.
fn heat_of(source: HeatSource, file: &str, times: &[(u32, Timestamp)], without_time: u64) -> HeatMap {
    let mut counts = vec![vec![0u64; 24]; 7];
    let mut seen: HashSet<(usize, usize, u32)> = HashSet::new();
    for &(c, t) in times {
        let (d, h) = cell_of(t);
        counts[d][h] += 1;
        seen.insert((d, h, c));
    }
    let mut customers = vec![vec![0u64; 24]; 7];
    for (d, h, _) in seen {
        customers[d][h] += 1;
    }
    HeatMap { source, file: file.to_string(), counted: times.len() as u64, without_time, counts, customers }
}

/// What was read from the orders table.
#[derive(Default)]
struct OrdersRead {
    /// Net spend (units) per customer.
    spend: Vec<i64>,
    /// Orders per customer.
    orders: Vec<u64>,
    /// Net amount (units) per order.
    values: Vec<i64>,
    /// Each order's customer and its first row's time of day, if written.
    times: Vec<(u32, Option<Timestamp>)>,
}

/// Makes the profiles.
pub fn profiles(inputs: &ProfileInputs<'_>, params: &ProfileParams) -> Result<CustomerProfile, ProfileError> {
    profiles_with_members(inputs, params).map(|(p, _)| p)
}

/// Who is counted in which row of each dimension's table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileMembers {
    /// The profiled customers' ids (of the unified view), in its order.
    pub ids: Vec<String>,
    /// Per dimension of the result, in its order: each profiled customer's row.
    pub rows: Vec<Vec<u32>>,
}

impl ProfileMembers {
    /// The ids of the customers in row `row` of dimension `dimension` (positions in the result).
    pub fn of(&self, dimension: usize, row: usize) -> Vec<&str> {
        let Some(rows) = self.rows.get(dimension) else { return Vec::new() };
        rows.iter().zip(&self.ids).filter(|(&r, _)| r as usize == row).map(|(_, id)| id.as_str()).collect()
    }

    /// The positions of the row `dimension=value` (a dimension key, a row's
    /// value or band — `-` may stand for `–` — `(other)` or `(unknown)`).
    pub fn find(p: &CustomerProfile, spec: &str) -> Result<(usize, usize), MemberError> {
        let syntax = || MemberError::Syntax { text: spec.to_string(), expected: "DIMENSION=VALUE".into() };
        let (key, value) = spec.split_once('=').ok_or_else(syntax)?;
        let (key, value) = (key.trim(), value.trim());
        let d = p.dimensions.iter().position(|d| d.dimension.key() == key).ok_or_else(|| MemberError::NoDimension {
            dimension: key.to_string(),
            dimensions: p.dimensions.iter().map(|d| d.dimension.key()).collect::<Vec<_>>().join(", "),
        })?;
        let rows = &p.dimensions[d].rows;
        let same = |r: &ProfileRow| r.value == value || r.value.replace('–', "-") == value;
        let row = rows.iter().position(same).ok_or_else(|| MemberError::NoRow {
            dimension: key.to_string(),
            value: value.to_string(),
            rows: rows.iter().map(|r| r.value.as_str()).collect::<Vec<_>>().join(", "),
        })?;
        Ok((d, row))
    }
}

/// The profiles, and who is counted in each row of their dimensions.
pub fn profiles_with_members(
    inputs: &ProfileInputs<'_>,
    params: &ProfileParams,
) -> Result<(CustomerProfile, ProfileMembers), ProfileError> {
    params.check()?;
    let u = inputs.unified;
    let resolver = Resolver::new(u);
    let n = u.customers.len();
    let mut member: Vec<bool> = u.customers.iter().map(|c| c.in_crm).collect();
    let mut without_customer = 0u64;
    let mut latest: Option<Day> = None;
    let mut see_day = |text: &str| {
        if let Ok(t) = parse_timestamp(text) {
            latest = latest.max(Some(t.day));
        }
    };

    let mut o = OrdersRead { spend: vec![0; n], orders: vec![0; n], ..OrdersRead::default() };
    if let Some(src) = &inputs.orders {
        let mut index: HashMap<(u32, &str), usize> = HashMap::new();
        for r in 0..src.table.len() {
            let id = cell(src, r, Field::UserId);
            let Some(c) = (!id.is_empty()).then(|| resolver.customer(src.file, id)).flatten() else {
                without_customer += 1;
                continue;
            };
            member[c as usize] = true;
            let time = cell(src, r, Field::OrderTime);
            see_day(time);
            let units = parse_amount(cell(src, r, Field::Amount)).map_or(0, |m| m.units());
            o.spend[c as usize] = o.spend[c as usize].saturating_add(units);
            let order = cell(src, r, Field::OrderId);
            let existing = if order.is_empty() { None } else { index.get(&(c, order)).copied() };
            let k = existing.unwrap_or_else(|| {
                o.orders[c as usize] += 1;
                o.values.push(0);
                o.times.push((c, time_of_day(time)));
                if !order.is_empty() {
                    index.insert((c, order), o.values.len() - 1);
                }
                o.values.len() - 1
            });
            o.values[k] = o.values[k].saturating_add(units);
        }
    }

    let mut devices: Vec<HashMap<&str, u64>> = Vec::new();
    let mut systems: Vec<HashMap<&str, u64>> = Vec::new();
    let mut event_times: Vec<(u32, Timestamp)> = Vec::new();
    let mut events_without_time = 0u64;
    if let Some(src) = &inputs.events {
        devices = vec![HashMap::new(); n];
        systems = vec![HashMap::new(); n];
        for r in 0..src.table.len() {
            let id = cell(src, r, Field::UserId);
            let Some(c) = (!id.is_empty()).then(|| resolver.customer(src.file, id)).flatten() else {
                without_customer += 1;
                continue;
            };
            member[c as usize] = true;
            for (f, counts) in [(Field::Device, &mut devices), (Field::Os, &mut systems)] {
                let v = cell(src, r, f);
                if !v.is_empty() {
                    *counts[c as usize].entry(v).or_insert(0) += 1;
                }
            }
            let time = cell(src, r, Field::EventTime);
            see_day(time);
            match time_of_day(time) {
                Some(t) => event_times.push((c, t)),
                None => events_without_time += 1,
            }
        }
    }

    let members: Vec<usize> = (0..n).filter(|&i| member[i]).collect();
    if members.is_empty() {
        return Err(ProfileError::NoCustomers);
    }
    let customers = members.len() as u64;
    let as_of = params.as_of.or(latest);
    let ages: Vec<Option<f64>> = u
        .customers
        .iter()
        .map(|c| {
            let attr = |f: Field| c.attributes.get(&f).map(|v| trim_text(v)).filter(|v| !v.is_empty());
            attr(Field::Age).and_then(crate::engine::analyze::bins::number).or_else(|| {
                let born = parse_timestamp(attr(Field::BirthDate)?).ok()?.day;
                age_on(born, as_of?).map(|a| a as f64)
            })
        })
        .collect();

    let share = |k: u64| k as f64 / customers as f64;
    let mut dimensions = Vec::new();
    let mut row_of: Vec<Vec<u32>> = Vec::new();
    let mut done = HashSet::new();
    for &dim in params.dimensions.iter().filter(|d| done.insert(**d)) {
        let ordered: Option<(Vec<String>, Vec<Option<usize>>)> = match dim {
            Dimension::AgeBand => Some((
                params.age_bands.labels(),
                members.iter().map(|&i| ages[i].map(|a| params.age_bands.band(a))).collect(),
            )),
            Dimension::CityTier => Some((
                CityTier::ALL.iter().map(|t| t.label().to_string()).collect(),
                members
                    .iter()
                    .map(|&i| {
                        let city = u.customers[i].attributes.get(&Field::City).map_or("", String::as_str);
                        city_tier(city).and_then(|t| CityTier::ALL.iter().position(|&x| x == t))
                    })
                    .collect(),
            )),
            _ => None,
        };
        let mut rows = Vec::new();
        // Each member's row; `None` (unknown) until the rows are listed.
        let mut at: Vec<Option<u32>> = Vec::with_capacity(members.len());
        let (distinct, other_values, known) = if let Some((labels, of)) = ordered {
            let mut counts = vec![0u64; labels.len()];
            for b in of.iter().flatten() {
                counts[*b] += 1;
            }
            at.extend(of.iter().map(|b| b.map(|b| b as u32)));
            for (label, &k) in labels.into_iter().zip(&counts) {
                rows.push(ProfileRow { kind: RowKind::Value, value: label, customers: k, share: share(k) });
            }
            (counts.iter().filter(|&&k| k > 0).count() as u64, 0, counts.iter().sum::<u64>())
        } else {
            let modes = if dim == Dimension::Device { &devices } else { &systems };
            let values: Vec<&str> = members
                .iter()
                .map(|&i| match dim.attribute() {
                    Some(f) => u.customers[i].attributes.get(&f).map_or("", |v| trim_text(v)),
                    None => modes.get(i).and_then(mode).unwrap_or(""),
                })
                .collect();
            let c = categorical(values.iter().copied(), params.top);
            let listed_at: HashMap<&str, u32> =
                c.values.iter().enumerate().map(|(i, v)| (v.value.as_str(), i as u32)).collect();
            let other_at = c.values.len() as u32;
            at.extend(values.iter().map(|v| match listed_at.get(v) {
                Some(&i) => Some(i),
                None if !v.is_empty() => Some(other_at),
                None => None,
            }));
            for v in c.values {
                rows.push(ProfileRow {
                    kind: RowKind::Value,
                    value: v.value,
                    customers: v.count,
                    share: share(v.count),
                });
            }
            let listed: u64 = rows.iter().map(|r| r.customers).sum();
            let other = c.other.as_ref().map_or(0, |o| o.count);
            if let Some(o) = &c.other {
                rows.push(ProfileRow {
                    kind: RowKind::Other,
                    value: OTHER_LABEL.into(),
                    customers: o.count,
                    share: share(o.count),
                });
            }
            (c.distinct, c.other.map_or(0, |o| o.values), listed + other)
        };
        let unknown = customers - known;
        let unknown_at = rows.len() as u32;
        row_of.push(at.into_iter().map(|r| r.unwrap_or(unknown_at)).collect());
        rows.push(ProfileRow {
            kind: RowKind::Unknown,
            value: UNKNOWN_LABEL.into(),
            customers: unknown,
            share: share(unknown),
        });
        dimensions.push(DimensionProfile { dimension: dim, distinct, other_values, rows });
    }

    let yuan = |units: i64| Money::from_units(units).to_f64();
    let buyers: Vec<usize> = members.iter().copied().filter(|&i| o.orders[i] > 0).collect();
    let values = |m: Measure| -> Vec<f64> {
        match m {
            Measure::Age => members.iter().filter_map(|&i| ages[i]).collect(),
            Measure::Spend => buyers.iter().map(|&i| yuan(o.spend[i])).collect(),
            Measure::Orders => buyers.iter().map(|&i| o.orders[i] as f64).collect(),
            Measure::OrderValue => o.values.iter().map(|&v| yuan(v)).collect(),
        }
    };
    let numbers = Measure::ALL
        .into_iter()
        .map(|m| MeasureSummary { measure: m, summary: numeric_summary(values(m), params.bins) })
        .collect();

    let heat = match (&inputs.events, &inputs.orders) {
        (Some(e), _) if !event_times.is_empty() => {
            Some(heat_of(HeatSource::Events, e.file, &event_times, events_without_time))
        }
        (_, Some(src)) if o.times.iter().any(|t| t.1.is_some()) => {
            let times: Vec<(u32, Timestamp)> = o.times.iter().filter_map(|&(c, t)| Some((c, t?))).collect();
            let without = (o.times.len() - times.len()) as u64;
            Some(heat_of(HeatSource::Orders, src.file, &times, without))
        }
        _ => None,
    };

    let who = ProfileMembers { ids: members.iter().map(|&i| u.customers[i].id.clone()).collect(), rows: row_of };
    let profile = CustomerProfile {
        customers,
        in_crm: members.iter().filter(|&&i| u.customers[i].in_crm).count() as u64,
        buyers: buyers.len() as u64,
        as_of: as_of.map(|d| d.to_string()),
        rows_without_customer: without_customer,
        dimensions,
        numbers,
        heat,
    };
    Ok((profile, who))
}

/// Columns of [`CustomerProfile::dimension_table`].
pub const DIMENSION_COLUMNS: [&str; 4] = ["dimension", "value", "customers", "share"];
/// Columns of [`CustomerProfile::numbers_table`].
pub const NUMBER_COLUMNS: [&str; 9] = ["measure", "count", "mean", "std", "min", "q1", "median", "q3", "max"];
/// Columns of [`CustomerProfile::histogram_table`].
pub const HISTOGRAM_COLUMNS: [&str; 5] = ["measure", "bin", "lo", "hi", "count"];
/// Columns of [`CustomerProfile::heatmap_table`].
pub const HEATMAP_COLUMNS: [&str; 5] = ["source", "weekday", "hour", "count", "customers"];
/// Sheets of the profiles workbook, in order.
pub const PROFILE_SHEETS: [&str; 4] = ["dimensions", "numbers", "histograms", "heatmap"];

fn push(t: &mut TextTable, cells: &[String]) {
    let row = t.len() as u64 + 2;
    t.push(row, cells.iter().map(String::as_str));
}

fn table(headers: &[&str]) -> TextTable {
    TextTable::new(headers.iter().map(|h| h.to_string()).collect())
}

impl CustomerProfile {
    /// Every dimension's rows: dimension, value, customers, share (0–1).
    pub fn dimension_table(&self) -> TextTable {
        let mut t = table(&DIMENSION_COLUMNS);
        for d in &self.dimensions {
            for r in &d.rows {
                push(
                    &mut t,
                    &[d.dimension.key().into(), r.value.clone(), r.customers.to_string(), r.share.to_string()],
                );
            }
        }
        t
    }

    /// The numeric summaries: measure, count, mean, std, min, q1, median, q3, max (empty without values).
    pub fn numbers_table(&self) -> TextTable {
        let mut t = table(&NUMBER_COLUMNS);
        for m in &self.numbers {
            let mut cells = vec![m.measure.key().to_string()];
            match &m.summary {
                Some(s) => cells.extend([
                    s.count.to_string(),
                    s.mean.to_string(),
                    s.std.map_or_else(String::new, |x| x.to_string()),
                    s.min.to_string(),
                    s.q1.to_string(),
                    s.median.to_string(),
                    s.q3.to_string(),
                    s.max.to_string(),
                ]),
                None => cells.extend(["0".to_string()].into_iter().chain(std::iter::repeat_n(String::new(), 7))),
            }
            push(&mut t, &cells);
        }
        t
    }

    /// Every histogram bin: measure, bin label, lower and upper edge, count.
    pub fn histogram_table(&self) -> TextTable {
        let mut t = table(&HISTOGRAM_COLUMNS);
        for m in &self.numbers {
            for b in m.summary.iter().flat_map(|s| &s.histogram) {
                let cells =
                    [m.measure.key().into(), b.label.clone(), b.lo.to_string(), b.hi.to_string(), b.count.to_string()];
                push(&mut t, &cells);
            }
        }
        t
    }

    /// The heat map in long form: source, weekday (1 = Monday … 7 = Sunday), hour, count, customers.
    pub fn heatmap_table(&self) -> TextTable {
        let mut t = table(&HEATMAP_COLUMNS);
        if let Some(h) = &self.heat {
            let source = match h.source {
                HeatSource::Events => "events",
                HeatSource::Orders => "orders",
            };
            for d in 0..7 {
                for hour in 0..24 {
                    let cells = [
                        source.to_string(),
                        (d + 1).to_string(),
                        hour.to_string(),
                        h.counts[d][hour].to_string(),
                        h.customers[d][hour].to_string(),
                    ];
                    push(&mut t, &cells);
                }
            }
        }
        t
    }

    /// The tables of the workbook, named as [`PROFILE_SHEETS`].
    pub fn tables(&self) -> [TextTable; 4] {
        [self.dimension_table(), self.numbers_table(), self.histogram_table(), self.heatmap_table()]
    }

    /// As it may be shown or exported: values scrubbed of personal data (a phone written as a city…).
    pub fn shown(&self, d: &Disclosure) -> CustomerProfile {
        let mut p = self.clone();
        // What the audience may not see is left out: dimensions, measures and the heat map of hidden fields.
        let hidden = |f: Field| d.scope.field(Some(f)) == Access::Hidden;
        p.dimensions.retain(|x| !hidden(x.dimension.field()));
        p.numbers.retain(|x| !hidden(x.measure.field()));
        let heat_field = |h: &HeatMap| match h.source {
            HeatSource::Events => Field::EventTime,
            HeatSource::Orders => Field::OrderTime,
        };
        if p.heat.as_ref().is_some_and(|h| hidden(heat_field(h))) {
            p.heat = None;
        }
        for r in p.dimensions.iter_mut().flat_map(|x| x.rows.iter_mut()).filter(|r| r.kind == RowKind::Value) {
            r.value = share::text(&r.value, d).into_owned();
        }
        p
    }

    /// The counts of a dimension, if it was asked for.
    pub fn dimension(&self, d: Dimension) -> Option<&DimensionProfile> {
        self.dimensions.iter().find(|x| x.dimension == d)
    }

    /// The summary of a measure, if it has values.
    pub fn number(&self, m: Measure) -> Option<&NumericSummary> {
        self.numbers.iter().find(|x| x.measure == m).and_then(|x| x.summary.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::fields::SourceKind;
    use crate::engine::unify::{unify, UnifyOptions};

    use crate::engine::unify::fixture::Owned;

    fn owned(file: &'static str, kind: SourceKind, headers: &[&str], rows: &[&[&str]]) -> Owned {
        Owned::new(file, kind, headers, rows)
    }

    fn source(o: &Owned) -> Source<'_> {
        o.source()
    }

    fn run(tables: &[&Owned], params: &ProfileParams) -> Result<CustomerProfile, ProfileError> {
        let sources: Vec<Source<'_>> = tables.iter().map(|o| source(o)).collect();
        let u = unify(&sources, &UnifyOptions::default());
        let of = |k: SourceKind| tables.iter().find(|o| o.mapping.kind == k).map(|o| source(o));
        profiles(&ProfileInputs { unified: &u, orders: of(SourceKind::Orders), events: of(SourceKind::Events) }, params)
    }

    fn rows(p: &CustomerProfile, d: Dimension) -> Vec<(String, u64)> {
        p.dimension(d).expect("dimension").rows.iter().map(|r| (r.value.clone(), r.customers)).collect()
    }

    fn pairs(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    #[test]
    fn city_tiers_from_the_table() {
        let t = tier_table();
        let count = |tier| t.values().filter(|&&x| x == tier).count();
        assert_eq!((count(CityTier::Tier1), count(CityTier::NewTier1), count(CityTier::Tier2)), (4, 15, 30));
        assert_eq!(city_tier("北京"), Some(CityTier::Tier1));
        assert_eq!(city_tier(" 上海市 "), Some(CityTier::Tier1), "trailing 市 and spaces");
        assert_eq!(city_tier("昆明市"), Some(CityTier::NewTier1));
        assert_eq!(city_tier("佛山"), Some(CityTier::Tier2), "佛山 left 新一线 in 2023");
        assert_eq!(city_tier("绵阳市"), Some(CityTier::Tier3Below), "not listed");
        assert_eq!(city_tier("Atlantis"), Some(CityTier::Tier3Below));
        assert_eq!(city_tier(""), None);
        assert_eq!(city_tier("未知"), None);
    }

    #[test]
    fn age_bands_labels_and_edges() {
        let d = AgeBands::default();
        let want: Vec<String> = AGE_BANDS.iter().map(|b| b.0.to_string()).collect();
        assert_eq!(d.labels(), want, "the same bands as the column profile");
        assert_eq!((d.band(17.9), d.band(18.0), d.band(25.9), d.band(26.0), d.band(90.0)), (0, 1, 1, 2, 5));
        let b = AgeBands::parse("20，30、31").expect("bands");
        assert_eq!(b.labels(), vec!["<20", "20–29", "30", "31+"]);
        assert!(matches!(AgeBands::parse("30,20"), Err(ProfileError::AgeBands { .. })));
        assert!(matches!(AgeBands::parse("a"), Err(ProfileError::AgeBands { .. })));
        assert!(matches!(AgeBands::parse(""), Err(ProfileError::AgeBands { .. })));
    }

    #[test]
    fn dimensions_by_hand_with_unknowns() {
        // Five CRM customers; O9 is an order of a customer not in the CRM (an orphan, profiled);
        // T1's ticket customer is not profiled (no CRM record, order or event).
        let crm = owned(
            "crm.csv",
            SourceKind::Customers,
            &["客户ID", "性别", "年龄", "出生日期", "城市", "会员等级"],
            &[
                &["C1", "女", "17", "", "北京市", "金卡"],
                &["C2", "男", "", "1990-06-16", "杭州", "金卡"],
                &["C3", "女", "30", "", "绵阳", "普通"],
                &["C4", "", "", "", "", "银卡"],
                &["C5", "女", "56", "", "未知", ""],
            ],
        );
        let orders = owned(
            "orders.csv",
            SourceKind::Orders,
            &["订单号", "客户ID", "下单时间", "订单金额"],
            &[
                &["O1", "C1", "2024-06-15 10:00:00", "100"],
                &["O1", "C1", "2024-06-15 10:00:00", "20.5"],
                &["O2", "C1", "2024-06-16 11:00:00", "30"],
                &["O3", "C2", "2024-06-14", "50"],
                &["", "C2", "2024-06-14", "-10"],
                &["O9", "X9", "2024-06-10 09:30", "7"],
                &["O5", "", "2024-06-10 09:30", "7"],
            ],
        );
        let tickets =
            owned("t.csv", SourceKind::Tickets, &["工单号", "客户ID", "创建时间"], &[&["T1", "Z1", "2024-01-01"]]);
        let p =
            run(&[&crm, &orders, &tickets], &ProfileParams { top: 1, ..ProfileParams::default() }).expect("profiles");
        assert_eq!((p.customers, p.in_crm, p.buyers, p.rows_without_customer), (6, 5, 3, 1));
        // Ages: 17, 30, 56 given; C2 born 1990-06-16 turns 34 on 2024-06-16 (the latest order day).
        assert_eq!(p.as_of.as_deref(), Some("2024-06-16"));
        assert_eq!(
            rows(&p, Dimension::AgeBand),
            pairs(&[("<18", 1), ("18–25", 0), ("26–35", 2), ("36–45", 0), ("46–55", 0), ("56+", 1), ("(unknown)", 2)])
        );
        // Top 1: 女 (3 of 6); 男 the other; C4 and X9 unknown.
        assert_eq!(rows(&p, Dimension::Gender), pairs(&[("女", 3), ("(other)", 1), ("(unknown)", 2)]));
        let g = p.dimension(Dimension::Gender).expect("gender");
        assert_eq!((g.distinct, g.other_values), (2, 1));
        assert!((g.rows.iter().map(|r| r.share).sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(g.rows[0].share, 0.5);
        // 未知 and blank cities are unknown; 绵阳 is not listed: 三线及以下.
        assert_eq!(
            rows(&p, Dimension::CityTier),
            pairs(&[("一线", 1), ("新一线", 1), ("二线", 0), ("三线及以下", 1), ("(unknown)", 3)])
        );
        // No events table: device unknown for everyone.
        assert_eq!(rows(&p, Dimension::Device), pairs(&[("(unknown)", 6)]));
        // Orders: C1 has O1 (120.50) and O2 (30), C2 has O3 (50) and a row without an order id (−10), X9 has O9 (7).
        let spend = p.number(Measure::Spend).expect("spend");
        assert_eq!((spend.count, spend.min, spend.median, spend.max), (3, 7.0, 40.0, 150.5));
        let orders = p.number(Measure::Orders).expect("orders");
        assert_eq!((orders.count, orders.mean), (3, 5.0 / 3.0));
        let v = p.number(Measure::OrderValue).expect("order value");
        assert_eq!((v.count, v.min, v.max), (5, -10.0, 120.5));
        assert!((v.mean - 197.5 / 5.0).abs() < 1e-12, "客单价 = spend / orders = 197.50 / 5");
        let age = p.number(Measure::Age).expect("age");
        assert_eq!((age.count, age.min, age.median, age.max), (4, 17.0, 32.0, 56.0));
        // No events: the heat map is of orders with a time of day (O1, O2, O9; O3 and the id-less row are dates only).
        let h = p.heat.as_ref().expect("heat");
        assert_eq!((h.source, h.counted, h.without_time), (HeatSource::Orders, 3, 2));
        // 2024-06-15 is a Saturday, 2024-06-10 a Monday.
        assert_eq!((h.counts[5][10], h.counts[6][11], h.counts[0][9]), (1, 1, 1));
    }

    #[test]
    fn heat_map_of_three_events_and_device_modes() {
        let events = owned(
            "events.csv",
            SourceKind::Events,
            &["用户ID", "行为类型", "行为时间", "设备", "操作系统"],
            &[
                // 2024-03-04 is a Monday, 2024-03-10 a Sunday.
                &["A", "浏览", "2024-03-04 09:15:00", "手机", "iOS"],
                &["A", "加购", "2024-03-04 09:59:59", "电脑", "Windows"],
                &["B", "浏览", "2024-03-10 23:00:00", "手机", ""],
                &["B", "浏览", "2024-03-11", "电脑", ""],
                &["", "浏览", "2024-03-11 10:00:00", "手机", ""],
            ],
        );
        let p = run(&[&events], &ProfileParams::default()).expect("profiles");
        assert_eq!((p.customers, p.in_crm, p.buyers, p.rows_without_customer), (2, 0, 0, 1));
        let h = p.heat.as_ref().expect("heat");
        assert_eq!((h.source, h.file.as_str(), h.counted, h.without_time), (HeatSource::Events, "events.csv", 3, 1));
        assert_eq!((h.counts[0][9], h.customers[0][9]), (2, 1), "two events of one customer on Monday 9:00–9:59");
        assert_eq!((h.counts[6][23], h.customers[6][23]), (1, 1));
        assert_eq!(h.counts.iter().flatten().sum::<u64>(), 3);
        assert_eq!(h.max(), 2);
        // Ties go to the smaller value: A has 手机 and 电脑 once each → 手机 < 电脑 by code point.
        assert!("手机" < "电脑");
        assert_eq!(rows(&p, Dimension::Device), pairs(&[("手机", 2), ("(unknown)", 0)]));
        assert_eq!(rows(&p, Dimension::Os), pairs(&[("Windows", 1), ("(unknown)", 1)]));
        // No orders: no spend summaries, and everyone unknown in the CRM dimensions.
        assert!(p.number(Measure::Spend).is_none());
        assert_eq!(rows(&p, Dimension::Province), pairs(&[("(unknown)", 2)]));
        let t = p.heatmap_table();
        assert_eq!(t.len(), 168);
        assert_eq!(t.row(9).collect::<Vec<_>>(), vec!["events", "1", "9", "2", "1"]);
    }

    #[test]
    fn params_are_checked_and_nothing_to_profile_is_an_error() {
        let crm = owned("crm.csv", SourceKind::Customers, &["客户ID", "省份"], &[&["C1", "广东省"]]);
        let bad = ProfileParams { bins: 0, ..ProfileParams::default() };
        assert_eq!(run(&[&crm], &bad), Err(ProfileError::Counts { bins: 0, top: 20 }));
        let bad = ProfileParams { age_bands: AgeBands(vec![30, 20]), ..ProfileParams::default() };
        assert!(matches!(run(&[&crm], &bad), Err(ProfileError::AgeBands { .. })));
        let only =
            ProfileParams { dimensions: vec![Dimension::Province, Dimension::Province], ..ProfileParams::default() };
        let p = run(&[&crm], &only).expect("profiles");
        assert_eq!(p.dimensions.len(), 1, "a dimension asked twice is counted once");
        assert!(p.heat.is_none());
        let empty = owned("crm.csv", SourceKind::Customers, &["客户ID", "省份"], &[]);
        assert_eq!(run(&[&empty], &ProfileParams::default()), Err(ProfileError::NoCustomers));
    }

    #[test]
    fn tables_for_export() {
        let crm = owned("crm.csv", SourceKind::Customers, &["客户ID", "省份"], &[&["C1", "广东省"], &["C2", ""]]);
        let dims = ProfileParams { dimensions: vec![Dimension::Province], ..ProfileParams::default() };
        let p = run(&[&crm], &dims).expect("profiles");
        let t = p.dimension_table();
        assert_eq!(t.headers, DIMENSION_COLUMNS);
        let all: Vec<Vec<&str>> = (0..t.len()).map(|r| t.row(r).collect()).collect();
        assert_eq!(all, vec![vec!["province", "广东省", "1", "0.5"], vec!["province", "(unknown)", "1", "0.5"]]);
        let n = p.numbers_table();
        assert_eq!(n.len(), 4);
        assert_eq!(n.row(0).collect::<Vec<_>>(), vec!["age", "0", "", "", "", "", "", "", ""]);
        assert_eq!(p.heatmap_table().len(), 0);
        assert_eq!(p.tables().len(), PROFILE_SHEETS.len());
    }

    #[test]
    fn values_are_scrubbed_unless_raw() {
        // A mobile number typed into the city field: masked wherever the profile is shown or exported.
        let crm =
            owned("crm.csv", SourceKind::Customers, &["客户ID", "城市"], &[&["C1", "13812345678"], &["C2", "杭州"]]);
        let dims = ProfileParams { dimensions: vec![Dimension::City], ..ProfileParams::default() };
        let p = run(&[&crm], &dims).expect("profiles");
        let shown = p.shown(&Disclosure::default());
        let values: Vec<&str> = shown.dimensions[0].rows.iter().map(|r| r.value.as_str()).collect();
        assert!(!values.contains(&"13812345678") && values.contains(&"杭州"), "{values:?}");
        assert!(shown.dimension_table().row(0).all(|c| !c.contains("12345678")));
        assert_eq!(p.shown(&Disclosure::raw()), p);
    }

    #[test]
    fn a_role_is_not_shown_the_dimensions_and_measures_of_fields_it_may_not_see() {
        use crate::engine::privacy::roles::{Role, Visibility};
        use crate::engine::privacy::scope::Scope;
        let crm = owned(
            "crm.csv",
            SourceKind::Customers,
            &["客户ID", "城市", "性别"],
            &[&["C1", "北京", "男"], &["C2", "杭州", "女"]],
        );
        let p = run(&[&crm], &ProfileParams::default()).expect("profiles");
        let service = Scope { access: Visibility::default().of(Role::Service), ..Scope::everything() };
        let shown = p.shown(&Disclosure::default().with_scope(service));
        assert!(shown.dimension(Dimension::City).is_none() && shown.dimension(Dimension::Gender).is_none());
        assert!(shown.dimension(Dimension::MemberLevel).is_some(), "service sees member levels");
        assert!(shown.numbers.iter().all(|m| m.measure != Measure::Spend));
        assert!(p.shown(&Disclosure::default()).dimension(Dimension::City).is_some());
    }

    #[test]
    fn profile_rows_list_their_customers() {
        // C1 女 17 北京市; C2 男 34 (born 1990-06-16) 杭州; C3 女 30 绵阳; C4 no gender, age or city;
        // C5 女 56 未知; X9 an orphan with an order only.
        let crm = owned(
            "crm.csv",
            SourceKind::Customers,
            &["客户ID", "性别", "年龄", "出生日期", "城市"],
            &[
                &["C1", "女", "17", "", "北京市"],
                &["C2", "男", "", "1990-06-16", "杭州"],
                &["C3", "女", "30", "", "绵阳"],
                &["C4", "", "", "", ""],
                &["C5", "女", "56", "", "未知"],
            ],
        );
        let orders = owned(
            "orders.csv",
            SourceKind::Orders,
            &["订单号", "客户ID", "下单时间", "订单金额"],
            &[&["O1", "C1", "2024-06-16", "10"], &["O9", "X9", "2024-06-10", "7"]],
        );
        let sources = [crm.source(), orders.source()];
        let u = unify(&sources, &UnifyOptions::default());
        let inputs = ProfileInputs { unified: &u, orders: Some(orders.source()), events: None };
        let params = ProfileParams { top: 1, ..ProfileParams::default() };
        let (p, who) = profiles_with_members(&inputs, &params).expect("profiles");
        let of = |spec: &str| {
            let (d, r) = ProfileMembers::find(&p, spec).expect(spec);
            who.of(d, r)
        };
        assert_eq!(of("gender=女"), vec!["C1", "C3", "C5"]);
        assert_eq!(of("gender=(other)"), vec!["C2"]);
        assert_eq!(of("gender=(unknown)"), vec!["C4", "X9"]);
        assert_eq!(of("age_band=<18"), vec!["C1"]);
        assert_eq!(of("age_band=26-35"), vec!["C2", "C3"], "a hyphen for the band's dash");
        assert_eq!(of("age_band=26–35"), vec!["C2", "C3"]);
        assert!(of("age_band=36–45").is_empty());
        assert_eq!(of("age_band=(unknown)"), vec!["C4", "X9"]);
        assert_eq!(of("city_tier=一线"), vec!["C1"]);
        assert_eq!(of("city_tier=(unknown)"), vec!["C4", "C5", "X9"]);
        // Every row's list has the row's count.
        for (d, dim) in p.dimensions.iter().enumerate() {
            for (r, row) in dim.rows.iter().enumerate() {
                assert_eq!(who.of(d, r).len() as u64, row.customers, "{:?} {}", dim.dimension, row.value);
            }
        }
        assert!(matches!(ProfileMembers::find(&p, "gender"), Err(MemberError::Syntax { .. })));
        assert!(matches!(ProfileMembers::find(&p, "planet=Mars"), Err(MemberError::NoDimension { .. })));
        let e = ProfileMembers::find(&p, "gender=X").expect_err("no row");
        assert_eq!(e.to_string(), "dimension `gender` has no row `X` (rows: 女, (other), (unknown))");
    }
}
