#!/usr/bin/env bash
# Renders the sample report's page to a PNG with headless Chromium:
#   scripts/screenshot.sh [OUT.png] [HEIGHT]
# (default data/screenshots/report-sample.png, 2400 pixels tall). Builds
# slant, analyses data/sample (lexicon only, as the tests do) into a
# temporary folder and screenshots its report.html, 1100 pixels wide.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-data/screenshots/report-sample.png}"
height="${2:-2400}"
bash scripts/setup.sh
bash scripts/setup-browser.sh
cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target="${CARGO_TARGET_DIR:-target}"
"$target/release/slant" analyze data/sample --out "$work/report" --no-model --quiet
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$work/profile" \
  --window-size=1100,"$height" --screenshot="$work/shot.png" \
  "file://$work/report/report.html" 2>/dev/null
# Chromium's PNG is not small; a palette of 256 colours keeps it readable
# and under a few hundred kilobytes where ImageMagick is there.
if command -v convert >/dev/null && convert -version >/dev/null 2>&1; then
  convert "$work/shot.png" -colors 256 PNG8:"$out"
else
  cp "$work/shot.png" "$out"
fi
echo "screenshot: $out ($(du -k "$out" | cut -f1) KB)" >&2
