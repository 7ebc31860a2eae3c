#!/usr/bin/env bash
# The GPU check: runs on a GPU machine from the unpacked bundle that pack.sh makes, in one call.
#
#   1. machine, driver, Java, and the CUDA libraries: looked for in LD_LIBRARY_PATH, the ldconfig
#      cache and every Python environment on the machine (nvidia/*/lib wheels), put on
#      LD_LIBRARY_PATH, and said loudly when missing;
#   2. the CUDA conformance classes (JUnit), with CUDA required: a backend that cannot run fails;
#   3. the rest of the cuda-backend tests that need no simulation;
#   4. `backlight bench --backend cuda` at batches 1, 32, 64, 128, 256, fp32 then tf32;
#   5. the PyTorch anchor on the same card: the tutorial's hooks with weight gradients, and
#      guided backprop in fp32 in both memory formats (its fastest fp32 configuration).
#
# Every phase has a time limit inside one overall budget (GPU_CHECK_BUDGET seconds, default 450,
# so that the whole call fits 8 minutes with the transfers), and its output is written as it
# comes: to the terminal and to $OUT/gpu-check.log, with the benchmarks' and the anchor's JSON
# beside it ($OUT: at most 8 files). A phase that times out, crashes (no JUnit summary: a native
# crash kills the JVM) or cannot start is a failure. The last line is "N passed, M failed":
# JUnit tests, plus one check per other phase.
#
# Testing the script itself (no GPU needed):
#   GPU_CHECK_SIMULATE=crash:conformance,hang:bench_fp32 GPU_CHECK_TIMEOUT_bench_fp32=10 run.sh
# makes the named phases kill -9 themselves, or hang until their time limit.
# Phases: conformance, cuda_tests, bench_fp32, bench_tf32, torch_tutorial, torch_fp32.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
OUT=${OUT:-$HERE/out}
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
LOG="$OUT/gpu-check.log"
exec > >(tee -a "$LOG") 2>&1

START=$(date +%s)
BUDGET=${GPU_CHECK_BUDGET:-450}
PASSED=0
FAILED=0
SKIPPED=0
RESULTS=()
CUDA_REQUIRED_OK=0

