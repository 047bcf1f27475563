#!/usr/bin/env bash
# Installs the Debian text-to-speech engines and text sources that `speech-mamba synth-corpus` uses, and the word
# lists and dictionary text the default model's lexicon and language model are made from.
# Run as root (or with sudo). Packages the configured archives do not carry (mbrola and its voices live in
# contrib/non-free, pico in non-free) are reported and skipped: synth-corpus discovers at run time what is
# installed, so a partial install still works with fewer voices.
#   --non-free   on Debian, first enable the contrib and non-free components (a file of its own in
#                /etc/apt/sources.list.d/), so the four English MBROLA diphone voices and pico install too.
#                Their licences differ from the rest: MBROLA voices are for non-commercial, non-military use,
#                and pico's language data ship without source; read them before you train on their speech.
#   --more-diphone-voices   also festival's LPC diphone voices rab_diphone and don_diphone (the default model's
#                stage 9 corpus) and, with --non-free, its MBROLA voices us1_mbrola and us3_mbrola (festvox-us1/us3,
#                contrib: festival's front end on the MBROLA speakers espeak-ng's mb-us1/mb-us3 speak; stage 14).
#                Not festvox-us2/en1: their speakers are held out of the default model's training. Not in the
#                default set because synth-corpus splits each engine's voices into train/valid/test with the seed:
#                more festival voices would change which voices the recipe's 4-hour corpus holds out, and with
#                them every number measured on it.
#   --accented-mbrola-voices   (needs --non-free) the 16 non-English MBROLA speakers that espeak-ng speaks English
#                with (mb-de1-en ... mb-de6-en, mb-nl2-en, mb-fr1-en, mb-fr4-en, mb-sw1-en, mb-sw2-en, mb-af1-en,
#                mb-gr2-en, mb-ro1-en, mb-hu1-en, mb-pl1-en): `synth-corpus --accented-mbrola` uses them.
#   --accented-festival-voices   festival's Spanish, Finnish and Czech diphone speakers (el_diphone, suo_fi_lj_diphone,
#                hy_fi_mv_diphone, czech_dita, czech_krb, czech_machac, czech_ph; main archive), which
#                `synth-corpus --accented-festival` makes speak English through kal_diphone's front end.
set -euo pipefail

non_free=0
more_diphone=0
accented_mbrola=0
accented_festival=0
for arg in "$@"; do
  case "$arg" in
    --non-free) non_free=1 ;;
    --more-diphone-voices) more_diphone=1 ;;
    --accented-mbrola-voices) accented_mbrola=1 ;;
    --accented-festival-voices) accented_festival=1 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-tts.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then exec sudo -E "$0" "$@"; fi
  echo "install-tts.sh: run as root (apt-get needs it)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [[ $non_free -eq 1 ]]; then
  # shellcheck source=/dev/null
  . /etc/os-release
  [[ "${ID:-}" == debian && -n "${VERSION_CODENAME:-}" ]] \
    || { echo "install-tts.sh: --non-free knows Debian's archive layout only (this is ${ID:-unknown})" >&2; exit 2; }
  cat > /etc/apt/sources.list.d/speech-mamba-contrib-non-free.sources <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: $VERSION_CODENAME
Components: contrib non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  echo "install-tts.sh: enabled contrib and non-free ($VERSION_CODENAME) in /etc/apt/sources.list.d/speech-mamba-contrib-non-free.sources" >&2
fi
apt-get update

wanted=(
  espeak-ng                       # many English accents and +variants
  mbrola mbrola-us1 mbrola-us2 mbrola-us3 mbrola-en1   # espeak-ng "mb-us1"... (contrib/non-free)
  flite                           # built-in voices kal, kal16, slt, rms, awb
  festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
  libttspico-utils                # pico2wave en-US / en-GB (non-free)
  fortunes fortunes-min           # sentence sources
  wordnet-base                    # WordNet data.* files with quoted example sentences
  wamerican-large wbritish-large  # word lists for the beam-search lexicon (train-lm --word-list)
)
if [[ $more_diphone -eq 1 ]]; then
  wanted+=(festvox-rablpc16k festvox-don)   # festival rab_diphone (British male), don_diphone
  if [[ $non_free -eq 1 ]]; then wanted+=(festvox-us1 festvox-us3); fi   # festival us1_mbrola, us3_mbrola (contrib)
fi
if [[ $accented_mbrola -eq 1 ]]; then
  [[ $non_free -eq 1 ]] || echo "install-tts.sh: --accented-mbrola-voices: the MBROLA voices are in non-free; add --non-free on Debian" >&2
  for v in de1 de2 de3 de4 de5 de6 nl2 fr1 fr4 sw1 sw2 af1 gr2 ro1 hu1 pl1; do wanted+=("mbrola-$v"); done
fi
if [[ $accented_festival -eq 1 ]]; then
  # festival's Spanish, Finnish and Czech diphone speakers (main archive): `synth-corpus --accented-festival`
  wanted+=(festvox-ellpc11k festvox-suopuhe-lj festvox-suopuhe-mv festvox-czech-dita festvox-czech-krb
           festvox-czech-machac festvox-czech-ph)
fi

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
  echo "install-tts.sh: (--non-free enables the contrib and non-free components, for the mbrola voices and pico)" >&2
fi
apt-get install -y --no-install-recommends "${available[@]}"
echo "install-tts.sh: installed ${available[*]}"

# GCIDE (the 1913 Webster's) for `train-lm --dictionary-text`: only its data file, unpacked from the package, because
# the package itself pulls in the dictd network server.
gcide=/usr/local/share/dictd/gcide.dict.dz
if [[ ! -f /usr/share/dictd/gcide.dict.dz && ! -f $gcide ]]; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download dict-gcide >/dev/null 2>&1); then
    dpkg-deb --fsys-tarfile "$tmp"/dict-gcide_*.deb | tar -x -C "$tmp" ./usr/share/dictd/gcide.dict.dz
    install -D -m 0644 "$tmp/usr/share/dictd/gcide.dict.dz" "$gcide"
    echo "install-tts.sh: GCIDE dictionary text -> $gcide"
  else
    echo "install-tts.sh: dict-gcide is not in the configured archives; train-lm --dictionary-text uses WordNet's glosses only" >&2
  fi
  rm -rf "$tmp"
fi
