# Sourced by the ci/ scripts: exports JAVA_HOME for a JDK 25 (the same rules as ./speech-mamba) and
# MAVEN_OPTS that keep Maven quiet on JDK 25.
java_major() { "$1" -version 2>&1 | sed -n '1s/.*version "\([0-9][0-9]*\).*/\1/p'; }

find_jdk25() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    local major; major="$(java_major "$JAVA_HOME/bin/java")"
    if [[ -n "$major" && "$major" -ge 25 ]]; then echo "$JAVA_HOME"; return 0; fi
  fi
  local jdk
  for jdk in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-*; do # amd64 first, then other arches
    if [[ -x "$jdk/bin/java" ]]; then echo "$jdk"; return 0; fi
  done
  return 1
}

use_jdk25() {
  local home
  if ! home="$(find_jdk25)"; then
    echo "error: Java 25 is needed: set JAVA_HOME to a JDK 25, or install temurin-25-jdk (ci/setup-and-demo.sh does)" >&2
    return 1
  fi
  export JAVA_HOME="$home"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven 3.8 on JDK 25 warns about its own sun.misc.Unsafe use and native access; both are harmless.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
}
