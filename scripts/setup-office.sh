#!/usr/bin/env bash
# Installs LibreOffice Calc without its GUI (Debian's libreoffice-calc-nogui)
# for the tests that open the reports the way a person does: report.xlsx and
# the --excel CSV files, converted headless by `soffice`.
# Idempotent: once installed, a stamp in .deps/ makes a second run return at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stamp="$root/.deps/.setup-office-v1"

if [ -f "$stamp" ] && command -v soffice >/dev/null; then
  exit 0
fi
if ! command -v soffice >/dev/null; then
  echo "setup-office: installing libreoffice-calc-nogui" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Waits for another apt (a setup script beside this one) to let go of the lock.
  apt() { apt-get -o DPkg::Lock::Timeout=600 -q "$@" >/dev/null; }
  install() { apt install -y --no-install-recommends libreoffice-calc-nogui; }
  # The package lists of a fresh machine may be missing or stale.
  install || { apt update && install; }
fi
mkdir -p "$root/.deps"
touch "$stamp"
