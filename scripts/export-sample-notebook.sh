#!/usr/bin/env bash
# Remakes notebooks-export/sample.ipynb: analyses data/sample into
# reports/sample (scripts/run-sample.sh), exports the notebook for those
# reports and runs it, saving its outputs in the file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/run-sample.sh --quiet
venv="$(bash scripts/setup-notebook.sh)"
slant="${CARGO_TARGET_DIR:-target}/release/slant"
"$slant" export notebook reports/sample --out notebooks-export/sample.ipynb --force
# No timings in the cells' metadata: remade from the same reports, the file
# changes only where the figures or tables do.
"$venv/bin/jupyter" nbconvert --to notebook --execute --inplace \
  --ExecutePreprocessor.record_timing=False notebooks-export/sample.ipynb
echo "wrote notebooks-export/sample.ipynb ($(du -k notebooks-export/sample.ipynb | cut -f1) KiB)" >&2
