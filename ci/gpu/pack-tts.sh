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
#                                   none), as espeak-ng looks for them first inside its data folder; non-English
#                                   speakers (fr1, pl1, ro1...) for train-on-gpu.sh ACCENTED_HOURS, which speak
#                                   English through espeak-ng's mb-fr1-en... voices
#   .gpu/tts/bin/festival, .gpu/tts/bin/text2wave, .gpu/tts/festival/
#                                   festival with its scheme library, lexicons and the FESTIVAL_VOICES (default
#                                   "rab_diphone don_diphone cmu_us_slt_arctic_hts", ~9 MB; "" packs no festival), so
#                                   the corpus made there can hold the few-voice kind the GPU corpus lacked (see below);
#                                   festival's MBROLA voices (us1_mbrola, us3_mbrola of install-tts.sh
#                                   --more-diphone-voices --non-free) share MBROLA_VOICES' database files
#   .gpu/tts/held-out/              copies of the HELD_OUT files (corpus.json summaries, evaluation manifests, voice
#                                   lists): train-on-gpu.sh passes each to synth-corpus --exclude-voices, so that the
#                                   corpus made there never speaks with a voice these evaluation sets hold out;
#                                   and the texts of the HELD_OUT_TEXT manifests (or sentence lists) are left out of
#                                   sentences.txt before it is sampled
# About 3.5 MB in all without mbrola and festival voices; ~56 MB with the defaults (~23 MB of it in bundle.sh's xz). Run there with PATH=.gpu/tts/bin:$PATH LD_LIBRARY_PATH=.gpu/tts/lib ESPEAK_DATA_PATH=$PWD/.gpu/tts
# (ESPEAK_DATA_PATH is the folder that CONTAINS espeak-ng-data/; espeak-ng silently falls back to the system data
# when it is wrong, so the self-test below checks the "Data at:" line of --version).
#
# libpcaudio (audio playback) links ALSA, PulseAudio and through them libsndfile, X11, systemd, codecs: ~13 MB that
# would not fit. espeak-ng only touches it when it plays sound; writing a WAV (-w) never does, but the loader still
# needs the library and its symbols. So we compile a libpcaudio.so.0 with the same API that has no output device:
# create_audio_device_object() returns NULL, which is what the real library returns on a machine with no sound
# device, and espeak-ng then reports an audio error if asked to play (never with -w).
#
# festival: `festival --script` (how text2wave runs) ignores --libdir and reads the compiled-in /usr/share/festival,
# so the carried text2wave.scm first sets festival's datadir/libdir from $FESTIVAL_LIBDIR (set by the bin/text2wave
# wrapper to the carried folder; TtsEngines lists voices from the same variable) and empties the system voice and
# language paths, so a carried festival hears only the carried voices here and there alike. libestbase links ALSA and
# PulseAudio for playback, which text2wave never uses: as with libpcaudio, small no-device stand-ins with the same
# versioned symbols take their place. Flite is not carried: its binary links every voice (~4 MB each), and its only
# voice in any test set (kal16) is scored apart.
#
# Needs here: espeak-ng and festival (ci/install-tts.sh --more-diphone-voices), a C compiler, readelf, and the JRE + jars of ci/gpu/prepare.sh
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
FESTIVAL_VOICES=${FESTIVAL_VOICES-rab_diphone don_diphone cmu_us_slt_arctic_hts}
FESTIVAL_DATA=${FESTIVAL_DATA:-/usr/share/festival}
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
lib_path() { ldd "$1" | awk -v name="$2" '$1 == name { print $3 }'; }   # binary, library name
for name in libespeak-ng.so.1 libsonic.so.0; do
  path=$(lib_path "$ESPEAK" "$name")
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
# The symbols LIBRARY takes, of names matching PREFIX, that none of the STAND-INs defines (with the same version,
# where versioned): what the loader would miss.
missing_symbols() { # library prefix-regex stand-in...
  local library=$1 prefix=$2; shift 2
  comm -23 <(nm -D --undefined-only "$library" | awk '{print $2}' | grep -E "^($prefix)" | sort) \
           <(nm -D --defined-only "$@" | awk 'NF >= 3 {print $3}' | sed 's/@@/@/' | sort)
}
# Every symbol libespeak-ng takes from libpcaudio must be defined by ours.
missing=$(missing_symbols "$TTS/lib/libespeak-ng.so.1" 'audio_|create_audio' "$TTS/lib/libpcaudio.so.0")
[[ -z $missing ]] || fail "the no-audio libpcaudio lacks: $missing"

