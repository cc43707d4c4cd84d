#!/usr/bin/env bash
# Builds CustLens (release) and serves it on http://127.0.0.1:8080,
# installing the toolchain first if it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(scripts/setup.sh)"
exec trunk serve --release "$@"
