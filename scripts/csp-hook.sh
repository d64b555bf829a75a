#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): moves the inline module script trunk writes into
# index.html to its own file, boot-HASH.js, so that the page's Content-Security-Policy can
# forbid inline script. Runs in trunk's staging directory ($TRUNK_STAGING_DIR).
set -euo pipefail
dir=${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}
html=$dir/index.html
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The one inline script: from its opening tag to the next closing tag.
awk -v boot="$tmp/boot.js" -v page="$tmp/index.html" '
  !done && /<script type="module">/ { inside = 1; print "<script type=\"module\" src=\"./BOOT_JS\"></script>" > page; next }
  inside && /<\/script>/ { inside = 0; done = 1; next }
  inside { print > boot; next }
  { print > page }
' "$html"

if [ ! -s "$tmp/boot.js" ]; then
  echo "csp-hook: no inline module script in $html" >&2
  exit 1
fi
if grep -q '<script>' "$tmp/index.html" || grep -q '<script type="module">' "$tmp/index.html"; then
  echo "csp-hook: $html has another inline script; the CSP would block it" >&2
  exit 1
fi
hash=$(sha256sum "$tmp/boot.js" | cut -c1-16)
cp "$tmp/boot.js" "$dir/boot-$hash.js"
sed "s|BOOT_JS|boot-$hash.js|" "$tmp/index.html" >"$html"
