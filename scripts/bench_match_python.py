#!/usr/bin/env python3
"""Python reference for slant's lexicon matching, for the benchmark.

Matches the same patterns (``slant bench terms --out terms.txt``) in the
same texts (a corpus folder with manifest.csv, or a .jsonl file) and prints
articles/s and MB/s of the matching alone (reading is timed apart).

Two matchers:

* ``regex`` (always available): one compiled alternation per case mode,
  longest pattern first, with word-boundary lookarounds, so each match is
  the leftmost-longest one as in slant. Whitespace in a pattern matches any
  whitespace character.
* ``spacy`` (when spaCy is installed, see scripts/setup-bench.sh):
  ``PhraseMatcher(attr="LOWER")`` over the blank English tokenizer, overlaps
  resolved with ``spacy.util.filter_spans`` (longest first). Tokenizing is
  part of the matching cost, as it would be in a spaCy pipeline.

Exclusions (flag ``x``) are matched and dropped, as in slant.

Usage:
    scripts/bench_match_python.py CORPUS --terms terms.txt [--limit N]
        [--matcher regex|spacy|all] [--json FILE]
"""

import argparse
import csv
import json
import os
import re
import resource
import sys
import time


def read_terms(path):
    terms = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            pattern, _, flag = line.rpartition("\t")
            terms.append((pattern, flag))
    return terms


def read_corpus(path, limit):
    """Yields article texts, decoded like slant does (UTF-8, BOM dropped)."""
    n = 0
    if os.path.isdir(path):
        manifest = os.path.join(path, "manifest.csv")
        with open(manifest, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if limit is not None and n >= limit:
                    return
                with open(os.path.join(path, row["file"]), "rb") as a:
                    yield a.read().decode("utf-8").removeprefix("\ufeff")
                n += 1
    else:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if limit is not None and n >= limit:
                    return
                if line.strip():
                    yield json.loads(line)["text"]
                    n += 1


def to_regex(pattern):
    # Separators in a pattern are single spaces; the text may wrap lines.
    return r"\s".join(re.escape(tok) for tok in pattern.split(" "))


def build_regex(terms):
    """One alternation per case mode; exclusions ride along to be dropped."""
    groups = {}
    for pattern, flag in terms:
        mode = "c" if flag == "c" else "i"
        groups.setdefault(mode, []).append((pattern, flag == "x"))
    compiled = []
    for mode, items in groups.items():
        # Longest first: Python's alternation is leftmost-first, so this makes
        # it leftmost-longest like slant's automaton.
        items.sort(key=lambda p: -len(p[0]))
        exclusions = {p.lower() for p, x in items if x}
        body = "|".join(to_regex(p) for p, _ in items)
        rx = re.compile(r"(?<!\w)(?:" + body + r")(?!\w)", 0 if mode == "c" else re.IGNORECASE)
        compiled.append((rx, exclusions))
    return compiled


def match_regex(compiled, text):
    hits = []
    for rx, exclusions in compiled:
        for m in rx.finditer(text):
            if " ".join(m.group(0).split()).lower() not in exclusions:
                hits.append((m.start(), m.end()))
    if len(compiled) > 1:
        # Two alternations may overlap; keep leftmost-longest, as slant does.
        hits.sort(key=lambda h: (h[0], -h[1]))
        kept, end = [], -1
        for s, e in hits:
            if s >= end:
                kept.append((s, e))
                end = e
        hits = kept
    return hits


def build_spacy(terms):
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    ins = [nlp.make_doc(p) for p, f in terms if f == "i"]
    exc = [nlp.make_doc(p) for p, f in terms if f == "x"]
    cs = [nlp.make_doc(p) for p, f in terms if f == "c"]
    for i in range(0, len(ins), 1000):
        lower.add("TERM", ins[i : i + 1000])
    if exc:
        lower.add("EXCLUDE", exc)
    if cs:
        exact.add("TERM", cs)
    return nlp, lower, exact


def match_spacy(state, text):
    import spacy

    nlp, lower, exact = state
    doc = nlp.make_doc(text)
    spans = lower(doc, as_spans=True) + exact(doc, as_spans=True)
    kept = spacy.util.filter_spans(spans)
    return [(s.start_char, s.end_char) for s in kept if s.label_ != "EXCLUDE"]


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="corpus folder with manifest.csv, or a .jsonl file")
    ap.add_argument("--terms", required=True, help="output of `slant bench terms`")
    ap.add_argument("--limit", type=int, default=None, help="stop after N articles")
    ap.add_argument("--matcher", choices=["regex", "spacy", "all"], default="all")
    ap.add_argument("--json", help="also write the figures as JSON to FILE")
    args = ap.parse_args()

    terms = read_terms(args.terms)
    t = time.perf_counter()
    texts = list(read_corpus(args.corpus, args.limit))
    read_s = time.perf_counter() - t
    nbytes = sum(len(x.encode("utf-8")) for x in texts)
    print(f"corpus: {len(texts)} articles, {nbytes / 1e6:.1f} MB; {len(terms)} patterns; read in {read_s:.2f} s")

    matchers = []
    if args.matcher in ("regex", "all"):
        matchers.append(("python re alternation", build_regex, match_regex))
    if args.matcher in ("spacy", "all"):
        try:
            import spacy  # noqa: F401

            matchers.append((f"spaCy {spacy.__version__} PhraseMatcher(LOWER)", build_spacy, match_spacy))
        except ImportError:
            if args.matcher == "spacy":
                sys.exit("spaCy is not installed (scripts/setup-bench.sh)")
            print("spaCy not installed: skipping its PhraseMatcher (scripts/setup-bench.sh installs it)")

    results = []
    for name, build, match in matchers:
        t = time.perf_counter()
        state = build(terms)
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        hits = 0
        for text in texts:
            hits += len(match(state, text))
        secs = time.perf_counter() - t
        r = {
            "name": name,
            "articles": len(texts),
            "bytes": nbytes,
            "hits": hits,
            "build_seconds": build_s,
            "seconds": secs,
            "articles_per_s": len(texts) / secs if secs else float("inf"),
            "mb_per_s": nbytes / 1e6 / secs if secs else float("inf"),
        }
        results.append(r)
        print(
            f"{name:<40} 1 thr {r['articles']:>8} art {nbytes / 1e6:>8.1f} MB {secs:>8.2f} s "
            f"{r['articles_per_s']:>9.0f} art/s {r['mb_per_s']:>7.2f} MB/s  {hits} hits (build {build_s:.2f} s)"
        )
    print(f"peak RSS (ru_maxrss): {peak_rss_mib():.1f} MiB")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"read_seconds": read_s, "results": results, "peak_rss_mib": peak_rss_mib()}, f, indent=2)


if __name__ == "__main__":
    main()
