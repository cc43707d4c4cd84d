//! M10 Tags: rule-based customer tags over the unified customer table — the
//! definitions (name, dimension, level, a tree of conditions), their JSON
//! form (`tags.json`, a list) with typed errors naming the tag and condition,
//! the evaluation (who carries each tag, coverage, pairwise overlap) and a
//! default set.
//!
//! # Conditions
//! A condition compares a *metric* of a customer with a value. Metrics:
//! - any CRM attribute of the unified table by its field key (`province`,
//!   `member_level`, `gender`, `channel`, `industry`, `city`,
//!   `company_size`…): text, compared with `=`, `!=` or `contains`; `age` is
//!   a number;
//! - from the orders: `order_amount` (net sum of the amounts), `order_count`
//!   (distinct order ids; a row without one is one order), `repurchases`
//!   (`order_count − 1`, at least 0), `days_since_last_order`,
//!   `days_since_first_order`;
//! - from the tickets: `tickets`, `complaints` (types naming 投诉 /
//!   complaint), `tickets_of_type` (types containing `ticket_type`, e.g.
//!   `物流`);
//! - from the events: `events`;
//! - from the unified table: `last_satisfaction`, `last_nps` (the latest
//!   answers, read as numbers);
//! - `user_id`: the customer's id in the unified view, compared with `in`
//!   and a list of ids — a fixed list of customers, as saved from a
//!   customer list of an analysis ([`list_tag`]). `in` with a list also
//!   works on any text attribute (`province` in `["浙江", "江苏"]`).
//!
//! Counts and sums take an optional `window_days`: only rows dated in the
//! `window_days` days ending at the as-of date (`as_of − window < day ≤
//! as_of`) count; without a window, every row dated on or before it. Rows
//! without a readable date count in no metric. The as-of date is given, or
//! the latest day in the orders, tickets and events. A metric a customer has
//! no value for (no order for `days_since_last_order`, a blank attribute,
//! no answer) makes the condition false.
//!
//! Rows of the tables are tied to unified customers as the unification tied
//! them: by the identity matches of their file and the applied merges, else
//! by their own id.

use crate::engine::clean::recipe::Op;
use crate::engine::clean::table::TextTable;
use crate::engine::date::{parse_timestamp, Day};
use crate::engine::ingest::fields::{Field, SourceKind};
use crate::engine::money::{parse_amount, trim_text};
use crate::engine::unify::{is_complaint, Resolver, Source, Unified};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// What a tag describes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Who the customer is (region, level…).
    Attribute,
    /// What the customer does (buying, browsing, lapsing).
    Behaviour,
    /// What the customer needs from service.
    ServiceNeed,
    /// What the customer is worth.
    Value,
}

/// How prominent a tag is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A core tag.
    Core,
    /// A secondary tag.
    Secondary,
}

/// How a metric is compared with the value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparison {
    /// Equal.
    #[serde(rename = "=", alias = "==", alias = "eq")]
    Eq,
    /// Not equal.
    #[serde(rename = "!=", alias = "ne")]
    Ne,
    /// Less than.
    #[serde(rename = "<", alias = "lt")]
    Lt,
    /// At most.
    #[serde(rename = "<=", alias = "≤", alias = "le")]
    Le,
    /// More than.
    #[serde(rename = ">", alias = "gt")]
    Gt,
    /// At least.
    #[serde(rename = ">=", alias = "≥", alias = "ge")]
    Ge,
    /// The text contains the value.
    #[serde(rename = "contains")]
    Contains,
    /// The text is one of a list of values.
    #[serde(rename = "in")]
    In,
}

impl Comparison {
    /// The symbol (`>=`…).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Eq => "=",
            Comparison::Ne => "!=",
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
            Comparison::Contains => "contains",
            Comparison::In => "in",
        }
    }

    fn orders(self) -> bool {
        self.op().is_some_and(Op::is_ordering)
    }

    /// The comparison as a cleaning rule's operator (which does the
    /// comparing); none for `in`.
    fn op(self) -> Option<Op> {
        Some(match self {
            Comparison::Eq => Op::Eq,
            Comparison::Ne => Op::Ne,
            Comparison::Lt => Op::Lt,
            Comparison::Le => Op::Le,
            Comparison::Gt => Op::Gt,
            Comparison::Ge => Op::Ge,
            Comparison::Contains => Op::Contains,
            Comparison::In => return None,
        })
    }
}

/// A condition's value: a number or a text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RuleValue {
    /// A number.
    Number(f64),
    /// A text.
    Text(String),
    /// A list of texts (with `in`).
    List(Vec<String>),
}

impl RuleValue {
    fn text(&self) -> String {
        match self {
            RuleValue::Number(x) => x.to_string(),
            RuleValue::Text(t) => t.clone(),
            RuleValue::List(v) => format!("[{} values]", v.len()),
        }
    }
}

/// One comparison of a customer metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The metric (see the module notes): a field key or a derived metric.
    pub metric: String,
    /// Only rows in the last this many days up to the as-of date (counts and sums only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_days: Option<i64>,
    /// For `tickets_of_type`: the text the ticket type contains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_type: Option<String>,
    /// The comparison.
    pub op: Comparison,
    /// The value compared with.
    pub value: RuleValue,
}

/// How a group combines its items.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupOp {
    /// Every item holds.
    All,
    /// At least one item holds.
    Any,
}

/// Items combined by `op`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// All or any.
    pub op: GroupOp,
    /// Conditions and nested groups.
    pub items: Vec<Rule>,
}

/// A condition or a group of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Rule {
    /// A nested group.
    Group(Group),
    /// One condition.
    Condition(Condition),
}

/// A tag definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagDef {
    /// The tag's name (unique in a set).
    pub name: String,
    /// What it describes.
    pub dimension: Dimension,
    /// Core or secondary.
    pub level: Level,
    /// Who carries it.
    pub rule: Group,
}

