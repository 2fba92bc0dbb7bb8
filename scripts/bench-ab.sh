#!/usr/bin/env bash
# Two slant binaries side by side on the same corpus, in one session:
#   (b) the full `slant analyze --no-model` (MODELS=1: with the models,
#       as `slant analyze` runs by default), and
#   (c) a rerun after adding 1 % new articles,
# each binary on its own copy of the corpus (articles hard-linked), in
# alternating rounds so that neither is favoured by the machine's drift.
#
# Usage: scripts/bench-ab.sh OLD NEW [ARTICLES] [WORKDIR] [ROUNDS]
#   OLD, NEW   slant binaries (e.g. a build of the previous commit, and
#              target/release/slant)
#   ARTICLES   corpus size (default 100000)
#   WORKDIR    default /tmp/slant-bench-ab
#   ROUNDS     default 2
# Prints one line per timed run (GNU time) and the medians per binary.
set -euo pipefail
old="$1"
new="$2"
n="${3:-100000}"
work="${4:-/tmp/slant-bench-ab}"
rounds="${5:-2}"
outlets="${OUTLETS:-12}"
models=(--no-model)
if [ "${MODELS:-0}" = 1 ]; then
  models=()
fi
add=$(( n / 100 > 0 ? n / 100 : 1 ))
if [ ! -x /usr/bin/time ]; then
  echo "bench-ab: needs GNU time at /usr/bin/time (apt-get install time)" >&2
  exit 2
fi
mkdir -p "$work"
base="$work/base"
if [ ! -f "$base/manifest.csv" ]; then
  rm -rf "$base"
  "$new" bench gen --articles "$n" --outlets "$outlets" --seed 1 --out "$base" --quiet
fi
echo "== old: $("$old" --version) ($old)"
echo "== new: $("$new" --version) ($new)"
echo "== corpus: $n articles, +$add on rerun; $(nproc) cores"

wall() { # LOG
  awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$1" |
    awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }'
}
rss() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }

results="$work/results.tsv"
: > "$results"
one() { # NAME BINARY ROUND
  local name="$1" bin="$2" round="$3" dir="$work/$1"
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  cp -al "$base/." "$dir/corpus/"
  # The manifest is appended to: a copy of its own, not a link.
  rm -f "$dir/corpus/manifest.csv"
  cp "$base/manifest.csv" "$dir/corpus/manifest.csv"
  sync
  # A new link changes a file's status-change time, and a run keeps no
  # stamp of a file changed less than two seconds before it starts.
  sleep 3
  /usr/bin/time -v -o "$dir/full.log" "$bin" analyze "$dir/corpus" --out "$dir/reports" "${models[@]}" --quiet
  "$new" bench gen --append --articles "$add" --outlets "$outlets" --seed 2 --out "$dir/corpus" --quiet
  sync
  sleep 3
  /usr/bin/time -v -o "$dir/rerun.log" "$bin" analyze "$dir/corpus" --out "$dir/reports" "${models[@]}" --quiet
  local f r
  f=$(wall "$dir/full.log")
  r=$(wall "$dir/rerun.log")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$f" "$(rss "$dir/full.log")" "$r" "$(rss "$dir/rerun.log")" >> "$results"
  awk -v n="$name" -v k="$round" -v f="$f" -v r="$r" -v fm="$(rss "$dir/full.log")" -v rm="$(rss "$dir/rerun.log")" 'BEGIN {
    printf "   round %d %-4s full %7.2f s %5d MiB   +1%% rerun %6.2f s %5d MiB   rerun/full %.1f %%\n", k, n, f, fm, r, rm, 100 * r / f }'
}
for round in $(seq 1 "$rounds"); do
  if [ $(( round % 2 )) = 1 ]; then
    one old "$old" "$round"; one new "$new" "$round"
  else
    one new "$new" "$round"; one old "$old" "$round"
  fi
done
echo "== medians"
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for name in old new; do
  f=$(awk -F'\t' -v n="$name" '$1 == n { print $3 }' "$results" | median)
  r=$(awk -F'\t' -v n="$name" '$1 == n { print $5 }' "$results" | median)
  awk -v n="$name" -v f="$f" -v r="$r" -v k="$rounds" 'BEGIN {
    printf "   %-4s full %7.2f s   +1%% rerun %6.2f s   rerun/full %.1f %%  (%d rounds)\n", n, f, r, 100 * r / f, k }'
done
