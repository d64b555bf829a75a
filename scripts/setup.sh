#!/usr/bin/env bash
# Installs everything kubeplay needs to build, serve and test, and nothing twice.
# Safe to run repeatedly: every step checks first. Versions come from
# shared toolchain measurements (see ARCHITECTURE.md, "Toolchain").
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0

log() { printf '[setup] %s\n' "$*" >&2; }

# The wasm-bindgen CLI must equal the library version in Cargo.lock.
wasm_bindgen_version() {
  if [ -f Cargo.lock ]; then
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
  else
    echo 0.2.130
  fi
}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

if ! command -v wasm-opt >/dev/null 2>&1 || ! wasm-opt --version | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  log "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  npm install -g --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
fi

wbg=$(wasm_bindgen_version)
if ! command -v wasm-bindgen >/dev/null 2>&1 || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$wbg" ]; then
  log "installing wasm-bindgen-cli $wbg (a few minutes)"
  # --locked fails against this registry (a pinned dependency is missing).
  cargo install --quiet wasm-bindgen-cli --version "$wbg" --force
fi

if ! command -v trunk >/dev/null 2>&1 || [ "$(trunk --version | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (about ten minutes the first time)"
  # Newer trunk releases need a newer rustc than this toolchain.
  cargo install --quiet trunk --version "$TRUNK_VERSION" --locked --force
fi

CARGO_FUZZ_VERSION=0.13.2
if ! command -v cargo-fuzz >/dev/null 2>&1 || [ "$(cargo fuzz --version | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION (a few minutes)"
  cargo install --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force
fi

log "tools ready"
