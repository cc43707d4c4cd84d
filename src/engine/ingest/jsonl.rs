//! JSON Lines (`.jsonl`, `.ndjson`): one JSON object per line, read as a
//! table. The columns are the union of the objects' keys in first-seen
//! order; a cell is a string value as it is, a number as its JSON text,
//! `true`/`false`, nothing for `null` (or a missing key), and a nested
//! object or array as its compact JSON text. When a key occurs twice in one
//! object the last value wins.
//!
//! The probe collects the keys of the lines it reads; a whole-table read
//! ([`JsonLinesSource::read_table`]) appends keys first seen later, so its
//! header is the union over the whole file. The orders reader needs only the
//! mapped columns, which the probe's keys already hold, so keys first seen
//! later are read but never used there.
//!
//! A line that is not one JSON object stops the read with
//! [`IngestError::JsonLine`], naming the line: unlike a short CSV row, a
//! broken line cannot be split into cells, so it cannot be set aside field
//! by field. Blank lines are rows, as blank CSV rows are (cleaning and the
//! orders reader set them aside as blank).

use super::record::{Record, RecordSource};
use crate::engine::clean::table::TextTable;
use crate::engine::error::IngestError;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

/// Whether `text` (decoded) starts like JSON Lines: its first non-blank line
/// is one JSON object.
pub fn looks_like_json_lines(text: &str) -> bool {
    let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) else { return false };
    line.starts_with('{') && line.ends_with('}') && serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok()
}

/// Rows from JSON Lines text (UTF-8; see [`super::decode::Utf8Reader`]).
///
/// When it starts the file, the source first hands out a header record of
/// the keys it was given (the probe's): that record is made up, not a line
/// of the file, so [`RecordSource::header_rows`] is 0.
pub struct JsonLinesSource<R> {
    input: BufReader<R>,
    line: Vec<u8>,
    keys: Vec<String>,
    index: HashMap<String, usize>,
    header_pending: bool,
    /// Lines read so far (blank ones included).
    line_no: u64,
    consumed: u64,
    values: Vec<u8>,
    cells: Vec<Option<(usize, usize)>>,
    name: String,
}

impl<R: Read> JsonLinesSource<R> {
    /// A source over `input` with the columns known so far (`keys`); `header`
    /// when it starts the file and should hand out the header first.
    pub fn new(input: R, keys: &[String], name: &str, header: bool) -> JsonLinesSource<R> {
        JsonLinesSource {
            input: BufReader::with_capacity(1 << 20, input),
            line: Vec::new(),
            keys: keys.to_vec(),
            index: keys.iter().enumerate().map(|(i, k)| (k.clone(), i)).collect(),
            header_pending: header,
            line_no: 0,
            consumed: 0,
            values: Vec::new(),
            cells: Vec::new(),
            name: name.to_string(),
        }
    }

    /// The columns: the keys given, then those first seen while reading.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Lines read so far (the line number of the last record read).
    pub fn line_number(&self) -> u64 {
        self.line_no
    }

    /// Reads every line into a table whose header is the union of all keys
    /// in first-seen order. Row numbers are line numbers (there is no
    /// header line). Cells of keys first seen after the start are kept aside
    /// and the table is widened once at the end.
    pub fn read_table(mut self) -> Result<TextTable, IngestError> {
        self.header_pending = false;
        let mut table = TextTable::new(self.keys.clone());
        let width = table.width();
        let mut late: Vec<(usize, usize, String)> = Vec::new(); // (row, column, text)
        let mut rec = Record::new();
        while self.read_record(&mut rec)? {
            let row = table.len();
            for c in width..rec.len() {
                let text = rec.str(c);
                if !text.is_empty() {
                    late.push((row, c, text.to_string()));
                }
            }
            table.push(self.line_no, (0..rec.len().min(width)).map(|c| rec.str(c)));
            table.check_size(&self.name)?;
        }
        if self.keys.len() == width {
            return Ok(table);
        }
        // Widen: each row gets its late cells; the rest are empty.
        let mut wide = TextTable::new(self.keys);
        let mut next = 0;
        let mut row: Vec<&str> = Vec::with_capacity(wide.width());
        for r in 0..table.len() {
            row.clear();
            row.extend(table.row(r));
            row.resize(wide.width(), "");
            let mut used = table.widths[r] as usize;
            while let Some((_, c, text)) = late.get(next).filter(|l| l.0 == r) {
                row[*c] = text;
                used = used.max(c + 1);
                next += 1;
            }
            wide.push(table.row_numbers[r], row.iter().copied());
            if let Some(w) = wide.widths.last_mut() {
                *w = used as u32;
            }
            wide.check_size(&self.name)?;
        }
        Ok(wide)
    }

