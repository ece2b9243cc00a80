#!/usr/bin/env bash
# The CUDA checks of gpu-ops, for a machine with an NVIDIA GPU and CUDA 13 libraries (libcudart, libcublas).
#
#   gpu-ops/scripts/cuda-check.sh package    # on a build machine (no GPU needed): gpu-ops/target/cuda-check/
#                                            # = a jlink-built JDK + the jars, well under 64 MiB
#   gpu-ops/scripts/cuda-check.sh run [reps] # on the GPU machine, from the repository root, with that folder
#
# "run" compares every CUDA op with its CPU twin (tolerance named per op), trains the tiny model 3 steps on both
# backends, times F, B and W of one block at the paper's 1.5B layer shapes (h=2304, a=24, s=1024, b=6) and
# reports cuBLAS GEMM TFLOP/s (FP32 and TF32). Exit status: 0 passed, 1 a check failed, 2 no GPU found.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dist="$root/gpu-ops/target/cuda-check"

case "${1:-}" in
  package)
    cd "$root"
    mvn -B -q -pl gpu-ops -am package -DskipTests
    rm -rf "$dist"
    mkdir -p "$dist/lib"
    cp gpu-ops/target/zbpp-gpu-ops-*.jar "$dist/lib/"
    mvn -B -q -pl gpu-ops dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dist/lib"
    jlink --add-modules java.base,jdk.unsupported,java.management,java.logging \
      --strip-debug --no-man-pages --no-header-files --compress=2 --output "$dist/jdk"
    du -sh "$dist/jdk" "$dist/lib" "$dist"
    ;;
  run)
    if [[ ! -x "$dist/jdk/bin/java" ]]; then
      echo "cuda-check: $dist is missing; run '$0 package' on a build machine and carry that folder" >&2
      exit 2
    fi
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    exec "$dist/jdk/bin/java" -Xmx24g -cp "$dist/lib/*" io.zbpp.gpu.cuda.CudaCheck "${2:-5}"
    ;;
  *)
    echo "usage: $0 package | run [reps]" >&2
    exit 64
    ;;
esac
