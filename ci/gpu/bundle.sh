#!/usr/bin/env bash
# Packs what a GPU run needs into ONE xz archive, .gpu-bundle/gpu.tar.xz (git-ignored), because the carried tree is
# limited to 64 MiB and the plain .gpu/ (jlink'd JRE ~45 MB with an unstripped libjvm, jars, espeak-ng and mbrola
# voices) plus the tracked tree (the bundled model and its LM) no longer fit; xz roughly halves it.
#   here:  ci/gpu/prepare.sh && ci/gpu/pack-tts.sh && ci/gpu/bundle.sh
#   there: carry .gpu-bundle; start the command with  tar -xJf .gpu-bundle/gpu.tar.xz &&
# Holds .gpu/ and the test classes that ci/gpu/run-gpu-checks.sh puts on its class path.
# Environment: TEST_CLASSES (1; 0 leaves them out, for a run that only trains, like ci/gpu/train-on-gpu.sh: the
# tenth H200 session's bundle 44.6 -> 43.9 MB), XZ_LEVEL (6; 9 took that to 43.6 MB, in 2 min instead of 1 on two
# cores).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
[[ -x .gpu/jre/bin/java ]] || { echo "bundle: .gpu/jre missing: run ci/gpu/prepare.sh first" >&2; exit 1; }
grep -qx '/.gpu-bundle/' .git/info/exclude 2>/dev/null || echo '/.gpu-bundle/' >> .git/info/exclude
mkdir -p .gpu-bundle
parts=(.gpu)
XZ_LEVEL=${XZ_LEVEL:-6}
TEST_CLASSES=${TEST_CLASSES:-1}
[[ $XZ_LEVEL =~ ^[0-9]$ ]] || { echo "bundle: XZ_LEVEL=$XZ_LEVEL is not an xz level 0-9" >&2; exit 1; }
[[ $TEST_CLASSES == 0 || $TEST_CLASSES == 1 ]] || { echo "bundle: TEST_CLASSES=$TEST_CLASSES is not 0 or 1" >&2; exit 1; }
if [[ $TEST_CLASSES == 1 ]]; then
  for d in runtime/target/test-classes jvm-bindings/target/test-classes; do [[ -d $d ]] && parts+=("$d"); done
fi
tar -cf - "${parts[@]}" | xz -T0 "-$XZ_LEVEL" > .gpu-bundle/gpu.tar.xz.tmp
mv .gpu-bundle/gpu.tar.xz.tmp .gpu-bundle/gpu.tar.xz
source ci/gpu/travel-limit.sh
hint=""
((XZ_LEVEL < 9)) && hint="XZ_LEVEL=9 packs it ~0.3 MB smaller"
[[ $TEST_CLASSES == 1 ]] && hint="${hint:+$hint; }TEST_CLASSES=0 leaves out the test classes, ~0.7 MB (a training run needs none)"
check_travel_size bundle .gpu-bundle/gpu.tar.xz "$hint"
