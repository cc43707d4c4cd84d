//! Per-customer order statistics: summed per chunk while reading (in each
//! worker), sent as compact columns, merged into one table, with every
//! order counted exactly once across chunks.

use crate::engine::analyze::distinct::{overcounts, Bitset};
use crate::engine::clean::{Reject, RowAccount};
use crate::engine::codec;
use crate::engine::date::Day;
use crate::engine::ids::{IdArena, IdMerger};
use crate::engine::ingest::orders::OrdersChunk;
use crate::engine::money::Money;
use serde::{Deserialize, Serialize};

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
    /// A customer not yet seen on any row (the first row sets the days).
    pub fn first(day: Day) -> CustomerStats {
        CustomerStats { first_day: day, last_day: day, rows: 0, orders: 0, monetary: Money::ZERO }
    }

    fn absorb(&mut self, o: &CustomerStats) {
        self.first_day = self.first_day.min(o.first_day);
        self.last_day = self.last_day.max(o.last_day);
        self.rows += o.rows;
        self.orders += o.orders;
        self.monetary = self.monetary + o.monetary;
    }
}

/// One chunk's customers as compact columns, to send to the merging worker.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChunkAggregate {
    /// Customer ids, by local index.
    pub ids: IdArena,
    #[serde(with = "codec::i32s")]
    first_day: Vec<i32>,
    #[serde(with = "codec::i32s")]
    last_day: Vec<i32>,
    #[serde(with = "codec::u64s")]
    rows: Vec<u64>,
    #[serde(with = "codec::u64s")]
    orders: Vec<u64>,
    #[serde(with = "codec::i64s")]
    monetary: Vec<i64>,
    /// Bits of the chunk's counted (customer, order) keys, when order numbers are mapped.
    pub order_bits: Option<Bitset>,
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

impl ChunkAggregate {
    /// The aggregate of a chunk that was read (the chunk keeps its columns).
    pub fn of(chunk: &OrdersChunk) -> ChunkAggregate {
        let s = &chunk.stats;
        ChunkAggregate {
            ids: chunk.users.clone(),
            first_day: s.iter().map(|x| x.first_day.days()).collect(),
            last_day: s.iter().map(|x| x.last_day.days()).collect(),
            rows: s.iter().map(|x| x.rows).collect(),
            orders: s.iter().map(|x| x.orders).collect(),
            monetary: s.iter().map(|x| x.monetary.units()).collect(),
            order_bits: chunk.order_bits().cloned(),
            account: chunk.account.clone(),
            rejects: chunk.rejects.clone(),
            rejects_truncated: chunk.rejects_truncated,
            ended_in_quote: chunk.ended_in_quote,
            header_row: chunk.header_row,
        }
    }

    fn stats(&self, i: usize) -> CustomerStats {
        CustomerStats {
            first_day: Day::from_days(self.first_day[i]),
            last_day: Day::from_days(self.last_day[i]),
            rows: self.rows[i],
            orders: self.orders[i],
            monetary: Money::from_units(self.monetary[i]),
        }
    }
}

/// All customers of a file, merged from its chunks.
#[derive(Debug, Default)]
pub struct Customers {
    /// Customer ids, in order of first appearance.
    pub ids: IdArena,
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
    /// The row whose quote is never closed, when the file ends inside a
    /// quoted field (its last row swallowed every line after the quote).
    pub unclosed_quote_row: Option<u64>,
}

