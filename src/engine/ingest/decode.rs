//! Turns a byte stream in any supported encoding into UTF-8 as it streams,
//! so the rest of the engine only ever sees UTF-8.

use super::detect::TextEncoding;
use std::io::{self, Read};

/// A reader that yields UTF-8. UTF-8 input passes through untouched (minus a
/// BOM); GB18030 and UTF-16 are transcoded block by block with `encoding_rs`.
pub struct Utf8Reader<R> {
    inner: R,
    decoder: Option<encoding_rs::Decoder>,
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    skip_bom: usize,
}

impl<R: Read> Utf8Reader<R> {
    /// Wraps `inner`, which starts at the beginning of the file (when
    /// `at_file_start`) or at a line start inside it.
    pub fn new(inner: R, encoding: TextEncoding, at_file_start: bool) -> Utf8Reader<R> {
        let decoder = match encoding {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => None,
            TextEncoding::Gb18030 => Some(encoding_rs::GB18030.new_decoder_without_bom_handling()),
            TextEncoding::Utf16Le => Some(encoding_rs::UTF_16LE.new_decoder_without_bom_handling()),
            TextEncoding::Utf16Be => Some(encoding_rs::UTF_16BE.new_decoder_without_bom_handling()),
        };
        Utf8Reader {
            inner,
            decoder,
            raw: vec![0; 4 << 20],
            out: Vec::new(),
            out_pos: 0,
            eof: false,
            skip_bom: if at_file_start { encoding.bom_len() } else { 0 },
        }
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.skip_bom > 0 {
            let mut b = [0u8; 3];
            let n = self.inner.read(&mut b[..self.skip_bom])?;
            if n == 0 {
                self.skip_bom = 0;
                break;
            }
            self.skip_bom -= n;
        }
        let Some(decoder) = self.decoder.as_mut() else {
            return self.inner.read(buf);
        };
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.eof {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.raw)?;
            let last = n == 0;
            self.eof = last;
            self.out.clear();
            self.out_pos = 0;
            let need = decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.resize(need, 0);
            let (_, _, written, _) = decoder.decode_to_utf8(&self.raw[..n], &mut self.out, last);
            self.out.truncate(written);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], enc: TextEncoding) -> String {
        let mut s = String::new();
        let _ = Utf8Reader::new(bytes, enc, true).read_to_string(&mut s);
        s
    }

    #[test]
    fn transcodes() {
        let text = "客户ID,金额\n张三,12\n";
        assert_eq!(decode(&encoding_rs::GBK.encode(text).0, TextEncoding::Gb18030), text);
        assert_eq!(decode(format!("\u{feff}{text}").as_bytes(), TextEncoding::Utf8Bom), text);
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        assert_eq!(decode(&utf16, TextEncoding::Utf16Le), text);
    }

    #[test]
    fn large_gbk_input_in_many_blocks() {
        let text = "订单,金额\n".repeat(50_000);
        assert_eq!(decode(&encoding_rs::GBK.encode(&text).0, TextEncoding::Gb18030), text);
    }
}
