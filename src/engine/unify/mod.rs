//! The unified customer view (M3): every cleaned source joined on the
//! customer into one table with derived fields (first/last order, orders,
//! spend, average order value, tickets, complaints, last satisfaction, last
//! activity…). Ids that differ across sources are resolved by mobile number,
//! e-mail or credit code ([`identity`]); duplicate CRM records are proposed
//! for merging; rows whose customer is in no CRM record (orphans) are kept
//! under their own id, counted and listed — every row of every source is
//! accounted for.

#[cfg(test)]
pub(crate) mod fixture;
pub mod identity;

use crate::engine::clean::table::TextTable;
use crate::engine::date::{parse_timestamp, Day, Timestamp};
use crate::engine::ingest::fields::{Field, Mapping, SourceKind};
use crate::engine::money::{parse_amount, trim_text, Money};
use identity::{ContactKey, CrmIdentity, Directory, KeyKind, MergeChoice, MergeProposal, Resolution};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One cleaned table and what it holds.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// File name, for reports.
    pub file: &'a str,
    /// How its columns map to canonical fields (its kind included).
    pub mapping: &'a Mapping,
    /// The rows (a cleaned table).
    pub table: &'a TextTable,
}

/// What the user decided about identities.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnifyOptions {
    /// Which duplicate-record merges to apply (none until confirmed).
    pub merges: MergeChoice,
    /// Ids whose automatic match is undone: their rows stay orphans.
    pub undone: BTreeSet<String>,
}

/// An id of another system tied to a CRM customer by a contact key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityMatch {
    /// The file the id came from.
    pub file: String,
    /// The id as written there.
    pub id: String,
    /// The CRM customer it was tied to.
    pub customer: String,
    /// The key that tied them.
    pub via: KeyKind,
    /// Rows of that file with this id.
    pub rows: u64,
}

/// An id whose keys point to several CRM customers: not joined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityConflict {
    /// The file the id came from.
    pub file: String,
    /// The id as written there.
    pub id: String,
    /// The CRM customers its keys point to.
    pub candidates: Vec<String>,
    /// The key kind.
    pub via: KeyKind,
    /// Rows of that file with this id.
    pub rows: u64,
}

/// An id found in a source but in no CRM record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orphan {
    /// The file.
    pub file: String,
    /// The id.
    pub id: String,
    /// Rows of that file with this id.
    pub rows: u64,
}

/// How one source's rows were joined; `rows = direct + matched + orphan`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLink {
    /// The file.
    pub file: String,
    /// Its kind.
    pub kind: SourceKind,
    /// Rows read.
    pub rows: u64,
    /// Rows whose id is a CRM id.
    pub direct: u64,
    /// Rows tied to a CRM customer by a contact key.
    pub matched: u64,
    /// Rows whose customer is not in the CRM (orphans and conflicts).
    pub orphan: u64,
    /// Rows with no customer id at all (none after cleaning).
    pub no_id: u64,
}

impl SourceLink {
    fn new(file: &str, kind: SourceKind) -> SourceLink {
        SourceLink { file: file.into(), kind, rows: 0, direct: 0, matched: 0, orphan: 0, no_id: 0 }
    }

    /// Whether every row is counted once.
    pub fn reconciles(&self) -> bool {
        self.rows == self.direct + self.matched + self.orphan + self.no_id
    }
}

/// One customer of the unified view.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnifiedCustomer {
    /// The customer id (the CRM's, or the source's for an orphan).
    pub id: String,
    /// Whether a CRM record exists.
    pub in_crm: bool,
    /// CRM attributes by field (name, phone, gender, province…), as cleaned.
    pub attributes: BTreeMap<Field, String>,
    /// Day of the first order.
    pub first_order: Option<Day>,
    /// Day of the last order.
    pub last_order: Option<Day>,
    /// Distinct orders (rows when the order id is not mapped).
    pub orders: u64,
    /// Net spend.
    pub spend: Money,
    /// Service tickets.
    pub tickets: u64,
    /// Tickets whose type is a complaint (投诉 / complaint).
    pub complaints: u64,
    /// The latest satisfaction score given (ticket 满意度 or survey CSAT).
    pub last_satisfaction: Option<String>,
    /// The latest NPS answer.
    pub last_nps: Option<String>,
    /// Behaviour events.
    pub events: u64,
    /// Day of the latest order, event, ticket or survey.
    pub last_activity: Option<Day>,
    /// Registered after the last order (a cross-table business rule).
    pub register_after_last_order: bool,
}

