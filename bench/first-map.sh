#!/usr/bin/env bash
# Time to a first map, whole process, one photo: Backlight's quick start through the launcher against
# PyTorch's one-shot script (../shared/anchors/first_map_torch.py: import, build DenseNet-201, preprocess,
# guided backprop with hooks, write a PNG), interleaved round by round, then where Backlight's time goes
# (dev.backlight.bench.FirstMapPhases, the same steps timed one by one).
#
#   bench/first-map.sh                 # 5 rounds
#   ROUNDS=7 PHOTO=examples/lion.jpg bench/first-map.sh
#
# Needs: mvn -B -q install -DskipTests, and PyTorch for /usr/bin/python3 (Debian: python3-torch
# python3-torchvision). Keep the machine otherwise idle; compare ratios from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
PHOTO=${PHOTO:-examples/lion.jpg}
ANCHOR=${ANCHOR:-../shared/anchors/first_map_torch.py}
LAUNCHER=cli/target/backlight/bin/backlight
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BACKLIGHT_CACHE=$work/cache
secs() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
echo "first run with an empty JVM cache (writes the class-data archive): $(secs "$LAUNCHER" explain --weights random "$PHOTO" --out "$work/o0") s"
printf '%-6s %-22s %-22s %s\n' round backlight_quick_start pytorch_one_shot ratio
for r in $(seq 1 "$ROUNDS"); do
  b=$(secs "$LAUNCHER" explain --weights random "$PHOTO" --out "$work/o$r")
  p=$(secs /usr/bin/python3 "$ANCHOR" "$PHOTO" "$work/t$r.png")
  printf '%-6s %-22s %-22s %s\n' "$r" "$b" "$p" "$(echo "scale=2; $b / $p" | bc)"
done
echo "where Backlight's time goes (seconds; FirstMapPhases with the launcher's JVM options and class path):"
classpath="cli/target/backlight/lib/*:bench/target/classes"
for warm in false true; do
  echo "JIT warm-up (the backend property cpu.warmup, which backlight explain sets): $warm"
  for r in 1 2 3; do
    java --add-modules jdk.incubator.vector -Dbacklight.bench.warmup=$warm -cp "$classpath" \
        dev.backlight.bench.FirstMapPhases "$PHOTO" "$work/p$r.png" 2>/dev/null
  done
done