/// Why a tag set is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TagError {
    /// The text is not a JSON list of tag definitions.
    #[error("the tag definitions are not valid JSON: {message}")]
    Json {
        /// What the parser reported.
        message: String,
    },
    /// A tag without a name.
    #[error("tag {index}: the name is blank")]
    BlankName {
        /// Its position (1-based).
        index: usize,
    },
    /// Two tags share a name.
    #[error("tag `{tag}`: the name is used twice")]
    DuplicateName {
        /// The name.
        tag: String,
    },
    /// A metric that does not exist.
    #[error("tag `{tag}`, condition {condition}: unknown metric `{metric}` (use a customer field such as province or member_level, or {derived})", derived = DERIVED_METRICS.join(", "))]
    UnknownMetric {
        /// The tag.
        tag: String,
        /// The condition, by position (`2.1` = the first item of the second item).
        condition: String,
        /// The metric named.
        metric: String,
    },
    /// A text metric with `<`, `<=`, `>` or `>=`.
    #[error("tag `{tag}`, condition {condition}: `{metric}` is text and cannot be compared with `{op}` (use =, != or contains)")]
    TextOrdered {
        /// The tag.
        tag: String,
        /// The condition.
        condition: String,
        /// The metric.
        metric: String,
        /// The comparison.
        op: String,
    },
    /// A number metric with `contains` or a text value.
    #[error("tag `{tag}`, condition {condition}: `{metric}` is a number and needs a number with =, !=, <, <=, > or >= (got {op} {value})")]
    NumberNeedsNumber {
        /// The tag.
        tag: String,
        /// The condition.
        condition: String,
        /// The metric.
        metric: String,
        /// The comparison.
        op: String,
        /// The value given.
        value: String,
    },
    /// A window below 0 days.
    #[error("tag `{tag}`, condition {condition}: the window of `{metric}` is {days} days; it must be 0 or more")]
    NegativeWindow {
        /// The tag.
        tag: String,
        /// The condition.
        condition: String,
        /// The metric.
        metric: String,
        /// The window given.
        days: i64,
    },
    /// A window on a metric that has none.
    #[error("tag `{tag}`, condition {condition}: `{metric}` takes no window (only counts and sums of orders, tickets and events do)")]
    WindowNotAllowed {
        /// The tag.
        tag: String,
        /// The condition.
        condition: String,
        /// The metric.
        metric: String,
    },
    /// `tickets_of_type` without `ticket_type`.
    #[error("tag `{tag}`, condition {condition}: `tickets_of_type` needs a non-blank `ticket_type` (e.g. 物流)")]
    NoTicketType {
        /// The tag.
        tag: String,
        /// The condition.
        condition: String,
    },
    /// `in` without a list, a list without `in`, or `user_id` compared otherwise.
    #[error("tag `{tag}`, condition {condition}: `{metric}` — use `in` with a list of values (a list only with `in`, on a text metric such as user_id or province; user_id only so)")]
    InList {
        /// The tag.
        tag: String,
        /// The condition.
        condition: String,
        /// The metric.
        metric: String,
    },
    /// A group with no items.
    #[error("tag `{tag}`, group {condition}: a group needs at least one condition")]
    EmptyGroup {
        /// The tag.
        tag: String,
        /// The group (`root` for the tag's own).
        condition: String,
    },
}

/// The derived metrics, by name.
pub const DERIVED_METRICS: [&str; 12] = [
    "order_amount",
    "order_count",
    "repurchases",
    "days_since_last_order",
    "days_since_first_order",
    "tickets",
    "complaints",
    "tickets_of_type",
    "events",
    "last_satisfaction",
    "last_nps",
    "age",
];

/// Whether `metric` (a field key or a derived metric) takes a `window_days`.
pub fn takes_window(metric: &str) -> bool {
    Metric::parse(metric, Some("-")).is_some_and(|m| m.takes_window())
}

/// Whether `metric` is a text attribute (compared with `=`, `!=`, `contains`); `false` for numbers and unknowns.
pub fn is_text_metric(metric: &str) -> bool {
    Metric::parse(metric, None).is_some_and(|m| m.is_text())
}

/// A metric, resolved.
#[derive(Clone, Debug, PartialEq)]
enum Metric {
    Attribute(Field),
    UserId,
    Age,
    OrderAmount,
    OrderCount,
    Repurchases,
    DaysSinceLastOrder,
    DaysSinceFirstOrder,
    Tickets,
    Complaints,
    TicketsOfType(String),
    Events,
    LastSatisfaction,
    LastNps,
}

impl Metric {
    fn parse(name: &str, ticket_type: Option<&str>) -> Option<Metric> {
        Some(match name.trim() {
            "order_amount" => Metric::OrderAmount,
            "order_count" => Metric::OrderCount,
            "repurchases" => Metric::Repurchases,
            "days_since_last_order" => Metric::DaysSinceLastOrder,
            "days_since_first_order" => Metric::DaysSinceFirstOrder,
            "tickets" => Metric::Tickets,
            "complaints" => Metric::Complaints,
            "tickets_of_type" => Metric::TicketsOfType(ticket_type.map(trim_text).unwrap_or("").to_string()),
            "events" => Metric::Events,
            "last_satisfaction" => Metric::LastSatisfaction,
            "last_nps" => Metric::LastNps,
            "age" => Metric::Age,
            "user_id" => Metric::UserId,
            key => Metric::Attribute(
                Field::from_key(key).filter(|f| crate::engine::unify::ATTRIBUTES.contains(f) && *f != Field::Age)?,
            ),
        })
    }

    fn is_text(&self) -> bool {
        matches!(self, Metric::Attribute(_) | Metric::UserId)
    }

