#!/usr/bin/env bash
# Installs Debian's Chromium (and a font for it to draw text with), which the
# report.html tests and scripts/screenshot.sh run headless. Idempotent: a second run sees the stamp
# and returns at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stamp="$root/.deps/.browser-v1"
if [ -f "$stamp" ] && command -v chromium >/dev/null; then
  exit 0
fi
mkdir -p "$root/.deps"
if ! command -v chromium >/dev/null || ! [ -d /usr/share/fonts/truetype/dejavu ]; then
  echo "setup-browser: installing chromium and fonts-dejavu-core (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  pkgs=(chromium fonts-dejavu-core)
  apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null; }
fi
touch "$stamp"
echo "setup-browser: $(chromium --version)" >&2
