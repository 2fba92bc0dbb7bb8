#!/usr/bin/env bash
# Times the sentiment model's exact f32 path and its int8 path side by side
# on the pairs a run of `slant analyze` sends the model, and the Python
# `transformers` reference on the same pairs; prints the load next to each.
#
#   bash scripts/bench-model-speed.sh [CORPUS|PAIRS.jsonl] [ROUNDS]
#
# CORPUS defaults to ../shared/corpus/seesaw-allsides; a .jsonl file is
# taken as the pairs themselves (`slant model bench --write-pairs` writes
# them, one {"sentence", "start", "end"} per line). ROUNDS (turns of
# f32 then int8, the fastest of each kept) to 3. Needs a release build
# (cargo build --release) and, for the Python column,
# scripts/setup-bench-model.sh; without it that column is skipped. With
# SLANT_OLD=path/to/an/older/slant, that build's f32 path is timed first
# on the same input (the reference of a change to the scoring code), with
# SLANT_OLD_MODEL (default: the bundled model) when the older build cannot
# read the bundled one (version 3 needs a build that knows `--marking none`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${1:-$root/../shared/corpus/seesaw-allsides}"
rounds="${2:-3}"
slant="${SLANT:-$root/target/release/slant}"
data="$root/../shared/data/newsmtsc"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== $(date -u +%FT%TZ); uptime: $(uptime)"
case "$corpus" in
  *.jsonl) input=(--pairs "$corpus") ;;
  *) input=(--corpus "$corpus") ;;
esac
dev=()
for f in "$data/dev_rw.jsonl" "$data/dev_mt.jsonl"; do
  [ -f "$f" ] && dev+=(--dev "$f")
done
if [ -n "${SLANT_OLD:-}" ]; then
  echo "== older build $SLANT_OLD, f32, same pairs; uptime: $(uptime)"
  old_model="${SLANT_OLD_MODEL:-$root/models/newsmtsc-minilm-l6}"
  if "$SLANT_OLD" model bench --help | grep -q -- --paths; then
    /usr/bin/time -f "older bench process: %e s, peak RSS %M KB" \
      "$SLANT_OLD" model bench "${input[@]}" --paths f32 --rounds "$rounds" \
      --model "$old_model" 2>&1 | grep -v "^round"
  else
    # Builds before `--paths` time one path per process: a process per round.
    for r in $(seq "$rounds"); do
      echo "round $r:"
      /usr/bin/time -f "older bench process: %e s, peak RSS %M KB" \
        "$SLANT_OLD" model bench "${input[@]}" --model "$old_model" 2>&1
    done
  fi
  echo "== this build; uptime: $(uptime)"
fi
/usr/bin/time -f "slant bench process: %e s, peak RSS %M KB" \
  "$slant" model bench "${input[@]}" --paths f32,int8 --rounds "$rounds" \
  "${dev[@]}" --write-pairs "$tmp/pairs.jsonl" --write-predictions "$tmp/f32.jsonl"

if [ -d "$root/.deps/bench-model" ]; then
  echo "== Python transformers reference, same pairs; uptime: $(uptime)"
  PYTHONPATH="$root/.deps/bench-model" /usr/bin/time -f "python process: %e s, peak RSS %M KB" \
    python3 "$root/scripts/bench_model_python.py" --model "$root/models/newsmtsc-minilm-l6" \
    --pairs "$tmp/pairs.jsonl" --sorted --compare "$tmp/f32.jsonl" 2>&1 | grep -v -i warning
else
  echo "== Python reference skipped: run scripts/setup-bench-model.sh first"
fi
echo "== done; uptime: $(uptime)"
