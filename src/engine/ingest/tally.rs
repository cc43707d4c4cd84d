//! Summing one chunk's rows per customer, cache-friendly.
//!
//! While the rows are parsed they are only appended to one of 256 partitions
//! by a hash of the customer id (sequential writes, no lookups). Each
//! partition then holds a few thousand customers, so its lookup table,
//! totals and set of (customer, order) keys fit in the CPU cache: distinct
//! orders are counted exactly, and each row costs no trip to main memory.
//! Customers are finally numbered in order of first appearance; the rows
//! stay in partition order (no pass puts them back in file order: nothing
//! that reads them needs it) and in the partitions' own memory, which
//! becomes the chunk's table: each row's id key is overwritten with its
//! customer's number (a second table would cost as many fresh pages again).

use super::orders::OrdersTable;
use crate::engine::analyze::customers::CustomerStats;
use crate::engine::analyze::distinct::{pair_key, Bitset};
use crate::engine::date::Day;
use crate::engine::error::IngestError;
use crate::engine::ids::{key_hash, IdArena, SmallTable};
use crate::engine::money::Money;
use std::collections::HashMap;

/// Partitions (a power of two; the top bits of the id hash choose one).
const PARTITION_BITS: u32 = 8;

/// One usable row, as the partitions keep it (its key in two halves: 40
/// bytes, not the 48 a `u128`'s alignment would take). While tallying,
/// `key_*` hold the customer's packed id and `order` the hash of the order
/// number; once summed, `key_lo` holds the customer's number in the chunk
/// and `order` the (customer, order) key.
#[derive(Copy, Clone, Debug)]
pub struct OrderRow {
    key_lo: u64,
    key_hi: u64,
    order: u64,
    amount: i64,
    day: i32,
    /// The row's number among the chunk's usable rows.
    index: u32,
}

impl OrderRow {
    #[inline]
    fn key(&self) -> u128 {
        (u128::from(self.key_hi) << 64) | u128::from(self.key_lo)
    }

    /// The customer's number in the chunk.
    #[inline]
    pub fn user(&self) -> u32 {
        self.key_lo as u32
    }

    /// The order day.
    #[inline]
    pub fn day(&self) -> Day {
        Day::from_days(self.day)
    }

    /// The amount.
    #[inline]
    pub fn amount(&self) -> Money {
        Money::from_units(self.amount)
    }

    /// The hash of (customer, order number); meaningful only when order
    /// numbers are mapped.
    #[inline]
    pub fn order_key(&self) -> u64 {
        self.order
    }
}

/// Rows collected for tallying, already spread over the partitions.
#[derive(Debug)]
pub struct Tally {
    parts: Vec<Vec<OrderRow>>,
    long_ids: HashMap<u128, Box<str>>,
    rows: u32,
    orders_mapped: bool,
}

/// What a chunk's rows add up to.
#[derive(Debug, Default)]
pub struct Totals {
    /// Customer ids, in order of first appearance.
    pub ids: IdArena,
    /// Hash of each customer's id (the same in every chunk).
    pub hashes: Vec<u64>,
    /// Each customer's totals.
    pub stats: Vec<CustomerStats>,
    /// The usable rows, grouped by partition (customers hashed alike).
    pub rows: OrdersTable,
    /// The bits of the chunk's distinct (customer, order) keys.
    pub order_bits: Option<Bitset>,
}

/// The bit of a (customer, order) key: the customer's partition picks a
/// region of the bitset, so one partition's bits are close together.
#[inline]
pub fn order_bit(log2: u32, user_hash: u64, key: u64) -> u64 {
    let pb = PARTITION_BITS.min(log2.saturating_sub(6));
    let rest = log2 - pb;
    let region = if pb == 0 { 0 } else { (user_hash >> (64 - pb)) << rest };
    // As a hash whose top `log2` bits are the index (see `Bitset`).
    (region | (key >> (64 - rest))) << (64 - log2)
}

impl Tally {
    /// An empty tally expecting about `rows` rows.
    pub fn new(rows: usize, orders_mapped: bool) -> Tally {
        let per = rows / (1 << PARTITION_BITS) * 9 / 8 + 16;
        Tally {
            parts: (0..1 << PARTITION_BITS).map(|_| Vec::with_capacity(per)).collect(),
            long_ids: HashMap::new(),
            rows: 0,
            orders_mapped,
        }
    }

    /// Adds a usable row of customer `id` (its packed key `key`).
    #[inline]
    pub fn push(&mut self, id: &str, key: u128, day: Day, amount: i64, order: u64) {
        if key >> 120 == 0xFF && !self.long_ids.contains_key(&key) {
            self.long_ids.insert(key, id.into());
        }
        let part = (key_hash(key) >> (64 - PARTITION_BITS)) as usize;
        let index = self.rows;
        self.parts[part].push(OrderRow {
            key_lo: key as u64,
            key_hi: (key >> 64) as u64,
            order,
            amount,
            day: day.days(),
            index,
        });
        self.rows += 1;
    }

