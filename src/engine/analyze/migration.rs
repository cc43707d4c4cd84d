//! Segment migration between two snapshot dates: RFM of the orders dated on
//! or before snapshot A and of those on or before snapshot B (each scored
//! on its own customers by the same method — the same user breakpoints, or
//! each date's own quintiles and means — and segmented by the same rules),
//! and the segment × segment matrix of customers from A to B.
//!
//! Every customer of the file is counted once: rows are their segment at A,
//! plus a last row "new" for those with no order by A; columns are their
//! segment at B, plus a last column for those with no order by B (customers
//! whose first order is after B). Row shares divide by the row's total.

use super::customers::{CustomerStats, Customers};
use super::members::MemberError;
use super::rfm::{rfm, RfmError, RfmParams};
use super::segment::SegmentLabel;
use crate::engine::clean::RowAccount;
use crate::engine::date::Day;
use crate::engine::ids::{IdArena, Interner};
use crate::engine::ingest::orders::OrdersChunk;
use crate::engine::money::Money;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Customers' statistics counting only orders dated on or before a day.
#[derive(Debug)]
pub struct StatsUntil {
    /// Every customer of the chunks, in order of first appearance.
    pub ids: IdArena,
    /// Their statistics; `None`: no order by the day.
    pub stats: Vec<Option<CustomerStats>>,
    /// Rows counted.
    pub rows: u64,
    /// Whether order numbers were mapped.
    pub order_ids_mapped: bool,
}

impl StatsUntil {
    /// The customers with an order by the day, as [`Customers`], and the
    /// position of each in [`StatsUntil::ids`].
    pub fn customers(&self) -> (Customers, Vec<usize>) {
        let mut c = Customers { order_ids_mapped: self.order_ids_mapped, ..Customers::default() };
        let mut at = Vec::new();
        for (i, s) in self.stats.iter().enumerate() {
            if let Some(s) = s {
                c.ids.push(self.ids.get(i as u32));
                c.stats.push(*s);
                at.push(i);
            }
        }
        c.account = RowAccount { rows_in: self.rows, rows_used: self.rows, ..RowAccount::default() };
        (c, at)
    }
}

/// Each customer's orders dated on or before `day`, from the chunks of a file
/// (in file order). An order number seen in two chunks counts once.
pub fn stats_until(chunks: &[OrdersChunk], day: Day) -> StatsUntil {
    let mut index = Interner::default();
    let mut stats: Vec<Option<CustomerStats>> = Vec::new();
    let mut seen: HashSet<(u32, u64)> = HashSet::new();
    let mut rows = 0;
    let order_ids_mapped = chunks.iter().any(|c| c.table.has_order_keys());
    for chunk in chunks {
        let map: Vec<u32> = chunk
            .users
            .iter()
            .map(|id| {
                let (g, new) = index.intern(id);
                if new {
                    stats.push(None);
                }
                g
            })
            .collect();
        let t = &chunk.table;
        for r in t.rows() {
            let d = r.day();
            if d > day {
                continue;
            }
            let g = map[r.user() as usize];
            let s = stats[g as usize].get_or_insert_with(|| CustomerStats::first(d));
            s.first_day = s.first_day.min(d);
            s.last_day = s.last_day.max(d);
            s.rows += 1;
            s.monetary = s.monetary + r.amount();
            let new_order = !t.has_order_keys() || seen.insert((g, r.order_key()));
            if new_order {
                s.orders += 1;
            }
            rows += 1;
        }
    }
    StatsUntil { ids: index.into_ids(), stats, rows, order_ids_mapped }
}

/// Customers moving between segments from snapshot A to snapshot B.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    /// Snapshot A.
    pub from: Day,
    /// Snapshot B.
    pub to: Day,
    /// The segments (rows and columns, in this order; then "new" / "none by B").
    pub segments: Vec<SegmentLabel>,
    /// `counts[i][j]`: customers in segment i at A and j at B; row `k` = no
    /// order by A, column `k` = no order by B (`k` = number of segments).
    pub counts: Vec<Vec<u64>>,
    /// Customers per row.
    pub row_totals: Vec<u64>,
    /// `counts[i][j] / row_totals[i]` (0 for an empty row).
    pub row_shares: Vec<Vec<f64>>,
    /// Customers with an order by A, and by B.
    pub customers_at: [u64; 2],
    /// Revenue by A, and by B.
    pub revenue_at: [Money; 2],
    /// Customers in the file.
    pub customers: u64,
}

