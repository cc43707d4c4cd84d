#!/usr/bin/env bash
# Installs what building and testing CustLens needs, idempotently, from the
# package registries only (crates.io, npm, Debian): the wasm32 target, trunk,
# wasm-bindgen-cli at the Cargo.lock version, wasm-opt (npm binaryen) and the
# e2e driver (npm playwright-core). With --test also Chromium, ChromeDriver,
# CJK fonts and Python's numpy/pandas/scipy for the reference checks.
#
# Tools go to $CUSTLENS_TOOLS (default ~/.cache/custlens) so clones share them.
# Source this file's output: `eval "$(scripts/setup.sh --env)"` sets PATH.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${CUSTLENS_TOOLS:-$HOME/.cache/custlens}
TRUNK_VERSION=0.21.14
export PATH="$TOOLS/bin:$TOOLS/node/node_modules/.bin:$PATH"

log() { echo "[setup] $*" >&2; }

env_only=false
with_test=false
for a in "$@"; do
  case "$a" in
    --env) env_only=true ;;
    --test) with_test=true ;;
    *) echo "usage: scripts/setup.sh [--test] [--env]" >&2; exit 2 ;;
  esac
done

print_env() {
  echo "export PATH=\"$TOOLS/bin:$TOOLS/node/node_modules/.bin:$TOOLS/py/bin:\$PATH\""
  echo "export CUSTLENS_TOOLS=\"$TOOLS\""
}
if $env_only; then print_env; exit 0; fi

mkdir -p "$TOOLS/bin"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; return 1; fi
}

apt_install() { # retries while another apt/dpkg holds the lock
  local i
  for i in $(seq 1 30); do
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 2>&1; then return 0; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 2>&1 || true
    log "apt busy or failed (try $i), retrying in 10 s"; sleep 10
  done
  return 1
}

# 1. Rust target
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
fi

# 2. trunk (0.22 needs a newer rustc than this machine's)
if [ "$("$TOOLS/bin/trunk" --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (several minutes, once)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --root "$TOOLS" >&2
fi

# 3. wasm-bindgen-cli = the wasm-bindgen version in Cargo.lock (without --locked: its
#    own lockfile pins a crate the registry no longer serves)
WBG=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")
if [ "$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')" != "$WBG" ]; then
  log "installing wasm-bindgen-cli $WBG (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WBG" --root "$TOOLS" >&2
fi
if ! grep -q "wasm_bindgen = \"$WBG\"" "$ROOT/Trunk.toml"; then
  log "Trunk.toml pins another wasm-bindgen than Cargo.lock ($WBG): update [tools] wasm_bindgen"; exit 1
fi

# 4. npm tools: wasm-opt from binaryen 132 (Debian's 108 emits a crashing .wasm), playwright-core
stamp=$(cat "$ROOT/scripts/tools/package.json" "$ROOT/scripts/tools/package-lock.json" | sha256sum | cut -c1-16)
if [ "$(cat "$TOOLS/node/.stamp" 2>/dev/null)" != "$stamp" ]; then
  log "installing npm tools (binaryen, playwright-core)"
  mkdir -p "$TOOLS/node"
  cp "$ROOT/scripts/tools/package.json" "$ROOT/scripts/tools/package-lock.json" "$TOOLS/node/"
  (cd "$TOOLS/node" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$stamp" > "$TOOLS/node/.stamp"
fi

if $with_test; then
  # 5. Browser, driver and CJK fonts (Chinese text in screenshots and canvas charts)
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 2>&1 || true
    apt_install "${need[@]}"
  fi
  # 6. Python reference implementations (numpy/pandas/scipy, cryptography, openpyxl), in a venv of their own
  if ! "$TOOLS/py/bin/python" -c "import numpy, pandas, scipy, cryptography, openpyxl" 2>/dev/null; then
    log "installing numpy, pandas, scipy, cryptography and openpyxl for the reference checks"
    python3 -m venv "$TOOLS/py" >&2
    "$TOOLS/py/bin/pip" install --quiet --disable-pip-version-check "numpy==2.1.3" "pandas==2.2.3" "scipy==1.14.1" \
      "cryptography==43.0.3" "openpyxl==3.1.5" >&2
  fi
fi

print_env
