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
"$PACK" jdk.incubator.vector
du -sh .gpu runtime/target/test-classes jvm-bindings/target/test-classes