    fn takes_window(&self) -> bool {
        matches!(
            self,
            Metric::OrderAmount
                | Metric::OrderCount
                | Metric::Repurchases
                | Metric::Tickets
                | Metric::Complaints
                | Metric::TicketsOfType(_)
                | Metric::Events
        )
    }

    /// The kind of table the metric needs, if not the unified table alone.
    fn source(&self) -> Option<SourceKind> {
        match self {
            Metric::OrderAmount
            | Metric::OrderCount
            | Metric::Repurchases
            | Metric::DaysSinceLastOrder
            | Metric::DaysSinceFirstOrder => Some(SourceKind::Orders),
            Metric::Tickets | Metric::Complaints | Metric::TicketsOfType(_) => Some(SourceKind::Tickets),
            Metric::Events => Some(SourceKind::Events),
            _ => None,
        }
    }
}

/// A checked condition.
#[derive(Clone, Debug)]
struct Check {
    metric: Metric,
    window: Option<i32>,
    op: Comparison,
    value: RuleValue,
    /// The values of an `in` list.
    list: HashSet<String>,
}

#[derive(Clone, Debug)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Check(Check),
}

impl Node {
    fn sources(&self, out: &mut Vec<SourceKind>) {
        match self {
            Node::All(items) | Node::Any(items) => items.iter().for_each(|n| n.sources(out)),
            Node::Check(c) => out.extend(c.metric.source()),
        }
    }
}

fn check_group(tag: &str, g: &Group, at: &str) -> Result<Node, TagError> {
    if g.items.is_empty() {
        return Err(TagError::EmptyGroup { tag: tag.into(), condition: at.into() });
    }
    let mut items = Vec::with_capacity(g.items.len());
    for (i, item) in g.items.iter().enumerate() {
        let here = if at == "root" { (i + 1).to_string() } else { format!("{at}.{}", i + 1) };
        items.push(match item {
            Rule::Group(inner) => check_group(tag, inner, &here)?,
            Rule::Condition(c) => Node::Check(check_condition(tag, c, here)?),
        });
    }
    Ok(match g.op {
        GroupOp::All => Node::All(items),
        GroupOp::Any => Node::Any(items),
    })
}

fn check_condition(tag: &str, c: &Condition, condition: String) -> Result<Check, TagError> {
    let (t, m) = (tag.to_string(), c.metric.clone());
    let metric = Metric::parse(&c.metric, c.ticket_type.as_deref()).ok_or_else(|| TagError::UnknownMetric {
        tag: t.clone(),
        condition: condition.clone(),
        metric: m.clone(),
    })?;
    if metric == Metric::TicketsOfType(String::new()) {
        return Err(TagError::NoTicketType { tag: t, condition });
    }
    if let Some(days) = c.window_days {
        if days < 0 {
            return Err(TagError::NegativeWindow { tag: t, condition, metric: m, days });
        }
        if !metric.takes_window() {
            return Err(TagError::WindowNotAllowed { tag: t, condition, metric: m });
        }
    }
    let listed = matches!(c.value, RuleValue::List(_));
    if listed != (c.op == Comparison::In) || (listed && !metric.is_text()) || (metric == Metric::UserId && !listed) {
        return Err(TagError::InList { tag: t, condition, metric: m });
    }
    if metric.is_text() && c.op.orders() {
        return Err(TagError::TextOrdered { tag: t, condition, metric: m, op: c.op.symbol().into() });
    }
    if !metric.is_text() && (c.op == Comparison::Contains || matches!(c.value, RuleValue::Text(_))) {
        let value = c.value.text();
        return Err(TagError::NumberNeedsNumber { tag: t, condition, metric: m, op: c.op.symbol().into(), value });
    }
    let window = c.window_days.map(|d| d.min(i64::from(i32::MAX)) as i32);
    let list = match &c.value {
        RuleValue::List(v) => v.iter().map(|x| trim_text(x).to_string()).collect(),
        _ => HashSet::new(),
    };
    Ok(Check { metric, window, op: c.op, value: c.value.clone(), list })
}

/// A valid tag set, ready to evaluate.
#[derive(Clone, Debug)]
pub struct TagSet {
    defs: Vec<TagDef>,
    rules: Vec<Node>,
}

impl TagSet {
    /// Checks the definitions: names present and unique, metrics known, comparisons that fit them, windows ≥ 0.
    pub fn new(defs: Vec<TagDef>) -> Result<TagSet, TagError> {
        let mut rules = Vec::with_capacity(defs.len());
        for (i, d) in defs.iter().enumerate() {
            let name = trim_text(&d.name);
            if name.is_empty() {
                return Err(TagError::BlankName { index: i + 1 });
            }
            if defs[..i].iter().any(|e| trim_text(&e.name) == name) {
                return Err(TagError::DuplicateName { tag: name.to_string() });
            }
            rules.push(check_group(name, &d.rule, "root")?);
        }
        Ok(TagSet { defs, rules })
    }

    /// Reads a `tags.json` list.
    pub fn from_json(text: &str) -> Result<TagSet, TagError> {
        let defs: Vec<TagDef> = serde_json::from_str(text).map_err(|e| TagError::Json { message: e.to_string() })?;
        TagSet::new(defs)
    }

    /// The definitions as a `tags.json` list.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.defs).unwrap_or_else(|_| "[]".to_string())
    }

    /// The definitions.
    pub fn defs(&self) -> &[TagDef] {
        &self.defs
    }
}

fn cond(metric: &str, window_days: Option<i64>, op: Comparison, value: f64) -> Rule {
    Rule::Condition(Condition {
        metric: metric.into(),
        window_days,
        ticket_type: None,
        op,
        value: RuleValue::Number(value),
    })
}

