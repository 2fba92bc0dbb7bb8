#!/usr/bin/env bash
# Installs what runs an exported notebook (jupyter nbconvert, ipykernel,
# pandas, matplotlib) into a virtual environment, .deps/notebook, with the
# versions scripts/notebook-requirements.txt pins. Idempotent: a second run
# finds the stamp of those pins and returns at once; changed pins reinstall.
# Prints the venv's folder on stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/scripts/notebook-requirements.txt"
venv="$root/.deps/notebook"
PYTHON="${PYTHON:-python3}"
stamp="$venv/.installed-$(sha256sum "$req" | cut -c1-16)"

if [ -f "$stamp" ]; then
  echo "$venv"
  exit 0
fi
rm -rf "$venv"
mkdir -p "$root/.deps"
echo "setup-notebook: creating $venv" >&2
if ! "$PYTHON" -m venv "$venv" >/dev/null 2>&1; then
  # Debian's python3 keeps the venv module's pip (ensurepip) in python3-venv.
  rm -rf "$venv"
  echo "setup-notebook: installing python3-venv" >&2
  apt-get install -y --no-install-recommends python3-venv >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends python3-venv >/dev/null; }
  "$PYTHON" -m venv "$venv"
fi
# --no-deps: the file pins every package, so nothing unpinned comes in; pip
# check then says whether the pins fit together.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$req"
"$venv/bin/python" -m pip check >&2
touch "$stamp"
echo "setup-notebook: done" >&2
echo "$venv"