impl UnifiedCustomer {
    /// Average order value (客单价).
    pub fn average_order_value(&self) -> Option<Money> {
        (self.orders > 0).then(|| Money::from_units(self.spend.units() / self.orders as i64))
    }
}

/// The unified view and how it came about.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Unified {
    /// One row per customer: CRM customers in CRM order, then orphans.
    pub customers: Vec<UnifiedCustomer>,
    /// Per source: how its rows were joined.
    pub sources: Vec<SourceLink>,
    /// Ids tied by a contact key.
    pub matches: Vec<IdentityMatch>,
    /// Ids not tied because their keys disagree.
    pub conflicts: Vec<IdentityConflict>,
    /// Ids in no CRM record.
    pub orphans: Vec<Orphan>,
    /// Duplicate CRM records found, applied or not.
    pub merges: Vec<MergeProposal>,
    /// Counts for the report.
    pub summary: UnifySummary,
}

/// The headline counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnifySummary {
    /// Customers in the view.
    pub customers: u64,
    /// Of which with a CRM record.
    pub in_crm: u64,
    /// Of which orphans (in other sources only).
    pub orphans: u64,
    /// Ids tied by phone / e-mail / credit code.
    pub matched_ids: u64,
    /// Ids not tied because their keys disagree.
    pub conflicts: u64,
    /// Duplicate-record proposals.
    pub merges_proposed: u64,
    /// Of which applied.
    pub merges_applied: u64,
    /// Customers registered after their last order.
    pub register_after_last_order: u64,
    /// Whether every source's rows add up.
    pub reconciles: bool,
}

/// CRM fields carried into the view.
pub const ATTRIBUTES: &[Field] = &[
    Field::Name,
    Field::Phone,
    Field::Email,
    Field::Gender,
    Field::Age,
    Field::BirthDate,
    Field::Province,
    Field::City,
    Field::Industry,
    Field::CompanySize,
    Field::MemberLevel,
    Field::Channel,
    Field::RegisterDate,
    Field::CreditCode,
];

const KEY_FIELDS: [(Field, KeyKind); 3] =
    [(Field::Phone, KeyKind::Phone), (Field::Email, KeyKind::Email), (Field::CreditCode, KeyKind::CreditCode)];

fn cell<'t>(s: &Source<'t>, r: usize, f: Field) -> &'t str {
    s.mapping.column(f).filter(|&c| c < s.table.width()).map_or("", |c| trim_text(s.table.cell(r, c)))
}

fn row_keys(s: &Source<'_>, r: usize) -> Vec<ContactKey> {
    KEY_FIELDS.iter().filter_map(|&(f, k)| ContactKey::parse(k, cell(s, r, f))).collect()
}

fn timestamp(v: &str) -> Option<Timestamp> {
    parse_timestamp(v).ok()
}

/// Whether a ticket type is a complaint (it names 投诉 or "complain").
pub fn is_complaint(ticket_type: &str) -> bool {
    ticket_type.contains("投诉") || ticket_type.to_lowercase().contains("complain")
}

fn later(a: Option<Day>, b: Option<Day>) -> Option<Day> {
    a.max(b)
}

/// Per-customer running totals while the sources are read.
#[derive(Default)]
struct Acc {
    first_order: Option<Day>,
    last_order: Option<Day>,
    order_rows: u64,
    spend: Money,
    tickets: u64,
    complaints: u64,
    satisfaction: Option<(Timestamp, String)>,
    nps: Option<(Timestamp, String)>,
    events: u64,
    last_activity: Option<Day>,
}

impl Acc {
    fn latest(slot: &mut Option<(Timestamp, String)>, at: Option<Timestamp>, v: &str) {
        if v.is_empty() {
            return;
        }
        let at = at.unwrap_or(Timestamp { day: Day::from_days(i32::MIN), secs: 0 });
        if slot.as_ref().is_none_or(|(t, _)| at >= *t) {
            *slot = Some((at, v.to_string()));
        }
    }
}