/// The default tags the app offers: 高价值 (value), 紧急服务 (service need),
/// 流失风险 (behaviour), 新客户 (behaviour), 推荐者 (attribute) and 活跃浏览 (behaviour).
pub fn default_tags() -> Vec<TagDef> {
    use Comparison::*;
    let def = |name: &str, dimension, level, op, items| TagDef {
        name: name.into(),
        dimension,
        level,
        rule: Group { op, items },
    };
    let logistics = Rule::Condition(Condition {
        metric: "tickets_of_type".into(),
        window_days: Some(7),
        ticket_type: Some("物流".into()),
        op: Ge,
        value: RuleValue::Number(2.0),
    });
    vec![
        def(
            "高价值",
            Dimension::Value,
            Level::Core,
            GroupOp::All,
            vec![cond("order_amount", Some(365), Ge, 3000.0), cond("repurchases", Some(365), Ge, 3.0)],
        ),
        def(
            "紧急服务",
            Dimension::ServiceNeed,
            Level::Core,
            GroupOp::Any,
            vec![
                cond("complaints", Some(30), Ge, 1.0),
                Rule::Group(Group {
                    op: GroupOp::All,
                    items: vec![logistics, cond("last_satisfaction", None, Lt, 4.0)],
                }),
            ],
        ),
        def(
            "流失风险",
            Dimension::Behaviour,
            Level::Core,
            GroupOp::All,
            vec![cond("days_since_last_order", None, Ge, 180.0), cond("order_count", None, Ge, 2.0)],
        ),
        def(
            "新客户",
            Dimension::Behaviour,
            Level::Secondary,
            GroupOp::All,
            vec![cond("days_since_first_order", None, Le, 90.0)],
        ),
        def("推荐者", Dimension::Attribute, Level::Secondary, GroupOp::All, vec![cond("last_nps", None, Ge, 9.0)]),
        def("活跃浏览", Dimension::Behaviour, Level::Secondary, GroupOp::All, vec![cond("events", Some(30), Ge, 5.0)]),
    ]
}

/// A tag of a fixed list of customers (ids of the unified view): `user_id`
/// `in` the list, the ids sorted and each once.
pub fn list_tag(name: &str, dimension: Dimension, level: Level, ids: impl IntoIterator<Item = String>) -> TagDef {
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    TagDef {
        name: name.trim().to_string(),
        dimension,
        level,
        rule: Group {
            op: GroupOp::All,
            items: vec![Rule::Condition(Condition {
                metric: "user_id".into(),
                window_days: None,
                ticket_type: None,
                op: Comparison::In,
                value: RuleValue::List(ids),
            })],
        },
    }
}

impl Group {
    /// Whether it names customers by id (a `user_id` condition, nested or not).
    pub fn lists_ids(&self) -> bool {
        self.items.iter().any(|r| match r {
            Rule::Group(g) => g.lists_ids(),
            Rule::Condition(c) => c.metric.trim() == "user_id",
        })
    }

    /// How many ids its `user_id` lists name, nested or not.
    pub fn listed_ids(&self) -> usize {
        self.items
            .iter()
            .map(|r| match r {
                Rule::Group(g) => g.listed_ids(),
                Rule::Condition(Condition { value: RuleValue::List(v), metric, .. }) if metric.trim() == "user_id" => {
                    v.len()
                }
                Rule::Condition(_) => 0,
            })
            .sum()
    }
}

impl TagDef {
    /// Whether it names customers by id (a `user_id` condition anywhere): its
    /// definition holds raw ids and is exported only to whom sees them.
    pub fn lists_ids(&self) -> bool {
        self.rule.lists_ids()
    }

    /// How many ids its `user_id` lists name (0 for a tag of rules only).
    pub fn listed_ids(&self) -> usize {
        self.rule.listed_ids()
    }
}

/// What tagging reads: the unified customers and the cleaned tables behind them.
#[derive(Clone, Copy, Debug)]
pub struct TagInputs<'a> {
    /// The unified customer table.
    pub unified: &'a Unified,
    /// The orders table (as unified).
    pub orders: Option<Source<'a>>,
    /// The tickets table.
    pub tickets: Option<Source<'a>>,
    /// The events table.
    pub events: Option<Source<'a>>,
    /// The day windows end on; default the latest day in the tables.
    pub as_of: Option<Day>,
}

/// Customers carrying both of two tags.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overlap {
    /// Customers with both.
    pub both: u64,
    /// `both / customers with either` (0–1); `None` when nobody has either.
    pub jaccard: Option<f64>,
}

/// One tag's coverage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagCoverage {
    /// The tag's name.
    pub name: String,
    /// Its dimension.
    pub dimension: Dimension,
    /// Its level.
    pub level: Level,
    /// Customers carrying it, as indexes into [`Unified::customers`] (increasing).
    pub members: Vec<u32>,
    /// How many.
    pub count: u64,
    /// Their share of all customers (0–1).
    pub share: Option<f64>,
    /// A table the tag needs that was not given (nobody carries it then).
    pub missing_source: Option<SourceKind>,
}

/// The tags evaluated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagReport {
    /// The day windows end on.
    pub as_of: Option<Day>,
    /// Customers in the unified table.
    pub customers: u64,
    /// Per tag, in definition order.
    pub tags: Vec<TagCoverage>,
    /// `overlap[i][j]`: customers with tags `i` and `j` (the diagonal is each tag's own count).
    pub overlap: Vec<Vec<Overlap>>,
    /// Rows of the tables that count in no metric (no customer or unreadable date), per file.
    pub unused_rows: Vec<UnusedRows>,
}

/// Rows of one table that count in no metric.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedRows {
    /// The file.
    pub file: String,
    /// Rows without a customer or a readable date.
    pub rows: u64,
}

/// One customer's dated rows.
#[derive(Default)]
struct Activity {
    orders: Vec<(Day, u32, i64)>,
    tickets: Vec<(Day, String)>,
    events: Vec<Day>,
}

