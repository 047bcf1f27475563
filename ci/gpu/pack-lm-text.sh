#!/usr/bin/env bash
# Packs the LM text sources for ci/gpu/neural-lm-on-gpu.sh into .lmgpu/ (git-ignored), since the GPU machine has
# none of Debian's text packages: the fortunes, WordNet's data files and GCIDE (ci/install-tts.sh installs them
# here), and the sentences of the held-out sets, one per line, that the LM must never train on.
#   usage: ci/gpu/pack-lm-text.sh HELD_OUT_MANIFEST_OR_TEXT...   (e.g. every valid/test manifest of the evaluations)
# With the bundle of ci/gpu/bundle.sh (~21 MB) and the tracked tree this comes to ~56 of the 64 MiB that travel.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
(($# > 0)) || { echo "usage: ci/gpu/pack-lm-text.sh HELD_OUT_MANIFEST_OR_TEXT..." >&2; exit 2; }
grep -qx '/.lmgpu/' .git/info/exclude 2>/dev/null || echo '/.lmgpu/' >> .git/info/exclude
mkdir -p .lmgpu
gcide=""
for g in /usr/share/dictd/gcide.dict.dz /usr/local/share/dictd/gcide.dict.dz; do [[ -f $g ]] && { gcide=$g; break; }; done
[[ -d /usr/share/games/fortunes && -f /usr/share/wordnet/data.noun ]] \
  || { echo "pack-lm-text: fortunes / wordnet-base are not installed (ci/install-tts.sh)" >&2; exit 1; }
[[ -n $gcide ]] || echo "pack-lm-text: warning: GCIDE is not installed; the LM text there will lack it" >&2
# Paths relative to / so that the GPU side unpacks them where SentenceSource and DictionaryText look.
(cd / && tar -cf - usr/share/games/fortunes usr/share/wordnet/data.* ${gcide:+${gcide#/}}) | xz -T0 -9 > .lmgpu/lmsrc.tar.xz.tmp
mv .lmgpu/lmsrc.tar.xz.tmp .lmgpu/lmsrc.tar.xz
# Transcripts of the held-out files (segments' texts for long-form manifests; a text file's lines as they are).
python3 - "$@" > .lmgpu/heldout.txt <<'PY'
import json, sys
seen = {}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        if path.endswith((".jsonl", ".json")):
            for line in f:
                if not line.strip():
                    continue
                entry = json.loads(line)
                texts = [s["text"] for s in entry["segments"]] if entry.get("segments") else [entry["text"]]
                for t in texts:
                    seen.setdefault(t.strip(), None)
        else:
            for line in f:
                seen.setdefault(line.strip(), None)
print("\n".join(t for t in seen if t))
PY
echo "pack-lm-text: .lmgpu/lmsrc.tar.xz $(($(stat -c %s .lmgpu/lmsrc.tar.xz) / 1000000)) MB, $(wc -l < .lmgpu/heldout.txt) held-out sentences"
