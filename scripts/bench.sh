#!/usr/bin/env bash
# The benchmark: generates a synthetic corpus, then measures
#   (a) the lexicon + voice stage       (`slant bench run`)
#   (b) the full `slant analyze --no-model`
#   (c) a rerun after adding 1 % new articles (another seed)
#   (d) the same matching in Python (scripts/bench_match_python.py) against
#       slant's matcher alone, on the same articles
# and prints wall time, articles/s, MB/s and peak RSS for each.
#
# Usage: scripts/bench.sh [ARTICLES] [WORKDIR]
#   ARTICLES  corpus size (default 100000)
#   WORKDIR   where corpus and reports go (default /tmp/slant-bench)
# Environment:
#   SLANT        slant binary (default: build target/release/slant without
#                the model feature)
#   OUTLETS      number of outlets (default 12)
#   PY_LIMIT     articles for the spaCy comparison (default 10000)
#   PY_RE_LIMIT  articles for the Python `re` comparison (default 300: an
#                alternation of ~18,000 patterns runs at about 0.02 MB/s)
#   KEEP_CORPUS  1: reuse WORKDIR/corpus if it exists
#
# Peak RSS and CPU use come from GNU time (/usr/bin/time -v).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-100000}"
work="${2:-/tmp/slant-bench}"
outlets="${OUTLETS:-12}"
py_limit="${PY_LIMIT:-10000}"
py_re_limit="${PY_RE_LIMIT:-300}"
new=$(( n / 100 > 0 ? n / 100 : 1 ))

if [ -z "${SLANT:-}" ]; then
  (cd "$root" && cargo build --quiet --release --no-default-features)
  SLANT="${CARGO_TARGET_DIR:-$root/target}/release/slant"
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench: needs GNU time at /usr/bin/time (apt-get install time)" >&2
  exit 2
fi
py="python3"
if [ -x "$root/.deps/bench/bin/python" ]; then
  py="$root/.deps/bench/bin/python"
fi

mkdir -p "$work"
corpus="$work/corpus"
reports="$work/reports"

# Prints one summary line from a GNU time log.
summary() { # NAME LOG ARTICLES BYTES
  local name="$1" log="$2" articles="$3" bytes="$4"
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" |
    awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$log")
  awk -v n="$name" -v w="$wall" -v r="$rss" -v c="$cpu" -v a="$articles" -v b="$bytes" 'BEGIN {
    printf "%-40s %8.2f s %10.0f art/s %8.2f MB/s  peak RSS %7.1f MiB  CPU %s\n",
      n, w, a / w, b / 1e6 / w, r / 1024, c }'
}

corpus_bytes() {
  du -sb --apparent-size "$corpus/articles" | awk '{print $1}'
}

echo "== slant: $("$SLANT" --version); $(nproc) cores; $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"

if [ "${KEEP_CORPUS:-0}" = 1 ] && [ -f "$corpus/manifest.csv" ]; then
  echo "== reusing $corpus"
else
  rm -rf "$corpus"
  echo "== generating $n articles from $outlets outlets (seed 1)"
  /usr/bin/time -v -o "$work/time-gen.log" \
    "$SLANT" bench gen --articles "$n" --outlets "$outlets" --seed 1 --out "$corpus" --quiet
  summary "generate" "$work/time-gen.log" "$n" "$(corpus_bytes)"
fi
bytes=$(corpus_bytes)
echo "   corpus: $n articles, $(( bytes / 1000000 )) MB"

echo "== (a) lexicon + voice stage (slant bench run, all cores)"
/usr/bin/time -v -o "$work/time-stage.log" \
  "$SLANT" bench run "$corpus" --json "$work/stage.json" | tee "$work/stage.txt"
summary "(a) bench run (process)" "$work/time-stage.log" "$n" "$bytes"

echo "== (b) slant analyze --no-model (full run)"
rm -rf "$reports"
# Each timed run starts with nothing left to write back from the step
# before it, so it is not charged for another step's writes.
sync
/usr/bin/time -v -o "$work/time-full.log" \
  "$SLANT" analyze "$corpus" --out "$reports" --no-model --quiet
summary "(b) analyze --no-model, full" "$work/time-full.log" "$n" "$bytes"

echo "== (c) rerun after adding $new new articles (seed 2)"
"$SLANT" bench gen --append --articles "$new" --outlets "$outlets" --seed 2 --out "$corpus" --quiet
bytes2=$(corpus_bytes)
sync
/usr/bin/time -v -o "$work/time-rerun.log" \
  "$SLANT" analyze "$corpus" --out "$reports" --no-model --quiet
summary "(c) analyze --no-model, +1% rerun" "$work/time-rerun.log" "$(( n + new ))" "$bytes2"
full=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time-full.log" | awk -F: '{print $1*60+$2}')
rerun=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time-rerun.log" | awk -F: '{print $1*60+$2}')
awk -v f="$full" -v r="$rerun" 'BEGIN { printf "   rerun / full run: %.1f %% (goal: < 5 %%)\n", 100 * r / f }'

echo "== (d) Python reference vs slant's matcher, one thread"
"$SLANT" bench terms --out "$work/terms.txt"
rm -f "$work/python.json" "$work/python-re.json"
if "$py" -c "import spacy" 2>/dev/null; then
  echo "   spaCy PhraseMatcher, first $py_limit articles"
  "$py" "$root/scripts/bench_match_python.py" "$corpus" --terms "$work/terms.txt" \
    --limit "$py_limit" --matcher spacy --json "$work/python.json" | tee "$work/python.txt"
else
  echo "   spaCy not installed (scripts/setup-bench.sh); Python re only"
fi
echo "   Python re alternation, first $py_re_limit articles"
"$py" "$root/scripts/bench_match_python.py" "$corpus" --terms "$work/terms.txt" \
  --limit "$py_re_limit" --matcher regex --json "$work/python-re.json" | tee "$work/python-re.txt"
"$SLANT" bench run "$corpus" --threads 1 --limit "$py_limit" --breakdown "$py_limit" \
  --json "$work/stage-1thr.json" | tee "$work/stage-1thr.txt"
"$py" - "$work/python-re.json" "$work/python.json" "$work/stage-1thr.json" "$work/stage.json" <<'PY'
import json, os, sys
py = json.load(open(sys.argv[1]))["results"]
if os.path.exists(sys.argv[2]):
    py += json.load(open(sys.argv[2]))["results"]
sys.argv = sys.argv[1:]
one = json.load(open(sys.argv[2]))
alls = json.load(open(sys.argv[3]))
parts = {p["name"].strip(): p for p in one["breakdown"]}
rust_match = parts["match only, original text"]
rust_stage = one["stage"]
rust_all = alls["stage"]
def mbs(t): return t["bytes"] / 1e6 / t["seconds"]
for r in py:
    print(f"   {r['name']}: {r['mb_per_s']:.2f} MB/s; slant match only (1 thread) {mbs(rust_match):.1f} MB/s = "
          f"{mbs(rust_match) / r['mb_per_s']:.0f}x; slant whole stage (1 thread) {mbs(rust_stage):.1f} MB/s = "
          f"{mbs(rust_stage) / r['mb_per_s']:.0f}x; whole stage ({alls['threads']} threads) {mbs(rust_all):.1f} MB/s = "
          f"{mbs(rust_all) / r['mb_per_s']:.0f}x")
PY
