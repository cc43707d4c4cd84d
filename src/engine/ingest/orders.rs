//! Reads an orders table into typed rows — a customer index, day, exact
//! amount and order key each — and sums each customer's rows. Rows that
//! cannot be used are set aside with their reason; nothing is dropped
//! silently. Unquoted lines (nearly all) are split in place, without copying.

use super::fields::{Field, Mapping};
use super::record::{Record, RecordSource};
use crate::engine::analyze::customers::CustomerStats;
use crate::engine::analyze::distinct::Bitset;
use crate::engine::clean::{Reject, RejectReason, RowAccount};
use crate::engine::date::{DateError, TimestampParser};
use crate::engine::error::IngestError;
use crate::engine::ids::IdArena;
use crate::engine::ids::{id_key, key_hash};
use crate::engine::ingest::tally::{order_bit, OrderRow, Tally};
use crate::engine::money::{parse_amount, parse_plain_amount, trim_text, AmountError};
use serde::{Deserialize, Serialize};

/// Column indexes of the fields the orders reader needs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderColumns {
    /// Customer id column.
    pub user_id: usize,
    /// Order time column.
    pub order_time: usize,
    /// Amount column.
    pub amount: usize,
    /// Order number column, if mapped.
    pub order_id: Option<usize>,
}

impl OrderColumns {
    /// Resolves a mapping, failing with the file's headers in the message
    /// when a required field has no column.
    pub fn from_mapping(m: &Mapping, file: &str, headers: &[String]) -> Result<OrderColumns, IngestError> {
        let need = |f: Field| {
            m.column(f).filter(|&c| c < headers.len().max(1)).ok_or_else(|| IngestError::Unmapped {
                file: file.to_string(),
                field: f.key().to_string(),
                columns: headers.join(", "),
            })
        };
        Ok(OrderColumns {
            user_id: need(Field::UserId)?,
            order_time: need(Field::OrderTime)?,
            amount: need(Field::Amount)?,
            order_id: m.column(Field::OrderId),
        })
    }
}

/// The usable rows of one chunk, grouped by a hash of the customer (not in
/// file order: see `tally`).
#[derive(Debug, Default)]
pub struct OrdersTable {
    parts: Vec<Vec<OrderRow>>,
    order_keys: bool,
}

impl OrdersTable {
    /// A table of the tally's summed partitions.
    pub(super) fn new(parts: Vec<Vec<OrderRow>>, order_keys: bool) -> OrdersTable {
        OrdersTable { parts, order_keys }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.parts.iter().map(Vec::len).sum()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(Vec::is_empty)
    }

    /// Whether rows carry (customer, order) keys (order numbers were mapped).
    pub fn has_order_keys(&self) -> bool {
        self.order_keys
    }

    /// The rows: customer index, day, amount and (customer, order) key.
    pub fn rows(&self) -> impl Iterator<Item = &OrderRow> + '_ {
        self.parts.iter().flatten()
    }
}

/// The result of reading one chunk of an orders file: typed columns, each
/// customer's totals, and where every row went.
#[derive(Debug, Default)]
pub struct OrdersChunk {
    /// Customer ids, by index.
    pub users: IdArena,
    /// The usable rows.
    pub table: OrdersTable,
    /// Per customer (by index): first and last day, rows, orders, spend.
    pub stats: Vec<CustomerStats>,
    /// Where every row went.
    pub account: RowAccount,
    /// Rows set aside. Their `row` is the chunk-local 0-based data-row index
    /// until the chunks are merged and it becomes a row number.
    pub rejects: Vec<Reject>,
    /// Whether more rejects were counted than listed.
    pub rejects_truncated: bool,
    /// Whether the chunk's text ended inside an open quote.
    pub ended_in_quote: bool,
    /// Row number of the header (1 unless blank lines precede it); 0 when
    /// the chunk has no header.
    pub header_row: u64,
    /// Hash of each customer's id (by index).
    pub hashes: Vec<u64>,
    /// Bits of the chunk's distinct (customer, order) keys, when order numbers are mapped.
    pub order_bits: Option<Bitset>,
    order_bits_log2: u32,
}

/// The most rejects one chunk lists (all are counted).
pub const MAX_LISTED_REJECTS: usize = 100_000;

