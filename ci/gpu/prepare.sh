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
"$PACK" jdk.incubator.vector || true
[[ -x .gpu/jre/bin/java && -n $(ls .gpu/lib/speech-mamba-runtime-*.jar 2>/dev/null) ]] || { echo "prepare: packing failed" >&2; exit 1; }
# The carried tree is limited to 64 MiB: drop what no GPU check loads (JMH runs on the CPU only).
rm -f .gpu/lib/commons-math3-*.jar .gpu/lib/jmh-core-*.jar .gpu/lib/jopt-simple-*.jar .gpu/lib/speech-mamba-examples-*.jar
du -sh .gpu runtime/target/test-classes jvm-bindings/target/test-classes
