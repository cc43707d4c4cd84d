//! A streaming CSV record splitter: RFC 4180 quoting (`""` escapes, quoted
//! delimiters and newlines), CRLF or LF line ends, lenient on stray quotes.
//!
//! Unquoted lines — nearly all lines of real exports — take a fast path that
//! finds the line end and the delimiters in one pass (see `scan`); the
//! quote-aware state machine runs only for lines that contain a quote.
//! Unlike a general CSV reader it reports whether the input ended inside an
//! open quote, which is what lets a file be split between workers safely
//! (see `chunk`).

use super::record::{Record, RecordSource, RowRef};
use super::scan::{scan_line, Delims, Line};
use crate::engine::error::IngestError;
use std::io::Read;

/// The shape of a CSV file.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dialect {
    /// Field separator: `,` `;` `\t` or `|`.
    pub delimiter: u8,
    /// Quote character (normally `"`).
    pub quote: u8,
}

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect { delimiter: b',', quote: b'"' }
    }
}

/// Initial buffer size: big reads are much cheaper than small ones for a browser `File`.
const BLOCK: usize = 8 << 20;

/// Reads records from a byte stream.
pub struct CsvSplitter<R> {
    input: R,
    dialect: Dialect,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    consumed: u64,
    records: u64,
    ended_in_quote: bool,
    name: String,
    /// The delimiters of the line last scanned.
    delims: Delims,
}

impl<R: Read> CsvSplitter<R> {
    /// A splitter over `input`; `name` is used in error messages.
    pub fn new(input: R, dialect: Dialect, name: &str) -> CsvSplitter<R> {
        CsvSplitter::with_buffer(input, dialect, name, BLOCK)
    }

    /// A splitter whose first buffer holds `size` bytes (it grows for longer records).
    pub fn with_buffer(input: R, dialect: Dialect, name: &str, size: usize) -> CsvSplitter<R> {
        CsvSplitter {
            input,
            dialect,
            buf: vec![0; size.max(64)],
            start: 0,
            end: 0,
            eof: false,
            consumed: 0,
            records: 0,
            ended_in_quote: false,
            name: name.to_string(),
            delims: Delims::default(),
        }
    }

    /// Whether the input ended inside a quoted field (its last record is cut).
    pub fn ended_in_quote(&self) -> bool {
        self.ended_in_quote
    }

    /// Records read so far (including a header, if any was read).
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Moves unread bytes to the front and reads more. Returns false at EOF.
    fn fill(&mut self) -> Result<bool, IngestError> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let new_len = self.buf.len() * 2;
            self.buf.resize(new_len, 0);
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(IngestError::Read { file: self.name.clone(), message: e.to_string() }),
            }
        }
    }

    /// Reads one record; `Ok(false)` when the input is exhausted.
    pub fn next_record(&mut self, rec: &mut Record) -> Result<bool, IngestError> {
        rec.clear();
        loop {
            let avail = &self.buf[self.start..self.end];
            let line = scan_line(avail, self.dialect, &mut self.delims);
            if let Line::Plain(nl) = line {
                split_plain(strip_cr(&avail[..nl]), self.dialect.delimiter, &self.delims, rec);
                self.advance(nl + 1);
                return Ok(true);
            }
            if line == Line::Quoted && memchr::memchr(b'\n', avail).is_some() {
                // A quote: run the state machine over what we have.
                match parse_quoted(avail, self.dialect, rec, self.eof) {
                    Parsed::Record { used, .. } => {
                        self.advance(used);
                        return Ok(true);
                    }
                    Parsed::NeedMore => {
                        rec.clear();
                        if !self.fill()? {
                            return self.finish_at_eof(rec);
                        }
                    }
                }
            } else if !self.fill()? {
                return self.finish_at_eof(rec);
            }
        }
    }

    /// The input ended: what is left (no final newline) is the last record.
    fn finish_at_eof(&mut self, rec: &mut Record) -> Result<bool, IngestError> {
        rec.clear();
        let avail = &self.buf[self.start..self.end];
        if avail.is_empty() {
            return Ok(false);
        }
        if memchr::memchr(self.dialect.quote, avail).is_none() {
            split_unquoted(strip_cr(avail), self.dialect.delimiter, rec);
        } else if let Parsed::Record { open_quote: true, .. } = parse_quoted(avail, self.dialect, rec, true) {
            self.ended_in_quote = true;
        }
        let used = avail.len();
        self.advance(used);
        Ok(true)
    }

    fn advance(&mut self, n: usize) {
        self.start += n;
        self.consumed += n as u64;
        self.records += 1;
    }
}

