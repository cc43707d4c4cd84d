//! Ingest: from a file's bytes to typed rows. Detects format, encoding and
//! delimiter, maps headers to canonical fields, splits big files into
//! line-aligned ranges for parallel workers, and reads rows into columns.

pub mod chunk;
pub mod decode;
pub mod detect;
pub mod excel;
pub mod fields;
pub mod jsonl;
pub mod orders;
pub mod probe;
pub mod profile;
pub mod record;
pub mod scan;
pub mod split;
pub mod tally;
