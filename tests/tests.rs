//! Native integration tests: one binary, a module per area.
#![cfg(not(target_arch = "wasm32"))]

mod util;

mod analyses;
mod analyses2;
mod badinput;
mod channels;
mod cli;
mod compare;
mod drill;
mod privacy;
mod profiles;
mod properties;
mod reference;
mod tags;
mod xlsx;
