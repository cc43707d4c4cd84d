//! Recognises what a file is from its first bytes: table format, text
//! encoding and delimiter — detected, never asked.

use super::split::Dialect;
use crate::engine::error::IngestError;
use serde::{Deserialize, Serialize};

/// The container format.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// Delimited text (CSV, TSV, semicolon-separated…).
    Csv,
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel 97–2003 workbook.
    Xls,
    /// JSON Lines: one JSON object per line (`.jsonl`, `.ndjson`, or text
    /// whose first non-blank line is a JSON object; see [`super::jsonl`]).
    JsonLines,
}

impl Format {
    /// Whether the file is text read as a stream (delimited or JSON Lines),
    /// not a workbook read whole.
    pub fn is_text(self) -> bool {
        matches!(self, Format::Csv | Format::JsonLines)
    }
}

/// The text encoding of a delimited file.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// GBK / GB18030 (Chinese Excel's default "CSV").
    Gb18030,
    /// UTF-16 little endian (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big endian.
    Utf16Be,
}

impl TextEncoding {
    /// Whether ASCII bytes (newline, quote, delimiters) always mean themselves,
    /// so the file may be cut at a newline byte and read in parallel.
    pub fn ascii_compatible(self) -> bool {
        !matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }

    /// Length of the byte-order mark this encoding starts with.
    pub fn bom_len(self) -> usize {
        match self {
            TextEncoding::Utf8Bom => 3,
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
            _ => 0,
        }
    }

    /// A short display name.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Gb18030 => "GBK/GB18030",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// Guesses the format from magic bytes, then the file name. (Text whose
/// content looks like JSON Lines is recognised by [`super::probe::probe_text`].)
pub fn detect_format(head: &[u8], file_name: &str) -> Format {
    if head.starts_with(b"PK\x03\x04") {
        return Format::Xlsx;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Format::Xls;
    }
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        Format::Xlsx
    } else if lower.ends_with(".xls") {
        Format::Xls
    } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        Format::JsonLines
    } else {
        Format::Csv
    }
}

