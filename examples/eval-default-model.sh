#!/usr/bin/env bash
# Re-makes the default model card's evaluation sets on this machine and scores a model on them the way the card
# (runtime/src/main/resources/dev/speechmamba/models/default/MODEL.md) and docs/benchmarks.md do.
#
#   examples/eval-default-model.sh [--model DIR|FILE] [--data DIR] [--device cpu|cuda] [--sets LIST] [--beam N]
#
#   --model   the model to score (default: the bundled default model, with its LM and lexicon)
#   --data    where the evaluation corpora are made, or already are (default: ./eval-data); a corpus whose
#             corpus.json exists is reused
#   --device  cpu (default) or cuda
#   --sets    comma-separated, any of: unheard (the 4-hour corpus's test split without flite kal16, 892 utterances
#             of 12 speakers no stage trained on; beam N + LMs + lexicon, by voice), long (its 45-60 s recordings,
#             51; same decoding), more (every 5th of the 16-hour corpus's test utterances whose voice and sentence
#             stage 2 never trained on, less those stage 4 trained on, 556; beam 4 + LM + lexicon), mbrola (the unheard MBROLA voice mb-en1, 624; beam 4 + LM),
#             minutes (the four 10-minute recordings of the 4-hour test split, 6 296 words, and the 57-minute one of its
#             test and valid splits, 9 531 words, espeak-ng voices only; beam 4 + LM + lexicon, the 57-minute one with
#             --attention-window 256; ~10 minutes on 2 cores), quiet (every 8th espeak-ng utterance of the unheard set,
#             102, written again 30 dB quieter as 16-bit WAV, read with and without --speech-level; beam N + LMs +
#             lexicon; needs python3). Default: unheard,long,more,mbrola.
#   --beam    beam size of the unheard and long sets (default: 24, as transcribe decodes; the card's numbers before
#             2026-11-28 evening were measured at 10)
#   --make-only  make the sets and stop, e.g. to hold their voices and sentences out of a GPU corpus:
#             HELD_OUT="DATA/corpus-{4h,16h,mb}/corpus.json DATA/test-{more,kinds}-unseen.jsonl" HELD_OUT_TEXT="DATA/corpus-{4h,16h,mb}/{valid,test}.jsonl
#             DATA/test-{more,kinds}-unseen.jsonl" ci/gpu/pack-tts.sh (braces expanded)
#
# The corpora are synthesized (seeded, ~8 minutes for all three on 2 cores) with the voices that were installed when
# they were first made: the seed splits each engine's voices into train/valid/test, so a voice installed later (the
# MBROLA voices and pico of ci/install-tts.sh --non-free, festival rab/don/us1_mbrola/us3_mbrola of
# --more-diphone-voices) would change the split. Such voices are passed to synth-corpus --exclude-voices, which drops
# them before the split, so the split and every utterance are the ones the card was measured on (on 2026-11-27 a fresh
# machine reproduced the shipped model's 16.02 % on the 12 unheard speakers exactly). The 16-hour and MBROLA sets also
# need the training set of stage 4 (the three corpora's training splits joined as the recipe joins them), which holds
# their voices out; it is rebuilt from the same corpora.
# Needs: ci/install-tts.sh; the more and mbrola sets: ci/install-tts.sh --non-free (MBROLA voices and pico).
# Environment: SPEECH_MAMBA_CLI (the command to run, default ./speech-mamba of this checkout).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "eval-default-model: error: $*" >&2; exit 2; }
say() { echo "==> $*" >&2; }
need_value() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }

model="$root/runtime/src/main/resources/dev/speechmamba/models/default" data="eval-data" device=cpu sets="unheard,long,more,mbrola" make_only=0 beam=24
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) need_value "$@"; [[ -e "$2" ]] || die "--model $2 does not exist"; model="$2"; shift 2 ;;
    --data) need_value "$@"; data="$2"; shift 2 ;;
    --device) need_value "$@"; [[ "$2" == cpu || "$2" == cuda ]] || die "--device must be cpu or cuda, got '$2'"; device="$2"; shift 2 ;;
    --sets) need_value "$@"; sets="$2"; shift 2 ;;
    --beam) need_value "$@"; [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "--beam must be a whole number >= 1, got '$2'"; beam="$2"; shift 2 ;;
    --make-only) make_only=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (--help lists the options)" ;;
  esac
done
IFS=, read -r -a wanted <<<"$sets"
for s in "${wanted[@]}"; do
  [[ $s =~ ^(unheard|long|more|mbrola|minutes|quiet)$ ]] || die "--sets: unknown set '$s' (unheard, long, more, mbrola, minutes, quiet)"
done
wants() { [[ ",$sets," == *",$1,"* ]]; }