impl OrdersChunk {
    /// The bitset of distinct (customer, order) keys, when order numbers are mapped.
    pub fn order_bits(&self) -> Option<&Bitset> {
        self.order_bits.as_ref()
    }

    /// Each distinct (customer, order) key whose bit is set in `bits`, with
    /// its customer index: the candidates for orders that another chunk
    /// counted too.
    pub fn keys_on(&self, bits: &Bitset) -> Vec<(u64, u32)> {
        if !self.table.has_order_keys() {
            return Vec::new();
        }
        let log2 = self.order_bits_log2;
        let mut out: Vec<(u64, u32)> = self
            .table
            .rows()
            .map(|r| (r.order_key(), r.user()))
            .filter(|&(k, u)| bits.test(order_bit(log2, self.hashes[u as usize], k)))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn reject(&mut self, index: u64, reason: RejectReason, field: Option<Field>, value: &[u8]) {
        self.account.set_aside(reason);
        if self.rejects.len() < MAX_LISTED_REJECTS {
            self.rejects.push(Reject::new(index, reason, field, &String::from_utf8_lossy(value)));
        } else {
            self.rejects_truncated = true;
        }
    }
}

/// How to read an orders chunk.
#[derive(Copy, Clone, Debug)]
pub struct ReadOptions<'a> {
    /// File name, for messages.
    pub file: &'a str,
    /// Columns to read.
    pub cols: OrderColumns,
    /// Whether the chunk starts with the header row.
    pub header: bool,
    /// Size of the distinct-order bitset (the same for every chunk of a file).
    pub order_bits_log2: u32,
    /// About how many rows to expect (columns are sized for them up front).
    pub expected_rows: usize,
}

