#!/usr/bin/env bash
# Installs the Python reference for the sentiment-model benchmark
# (scripts/bench_model_python.py): torch 2.4.0 and Hugging Face transformers
# 4.44.2 from PyPI, into .deps/bench-model.
#
# Unlike scripts/setup.sh, this keeps torch's CUDA dependencies (about 3 GB):
# torch's Python extension links the CUDA libraries directly, so the lean
# CPU-only trick that works for slant's libtorch does not work for Python.
# The benchmark still runs on the CPU. Not part of the normal setup: slant
# never needs Python at run time. Idempotent: a second run checks the stamp
# and returns at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.deps/bench-model"
stamp="$dest/.setup-v2"
PYTHON="${PYTHON:-python3}"

if [ -f "$stamp" ]; then
  exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"
echo "setup-bench-model: installing torch 2.4.0 and transformers 4.44.2 into $dest (about 3 GB)" >&2
"$PYTHON" -m pip install --quiet --disable-pip-version-check --target "$dest" \
  torch==2.4.0 transformers==4.44.2
PYTHONPATH="$dest" "$PYTHON" -c "import torch, transformers; print('setup-bench-model: torch', torch.__version__, 'transformers', transformers.__version__)" >&2
touch "$stamp"
