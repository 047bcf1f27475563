#!/usr/bin/env bash
# Builds the server image where no image registry is reachable: starts the Docker engine if needed
# (ci/docker-start.sh), makes the local Debian base (ci/build-base-image.sh, cached), packages the runtime with
# Maven in a build folder of its own, jlinks a Java 25 runtime on the host (ci/docker-dist.sh), and builds the
# Dockerfile's `prebuilt` target from a small staged context. See the Dockerfile for the in-Docker variant.
#
# Usage: ci/build-image.sh [--model DIR] [--tag TAG] [--base IMAGE] [--no-maven]
#   --model DIR   bake a model folder into /opt/speech-mamba/model (the default command serves it; without it the
#                 default command serves the model bundled in the runtime jar)
#   --tag TAG     image tag (default: speech-mamba:local)
#   --base IMAGE  runtime base (default: speech-mamba/debian-base:bookworm, built here when missing; a CUDA
#                 runtime image where one can be pulled)
#   --no-maven    use the already packaged runtime in runtime/$SM_BUILD
# Environment: SM_BUILD (Maven build folder, default target-docker, so a build running in target/ is untouched),
#              MAVEN_ARGS (extra Maven arguments, e.g. -o).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=ci/java-env.sh
source "$root/ci/java-env.sh"

tag=speech-mamba:local
base=speech-mamba/debian-base:bookworm
model=""
maven=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --no-maven) maven=0; shift ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ -z "$model" || -d "$model" || -f "$model" ]] || { echo "build-image: no model folder $model" >&2; exit 1; }

say() { echo "build-image: $*" >&2; }
use_jdk25
sm_build="${SM_BUILD:-target-docker}"

"$root/ci/docker-start.sh"
if [[ "$base" == speech-mamba/debian-base:* ]]; then
  BASE_IMAGE="$base" "$root/ci/build-base-image.sh"
fi

if [[ $maven -eq 1 ]]; then
  say "packaging the runtime (mvn package, build folder $sm_build) ..."
  log="$(mktemp /tmp/speech-mamba-image-mvn.XXXXXX.log)"
  # shellcheck disable=SC2086
  if ! (cd "$root" && mvn -q -B -DskipTests -Dsm.build="$sm_build" ${MAVEN_ARGS:-} -pl runtime -am package >"$log" 2>&1); then
    tail -n 40 "$log" >&2
    say "the Maven build failed; the full log is $log"
    exit 1
  fi
  rm -f "$log"
fi

context="$(mktemp -d /tmp/speech-mamba-image.XXXXXX)"
trap 'rm -rf "$context"' EXIT
"$root/ci/docker-dist.sh" "$root/runtime/$sm_build" "$context/dist"
if [[ -n "$model" ]]; then
  mkdir -p "$context/dist/model"
  if [[ -d "$model" ]]; then cp -a "$model"/. "$context/dist/model/"; else cp "$model" "$context/dist/model/model.safetensors"; fi
fi
cp "$root/Dockerfile" "$context/Dockerfile"
say "docker build --target prebuilt --build-arg BASE_IMAGE=$base -t $tag ..."
start=$SECONDS
# The legacy builder (no buildx here) builds the stages before the target, runtime-base and prebuilt, and nothing
# after it, so the in-Docker build stage and its registry pulls never run.
DOCKER_BUILDKIT=0 docker build -q --target prebuilt --build-arg BASE_IMAGE="$base" -t "$tag" "$context" >/dev/null
say "built $tag in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
