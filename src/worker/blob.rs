//! `std::io::Read` over a slice of a browser `Blob`/`File`, read block by
//! block with `FileReaderSync` (allowed in workers only).

use crate::engine::error::{EngineError, IngestError};
use js_sys::Uint8Array;
use std::io::{self, Read};
use web_sys::{Blob, FileReaderSync};

/// The largest block read at once.
const BLOCK: usize = 32 << 20;

/// Reads `[pos, end)` of a blob.
pub struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    pos: u64,
    end: u64,
    /// Milliseconds spent reading so far.
    pub read_ms: f64,
}

impl BlobReader {
    /// A reader from `start` to `end` of `blob`.
    pub fn new(blob: &Blob, start: u64, end: u64, name: &str) -> Result<BlobReader, EngineError> {
        let reader = FileReaderSync::new()
            .map_err(|e| EngineError::from(IngestError::Read { file: name.to_string(), message: format!("{e:?}") }))?;
        Ok(BlobReader { blob: blob.clone(), reader, pos: start, end, read_ms: 0.0 })
    }

    /// Up to `n` bytes from the start.
    pub fn read_head(&mut self, n: usize) -> Result<Vec<u8>, EngineError> {
        let mut out = Vec::with_capacity(n);
        (&mut *self).take(n as u64).read_to_end(&mut out).map_err(|e| self.err(&e))?;
        Ok(out)
    }

    /// Everything to the end.
    pub fn read_all(mut self) -> Result<Vec<u8>, EngineError> {
        let mut out = Vec::with_capacity((self.end - self.pos) as usize);
        self.read_to_end(&mut out).map_err(|e| self.err(&e))?;
        Ok(out)
    }

    fn err(&self, e: &io::Error) -> EngineError {
        let name = self.blob.dyn_ref_name();
        IngestError::Read { file: name, message: e.to_string() }.into()
    }
}

trait BlobName {
    fn dyn_ref_name(&self) -> String;
}

impl BlobName for Blob {
    fn dyn_ref_name(&self) -> String {
        use wasm_bindgen::JsCast;
        self.dyn_ref::<web_sys::File>().map_or_else(|| "data".to_string(), |f| f.name())
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let t0 = js_sys::Date::now();
        let want = (buf.len().min(BLOCK) as u64).min(self.end.saturating_sub(self.pos));
        if want == 0 {
            return Ok(0);
        }
        let slice = self
            .blob
            .slice_with_f64_and_f64(self.pos as f64, (self.pos + want) as f64)
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        let ab = self.reader.read_as_array_buffer(&slice).map_err(|e| io::Error::other(format!("{e:?}")))?;
        let arr = Uint8Array::new(&ab);
        self.read_ms += js_sys::Date::now() - t0;
        let n = arr.length() as usize;
        arr.copy_to(&mut buf[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}
