#!/usr/bin/env bash
# Prepares what ci/gpu/run-gpu-checks.sh needs on a GPU machine without a JDK: builds the project and
# its test classes here, then packs a jlink'd Java 25 and every jar under .gpu/ (git-ignored).
# Carry: .gpu runtime/target/test-classes jvm-bindings/target/test-classes
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -B -DskipTests install
mvn -q -B test-compile
PACK=${PACK:-../shared/gpu/pack}
# pack's final copy step complains about jars it already copied; what matters is that both parts exist
# jdk.zipfs: the JUnit launcher scans the jars for --select-package through the zip file system
"$PACK" jdk.incubator.vector,jdk.zipfs || true
[[ -x .gpu/jre/bin/java && -n $(ls .gpu/lib/speech-mamba-runtime-*.jar 2>/dev/null) ]] || { echo "prepare: packing failed" >&2; exit 1; }
# The runtime travels inside bundle.sh's xz archive: pack's jlink compresses the modules image (zip-9), which xz cannot
# shrink further, so the same modules are linked again uncompressed (the archive gets ~7 MB smaller), and libjvm's
# symbol tables for debuggers go (~1 MB more); the dynamic symbols that stack traces use stay.
modules=$(sed -n 's/^MODULES="\(.*\)"$/\1/p' .gpu/jre/release | tr ' ' ',')
[[ -n $modules ]] || { echo "prepare: no MODULES line in .gpu/jre/release" >&2; exit 1; }
rm -rf .gpu/jre.plain
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress zip-0 \
  --output .gpu/jre.plain 2> >(grep -v -x 'WARNING: Using incubator modules: jdk.incubator.vector' >&2)
strip --strip-unneeded .gpu/jre.plain/lib/server/libjvm.so
.gpu/jre.plain/bin/java --add-modules jdk.incubator.vector -version 2>&1 | grep -q '"25' || { echo "prepare: the relinked runtime does not start" >&2; exit 1; }
rm -rf .gpu/jre && mv .gpu/jre.plain .gpu/jre
# The carried tree is limited to 64 MiB: drop what no GPU check loads (JMH runs on the CPU only).
# Testcontainers and its Docker client serve the container tests, which never run there.
rm -f .gpu/lib/commons-math3-*.jar .gpu/lib/jmh-core-*.jar .gpu/lib/jopt-simple-*.jar .gpu/lib/speech-mamba-examples-*.jar \
  .gpu/lib/testcontainers-*.jar .gpu/lib/docker-java-*.jar .gpu/lib/jna-*.jar .gpu/lib/commons-compress-*.jar \
  .gpu/lib/duct-tape-*.jar .gpu/lib/junit-4*.jar .gpu/lib/hamcrest-core-*.jar
# JCuda's natives jar carries the PTX compiler's JNI library (24 MB) that the driver path never loads, and
# the runtime jar the bundled default model, which no GPU check uses (the tree carries its source copy).
python3 - .gpu/lib/jcuda-natives-*.jar .gpu/lib/speech-mamba-runtime-*.jar <<'PY'
import os, sys, zipfile
for path in sys.argv[1:]:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(path + ".tmp", "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if "libJNvPTXCompiler" not in item.filename and "dev/speechmamba/models/" not in item.filename:
                dst.writestr(item, src.read(item.filename))
    os.replace(path + ".tmp", path)
PY
du -sh .gpu runtime/target/test-classes jvm-bindings/target/test-classes