    fn parse_line(&mut self, rec: &mut Record) -> Result<(), IngestError> {
        let mut line = &self.line[..];
        while let Some((last, rest)) = line.split_last() {
            if matches!(last, b'\n' | b'\r') {
                line = rest;
            } else {
                break;
            }
        }
        if line.iter().all(|c| c.is_ascii_whitespace()) {
            return Ok(()); // a blank row: no fields
        }
        self.values.clear();
        self.cells.clear();
        self.cells.resize(self.keys.len(), None);
        let mut de = serde_json::Deserializer::from_slice(line);
        let seed = ObjectSeed {
            keys: &mut self.keys,
            index: &mut self.index,
            values: &mut self.values,
            cells: &mut self.cells,
        };
        let parsed = seed.deserialize(&mut de).and_then(|()| de.end());
        if let Err(e) = parsed {
            return Err(IngestError::JsonLine {
                file: self.name.clone(),
                line: self.line_no,
                message: json_message(&e),
            });
        }
        for c in 0..self.keys.len() {
            match self.cells.get(c).copied().flatten() {
                Some((from, to)) => rec.push_field(&self.values[from..to]),
                None => rec.push_field(b""),
            }
        }
        Ok(())
    }
}

impl<R: Read> RecordSource for JsonLinesSource<R> {
    fn read_record(&mut self, rec: &mut Record) -> Result<bool, IngestError> {
        rec.clear();
        if self.header_pending {
            self.header_pending = false;
            for k in &self.keys {
                rec.push_field(k.as_bytes());
            }
            return Ok(true);
        }
        self.line.clear();
        let n = self
            .input
            .read_until(b'\n', &mut self.line)
            .map_err(|e| IngestError::Read { file: self.name.clone(), message: e.to_string() })?;
        if n == 0 {
            return Ok(false);
        }
        self.consumed += n as u64;
        self.line_no += 1;
        self.parse_line(rec)?;
        Ok(true)
    }

    fn bytes_read(&self) -> u64 {
        self.consumed
    }

    fn header_rows(&self) -> u64 {
        0
    }
}

/// serde_json's message without its "at line 1 column N" (there is one line),
/// with the column in words.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let msg = text.split(" at line ").next().unwrap_or(&text);
    match e.column() {
        0 => msg.to_string(),
        c => format!("{msg} (at character {c})"),
    }
}

/// Visits one JSON object, storing each value's cell text.
struct ObjectSeed<'s> {
    keys: &'s mut Vec<String>,
    index: &'s mut HashMap<String, usize>,
    values: &'s mut Vec<u8>,
    cells: &'s mut Vec<Option<(usize, usize)>>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("one JSON object per line")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let col = match self.index.get(key.as_ref()) {
                Some(&c) => c,
                None => {
                    let c = self.keys.len();
                    self.keys.push(key.clone().into_owned());
                    self.index.insert(key.into_owned(), c);
                    self.cells.push(None);
                    c
                }
            };
            let raw: &RawValue = map.next_value()?;
            let from = self.values.len();
            cell_text(raw.get(), self.values).map_err(serde::de::Error::custom)?;
            self.cells[col] = Some((from, self.values.len()));
        }
        Ok(())
    }
}

/// A key, borrowed from the line when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

/// Appends the cell text of one JSON value (`raw`, already validated).
fn cell_text(raw: &str, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    match raw.as_bytes().first() {
        Some(b'"') if !raw.contains('\\') => out.extend_from_slice(&raw.as_bytes()[1..raw.len() - 1]),
        Some(b'"') => out.extend_from_slice(serde_json::from_str::<String>(raw)?.as_bytes()),
        Some(b'n') => {} // null
        Some(b'{' | b'[') => compact(raw, out),
        _ => out.extend_from_slice(raw.as_bytes()), // numbers, true, false: their JSON text
    }
    Ok(())
}

