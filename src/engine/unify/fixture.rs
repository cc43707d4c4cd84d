//! Test fixture shared by the engine's tests: a source that owns its table
//! and mapping, lending a [`Source`] to the code under test.

use super::Source;
use crate::engine::clean::table::TextTable;
use crate::engine::ingest::fields::{auto_map, Mapping, SourceKind};

/// A source's file name, mapping and rows, owned.
pub struct Owned {
    /// File name.
    pub file: &'static str,
    /// The automatic mapping for its kind.
    pub mapping: Mapping,
    /// The rows.
    pub table: TextTable,
}

impl Owned {
    /// A table of `kind` from literal headers and rows, mapped automatically.
    pub fn new(file: &'static str, kind: SourceKind, headers: &[&str], rows: &[&[&str]]) -> Owned {
        Owned::of(file, kind, TextTable::from_rows(headers, rows))
    }

    /// A table of `kind`, mapped automatically.
    pub fn of(file: &'static str, kind: SourceKind, table: TextTable) -> Owned {
        Owned { file, mapping: auto_map(kind, &table.headers), table }
    }

    /// The source it lends.
    pub fn source(&self) -> Source<'_> {
        Source { file: self.file, mapping: &self.mapping, table: &self.table }
    }
}
