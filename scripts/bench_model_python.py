#!/usr/bin/env python3
"""Python reference for `slant model bench`: the same model, the same
(sentence, target) pairs, scored with Hugging Face transformers on torch.

Run after scripts/setup-bench-model.sh (which installs torch and transformers
into .deps/bench-model):

    cargo run --release -- model bench --synthetic 5000 --write-pairs /tmp/pairs.jsonl \
        --write-predictions /tmp/rust.jsonl
    PYTHONPATH=.deps/bench-model python3 scripts/bench_model_python.py \
        --model models/newsmtsc-minilm-l6 --pairs /tmp/pairs.jsonl --compare /tmp/rust.jsonl

The input is built exactly as slant builds it (src/sentiment/encode.rs: marker
tokens or sentence/target pair, a window around the target for long
sentences) so predictions can be compared one by one. By default pairs are
scored as a plain script would: in input order, batches padded to their
longest member. --sorted adds slant's two tricks (identical pairs scored once,
batches formed from length-sorted inputs, and for a model trained with
`--marking none` each distinct input of a batch computed once) to separate
their effect from the language and runtime.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

t_import = time.perf_counter()
import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from transformers import BertConfig, BertModel  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - t_import
MAX_TARGET_TOKENS = 16
LABELS = ["negative", "neutral", "positive"]


class Model(torch.nn.Module):
    def __init__(self, config, attention):
        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)
        h = config.hidden_size
        # pooling "cls+target_mean+target_attention": a query from the
        # target's mean weighs the sentence's tokens.
        self.query = torch.nn.Linear(h, h) if attention else None
        self.classifier = torch.nn.Linear((3 if attention else 2) * h, 3)

    def forward(self, ids, mask, types, tmask):
        h = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
        return self.head(h, tmask, mask)

    def head(self, h, tmask, mask):
        cls = h[:, 0]
        w = tmask.unsqueeze(-1)
        tmean = (h * w).sum(1) / tmask.sum(1, keepdim=True).clamp_min(1.0)
        parts = [cls, tmean]
        if self.query is not None:
            q = self.query(tmean)
            scores = (h @ q.unsqueeze(-1)).squeeze(-1) / math.sqrt(h.shape[-1])
            scores = scores.masked_fill(mask == 0, float("-inf"))
            parts.append((scores.softmax(-1).unsqueeze(1) @ h).squeeze(1))
        return self.classifier(torch.cat(parts, 1))

    def forward_shared(self, ids, mask, types, rows, tmask):
        """One pass per distinct input; target k is read from row rows[k]
        (models trained with --marking none, where every target of a sentence
        has the same input)."""
        h = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
        return self.head(h[rows], tmask, mask[rows])


POOLINGS = {"cls+target_mean": False, "cls+target_mean+target_attention": True}


def load(model_dir):
    meta = json.load(open(os.path.join(model_dir, "slant_model.json")))
    config = BertConfig.from_json_file(os.path.join(model_dir, "config.json"))
    if meta["pooling"] not in POOLINGS:
        sys.exit(f"unknown pooling {meta['pooling']!r}")
    model = Model(config, POOLINGS[meta["pooling"]])
    state = {k: v.float() for k, v in load_file(os.path.join(model_dir, "model.safetensors")).items()}
    bert = {k: v for k, v in state.items() if not k.startswith("classifier.")}
    missing, unexpected = model.bert.load_state_dict(bert, strict=False)
    missing = [m for m in missing if m != "embeddings.position_ids"]
    if missing or unexpected:
        sys.exit(f"weights do not match: missing {missing}, unexpected {unexpected}")
    model.classifier.load_state_dict({"weight": state["classifier.weight"], "bias": state["classifier.bias"]})
    if model.query is not None:
        model.query.load_state_dict({"weight": state["classifier.query.weight"], "bias": state["classifier.query.bias"]})
    model.eval()
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return model, tok, meta


def encode(tok, meta, sentence, start, end):
    """Mirror of Encoder::encode in src/sentiment/encode.rs."""
    marking, max_len = meta["marking"], meta["max_len"]
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    opn, close = tok.token_to_id("[unused0]"), tok.token_to_id("[unused1]")
    enc = tok.encode(sentence, add_special_tokens=False)
    ids, offsets = enc.ids, enc.offsets
    n = len(ids)
    hit = [i for i, (a, b) in enumerate(offsets) if a < end and b > start]
    if hit:
        s, e = hit[0], hit[-1] + 1
    elif n == 0:
        s, e = 0, 0
    else:
        i = next((k for k, (a, _) in enumerate(offsets) if a >= end), n)
        i = min(i, n - 1)
        s, e = i, i + 1
    if marking == "pair":
        second = tok.encode(sentence[start:end], add_special_tokens=False).ids[:MAX_TARGET_TOKENS]
        overhead = 3 + len(second)
    else:
        second = []
        overhead = 2 if marking == "none" else 4
    budget = max_len - overhead
    if n <= budget:
        ws, we = 0, n
    else:
        ws = min(max((s + e) // 2 - budget // 2, 0), n - budget)
        we = ws + budget
    s, e = max(s, ws), min(e, we)
    if marking == "pair":
        out = [cls] + ids[ws:we]
        r = (s - ws + 1, e - ws + 1)
        out.append(sep)
        first = len(out)
        out += second + [sep]
        types = [0] * first + [1] * (len(out) - first)
        target = r if r[1] > r[0] else (1, 2)
    elif marking == "none":
        out = [cls] + ids[ws:we] + [sep]
        types = [0] * len(out)
        r = (s - ws + 1, e - ws + 1)
        target = r if r[1] > r[0] else (0, 1)
    else:
        out = [cls] + ids[ws:s] + [opn]
        s2 = len(out)
        out += ids[s:e]
        e2 = len(out)
        out += [close] + ids[e:we] + [sep]
        types = [0] * len(out)
        target = (s2, e2) if e2 > s2 else (s2 - 1, s2)
    return out, types, target


def collate(items):
    length = max(len(x[0]) for x in items)
    b = len(items)
    ids = torch.zeros(b, length, dtype=torch.long)
    mask = torch.zeros(b, length, dtype=torch.long)
    types = torch.zeros(b, length, dtype=torch.long)
    tmask = torch.zeros(b, length)
    for row, (x, t, (s, e)) in enumerate(items):
        ids[row, : len(x)] = torch.tensor(x)
        types[row, : len(t)] = torch.tensor(t)
        mask[row, : len(x)] = 1
        tmask[row, s:e] = 1.0
    return ids, mask, types, tmask


def score_shared(model, encoded, order, batch_size, probs):
    """slant's sharing in Python: batches of `batch_size` targets in length
    order, each distinct input in a batch computed once."""
    for b in range(0, len(order), batch_size):
        chunk = order[b : b + batch_size]
        row_of, distinct, rows = {}, [], []
        for i in chunk:
            key = tuple(encoded[i][0])
            if key not in row_of:
                row_of[key] = len(distinct)
                distinct.append(encoded[i])
            rows.append(row_of[key])
        ids, mask, types, _ = collate(distinct)
        rows = torch.tensor(rows)
        tmask = torch.zeros(len(chunk), ids.shape[1])
        for k, i in enumerate(chunk):
            s, e = encoded[i][2]
            tmask[k, s:e] = 1.0
        p = torch.softmax(model.forward_shared(ids, mask, types, rows, tmask), -1)
        for k, i in enumerate(chunk):
            probs[i] = p[k].tolist()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="models/newsmtsc-minilm-l6")
    ap.add_argument("--pairs", required=True, help="JSONL {sentence, start, end} from `slant model bench --write-pairs`")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--sorted", action="store_true", help="dedup identical pairs, sort batches by length, share rows (--marking none)")
    ap.add_argument("--write-predictions")
    ap.add_argument("--compare", help="predictions JSONL from `slant model bench --write-predictions`")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    pairs = [json.loads(line) for line in open(args.pairs) if line.strip()]
    t0 = time.perf_counter()
    model, tok, meta = load(args.model)
    t_load = time.perf_counter() - t0

    t1 = time.perf_counter()
    keys = [(p["sentence"], p["start"], p["end"]) for p in pairs]
    if args.sorted:
        uniq = list(dict.fromkeys(keys))
    else:
        uniq = keys
    encoded = [encode(tok, meta, *k) for k in uniq]
    order = list(range(len(encoded)))
    if args.sorted:
        order.sort(key=lambda i: (len(encoded[i][0]), i))
    probs = [None] * len(encoded)
    shared = args.sorted and meta["marking"] == "none"
    with torch.inference_mode():
        if shared:
            score_shared(model, encoded, order, args.batch_size, probs)
        else:
            for b in range(0, len(order), args.batch_size):
                chunk = order[b : b + args.batch_size]
                p = torch.softmax(model(*collate([encoded[i] for i in chunk])), -1)
                for k, i in enumerate(chunk):
                    probs[i] = p[k].tolist()
    if args.sorted:
        slot = {k: i for i, k in enumerate(uniq)}
        probs = [probs[slot[k]] for k in keys]
    t_score = time.perf_counter() - t1
    total = time.perf_counter() - t0

    sentences = len({p["sentence"] for p in pairs})
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mode = "sorted+dedup" if args.sorted else "input order"
    print(f"pairs: {len(pairs)} ({len(set(keys))} unique), sentences: {sentences}, mode: {mode}")
    print(f"threads: {torch.get_num_threads()}, batch size: {args.batch_size}, torch {torch.__version__}")
    print(f"imports: {IMPORT_SECONDS:.2f}s (not counted), model load: {t_load:.2f}s, scoring: {t_score:.2f}s, total: {total:.2f}s")
    print(f"throughput (load included): {sentences / total:.1f} sentences/s, {len(pairs) / total:.1f} pairs/s")
    print(f"throughput (scoring only): {sentences / t_score:.1f} sentences/s, {len(pairs) / t_score:.1f} pairs/s")
    print(f"peak RSS: {rss:.0f} MiB")

    labels = [LABELS[max(range(3), key=lambda c: p[c])] for p in probs]
    if args.write_predictions:
        with open(args.write_predictions, "w") as f:
            for lab, p in zip(labels, probs):
                f.write(json.dumps({"label": lab, "probs": p}) + "\n")
    if args.compare:
        rust = [json.loads(line) for line in open(args.compare) if line.strip()]
        if len(rust) != len(labels):
            sys.exit(f"{args.compare} has {len(rust)} predictions for {len(labels)} pairs")
        same = sum(r["label"] == lab for r, lab in zip(rust, labels))
        diff = max(abs(a - b) for r, p in zip(rust, probs) for a, b in zip(r["probs"], p))
        print(f"agreement with {args.compare}: {same}/{len(labels)} labels, max probability difference {diff:.2e}")


if __name__ == "__main__":
    main()