impl Customers {
    /// Each customer's net spend, aligned with `ids` (what Pareto ranks).
    pub fn spends(&self) -> Vec<Money> {
        self.stats.iter().map(|s| s.monetary).collect()
    }

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

/// Chunks merged, perhaps still with orders that two chunks both counted.
#[derive(Debug)]
pub struct Merged {
    /// The customers (orders possibly overcounted until [`Merged::settle`]).
    pub customers: Customers,
    /// Per chunk, the global index of each local customer.
    maps: Vec<Vec<u32>>,
    /// Bits set by two or more chunks: orders on them may be counted twice.
    pub shared_bits: Option<Bitset>,
}

impl Merged {
    /// Takes back orders counted in more than one chunk, given each chunk's
    /// [`OrdersChunk::keys_on`] the shared bits (in chunk order).
    pub fn settle(mut self, keys: Vec<Vec<(u64, u32)>>) -> Customers {
        let occurrences: Vec<(u64, u32)> = keys
            .into_iter()
            .zip(&self.maps)
            .flat_map(|(list, map)| list.into_iter().map(move |(k, u)| (k, map[u as usize])))
            .collect();
        for (u, n) in overcounts(occurrences) {
            self.customers.stats[u as usize].orders -= n;
        }
        self.customers
    }
}

/// Merges chunk aggregates, given in file order.
pub fn merge(parts: Vec<ChunkAggregate>) -> Merged {
    let bits: Vec<&Bitset> = parts.iter().filter_map(|p| p.order_bits.as_ref()).collect();
    let shared_bits = if bits.len() > 1 { Bitset::in_two_or_more(&bits) } else { None };
    let order_ids_mapped = !bits.is_empty();
    // Rows before the first data row: the header line (and blank lines before
    // it); 0 for JSON Lines, whose header is made up from the keys.
    let header_row = parts.first().map_or(1, |p| p.header_row);
    let unclosed = parts.last().is_some_and(|p| p.ended_in_quote);
    let mut out = Customers { order_ids_mapped, ..Customers::default() };
    let mut index = IdMerger::new(parts.iter().map(|p| p.ids.len()).sum());
    let mut maps = Vec::with_capacity(parts.len());
    let mut row_offset = 0u64;
    for part in parts {
        let merged = index.add(&part.ids);
        let mut map = Vec::with_capacity(merged.len());
        for (i, (g, new)) in merged.into_iter().enumerate() {
            let s = part.stats(i);
            if new {
                out.stats.push(s);
            } else {
                out.stats[g as usize].absorb(&s);
            }
            map.push(g);
        }
        for mut r in part.rejects {
            r.row += header_row + 1 + row_offset;
            out.rejects.push(r);
        }
        out.rejects_truncated |= part.rejects_truncated;
        row_offset += part.account.rows_in;
        out.account.merge(&part.account);
        maps.push(map);
    }
    out.ids = index.into_ids();
    if unclosed {
        out.unclosed_quote_row = Some(header_row + out.account.rows_in);
    }
    Merged { customers: out, maps, shared_bits }
}

/// Merges and settles chunks read in this process (the CLI, tests).
pub fn merge_local(chunks: &[OrdersChunk]) -> Customers {
    let merged = merge(chunks.iter().map(ChunkAggregate::of).collect());
    let keys = match &merged.shared_bits {
        Some(bits) => chunks.iter().map(|c| c.keys_on(bits)).collect(),
        None => Vec::new(),
    };
    merged.settle(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::orders::{read_orders, OrderColumns, ReadOptions};
    use crate::engine::ingest::split::{CsvSplitter, Dialect};

    fn chunk(csv: &str, header: bool) -> OrdersChunk {
        let cols = OrderColumns { user_id: 0, order_time: 1, amount: 2, order_id: Some(3) };
        let mut src = CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t");
        read_orders(
            &mut src,
            ReadOptions { file: "t", cols, header, order_bits_log2: 12, expected_rows: 0 },
            &mut |_| {},
        )
        .expect("read")
    }

    #[test]
    fn order_lines_count_once() {
        let c = merge_local(&[chunk(
            "u,t,a,o\nA,2024-01-01,10,X1\nA,2024-01-01,5,X1\nA,2024-02-01,1,X2\nB,2024-01-05,2,X1\n",
            true,
        )]);
        assert_eq!(c.stats[0].rows, 3);
        assert_eq!(c.stats[0].orders, 2);
        assert_eq!(c.stats[1].orders, 1); // same order number, other customer
        assert_eq!(c.stats[0].monetary, Money::from_cents(1600));
    }

    #[test]
    fn merging_chunks_equals_one_pass() {
        let one = merge_local(&[chunk(
            "u,t,a,o\nA,2024-01-01,10,X1\nB,2024-01-02,3,X2\nA,2024-01-03,5,X1\nC,2024-01-04,1,X3\nA,2024-01-09,1,X4\n",
            true,
        )]);
        let two = merge_local(&[
            chunk("u,t,a,o\nA,2024-01-01,10,X1\nB,2024-01-02,3,X2\n", true),
            chunk("A,2024-01-03,5,X1\nbad,row\nC,2024-01-04,1,X3\nA,2024-01-09,1,X4\n", false),
        ]);
        assert_eq!(one.ids, two.ids);
        assert_eq!(one.stats, two.stats);
        assert_eq!(two.stats[0].orders, 2); // X1 in both chunks counts once
        assert_eq!(two.rejects.len(), 1);
        assert_eq!(two.rejects[0].row, 5); // header 1, then rows 2,3 | 4,5
        assert!(two.account.reconciles());
        assert_eq!(two.account.rows_in, 6);
    }

    #[test]
    fn aggregates_survive_encoding() {
        let c = chunk("u,t,a,o\nA,2024-01-01,10,X1\nB,2024-01-02,-3.5,X2\n", true);
        let a = ChunkAggregate::of(&c);
        let b: ChunkAggregate = codec::from_bytes(&codec::to_bytes(&a)).expect("decode");
        assert_eq!(b.ids, a.ids);
        assert_eq!(b.stats(1), a.stats(1));
        assert_eq!(b.order_bits, a.order_bits);
    }
}
