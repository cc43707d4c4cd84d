//! The pure analysis engine: ingest → clean → (mask: [`privacy`]) → analyze → report.
//!
//! No browser, file-system, thread or OS-randomness dependencies: stages take
//! bytes or `impl Read` and return typed values, so the same code runs in the
//! Web Workers, the `custlens` CLI and native tests.

pub mod analyze;
pub mod clean;
pub mod codec;
pub mod date;
pub mod error;
pub mod ids;
pub mod ingest;
pub mod money;
pub mod pipeline;
pub mod privacy;
pub mod report;
pub mod sample;
pub mod unify;
pub mod workspace;
