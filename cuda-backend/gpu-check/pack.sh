#!/usr/bin/env bash
# Packs what a GPU machine without Maven or network needs to run the CUDA backend's conformance
# suite and a short throughput run: the project's jars and their dependencies, the JUnit console
# launcher, the JMH benchmarks jar, the backlight CLI jar (for `bench` and `info`), the PyTorch anchor script, and a jlink'ed JRE (Temurin 25,
# glibc >= 2.17). Result: cuda-backend/target/gpu-check/ and gpu-check.tar.xz (well under 64 MiB).
#
#   cuda-backend/gpu-check/pack.sh            # then, on the GPU machine: gpu-check/run.sh
#   NO_JRE=1 cuda-backend/gpu-check/pack.sh   # rely on the machine's java (17+)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=cuda-backend/target/gpu-check
JUNIT_CONSOLE=org.junit.platform:junit-platform-console-standalone:1.14.1
JDK=${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}

mvn -B -q install -DskipTests
rm -rf "$OUT" && mkdir -p "$OUT/lib"
mvn -B -q -pl cuda-backend dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$PWD/$OUT/lib"
cp cuda-backend/target/backlight-cuda-backend-*[0-9T].jar "$OUT/lib/"
jar --create --file "$OUT/lib/backlight-cuda-backend-tests.jar" -C cuda-backend/target/test-classes .
mvn -B -q dependency:copy -Dartifact="$JUNIT_CONSOLE" -DoutputDirectory="$PWD/$OUT/tools"
cp bench/target/benchmarks.jar cli/target/backlight.jar "$OUT/tools/"
cp ../shared/anchors/torch_saliency_baseline.py "$OUT/tools/" 2>/dev/null || echo "note: ../shared/anchors not found; the PyTorch comparison is skipped"
cp cuda-backend/gpu-check/run.sh "$OUT/"
if [ -z "${NO_JRE:-}" ]; then
  "$JDK/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,jdk.management,jdk.unsupported,jdk.incubator.vector,java.net.http,jdk.zipfs \
      --strip-debug --no-header-files --no-man-pages --output "$OUT/jre"
  strip --strip-unneeded "$OUT/jre/lib/server/libjvm.so" 2>/dev/null || true
fi
tar -C "$(dirname "$OUT")" -cJf "$OUT.tar.xz" "$(basename "$OUT")"
du -sh "$OUT" "$OUT.tar.xz"
