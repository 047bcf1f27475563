#!/usr/bin/env bash
# Assembles what the server image holds, from a packaged runtime module:
#   OUT/lib/   the runtime jar and every runtime dependency (runtime/BUILD/lib/*.jar)
#   OUT/java/  a jlink'd Java runtime with just the modules those jars use (jdeps) plus the Vector API
# Usage: ci/docker-dist.sh RUNTIME_BUILD_DIR OUT   (RUNTIME_BUILD_DIR: runtime/target, or runtime/target-x)
# Needs JAVA_HOME (or PATH) with a JDK 25: jlink links from the JDK itself (no jmods needed since JDK 24).
# A jlink'd runtime is reused from RUNTIME_BUILD_DIR/docker-java when it was made for the same module list.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 RUNTIME_BUILD_DIR OUT" >&2; exit 2; }
build="$1"
out="$2"
jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

jar="$(find "$build" -maxdepth 1 -name 'speech-mamba-runtime-*.jar' ! -name '*-sources.jar' ! -name '*-tests.jar' | head -n 1)"
[[ -n "$jar" && -d "$build/lib" ]] || { echo "docker-dist: no runtime jar and lib/ in $build; run mvn -DskipTests package first" >&2; exit 1; }

mkdir -p "$out/lib"
cp "$jar" "$build"/lib/*.jar "$out/lib/"

# Modules the jars use; the server's HTTP stack and the incubating Vector API are loaded reflectively or by
# --add-modules, so they are named explicitly.
detected="$("$jdk/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps -q --class-path "$out/lib/*" "$jar" 2>/dev/null || true)"
modules="$(echo "java.base,jdk.httpserver,jdk.incubator.vector,jdk.unsupported,java.net.http,${detected}" \
           | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)"

cache="$build/docker-java"
if [[ ! -x "$cache/bin/java" || "$(cat "$cache.modules" 2>/dev/null)" != "$modules" ]]; then
  rm -rf "$cache" "$cache.modules"
  "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-6 --output "$cache"
  echo "$modules" > "$cache.modules"
fi
rm -rf "$out/java"
cp -a "$cache" "$out/java"
echo "docker-dist: $out (java: $modules; $(du -sh "$out/java" | cut -f1) runtime, $(du -sh "$out/lib" | cut -f1) jars)" >&2