impl<R: Read> RecordSource for CsvSplitter<R> {
    fn read_record(&mut self, rec: &mut Record) -> Result<bool, IngestError> {
        self.next_record(rec)
    }

    /// Unquoted lines are handed out as slices of the buffer with their
    /// delimiters' positions, unsplit.
    fn read_row<'a>(&'a mut self, rec: &'a mut Record) -> Result<Option<RowRef<'a>>, IngestError> {
        if let Line::Plain(nl) = scan_line(&self.buf[self.start..self.end], self.dialect, &mut self.delims) {
            let from = self.start;
            self.advance(nl + 1);
            let line = strip_cr(&self.buf[from..from + nl]);
            return Ok(Some(RowRef::Plain { line, delimiter: self.dialect.delimiter, delims: &self.delims }));
        }
        Ok(if self.next_record(rec)? { Some(RowRef::Fields(rec)) } else { None })
    }

    fn bytes_read(&self) -> u64 {
        self.consumed
    }

    fn ended_in_quote(&self) -> bool {
        self.ended_in_quote
    }
}

#[inline]
fn strip_cr(line: &[u8]) -> &[u8] {
    match line.last() {
        Some(b'\r') => &line[..line.len() - 1],
        _ => line,
    }
}

#[inline]
fn split_unquoted(line: &[u8], delim: u8, rec: &mut Record) {
    let mut from = 0;
    for i in memchr::memchr_iter(delim, line) {
        rec.push_field(&line[from..i]);
        from = i + 1;
    }
    rec.push_field(&line[from..]);
}

/// Splits a scanned line by its delimiters' positions.
#[inline]
fn split_plain(line: &[u8], delim: u8, delims: &Delims, rec: &mut Record) {
    let mut from = 0;
    for &i in delims.kept() {
        rec.push_field(&line[from..i as usize]);
        from = i as usize + 1;
    }
    if delims.complete() {
        rec.push_field(&line[from..]);
    } else {
        split_unquoted(&line[from..], delim, rec);
    }
}

enum Parsed {
    /// A complete record used this many bytes (including its line end);
    /// `open_quote` when the input ended inside a quoted field.
    Record { used: usize, open_quote: bool },
    /// The record continues past the available bytes.
    NeedMore,
}