if [[ -n "${SPEECH_MAMBA_CLI:-}" ]]; then read -r -a cli <<<"$SPEECH_MAMBA_CLI"; else cli=("$root/speech-mamba"); fi
sm() { "${cli[@]}" "$@"; }
mkdir -p "$data"
data="$(cd "$data" && pwd)"

# Voices installed after each corpus was first made (engine:name, as synth-corpus names them); the 4-hour and
# 16-hour corpora predate the same installs.
printf '%s\n' espeak-ng:mb-us1 espeak-ng:mb-us2 espeak-ng:mb-us3 espeak-ng:mb-en1 pico:en-US pico:en-GB \
  festival:rab_diphone festival:don_diphone festival:us1_mbrola festival:us3_mbrola > "$data/later-than-4h-16h.txt"
printf '%s\n' festival:rab_diphone festival:don_diphone festival:us1_mbrola festival:us3_mbrola > "$data/later-than-mb.txt"

corpus() { # name hours seed variants [synth-corpus options...]
  local name=$1 hours=$2 seed=$3 variants=$4; shift 4
  if [[ -f "$data/$name/corpus.json" ]]; then say "$name: reusing $data/$name"; return; fi
  say "$name: synth-corpus --hours $hours --espeak-variants $variants --seed $seed $*"
  sm synth-corpus --hours "$hours" --espeak-variants "$variants" --seed "$seed" --out "$data/$name" --no-progress "$@" >&2
}
corpus corpus-4h 4 7 8 --exclude-voices "$data/later-than-4h-16h.txt"
if wants more || wants mbrola; then
  corpus corpus-16h 16 23 16 --exclude-voices "$data/later-than-4h-16h.txt"
  # stage 4 trained on the MBROLA corpus too, so both sets need it; it needs mbrola with its voices and pico
  if command -v mbrola >/dev/null && [[ -d /usr/share/mbrola/en1 ]] && command -v pico2wave >/dev/null; then
    corpus corpus-mb 6 41 0 --engines espeak-ng,pico --exclude-voices "$data/later-than-mb.txt"
  elif [[ ! -f "$data/corpus-mb/corpus.json" ]]; then
    die "the 16-hour and MBROLA sets need the MBROLA corpus, which needs mbrola, its voices and pico: ci/install-tts.sh --non-free (or --sets unheard,long)"
  fi
  # The two sets built from the corpora below; rebuilt only when missing or older than a corpus they come from.
  sets_stale=0
  for f in test-more-unseen.jsonl test-kinds-unseen.jsonl; do
    for src in "$data"/corpus-{4h,16h,mb}/{train,valid,test}.jsonl; do
      [[ -f "$data/$f" && ! "$src" -nt "$data/$f" ]] || sets_stale=1
    done
  done
  if [[ $sets_stale == 1 ]]; then
    # Stage 4's training set: the voices (and sentences) the 16-hour and MBROLA test sets must not share with it.
    sm merge-manifests --out "$data/train-stage4.jsonl" --hold-out "$data/corpus-4h/test.jsonl" \
      --hold-out-sentences "$data/corpus-4h/valid.jsonl" --hold-out-sentences "$data/corpus-mb/valid.jsonl" \
      --hold-out-sentences "$data/corpus-mb/test.jsonl" \
      "$data/corpus-4h/train.jsonl" "$data/corpus-16h/train.jsonl" "$data/corpus-mb/train.jsonl" >&2
    # the 16-hour set as the recipe made it: the test utterances unseen by stage 2 (voices and sentences), every 5th,
    # then those stage 4 did not train on either
    sm merge-manifests --out "$data/train-stage2.jsonl" --hold-out "$data/corpus-4h/valid.jsonl" --hold-out "$data/corpus-4h/test.jsonl" \
      "$data/corpus-4h/train.jsonl" "$data/corpus-16h/train.jsonl" >&2
    sm merge-manifests --out "$data/test-more-unseen-stage2.jsonl" --hold-out "$data/train-stage2.jsonl" "$data/corpus-16h/test.jsonl" >&2
    awk 'NR % 5 == 1' "$data/test-more-unseen-stage2.jsonl" > "$data/test-more-unseen-every5th.jsonl"
    sm merge-manifests --out "$data/test-more-unseen.jsonl" --hold-out "$data/train-stage4.jsonl" "$data/test-more-unseen-every5th.jsonl" >&2
    sm merge-manifests --out "$data/test-kinds-unseen.jsonl" --hold-out "$data/train-stage4.jsonl" "$data/corpus-mb/test.jsonl" >&2
  fi
fi
if wants long && [[ ! -s "$data/corpus-4h/longform/longform-45-60s.jsonl" ]]; then
  sm long-form "$data/corpus-4h/test.jsonl" --out "$data/corpus-4h/longform" --minutes 0 >&2
