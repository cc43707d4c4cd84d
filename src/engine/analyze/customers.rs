//! Per-customer order statistics: built per chunk (in each worker), merged
//! into one table, with order numbers counted exactly once across chunks.

use crate::engine::clean::{Reject, RowAccount};
use crate::engine::codec;
use crate::engine::date::Day;
use crate::engine::error::IngestError;
use crate::engine::ingest::orders::OrdersChunk;
use crate::engine::money::Money;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// What one customer's orders add up to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerStats {
    /// Day of the first order.
    pub first_day: Day,
    /// Day of the last order.
    pub last_day: Day,
    /// Order rows.
    pub rows: u64,
    /// Distinct orders (= rows when no order number is mapped).
    pub orders: u64,
    /// Sum of amounts (refunds included).
    pub monetary: Money,
}

impl CustomerStats {
    fn absorb(&mut self, o: &CustomerStats) {
        self.first_day = self.first_day.min(o.first_day);
        self.last_day = self.last_day.max(o.last_day);
        self.rows += o.rows;
        self.orders += o.orders;
        self.monetary = self.monetary + o.monetary;
    }
}

/// The most rejects one chunk lists (all are counted).
pub const MAX_LISTED_REJECTS: usize = 100_000;

/// One chunk's customers, ready to be sent to the merging worker.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ChunkAggregate {
    /// Customer ids, by local index.
    pub ids: Vec<String>,
    /// Statistics, by local index.
    pub stats: Vec<CustomerStats>,
    /// Sorted, distinct (customer, order) key hashes — present when order
    /// numbers are mapped, to remove orders counted in two chunks.
    #[serde(with = "codec::u64s")]
    pub order_keys: Vec<u64>,
    /// The local customer of each order key.
    #[serde(with = "codec::u32s")]
    pub order_users: Vec<u32>,
    /// Where every row of the chunk went.
    pub account: RowAccount,
    /// Listed rejects (chunk-local row indexes).
    pub rejects: Vec<Reject>,
    /// Whether more rejects were counted than listed.
    pub rejects_truncated: bool,
    /// Whether the chunk's text ended inside an open quote.
    pub ended_in_quote: bool,
    /// Row number of the header (first chunk only; 0 elsewhere).
    pub header_row: u64,
}

#[inline]
fn pair_key(user_hash: u64, order_hash: u64) -> u64 {
    // splitmix64 finaliser over the combination: well spread, cheap.
    let mut z = user_hash ^ order_hash.rotate_left(29) ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Sums one chunk's rows per customer.
pub fn aggregate(chunk: OrdersChunk, file: &str) -> Result<ChunkAggregate, IngestError> {
    let header_row = chunk.header_row;
    let t = chunk.table;
    let n_users = t.users.len();
    let mut stats: Vec<CustomerStats> = vec![
        CustomerStats {
            first_day: Day::from_days(i32::MAX),
            last_day: Day::from_days(i32::MIN),
            rows: 0,
            orders: 0,
            monetary: Money::ZERO
        };
        n_users
    ];
    for i in 0..t.user.len() {
        let s = &mut stats[t.user[i] as usize];
        let day = t.time[i].day;
        s.first_day = s.first_day.min(day);
        s.last_day = s.last_day.max(day);
        s.rows += 1;
        s.monetary = s.monetary.checked_add(t.amount[i]).ok_or_else(|| IngestError::Overflow {
            file: file.to_string(),
            customer: t.users.id(t.user[i]).to_string(),
        })?;
    }
    let (mut order_keys, mut order_users) = (Vec::new(), Vec::new());
    match &t.order {
        None => stats.iter_mut().for_each(|s| s.orders = s.rows),
        Some(orders) => {
            let user_hash: Vec<u64> = (0..n_users as u32).map(|u| xxh3_64(t.users.id(u).as_bytes())).collect();
            let mut pairs: Vec<(u64, u32)> =
                orders.iter().zip(&t.user).map(|(&o, &u)| (pair_key(user_hash[u as usize], o), u)).collect();
            pairs.sort_unstable();
            pairs.dedup_by_key(|p| p.0);
            order_keys.reserve(pairs.len());
            order_users.reserve(pairs.len());
            for (k, u) in pairs {
                stats[u as usize].orders += 1;
                order_keys.push(k);
                order_users.push(u);
            }
        }
    }
    let rejects_truncated = chunk.rejects.len() > MAX_LISTED_REJECTS;
    let mut rejects = chunk.rejects;
    rejects.truncate(MAX_LISTED_REJECTS);
    Ok(ChunkAggregate {
        ids: t.users.into_ids().into_iter().map(String::from).collect(),
        stats,
        order_keys,
        order_users,
        account: chunk.account,
        rejects,
        rejects_truncated,
        ended_in_quote: chunk.ended_in_quote,
        header_row,
    })
}

/// All customers of a file, merged from its chunks.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Customers {
    /// Customer ids, in order of first appearance.
    pub ids: Vec<String>,
    /// Statistics, aligned with `ids`.
    pub stats: Vec<CustomerStats>,
    /// Where every input row went.
    pub account: RowAccount,
    /// Rows set aside, with spreadsheet row numbers, in file order.
    pub rejects: Vec<Reject>,
    /// Whether more rejects were counted than listed.
    pub rejects_truncated: bool,
    /// Whether an order number column was mapped.
    pub order_ids_mapped: bool,
}

