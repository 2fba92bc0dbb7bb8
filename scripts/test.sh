#!/usr/bin/env bash
# The test command: installs what the build needs (once), then runs every
# test — unit, property, end-to-end CLI and model tests — and the lints.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# Headless Chromium for the report.html tests (tests/report_html.rs).
bash scripts/setup-browser.sh
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test