# festival: the program, its speech-tools libraries and the C++ runtime they need, the scheme library and lexicons
# (no voices but FESTIVAL_VOICES), and a text2wave that runs on the carried folder (see the header).
if [[ -n $FESTIVAL_VOICES ]]; then
  FESTIVAL=$(command -v festival) || fail "FESTIVAL_VOICES=\"$FESTIVAL_VOICES\" but festival is not installed (ci/install-tts.sh)"
  FESTIVAL=$(readlink -f "$FESTIVAL")
  [[ -f $FESTIVAL_DATA/init.scm && -f /usr/bin/text2wave ]] || fail "no festival library at $FESTIVAL_DATA (set FESTIVAL_DATA) or no /usr/bin/text2wave"
  cp "$FESTIVAL" "$TTS/bin/festival"
  for name in libestools.so.2.5 libestbase.so.2.5 libeststring.so.2.5 libstdc++.so.6 libgcc_s.so.1 libgomp.so.1 libtinfo.so.6; do
    path=$(lib_path "$FESTIVAL" "$name")
    [[ -n $path ]] || fail "ldd $FESTIVAL does not list $name"
    cp -L "$path" "$TTS/lib/$name"
  done
  # ALSA and PulseAudio without a device: what libestbase takes from them, with the same symbol versions.
  cat > "$TTS/lib/audio-none.c" <<'C'
/* The ALSA and PulseAudio calls festival's libestbase links for playback, which text2wave never makes: each fails as
   on a machine without a sound device. Built twice, as libasound.so.2 and libpulse-simple.so.0. */