/// Valid JSON without the whitespace between tokens.
fn compact(raw: &str, out: &mut Vec<u8>) {
    let mut in_string = false;
    let mut escaped = false;
    for &c in raw.as_bytes() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, keys: &[&str]) -> Result<(Vec<String>, Vec<Vec<String>>), IngestError> {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let mut src = JsonLinesSource::new(text.as_bytes(), &keys, "t.jsonl", false);
        let mut rec = Record::new();
        let mut out = Vec::new();
        while src.read_record(&mut rec)? {
            out.push(rec.to_strings());
        }
        Ok((src.keys().to_vec(), out))
    }

    #[test]
    fn values_become_cell_text() {
        let text = "{\"id\": \"C1\", \"n\": 12.50, \"ok\": true, \"x\": null, \"tags\": [1, \"a b\"], \"o\": {\"k\": \"v\\\"\"}}\n";
        let (keys, rows) = rows(text, &[]).expect("read");
        assert_eq!(keys, vec!["id", "n", "ok", "x", "tags", "o"]);
        assert_eq!(rows, vec![vec!["C1", "12.50", "true", "", "[1,\"a b\"]", "{\"k\":\"v\\\"\"}"]]);
    }

    #[test]
    fn keys_are_the_union_in_first_seen_order() {
        let text = "{\"b\":1,\"a\":2}\n\n{\"c\":\"\\u5f20\\u4e09\",\"a\":3,\"a\":4}\r\n{\"b\":5}";
        let (keys, rows) = rows(text, &["a"]).expect("read");
        assert_eq!(keys, vec!["a", "b", "c"]);
        assert_eq!(rows, vec![vec!["2", "1"], vec![], vec!["4", "", "张三"], vec!["", "5", ""]]);
    }

    #[test]
    fn a_line_that_is_not_an_object_names_its_line() {
        for (bad, what) in [
            ("[1,2]", "invalid type: sequence"),
            ("{\"a\":1", "EOF"),
            ("{\"a\":1} x", "trailing characters"),
            ("42", "invalid type"),
        ] {
            let text = format!("{{\"a\":1}}\n\n{bad}\n{{\"a\":2}}\n");
            match rows(&text, &[]) {
                Err(IngestError::JsonLine { file, line, message }) => {
                    assert_eq!((file.as_str(), line), ("t.jsonl", 3), "{bad}");
                    assert!(message.contains(what), "{bad}: {message}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn header_record_first_when_asked() {
        let keys = vec!["a".to_string()];
        let mut src = JsonLinesSource::new(&b"{\"a\":1}\n"[..], &keys, "t", true);
        let mut rec = Record::new();
        assert!(src.read_record(&mut rec).expect("header"));
        assert_eq!(rec.to_strings(), vec!["a"]);
        assert!(src.read_record(&mut rec).expect("row"));
        assert_eq!(rec.to_strings(), vec!["1"]);
        assert!(!src.read_record(&mut rec).expect("end"));
        assert_eq!(src.header_rows(), 0);
    }

    #[test]
    fn whole_table_widens_for_late_keys() {
        let text = "{\"a\":1}\n{\"a\":2,\"z\":\"late\"}\n\n{\"a\":3}\n";
        let src = JsonLinesSource::new(text.as_bytes(), &["a".to_string()], "t", false);
        let t = src.read_table().expect("table");
        assert_eq!(t.headers, vec!["a", "z"]);
        assert_eq!(t.row_numbers, vec![1, 2, 3, 4]);
        assert_eq!(t.row(1).collect::<Vec<_>>(), vec!["2", "late"]);
        assert_eq!(t.row(3).collect::<Vec<_>>(), vec!["3", ""]);
        assert_eq!(t.widths, vec![1, 2, 0, 1]);
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_json_lines("\n  {\"a\": 1}\n{\"a\": 2}"));
        assert!(!looks_like_json_lines("a,b\n1,2\n"));
        assert!(!looks_like_json_lines("{a},b\n1,2\n"));
        assert!(!looks_like_json_lines(""));
    }
}
