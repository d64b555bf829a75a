#!/usr/bin/env bash
# Everything CI checks, in order, the same locally and in CI:
#   formatting, clippy (native and wasm32), native tests, fuzzing (briefly), browser component
#   tests, the release wasm build, end-to-end browser tests.
# Every step runs even after an earlier one fails (except the browser tests, which need the
# build), then a summary is printed; the exit status is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "[test] setup failed" >&2; exit 1; }

results=()
failed=0

step() {
  local name=$1
  shift
  printf '\n[test] ==> %s\n[test]     %s\n' "$name" "$*" >&2
  local start=$SECONDS rc=0
  "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then
    results+=("ok      $(printf '%4ss' $((SECONDS - start)))  $name")
  else
    results+=("FAILED  $(printf '%4ss' $((SECONDS - start)))  $name (exit $rc)")
    failed=$((failed + 1))
  fi
  return "$rc"
}

skip() {
  results+=("skipped        $1 ($2)")
  failed=$((failed + 1))
}

step "fetch crates" cargo fetch --locked
step "format" cargo fmt --all --check
step "clippy (native, all targets)" cargo clippy --workspace --all-targets -- -D warnings
step "clippy (web, wasm32)" cargo clippy -p kubeplay-web --target wasm32-unknown-unknown --lib --bins --tests -- -D warnings
# The browser tests run below, against the fresh build; KUBEPLAY_E2E=0 skips them here.
step "native tests" env KUBEPLAY_E2E=0 cargo test --workspace
# Coverage-guided fuzzing, briefly (scripts/fuzz.sh 600 for the long run).
step "fuzz (20 s per target)" bash scripts/fuzz.sh 20
# Components mounted one at a time in headless Chromium (wasm-bindgen-test).
step "browser component tests" env CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --target wasm32-unknown-unknown -p kubeplay-web --test components
rm -rf dist target/screenshots
if step "release wasm build" trunk build --release; then
  step "browser tests" env KUBEPLAY_E2E=1 cargo test --workspace --test e2e
else
  skip "browser tests" "no build"
fi

printf '\n[test] summary\n'
for line in "${results[@]}"; do
  printf '[test]   %s\n' "$line"
done
if [ -d target/screenshots ]; then
  printf '[test] screenshots in %s\n' "$(pwd)/target/screenshots"
fi
if [ "$failed" -ne 0 ]; then
  printf '[test] %d step(s) failed or did not run\n' "$failed"
  exit 1
fi
printf '[test] all steps passed\n'