#include <errno.h>
#include <stddef.h>
#ifdef ALSA
int snd_pcm_open(void **pcm, const char *name, int stream, int mode) { (void) name; (void) stream; (void) mode; if (pcm) *pcm = NULL; return -ENODEV; }
int snd_pcm_close(void *pcm) { (void) pcm; return -ENODEV; }
int snd_pcm_drain(void *pcm) { (void) pcm; return -ENODEV; }
int snd_pcm_drop(void *pcm) { (void) pcm; return -ENODEV; }
int snd_pcm_prepare(void *pcm) { (void) pcm; return -ENODEV; }
int snd_pcm_resume(void *pcm) { (void) pcm; return -ENODEV; }
int snd_pcm_state(void *pcm) { (void) pcm; return 8; /* SND_PCM_STATE_DISCONNECTED */ }
int snd_pcm_wait(void *pcm, int timeout) { (void) pcm; (void) timeout; return -ENODEV; }
long snd_pcm_writei(void *pcm, const void *buffer, unsigned long frames) { (void) pcm; (void) buffer; (void) frames; return -ENODEV; }
int snd_pcm_set_params(void *pcm, int format, int access, unsigned channels, unsigned rate, int resample, unsigned latency) {
    (void) pcm; (void) format; (void) access; (void) channels; (void) rate; (void) resample; (void) latency; return -ENODEV;
}
size_t snd_pcm_hw_params_sizeof(void) { return 64; /* callers alloca this much before snd_pcm_hw_params_any */ }
int snd_pcm_hw_params(void *pcm, void *params) { (void) pcm; (void) params; return -ENODEV; }
int snd_pcm_hw_params_any(void *pcm, void *params) { (void) pcm; (void) params; return -ENODEV; }
int snd_pcm_hw_params_set_access(void *pcm, void *params, int access) { (void) pcm; (void) params; (void) access; return -ENODEV; }
int snd_pcm_hw_params_set_channels(void *pcm, void *params, unsigned channels) { (void) pcm; (void) params; (void) channels; return -ENODEV; }
int snd_pcm_hw_params_set_format(void *pcm, void *params, int format) { (void) pcm; (void) params; (void) format; return -ENODEV; }
int snd_pcm_hw_params_set_rate_near(void *pcm, void *params, unsigned *rate, int *dir) { (void) pcm; (void) params; (void) rate; (void) dir; return -ENODEV; }
const char *snd_strerror(int error) { (void) error; return "no sound device: this libasound was built for writing WAV files only (ci/gpu/pack-tts.sh)"; }
#else
void *pa_simple_new(const char *server, const char *name, int dir, const char *dev, const char *stream, const void *spec,
                    const void *map, const void *attr, int *error) {
    (void) server; (void) name; (void) dir; (void) dev; (void) stream; (void) spec; (void) map; (void) attr;
    if (error) *error = 6; /* PA_ERR_CONNECTIONREFUSED */
    return NULL;
}
int pa_simple_write(void *s, const void *data, size_t bytes, int *error) { (void) s; (void) data; (void) bytes; if (error) *error = 6; return -1; }
int pa_simple_drain(void *s, int *error) { (void) s; if (error) *error = 6; return -1; }
void pa_simple_free(void *s) { (void) s; }
#endif
C
  # One version node per symbol version libestbase asks for (ALSA_0.9, ALSA_0.9.0rc4, PULSE_0): the loader checks
  # that each versioned symbol is defined under its version.
  version_script() { # symbol prefix regex -> linker version script on stdout
    nm -D --undefined-only "$TTS/lib/libestbase.so.2.5" | awk '{print $2}' | grep -E "^($1)" | sort -t@ -k2,2 \
      | awk -F@ '$2 != v { if (v != "") print "};"; v = $2; print v " {"; print "  global:" } { print "    " $1 ";" } END { if (v != "") print "};" }'
  }
  version_script 'snd_' > "$TTS/lib/alsa.map"
  version_script 'pa_' > "$TTS/lib/pulse.map"
  "$CC" -O2 -shared -fPIC -Wall -Wextra -Werror -DALSA -Wl,-soname,libasound.so.2 -Wl,--version-script="$TTS/lib/alsa.map" \
    -o "$TTS/lib/libasound.so.2" "$TTS/lib/audio-none.c"
  "$CC" -O2 -shared -fPIC -Wall -Wextra -Werror -Wl,-soname,libpulse-simple.so.0 -Wl,--version-script="$TTS/lib/pulse.map" \
    -o "$TTS/lib/libpulse-simple.so.0" "$TTS/lib/audio-none.c"
  rm "$TTS/lib/audio-none.c" "$TTS/lib/alsa.map" "$TTS/lib/pulse.map"
  # every versioned ALSA/PulseAudio symbol libestbase needs must be defined, with its version, by the stand-ins
  missing=$(missing_symbols "$TTS/lib/libestbase.so.2.5" 'snd_|pa_' "$TTS/lib/libasound.so.2" "$TTS/lib/libpulse-simple.so.0")
  [[ -z $missing ]] || fail "the no-device ALSA/PulseAudio stand-ins lack: $missing"

  mkdir -p "$TTS/festival"
  ( cd "$FESTIVAL_DATA" && tar -cf - --exclude=./voices . ) | tar -xf - -C "$TTS/festival"
  for voice in $FESTIVAL_VOICES; do
    dir=$(ls -d "$FESTIVAL_DATA"/voices/*/"$voice" 2>/dev/null | head -n 1)
    [[ -n $dir ]] || fail "festival voice $voice is not installed under $FESTIVAL_DATA/voices (ci/install-tts.sh --more-diphone-voices)"
    lang_dir="$TTS/festival/voices/$(basename "$(dirname "$dir")")"
    mkdir -p "$lang_dir"
    if [[ $voice == *_mbrola ]]; then
      # festvox-us1 & co. read the MBROLA database at VOICE/NAME/NAME (a link into /usr/share/mbrola): point it at
      # the copy carried for espeak-ng instead of carrying the ~7 MB twice.
      db=${voice%_mbrola}
      [[ " $MBROLA_VOICES " == *" $db "* ]] || fail "festival voice $voice speaks with the MBROLA database $db: add $db to MBROLA_VOICES"
      dest="$PWD/$lang_dir/$voice"
      mkdir -p "$dest/$db"
      ( cd "$dir" && find . -mindepth 1 -maxdepth 1 ! -name "$db" -exec cp -r {} "$dest/" \; )
      ln -s "../../../../../espeak-ng-data/mbrola/$db" "$lang_dir/$voice/$db/$db"
    else
      cp -rL "$dir" "$lang_dir/"
    fi
  done
  # text2wave, reading festival's library from $FESTIVAL_LIBDIR and nothing from the system's paths
  python3 - /usr/bin/text2wave "$TTS/festival/text2wave.scm" <<'PY'
import sys
src, dst = sys.argv[1:]
text = open(src, encoding="latin-1").read()
load = '(load (path-append datadir "init.scm"))'
if text.count(load) != 1:
    sys.exit(f"pack-tts: {src} does not load init.scm the way this script expects: {load!r}")
carried = (';;; carried by ci/gpu/pack-tts.sh: the library is $FESTIVAL_LIBDIR, and only it\n'
           '(set! datadir (path-as-directory (getenv "FESTIVAL_LIBDIR")))\n'
           '(set! libdir datadir)\n'
           '(define system-voice-path nil)\n'
           '(define system-language-path nil)\n')
open(dst, "w", encoding="latin-1").write(text.replace(load, carried + load))
PY
  cat > "$TTS/bin/text2wave" <<'SH'
#!/bin/sh
# festival's text2wave on the festival carried by ci/gpu/pack-tts.sh (festival --script ignores --libdir)
here=$(cd "$(dirname "$0")" && pwd)
FESTIVAL_LIBDIR=${FESTIVAL_LIBDIR:-$(cd "$here/../festival" && pwd)}
export FESTIVAL_LIBDIR
exec "$here/festival" --script "$FESTIVAL_LIBDIR/text2wave.scm" "$@"
SH
  chmod +x "$TTS/bin/text2wave"
fi

# Each carried file may need only carried libraries and glibc (present on any glibc machine).
GLIBC_RE='^(libc|libm|libdl|libpthread|librt|ld-linux-x86-64)\.so'
for f in "$TTS"/bin/* "$TTS"/lib/*.so*; do
  [[ $(head -c 4 "$f") == $'\x7fELF' ]] || continue   # bin/text2wave is a shell script
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
  read -r -a held_voices <<< "$HELD_OUT"
  # read here with the reader synth-corpus uses there (it names a missing file, or one that holds out nothing), so a
  # bad file fails before it travels
  "$JAVA" -cp "$CP" dev.speechmamba.data.HeldOutVoices "${held_voices[@]}" || fail "HELD_OUT: the file named above holds out nothing usable"
  mkdir -p "$TTS/held-out"
  for f in "${held_voices[@]}"; do
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
  # PATH holds only the carried bin first: the carried mbrola with the carried voice file. A non-English speaker
  # (fr1) is heard through espeak-ng's English voice for it (mb-fr1-en: synth-corpus --accented-mbrola), as only
  # en_dict travels.
  speaker=mb-$voice
  [[ -f $SYSTEM_DATA/voices/mb/mb-$voice-en ]] && speaker=mb-$voice-en
  espeak-ng -v "$speaker" -w "$probe/system-$voice.wav" "the carried engine speaks like the installed one"
  clean espeak-ng -v "$speaker" -w "$probe/carried-$voice.wav" "the carried engine speaks like the installed one"
  [[ $(stat -c %s "$probe/carried-$voice.wav") -gt 10000 ]] || fail "the carried mbrola voice $voice wrote no audio"
  cmp -s "$probe/system-$voice.wav" "$probe/carried-$voice.wav" || fail "the carried mbrola voice $voice's WAV differs from the system one's"
done
festival_note="festival: none"
if [[ -n $FESTIVAL_VOICES ]]; then
  loaded=$(clean ldd "$TTS/bin/festival")
  for name in libestools.so.2.5 libestbase.so.2.5 libeststring.so.2.5 libstdc++.so.6 libasound.so.2 libpulse-simple.so.0; do
    grep -qF "$name => $PWD/$TTS/lib/$name" <<< "$loaded" || fail "festival does not load $name from $TTS/lib: $loaded"
  done
  echo "the carried festival speaks like it does there" > "$probe/festival.txt"
  hidden="skipped (hiding /usr/share/festival needs root and unshare)"
  for voice in $FESTIVAL_VOICES; do
    clean text2wave -eval "(voice_$voice)" -eval "(Parameter.set 'Duration_Stretch 1.1)" "$probe/festival.txt" -o "$probe/festival-$voice.wav" \
      || fail "the carried festival could not speak with $voice"
    [[ $(stat -c %s "$probe/festival-$voice.wav") -gt 10000 ]] || fail "the carried festival voice $voice wrote no audio"
    # With the system's festival library hidden, as on a machine without festival, the carried one must say the same.
    if [[ $(id -u) == 0 ]] && command -v unshare >/dev/null && [[ -d /usr/share/festival ]]; then
      unshare -m sh -c 'mount -t tmpfs none /usr/share/festival && exec "$@"' sh \
        env -i PATH="$PWD/$TTS/bin:/usr/bin:/bin" LD_LIBRARY_PATH="$PWD/$TTS/lib" \
        text2wave -eval "(voice_$voice)" -eval "(Parameter.set 'Duration_Stretch 1.1)" "$probe/festival.txt" -o "$probe/hidden-$voice.wav" \
        || fail "the carried festival could not speak with $voice once /usr/share/festival was hidden"
      cmp -s "$probe/festival-$voice.wav" "$probe/hidden-$voice.wav" \
        || fail "the carried festival's $voice WAV changes when /usr/share/festival is hidden: it reads the system's files"
      hidden="identical with /usr/share/festival hidden"
    fi
  done
  festival_note="festival voices: $FESTIVAL_VOICES ($hidden)"
fi
echo "pack-tts: self-test passed (clean env, carried libs + data, $(clean espeak-ng --voices=en | tail -n +2 | wc -l) English voices, $(clean espeak-ng --voices=variant | tail -n +2 | wc -l) variants, mbrola voices: ${MBROLA_VOICES:-none}, WAV identical to the system's; $festival_note)"
{ du -sh "$TTS"/*; du -sh "$TTS"; } | sed 's/^/pack-tts: /'