impl Customers {
    /// Distinct orders in total.
    pub fn total_orders(&self) -> u64 {
        self.stats.iter().map(|s| s.orders).sum()
    }

    /// Revenue in total.
    pub fn total_revenue(&self) -> Money {
        self.stats.iter().map(|s| s.monetary).sum()
    }

    /// The last order day of all.
    pub fn last_day(&self) -> Option<Day> {
        self.stats.iter().map(|s| s.last_day).max()
    }
}

/// Merges chunk aggregates, given in file order.
pub fn merge(parts: Vec<ChunkAggregate>) -> Customers {
    let order_ids_mapped = parts.iter().any(|p| !p.order_keys.is_empty());
    let header_row = parts.first().map_or(1, |p| p.header_row.max(1));
    let mut out = Customers { order_ids_mapped, ..Customers::default() };
    let mut index: FxHashMap<String, u32> = FxHashMap::default();
    let mut row_offset = 0u64;
    let mut key_lists: Vec<(Vec<u64>, Vec<u32>)> = Vec::with_capacity(parts.len());
    for part in parts {
        let mut map = Vec::with_capacity(part.ids.len());
        for (id, s) in part.ids.into_iter().zip(part.stats) {
            let g = match index.get(&id) {
                Some(&g) => {
                    out.stats[g as usize].absorb(&s);
                    g
                }
                None => {
                    let g = out.ids.len() as u32;
                    index.insert(id.clone(), g);
                    out.ids.push(id);
                    out.stats.push(s);
                    g
                }
            };
            map.push(g);
        }
        for mut r in part.rejects {
            r.row += header_row + 1 + row_offset;
            out.rejects.push(r);
        }
        out.rejects_truncated |= part.rejects_truncated;
        row_offset += part.account.rows_in;
        out.account.merge(&part.account);
        let users: Vec<u32> = part.order_users.iter().map(|&u| map[u as usize]).collect();
        key_lists.push((part.order_keys, users));
    }
    if key_lists.len() > 1 {
        remove_cross_chunk_duplicates(&key_lists, &mut out.stats);
    }
    out
}

/// An order whose (customer, order) key appears in k chunks was counted k
/// times; take k − 1 back. The lists are sorted, so this is a k-way merge.
fn remove_cross_chunk_duplicates(lists: &[(Vec<u64>, Vec<u32>)], stats: &mut [CustomerStats]) {
    let mut heads = vec![0usize; lists.len()];
    loop {
        let mut min: Option<u64> = None;
        for (l, &h) in lists.iter().zip(&heads) {
            if let Some(&k) = l.0.get(h) {
                min = Some(min.map_or(k, |m: u64| m.min(k)));
            }
        }
        let Some(min) = min else { break };
        let mut seen = 0u64;
        let mut user = 0u32;
        for (l, h) in lists.iter().zip(heads.iter_mut()) {
            if l.0.get(*h) == Some(&min) {
                seen += 1;
                user = l.1[*h];
                *h += 1;
            }
        }
        if seen > 1 {
            stats[user as usize].orders -= seen - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::orders::{read_orders, OrderColumns};
    use crate::engine::ingest::split::{CsvSplitter, Dialect};

    fn chunk(csv: &str, header: bool) -> ChunkAggregate {
        let cols = OrderColumns { user_id: 0, order_time: 1, amount: 2, order_id: Some(3) };
        let mut src = CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t");
        let c = read_orders(&mut src, cols, header, &mut |_| {}).expect("read");
        aggregate(c, "t").expect("aggregate")
    }

    #[test]
    fn order_lines_count_once() {
        let a = chunk("u,t,a,o\nA,2024-01-01,10,X1\nA,2024-01-01,5,X1\nA,2024-02-01,1,X2\nB,2024-01-05,2,X1\n", true);
        assert_eq!(a.stats[0].rows, 3);
        assert_eq!(a.stats[0].orders, 2);
        assert_eq!(a.stats[1].orders, 1); // same order number, other customer
        assert_eq!(a.stats[0].monetary, Money::from_cents(1600));
    }

    #[test]
    fn merging_chunks_equals_one_pass() {
        let whole = chunk(
            "u,t,a,o\nA,2024-01-01,10,X1\nB,2024-01-02,3,X2\nA,2024-01-03,5,X1\nC,2024-01-04,1,X3\nA,2024-01-09,1,X4\n",
            true,
        );
        let p1 = chunk("u,t,a,o\nA,2024-01-01,10,X1\nB,2024-01-02,3,X2\n", true);
        let p2 = chunk("A,2024-01-03,5,X1\nbad,row\nC,2024-01-04,1,X3\nA,2024-01-09,1,X4\n", false);
        let one = merge(vec![whole]);
        let two = merge(vec![p1, p2]);
        assert_eq!(one.ids, two.ids);
        assert_eq!(one.stats, two.stats);
        assert_eq!(two.stats[0].orders, 2);
        assert_eq!(two.rejects.len(), 1);
        assert_eq!(two.rejects[0].row, 5); // header 1, then rows 2,3 | 4,5
        assert!(two.account.reconciles());
        assert_eq!(two.account.rows_in, 6);
    }
}
