#!/usr/bin/env bash
# Builds the page (release) and serves it on http://127.0.0.1:8080, rebuilding on changes.
# Works offline once scripts/setup.sh has run: crates are fetched first, then trunk builds
# with --offline (Trunk.toml) and the pinned wasm-bindgen and wasm-opt from PATH.
# PORT=9000 bash scripts/serve.sh serves elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cargo fetch --locked
echo "[serve] building and serving on http://127.0.0.1:${PORT:-8080}/ (Ctrl+C stops)" >&2
exec trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}"