elapsed() { echo $(( $(date +%s) - START )); }
say() { printf '\n== [%4ss] %s\n' "$(elapsed)" "$*"; }
record() { # record PASS|FAIL name detail
  if [ "$1" = PASS ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
  RESULTS+=("$1  $2: $3")
  echo ">> $1 $2: $3"
}

finish() {
  trap - TERM INT
  say "summary (${1:-complete}; $(elapsed) s of a ${BUDGET} s budget)"
  for r in "${RESULTS[@]}"; do echo "   $r"; done
  if [ "$SKIPPED" -gt 0 ]; then
    echo "   ($SKIPPED JUnit tests or classes skipped; in the conformance phase they count as failures once CUDA was found available)"
  fi
  echo
  echo "${PASSED} passed, ${FAILED} failed"
  rm -rf "$WORK"
  exit $([ "$FAILED" -eq 0 ] && [ "${1:-complete}" = complete ] && echo 0 || echo 1)
}
interrupted() {
  if [ -n "${PHASE_PID:-}" ]; then
    kill -TERM "$PHASE_PID" 2>/dev/null
    wait "$PHASE_PID" 2>/dev/null
    wait "${TAIL_PID:-}" 2>/dev/null
  fi
  record FAIL run "interrupted by a signal while phase ${PHASE:-?} ran"
  finish interrupted
}
trap interrupted TERM INT

# Runs one phase: run_phase ID MAX_SECONDS COMMAND... ; its output goes to the log and $WORK/ID.txt.
# Sets PHASE_RC (124/137: timed out) and PHASE_TXT.
run_phase() {
  local id=$1 max=$2
  shift 2
  PHASE=$id
  local override="GPU_CHECK_TIMEOUT_$id"
  max=${!override:-$max}
  local left=$(( BUDGET - $(elapsed) - 10 ))
  [ "$left" -lt "$max" ] && max=$left
  PHASE_TXT="$WORK/$id.txt"
  : > "$PHASE_TXT"
  if [ "$max" -lt 15 ]; then
    say "$id: not run, the budget is spent"
    PHASE_RC=125
    return
  fi
  local mode=""
  case ",${GPU_CHECK_SIMULATE:-}," in
    *",crash:$id,"*) mode=crash ;;
    *",hang:$id,"*) mode=hang ;;
  esac
  say "$id (at most ${max} s)${mode:+, simulated $mode}"
  if [ "$mode" = crash ]; then
    set -- bash -c 'echo "simulated native crash: this phase kills itself with SIGKILL"; kill -9 $$'
  elif [ "$mode" = hang ]; then
    set -- bash -c 'echo "simulated hang"; exec sleep 100000'
  fi
  local t0
  t0=$(date +%s)
  # In the background, so that a signal to this script interrupts `wait` and its trap runs at once;
  # the output goes to the phase's file (complete when the command ends) and is shown as it comes.
  timeout --kill-after=10 "$max" "$@" > "$PHASE_TXT" 2>&1 &
  PHASE_PID=$!
  tail -n +1 -f --pid="$PHASE_PID" "$PHASE_TXT" &
  TAIL_PID=$!
  wait "$PHASE_PID"
  PHASE_RC=$?
  wait "$TAIL_PID"
  PHASE_PID=""
  # timeout exits 124 when the limit struck (137 if TERM was not enough); a command killed by a
  # signal of its own makes it exit 128 + the signal, 137 for SIGKILL: tell them apart by the time.
  if [ "$PHASE_RC" = 137 ] && [ $(( $(date +%s) - t0 )) -lt "$max" ]; then
    PHASE_RC=237
  fi
  case $PHASE_RC in
    0) ;;
    124|137) echo ">> $id: TIMED OUT after ${max} s (what it printed is above)" ;;
    237) echo ">> $id: KILLED by SIGKILL after $(( $(date +%s) - t0 )) s (a crash, or the out-of-memory killer)" ;;
    *) echo ">> $id: exit status $PHASE_RC$([ "$PHASE_RC" -gt 128 ] && echo " (signal $((PHASE_RC - 128)): the process crashed)")" ;;
  esac
}

describe_rc() {
  case $PHASE_RC in
    124|137) echo "timed out" ;;
    125) echo "not run, budget spent" ;;
    237) echo "killed by SIGKILL" ;;
    *) echo "exit status $PHASE_RC" ;;
  esac
}

# JUnit console summary of the last phase -> counts. A missing summary is a failure (the JVM died).
# count_junit ID STRICT: with STRICT=1, skipped tests are failures once CUDA is known to be available.
count_junit() {
  local id=$1 strict=$2 txt=$PHASE_TXT
  n() { grep -Eo "\[ *[0-9]+ $1 *\]" "$txt" | grep -Eo '[0-9]+' | tail -1; }
  local ok fail cfail abort cabort skip cskip
  ok=$(n 'tests successful'); fail=$(n 'tests failed'); cfail=$(n 'containers failed')
  abort=$(n 'tests aborted'); cabort=$(n 'containers aborted'); skip=$(n 'tests skipped'); cskip=$(n 'containers skipped')
  if [ -z "$ok" ] || [ -z "$fail" ]; then
    local why="no JUnit summary"
    case $PHASE_RC in
      124|137) why="$why: timed out" ;;
      125) why="$why: not run, budget spent" ;;
      237) why="$why: the JVM was killed (SIGKILL) before reporting" ;;
      *) why="$why: the JVM ended with status $PHASE_RC before reporting (a native crash, or killed)" ;;
    esac
    record FAIL "$id" "$why"
    return
  fi
  if grep -q 'theCudaBackendIsAvailable() \[OK\]' "$txt"; then CUDA_REQUIRED_OK=1; fi
  local skipped=$(( ${abort:-0} + ${cabort:-0} + ${skip:-0} + ${cskip:-0} ))
  SKIPPED=$(( SKIPPED + skipped ))
  PASSED=$(( PASSED + ok ))
  FAILED=$(( FAILED + fail + ${cfail:-0} ))
  local extra=""
  if [ "$skipped" -gt 0 ] && [ "$CUDA_REQUIRED_OK" = 1 ] && [ "$strict" = 1 ]; then
    FAILED=$(( FAILED + skipped ))
    extra=", $skipped skipped although CUDA is available (counted as failed)"
  elif [ "$skipped" -gt 0 ]; then
    extra=", $skipped skipped"
  fi
  RESULTS+=("JUNIT $id: $ok passed, $fail failed, ${cfail:-0} classes failed$extra (exit $PHASE_RC)")
  echo ">> $id: $ok passed, $fail failed, ${cfail:-0} classes failed$extra"
  grep -E '\[X\]|MethodSource|=> ' "$txt" | head -40 | sed 's/^/   failure: /' || true
}

