#!/usr/bin/env bash
# Installs the Debian text-to-speech engines and text sources that `speech-mamba synth-corpus` uses.
# Run as root (or with sudo). Packages the configured archives do not carry (mbrola and its voices live in
# contrib/non-free, pico in non-free) are reported and skipped: synth-corpus discovers at run time what is
# installed, so a partial install still works with fewer voices.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then exec sudo -E "$0" "$@"; fi
  echo "install-tts.sh: run as root (apt-get needs it)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update

wanted=(
  espeak-ng                       # many English accents and +variants
  mbrola mbrola-us1 mbrola-us2 mbrola-us3 mbrola-en1   # espeak-ng "mb-us1"... (contrib/non-free)
  flite                           # built-in voices kal, kal16, slt, rms, awb
  festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
  libttspico-utils                # pico2wave en-US / en-GB (non-free)
  fortunes fortunes-min           # sentence sources
  wordnet-base                    # WordNet data.* files with quoted example sentences
)

available=()
missing=()
for pkg in "${wanted[@]}"; do
  candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [[ -n "$candidate" && "$candidate" != "(none)" ]]; then
    available+=("$pkg")
  else
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "install-tts.sh: not in the configured archives, skipped: ${missing[*]}" >&2
  echo "install-tts.sh: (enable the contrib and non-free components to get mbrola voices and pico)" >&2
fi
apt-get install -y --no-install-recommends "${available[@]}"
echo "install-tts.sh: installed ${available[*]}"
