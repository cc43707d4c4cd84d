//! Splitting one file into byte ranges that workers read in parallel, and
//! aligning each range to whole lines.
//!
//! Every range is read from the first line start at or after its `start` to
//! the first line start at or after its `end`, so neighbouring ranges meet
//! exactly. A newline inside a quoted field can fool this; a chunk whose text
//! ends inside an open quote says so, and the caller then reads the file in
//! one piece instead (see [`needs_single_pass`]).

use serde::{Deserialize, Serialize};
use std::io::{self, Read};

/// A half-open byte range of a file.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteRange {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

/// Splits `len` bytes into at most `parts` ranges of at least `min_part`
/// bytes each (always at least one range).
pub fn plan(len: u64, parts: usize, min_part: u64) -> Vec<ByteRange> {
    let by_size = (len / min_part.max(1)).max(1) as usize;
    let n = parts.clamp(1, by_size.max(1));
    let step = len / n as u64;
    (0..n as u64)
        .map(|i| ByteRange { start: i * step, end: if i + 1 == n as u64 { len } else { (i + 1) * step } })
        .collect()
}

/// Whether any chunk but the last ended inside an open quote, so that the
/// following chunk began in the middle of a record: then the file must be
/// read in one pass.
pub fn needs_single_pass(ended_in_quote: &[bool]) -> bool {
    ended_in_quote.len() > 1 && ended_in_quote[..ended_in_quote.len() - 1].iter().any(|&q| q)
}

/// Reads the whole lines of one range.
///
/// `inner` must be positioned at `range.start - 1` (or at 0 when the range
/// starts the file): the byte before the range tells whether the range starts
/// on a line start.
pub struct LineAligned<R> {
    inner: R,
    end: u64,
    /// Absolute position of the next byte `inner` yields.
    pos: u64,
    state: Align,
    aligned_start: Option<u64>,
}

#[derive(PartialEq)]
enum Align {
    /// Looking for the first line start.
    Skip,
    /// Emitting whole lines.
    Pass,
    /// The range is complete.
    Done,
}

impl<R: Read> LineAligned<R> {
    /// Wraps `inner` for `range` (see the type's docs for where `inner` starts).
    pub fn new(inner: R, range: ByteRange) -> LineAligned<R> {
        let at_start = range.start == 0;
        LineAligned {
            inner,
            end: range.end,
            pos: if at_start { 0 } else { range.start - 1 },
            state: if at_start { Align::Pass } else { Align::Skip },
            aligned_start: at_start.then_some(0),
        }
    }

    /// Where the first whole line of the range starts (known once reading began).
    pub fn aligned_start(&self) -> Option<u64> {
        self.aligned_start
    }
}

impl<R: Read> Read for LineAligned<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.state == Align::Done || buf.is_empty() {
                return Ok(0);
            }
            if self.state == Align::Pass && self.aligned_start.is_some_and(|a| a >= self.end) {
                // No line starts inside the range: the previous range reads it.
                self.state = Align::Done;
                return Ok(0);
            }
            let n = self.inner.read(buf)?;
            if n == 0 {
                self.state = Align::Done;
                return Ok(0);
            }
            let base = self.pos;
            self.pos += n as u64;
            let mut from = 0;
            if self.state == Align::Skip {
                match memchr::memchr(b'\n', &buf[..n]) {
                    Some(i) => {
                        from = i + 1;
                        self.aligned_start = Some(base + from as u64);
                        self.state = Align::Pass;
                        if base + from as u64 >= self.end {
                            self.state = Align::Done;
                            return Ok(0);
                        }
                    }
                    None => continue,
                }
            }
            // Emit up to and including the first newline at or after `end - 1`.
            let mut stop = n;
            let look = (self.end.saturating_sub(1).max(base + from as u64) - base) as usize;
            if look < n {
                if let Some(i) = memchr::memchr(b'\n', &buf[look..n]) {
                    stop = look + i + 1;
                    self.state = Align::Done;
                }
            }
            if from > 0 {
                buf.copy_within(from..stop, 0);
            }
            if stop > from {
                return Ok(stop - from);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_range(data: &[u8], r: ByteRange, block: usize) -> (Vec<u8>, Option<u64>) {
        let start = if r.start == 0 { 0 } else { r.start as usize - 1 };
        let mut inner = SmallReads { data: &data[start..], block };
        let mut a = LineAligned::new(&mut inner, r);
        let mut out = Vec::new();
        let _ = a.read_to_end(&mut out);
        (out, a.aligned_start())
    }

    struct SmallReads<'a> {
        data: &'a [u8],
        block: usize,
    }
    impl Read for SmallReads<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.block).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn ranges_cover_every_line_once() {
        let data = b"h1,h2\naaa,1\nbb,22\nc,333\ndddd,4\ne,5\n";
        for parts in 1..=6 {
            for block in [1, 2, 3, 7, 64] {
                let ranges = plan(data.len() as u64, parts, 1);
                let mut joined = Vec::new();
                for r in &ranges {
                    let (bytes, _) = read_range(data, *r, block);
                    joined.extend(bytes);
                }
                assert_eq!(joined, data.to_vec(), "parts {parts} block {block}");
            }
        }
    }

    #[test]
    fn no_final_newline_and_long_lines() {
        let data = b"a\nbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nc";
        for parts in 1..=8 {
            let ranges = plan(data.len() as u64, parts, 1);
            let joined: Vec<u8> = ranges.iter().flat_map(|r| read_range(data, *r, 5).0).collect();
            assert_eq!(joined, data.to_vec());
        }
    }

    #[test]
    fn plan_respects_minimum() {
        assert_eq!(plan(100, 4, 60).len(), 1);
        assert_eq!(plan(1000, 4, 100).len(), 4);
        assert_eq!(plan(0, 4, 100).len(), 1);
        let r = plan(10, 3, 1);
        assert_eq!(r.first().map(|r| r.start), Some(0));
        assert_eq!(r.last().map(|r| r.end), Some(10));
    }

    #[test]
    fn single_pass_decision() {
        assert!(!needs_single_pass(&[false, false, true]));
        assert!(needs_single_pass(&[false, true, false]));
        assert!(!needs_single_pass(&[true]));
    }
}