/// Joins the sources into one customer table. The CRM is every customers
/// source (first record of an id wins; later ones fill its empty fields).
pub fn unify(sources: &[Source<'_>], opts: &UnifyOptions) -> Unified {
    let crm: Vec<&Source<'_>> = sources.iter().filter(|s| s.mapping.kind == SourceKind::Customers).collect();
    let mut identities = Vec::new();
    for s in &crm {
        for r in 0..s.table.len() {
            let id = cell(s, r, Field::UserId);
            if !id.is_empty() {
                identities.push(CrmIdentity {
                    id: id.to_string(),
                    name: cell(s, r, Field::Name).into(),
                    keys: row_keys(s, r),
                });
            }
        }
    }
    let dir = Directory::build(&identities, &opts.merges);
    let mut attributes: Vec<BTreeMap<Field, String>> = vec![BTreeMap::new(); dir.len()];
    let mut links = Vec::new();
    for s in &crm {
        let mut link = SourceLink::new(s.file, SourceKind::Customers);
        for r in 0..s.table.len() {
            link.rows += 1;
            let Some(i) = dir.by_id(cell(s, r, Field::UserId)) else {
                link.no_id += 1;
                continue;
            };
            link.direct += 1;
            for &f in ATTRIBUTES {
                let v = cell(s, r, f);
                if !v.is_empty() && v != "未知" {
                    attributes[i as usize].entry(f).or_insert_with(|| v.to_string());
                }
            }
        }
        links.push(link);
    }

    // Customers: the CRM's first, orphans appended as they are met.
    let mut ids: Vec<String> = dir.ids.clone();
    let mut orphan_index: HashMap<String, u32> = HashMap::new();
    let mut acc: Vec<Acc> = (0..ids.len()).map(|_| Acc::default()).collect();
    let mut distinct_orders: HashSet<(u32, &str)> = HashSet::new();
    let mut matches: BTreeMap<(String, String), IdentityMatch> = BTreeMap::new();
    let mut conflicts: BTreeMap<(String, String), IdentityConflict> = BTreeMap::new();
    let mut orphans: BTreeMap<(String, String), Orphan> = BTreeMap::new();

    for s in sources.iter().filter(|s| s.mapping.kind != SourceKind::Customers) {
        let kind = s.mapping.kind;
        let mut link = SourceLink::new(s.file, kind);
        for r in 0..s.table.len() {
            link.rows += 1;
            let id = cell(s, r, Field::UserId);
            if id.is_empty() {
                link.no_id += 1;
                continue;
            }
            let resolution =
                if opts.undone.contains(id) { Resolution::Orphan } else { dir.resolve(id, &row_keys(s, r)) };
            let key = (s.file.to_string(), id.to_string());
            let customer = match resolution {
                Resolution::Direct(i) => {
                    link.direct += 1;
                    i
                }
                Resolution::Matched(i, via) => {
                    link.matched += 1;
                    matches
                        .entry(key)
                        .or_insert_with(|| IdentityMatch {
                            file: s.file.into(),
                            id: id.into(),
                            customer: dir.ids[i as usize].clone(),
                            via,
                            rows: 0,
                        })
                        .rows += 1;
                    i
                }
                other => {
                    link.orphan += 1;
                    if let Resolution::Conflict { candidates, via } = other {
                        conflicts
                            .entry(key.clone())
                            .or_insert_with(|| IdentityConflict {
                                file: s.file.into(),
                                id: id.into(),
                                candidates: candidates.iter().map(|&c| dir.ids[c as usize].clone()).collect(),
                                via,
                                rows: 0,
                            })
                            .rows += 1;
                    }
                    orphans
                        .entry(key)
                        .or_insert_with(|| Orphan { file: s.file.into(), id: id.into(), rows: 0 })
                        .rows += 1;
                    *orphan_index.entry(id.to_string()).or_insert_with(|| {
                        ids.push(id.to_string());
                        acc.push(Acc::default());
                        (ids.len() - 1) as u32
                    })
                }
            };
            let a = &mut acc[customer as usize];
            match kind {
                SourceKind::Orders => {
                    let at = timestamp(cell(s, r, Field::OrderTime)).map(|t| t.day);
                    a.first_order = match (a.first_order, at) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (x, y) => x.or(y),
                    };
                    a.last_order = later(a.last_order, at);
                    a.last_activity = later(a.last_activity, at);
                    if let Ok(m) = parse_amount(cell(s, r, Field::Amount)) {
                        a.spend = a.spend.checked_add(m).unwrap_or(a.spend);
                    }
                    let order = cell(s, r, Field::OrderId);
                    if order.is_empty() {
                        a.order_rows += 1;
                    } else {
                        distinct_orders.insert((customer, order));
                    }
                }
                SourceKind::Tickets => {
                    a.tickets += 1;
                    if is_complaint(cell(s, r, Field::TicketType)) {
                        a.complaints += 1;
                    }
                    let at = timestamp(cell(s, r, Field::CreatedAt));
                    Acc::latest(&mut a.satisfaction, at, cell(s, r, Field::Satisfaction));
                    a.last_activity = later(a.last_activity, at.map(|t| t.day));
                }
                SourceKind::Surveys => {
                    let at = timestamp(cell(s, r, Field::SurveyDate));
                    Acc::latest(&mut a.satisfaction, at, cell(s, r, Field::Csat));
                    Acc::latest(&mut a.nps, at, cell(s, r, Field::Nps));
                    a.last_activity = later(a.last_activity, at.map(|t| t.day));
                }
                SourceKind::Events => {
                    a.events += 1;
                    let at = timestamp(cell(s, r, Field::EventTime)).map(|t| t.day);
                    a.last_activity = later(a.last_activity, at);
                }
                SourceKind::Channels => {
                    let at = timestamp(cell(s, r, Field::TouchTime)).map(|t| t.day);
                    a.last_activity = later(a.last_activity, at);
                }
                SourceKind::Customers => {}
            }
        }
        links.push(link);
    }
    let mut orders_of = vec![0u64; ids.len()];
    for (c, _) in &distinct_orders {
        orders_of[*c as usize] += 1;
    }

    let in_crm = dir.len();
    let customers: Vec<UnifiedCustomer> = ids
        .into_iter()
        .zip(acc)
        .enumerate()
        .map(|(i, (id, a))| {
            let attributes = attributes.get(i).cloned().unwrap_or_default();
            let registered = attributes.get(&Field::RegisterDate).and_then(|v| timestamp(v)).map(|t| t.day);
            UnifiedCustomer {
                id,
                in_crm: i < in_crm,
                register_after_last_order: matches!((registered, a.last_order), (Some(r), Some(l)) if r > l),
                attributes,
                first_order: a.first_order,
                last_order: a.last_order,
                orders: orders_of[i] + a.order_rows,
                spend: a.spend,
                tickets: a.tickets,
                complaints: a.complaints,
                last_satisfaction: a.satisfaction.map(|x| x.1),
                last_nps: a.nps.map(|x| x.1),
                events: a.events,
                last_activity: a.last_activity,
            }
        })
        .collect();
    let matched_ids: BTreeSet<&str> = matches.values().map(|m| m.id.as_str()).collect();
    let summary = UnifySummary {
        customers: customers.len() as u64,
        in_crm: in_crm as u64,
        orphans: (customers.len() - in_crm) as u64,
        matched_ids: matched_ids.len() as u64,
        conflicts: conflicts.len() as u64,
        merges_proposed: dir.proposals.len() as u64,
        merges_applied: dir.proposals.iter().filter(|p| p.applied).count() as u64,
        register_after_last_order: customers.iter().filter(|c| c.register_after_last_order).count() as u64,
        reconciles: links.iter().all(SourceLink::reconciles),
    };
    Unified {
        customers,
        sources: links,
        matches: matches.into_values().collect(),
        conflicts: conflicts.into_values().collect(),
        orphans: orphans.into_values().collect(),
        merges: dir.proposals.clone(),
        summary,
    }
}