fi
if wants minutes; then
  if [[ ! -s "$data/corpus-4h/longform-min/longform-10min.jsonl" ]]; then
    sm long-form "$data/corpus-4h/test.jsonl" --out "$data/corpus-4h/longform-min" --no-paper-set --minutes 10 >&2
  fi
  if [[ ! -s "$data/corpus-4h/longform-60/longform-60min.jsonl" ]]; then
    # test then valid, in one folder so the manifest's relative audio paths hold: 57 minutes of held-out sentences
    # (the valid split's voices have been trained on with other sentences since stage 4)
    cat "$data/corpus-4h/test.jsonl" "$data/corpus-4h/valid.jsonl" > "$data/corpus-4h/test-and-valid.jsonl"
    sm long-form "$data/corpus-4h/test-and-valid.jsonl" --out "$data/corpus-4h/longform-60" --no-paper-set --minutes 60 >&2
  fi
fi

if wants quiet && [[ ! -s "$data/corpus-4h/quiet-30db/manifest.jsonl" ]]; then
  command -v python3 >/dev/null || die "the quiet set needs python3 to write its scaled copies"
  grep '"espeak-ng:' "$data/corpus-4h/test.jsonl" | awk 'NR % 8 == 0' > "$data/corpus-4h/quick-espeak8.jsonl"
  python3 - "$data/corpus-4h" <<'PY'
import array, json, os, sys, wave
base = sys.argv[1]; out = os.path.join(base, "quiet-30db"); os.makedirs(out, exist_ok=True)
gain = 10 ** (-30 / 20)
with open(os.path.join(base, "quick-espeak8.jsonl")) as src, open(os.path.join(out, "manifest.jsonl.tmp"), "w") as dst:
    for line in src:
        entry = json.loads(line)
        path = entry["audio_filepath"]
        with wave.open(path if os.path.isabs(path) else os.path.join(base, path)) as w:
            if w.getsampwidth() != 2: sys.exit(f"{path}: expected 16-bit PCM")
            params, frames = w.getparams(), array.array("h", w.readframes(w.getnframes()))
        scaled = array.array("h", (round(s * gain) for s in frames))
        name = path.replace("/", "_")
        with wave.open(os.path.join(out, name), "wb") as w:
            w.setparams(params)
            w.writeframes(scaled.tobytes())
        entry["audio_filepath"] = name
        dst.write(json.dumps(entry) + "\n")
os.replace(os.path.join(out, "manifest.jsonl.tmp"), os.path.join(out, "manifest.jsonl"))
PY
fi

if [[ $make_only == 1 ]]; then echo "evaluation sets in $data"; exit 0; fi

results=()
score() { # label manifest [eval options...]
  local label=$1 manifest=$2; shift 2
  say "eval: $label"
  local report line cer
  report="$(sm eval --model "$model" --manifest "$manifest" --device "$device" "$@")"
  line="$(grep '^WER ' <<<"$report" | tail -n 1)"
  [[ -n "$line" ]] || die "eval on $manifest printed no WER line"
  cer="$(grep '^CER ' <<<"$report" | tail -n 1 | sed 's/^CER \([0-9.]*%\).*/, CER \1/')"
  echo "$report" > "$data/eval-$(tr ' /' '__' <<<"$label").txt"
  results+=("$(printf '%-44s %s%s' "$label" "$(cut -d';' -f1 <<<"$line")" "$cer")")
}
wants unheard && score "12 unheard speakers, beam $beam+LM+lexicon" "$data/corpus-4h/test.jsonl" --beam "$beam" --exclude-voice flite:kal16 --by-voice
wants long && score "45-60 s, 12 unheard, beam $beam+LM+lexicon" "$data/corpus-4h/longform/longform-45-60s.jsonl" --beam "$beam" --exclude-voice flite:kal16
wants more && score "16-h unseen voices+sentences, beam 4+LM+lex" "$data/test-more-unseen.jsonl" --beam 4
wants mbrola && score "MBROLA mb-en1, beam 4+LM" "$data/test-kinds-unseen.jsonl" --beam 4 --no-lexicon
wants minutes && score "four 10-minute, beam 4+LM+lexicon" "$data/corpus-4h/longform-min/longform-10min.jsonl" --beam 4
wants quiet && score "102 espeak-ng, as synthesized, beam $beam" "$data/corpus-4h/quick-espeak8.jsonl" --beam "$beam"
wants quiet && score "the same 30 dB quieter, beam $beam" "$data/corpus-4h/quiet-30db/manifest.jsonl" --beam "$beam"
wants quiet && score "30 dB quieter, --speech-level off, beam $beam" "$data/corpus-4h/quiet-30db/manifest.jsonl" --beam "$beam" --speech-level off
wants minutes && score "57-minute, beam 4+LM+lexicon, window 256" "$data/corpus-4h/longform-60/longform-60min.jsonl" --beam 4 --attention-window 256

echo "model: $model (device $device); sets in $data; full reports: $data/eval-*.txt"
printf '%s\n' "${results[@]}"