say "machine"
uname -a
(ldd --version 2>&1 | head -1) || true
timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv 2>&1 | head -5 || echo "nvidia-smi: not found or failed"
timeout 20 nvidia-smi -L 2>&1 | head -8 || true
nproc; free -g 2>/dev/null | head -2

say "Java"
JAVA=""
if [ -x "$HERE/jre/bin/java" ]; then
  JAVA="$HERE/jre/bin/java"
elif command -v java >/dev/null && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
  JAVA=java
fi
if [ -z "$JAVA" ]; then
  record FAIL java "no Java 17+ (the bundle's jre/ is missing and none is on the PATH)"
  finish
fi
"$JAVA" -version 2>&1 | head -2

say "CUDA libraries (every environment on this machine)"
# Directories holding cuDNN or cuBLAS: LD_LIBRARY_PATH, the ldconfig cache, and a search of the
# disk for Python wheels' nvidia/*/lib (every venv and conda env) and toolkit installs.
found_dirs=$(
  {
    tr ':' '\n' <<< "${LD_LIBRARY_PATH:-}"
    (ldconfig -p 2>/dev/null | grep -E 'libcudnn\.so\.[89] |libcublas\.so\.1[23] ' | sed 's/.*=> //' | xargs -r -n1 dirname)
    timeout 30 find / \( -path /proc -o -path /sys -o -path /dev -o -path "$HERE" -o -path "$WORK" \) -prune -o \
      \( -name 'libcudnn.so.[89]' -o -name 'libcublas.so.1[23]' \) -print 2>/dev/null | xargs -r -n1 dirname
  } | grep -v '^$' | awk '!seen[$0]++'
)
cudnn_dir=""; cublas_dir=""
for d in $found_dirs; do
  if [ -z "$cudnn_dir" ] && ls "$d"/libcudnn.so.[89] >/dev/null 2>&1; then cudnn_dir=$d; fi
  if [ -z "$cublas_dir" ] && ls "$d"/libcublas.so.1[23] >/dev/null 2>&1; then cublas_dir=$d; fi
done
echo "folders with cuDNN or cuBLAS:"; for d in $found_dirs; do ls "$d"/libcudnn.so.[89] "$d"/libcublas.so.1[23] 2>/dev/null | sed 's/^/   /'; done
if [ -z "$cudnn_dir" ] || [ -z "$cublas_dir" ]; then
  echo "!!!!!!!!!! cuDNN ${cudnn_dir:+found}${cudnn_dir:-NOT FOUND}, cuBLAS ${cublas_dir:+found}${cublas_dir:-NOT FOUND} anywhere on this machine:"
  echo "!!!!!!!!!! the CUDA backend cannot run, and the GPU tests below will fail (pip install nvidia-cudnn-cu12 nvidia-cublas-cu12, or torch)"
fi
for d in "$cublas_dir" "$cudnn_dir"; do
  [ -n "$d" ] && export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
# A Python with torch for the anchor: the one on the PATH, else one beside a wheel folder found above.
PYTHON=""
for py in python3 python $(for d in $found_dirs; do p=${d%%/lib/python3*}; [ "$p" != "$d" ] && echo "$p/bin/python3"; done) /opt/conda/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && timeout 60 "$py" -c 'import torch, torchvision' >/dev/null 2>&1; then PYTHON=$py; break; fi
done
echo "python with torch: ${PYTHON:-none found}"

