#!/usr/bin/env bash
# Backlight's CPU backend and PyTorch's CPU build, measured one after the other on this machine,
# with the same thread count, and the ratios printed.
#
#   bench/compare.sh                      # batches 1 and 8, every core
#   BATCHES=1 THREADS=2 bench/compare.sh
#
# Needs: the project built (mvn -B -q install -DskipTests), and PyTorch for /usr/bin/python3
# (Debian: apt-get install --no-install-recommends python3-torch python3-torchvision).
# Keep the machine otherwise idle: OpenMP spins and timings collapse when cores are shared. On a VM
# whose speed drifts, run it several times and compare ratios, not times (docs/PERFORMANCE.md).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-$(nproc)}
BATCHES=${BATCHES:-1,8}
OUT=${OUT:-bench-results}
ANCHOR=${ANCHOR:-../shared/anchors/torch_saliency_baseline.py}
mkdir -p "$OUT"
echo "== Backlight (JMH, threads=$THREADS, batches $BATCHES)"
# 10 warm-up invocations: the Vector API path needs a few seconds of C2 compilation before it is steady.
java -jar bench/target/benchmarks.jar CpuDenseNetBenchmark -p batch="$BATCHES" -p threads="$THREADS" -wi 10 -i 8 -f 1 \
     -rf json -rff "$OUT/backlight.json"
echo "== PyTorch (OMP_NUM_THREADS=$THREADS)"
OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS /usr/bin/python3 "$ANCHOR" --device cpu --batches "$BATCHES" \
     --methods guided-hooks,guided-correct --dtypes fp32 --skip-crosscheck --out "$OUT/torch.json"
echo "== Comparison ($(uname -m), $(nproc) cores, $(java -version 2>&1 | head -1))"
java -cp bench/target/benchmarks.jar dev.backlight.bench.CompareReport "$OUT/backlight.json" "$OUT/torch.json" \
     | tee "$OUT/comparison.txt"
