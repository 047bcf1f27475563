#!/usr/bin/env bash
# Packs the jvm-bindings tests (GPU ones included) for a GPU machine without a JDK, or runs them there.
#   here:  jvm-bindings/gpu-check.sh pack [BUILD_DIR]   (BUILD_DIR defaults to target; match -Dsm.build)
#          -> BUILD_DIR/gpu (classpath + run script, ~3.5 MB) and BUILD_DIR/gpu-jre (jlink'd Java 25, ~43 MB)
#   there: bash jvm-bindings/BUILD_DIR/gpu/run-gpu-tests.sh      (carry BUILD_DIR/gpu and, unless another
#          jlink'd runtime travels with the tree, BUILD_DIR/gpu-jre; see /work/shared/gpu/README.md)
# The run prints the JUnit summary, device facts, launch overhead and a few copy/GEMM timings.
set -euo pipefail
mode=${1:-}
build=${2:-target}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
JDK=${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}

if [[ "$mode" != pack ]]; then
    echo "usage: $0 pack [BUILD_DIR]" >&2
    exit 2
fi
out="$here/$build/gpu"
jre="$here/$build/gpu-jre"
export JAVA_HOME=$JDK PATH=$JDK/bin:$PATH
cd "$root"
rm -rf "$out" && mkdir -p "$out/lib"
mvn -q -o -Dsm.build="$build" -pl jvm-bindings -am package dependency:copy-dependencies -DskipTests \
    -DincludeScope=test -DoutputDirectory="$out/lib" -DexcludeGroupIds=dev.speechmamba
cp jvm-bindings/"$build"/speech-mamba-jvm-bindings-*.jar cuda-kernels/"$build"/speech-mamba-cuda-kernels-*.jar "$out/lib/"
rm -f "$out"/lib/*-sources.jar "$out"/lib/*-tests.jar
cp -r jvm-bindings/"$build"/test-classes "$out/"
# JCuda's natives jar also holds the PTX-compiler and runtime JNI libraries (~20 MB) that the driver path
# never loads; keep only the driver one so the carried tree stays small
natives=$(ls "$out"/lib/jcuda-natives-*.jar)
scratch=$(mktemp -d)
(cd "$scratch" && unzip -q "$natives" && rm -f lib/libJNvPTXCompiler* lib/libJCudaRuntime* lib/libJNvrtc* \
    && rm "$natives" && zip -qr -9 "${natives%.jar}-driver-only.jar" .)
rm -rf "$scratch"
if [[ ! -x "$jre/bin/java" ]]; then
    jlink --add-modules java.base,java.logging,jdk.unsupported,jdk.zipfs --strip-debug --no-header-files \
        --no-man-pages --compress zip-9 --output "$jre"
fi
cat > "$out/run-gpu-tests.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the jvm-bindings tests (GPU ones included); logs go to $OUT (default /tmp/gpu-out).
set -u
cd "$(dirname "$0")"
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee "$OUT/smi.txt"
export PATH=/usr/local/cuda-13.0/bin:$PATH
JAVA=""
for candidate in ../gpu-jre/bin/java ../../../.gpu/jre/bin/java ../../../native/.kseq-gpu/jre/bin/java; do
  if [ -x "$candidate" ]; then JAVA=$candidate; break; fi
done
[ -n "$JAVA" ] || { echo "no Java runtime carried (carry the gpu-jre folder next to this one)"; exit 3; }
echo "java: $JAVA"
timeout 300 "$JAVA" --enable-native-access=ALL-UNNAMED -cp 'lib/*:test-classes' dev.speechmamba.cuda.GpuTestMain \
  > "$OUT/run1.log" 2>&1
rc=$?
grep -vE '^\s+at |^\s+\.\.\. [0-9]+ more|containers|^\s*$' "$OUT/run1.log" | tail -120
echo "rc=$rc"
exit $rc
RUN
chmod +x "$out/run-gpu-tests.sh"
du -sh "$out" "$jre"
echo "carry jvm-bindings/$build/gpu (and jvm-bindings/$build/gpu-jre); run: bash jvm-bindings/$build/gpu/run-gpu-tests.sh"