/// Segment of every customer (by position in `all.ids`) at one date; `None`: no order by then.
fn segments_at(all: &StatsUntil, params: &RfmParams, day: Day) -> Result<(Vec<Option<u32>>, Money), RfmError> {
    let (c, at) = all.customers();
    let mut seg = vec![None; all.stats.len()];
    if c.stats.is_empty() {
        return Ok((seg, Money::ZERO));
    }
    let r = rfm(&c, RfmParams { snapshot: Some(day), ..params.clone() })?;
    for (x, &i) in r.customers.iter().zip(&at) {
        seg[i] = Some(x.segment);
    }
    Ok((seg, r.totals.revenue))
}

/// The migration from snapshot `from` to snapshot `to` (`from` < `to`), with
/// `params`' breakpoints, 0–100 weights and segment rules (its snapshot is
/// not used).
pub fn migration(chunks: &[OrdersChunk], from: Day, to: Day, params: &RfmParams) -> Result<Migration, RfmError> {
    migration_with_members(chunks, from, to, params).map(|(m, _)| m)
}

/// Who is in which cell of a [`Migration`]: every customer of the file, in
/// order of first appearance, with their segment at A and at B.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MigrationMembers {
    /// Every customer of the file.
    pub ids: IdArena,
    /// Segment at A (position in [`Migration::segments`]); `None`: no order by A.
    pub from: Vec<Option<u32>>,
    /// Segment at B; `None`: no order by B.
    pub to: Vec<Option<u32>>,
}

impl MigrationMembers {
    /// The customers of cell (`row`, `col`) of the matrix (positions; the
    /// position after the last segment is "new" as a row and "no order by B"
    /// as a column), as indexes into [`MigrationMembers::ids`].
    pub fn cell(&self, row: usize, col: usize, segments: usize) -> Vec<u32> {
        let at = |s: Option<u32>| s.map_or(segments, |s| s as usize);
        (0..self.ids.len() as u32)
            .filter(|&i| at(self.from[i as usize]) == row && at(self.to[i as usize]) == col)
            .collect()
    }

    /// The position of a row or column named by a segment's key or name (any
    /// case), `new` / `none` for the last one.
    pub fn position(m: &Migration, name: &str, names: &[&str]) -> Result<usize, MemberError> {
        let n = name.trim();
        let k = m.segments.len();
        if n.eq_ignore_ascii_case("new") || n.eq_ignore_ascii_case("none") {
            return Ok(k);
        }
        m.segments
            .iter()
            .enumerate()
            .position(|(i, s)| s.key().eq_ignore_ascii_case(n) || names.get(i).is_some_and(|x| *x == n))
            .ok_or_else(|| MemberError::NoSegment {
                segment: n.to_string(),
                segments: m.segments.iter().map(|s| s.key().to_string()).collect::<Vec<_>>().join(", "),
            })
    }
}

