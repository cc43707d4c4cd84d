//! Finding a line's end and its delimiters in one pass, 16 bytes at a time.
//!
//! Nearly every line of a real export has no quote: for those the splitter
//! needs only where the line ends and where its first fields end. One pass
//! compares each 16-byte block with the newline, the delimiter and the quote
//! at once (WebAssembly SIMD in the browser, eight-byte words elsewhere) and
//! reads the positions off the resulting bit masks — instead of one search
//! for the line end, one for a quote and one per field.

use super::split::Dialect;

/// How many delimiter positions a scan keeps (fields further right are
/// found by searching on from the last one).
pub const KEPT: usize = 16;

/// The delimiters of one line, left to right (at most [`KEPT`]).
#[derive(Clone, Debug)]
pub struct Delims {
    pos: [u32; KEPT],
    n: usize,
    /// Whether the line has more delimiters than were kept.
    more: bool,
}

impl Default for Delims {
    fn default() -> Delims {
        Delims { pos: [0; KEPT], n: 0, more: false }
    }
}

impl Delims {
    /// The kept positions (offsets from the line start).
    pub fn kept(&self) -> &[u32] {
        &self.pos[..self.n]
    }

    /// Whether every delimiter of the line was kept.
    pub fn complete(&self) -> bool {
        !self.more
    }

    fn clear(&mut self) {
        self.n = 0;
        self.more = false;
    }

    /// Keeps the positions of the set bits of `mask`, offset by `base`.
    #[inline]
    fn push_bits(&mut self, mut mask: u32, base: usize) {
        while mask != 0 {
            if self.n == KEPT {
                self.more = true;
                return;
            }
            self.pos[self.n] = base as u32 + mask.trailing_zeros();
            self.n += 1;
            mask &= mask - 1;
        }
    }
}

/// What the start of a buffer holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// A line without quotes, this many bytes long (its newline not counted).
    Plain(usize),
    /// A quote comes before the first newline: the line needs the quote-aware parser.
    Quoted,
    /// No newline (and no quote) in the buffer.
    Incomplete,
}

/// Scans `b` up to its first newline, keeping the delimiters before it in `out`.
#[inline]
pub fn scan_line(b: &[u8], d: Dialect, out: &mut Delims) -> Line {
    out.clear();
    let mut at = 0;
    while let Some(block) = b.get(at..at + 16) {
        let m = masks(block, d);
        if m.newline != 0 {
            let len = m.newline.trailing_zeros();
            let before = (1u32 << len) - 1;
            if m.quote & before != 0 {
                return Line::Quoted;
            }
            out.push_bits(m.delim & before, at);
            return Line::Plain(at + len as usize);
        }
        if m.quote != 0 {
            return Line::Quoted;
        }
        out.push_bits(m.delim, at);
        at += 16;
    }
    for (i, &c) in b[at..].iter().enumerate() {
        if c == b'\n' {
            return Line::Plain(at + i);
        } else if c == d.quote {
            return Line::Quoted;
        } else if c == d.delimiter {
            out.push_bits(1, at + i);
        }
    }
    Line::Incomplete
}

/// Which bytes of a 16-byte block are a newline, the delimiter, the quote
/// (bit `i` for byte `i`).
struct Masks {
    newline: u32,
    delim: u32,
    quote: u32,
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn masks(block: &[u8], d: Dialect) -> Masks {
    use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128};
    let v: v128 = bytemuck::pod_read_unaligned(&block[..16]);
    let eq = |c: u8| u32::from(u8x16_bitmask(u8x16_eq(v, u8x16_splat(c))));
    Masks { newline: eq(b'\n'), delim: eq(d.delimiter), quote: eq(d.quote) }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn masks(block: &[u8], d: Dialect) -> Masks {
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&block[i..i + 8]);
        u64::from_le_bytes(w)
    };
    let (lo, hi) = (word(0), word(8));
    let eq = |c: u8| u32::from(byte_mask(lo, c)) | (u32::from(byte_mask(hi, c)) << 8);
    Masks { newline: eq(b'\n'), delim: eq(d.delimiter), quote: eq(d.quote) }
}

/// Bit `i` set when byte `i` of `w` (little-endian) equals `c`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn byte_mask(w: u64, c: u8) -> u8 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = w ^ (u64::from(c) * 0x0101_0101_0101_0101);
    // High bit of each byte set when the byte is non-zero (exact, no borrows across bytes).
    let nonzero = ((x & LOW7) + LOW7) | x;
    let zero_high = !nonzero & !LOW7;
    // Gather the eight high bits into one byte.
    ((zero_high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer the slow way.
    fn naive(b: &[u8], d: Dialect) -> (Line, Vec<u32>) {
        let mut delims = Vec::new();
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' {
                return (Line::Plain(i), delims);
            } else if c == d.quote {
                return (Line::Quoted, Vec::new());
            } else if c == d.delimiter {
                delims.push(i as u32);
            }
        }
        (Line::Incomplete, delims)
    }

    fn check(b: &[u8], d: Dialect) {
        let mut out = Delims::default();
        let got = scan_line(b, d, &mut out);
        let (want, delims) = naive(b, d);
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(b));
        if got != Line::Quoted {
            let kept = delims.len().min(KEPT);
            assert_eq!(out.kept(), &delims[..kept], "{:?}", String::from_utf8_lossy(b));
            assert_eq!(out.complete(), delims.len() <= KEPT);
        }
    }

    #[test]
    fn every_position_of_every_kind_of_byte() {
        let d = Dialect::default();
        for len in 0..70 {
            for pos in 0..len {
                for special in [b'\n', b',', b'"', 0x80, 0xFF, b'\r'] {
                    let mut b = vec![b'a'; len];
                    b[pos] = special;
                    check(&b, d);
                    b.push(b'\n');
                    check(&b, d);
                }
            }
        }
    }

    #[test]
    fn many_fields_and_other_dialects() {
        let line = "1,22,333,4444,55555,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20\nnext,\"q\"\n";
        check(line.as_bytes(), Dialect::default());
        let mut out = Delims::default();
        assert_eq!(scan_line(line.as_bytes(), Dialect::default(), &mut out), Line::Plain(line.find('\n').unwrap_or(0)));
        assert!(!out.complete());
        for (delim, quote) in [(b';', b'"'), (b'\t', b'\''), (b'|', b'"')] {
            let text = "客户;金额\t|'x'\n".repeat(3);
            check(text.as_bytes(), Dialect { delimiter: delim, quote });
        }
    }
}
