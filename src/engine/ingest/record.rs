//! One table row as it comes out of a file: its fields' bytes, reused from
//! row to row so reading allocates nothing per row.

use super::scan::Delims;

/// A row of fields. The buffer is reused: call [`Record::clear`] between rows.
#[derive(Debug, Default, Clone)]
pub struct Record {
    buf: Vec<u8>,
    ends: Vec<usize>,
    /// 0-based index of this record among the data rows of its chunk.
    pub index: u64,
}

impl Record {
    /// An empty record.
    pub fn new() -> Record {
        Record::default()
    }

    /// Removes all fields, keeping the allocations.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }

    /// Appends one field.
    pub fn push_field(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.ends.push(self.buf.len());
    }

    /// Appends bytes to the field being built (see [`Record::end_field`]).
    pub(crate) fn extend_current(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Closes the field being built.
    pub(crate) fn end_field(&mut self) {
        self.ends.push(self.buf.len());
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of field `i`, if the row has that many fields.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.buf[start..end])
    }

    /// Field `i` as text (invalid UTF-8 replaced).
    pub fn text(&self, i: usize) -> Option<std::borrow::Cow<'_, str>> {
        self.get(i).map(String::from_utf8_lossy)
    }

    /// Whether every field is empty or blank (a blank line).
    pub fn is_blank(&self) -> bool {
        self.buf.iter().all(|c| c.is_ascii_whitespace())
    }

    /// Field `i` as `&str`: empty when the row has no such field or it is not
    /// valid UTF-8 (for sources that only produce UTF-8, such as JSON Lines).
    pub fn str(&self, i: usize) -> &str {
        self.get(i).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
    }

    /// Whether every field is valid UTF-8 (a row in another encoding is not).
    pub fn is_utf8(&self) -> bool {
        std::str::from_utf8(&self.buf).is_ok()
    }

    /// All fields as owned strings (for previews and headers, not hot paths).
    pub fn to_strings(&self) -> Vec<String> {
        (0..self.len()).filter_map(|i| self.text(i).map(|t| t.into_owned())).collect()
    }
}

/// A row as a source hands it out: either a plain line to split on the
/// delimiter (no quotes in it: the fast path) or fields already split.
#[derive(Debug)]
pub enum RowRef<'a> {
    /// An unquoted line, without its line end.
    Plain {
        /// The line's bytes.
        line: &'a [u8],
        /// The field separator.
        delimiter: u8,
        /// Where the line's (first) delimiters are.
        delims: &'a Delims,
    },
    /// Fields split (and unquoted) into a record.
    Fields(&'a Record),
}

impl RowRef<'_> {
    /// Splits the row, writing field `i` of every `(slot, i)` in `wanted`
    /// into `out[slot]` (`None` when the row is too short).
    #[inline]
    pub fn pick<'b>(&'b self, wanted: &[(usize, usize)], out: &mut [Option<&'b [u8]>]) {
        out.iter_mut().for_each(|o| *o = None);
        match self {
            RowRef::Fields(rec) => {
                for &(slot, i) in wanted {
                    out[slot] = rec.get(i);
                }
            }
            RowRef::Plain { line, delimiter, delims } => {
                let kept = delims.kept();
                for &(slot, i) in wanted {
                    out[slot] = match kept.get(i) {
                        Some(&end) => Some(&line[field_start(kept, i)..end as usize]),
                        None if i == kept.len() && delims.complete() => Some(&line[field_start(kept, i)..]),
                        None if delims.complete() => None,
                        None => field_past(line, *delimiter, kept, i),
                    };
                }
            }
        }
    }

    /// Whether every field is empty or blank.
    pub fn is_blank(&self) -> bool {
        match self {
            RowRef::Fields(rec) => rec.is_blank(),
            RowRef::Plain { line, delimiter, .. } => line.iter().all(|c| c.is_ascii_whitespace() || c == delimiter),
        }
    }

    /// The whole row as text (for messages; not on hot paths).
    pub fn to_text(&self) -> String {
        match self {
            RowRef::Fields(rec) => rec.to_strings().join(","),
            RowRef::Plain { line, .. } => String::from_utf8_lossy(line).into_owned(),
        }
    }
}

/// Where field `i` starts, given the delimiters before it.
#[inline]
fn field_start(kept: &[u32], i: usize) -> usize {
    if i == 0 {
        0
    } else {
        kept[i - 1] as usize + 1
    }
}

/// Field `i` of a line whose first delimiters (`kept`, all of them before
/// field `i`) were found by a scan: searching on from the last one.
fn field_past<'b>(line: &'b [u8], delimiter: u8, kept: &[u32], i: usize) -> Option<&'b [u8]> {
    let base = field_start(kept, kept.len());
    let (mut start, mut field) = (base, kept.len());
    for end in memchr::memchr_iter(delimiter, &line[base..]).map(|e| base + e) {
        if field == i {
            return Some(&line[start..end]);
        }
        field += 1;
        start = end + 1;
    }
    (field == i).then(|| &line[start..])
}

/// Where rows come from: a CSV stream, an Excel sheet, …
pub trait RecordSource {
    /// Reads the next row into `rec`; `Ok(false)` at the end.
    fn read_record(&mut self, rec: &mut Record) -> Result<bool, crate::engine::error::IngestError>;

    /// Reads the next row, borrowing it from the source's buffer when it can
    /// (no copy); `None` at the end. `rec` is scratch space.
    fn read_row<'a>(
        &'a mut self,
        rec: &'a mut Record,
    ) -> Result<Option<RowRef<'a>>, crate::engine::error::IngestError> {
        Ok(if self.read_record(rec)? { Some(RowRef::Fields(rec)) } else { None })
    }

    /// Input bytes consumed so far (for progress).
    fn bytes_read(&self) -> u64;

    /// Whether the input ended inside an open quote (the last row is cut).
    fn ended_in_quote(&self) -> bool {
        false
    }

    /// How many rows of the file the header record stands for: 1 for a
    /// header line, 0 for a header the source made up (JSON Lines keys), 2
    /// for a two-row workbook header.
    fn header_rows(&self) -> u64 {
        1
    }
}
