#!/usr/bin/env bash
# Fresh Debian/Ubuntu machine → running demo: installs what is missing (Maven; a JDK 25 from Adoptium
# when none is found; the text-to-speech engines), builds the project, then speaks a sentence with espeak-ng
# in a voice the default model never heard in training (examples/sample.wav where espeak-ng is missing) and
# transcribes it with `./speech-mamba transcribe`, which uses the model bundled in the jar.
# Usage: ci/setup-and-demo.sh [--tagger-demo [ARGS...]]
#   --tagger-demo  afterwards also run `./speech-mamba demo ARGS` (the Mamba tagger trained in a minute)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tagger_demo=0
if [[ "${1:-}" == "--tagger-demo" ]]; then tagger_demo=1; shift; fi
if [[ $# -gt 0 ]]; then echo "error: unknown argument '$1' (usage: ci/setup-and-demo.sh [--tagger-demo [ARGS...]])" >&2; exit 2; fi
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
sentence="$(cat examples/sample.txt)"
sample=examples/sample.wav
# en-us+miguel is one of the corpus's test voices: held out of training, so this is speech the model never heard.
if command -v espeak-ng >/dev/null 2>&1; then
  mkdir -p target
  if espeak-ng -v en-us+miguel -w target/sample.wav "$sentence"; then sample=target/sample.wav; fi
fi
echo "==> Transcribing $sample with the bundled default model (./speech-mamba transcribe $sample)"
echo "    spoken:      $sentence"
# Without $SPEECH_MAMBA_MODEL, so that the model in the jar is the one shown even where the variable is set.
transcript="$(env -u SPEECH_MAMBA_MODEL ./speech-mamba transcribe "$sample")"
echo "    transcribed: $transcript"
if [[ $tagger_demo -eq 1 ]]; then
  echo "==> Running ./speech-mamba demo $*"
  exec ./speech-mamba demo "$@"
fi