fn day_of(t: &TextTable, r: usize, c: Option<usize>) -> Option<Day> {
    c.and_then(|c| parse_timestamp(t.cell(r, c)).ok()).map(|ts| ts.day)
}

/// Reads `src`'s rows into `acts` through `add`; returns the rows that count nowhere.
fn read_rows(src: &Source<'_>, resolver: &Resolver<'_>, time: Field, mut add: impl FnMut(u32, Day, usize)) -> u64 {
    let col = |f: Field| src.mapping.column(f).filter(|&c| c < src.table.width());
    let (user, time) = (col(Field::UserId), col(time));
    let mut left = 0;
    for r in 0..src.table.len() {
        let id = user.map_or("", |c| trim_text(src.table.cell(r, c)));
        match (resolver.customer(src.file, id), day_of(src.table, r, time)) {
            (Some(c), Some(day)) if !id.is_empty() => add(c, day, r),
            _ => left += 1,
        }
    }
    left
}

fn in_window(day: Day, as_of: Day, window: Option<i32>) -> bool {
    let back = as_of.days_since(day);
    back >= 0 && window.is_none_or(|w| back < w)
}

fn number(v: Option<&String>) -> Option<f64> {
    v.and_then(|s| trim_text(s).parse::<f64>().ok()).filter(|x| x.is_finite())
}

/// Evaluates the tags over every unified customer.
pub fn evaluate(set: &TagSet, inputs: &TagInputs<'_>) -> TagReport {
    let u = inputs.unified;
    let resolver = Resolver::new(u);
    let mut acts: Vec<Activity> = (0..u.customers.len()).map(|_| Activity::default()).collect();
    let mut undated = Vec::new();
    let mut order_keys: HashMap<(u32, &str), u32> = HashMap::new();
    let mut next_key = 0u32;
    if let Some(src) = &inputs.orders {
        let col = |f: Field| src.mapping.column(f).filter(|&c| c < src.table.width());
        let (oid, amount) = (col(Field::OrderId), col(Field::Amount));
        let left = read_rows(src, &resolver, Field::OrderTime, |c, day, r| {
            let id = oid.map_or("", |o| trim_text(src.table.cell(r, o)));
            let key = if id.is_empty() {
                next_key += 1;
                next_key - 1
            } else {
                *order_keys.entry((c, id)).or_insert_with(|| {
                    next_key += 1;
                    next_key - 1
                })
            };
            let units = amount.and_then(|a| parse_amount(src.table.cell(r, a)).ok()).map_or(0, |m| m.units());
            acts[c as usize].orders.push((day, key, units));
        });
        undated.push(UnusedRows { file: src.file.to_string(), rows: left });
    }
    if let Some(src) = &inputs.tickets {
        let ty = src.mapping.column(Field::TicketType).filter(|&c| c < src.table.width());
        let left = read_rows(src, &resolver, Field::CreatedAt, |c, day, r| {
            let t = ty.map_or("", |t| trim_text(src.table.cell(r, t))).to_string();
            acts[c as usize].tickets.push((day, t));
        });
        undated.push(UnusedRows { file: src.file.to_string(), rows: left });
    }
    if let Some(src) = &inputs.events {
        let left = read_rows(src, &resolver, Field::EventTime, |c, day, _| acts[c as usize].events.push(day));
        undated.push(UnusedRows { file: src.file.to_string(), rows: left });
    }
    let as_of = inputs.as_of.or_else(|| {
        acts.iter()
            .flat_map(|a| {
                a.orders.iter().map(|o| o.0).chain(a.tickets.iter().map(|t| t.0)).chain(a.events.iter().copied())
            })
            .max()
    });
    let given: Vec<SourceKind> = [
        inputs.orders.map(|_| SourceKind::Orders),
        inputs.tickets.map(|_| SourceKind::Tickets),
        inputs.events.map(|_| SourceKind::Events),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut tags: Vec<TagCoverage> = set
        .defs
        .iter()
        .zip(&set.rules)
        .map(|(d, rule)| {
            let mut needs = Vec::new();
            rule.sources(&mut needs);
            TagCoverage {
                name: trim_text(&d.name).to_string(),
                dimension: d.dimension,
                level: d.level,
                members: Vec::new(),
                count: 0,
                share: None,
                missing_source: needs.into_iter().find(|k| !given.contains(k)),
            }
        })
        .collect();
    for (i, (c, a)) in u.customers.iter().zip(&acts).enumerate() {
        let ctx = Ctx { customer: c, activity: a, as_of };
        for (t, rule) in tags.iter_mut().zip(&set.rules) {
            if t.missing_source.is_none() && ctx.holds(rule) {
                t.members.push(i as u32);
            }
        }
    }
    let n = u.customers.len() as u64;
    for t in &mut tags {
        t.count = t.members.len() as u64;
        t.share = crate::engine::analyze::rows::ratio(t.count, n);
    }
    let overlap = tags
        .iter()
        .map(|a| {
            tags.iter()
                .map(|b| {
                    let both = sorted_intersection(&a.members, &b.members);
                    let either = a.count + b.count - both;
                    Overlap { both, jaccard: crate::engine::analyze::rows::ratio(both, either) }
                })
                .collect()
        })
        .collect();
    TagReport { as_of, customers: n, tags, overlap, unused_rows: undated }
}

fn sorted_intersection(a: &[u32], b: &[u32]) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// One customer being tagged.
struct Ctx<'a> {
    customer: &'a crate::engine::unify::UnifiedCustomer,
    activity: &'a Activity,
    as_of: Option<Day>,
}

/// A metric's value for one customer.
enum Value<'a> {
    Number(f64),
    Text(&'a str),
    Missing,
}

