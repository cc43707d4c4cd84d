//! One table row as it comes out of a file: its fields' bytes, reused from
//! row to row so reading allocates nothing per row.

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

    /// All fields as owned strings (for previews and headers, not hot paths).
    pub fn to_strings(&self) -> Vec<String> {
        (0..self.len()).filter_map(|i| self.text(i).map(|t| t.into_owned())).collect()
    }
}

/// Where rows come from: a CSV stream, an Excel sheet, …
pub trait RecordSource {
    /// Reads the next row into `rec`; `Ok(false)` at the end.
    fn read_record(&mut self, rec: &mut Record) -> Result<bool, crate::engine::error::IngestError>;

    /// Input bytes consumed so far (for progress).
    fn bytes_read(&self) -> u64;

    /// Whether the input ended inside an open quote (the last row is cut).
    fn ended_in_quote(&self) -> bool {
        false
    }
}
