//! Entry point. In the browser (wasm32): mount the Leptos app. Natively: the
//! `custlens` command-line program.

#[cfg(target_arch = "wasm32")]
fn main() {
    custlens::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    custlens::cli::main()
}
