//! The Leptos single-page app — the only module that touches the DOM. It
//! shows state and forwards the user's actions; the work happens in Web
//! Workers (see [`workers`] and [`job`]).

pub mod browser;
mod components;
pub mod format;
pub mod job;
pub mod keystore;
pub mod state;
pub mod workers;

pub use components::App;

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
