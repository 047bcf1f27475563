#!/usr/bin/env bash
# Packs espeak-ng and a sentence list into .gpu/tts/ so that ci/gpu/train-on-gpu.sh can synthesize its corpus ON the
# GPU machine (no network, no TTS engine, no fortunes/WordNet there; the carried tree is limited to 64 MiB, and the
# JRE + jars of ci/gpu/prepare.sh take ~55 MB, so hours of WAV cannot travel but the engine can):
#   .gpu/tts/bin/espeak-ng          the system binary
#   .gpu/tts/lib/                   libespeak-ng.so.1, libsonic.so.0 and a no-audio libpcaudio.so.0 (see below)
#   .gpu/tts/espeak-ng-data/        phonemes, intonations, lang/, voices/ and en_dict only (other *_dict dropped)
#   .gpu/tts/sentences.txt          a seeded sample of SENTENCES (default 30000) normalized sentences from
#                                   fortunes + WordNet (synth-corpus --sentences), ~1.3 MB
#   .gpu/tts/words.txt.gz           Debian's wamerican-large + wbritish-large word lists for the lexicon, ~0.9 MB
#   .gpu/tts/bin/mbrola, .gpu/tts/espeak-ng-data/mbrola/NAME
#                                   the mbrola program and the MBROLA_VOICES (default "us1 us3", ~6 MB each; "" for
#                                   none), as espeak-ng looks for them first inside its data folder
#   .gpu/tts/held-out/              copies of the HELD_OUT files (corpus.json summaries, evaluation manifests, voice
#                                   lists): train-on-gpu.sh passes each to synth-corpus --exclude-voices, so that the
#                                   corpus made there never speaks with a voice these evaluation sets hold out;
#                                   and the texts of the HELD_OUT_TEXT manifests (or sentence lists) are left out of
#                                   sentences.txt before it is sampled
# About 3.5 MB in all without mbrola voices. Run there with PATH=.gpu/tts/bin:$PATH LD_LIBRARY_PATH=.gpu/tts/lib ESPEAK_DATA_PATH=$PWD/.gpu/tts
# (ESPEAK_DATA_PATH is the folder that CONTAINS espeak-ng-data/; espeak-ng silently falls back to the system data
# when it is wrong, so the self-test below checks the "Data at:" line of --version).
#
# libpcaudio (audio playback) links ALSA, PulseAudio and through them libsndfile, X11, systemd, codecs: ~13 MB that
# would not fit. espeak-ng only touches it when it plays sound; writing a WAV (-w) never does, but the loader still
# needs the library and its symbols. So we compile a libpcaudio.so.0 with the same API that has no output device:
# create_audio_device_object() returns NULL, which is what the real library returns on a machine with no sound
# device, and espeak-ng then reports an audio error if asked to play (never with -w).
#
# Needs here: espeak-ng (ci/install-tts.sh), a C compiler, readelf, and the JRE + jars of ci/gpu/prepare.sh
# (.gpu/jre, .gpu/lib) to write the sentences. Does not touch the rest of .gpu/.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
TTS=.gpu/tts
SENTENCES=${SENTENCES:-30000}
SENTENCE_SEED=${SENTENCE_SEED:-1}
JAVA=${JAVA:-.gpu/jre/bin/java}
CP=${CP:-.gpu/lib/*}
SYSTEM_DATA=${SYSTEM_DATA:-/usr/lib/x86_64-linux-gnu/espeak-ng-data}
MBROLA_VOICES=${MBROLA_VOICES-us1 us3}
HELD_OUT=${HELD_OUT:-}
HELD_OUT_TEXT=${HELD_OUT_TEXT:-}

fail() { echo "pack-tts: $*" >&2; exit 1; }
ESPEAK=$(command -v espeak-ng) || fail "espeak-ng is not installed (ci/install-tts.sh)"
ESPEAK=$(readlink -f "$ESPEAK")
[[ -d $SYSTEM_DATA/lang && -f $SYSTEM_DATA/en_dict ]] || fail "no espeak-ng data at $SYSTEM_DATA (set SYSTEM_DATA)"
[[ -x $JAVA ]] || fail "$JAVA missing: run ci/gpu/prepare.sh first"
CC=${CC:-cc}
command -v "$CC" >/dev/null || fail "no C compiler ($CC) for the no-audio libpcaudio"

rm -rf "$TTS"
mkdir -p "$TTS/bin" "$TTS/lib" "$TTS/espeak-ng-data"
cp "$ESPEAK" "$TTS/bin/espeak-ng"

# The libraries espeak-ng loads, found where the loader finds them here.
lib_path() { ldd "$ESPEAK" | awk -v name="$1" '$1 == name { print $3 }'; }
for name in libespeak-ng.so.1 libsonic.so.0; do
  path=$(lib_path "$name")
  [[ -n $path ]] || fail "ldd $ESPEAK does not list $name"
  cp -L "$path" "$TTS/lib/$name"
done

cat > "$TTS/lib/pcaudio-none.c" <<'C'
/* libpcaudio's API without any output device: espeak-ng links it for playback, which writing WAV files never uses. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
struct audio_object;
struct audio_object *create_audio_device_object(const char *device, const char *application_name, const char *description) {
    (void) device; (void) application_name; (void) description;
    return NULL; /* no sound device: the same answer the real library gives on a machine without one */
}
int audio_object_open(struct audio_object *object, int format, uint32_t rate, uint8_t channels) {
    (void) object; (void) format; (void) rate; (void) channels;
    return ENODEV;
}
void audio_object_close(struct audio_object *object) { (void) object; }
void audio_object_destroy(struct audio_object *object) { (void) object; }
int audio_object_write(struct audio_object *object, const void *data, size_t bytes) { (void) object; (void) data; (void) bytes; return ENODEV; }
int audio_object_drain(struct audio_object *object) { (void) object; return ENODEV; }
int audio_object_flush(struct audio_object *object) { (void) object; return ENODEV; }
const char *audio_object_strerror(struct audio_object *object, int error) {
    (void) object; (void) error;
    return "no audio output: this libpcaudio was built for writing WAV files only (ci/gpu/pack-tts.sh)";
}
C
"$CC" -O2 -shared -fPIC -Wall -Wextra -Werror -Wl,-soname,libpcaudio.so.0 -o "$TTS/lib/libpcaudio.so.0" "$TTS/lib/pcaudio-none.c"
rm "$TTS/lib/pcaudio-none.c"
# Every symbol libespeak-ng takes from libpcaudio must be defined by ours.
missing=$(comm -23 <(nm -D --undefined-only "$TTS/lib/libespeak-ng.so.1" | awk '{print $2}' | grep -E '^(audio_|create_audio)' | sort) \
                   <(nm -D --defined-only "$TTS/lib/libpcaudio.so.0" | awk '{print $3}' | sort))
