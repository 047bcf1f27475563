#!/usr/bin/env bash
# Builds everything and runs the whole test suite (JUnit 5 through Maven Surefire).
# GPU tests skip themselves where no usable GPU exists. Extra arguments go to Maven, e.g. -o (offline).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=ci/java-env.sh
source "$root/ci/java-env.sh"
use_jdk25
command -v mvn >/dev/null 2>&1 || { echo "error: Maven is needed (Debian: sudo apt-get install maven)" >&2; exit 1; }
cd "$root"
# The Docker image test (ServerImageTest) starts its own engine through ci/docker-start.sh where docker.io is
# installed or installable; Testcontainers must not pull its Ryuk helper image (no registry is reachable).
export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"
export TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-localhost}"
exec mvn -B verify "$@"
