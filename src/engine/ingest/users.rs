//! The customers of one chunk as its rows stream by: each id maps to a dense
//! index (see [`Interner`]), and the running totals live in narrow
//! per-field arrays indexed by it, so the random accesses a row needs beyond
//! the lookup hit arrays small enough to stay in cache.

use crate::engine::analyze::customers::CustomerStats;
use crate::engine::date::Day;
use crate::engine::ids::{IdArena, Interner};
use crate::engine::money::Money;

/// Id → dense index, plus each customer's running totals.
#[derive(Clone, Default)]
pub struct UserTable {
    ids: Interner,
    /// Hash of each customer's id.
    pub hash: Vec<u64>,
    /// Day of each customer's first usable row.
    pub first_day: Vec<i32>,
    /// Day of each customer's last usable row.
    pub last_day: Vec<i32>,
    /// Usable rows per customer.
    pub rows: Vec<u32>,
    /// Orders counted so far per customer.
    pub orders: Vec<u32>,
    /// Sum of amounts per customer (units of 0.0001).
    pub monetary: Vec<i64>,
    /// Key of each customer's previous (customer, order): order lines repeat it.
    pub last_key: Vec<u64>,
}

impl std::fmt::Debug for UserTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserTable").field("customers", &self.len()).finish()
    }
}

impl UserTable {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The index of `id` (adding it, with zeroed totals, when unseen) and
    /// whether it is new.
    #[inline]
    pub fn index(&mut self, id: &str) -> (usize, bool) {
        let (idx, new, hash) = self.ids.intern_hashed(id);
        if new {
            self.hash.push(hash);
            self.first_day.push(i32::MAX);
            self.last_day.push(i32::MIN);
            self.rows.push(0);
            self.orders.push(0);
            self.monetary.push(0);
            self.last_key.push(0);
        }
        (idx as usize, new)
    }

    /// The ids and each customer's totals, in index order.
    pub fn finish(self) -> (IdArena, Vec<CustomerStats>) {
        let stats = (0..self.ids.len())
            .map(|i| CustomerStats {
                first_day: Day::from_days(self.first_day[i]),
                last_day: Day::from_days(self.last_day[i]),
                rows: u64::from(self.rows[i]),
                orders: u64::from(self.orders[i]),
                monetary: Money::from_units(self.monetary[i]),
            })
            .collect();
        (self.ids.into_ids(), stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_survive_growth() {
        let mut t = UserTable::default();
        for round in 0..3 {
            for i in 0..5_000usize {
                let id = if i % 7 == 0 { format!("a-long-customer-identifier-{i}") } else { format!("C{i}") };
                let (idx, new) = t.index(&id);
                assert_eq!((idx, new), (i, round == 0), "{id}");
                t.rows[idx] += 1;
            }
        }
        let (ids, stats) = t.finish();
        assert_eq!(ids.len(), 5_000);
        assert_eq!(ids.get(7), "a-long-customer-identifier-7");
        assert!(stats.iter().all(|s| s.rows == 3));
    }
}
