#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz, libFuzzer) of what kubeplay reads from people:
# manifests, command scripts, share links and lesson files (fuzz/fuzz_targets/, bodies in
# tests/src/fuzz.rs).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Runs each TARGET (default: all four) for SECONDS (default 20) from its corpus in
# fuzz/corpus/TARGET, with overflow checks on, a 10 s limit per input (a slower input is a
# freeze, reported as a finding) and libFuzzer's 2 GiB memory limit. New inputs go to a
# scratch directory; KUBEPLAY_FUZZ_KEEP=1 adds them to the committed corpus instead (then
# shrink it with `cargo fuzz cmin -s none -O -a TARGET`). A finding stops the run with a
# non-zero exit; the input is in fuzz/artifacts/TARGET and reproduces with
# `cargo fuzz run -s none -O -a TARGET fuzz/artifacts/TARGET/crash-…`. Once fixed, copy it to
# fuzz/regressions/TARGET: the native test tests/tests/fuzz_corpus.rs replays the corpus and
# the regressions on every `cargo test`. The seeds come from fuzz/examples/seeds.rs.
#
# cargo-fuzz itself is installed by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(manifest command share_link lesson)

# The stable toolchain suffices with sanitizers off (-s none): coverage instrumentation and
# libFuzzer need no nightly features.
flags=(-s none -O -a)
cargo fuzz build "${flags[@]}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
summary=()
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  dirs=("$corpus")
  if [ "${KUBEPLAY_FUZZ_KEEP:-0}" != 1 ]; then
    mkdir -p "$scratch/$t"
    dirs=("$scratch/$t" "$corpus")
  fi
  log=$scratch/$t.log
  printf '[fuzz] %s for %ss from %s inputs\n' "$t" "$seconds" "$(find "$corpus" -type f | wc -l)" >&2
  rc=0
  cargo fuzz run "${flags[@]}" "$t" "${dirs[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [ "$rc" -ne 0 ]; then
    tail -60 "$log" >&2
    summary+=("FAILED  $t: ${runs:-?} executions, ${cov:-no coverage}, exit $rc")
  else
    summary+=("ok      $t: ${runs:-?} executions in ${seconds}s, ${cov:-no coverage}")
  fi
done
printf '[fuzz] %s\n' "${summary[@]}" >&2
! printf '%s\n' "${summary[@]}" | grep -q '^FAILED'
