#!/usr/bin/env bash
# The main job on the bundled sample corpus: writes reports/sample/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
cargo build --release
"${CARGO_TARGET_DIR:-target}/release/slant" analyze data/sample --out reports/sample "$@"
echo "reports written to reports/sample/" >&2
