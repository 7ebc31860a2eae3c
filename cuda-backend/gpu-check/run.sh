#!/usr/bin/env bash
# Runs on the GPU machine, from the unpacked gpu-check folder (see pack.sh): prints the
# environment, runs the CUDA conformance suite (JUnit; tests skip with a reason where CUDA is
# unusable), a short throughput run, and ends with "N passed, M failed" and a table.
set -uo pipefail
cd "$(dirname "$0")"
JAVA=java
[ -x jre/bin/java ] && JAVA=jre/bin/java
OUT=${OUT:-.}
JOPTS=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector)
echo "== machine"; uname -a; ldd --version 2>&1 | head -1; nvidia-smi -L 2>&1 | head -4; "$JAVA" -version 2>&1 | head -1
# PyTorch's CUDA wheels (cuDNN 9, cuBLAS 13) are found by the backend's own probe through the
# active environment; point it at this python's environment even when it is not activated.
if command -v python3 >/dev/null; then
  PREFIX=$(python3 -c 'import sys; print(sys.prefix)' 2>/dev/null || true)
  [ -n "$PREFIX" ] && [ "$PREFIX" != /usr ] && export VIRTUAL_ENV=${VIRTUAL_ENV:-$PREFIX}
fi
echo "VIRTUAL_ENV=${VIRTUAL_ENV:-}"
CP=$(ls lib/*.jar | tr '\n' ':')
echo "== backend"
"$JAVA" "${JOPTS[@]}" -jar tools/backlight.jar info 2>&1 | tail -25
echo "== conformance"
"$JAVA" "${JOPTS[@]}" -Xmx24g -jar tools/junit-platform-console-standalone-*.jar execute \
    --class-path "$CP" --select-package dev.backlight.cuda --exclude-classname '.*Simulated.*' \
    --details=tree --disable-banner 2>&1 | tee "$OUT/conformance.txt"
succeeded=$(grep -Eo '\[ *[0-9]+ tests successful' "$OUT/conformance.txt" | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '\[ *[0-9]+ tests failed' "$OUT/conformance.txt" | grep -Eo '[0-9]+' || echo 0)
skipped=$(grep -Eo '\[ *[0-9]+ tests (skipped|aborted)' "$OUT/conformance.txt" | grep -Eo '[0-9]+' | paste -sd+ | bc 2>/dev/null || echo 0)
echo "== throughput and device memory (Backlight, CUDA backend, guided-backprop, fp32)"
"$JAVA" "${JOPTS[@]}" -Xmx24g -jar tools/backlight.jar bench --backend cuda --weights random --batch-sizes 1,32,64,128,256 \
    --warmup 2 --iterations 5 --json "$OUT/backlight-cuda.json" 2>&1 | tail -16
if [ -f tools/torch_saliency_baseline.py ] && python3 -c 'import torch' 2>/dev/null; then
  echo "== PyTorch anchor (same GPU, --quick)"
  python3 tools/torch_saliency_baseline.py --quick --batches 1,64 --out "$OUT/torch.json" 2>&1 | tail -14
fi
echo
echo "conformance: ${succeeded} passed, ${failed} failed, ${skipped} skipped"
echo "${succeeded} passed, ${failed} failed"
