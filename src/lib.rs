//! CustLens (客镜): customer-data analysis that runs entirely in the browser
//! (WebAssembly) and natively as the `custlens` command-line program — one
//! engine, three faces.
//!
//! - [`engine`]: the pure pipeline (ingest → clean → analyze → report), no web
//!   or OS dependencies; tested natively.
//! - [`i18n`]: every user-facing text, per language.
//! - [`protocol`]: the messages between the page and its Web Workers.
//! - `ui` (wasm32): the Leptos single-page app.
//! - `worker` (wasm32): the Web Worker that runs the engine off the main thread.
//! - `cli` (native): the `custlens` command.

pub mod engine;
pub mod i18n;
pub mod protocol;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod envelope;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