/// Columns of the unified customer table, after the CRM attributes.
pub const DERIVED_COLUMNS: [&str; 13] = [
    "in_crm",
    "first_order",
    "last_order",
    "orders",
    "total_spend",
    "avg_order_value",
    "tickets",
    "complaints",
    "last_satisfaction",
    "last_nps",
    "events",
    "last_activity",
    "flags",
];

impl Unified {
    /// The ids the sources write for `customers` (ids of the view): their
    /// own, ids tied to them by a contact key, and records merged into them.
    pub fn source_ids<'a>(&self, customers: impl IntoIterator<Item = &'a str>) -> std::collections::HashSet<String> {
        let mut ids: std::collections::HashSet<String> = customers.into_iter().map(str::to_string).collect();
        for m in &self.matches {
            if ids.contains(&m.customer) {
                ids.insert(m.id.clone());
            }
        }
        let merged: Vec<String> = self
            .merges
            .iter()
            .filter(|p| p.applied && ids.contains(&p.keep))
            .flat_map(|p| p.merge.iter().cloned())
            .collect();
        ids.extend(merged);
        ids
    }

    /// The customers of the view that ids written by a source stand for (as
    /// rows are tied: the file's identity matches — any file's when `file`
    /// is `None` — then applied merges, then the id itself), each once, in
    /// the view's order; and how many of the ids stand for no customer.
    pub fn view_ids<'a>(&self, file: Option<&str>, ids: impl IntoIterator<Item = &'a str>) -> (Vec<String>, u64) {
        let resolver = Resolver::new(self);
        let any_file: HashMap<&str, &str> = match file {
            Some(_) => HashMap::new(),
            None => self.matches.iter().map(|m| (m.id.as_str(), m.customer.as_str())).collect(),
        };
        let mut found: Vec<u32> = Vec::new();
        let mut missing = 0u64;
        for id in ids {
            let id = any_file.get(id).copied().unwrap_or(id);
            match resolver.customer(file.unwrap_or(""), id) {
                Some(c) => found.push(c),
                None => missing += 1,
            }
        }
        found.sort_unstable();
        found.dedup();
        (found.into_iter().map(|c| self.customers[c as usize].id.clone()).collect(), missing)
    }

    /// The customer table as text cells (for display and export).
    pub fn customer_table(&self) -> TextTable {
        let mut headers = vec![Field::UserId.key().to_string()];
        headers.extend(ATTRIBUTES.iter().map(|f| f.key().to_string()));
        headers.extend(DERIVED_COLUMNS.iter().map(|s| s.to_string()));
        let mut t = TextTable::new(headers);
        let day = |d: Option<Day>| d.map_or_else(String::new, |d| d.to_string());
        for (i, c) in self.customers.iter().enumerate() {
            let mut row: Vec<String> = vec![c.id.clone()];
            row.extend(ATTRIBUTES.iter().map(|f| c.attributes.get(f).cloned().unwrap_or_default()));
            row.extend([
                if c.in_crm { "1" } else { "0" }.to_string(),
                day(c.first_order),
                day(c.last_order),
                c.orders.to_string(),
                c.spend.to_string(),
                c.average_order_value().map_or_else(String::new, |m| m.to_string()),
                c.tickets.to_string(),
                c.complaints.to_string(),
                c.last_satisfaction.clone().unwrap_or_default(),
                c.last_nps.clone().unwrap_or_default(),
                c.events.to_string(),
                day(c.last_activity),
                if c.register_after_last_order { "register_after_last_order" } else { "" }.to_string(),
            ]);
            t.push(i as u64 + 2, row.iter().map(String::as_str));
        }
        t
    }

    /// Matches, conflicts and orphans as one table: kind, file, id, customer(s), key, rows.
    pub fn identity_table(&self) -> TextTable {
        let headers = ["status", "file", "id", "customer", "via", "rows"].iter().map(|s| s.to_string()).collect();
        let mut t = TextTable::new(headers);
        let mut n = 1;
        let mut push = |cells: [&str; 6]| {
            n += 1;
            t.push(n, cells);
        };
        for m in &self.matches {
            push(["matched", &m.file, &m.id, &m.customer, m.via.key(), &m.rows.to_string()]);
        }
        for c in &self.conflicts {
            push(["conflict", &c.file, &c.id, &c.candidates.join(" | "), c.via.key(), &c.rows.to_string()]);
        }
        for o in &self.orphans {
            if !self.conflicts.iter().any(|c| c.file == o.file && c.id == o.id) {
                push(["orphan", &o.file, &o.id, "", "", &o.rows.to_string()]);
            }
        }
        t
    }

    /// The duplicate-record proposals as a table.
    pub fn merge_table(&self) -> TextTable {
        let headers = ["keep", "merge", "name", "phone", "applied"].iter().map(|s| s.to_string()).collect();
        let mut t = TextTable::new(headers);
        for (i, m) in self.merges.iter().enumerate() {
            let merged = m.merge.join(" | ");
            t.push(i as u64 + 2, [m.keep.as_str(), &merged, &m.name, &m.phone, if m.applied { "1" } else { "0" }]);
        }
        t
    }
}

