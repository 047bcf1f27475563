#!/usr/bin/env bash
# Packs the JRE, the jars and the first COUNT recordings of a manifest into ONE xz archive, .gpu-long/long.tar.xz
# (git-ignored), so that ci/gpu/eval-long-on-gpu.sh can decode long recordings on a GPU machine: the evaluation
# recordings are made here and cannot be re-synthesized there, and the carried tree is limited to 64 MiB (a 10-minute
# recording is 18 MB as WAV, ~12 MB in xz; with the JRE and jars two of them fit beside the tracked tree).
#   here:  ci/gpu/prepare.sh && ci/gpu/bundle-long.sh MANIFEST [COUNT (2)]
#   there: carry .gpu-long; tar -xJf .gpu-long/long.tar.xz && ci/gpu/eval-long-on-gpu.sh
# The archive holds long/long.jsonl (the entries, their audio paths rewritten) and long/audio/.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
MANIFEST=${1:?usage: ci/gpu/bundle-long.sh MANIFEST [COUNT]}
COUNT=${2:-2}
[[ -f $MANIFEST ]] || { echo "bundle-long: no manifest $MANIFEST" >&2; exit 1; }
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || { echo "bundle-long: COUNT must be a positive integer, got '$COUNT'" >&2; exit 1; }
[[ -x .gpu/jre/bin/java && -n $(ls .gpu/lib/speech-mamba-runtime-*.jar 2>/dev/null) ]] || { echo "bundle-long: .gpu/ missing: run ci/gpu/prepare.sh first" >&2; exit 1; }
grep -qx '/.gpu-long/' .git/info/exclude 2>/dev/null || echo '/.gpu-long/' >> .git/info/exclude
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/long/audio"
# audio paths in a manifest are relative to its folder unless absolute
python3 - "$MANIFEST" "$COUNT" "$STAGE/long" <<'PY'
import json, os, shutil, sys
manifest, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = os.path.dirname(os.path.abspath(manifest))
lines = []
with open(manifest) as f:
    for n, line in enumerate(f, 1):
        if not line.strip():
            continue
        entry = json.loads(line)
        src = entry["audio_filepath"]
        src = src if os.path.isabs(src) else os.path.join(base, src)
        if not os.path.isfile(src):
            sys.exit(f"bundle-long: {manifest} line {n}: audio {src} does not exist")
        name = f"{len(lines) + 1:03d}-{os.path.basename(src)}"
        shutil.copyfile(src, os.path.join(out, "audio", name))
        entry["audio_filepath"] = "audio/" + name
        lines.append(json.dumps(entry))
        if len(lines) == count:
            break
if len(lines) < count:
    sys.exit(f"bundle-long: {manifest} has {len(lines)} entries, {count} asked for")
with open(os.path.join(out, "long.jsonl"), "w") as f:
    f.write("\n".join(lines) + "\n")
hours = sum(json.loads(l).get("duration", 0) for l in lines) / 3600
print(f"bundle-long: {len(lines)} recordings, {hours:.2f} h of audio")
PY
mkdir -p .gpu-long
tar -cf - .gpu/jre .gpu/lib -C "$STAGE" long | xz -T0 -6 > .gpu-long/long.tar.xz.tmp
mv .gpu-long/long.tar.xz.tmp .gpu-long/long.tar.xz
source ci/gpu/travel-limit.sh
check_travel_size bundle-long .gpu-long/long.tar.xz "ask for fewer recordings"