/// The migration and who is in each of its cells.
pub fn migration_with_members(
    chunks: &[OrdersChunk],
    from: Day,
    to: Day,
    params: &RfmParams,
) -> Result<(Migration, MigrationMembers), RfmError> {
    if from >= to {
        return Err(RfmError::MigrationOrder { from: from.to_string(), to: to.to_string() });
    }
    params.check()?;
    let a = stats_until(chunks, from);
    let b = stats_until(chunks, to);
    let (seg_a, rev_a) = segments_at(&a, params, from)?;
    let (seg_b, rev_b) = segments_at(&b, params, to)?;
    let segments = params.segmentation().labels();
    let k = segments.len();
    let mut counts = vec![vec![0u64; k + 1]; k + 1];
    // The ids of `a` and `b` are the same list: every customer of the chunks, in the same order.
    for (sa, sb) in seg_a.iter().zip(&seg_b) {
        counts[sa.map_or(k, |s| s as usize)][sb.map_or(k, |s| s as usize)] += 1;
    }
    let row_totals: Vec<u64> = counts.iter().map(|r| r.iter().sum()).collect();
    let row_shares = counts
        .iter()
        .zip(&row_totals)
        .map(|(row, &n)| row.iter().map(|&x| if n == 0 { 0.0 } else { x as f64 / n as f64 }).collect())
        .collect();
    let count = |s: &[Option<u32>]| s.iter().filter(|x| x.is_some()).count() as u64;
    let m = Migration {
        from,
        to,
        segments,
        counts,
        row_totals,
        row_shares,
        customers_at: [count(&seg_a), count(&seg_b)],
        revenue_at: [rev_a, rev_b],
        customers: b.ids.len() as u64,
    };
    Ok((m, MigrationMembers { ids: b.ids, from: seg_a, to: seg_b }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analyze::customers::merge_local;
    use crate::engine::analyze::segment::{Segment, SegmentPreset};
    use crate::engine::ingest::orders::{read_orders, OrderColumns, ReadOptions};
    use crate::engine::ingest::split::{CsvSplitter, Dialect};

    fn chunk(csv: &str) -> OrdersChunk {
        let cols = OrderColumns { user_id: 0, order_time: 1, amount: 2, order_id: Some(3) };
        let mut src = CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t");
        let opts = ReadOptions { file: "t", cols, header: true, order_bits_log2: 10, expected_rows: 0 };
        read_orders(&mut src, opts, &mut |_| {}).expect("read")
    }

    const ORDERS: &str = "user,time,amount,order\n\
        A,2024-01-10,100,a1\nA,2024-02-10,200,a2\nA,2024-03-31 18:00:00,250,a3\nA,2024-03-31 18:00:00,50,a3\n\
        B,2024-03-22,50,b1\nC,2024-01-05,100,c1\nC,2024-02-01,200,c2\nD,2023-12-03,20,d1\nE,2023-03-03,1000,e1\n\
        F,2024-05-01,70,f1\n";

    fn day(s: &str) -> Day {
        Day::parse_iso(s).expect("day")
    }

    #[test]
    fn stats_until_the_last_day_equal_the_merged_customers() {
        let head = "user,time,amount,order\n";
        let (one, two) = ORDERS.split_at(ORDERS.find("C,").expect("C"));
        // The same order a3 split over two chunks counts once.
        let chunks = [chunk(one), chunk(&format!("{head}A,2024-03-31,5,a3\n{two}"))];
        let merged = merge_local(&chunks);
        let s = stats_until(&chunks, day("2024-05-01"));
        assert_eq!(s.ids, merged.ids);
        let stats: Vec<CustomerStats> = s.stats.iter().map(|x| x.expect("all")).collect();
        assert_eq!(stats, merged.stats);
        assert_eq!(s.rows, merged.account.rows_used);
        // By 2024-02-10: A has a1, a2 (300); B, F none; C c1, c2; D, E theirs.
        let s = stats_until(&chunks, day("2024-02-10"));
        let a = s.stats[0].expect("A");
        assert_eq!((a.orders, a.rows, a.monetary, a.last_day), (2, 2, Money::from_cents(30_000), day("2024-02-10")));
        assert_eq!(s.stats[1], None);
        assert_eq!(s.stats.iter().filter(|x| x.is_some()).count(), 4);
    }

    /// 5 tiers with user breaks, so the scores are easy to follow by hand.
    fn hand_params() -> RfmParams {
        RfmParams {
            preset: SegmentPreset::Tiers5,
            breaks: crate::engine::analyze::rfm::UserBreaks {
                recency: Some([7.0, 30.0, 90.0, 180.0]),
                frequency: Some([1.0, 2.0, 3.0, 4.0]),
                monetary: Some([50.0, 100.0, 250.0, 500.0]),
            },
            ..RfmParams::default()
        }
    }

    #[test]
    fn hand_checked_migration() {
        // 5 tiers, A = 2024-02-11, B = 2024-04-01 (user breaks so the scores are easy to follow).
        // At A: A rec 1 f2 m300; C rec 10 f2 m300; D rec 70 f1 m20; E rec 345 f1 m1000.
        // At B: A rec 1 f3 m600; B rec 10 f1 m50; C rec 60 f2 m300; D rec 120 f1 m20; E rec 395 (lost).
        let params = hand_params();
        let m = migration(&[chunk(ORDERS)], day("2024-02-11"), day("2024-04-01"), &params).expect("migration");
        use Segment::*;
        let at = |s: Segment| m.segments.iter().position(|l| *l == SegmentLabel::Builtin(s)).expect("segment");
        let k = m.segments.len();
        // Scores at A: A r5 f2 m4 → potential; C r4 f2 m4 → potential; D r3 f1 m1 → general;
        // E r1 f1 m5 (345 days) → general.
        // Scores at B: A r5 f3 m5 → potential; B r4 f1 m1 → general; C r3 f2 m4 → general;
        // D r2 f1 m1 → at risk; E 395 days → lost. F orders after B: new → none by B.
        assert_eq!(m.counts[at(Potential)][at(Potential)], 1, "A");
        assert_eq!(m.counts[at(Potential)][at(General)], 1, "C");
        assert_eq!(m.counts[at(General)][at(AtRisk)], 1, "D");
        assert_eq!(m.counts[at(General)][at(Lost)], 1, "E");
        assert_eq!(m.counts[k][at(General)], 1, "B is new");
        assert_eq!(m.counts[k][k], 1, "F has no order by B");
        assert_eq!(m.counts.iter().flatten().sum::<u64>(), 6);
        assert_eq!(m.row_totals[at(Potential)], 2);
        assert_eq!(m.row_totals[k], 2);
        assert!((m.row_shares[at(General)][at(AtRisk)] - 0.5).abs() < 1e-12);
        assert_eq!(m.row_shares[at(HighValue)], vec![0.0; k + 1]);
        assert_eq!(m.customers_at, [4, 5]);
        assert_eq!(m.revenue_at, [Money::from_cents(162_000), Money::from_cents(197_000)]);
        assert_eq!(m.customers, 6);
    }

    #[test]
    fn dates_out_of_order_are_refused() {
        let e = migration(&[chunk(ORDERS)], day("2024-04-01"), day("2024-04-01"), &RfmParams::default());
        assert!(matches!(e, Err(RfmError::MigrationOrder { .. })));
    }

    #[test]
    fn migration_cells_list_their_customers() {
        // As `hand_checked_migration`: A potential → potential, C potential → general, D general → at risk,
        // E general → lost, B new → general, F new → none by B.
        let params = hand_params();
        let (m, who) =
            migration_with_members(&[chunk(ORDERS)], day("2024-02-11"), day("2024-04-01"), &params).expect("migration");
        let k = m.segments.len();
        let names = |row: usize, col: usize| -> Vec<&str> {
            who.cell(row, col, k).into_iter().map(|i| who.ids.get(i)).collect()
        };
        let at = |key: &str| MigrationMembers::position(&m, key, &[]).expect("segment");
        assert_eq!(names(at("Potential"), at("Potential")), vec!["A"]);
        assert_eq!(names(at("potential"), at("General")), vec!["C"]);
        assert_eq!(names(at("General"), at("AtRisk")), vec!["D"]);
        assert_eq!(names(at("General"), at("Lost")), vec!["E"]);
        assert_eq!(names(at("new"), at("General")), vec!["B"]);
        assert_eq!(names(k, at("none")), vec!["F"]);
        assert!(names(at("HighValue"), at("HighValue")).is_empty());
        // Every cell's list has the matrix's count.
        for (i, row) in m.counts.iter().enumerate() {
            for (j, &n) in row.iter().enumerate() {
                assert_eq!(who.cell(i, j, k).len() as u64, n, "cell {i},{j}");
            }
        }
        // Names in the page's language also name a segment; anything else is a typed error.
        let zh = ["高价值", "潜力", "一般", "流失风险", "流失"];
        assert_eq!(MigrationMembers::position(&m, "潜力", &zh).expect("name"), at("Potential"));
        let e = MigrationMembers::position(&m, "Gold", &zh).expect_err("unknown");
        assert!(matches!(e, MemberError::NoSegment { .. }), "{e}");
    }
}