/// Ties a table's ids to the customers of a unified view as [`unify`] tied
/// them: by the identity matches of its file and the applied merges, else by
/// the id itself.
pub struct Resolver<'u> {
    index: HashMap<&'u str, u32>,
    merged: HashMap<&'u str, &'u str>,
    matched: HashMap<(&'u str, &'u str), &'u str>,
}

impl<'u> Resolver<'u> {
    /// The resolver of view `u`.
    pub fn new(u: &'u Unified) -> Resolver<'u> {
        let index = u.customers.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
        let merged = u
            .merges
            .iter()
            .filter(|m| m.applied)
            .flat_map(|m| m.merge.iter().map(move |id| (id.as_str(), m.keep.as_str())))
            .collect();
        let matched = u.matches.iter().map(|m| ((m.file.as_str(), m.id.as_str()), m.customer.as_str())).collect();
        Resolver { index, merged, matched }
    }

    /// The index in `u.customers` of the customer that id `id` of file `file` stands for.
    pub fn customer(&self, file: &str, id: &str) -> Option<u32> {
        let id = self.matched.get(&(file, id)).copied().unwrap_or(id);
        let id = self.merged.get(id).copied().unwrap_or(id);
        self.index.get(id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::split::{CsvSplitter, Dialect};

    fn table(csv: &str) -> TextTable {
        TextTable::read(&mut CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t"), "t").expect("table")
    }

    use super::fixture::Owned;

    fn owned(file: &'static str, kind: SourceKind, csv: &str) -> Owned {
        Owned::of(file, kind, table(csv))
    }

    fn run(tables: &[Owned], opts: &UnifyOptions) -> Unified {
        let sources: Vec<Source<'_>> = tables.iter().map(Owned::source).collect();
        unify(&sources, opts)
    }

    fn fixture() -> Vec<Owned> {
        vec![
            owned(
                "crm.csv",
                SourceKind::Customers,
                "客户ID,姓名,手机号,邮箱,省份,注册时间\nC1,张三,13800000001,zs@qq.com,广东省,2023-01-01\nC2,李四,13800000002,,浙江省,2024-06-01\nD1,张三,13800000001,,,2023-05-01\n",
            ),
            owned(
                "orders.csv",
                SourceKind::Orders,
                "订单号,客户ID,下单时间,订单金额\nO1,C1,2024-01-05,100.00\nO1,C1,2024-01-05,20.50\nO2,C1,2024-03-01,30\nO3,C2,2024-02-01,50\nO4,X9,2024-02-02,7\n",
            ),
            owned(
                "tickets.csv",
                SourceKind::Tickets,
                "工单号,客户ID,创建时间,问题类型,满意度\nT1,13800000002,2024-04-01 10:00:00,投诉-服务态度,2\nT2,C2,2024-05-01 10:00:00,咨询,5\nT3,zs@QQ.com,2024-01-01,咨询,4\n",
            ),
        ]
    }

    #[test]
    fn joins_every_source_and_accounts_for_every_row() {
        let u = run(&fixture(), &UnifyOptions::default());
        let ids: Vec<&str> = u.customers.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, vec!["C1", "C2", "D1", "X9"]);
        let c1 = &u.customers[0];
        assert_eq!((c1.orders, c1.spend.to_string()), (2, "150.50".to_string()));
        assert_eq!(c1.average_order_value().map(|m| m.to_string()), Some("75.25".into()));
        assert_eq!(c1.first_order.map(|d| d.to_string()), Some("2024-01-05".into()));
        assert_eq!(c1.last_order.map(|d| d.to_string()), Some("2024-03-01".into()));
        assert_eq!((c1.tickets, c1.last_satisfaction.as_deref()), (1, Some("4")), "matched by e-mail");
        let c2 = &u.customers[1];
        assert_eq!((c2.tickets, c2.complaints), (2, 1), "one by phone, one by id");
        assert_eq!(c2.last_satisfaction.as_deref(), Some("5"), "the latest ticket's score");
        assert!(c2.register_after_last_order, "registered 2024-06-01, last order 2024-02-01");
        assert_eq!(c2.last_activity.map(|d| d.to_string()), Some("2024-05-01".into()));
        let x9 = &u.customers[3];
        assert!(!x9.in_crm);
        assert_eq!((x9.orders, x9.spend.to_string()), (1, "7.00".to_string()));
        assert_eq!(u.summary.orphans, 1);
        assert_eq!(u.orphans, vec![Orphan { file: "orders.csv".into(), id: "X9".into(), rows: 1 }]);
        assert_eq!(u.matches.len(), 2);
        assert_eq!(
            (u.matches[0].id.as_str(), u.matches[0].customer.as_str(), u.matches[0].via),
            ("13800000002", "C2", KeyKind::Phone)
        );
        assert!(u.summary.reconciles);
        let orders = &u.sources[1];
        assert_eq!((orders.rows, orders.direct, orders.matched, orders.orphan), (5, 4, 0, 1));
        let tickets = &u.sources[2];
        assert_eq!((tickets.rows, tickets.direct, tickets.matched, tickets.orphan), (3, 1, 2, 0));
    }

    #[test]
    fn ids_of_a_source_stand_for_customers_of_the_view() {
        let t = fixture();
        let u = run(&t, &UnifyOptions::default());
        // 13800000002 is tied to C2 in tickets.csv; X9 is an orphan; Q7 is nobody; C2 twice counts once.
        let ids = ["X9", "13800000002", "C2", "Q7"];
        assert_eq!(u.view_ids(Some("tickets.csv"), ids), (vec!["C2".to_string(), "X9".to_string()], 1));
        assert_eq!(u.view_ids(None, ids), (vec!["C2".to_string(), "X9".to_string()], 1), "any file's matches");
        // In another file the phone is tied to nobody.
        assert_eq!(u.view_ids(Some("orders.csv"), ids), (vec!["C2".to_string(), "X9".to_string()], 2));
        // Records merged into C1 stand for C1.
        let merged = run(&t, &UnifyOptions { merges: MergeChoice::All, ..UnifyOptions::default() });
        assert_eq!(merged.view_ids(None, ["D1"]), (vec!["C1".to_string()], 0));
    }

    #[test]
    fn duplicate_records_merge_on_confirmation_and_matches_can_be_undone() {
        let t = fixture();
        let plain = run(&t, &UnifyOptions::default());
        assert_eq!(plain.summary.merges_proposed, 1);
        assert_eq!(plain.summary.merges_applied, 0);
        // The phone 13800000001 belongs to C1 and D1 while they are apart: T3 goes by e-mail, so no conflict.
        assert_eq!(plain.summary.conflicts, 0);
        let merged = run(&t, &UnifyOptions { merges: MergeChoice::All, ..UnifyOptions::default() });
        assert_eq!(merged.customers.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), vec!["C1", "C2", "X9"]);
        assert_eq!(merged.customers[0].attributes.get(&Field::Province).map(String::as_str), Some("广东省"));
        let undone = UnifyOptions { undone: BTreeSet::from(["13800000002".to_string()]), ..UnifyOptions::default() };
        let u = run(&t, &undone);
        assert_eq!(u.customers[1].tickets, 1);
        assert!(u.customers.iter().any(|c| c.id == "13800000002" && !c.in_crm));
        assert!(u.summary.reconciles);
    }

    #[test]
    fn shared_keys_are_conflicts_not_guesses() {
        let t = vec![
            owned("crm.csv", SourceKind::Customers, "客户ID,姓名,手机号\nC1,张三,13800000001\nC2,李四,13800000001\n"),
            owned("tickets.csv", SourceKind::Tickets, "工单号,客户ID,创建时间\nT1,13800000001,2024-01-01\n"),
        ];
        let u = run(&t, &UnifyOptions::default());
        assert_eq!(u.conflicts.len(), 1);
        assert_eq!(u.conflicts[0].candidates, vec!["C1".to_string(), "C2".to_string()]);
        assert_eq!(u.summary.orphans, 1);
        let table = u.identity_table();
        assert_eq!(table.len(), 1, "a conflict is listed once, not also as an orphan");
        assert_eq!(table.cell(0, 0), "conflict");
    }

    #[test]
    fn tables_for_export() {
        let u = run(&fixture(), &UnifyOptions::default());
        let t = u.customer_table();
        assert_eq!(t.len(), 4);
        assert_eq!(t.width(), 1 + ATTRIBUTES.len() + DERIVED_COLUMNS.len());
        let col = |h: &str| t.headers.iter().position(|x| x == h).expect("column");
        assert_eq!(t.cell(0, col("total_spend")), "150.50");
        assert_eq!(t.cell(1, col("flags")), "register_after_last_order");
        assert_eq!(u.merge_table().cell(0, 1), "D1");
    }
}
