#!/usr/bin/env bash
# Runs every check and test of CustLens; fails on the first failure.
#   formatting, clippy (native and wasm32), native unit/integration/property
#   tests (incl. the pandas reference check and the CLI), in-browser tests
#   (wasm-bindgen-test in headless Chromium), the release build, and the
#   end-to-end browser tests against the built app.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(scripts/setup.sh --test)"

step() { echo; echo "=== $* ==="; }

step "format"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --all-targets --locked -- -D warnings

step "clippy (wasm32: app, worker and browser tests)"
cargo clippy --target wasm32-unknown-unknown --all-targets --features worker --locked -- -D warnings

step "native tests (engine, CLI, properties, pandas reference)"
CUSTLENS_REFERENCE_PYTHON="$CUSTLENS_TOOLS/py/bin/python" cargo test --locked

step "in-browser tests (wasm-bindgen-test, headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/webdriver.json" \
  cargo test --locked --target wasm32-unknown-unknown --test web

step "release build (trunk)"
trunk build --release

step "end-to-end (Playwright + Chromium on the built app)"
CUSTLENS_CLI="$PWD/target/debug/custlens" node tests/e2e/run.mjs

echo; echo "all tests passed"