    /// Sums every partition. `bits_log2` sizes the bitset of order keys (the
    /// same for every chunk of a file); `file` is for messages.
    pub fn finish(self, bits_log2: u32, file: &str) -> Result<Totals, IngestError> {
        let Tally { mut parts, long_ids, rows, orders_mapped } = self;
        let n = rows as usize;
        let mut bits = orders_mapped.then(|| Bitset::new(bits_log2));
        // Orders files have several rows per customer: room for one in eight, so that
        // the table of customers is seldom copied to grow.
        let mut found: Vec<Found> = Vec::with_capacity(n / 8);
        let mut work = PartitionWork {
            table: SmallTable::default(),
            pairs: PairSet::default(),
            found: &mut found,
            bits: bits.as_mut(),
            bits_log2,
        };
        for part in &mut parts {
            // One call per partition: browsers optimise a function between calls.
            work.run(part)
                .map_err(|key| IngestError::Overflow { file: file.to_string(), customer: id_text(key, &long_ids) })?;
        }
        // Customers numbered in order of first appearance: found ones sorted
        // by their first row, then each row's customer renumbered.
        let mut by_first: Vec<u64> =
            found.iter().enumerate().map(|(i, f)| (u64::from(f.first_row) << 32) | i as u64).collect();
        by_first.sort_unstable();
        let mut number = vec![0u32; found.len()];
        let mut out = Totals::default();
        out.hashes.reserve(found.len());
        out.stats.reserve(found.len());
        for (rank, &first_and_index) in by_first.iter().enumerate() {
            let i = (first_and_index & u64::from(u32::MAX)) as usize;
            let f = &found[i];
            number[i] = rank as u32;
            push_id(&mut out.ids, f.key, &long_ids);
            out.hashes.push(f.hash);
            out.stats.push(f.stats);
        }
        for part in &mut parts {
            renumber(part, &number);
        }
        out.rows = OrdersTable::new(parts, orders_mapped);
        out.order_bits = bits;
        Ok(out)
    }
}

/// Replaces each row's customer number `c` by `number[c]` (one call per
/// partition: a WebAssembly engine optimises a function between calls,
/// never inside one long call).
#[inline(never)]
fn renumber(part: &mut [OrderRow], number: &[u32]) {
    for r in part {
        r.key_lo = u64::from(number[r.key_lo as usize]);
    }
}

/// A customer found in a partition.
struct Found {
    key: u128,
    hash: u64,
    /// The customer's first usable row in the chunk.
    first_row: u32,
    stats: CustomerStats,
}

/// Sums partitions one by one, reusing its tables.
struct PartitionWork<'a> {
    table: SmallTable,
    pairs: PairSet,
    found: &'a mut Vec<Found>,
    /// The bits of distinct (customer, order) keys, when order numbers are mapped.
    bits: Option<&'a mut Bitset>,
    bits_log2: u32,
}

impl PartitionWork<'_> {
    /// Sums one partition, leaving in each row its customer's number (as
    /// found) and its (customer, order) key; on overflow returns the
    /// customer's id key.
    #[inline(never)]
    fn run(&mut self, part: &mut [OrderRow]) -> Result<(), u128> {
        self.table.reset(part.len());
        if self.bits.is_some() {
            self.pairs.reset(part.len());
        }
        let base = self.found.len() as u32;
        for r in part {
            let key = r.key();
            let next = self.found.len() as u32 - base;
            let slot = self.table.insert(key, next);
            let day = Day::from_days(r.day);
            if slot == next {
                let hash = key_hash(key);
                self.found.push(Found { key, hash, first_row: r.index, stats: CustomerStats::first(day) });
            }
            let c = base + slot;
            let f = &mut self.found[c as usize];
            let s = &mut f.stats;
            s.first_day = s.first_day.min(day);
            s.last_day = s.last_day.max(day);
            s.rows += 1;
            s.monetary = s.monetary.checked_add(Money::from_units(r.amount)).ok_or(key)?;
            match self.bits.as_deref_mut() {
                Some(bits) => {
                    let k = pair_key(f.hash, r.order);
                    r.order = k;
                    if self.pairs.insert(k) {
                        s.orders += 1;
                        bits.set(order_bit(self.bits_log2, f.hash, k));
                    }
                }
                None => s.orders += 1,
            }
            r.key_lo = u64::from(c);
        }
        Ok(())
    }
}

