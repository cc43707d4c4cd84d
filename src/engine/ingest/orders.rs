//! Reads an orders table into typed columns: one interned customer index,
//! timestamp, exact amount and order-number hash per row. Rows that cannot
//! be used are set aside with their reason; nothing is dropped silently.

use super::fields::{Field, Mapping};
use super::record::{Record, RecordSource};
use crate::engine::clean::{Reject, RejectReason, RowAccount};
use crate::engine::date::{parse_timestamp, DateError, Timestamp};
use crate::engine::error::IngestError;
use crate::engine::money::{parse_amount, trim_text, Money};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

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

/// Customer ids of one chunk, interned to dense indexes.
#[derive(Debug, Default)]
pub struct UserDict {
    index: FxHashMap<Box<str>, u32>,
    ids: Vec<Box<str>>,
}

impl UserDict {
    /// The index of `id`, adding it when new.
    #[inline]
    pub fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.ids.len() as u32;
        let boxed: Box<str> = id.into();
        self.ids.push(boxed.clone());
        self.index.insert(boxed, i);
        i
    }

    /// The id of index `i`.
    pub fn id(&self, i: u32) -> &str {
        &self.ids[i as usize]
    }

    /// Number of distinct customers.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no customer was seen.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// All ids in index order.
    pub fn into_ids(self) -> Vec<Box<str>> {
        self.ids
    }
}

/// The usable rows of one chunk, column by column.
#[derive(Debug, Default)]
pub struct OrdersTable {
    /// Customer ids.
    pub users: UserDict,
    /// Customer index per row.
    pub user: Vec<u32>,
    /// Order time per row.
    pub time: Vec<Timestamp>,
    /// Amount per row.
    pub amount: Vec<Money>,
    /// 64-bit hash of the order number per row (when mapped).
    pub order: Option<Vec<u64>>,
}

impl OrdersTable {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.user.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.user.is_empty()
    }
}

/// The result of reading one chunk of an orders file.
#[derive(Debug, Default)]
pub struct OrdersChunk {
    /// The usable rows.
    pub table: OrdersTable,
    /// Where every row went.
    pub account: RowAccount,
    /// Rows set aside. Their `row` is the chunk-local 0-based data-row index
    /// until [`crate::engine::analyze::customers::merge`] turns it into a row number.
    pub rejects: Vec<Reject>,
    /// Whether the chunk's text ended inside an open quote.
    pub ended_in_quote: bool,
    /// Row number of the header (1 unless blank lines precede it); 0 when
    /// the chunk has no header.
    pub header_row: u64,
}

/// Reads every row of `src`. When `header` is true the first row is the
/// header and is skipped. `progress` receives the bytes read so far.
pub fn read_orders(
    src: &mut dyn RecordSource,
    cols: OrderColumns,
    header: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<OrdersChunk, IngestError> {
    let mut chunk = OrdersChunk::default();
    if cols.order_id.is_some() {
        chunk.table.order = Some(Vec::new());
    }
    let mut rec = Record::new();
    if header {
        // Blank lines before the header are skipped, but they count as rows.
        loop {
            if !src.read_record(&mut rec)? {
                return Ok(chunk);
            }
            chunk.header_row += 1;
            if !rec.is_blank() {
                break;
            }
        }
    }
    let mut index: u64 = 0;
    while src.read_record(&mut rec)? {
        read_row(&rec, index, cols, &mut chunk);
        index += 1;
        if index.is_multiple_of(65_536) {
            progress(src.bytes_read());
        }
    }
    progress(src.bytes_read());
    chunk.ended_in_quote = src.ended_in_quote();
    Ok(chunk)
}

#[inline]
fn read_row(rec: &Record, index: u64, cols: OrderColumns, chunk: &mut OrdersChunk) {
    let mut reject = |reason: RejectReason, field: Option<Field>, value: &[u8]| {
        chunk.account.set_aside(reason);
        chunk.rejects.push(Reject::new(index, reason, field, &String::from_utf8_lossy(value)));
    };
    let (Some(user), Some(time), Some(amount)) =
        (rec.get(cols.user_id), rec.get(cols.order_time), rec.get(cols.amount))
    else {
        if rec.is_blank() {
            reject(RejectReason::BlankRow, None, b"");
        } else {
            let missing =
                [(Field::UserId, cols.user_id), (Field::OrderTime, cols.order_time), (Field::Amount, cols.amount)]
                    .into_iter()
                    .find(|&(_, c)| c >= rec.len())
                    .map(|(f, _)| f);
            let text = rec.to_strings().join(",");
            reject(RejectReason::MissingColumn, missing, text.as_bytes());
        }
        return;
    };
    let order = match cols.order_id {
        Some(c) => match rec.get(c) {
            Some(o) if !trim_bytes(o).is_empty() => Some(xxh3_64(trim_bytes(o))),
            Some(_) => return reject(RejectReason::MissingValue, Some(Field::OrderId), b""),
            None => return reject(RejectReason::MissingColumn, Some(Field::OrderId), b""),
        },
        None => None,
    };
    // Invalid UTF-8 (a stray byte from another encoding) becomes U+FFFD.
    let user_lossy = String::from_utf8_lossy(user);
    let user_text = trim_text(&user_lossy);
    if user_text.is_empty() {
        if rec.is_blank() {
            return reject(RejectReason::BlankRow, None, b"");
        }
        return reject(RejectReason::MissingValue, Some(Field::UserId), b"");
    }
    let ts = match std::str::from_utf8(time).map_err(|_| DateError::Unrecognised).and_then(parse_timestamp) {
        Ok(ts) => ts,
        Err(DateError::Empty) => return reject(RejectReason::MissingValue, Some(Field::OrderTime), b""),
        Err(DateError::Ambiguous) => return reject(RejectReason::AmbiguousDate, Some(Field::OrderTime), time),
        Err(_) => return reject(RejectReason::InvalidDate, Some(Field::OrderTime), time),
    };
    let money = match std::str::from_utf8(amount)
        .map_err(|_| crate::engine::money::AmountError::NotANumber)
        .and_then(parse_amount)
    {
        Ok(m) => m,
        Err(crate::engine::money::AmountError::Empty) => {
            return reject(RejectReason::MissingValue, Some(Field::Amount), b"")
        }
        Err(_) => return reject(RejectReason::InvalidAmount, Some(Field::Amount), amount),
    };
    let t = &mut chunk.table;
    let u = t.users.intern(user_text);
    t.user.push(u);
    t.time.push(ts);
    t.amount.push(money);
    if let (Some(col), Some(h)) = (t.order.as_mut(), order) {
        col.push(h);
    }
    chunk.account.used();
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

    fn read(csv: &str, cols: OrderColumns) -> OrdersChunk {
        let mut src = CsvSplitter::new(csv.as_bytes(), Dialect::default(), "t.csv");
        read_orders(&mut src, cols, true, &mut |_| {}).unwrap_or_default()
    }

    const COLS: OrderColumns = OrderColumns { user_id: 0, order_time: 1, amount: 2, order_id: Some(3) };

    #[test]
    fn good_rows_become_columns() {
        let c = read("u,t,a,o\nA,2024-01-02,10.5,1\nB,2024/1/3,¥3,2\nA,2024年1月4日,-1,3\n", COLS);
        assert_eq!(c.table.len(), 3);
        assert_eq!(c.table.users.len(), 2);
        assert_eq!(c.table.user, vec![0, 1, 0]);
        assert_eq!(c.table.amount[2], Money::from_cents(-100));
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
    }
}
