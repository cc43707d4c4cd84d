//! Summing one chunk's rows per customer, cache-friendly.
//!
//! While the rows are parsed they are only appended to one of 256 partitions
//! by a hash of the customer id (sequential writes, no lookups). Each
//! partition then holds a few thousand customers, so its lookup table,
//! totals and set of (customer, order) keys fit in the CPU cache: distinct
//! orders are counted exactly, and each row costs no trip to main memory.
//! Customers are finally numbered in order of first appearance.

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
/// bytes, not the 48 a `u128`'s alignment would take).
#[derive(Copy, Clone, Debug)]
struct Row {
    key_lo: u64,
    key_hi: u64,
    order: u64,
    amount: i64,
    day: i32,
}

impl Row {
    #[inline]
    fn key(&self) -> u128 {
        (u128::from(self.key_hi) << 64) | u128::from(self.key_lo)
    }
}

/// Rows collected for tallying, already spread over the partitions.
#[derive(Debug)]
pub struct Tally {
    parts: Vec<Vec<Row>>,
    /// The partition of each row, in row order.
    part_of_row: Vec<u8>,
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
    /// The customer of each row, in row order.
    pub user: Vec<u32>,
    /// The (customer, order) key of each row, when order numbers are mapped.
    pub order_key: Option<Vec<u64>>,
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
            part_of_row: Vec::with_capacity(rows),
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
        self.parts[part].push(Row { key_lo: key as u64, key_hi: (key >> 64) as u64, order, amount, day: day.days() });
        self.part_of_row.push(part as u8);
        self.rows += 1;
    }

    /// Sums every partition. `bits_log2` sizes the bitset of order keys (the
    /// same for every chunk of a file); `file` is for messages.
    pub fn finish(self, bits_log2: u32, file: &str) -> Result<Totals, IngestError> {
        let n = self.rows as usize;
        let mut bits = self.orders_mapped.then(|| Bitset::new(bits_log2));
        // Orders files have several rows per customer: room for one in eight, so that
        // the table of customers is seldom copied to grow (8 bytes a row).
        let mut found: Found = Vec::with_capacity(n / 8);
        // The customer and (customer, order) key of each row, in partition order.
        let mut part_customer = Vec::with_capacity(n);
        let mut part_key = self.orders_mapped.then(|| Vec::with_capacity(n));
        let mut work = PartitionWork {
            table: SmallTable::default(),
            pairs: PairSet::default(),
            found: &mut found,
            customer: &mut part_customer,
            key: part_key.as_mut(),
            bits: bits.as_mut(),
            bits_log2,
        };
        for part in &self.parts {
            // One call per partition: browsers optimise a function between calls.
            work.run(part).map_err(|key| IngestError::Overflow {
                file: file.to_string(),
                customer: id_text(key, &self.long_ids),
            })?;
        }
        // Back to row order, reading each partition's results as a stream
        // (not writing each row's at random), and numbering customers in
        // order of first appearance on the way.
        let mut cursor = Vec::with_capacity(self.parts.len());
        let mut at = 0;
        for p in &self.parts {
            cursor.push(at);
            at += p.len();
        }
        let mut order = RowOrder {
            cursor,
            part_customer: &part_customer,
            part_key: part_key.as_deref(),
            dense: vec![u32::MAX; found.len()],
            first: Vec::with_capacity(found.len()),
            user: Vec::with_capacity(n),
            order_key: part_key.as_ref().map(|_| Vec::with_capacity(n)),
        };
        for rows in self.part_of_row.chunks(BATCH) {
            order.run(rows);
        }
        let RowOrder { first, user, order_key, .. } = order;
        let mut out = Totals { order_key, order_bits: bits, user, ..Totals::default() };
        out.hashes.reserve(found.len());
        out.stats.reserve(found.len());
        for &c in &first {
            let (key, hash, s) = &found[c as usize];
            push_id(&mut out.ids, *key, &self.long_ids);
            out.hashes.push(*hash);
            out.stats.push(*s);
        }
        Ok(out)
    }
}