/// The quote-aware path. At EOF an open quote ends the record (and is
/// reported through the caller's `ended_in_quote`).
fn parse_quoted(b: &[u8], d: Dialect, rec: &mut Record, eof: bool) -> Parsed {
    #[derive(PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut s = S::FieldStart;
    let mut i = 0;
    let mut seg = 0; // start of the pending segment of the current field
    while i < b.len() {
        let c = b[i];
        match s {
            S::FieldStart => {
                if c == d.quote {
                    s = S::Quoted;
                    seg = i + 1;
                } else if c == d.delimiter {
                    rec.end_field();
                    seg = i + 1;
                } else if c == b'\n' {
                    rec.end_field();
                    return Parsed::Record { used: i + 1, open_quote: false };
                } else {
                    s = S::Unquoted;
                    seg = i;
                }
            }
            S::Unquoted => {
                if c == d.delimiter {
                    rec.extend_current(&b[seg..i]);
                    rec.end_field();
                    s = S::FieldStart;
                    seg = i + 1;
                } else if c == b'\n' {
                    rec.extend_current(strip_cr(&b[seg..i]));
                    rec.end_field();
                    return Parsed::Record { used: i + 1, open_quote: false };
                }
            }
            S::Quoted => {
                // jump to the next quote
                match memchr::memchr(d.quote, &b[i..]) {
                    Some(k) => {
                        rec.extend_current(&b[seg..i + k]);
                        i += k;
                        s = S::QuoteInQuoted;
                    }
                    None => {
                        if eof {
                            rec.extend_current(&b[seg..]);
                            rec.end_field();
                            return Parsed::Record { used: b.len(), open_quote: true };
                        }
                        return Parsed::NeedMore;
                    }
                }
            }
            S::QuoteInQuoted => {
                if c == d.quote {
                    // escaped quote: keep one, stay quoted
                    rec.extend_current(&[d.quote]);
                    s = S::Quoted;
                    seg = i + 1;
                } else if c == d.delimiter {
                    rec.end_field();
                    s = S::FieldStart;
                    seg = i + 1;
                } else if c == b'\n' {
                    rec.end_field();
                    return Parsed::Record { used: i + 1, open_quote: false };
                } else if c == b'\r' {
                    // CR before LF after a closing quote
                } else {
                    // lenient: text after a closing quote belongs to the field
                    s = S::Unquoted;
                    seg = i;
                }
            }
        }
        i += 1;
    }
    if !eof {
        return Parsed::NeedMore;
    }
    let open_quote = s == S::Quoted;
    match s {
        S::Unquoted => rec.extend_current(strip_cr(&b[seg..])),
        S::Quoted => rec.extend_current(&b[seg..]),
        S::FieldStart | S::QuoteInQuoted => {}
    }
    rec.end_field();
    Parsed::Record { used: b.len(), open_quote }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &str, d: u8) -> Vec<Vec<String>> {
        let mut s = CsvSplitter::new(input.as_bytes(), Dialect { delimiter: d, quote: b'"' }, "t");
        let mut rec = Record::new();
        let mut out = vec![];
        while s.next_record(&mut rec).unwrap_or(false) {
            out.push(rec.to_strings());
        }
        out
    }

    #[test]
    fn unquoted_lines() {
        assert_eq!(split("a,b,c\n1,2,3\n", b','), vec![vec!["a", "b", "c"], vec!["1", "2", "3"]]);
        assert_eq!(split("a;b\r\n1;2", b';'), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(split("a\tb\n\n1\t", b'\t'), vec![vec!["a", "b"], vec![""], vec!["1", ""]]);
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(
            split("id,note\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\r\n3,\"multi\nline\"\n", b','),
            vec![vec!["id", "note"], vec!["1", "a, b"], vec!["2", "say \"hi\""], vec!["3", "multi\nline"]]
        );
        assert_eq!(split("\"\",x\n", b','), vec![vec!["", "x"]]);
        assert_eq!(split("a\"b,c\n", b','), vec![vec!["a\"b", "c"]]);
        assert_eq!(split("\"a\"b,c\n", b','), vec![vec!["ab", "c"]]);
    }

    #[test]
    fn unterminated_quote_runs_to_end() {
        assert_eq!(split("1,\"open\n2,3\n", b','), vec![vec!["1", "open\n2,3\n"]]);
    }

    #[test]
    fn records_longer_than_the_buffer() {
        let long = "x".repeat(3 * BLOCK);
        let input = format!("a,\"{long}\"\nb,c\n");
        let rows = split(&input, b',');
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][1].len(), 3 * BLOCK);
        assert_eq!(rows[1], vec!["b", "c"]);
    }

    #[test]
    fn wide_lines_split_and_picked_past_the_kept_delimiters() {
        let cells: Vec<String> = (0..25).map(|i| format!("f{i}")).collect();
        let line = cells.join(",");
        let input = format!("{line}\r\n{line}\nshort,row\n");
        assert_eq!(split(&input, b',')[..2], [cells.clone(), cells.clone()]);
        let mut s = CsvSplitter::new(input.as_bytes(), Dialect::default(), "t");
        let mut rec = Record::new();
        let wanted = [(0, 0), (1, 15), (2, 16), (3, 17), (4, 24), (5, 25)];
        let mut first = true;
        for want_cells in [true, true, false] {
            // The first row fills the buffer (split into fields); the rest are scanned lines.
            let row = s.read_row(&mut rec).ok().flatten().expect("a row");
            assert_eq!(matches!(row, RowRef::Plain { .. }), !first);
            first = false;
            let mut out = [None; 6];
            row.pick(&wanted, &mut out);
            let got: Vec<Option<String>> =
                out.iter().map(|o| o.map(|b| String::from_utf8_lossy(b).into_owned())).collect();
            if want_cells {
                let want = ["f0", "f15", "f16", "f17", "f24"].map(|c| Some(c.to_string()));
                assert_eq!(got[..5], want);
                assert_eq!(got[5], None);
            } else {
                assert_eq!(got, [Some("short".into()), None, None, None, None, None]);
            }
        }
    }

    #[test]
    fn reports_an_open_quote_at_the_end() {
        let d = Dialect::default();
        let mut rec = Record::new();
        let mut s = CsvSplitter::new(&b"a,\"b\nc\"\nd,\"open"[..], d, "t");
        while s.next_record(&mut rec).unwrap_or(false) {}
        assert!(s.ended_in_quote());
        let mut s = CsvSplitter::new(&b"a,\"b\nc\"\n"[..], d, "t");
        while s.next_record(&mut rec).unwrap_or(false) {}
        assert!(!s.ended_in_quote());
    }
}