impl Ctx<'_> {
    fn holds(&self, node: &Node) -> bool {
        match node {
            Node::All(items) => items.iter().all(|n| self.holds(n)),
            Node::Any(items) => items.iter().any(|n| self.holds(n)),
            Node::Check(c) => self.check(c),
        }
    }

    fn check(&self, c: &Check) -> bool {
        match (self.value(c), &c.value) {
            (Value::Number(x), RuleValue::Number(v)) => c.op.op().is_some_and(|op| op.holds(x, *v)),
            (Value::Text(x), _) if c.op == Comparison::In => c.list.contains(x),
            (Value::Text(x), v) => c.op.op().is_some_and(|op| op.holds_text(x, trim_text(&v.text()))),
            _ => false,
        }
    }

    fn value(&self, c: &Check) -> Value<'_> {
        let (cust, act) = (self.customer, self.activity);
        let Some(as_of) = self.as_of else {
            return match &c.metric {
                Metric::Attribute(f) => cust.attributes.get(f).map_or(Value::Missing, |v| Value::Text(trim_text(v))),
                Metric::UserId => Value::Text(&cust.id),
                _ => Value::Missing,
            };
        };
        let win = |d: Day| in_window(d, as_of, c.window);
        let count = |n: usize| Value::Number(n as f64);
        let orders = || {
            let mut keys: Vec<u32> = act.orders.iter().filter(|o| win(o.0)).map(|o| o.1).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.len()
        };
        let order_days = || act.orders.iter().map(|o| o.0).filter(|&d| in_window(d, as_of, None));
        match &c.metric {
            Metric::Attribute(f) => match cust.attributes.get(f).map(|v| trim_text(v)) {
                Some(v) if !v.is_empty() => Value::Text(v),
                _ => Value::Missing,
            },
            Metric::UserId => Value::Text(&cust.id),
            Metric::Age => number(cust.attributes.get(&Field::Age)).map_or(Value::Missing, Value::Number),
            Metric::OrderAmount => {
                let units: i64 = act.orders.iter().filter(|o| win(o.0)).map(|o| o.2).fold(0, i64::saturating_add);
                Value::Number(units as f64 / crate::engine::money::Money::SCALE as f64)
            }
            Metric::OrderCount => count(orders()),
            Metric::Repurchases => count(orders().saturating_sub(1)),
            Metric::DaysSinceLastOrder => {
                order_days().max().map_or(Value::Missing, |d| Value::Number(f64::from(as_of.days_since(d))))
            }
            Metric::DaysSinceFirstOrder => {
                order_days().min().map_or(Value::Missing, |d| Value::Number(f64::from(as_of.days_since(d))))
            }
            Metric::Tickets => count(act.tickets.iter().filter(|t| win(t.0)).count()),
            Metric::Complaints => count(act.tickets.iter().filter(|t| win(t.0) && is_complaint(&t.1)).count()),
            Metric::TicketsOfType(ty) => {
                count(act.tickets.iter().filter(|t| win(t.0) && t.1.contains(ty.as_str())).count())
            }
            Metric::Events => count(act.events.iter().filter(|&&d| win(d)).count()),
            Metric::LastSatisfaction => number(cust.last_satisfaction.as_ref()).map_or(Value::Missing, Value::Number),
            Metric::LastNps => number(cust.last_nps.as_ref()).map_or(Value::Missing, Value::Number),
        }
    }
}

/// Columns of [`TagReport::customer_table`].
pub const CUSTOMER_TAG_COLUMNS: [&str; 2] = ["user_id", "tags"];

