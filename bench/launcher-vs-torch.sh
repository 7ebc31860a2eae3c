#!/usr/bin/env bash
# Warm time per image through the launcher (backlight bench: DenseNet-201 Guided Backprop, forward and
# backward, 2 threads) against PyTorch's CPU build (../shared/anchors/torch_saliency_baseline.py, the
# tutorial's hooks and the correct guided ReLUs, NCHW and NHWC, OMP_NUM_THREADS=2), interleaved round by
# round so that both see the same minutes of this machine; prints each round's medians and ratio.
#
#   bench/launcher-vs-torch.sh           # 3 rounds, batches 1 and 8
#   ROUNDS=5 BATCHES=1 bench/launcher-vs-torch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
BATCHES=${BATCHES:-1,8}
THREADS=${THREADS:-2}
ANCHOR=${ANCHOR:-../shared/anchors/torch_saliency_baseline.py}
OUT=${OUT:-bench-results/launcher-vs-torch}
mkdir -p "$OUT"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
for r in $(seq 1 "$ROUNDS"); do
  cli/target/backlight/bin/backlight bench --model densenet201 --method guided-backprop --batch-sizes "$BATCHES" \
      --threads "$THREADS" --pass forward-backward --warmup 8 --iterations 8 --json "$OUT/backlight-$r.json" 2>/dev/null | tail -n +1
  OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS /usr/bin/python3 "$ANCHOR" --device cpu --batches "$BATCHES" \
      --methods guided-hooks,guided-correct --dtypes fp32 --formats contiguous,channels_last --param-grad off \
      --skip-crosscheck --out "$OUT/torch-$r.json" >/dev/null 2>&1
  /usr/bin/python3 - "$OUT/backlight-$r.json" "$OUT/torch-$r.json" "$r" <<'PY'
import json, sys
b = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
rows = b["results"]
def bl(batch):
    for row in rows:
        if row["batch"] == batch and row["pass"] == "forward-backward":
            return row["medianMs"] / batch
def torch_best(batch):
    best = None
    for row in t["rows"]:
        if row.get("batch") == batch and row.get("status") == "ok" and row.get("method") == "guided-correct":
            best = row["ms_per_image"] if best is None else min(best, row["ms_per_image"])
    return best
for batch in sorted({row["batch"] for row in rows}):
    x, y = bl(batch), torch_best(batch)
    if x and y:
        print(f"round {sys.argv[3]} batch {batch}: backlight {x:.0f} ms/image, pytorch fastest {y:.0f} ms/image, ratio {x / y:.2f}")
    else:
        print(f"round {sys.argv[3]} batch {batch}: backlight {x} pytorch {y} (a row is missing; see the JSON files)")
PY
done