/// Reads every row of `src`: usable rows into columns and customer totals,
/// the rest set aside. `progress` receives the bytes read so far.
pub fn read_orders(
    src: &mut dyn RecordSource,
    opts: ReadOptions<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<OrdersChunk, IngestError> {
    let cols = opts.cols;
    let mut chunk = OrdersChunk { order_bits_log2: opts.order_bits_log2, ..OrdersChunk::default() };
    let n = opts.expected_rows.min(1 << 26);
    let mut tally = Tally::new(n, cols.order_id.is_some());
    let mut rec = Record::new();
    if opts.header {
        // Blank lines before the header are skipped, but they count as rows.
        loop {
            if !src.read_record(&mut rec)? {
                return Ok(chunk);
            }
            if !rec.is_blank() {
                chunk.header_row += src.header_rows();
                break;
            }
            chunk.header_row += 1;
        }
    }
    let mut wanted = vec![(0, cols.user_id), (1, cols.order_time), (2, cols.amount)];
    if let Some(o) = cols.order_id {
        wanted.push((3, o));
    }
    let mut cursor = Cursor { wanted, cols, times: TimestampParser::default(), index: 0 };
    // Rows go in batches: a WebAssembly engine optimises a function between
    // calls, never inside one long call, so the hot loop must return often.
    while read_batch(src, &mut rec, &mut cursor, &mut chunk, &mut tally, BATCH_ROWS)? {
        progress(src.bytes_read());
    }
    progress(src.bytes_read());
    chunk.ended_in_quote = src.ended_in_quote();
    let totals = tally.finish(opts.order_bits_log2, opts.file)?;
    chunk.users = totals.ids;
    chunk.hashes = totals.hashes;
    chunk.stats = totals.stats;
    chunk.table = totals.rows;
    chunk.order_bits = totals.order_bits;
    Ok(chunk)
}

/// Rows per call of [`read_batch`].
const BATCH_ROWS: usize = 16_384;

/// Where a chunk's reading stands between batches.
struct Cursor {
    wanted: Vec<(usize, usize)>,
    cols: OrderColumns,
    times: TimestampParser,
    index: u64,
}

/// Reads up to `max` rows; `Ok(false)` once the source is exhausted.
#[inline(never)]
fn read_batch(
    src: &mut dyn RecordSource,
    rec: &mut Record,
    cur: &mut Cursor,
    chunk: &mut OrdersChunk,
    tally: &mut Tally,
    max: usize,
) -> Result<bool, IngestError> {
    for _ in 0..max {
        let Some(row) = src.read_row(rec)? else { return Ok(false) };
        let mut fields: [Option<&[u8]>; 4] = [None; 4];
        row.pick(&cur.wanted, &mut fields);
        if let Err(e) = read_row(&fields, cur.cols, &mut cur.times, chunk, tally) {
            let RowError::Reject(reason, field, value) = e;
            let reason = if row.is_blank() { RejectReason::BlankRow } else { reason };
            let (field, value) = match reason {
                RejectReason::BlankRow => (None, String::new()),
                RejectReason::MissingColumn => (field, row.to_text()),
                _ => (field, String::from_utf8_lossy(value.unwrap_or(b"")).into_owned()),
            };
            chunk.reject(cur.index, reason, field, value.as_bytes());
        }
        cur.index += 1;
    }
    Ok(true)
}

/// Why a row is not used: its reason, field and offending value.
enum RowError<'a> {
    Reject(RejectReason, Option<Field>, Option<&'a [u8]>),
}

impl<'a> From<(RejectReason, Option<Field>, Option<&'a [u8]>)> for RowError<'a> {
    fn from((r, f, v): (RejectReason, Option<Field>, Option<&'a [u8]>)) -> RowError<'a> {
        RowError::Reject(r, f, v)
    }
}

#[inline]
fn read_row<'a>(
    f: &[Option<&'a [u8]>; 4],
    cols: OrderColumns,
    times: &mut TimestampParser,
    chunk: &mut OrdersChunk,
    tally: &mut Tally,
) -> Result<(), RowError<'a>> {
    let missing = |field| Err(RowError::Reject(RejectReason::MissingColumn, Some(field), None));
    let Some(user) = f[0] else { return missing(Field::UserId) };
    let Some(time) = f[1] else { return missing(Field::OrderTime) };
    let Some(amount) = f[2] else { return missing(Field::Amount) };
    let order = match (cols.order_id, f[3]) {
        (None, _) => None,
        (Some(_), None) => return missing(Field::OrderId),
        (Some(_), Some(o)) => {
            let o = trim_bytes(o);
            if o.is_empty() {
                return Err((RejectReason::MissingValue, Some(Field::OrderId), None).into());
            }
            // The packed key's hash: no 128-bit multiply, which WebAssembly lacks.
            Some(key_hash(id_key(o)))
        }
    };
    // Text in another encoding (GBK rows in a UTF-8 file) would become U+FFFD
    // and could merge different customers: such rows are set aside.
    let Ok(user_str) = std::str::from_utf8(trim_bytes(user)) else {
        return Err((RejectReason::InvalidText, Some(Field::UserId), Some(user)).into());
    };
    if let Some((field, bytes)) = [(Field::OrderTime, time), (Field::Amount, amount)]
        .into_iter()
        .find(|(_, b)| !b.is_ascii() && std::str::from_utf8(b).is_err())
    {
        return Err((RejectReason::InvalidText, Some(field), Some(bytes)).into());
    }
    let user_text = trim_text(user_str);
    if user_text.is_empty() {
        return Err((RejectReason::MissingValue, Some(Field::UserId), None).into());
    }
    let ts = match times.parse(time) {
        Ok(ts) => ts,
        Err(DateError::Empty) => return Err((RejectReason::MissingValue, Some(Field::OrderTime), None).into()),
        Err(DateError::Ambiguous) => {
            return Err((RejectReason::AmbiguousDate, Some(Field::OrderTime), Some(time)).into())
        }
        Err(_) => return Err((RejectReason::InvalidDate, Some(Field::OrderTime), Some(time)).into()),
    };
    // Nearly every amount is a plain `-123.45`: read from the bytes at once.
    let plain = parse_plain_amount(amount).ok_or(AmountError::NotANumber);
    let money = match plain
        .or_else(|_| std::str::from_utf8(amount).map_err(|_| AmountError::NotANumber).and_then(parse_amount))
    {
        Ok(m) => m,
        Err(AmountError::Empty) => return Err((RejectReason::MissingValue, Some(Field::Amount), None).into()),
        Err(_) => return Err((RejectReason::InvalidAmount, Some(Field::Amount), Some(amount)).into()),
    };
    tally.push(user_text, id_key(user_text.as_bytes()), ts.day, money.units(), order.unwrap_or(0));
    chunk.account.used();
    Ok(())
}

