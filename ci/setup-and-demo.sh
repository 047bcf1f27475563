#!/usr/bin/env bash
# Fresh Debian/Ubuntu machine → running demo: installs what is missing (Maven; a JDK 25 from Adoptium
# when none is found; the text-to-speech engines), builds the project, then runs `./speech-mamba demo`
# (arguments are passed on).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=ci/java-env.sh
source "$root/ci/java-env.sh"

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || { echo "error: apt-get not found; install $* by hand" >&2; exit 1; }
  if [[ $apt_updated -eq 0 ]]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! find_jdk25 >/dev/null; then
  echo "==> Installing a JDK 25 (Eclipse Temurin, from packages.adoptium.net)"
  apt_install ca-certificates wget gpg
  as_root install -d -m 0755 /etc/apt/keyrings
  wget -qO- https://packages.adoptium.net/artifactory/api/gpg/key/public | as_root tee /etc/apt/keyrings/adoptium.asc >/dev/null
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME}")"
  echo "deb [signed-by=/etc/apt/keyrings/adoptium.asc] https://packages.adoptium.net/artifactory/deb $codename main" \
    | as_root tee /etc/apt/sources.list.d/adoptium.list >/dev/null
  apt_updated=0
  apt_install temurin-25-jdk
fi
use_jdk25
echo "==> Java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1) ($JAVA_HOME)"

if ! command -v mvn >/dev/null 2>&1; then
  echo "==> Installing Maven"
  apt_install maven
fi
echo "==> Maven: $(mvn -v 2>/dev/null | head -n 1 | sed 's/\x1b\[[0-9;]*m//g')"

echo "==> Installing the text-to-speech engines for synth-corpus (ci/install-tts.sh)"
if command -v apt-get >/dev/null 2>&1; then as_root "$root/ci/install-tts.sh" >/dev/null; else echo "    no apt-get: skipped"; fi

echo "==> Building (mvn -DskipTests package)"
cd "$root"
mvn -q -B -Dstyle.color=never -DskipTests -pl runtime -am package
echo "==> Running ./speech-mamba demo $*"
exec ./speech-mamba demo "$@"