/// Appends the text of a packed key to `ids` (no allocation for short ids).
fn push_id(ids: &mut IdArena, key: u128, long_ids: &HashMap<u128, Box<str>>) {
    if key >> 120 == 0xFF {
        ids.push(long_ids.get(&key).map_or("", |s| s));
        return;
    }
    let bytes = key.to_le_bytes();
    let len = (bytes[15] & 0x0F) as usize;
    ids.push(&String::from_utf8_lossy(&bytes[..len]));
}

/// The text of a packed key (for messages).
fn id_text(key: u128, long_ids: &HashMap<u128, Box<str>>) -> String {
    let mut one = IdArena::default();
    push_id(&mut one, key, long_ids);
    one.get(0).to_string()
}

/// A partition's set of (customer, order) keys (open addressing, reused).
#[derive(Default)]
struct PairSet {
    keys: Vec<u64>,
    mask: usize,
}

impl PairSet {
    fn reset(&mut self, rows: usize) {
        let cap = (rows * 2).next_power_of_two().max(16);
        self.keys.clear();
        self.keys.resize(cap, 0);
        self.mask = cap - 1;
    }

    /// Adds `key`; whether it was new. (Key 0 stands for "empty" and is
    /// stored as 1: a collision with odds of 2^-64.)
    #[inline]
    fn insert(&mut self, key: u64) -> bool {
        let key = key.max(1);
        let mut i = (key as usize) & self.mask;
        loop {
            let k = self.keys[i];
            if k == key {
                return false;
            }
            if k == 0 {
                self.keys[i] = key;
                return true;
            }
            i = (i + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ids::id_key;

    fn push(t: &mut Tally, id: &str, day: i32, cents: i64, order: u64) {
        t.push(id, id_key(id.as_bytes()), Day::from_days(day), cents * 100, order);
    }

    #[test]
    fn totals_in_first_appearance_order_with_distinct_orders() {
        let mut t = Tally::new(10, true);
        let long = "a-customer-id-longer-than-fifteen-bytes";
        push(&mut t, "B", 5, 100, 1);
        push(&mut t, long, 3, 50, 1);
        push(&mut t, "B", 7, 20, 1); // same order again (a second line)
        push(&mut t, "A", 1, 5, 9);
        push(&mut t, "B", 2, 1, 2);
        let totals = t.finish(14, "t").expect("tally");
        assert_eq!(totals.ids.iter().collect::<Vec<_>>(), vec!["B", long, "A"]);
        let t = &totals.rows;
        assert!(t.has_order_keys());
        assert_eq!(t.len(), 5);
        let mut rows: Vec<(u32, i32, u64)> = t.rows().map(|r| (r.user(), r.day().days(), r.order_key())).collect();
        rows.sort();
        let users: Vec<(u32, i32)> = rows.iter().map(|r| (r.0, r.1)).collect();
        assert_eq!(users, vec![(0, 2), (0, 5), (0, 7), (1, 3), (2, 1)]);
        let b = totals.stats[0];
        assert_eq!((b.rows, b.orders, b.monetary), (3, 2, Money::from_cents(121)));
        assert_eq!((b.first_day.days(), b.last_day.days()), (2, 7));
        // B's order 1 on days 5 and 7 is one order; the long id's order 1 another.
        assert_eq!(rows[1].2, rows[2].2);
        assert_ne!(rows[1].2, rows[0].2);
        assert_ne!(rows[1].2, rows[3].2);
    }

    #[test]
    fn many_customers_across_partitions() {
        let mut t = Tally::new(0, false);
        for round in 0..3 {
            for i in 0..10_000 {
                push(&mut t, &format!("C{i}"), round, 1, 0);
            }
        }
        let totals = t.finish(14, "t").expect("tally");
        assert_eq!(totals.ids.len(), 10_000);
        assert_eq!(totals.ids.get(9_999), "C9999");
        assert!(totals.stats.iter().all(|s| s.rows == 3 && s.orders == 3));
        let t = &totals.rows;
        assert_eq!(t.len(), 30_000);
        let c0: Vec<i32> = t.rows().filter(|r| r.user() == 0).map(|r| r.day().days()).collect();
        assert_eq!(c0, vec![0, 1, 2], "C0's rows, in file order within its partition");
        assert!(t.rows().all(|r| r.user() < 10_000));
    }

    #[test]
    fn order_bits_stay_in_the_partitions_region() {
        let h = 0xAB00_0000_0000_0000u64;
        let a = order_bit(20, h, 0);
        let b = order_bit(20, h, u64::MAX);
        assert_eq!(a >> 56, 0xAB);
        assert_eq!(b >> 56, 0xAB);
        assert_ne!(a, b);
    }
}
