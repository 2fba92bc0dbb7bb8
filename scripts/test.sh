#!/usr/bin/env bash
# The test command: installs what the build needs (once), then runs every
# test — unit, property, end-to-end CLI and model tests — and the lints.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# The notebook tests run the exported notebook in Jupyter (tests/notebook.rs).
bash scripts/setup-notebook.sh >/dev/null
# LibreOffice opens the workbook and the --excel CSV files (tests/xlsx.rs).
bash scripts/setup-office.sh
# Headless Chromium for the report.html tests (tests/report_html.rs).
bash scripts/setup-browser.sh
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test