[[ -z $missing ]] || fail "the no-audio libpcaudio lacks: $missing"

# Each carried file may need only carried libraries and glibc (present on any glibc machine).
GLIBC_RE='^(libc|libm|libdl|libpthread|librt|ld-linux-x86-64)\.so'
for f in "$TTS"/bin/* "$TTS"/lib/*.so*; do
  for need in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [[ $need =~ $GLIBC_RE || -f $TTS/lib/$need ]] || fail "$f needs $need, which is not carried"
  done
done

# English only: phoneme tables, intonations, every voice/variant definition (they are small and keep the voice
# lists identical to the system's), and en_dict; the other languages' dictionaries (~10 MB) stay here.
( cd "$SYSTEM_DATA" && tar -cf - --exclude='./*_dict' --exclude=./phondata-manifest . ) | tar -xf - -C "$TTS/espeak-ng-data"
cp "$SYSTEM_DATA/en_dict" "$TTS/espeak-ng-data/"

# mbrola: a static-enough program (glibc only) and each voice's data file where espeak-ng looks first.
if [[ -n $MBROLA_VOICES ]]; then
  MBROLA=$(command -v mbrola) || fail "MBROLA_VOICES=\"$MBROLA_VOICES\" but mbrola is not installed (ci/install-tts.sh)"
  cp "$(readlink -f "$MBROLA")" "$TTS/bin/mbrola"
  mkdir -p "$TTS/espeak-ng-data/mbrola"
  for voice in $MBROLA_VOICES; do
    data=/usr/share/mbrola/$voice/$voice
    [[ -f $data ]] || fail "mbrola voice $voice is not installed ($data missing; apt-get install mbrola-$voice)"
    cp "$data" "$TTS/espeak-ng-data/mbrola/$voice"
  done
fi

# Evaluation sets whose voices the corpus made there must not use.
if [[ -n $HELD_OUT ]]; then
  mkdir -p "$TTS/held-out"
  for f in $HELD_OUT; do
    [[ -f $f ]] || fail "HELD_OUT file $f is missing"
    # corpus.json files of different corpora share a name: prefix the folder's
    cp "$f" "$TTS/held-out/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
fi

# The sentences of evaluation manifests (HELD_OUT_TEXT) are never spoken there, so an evaluation there or here
# meets new text as well as new voices; SentenceSource reads them (and names a missing one) with the project's
# manifest reader.
read -r -a held_texts <<< "$HELD_OUT_TEXT"
"$JAVA" -cp "$CP" dev.speechmamba.data.SentenceSource "$TTS/sentences.txt" "$SENTENCES" "$SENTENCE_SEED" "${held_texts[@]}"

# The word lists of the beam-search lexicon (train-lm --word-list there).
word_lists=()
for list in /usr/share/dict/american-english-large /usr/share/dict/british-english-large; do
  [[ -f $list ]] && word_lists+=("$list")
done
rm -f "$TTS/words.txt.gz"
if [[ ${#word_lists[@]} -gt 0 ]]; then
  cat "${word_lists[@]}" | gzip -9 > "$TTS/words.txt.gz"
else
  echo "pack-tts: no /usr/share/dict/*-english-large word lists (ci/install-tts.sh): the GPU run's lexicon will hold only its LM text's words" >&2
fi

# Self-test the way it runs there: a clean environment, only the carried libraries and data.
clean() { env -i PATH="$PWD/$TTS/bin:/usr/bin:/bin" LD_LIBRARY_PATH="$PWD/$TTS/lib" ESPEAK_DATA_PATH="$PWD/$TTS" "$@"; }
# (outputs are captured first: grep -q ending early would fail the pipe under pipefail)
loaded=$(clean ldd "$TTS/bin/espeak-ng")
for name in libespeak-ng.so.1 libsonic.so.0 libpcaudio.so.0; do
  grep -qF "$name => $PWD/$TTS/lib/$name" <<< "$loaded" || fail "$name is not loaded from $TTS/lib: $loaded"
done
version=$(clean espeak-ng --version)
grep -qF "Data at: $PWD/$TTS/espeak-ng-data" <<< "$version" || fail "espeak-ng does not read the carried data: $version"
for list in en variant; do
  diff <(espeak-ng --voices=$list) <(clean espeak-ng --voices=$list) >/dev/null \
    || fail "--voices=$list differs from the system's: $(diff <(espeak-ng --voices=$list) <(clean espeak-ng --voices=$list) | head -5)"
done
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
espeak-ng -v en-gb-scotland+f3 -s 160 -w "$probe/system.wav" "the carried engine speaks like the installed one"
clean espeak-ng -v en-gb-scotland+f3 -s 160 -w "$probe/carried.wav" "the carried engine speaks like the installed one"
[[ $(stat -c %s "$probe/carried.wav") -gt 10000 ]] || fail "the carried espeak-ng wrote no audio"
cmp -s "$probe/system.wav" "$probe/carried.wav" || fail "the carried espeak-ng's WAV differs from the system one's"
for voice in $MBROLA_VOICES; do
  # PATH holds only the carried bin first: the carried mbrola with the carried voice file
  espeak-ng -v "mb-$voice" -w "$probe/system-$voice.wav" "the carried engine speaks like the installed one"
  clean espeak-ng -v "mb-$voice" -w "$probe/carried-$voice.wav" "the carried engine speaks like the installed one"
  [[ $(stat -c %s "$probe/carried-$voice.wav") -gt 10000 ]] || fail "the carried mbrola voice $voice wrote no audio"
  cmp -s "$probe/system-$voice.wav" "$probe/carried-$voice.wav" || fail "the carried mbrola voice $voice's WAV differs from the system one's"
done
echo "pack-tts: self-test passed (clean env, carried libs + data, $(clean espeak-ng --voices=en | tail -n +2 | wc -l) English voices, $(clean espeak-ng --voices=variant | tail -n +2 | wc -l) variants, mbrola voices: ${MBROLA_VOICES:-none}, WAV identical to the system's)"
du -sh "$TTS" "$TTS"/* | sed 's/^/pack-tts: /'
