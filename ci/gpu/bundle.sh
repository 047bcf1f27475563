#!/usr/bin/env bash
# Packs what a GPU run needs into ONE xz archive, .gpu-bundle/gpu.tar.xz (git-ignored), because the carried tree is
# limited to 64 MiB and the plain .gpu/ (jlink'd JRE ~45 MB with an unstripped libjvm, jars, espeak-ng and mbrola
# voices) plus the tracked tree (the bundled model and its LM) no longer fit; xz roughly halves it.
#   here:  ci/gpu/prepare.sh && ci/gpu/pack-tts.sh && ci/gpu/bundle.sh
#   there: carry .gpu-bundle; start the command with  tar -xJf .gpu-bundle/gpu.tar.xz &&
# Holds .gpu/ and the test classes that ci/gpu/run-gpu-checks.sh puts on its class path.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
[[ -x .gpu/jre/bin/java ]] || { echo "bundle: .gpu/jre missing: run ci/gpu/prepare.sh first" >&2; exit 1; }
grep -qx '/.gpu-bundle/' .git/info/exclude 2>/dev/null || echo '/.gpu-bundle/' >> .git/info/exclude
mkdir -p .gpu-bundle
parts=(.gpu)
for d in runtime/target/test-classes jvm-bindings/target/test-classes; do [[ -d $d ]] && parts+=("$d"); done
tar -cf - "${parts[@]}" | xz -T0 -6 > .gpu-bundle/gpu.tar.xz.tmp
mv .gpu-bundle/gpu.tar.xz.tmp .gpu-bundle/gpu.tar.xz
source ci/gpu/travel-limit.sh
check_travel_size bundle .gpu-bundle/gpu.tar.xz ""
