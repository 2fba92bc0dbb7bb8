#!/usr/bin/env bash
# Installs the Python reference for the sentiment-model benchmark
# (scripts/bench_model_python.py): torch 2.4.0 (CPU libraries only, the same
# build slant links) and Hugging Face transformers, into .deps/bench-model.
# Not part of the normal setup: slant never needs Python at run time.
# Idempotent: a second run checks the stamp and returns at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.deps/bench-model"
stamp="$dest/.setup-v1"
PYTHON="${PYTHON:-python3}"

if [ -f "$stamp" ]; then
  exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"
pip=("$PYTHON" -m pip install --quiet --disable-pip-version-check --target "$dest")
echo "setup-bench-model: installing transformers and torch (CPU libraries) into $dest" >&2
"${pip[@]}" transformers==4.44.2
# torch's own Python dependencies, then torch without its CUDA wheels (see scripts/setup.sh).
"${pip[@]}" --upgrade filelock typing-extensions sympy networkx jinja2 fsspec
"${pip[@]}" --no-deps torch==2.4.0 nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105 \
  nvidia-nvtx-cu12==12.1.105
lib="$dest/torch/lib"
rm -f "$lib"/libtorch_cuda*.so "$lib"/libc10_cuda.so "$lib"/libcaffe2_nvrtc.so "$lib"/libnvrtc*.so* \
  "$lib"/libcusparseLt*.so*
: > "$dest/empty.c"
# libtorch.so and libtorch_global_deps.so only pull in other libraries (the CUDA
# stack among them): replace both with CPU-only equivalents.
${CC:-cc} -shared -o "$lib/libtorch.so" "$dest/empty.c" -Wl,--no-as-needed -L"$lib" -ltorch_cpu -Wl,-rpath,'$ORIGIN'
${CC:-cc} -shared -o "$lib/libtorch_global_deps.so" "$dest/empty.c" -Wl,--no-as-needed -L"$lib" -ltorch_cpu \
  -L"$dest/nvidia/cuda_runtime/lib" -l:libcudart.so.12 -L"$dest/nvidia/cuda_cupti/lib" -l:libcupti.so.12 \
  -Wl,-rpath,'$ORIGIN' -Wl,-rpath,'$ORIGIN/../../nvidia/cuda_runtime/lib' -Wl,-rpath,'$ORIGIN/../../nvidia/cuda_cupti/lib'
PYTHONPATH="$dest" "$PYTHON" -c "import torch, transformers; print('setup-bench-model: torch', torch.__version__, 'transformers', transformers.__version__)" >&2
touch "$stamp"