/// Decides the encoding of a delimited text file from its first bytes.
///
/// A BOM decides. Otherwise text that is valid UTF-8 (allowing a character
/// cut at the end of the sample) is UTF-8; else GB18030 if it decodes without
/// errors; zero bytes in alternating positions mean BOM-less UTF-16. Any other
/// zero byte means the file is not text.
///
/// A file that mixes encodings (GBK rows appended to a UTF-8 export) is
/// UTF-8 when real UTF-8 text ([`MIXED_UTF8_CHARS`] multi-byte characters)
/// comes before the first invalid byte: its header and first rows then read
/// correctly, and the rows in the other encoding are set aside by row
/// ([`crate::engine::clean::RejectReason::InvalidText`]) instead of the whole
/// file turning into mojibake.
pub fn detect_encoding(head: &[u8], file_name: &str) -> Result<TextEncoding, IngestError> {
    if head.is_empty() {
        return Err(IngestError::Empty { file: file_name.to_string() });
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(TextEncoding::Utf8Bom);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok(TextEncoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok(TextEncoding::Utf16Be);
    }
    if let Some(pos) = memchr::memchr(0, head) {
        let sample = &head[..head.len().min(4096)];
        let odd_zeros = sample.iter().skip(1).step_by(2).filter(|&&c| c == 0).count();
        let even_zeros = sample.iter().step_by(2).filter(|&&c| c == 0).count();
        let half = sample.len() / 2;
        if odd_zeros * 10 > half * 8 && even_zeros == 0 {
            return Ok(TextEncoding::Utf16Le);
        }
        if even_zeros * 10 > half * 8 && odd_zeros == 0 {
            return Ok(TextEncoding::Utf16Be);
        }
        return Err(IngestError::Binary { file: file_name.to_string(), offset: pos as u64 });
    }
    match std::str::from_utf8(head) {
        Ok(_) => return Ok(TextEncoding::Utf8),
        Err(e) if e.error_len().is_none() => return Ok(TextEncoding::Utf8), // cut at the end
        Err(e) => {
            let before = &head[..e.valid_up_to()];
            // Lead bytes of 3- and 4-byte sequences (CJK text in UTF-8).
            if before.iter().filter(|&&c| c >= 0xE0).count() >= MIXED_UTF8_CHARS {
                return Ok(TextEncoding::Utf8);
            }
        }
    }
    let (_, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(trim_partial_gb(head));
    if !had_errors {
        return Ok(TextEncoding::Gb18030);
    }
    // Neither decodes cleanly: control characters suggest binary.
    let controls = head.iter().filter(|&&c| c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t' | 0x0C)).count();
    if controls * 20 > head.len() {
        return Err(IngestError::Binary { file: file_name.to_string(), offset: 0 });
    }
    // Mostly GBK with a few bad bytes: read as GB18030, bad bytes become U+FFFD.
    Ok(TextEncoding::Gb18030)
}

/// How many multi-byte UTF-8 characters before the first invalid byte make a
/// file UTF-8 with some rows in another encoding. GBK text only rarely forms
/// even one valid 3-byte UTF-8 sequence, let alone this many in a row.
pub const MIXED_UTF8_CHARS: usize = 4;

/// Drops a lead byte cut off at the end of the sample.
fn trim_partial_gb(head: &[u8]) -> &[u8] {
    let mut end = head.len();
    // Walk back over at most 3 high bytes so a split 2- or 4-byte sequence does not count as an error.
    let mut k = 0;
    while end > 0 && head[end - 1] >= 0x80 && k < 3 {
        end -= 1;
        k += 1;
    }
    if k == 0 {
        head
    } else {
        &head[..end]
    }
}

/// Picks the delimiter that splits the first lines into the same number (>1)
/// of fields most consistently; `,` when nothing fits (a one-column file).
pub fn sniff_dialect(text: &str) -> Dialect {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(30).collect();
    // The last line of a sample may be cut short.
    let lines = if lines.len() > 2 { &lines[..lines.len() - 1] } else { &lines[..] };
    let mut best = (b',', 0usize, 0usize); // delimiter, consistent lines, fields
    for d in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_fields(l.as_bytes(), d)).collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        if consistent > best.1 || (consistent == best.1 && first > best.2) {
            best = (d, consistent, first);
        }
    }
    Dialect { delimiter: best.0, quote: b'"' }
}

fn count_fields(line: &[u8], d: u8) -> usize {
    let mut n = 1;
    let mut in_quote = false;
    for &c in line {
        if c == b'"' {
            in_quote = !in_quote;
        } else if c == d && !in_quote {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(detect_format(b"PK\x03\x04rest", "a.csv"), Format::Xlsx);
        assert_eq!(detect_format(b"a,b\n", "orders.csv"), Format::Csv);
        assert_eq!(detect_format(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "x"), Format::Xls);
        assert_eq!(detect_format(b"{\"a\":1}\n", "x.JSONL"), Format::JsonLines);
        assert_eq!(detect_format(b"{\"a\":1}\n", "x.ndjson"), Format::JsonLines);
    }

    #[test]
    fn encodings() {
        let gbk = encoding_rs::GBK.encode("客户ID,金额\n张三,12\n").0;
        assert_eq!(detect_encoding(&gbk, "f"), Ok(TextEncoding::Gb18030));
        assert_eq!(detect_encoding("客户ID,金额\n".as_bytes(), "f"), Ok(TextEncoding::Utf8));
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFa,b", "f"), Ok(TextEncoding::Utf8Bom));
        assert_eq!(detect_encoding(b"\xFF\xFEa\0", "f"), Ok(TextEncoding::Utf16Le));
        assert_eq!(detect_encoding(b"a\0,\0b\0\n\0", "f"), Ok(TextEncoding::Utf16Le));
        // a UTF-8 sample cut in the middle of a character is still UTF-8
        let cut = &"客户".as_bytes()[..4];
        assert_eq!(detect_encoding(cut, "f"), Ok(TextEncoding::Utf8));
        // GBK cut in the middle of a character
        assert_eq!(detect_encoding(&gbk[..gbk.len() - 8], "f"), Ok(TextEncoding::Gb18030));
    }

    #[test]
    fn utf8_file_with_gbk_rows_is_utf8() {
        let mut mixed = "客户ID,姓名\nC1,张三\n".as_bytes().to_vec();
        mixed.extend_from_slice(&encoding_rs::GBK.encode("C2,李四\n").0);
        assert_eq!(detect_encoding(&mixed, "f"), Ok(TextEncoding::Utf8));
        // An ASCII header, then GBK: GBK (nothing UTF-8 came first).
        let mut gbk = b"id,name\n".to_vec();
        gbk.extend_from_slice(&encoding_rs::GBK.encode("C2,李四王五\n").0);
        assert_eq!(detect_encoding(&gbk, "f"), Ok(TextEncoding::Gb18030));
        // Long GBK text is not taken for UTF-8.
        let long = encoding_rs::GBK.encode(&"客户编号,会员等级,收货地址\n".repeat(50)).0.into_owned();
        assert_eq!(detect_encoding(&long, "f"), Ok(TextEncoding::Gb18030));
    }

    #[test]
    fn binary_and_empty() {
        assert!(matches!(detect_encoding(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "x.csv"), Err(IngestError::Binary { .. })));
        assert!(matches!(detect_encoding(b"", "x.csv"), Err(IngestError::Empty { .. })));
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_dialect("a,b,c\n1,2,3\n").delimiter, b',');
        assert_eq!(sniff_dialect("a;b;c\n1;2,5;3\n").delimiter, b';');
        assert_eq!(sniff_dialect("a\tb\n1\t2\n").delimiter, b'\t');
        assert_eq!(sniff_dialect("a|b\n1|2\n").delimiter, b'|');
        assert_eq!(sniff_dialect("\"x,y\";b\n\"1,2\";3\n").delimiter, b';');
        assert_eq!(sniff_dialect("single\nvalue\n").delimiter, b',');
    }
}