JOPTS=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -XX:+UseParallelGC)
CP=$(ls "$HERE"/lib/*.jar | tr '\n' ':')
CONSOLE=$(ls "$HERE"/tools/junit-platform-console-standalone-*.jar | head -1)

say "backend report (backlight info)"
timeout 60 "$JAVA" "${JOPTS[@]}" -jar "$HERE/tools/backlight.jar" info 2>&1 | sed -n '1,/^selection/p' | grep -v '^selection' | head -30

junit() { # junit ID MAX STRICT SELECTORS...
  local id=$1 max=$2 strict=$3
  shift 3
  run_phase "$id" "$max" "$JAVA" "${JOPTS[@]}" -Xmx24g -Dbacklight.gpucheck.requireCuda=true -jar "$CONSOLE" execute \
    --class-path "$CP" "$@" --details=tree --details-theme=ascii --disable-banner --disable-ansi-colors \
    --reports-dir "$WORK/junit-$id"
  count_junit "$id" "$strict"
}
junit conformance 240 1 --select-package dev.backlight.cuda.conformance --select-class dev.backlight.cuda.CudaGpuAlgorithmsTest
junit cuda_tests 60 0 --select-package dev.backlight.cuda --exclude-package dev.backlight.cuda.conformance \
  --exclude-package dev.backlight.cuda.simulated --exclude-classname '.*(Simulated|CudaGpuAlgorithmsTest|CudaModelReliabilityTest).*'
(cd "$WORK" && tar -czf "$OUT/junit-reports.tar.gz" junit-* 2>/dev/null) || true

bench() { # bench ID PRECISION MAX
  local id=$1 precision=$2 max=$3
  run_phase "$id" "$max" "$JAVA" "${JOPTS[@]}" -Xmx32g -jar "$HERE/tools/backlight.jar" bench --backend cuda --model densenet201 \
    --method guided-backprop --weights random --batch-sizes 1,32,64,128,256 --pass forward-backward --precision "$precision" \
    --warmup 2 --iterations 5 --json "$OUT/$id.json"
  local rows
  rows=$(grep -Ec '^ *[0-9]+ +forward-backward ' "$PHASE_TXT")
  if [ "$PHASE_RC" = 0 ] && [ "$rows" -ge 5 ]; then
    record PASS "$id" "$rows batch sizes measured ($OUT/$id.json)"
  else
    record FAIL "$id" "$(describe_rc), $rows of 5 batch sizes in the table (the progress lines above have what completed)"
  fi
}
bench bench_fp32 fp32 90
bench bench_tf32 tf32 60

anchor() { # anchor ID MAX ARGS...
  local id=$1 max=$2
  shift 2
  if [ -z "$PYTHON" ]; then
    record FAIL "$id" "no Python with torch and torchvision found"
    return
  fi
  if [ ! -f "$HERE/tools/torch_saliency_baseline.py" ]; then
    record FAIL "$id" "tools/torch_saliency_baseline.py is not in the bundle"
    return
  fi
  PYTHONUNBUFFERED=1 run_phase "$id" "$max" "$PYTHON" "$HERE/tools/torch_saliency_baseline.py" --matrix full \
    --batches 1,32,64,128,256 --skip-crosscheck --time-budget $(( max - 15 )) --out "$OUT/$id.json" "$@"
  if [ "$PHASE_RC" = 0 ] && [ -s "$OUT/$id.json" ]; then
    record PASS "$id" "$OUT/$id.json"
  else
    record FAIL "$id" "$(describe_rc)$([ -s "$OUT/$id.json" ] && echo ", partial $OUT/$id.json")"
  fi
}
# The tutorial: hooks on every nn.ReLU, parameters requiring grad (weight gradients computed too).
anchor torch_tutorial 50 --methods guided-hooks --dtypes fp32 --formats contiguous --param-grad on
# PyTorch's fastest fp32 guided backprop: input gradients only, NCHW and NHWC.
anchor torch_fp32 70 --methods guided-correct --dtypes fp32 --param-grad off

finish
