#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after
# the other, starting from the seeds in fuzz/seeds/TARGET (and, for the
# lexicon target, the shipped lexicon files).
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]      (default: 300 s, all targets)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). A nightly toolchain is used
# when installed; otherwise stable with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes
# -Z flags to rustc).
# Crashes land in fuzz/artifacts/TARGET/; minimise one with
#   cargo fuzz tmin TARGET fuzz/artifacts/TARGET/crash-…
# and save it as fuzz/regressions/TARGET/NAME (replayed by
# tests/fuzz_regressions.rs).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
secs="${1:-300}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(normalize prepare analyze lexicon)
fi
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  extra=("seeds/$t")
  if [ "$t" = lexicon ]; then
    extra+=("../data/lexicon")
  fi
  echo "== $t: ${secs} s" >&2
  # -max_len: articles are long; the text targets need room for several
  # paragraphs, the lexicon target for a few tables.
  cargo "${toolchain[@]}" fuzz run --release "$t" "corpus/$t" "${extra[@]}" -- \
    -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 || echo "== $t: stopped with a finding (see fuzz/artifacts/$t/)" >&2
done
