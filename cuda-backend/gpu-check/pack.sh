#!/usr/bin/env bash
# Packs what a GPU machine without Maven or network needs for the GPU check (run.sh): the
# project's jars and their dependencies, the cuda-backend and conformance test classes, the JUnit
# console launcher, the backlight CLI jar (for `info` and `bench`), the PyTorch anchor script and
# a jlink'ed JRE (Temurin 25, glibc >= 2.17). Result: cuda-backend/target/gpu-check/ and
# cuda-backend/target/gpu-check.tar.xz (must stay under the device's 64 MiB carry limit, with
# the rest of the working tree).
#
#   cuda-backend/gpu-check/pack.sh            # builds (tests skipped) and packs
#   NO_BUILD=1 cuda-backend/gpu-check/pack.sh # packs what is built
#   NO_JRE=1 cuda-backend/gpu-check/pack.sh   # relies on the machine's java (17+)
#
# On the GPU machine, from the repository root (the device tool: carry
# cuda-backend/target/gpu-check.tar.xz, timeout_s 600):
#   d=$(mktemp -d); tar -xJf cuda-backend/target/gpu-check.tar.xz -C $d \
#     || python3 -c "import sys,tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" cuda-backend/target/gpu-check.tar.xz $d
#   $d/gpu-check/run.sh       # writes $OUT/gpu-check.log and the JSON files as it goes
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=cuda-backend/target/gpu-check
JUNIT_CONSOLE=org.junit.platform:junit-platform-console-standalone:1.14.1
JDK=${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
LIMIT_MIB=${LIMIT_MIB:-56}

if [ -z "${NO_BUILD:-}" ]; then
  mvn -B -q install -DskipTests
fi
[ -f kernels/target/classes/dev/backlight/kernels/kernels.properties ] \
  || { echo "pack.sh: the kernels were built without nvcc; the CUDA backend would be unavailable on the GPU" >&2; exit 1; }
rm -rf "$OUT" "$OUT.tar.xz" && mkdir -p "$OUT/lib" "$OUT/tools"
mvn -B -q -pl cuda-backend dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$PWD/$OUT/lib"
cp cuda-backend/target/backlight-cuda-backend-*-SNAPSHOT.jar "$OUT/lib/" 2>/dev/null || cp cuda-backend/target/backlight-cuda-backend-*[0-9].jar "$OUT/lib/"
jar --create --file "$OUT/lib/backlight-cuda-backend-tests.jar" -C cuda-backend/target/test-classes .
mvn -B -q dependency:copy -Dartifact="$JUNIT_CONSOLE" -DoutputDirectory="$PWD/$OUT/tools"
cp cli/target/backlight.jar "$OUT/tools/"
if [ -f ../shared/anchors/torch_saliency_baseline.py ]; then
  cp ../shared/anchors/torch_saliency_baseline.py "$OUT/tools/"
else
  echo "pack.sh: ../shared/anchors/torch_saliency_baseline.py not found; the PyTorch anchor will be reported as failed" >&2
fi
cp cuda-backend/gpu-check/run.sh "$OUT/"
if [ -z "${NO_JRE:-}" ]; then
  "$JDK/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,jdk.management,jdk.unsupported,jdk.incubator.vector,java.net.http,jdk.zipfs \
      --strip-debug --no-header-files --no-man-pages --output "$OUT/jre"
  strip --strip-unneeded "$OUT/jre/lib/server/libjvm.so" 2>/dev/null || true
fi
tar -C "$(dirname "$OUT")" -cf - "$(basename "$OUT")" | xz -T2 -9 > "$OUT.tar.xz"
du -sh "$OUT"
size=$(stat -c %s "$OUT.tar.xz")
echo "$OUT.tar.xz: $((size / 1048576)) MiB"
if [ "$size" -gt $((LIMIT_MIB * 1048576)) ]; then
  echo "pack.sh: the bundle is over ${LIMIT_MIB} MiB; with the working tree it may not fit the device's 64 MiB carry limit" >&2
  exit 1
fi
