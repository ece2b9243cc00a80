#!/usr/bin/env bash
# Rebuilds the PTX shipped in src/main/resources/io/zbpp/gpu/cuda/ from src/main/cuda/*.cu. Needs nvcc (no GPU).
# compute_80 PTX is JIT-compiled by the driver for A100 (sm_80), H100/H200 (sm_90) and newer.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/main/resources/io/zbpp/gpu/cuda
mkdir -p "$out"
for f in src/main/cuda/*.cu; do
  nvcc -ptx -arch=compute_80 -O3 -o "$out/$(basename "${f%.cu}").ptx" "$f"
done
ls -l "$out"
