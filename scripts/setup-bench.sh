#!/usr/bin/env bash
# Optional: installs spaCy for the Python reference in the benchmark
# (scripts/bench_match_python.py). Not needed to build, test or run slant;
# without it the reference falls back to Python's `re`.
# Everything lands in .deps/bench (git-ignored); idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.deps/bench"
stamp="$venv/.setup-v1"
PYTHON="${PYTHON:-python3}"
SPACY="spacy>=3.7,<4"

if [ -f "$stamp" ]; then
  exit 0
fi
rm -rf "$venv"
echo "setup-bench: creating $venv and installing $SPACY" >&2
"$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$SPACY"
touch "$stamp"
echo "setup-bench: done ($("$venv/bin/python" -c 'import spacy; print("spaCy", spacy.__version__)'))" >&2
