//! The Web Worker binary (built by Trunk with `--features worker`): runs the
//! engine off the page's main thread.

#[cfg(target_arch = "wasm32")]
fn main() {
    custlens::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("custlens-worker runs inside a browser; use `custlens` on the command line");
    std::process::exit(2);
}