#[inline]
fn trim_bytes(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ingest::split::{CsvSplitter, Dialect};
    use crate::engine::money::Money;

    fn read(csv: &str, cols: OrderColumns) -> OrdersChunk {
        let mut src = CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t.csv");
        let opts = ReadOptions { file: "t.csv", cols, header: true, order_bits_log2: 10, expected_rows: 0 };
        read_orders(&mut src, opts, &mut |_| {}).unwrap_or_default()
    }

    const COLS: OrderColumns = OrderColumns { user_id: 0, order_time: 1, amount: 2, order_id: Some(3) };

    #[test]
    fn good_rows_become_columns() {
        let c = read("u,t,a,o\nA,2024-01-02,10.5,1\nB,2024/1/3,¥3,2\nA,2024年1月4日,-1,3\n", COLS);
        assert_eq!(c.table.len(), 3);
        assert_eq!(c.users.len(), 2);
        assert_eq!(c.users.get(1), "B");
        let mut rows: Vec<(u32, String, Money)> =
            c.table.rows().map(|r| (r.user(), r.day().to_string(), r.amount())).collect();
        rows.sort();
        assert_eq!(
            rows,
            vec![
                (0, "2024-01-02".to_string(), Money::from_cents(1050)),
                (0, "2024-01-04".to_string(), Money::from_cents(-100)),
                (1, "2024-01-03".to_string(), Money::from_cents(300)),
            ]
        );
        assert_eq!(c.account.rows_used, 3);
        assert!(c.rejects.is_empty());
    }

    #[test]
    fn bad_rows_are_set_aside_with_reasons() {
        let c = read(
            "u,t,a,o\n,2024-01-02,1,1\nA,someday,1,2\nA,2024-01-02,abc,3\nA,2024-01-02\n\nA,03/04/2024,1,4\nA,2024-01-02,,5\nA,2024-01-02,1,\n",
            COLS,
        );
        let reasons: Vec<(u64, RejectReason, Option<Field>)> =
            c.rejects.iter().map(|r| (r.row, r.reason, r.field)).collect();
        assert_eq!(
            reasons,
            vec![
                (0, RejectReason::MissingValue, Some(Field::UserId)),
                (1, RejectReason::InvalidDate, Some(Field::OrderTime)),
                (2, RejectReason::InvalidAmount, Some(Field::Amount)),
                (3, RejectReason::MissingColumn, Some(Field::Amount)),
                (4, RejectReason::BlankRow, None),
                (5, RejectReason::AmbiguousDate, Some(Field::OrderTime)),
                (6, RejectReason::MissingValue, Some(Field::Amount)),
                (7, RejectReason::MissingValue, Some(Field::OrderId)),
            ]
        );
        assert_eq!(c.account.rows_in, 8);
        assert_eq!(c.account.rows_used, 0);
        assert!(c.account.reconciles());
        assert_eq!(c.rejects[1].value, "someday");
        assert_eq!(c.rejects[3].value, "A,2024-01-02");
    }

    #[test]
    fn order_lines_and_repeats_count_once() {
        // X1 twice in a row (two lines), X2, then X1 again later (a repeat), and
        // the same order number for another customer (a different order).
        let c = read(
            "u,t,a,o\nA,2024-01-01,1,X1\nA,2024-01-01,2,X1\nA,2024-01-02,3,X2\nB,2024-01-02,4,X1\nA,2024-01-03,5,X1\n",
            COLS,
        );
        assert_eq!(c.stats[0].rows, 4);
        assert_eq!(c.stats[0].orders, 2);
        assert_eq!(c.stats[1].orders, 1);
        assert_eq!(c.stats[0].monetary, Money::from_cents(1100));
    }

    #[test]
    fn blank_rows_of_delimiters() {
        let c = read("u,t,a,o\n,,,\n  \nA,2024-01-01,1,X\n", COLS);
        let reasons: Vec<RejectReason> = c.rejects.iter().map(|r| r.reason).collect();
        assert_eq!(reasons, vec![RejectReason::BlankRow, RejectReason::BlankRow]);
    }
}