impl TagReport {
    /// The customers carrying at least one tag, increasing: the rows of [`TagReport::customer_table`], in order.
    pub fn tagged(&self) -> Vec<u32> {
        let mut all: Vec<u32> = self.tags.iter().flat_map(|t| t.members.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// One row per customer carrying a tag, in customer order: the id and the tags' names joined by `;`.
    pub fn customer_table(&self, unified: &Unified) -> TextTable {
        let mut by_customer: Vec<Vec<&str>> = vec![Vec::new(); unified.customers.len()];
        for t in &self.tags {
            for &m in &t.members {
                if let Some(v) = by_customer.get_mut(m as usize) {
                    v.push(&t.name);
                }
            }
        }
        let mut table = TextTable::new(CUSTOMER_TAG_COLUMNS.iter().map(|s| s.to_string()).collect());
        let mut n = 1;
        for (c, tags) in unified.customers.iter().zip(by_customer) {
            if !tags.is_empty() {
                n += 1;
                table.push(n, [c.id.as_str(), &tags.join(";")]);
            }
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::unify::{unify, UnifyOptions};

    use crate::engine::unify::fixture::Owned;

    fn owned(file: &'static str, kind: SourceKind, headers: &[&str], rows: &[&[&str]]) -> Owned {
        Owned::new(file, kind, headers, rows)
    }

    fn fixture() -> Vec<Owned> {
        vec![
            owned(
                "crm.csv",
                SourceKind::Customers,
                &["客户ID", "姓名", "手机号", "省份", "会员等级"],
                &[
                    &["C1", "张三", "13800000001", "广东省", "金卡"],
                    &["C2", "李四", "13800000002", "浙江省", "普通"],
                    &["C3", "王五", "13800000003", "广东省", ""],
                ],
            ),
            owned(
                "orders.csv",
                SourceKind::Orders,
                &["订单号", "客户ID", "下单时间", "订单金额"],
                &[
                    &["O1", "C1", "2024-03-01", "60000"],
                    &["O2", "C1", "2024-06-01", "30000"],
                    &["O3", "C1", "2024-09-01", "20000"],
                    &["O4", "C1", "2024-12-01", "5000"],
                    &["O5", "C2", "2023-06-01", "200000"],
                    &["O6", "C2", "2024-05-01", "1000"],
                    &["O7", "C2", "2024-05-02", "1000"],
                    &["O8", "C2", "2024-05-03", "1000"],
                    &["O9", "C2", "2024-05-04", "1000"],
                    &["O10", "C3", "2024-12-30", "60000"],
                    &["O10", "C3", "2024-12-30", "40000"],
                    &["O11", "C3", "", "1"],
                ],
            ),
            owned(
                "tickets.csv",
                SourceKind::Tickets,
                &["工单号", "客户ID", "创建时间", "问题类型", "满意度"],
                &[
                    &["T1", "C1", "2024-12-26 09:00:00", "物流查询", "5"],
                    &["T2", "C1", "2024-12-30 09:00:00", "物流查询", "3"],
                    &["T3", "C2", "2024-12-20 09:00:00", "物流查询", "4"],
                    &["T4", "C2", "2024-12-30 09:00:00", "物流查询", "2"],
                    &["T5", "13800000003", "2024-12-28 09:00:00", "物流查询", "3"],
                    &["T6", "13800000003", "2024-12-29 09:00:00", "物流查询", "3"],
                    &["T7", "C2", "2024-12-29 09:00:00", "投诉-服务态度", ""],
                ],
            ),
        ]
    }

    fn spec_tags() -> &'static str {
        r#"[
          {"name": "高价值", "dimension": "value", "level": "core",
           "rule": {"op": "all", "items": [
             {"metric": "order_amount", "window_days": 365, "op": ">=", "value": 100000},
             {"metric": "repurchases", "window_days": 365, "op": ">=", "value": 3}]}},
          {"name": "紧急", "dimension": "service_need", "level": "core",
           "rule": {"op": "all", "items": [
             {"metric": "tickets_of_type", "ticket_type": "物流", "window_days": 7, "op": ">=", "value": 2},
             {"metric": "last_satisfaction", "op": "<", "value": 4}]}},
          {"name": "广东", "dimension": "attribute", "level": "secondary",
           "rule": {"op": "any", "items": [
             {"metric": "province", "op": "contains", "value": "广东"},
             {"op": "all", "items": [{"metric": "member_level", "op": "!=", "value": "普通"},
                                     {"metric": "complaints", "op": ">=", "value": 1}]}]}}
        ]"#
    }

    fn run(set: &TagSet, as_of: Option<Day>) -> (Unified, TagReport) {
        let t = fixture();
        let sources: Vec<Source<'_>> = t.iter().map(Owned::source).collect();
        let u = unify(&sources, &UnifyOptions::default());
        let inputs =
            TagInputs { unified: &u, orders: Some(t[1].source()), tickets: Some(t[2].source()), events: None, as_of };
        let r = evaluate(set, &inputs);
        (u, r)
    }

    fn members(u: &Unified, t: &TagCoverage) -> Vec<String> {
        t.members.iter().map(|&i| u.customers[i as usize].id.clone()).collect()
    }

    #[test]
    fn the_spec_examples_by_hand() {
        // C1: 4 orders, 115 000 in the year → high value; 2 logistics tickets in 7 days, last rating 3 → urgent.
        // C2: 200 000 was 2023 (outside), 4 000 in the year; one logistics ticket in the 7 days.
        // C3: one order (two lines) of 100 000; its tickets are keyed by phone and still count: urgent.
        let set = TagSet::from_json(spec_tags()).expect("valid");
        let as_of = Day::parse_iso("2024-12-31").ok();
        let (u, r) = run(&set, as_of);
        assert_eq!(r.as_of, as_of);
        assert_eq!(members(&u, &r.tags[0]), vec!["C1"]);
        assert_eq!(members(&u, &r.tags[1]), vec!["C1", "C3"]);
        // 广东: C1 and C3 by province; C2 is 普通 (its complaint does not help).
        assert_eq!(members(&u, &r.tags[2]), vec!["C1", "C3"]);
        assert_eq!((r.tags[1].count, r.tags[1].share), (2, Some(2.0 / 3.0)));
        assert_eq!(r.overlap[0][1], Overlap { both: 1, jaccard: Some(0.5) });
        assert_eq!(r.overlap[1][2], Overlap { both: 2, jaccard: Some(1.0) });
        assert_eq!(r.overlap[1][1], Overlap { both: 2, jaccard: Some(1.0) });
        assert_eq!(
            r.unused_rows,
            vec![UnusedRows { file: "orders.csv".into(), rows: 1 }, UnusedRows { file: "tickets.csv".into(), rows: 0 }]
        );
        let table = r.customer_table(&u);
        assert_eq!(table.len(), 2);
        assert_eq!(r.tagged(), vec![0, 2], "the table's rows are the tagged customers");
        assert_eq!((table.cell(0, 0), table.cell(0, 1)), ("C1", "高价值;紧急;广东"));
        // As of the latest day (2024-12-30) the window of 7 days starts 12-24: the same; a day later C1's T1 drops out.
        let (_, r) = run(&set, None);
        assert_eq!(r.as_of.map(|d| d.to_string()), Some("2024-12-30".into()));
        let (u, r) = run(&set, Day::parse_iso("2025-01-02").ok());
        assert_eq!(members(&u, &r.tags[1]), vec!["C3"]);
    }

    #[test]
    fn default_tags_round_trip_and_need_their_sources() {
        let set = TagSet::new(default_tags()).expect("defaults are valid");
        assert!((4..=6).contains(&set.defs().len()));
        let again = TagSet::from_json(&set.to_json()).expect("round trip");
        assert_eq!(again.defs(), set.defs());
        let (_, r) = run(&set, Day::parse_iso("2024-12-31").ok());
        let active = r.tags.iter().find(|t| t.name == "活跃浏览").expect("tag");
        assert_eq!((active.missing_source, active.count), (Some(SourceKind::Events), 0));
        let dormant = r.tags.iter().find(|t| t.name == "流失风险").expect("tag");
        // C2's last order is 2024-05-04, 241 days before, and it has 5 orders.
        assert_eq!(dormant.members, vec![1]);
        let urgent = r.tags.iter().find(|t| t.name == "紧急服务").expect("tag");
        assert_eq!(urgent.members, vec![0, 1, 2], "C2 by its complaint in 30 days");
    }

    #[test]
    fn metric_kinds_for_the_editor() {
        assert!(takes_window("order_amount") && takes_window("tickets_of_type") && takes_window("events"));
        assert!(!takes_window("last_nps") && !takes_window("province") && !takes_window("nonsense"));
        assert!(is_text_metric("province") && is_text_metric("member_level"));
        assert!(!is_text_metric("age") && !is_text_metric("order_count") && !is_text_metric("nonsense"));
    }

    fn error(json: &str) -> TagError {
        TagSet::from_json(json).expect_err("invalid")
    }

    /// A tag `t` whose second condition is `item`.
    fn one(item: &str) -> String {
        let first = r#"{"metric": "order_count", "op": ">=", "value": 1}"#;
        format!(
            r#"[{{"name": "t", "dimension": "value", "level": "core", "rule": {{"op": "all", "items": [{first}, {item}]}}}}]"#
        )
    }

    #[test]
    fn invalid_definitions_name_the_tag_and_condition() {
        let e = error(&one(r#"{"metric": "spend_total", "op": ">=", "value": 1}"#));
        assert!(
            matches!(&e, TagError::UnknownMetric { tag, condition, metric } if tag == "t" && condition == "2" && metric == "spend_total"),
            "{e}"
        );
        assert!(e.to_string().starts_with("tag `t`, condition 2: unknown metric `spend_total`"), "{e}");
        let e = error(&one(r#"{"metric": "province", "op": ">=", "value": "广东"}"#));
        assert!(e.to_string().contains("`province` is text and cannot be compared with `>=`"), "{e}");
        let e = error(&one(r#"{"metric": "tickets", "window_days": -7, "op": ">=", "value": 1}"#));
        assert!(matches!(e, TagError::NegativeWindow { days: -7, .. }), "{e}");
        let e = error(&one(
            r#"{"op": "any", "items": [{"metric": "last_nps", "window_days": 7, "op": ">=", "value": 9}]}"#,
        ));
        assert!(matches!(&e, TagError::WindowNotAllowed { condition, .. } if condition == "2.1"), "{e}");
        let e = error(&one(r#"{"metric": "tickets_of_type", "op": ">=", "value": 1}"#));
        assert!(matches!(e, TagError::NoTicketType { .. }), "{e}");
        let e = error(&one(r#"{"metric": "order_amount", "op": ">=", "value": "many"}"#));
        assert!(matches!(e, TagError::NumberNeedsNumber { .. }), "{e}");
        let e = error(&one(r#"{"op": "any", "items": []}"#));
        assert!(matches!(e, TagError::EmptyGroup { .. }), "{e}");
        assert!(matches!(error("{"), TagError::Json { .. }));
        let twice =
            format!("[{0}, {0}]", &one(r#"{"metric": "age", "op": ">", "value": 30}"#)[1..].trim_end_matches(']'));
        assert!(matches!(error(&twice), TagError::DuplicateName { .. }));
    }

    #[test]
    fn a_list_of_ids_is_a_tag() {
        // C2 is listed twice, Z9 is nobody; C3's tickets are keyed by phone but the list names the view's id.
        let saved =
            list_tag(" 名单 ", Dimension::Behaviour, Level::Secondary, ["C3", "C2", "Z9", "C2"].map(String::from));
        assert_eq!(saved.name, "名单");
        assert!(saved.lists_ids());
        assert!(!default_tags().iter().any(TagDef::lists_ids));
        let provinces = r#"{"name": "江浙", "dimension": "attribute", "level": "secondary",
            "rule": {"op": "all", "items": [{"metric": "province", "op": "in", "value": ["浙江省", "江苏省"]}]}}"#;
        let mut defs = vec![saved];
        defs.push(serde_json::from_str(provinces).expect("province in"));
        let set = TagSet::new(defs).expect("valid");
        let again = TagSet::from_json(&set.to_json()).expect("round trip");
        assert_eq!(again.defs(), set.defs());
        assert!(set.to_json().contains(r#""op": "in""#), "{}", set.to_json());
        let (u, r) = run(&again, Day::parse_iso("2024-12-31").ok());
        assert_eq!(members(&u, &r.tags[0]), vec!["C2", "C3"]);
        assert_eq!((r.tags[0].count, r.tags[0].missing_source), (2, None));
        assert_eq!(members(&u, &r.tags[1]), vec!["C2"]);
        assert_eq!(r.overlap[0][1].both, 1);
        // Old definitions (without lists) still load: the spec examples above are such JSON.
        assert!(TagSet::from_json(spec_tags()).is_ok());
    }

    #[test]
    fn lists_go_with_in_only() {
        let e = error(&one(r#"{"metric": "user_id", "op": "=", "value": "C1"}"#));
        assert!(matches!(&e, TagError::InList { metric, .. } if metric == "user_id"), "{e}");
        let e = error(&one(r#"{"metric": "province", "op": "in", "value": "浙江"}"#));
        assert!(matches!(e, TagError::InList { .. }), "{e}");
        let e = error(&one(r#"{"metric": "province", "op": "=", "value": ["浙江"]}"#));
        assert!(matches!(e, TagError::InList { .. }), "{e}");
        let e = error(&one(r#"{"metric": "order_count", "op": "in", "value": ["1"]}"#));
        assert!(matches!(e, TagError::InList { .. }), "{e}");
    }
}
