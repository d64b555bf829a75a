#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml), run in trunk's staging directory ($TRUNK_STAGING_DIR):
# - checks that the page has no inline script, which its Content-Security-Policy forbids;
# - writes `<wasm>.js`, the wasm as base64 in a classic script, which web/boot.js loads only
#   when the page is opened straight from disk (file://), where the browser fetches nothing.
set -euo pipefail
dir=${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}
html=$dir/index.html

# Every <script> must have a src: an inline one would be blocked by the policy.
if grep -o '<script[^>]*>' "$html" | grep -vq 'src='; then
  echo "post-build: $html has an inline script; the Content-Security-Policy would block it" >&2
  exit 1
fi

shopt -s nullglob
wasm=("$dir"/*_bg.wasm)
if [ ${#wasm[@]} -ne 1 ]; then
  echo "post-build: expected one *_bg.wasm in $dir, found ${#wasm[@]}" >&2
  exit 1
fi
{
  printf 'window.kubeplayWasm="'
  base64 -w0 "${wasm[0]}"
  printf '";\n'
} >"${wasm[0]}.js"