/// Found customers: (key, hash, totals).
type Found = Vec<(u128, u64, CustomerStats)>;

/// Rows per call of [`RowOrder::run`]: a WebAssembly engine optimises a
/// function between calls, never inside one long call.
const BATCH: usize = 1 << 16;

/// Partition results put back in row order, customers numbered in order of
/// first appearance.
struct RowOrder<'a> {
    /// Per partition, where its next row's results are.
    cursor: Vec<usize>,
    part_customer: &'a [u32],
    part_key: Option<&'a [u64]>,
    /// Each found customer's number, once seen.
    dense: Vec<u32>,
    /// Found customers in order of first appearance.
    first: Vec<u32>,
    user: Vec<u32>,
    order_key: Option<Vec<u64>>,
}

impl RowOrder<'_> {
    /// The next rows (their partitions, in row order).
    #[inline(never)]
    fn run(&mut self, part_of_row: &[u8]) {
        for &p in part_of_row {
            let i = self.cursor[p as usize];
            self.cursor[p as usize] += 1;
            let c = self.part_customer[i];
            let d = &mut self.dense[c as usize];
            if *d == u32::MAX {
                *d = self.first.len() as u32;
                self.first.push(c);
            }
            self.user.push(*d);
            if let (Some(out), Some(keys)) = (self.order_key.as_mut(), self.part_key) {
                out.push(keys[i]);
            }
        }
    }
}

/// Sums partitions one by one, reusing its tables.
struct PartitionWork<'a> {
    table: SmallTable,
    pairs: PairSet,
    found: &'a mut Found,
    customer: &'a mut Vec<u32>,
    key: Option<&'a mut Vec<u64>>,
    bits: Option<&'a mut Bitset>,
    bits_log2: u32,
}

impl PartitionWork<'_> {
    /// Sums one partition; on overflow returns the customer's key.
    #[inline(never)]
    fn run(&mut self, part: &[Row]) -> Result<(), u128> {
        self.table.reset(part.len());
        if self.key.is_some() {
            self.pairs.reset(part.len());
        }
        let base = self.found.len() as u32;
        for r in part {
            let key = r.key();
            let next = self.found.len() as u32 - base;
            let slot = self.table.insert(key, next);
            let new = slot == next;
            if new {
                let day = Day::from_days(r.day);
                let stats = CustomerStats { first_day: day, last_day: day, rows: 0, orders: 0, monetary: Money::ZERO };
                self.found.push((key, key_hash(key), stats));
            }
            let c = base + slot;
            let (_, hash, s) = &mut self.found[c as usize];
            s.first_day = s.first_day.min(Day::from_days(r.day));
            s.last_day = s.last_day.max(Day::from_days(r.day));
            s.rows += 1;
            s.monetary = s.monetary.checked_add(Money::from_units(r.amount)).ok_or(key)?;
            match (self.key.as_deref_mut(), self.bits.as_deref_mut()) {
                (Some(keys), Some(bits)) => {
                    let k = pair_key(*hash, r.order);
                    keys.push(k);
                    if self.pairs.insert(k) {
                        s.orders += 1;
                        bits.set(order_bit(self.bits_log2, *hash, k));
                    }
                }
                _ => s.orders += 1,
            }
            self.customer.push(c);
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
        assert_eq!(totals.user, vec![0, 1, 0, 2, 0]);
        let b = totals.stats[0];
        assert_eq!((b.rows, b.orders, b.monetary), (3, 2, Money::from_cents(121)));
        assert_eq!((b.first_day.days(), b.last_day.days()), (2, 7));
        let keys = totals.order_key.expect("keys");
        assert_eq!(keys[0], keys[2]);
        assert_ne!(keys[0], keys[1]);
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
        assert_eq!(totals.user[10_000], 0);
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
