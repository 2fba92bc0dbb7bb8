#!/usr/bin/env python3
"""Macro-F1 of sentiment models averaged into an ensemble, on NewsMTSC dev files.

Each model scores every target of each file through slant itself
(`slant model bench --pairs … --write-predictions …`, f32); the ensemble's
label is the class with the highest mean probability. Standard library only.

    python3 scripts/ensemble_dev.py --slant target/release/slant \\
        --data ../shared/data/newsmtsc/dev_rw.jsonl --data ../shared/data/newsmtsc/dev_mt.jsonl \\
        models/newsmtsc-minilm-l6 /tmp/train/h-s21 /tmp/train/attn-s13

Prints every model alone and every combination of two or more.
"""
import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile

POLARITY = {2.0: 0, 4.0: 1, 6.0: 2}


def read_targets(path):
    pairs, gold = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            d = json.loads(line)
            for t in d["targets"]:
                if t["polarity"] not in POLARITY:
                    sys.exit(f"{path}:{n}: polarity {t['polarity']} is not 2, 4 or 6")
                pairs.append({"sentence": d["sentence_normalized"], "start": t["from"], "end": t["to"]})
                gold.append(POLARITY[t["polarity"]])
    return pairs, gold


def macro_f1(gold, pred):
    f1 = []
    for c in range(3):
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        den = sum(g == c for g in gold) + sum(p == c for p in pred)
        f1.append(2 * tp / den if den else 0.0)
    return sum(f1) / 3


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slant", default="target/release/slant")
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for data in a.data:
            pairs, gold = read_targets(data)
            pairs_path = os.path.join(tmp, "pairs.jsonl")
            with open(pairs_path, "w", encoding="utf-8") as f:
                for p in pairs:
                    f.write(json.dumps(p) + "\n")
            probs = {}
            for i, model in enumerate(a.models):
                out = os.path.join(tmp, f"{i}.jsonl")
                subprocess.run(
                    [a.slant, "model", "bench", "--model", model, "--precision", "f32",
                     "--pairs", pairs_path, "--write-predictions", out],
                    check=True, stdout=subprocess.DEVNULL)
                with open(out, encoding="utf-8") as f:
                    probs[model] = [json.loads(line)["probs"] for line in f]
                if len(probs[model]) != len(gold):
                    sys.exit(f"{model}: {len(probs[model])} predictions for {len(gold)} targets")
            print(f"== {data} ({len(gold)} targets)")
            for r in range(1, len(a.models) + 1):
                for combo in itertools.combinations(a.models, r):
                    pred = []
                    for i in range(len(gold)):
                        mean = [sum(probs[m][i][c] for m in combo) / len(combo) for c in range(3)]
                        pred.append(max(range(3), key=lambda c: mean[c]))
                    print(f"{macro_f1(gold, pred):.4f}  {' + '.join(combo)}")


if __name__ == "__main__":
    main()
