#!/usr/bin/env bash
# Runs on the GPU machine, from the unpacked gpu-check folder (see pack.sh): prints the
# environment, runs the CUDA conformance suite (JUnit; tests skip with a reason where CUDA is
# unusable), a short throughput run, and ends with "N passed, M failed" and a table.
set -uo pipefail
cd "$(dirname "$0")"
JAVA=java
[ -x jre/bin/java ] && JAVA=jre/bin/java
OUT=${OUT:-.}
echo "== machine"; uname -a; ldd --version 2>&1 | head -1; nvidia-smi -L 2>&1 | head -4; "$JAVA" -version 2>&1 | head -1
CP=$(ls lib/*.jar | tr '\n' ':')
echo "== conformance"
"$JAVA" --add-modules jdk.incubator.vector -Xmx24g -jar tools/junit-platform-console-standalone-*.jar execute \
    --class-path "$CP" --select-package dev.backlight.cuda --details=tree --disable-banner 2>&1 | tee "$OUT/conformance.txt"
succeeded=$(grep -Eo '\[ *[0-9]+ tests successful' "$OUT/conformance.txt" | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '\[ *[0-9]+ tests failed' "$OUT/conformance.txt" | grep -Eo '[0-9]+' || echo 0)
skipped=$(grep -Eo '\[ *[0-9]+ tests (skipped|aborted)' "$OUT/conformance.txt" | grep -Eo '[0-9]+' | paste -sd+ | bc 2>/dev/null || echo 0)
echo "== throughput (Backlight, CUDA backend, guided-backprop, fp32)"
"$JAVA" --add-modules jdk.incubator.vector -jar tools/benchmarks.jar CpuDenseNetBenchmark -p backend=cuda -p batch=1,32,64 \
    -f 1 -wi 2 -i 5 -rf json -rff "$OUT/backlight-cuda.json" 2>&1 | tail -8
if [ -f tools/torch_saliency_baseline.py ] && python3 -c 'import torch' 2>/dev/null; then
  echo "== PyTorch anchor (--quick)"
  python3 tools/torch_saliency_baseline.py --quick --out "$OUT/torch.json" 2>&1 | tail -12
fi
echo
echo "conformance: ${succeeded} passed, ${failed} failed, ${skipped} skipped"
echo "${succeeded} passed, ${failed} failed"
