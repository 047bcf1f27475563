#!/usr/bin/env bash
# Trains a model on the GPU machine from a corpus synthesized THERE (only the engine and the sentences travel):
#   here:  ci/gpu/prepare.sh && ci/gpu/pack-tts.sh && ci/gpu/bundle.sh   (.gpu-bundle/gpu.tar.xz, ~45 MB)
#   there: tar -xJf .gpu-bundle/gpu.tar.xz && ci/gpu/train-on-gpu.sh      (carry .gpu-bundle; the command's limit must exceed BUDGET_S)
# Stages: synth-corpus (espeak-ng, HOURS of audio, JOBS processes; with KINDS_HOURS also that much of the festival
# voices pack-tts.sh carried, every voice in training, its train split joined to the espeak-ng one) -> train (CONFIG, DEVICE) under a timeout (the
# trainer checkpoints atomically every CKPT_EVERY steps, so a kill leaves the last ones) -> average --last 3 --bf16
# -> long-form 45-60 s set from the test split -> train-lm (6-gram over BPE pieces of the packed sentences, the
# corpus's valid/test sentences left out; and the lexicon of those sentences' words and the packed word lists) ->
# eval (CTC greedy; beam 4 with the LM and lexicon, as transcribe decodes; beam 4 without them) on test and long-form.
# The corpus never uses a voice that the files in .gpu/tts/held-out/ hold out (pack-tts.sh HELD_OUT=...: the bundled
# model's evaluation sets), so those sets stay unheard by a model trained or fine-tuned here.
# Environment: HOURS (3), SYNTH_SEED (1: texts, voices and their split; another seed gives another corpus), ESPEAK_VARIANTS (8: +variants per espeak-ng accent; 102 exist), CONFIG (small), DEVICE (cuda), TRAIN_SECONDS (300), MAX_STEPS (100000),
# VALID_LIMIT (500) and EVAL_LIMIT (600): utterances of the valid split scored after each epoch and of the test split
# evaluated at the end (0 = all; the splits of a many-hour corpus would take longer than the training epochs),
# LONG_LIMIT (40): the 45-60 s recordings (made from the whole test split) evaluated at the end (0 = all),
# BATCH_SECONDS (120), CKPT_EVERY (200), JOBS (32), OUT ($PWD/gpu-out), WORK (/tmp/train-on-gpu), LR (2e-3),
# WARMUP_STEPS (300), INIT_FROM (a model to continue, e.g. the bundled one from the source tree, whose config is
# small-deep: give CONFIG=small-deep, or a config that only adds layers to it, which grows it; its training voices may
# then include this corpus's test voices, so its WER there is no held-out number), VTLP (0 = off; e.g.
# 0.1: train --vtlp, vocal-tract length perturbation of the training features), RANDOM_EQ (0 = off; e.g. 6: train
# --random-eq, a random equalizer of up to 6 dB over the filterbank per utterance), EDGE_SILENCE (0.5: train
# --edge-silence, up to 0.5 s of silence before and after half the utterances; 0 = off),
# KINDS_HOURS (0 = none): hours of the carried festival voices (pack-tts.sh FESTIVAL_VOICES), all in training, with
# pitch factors drawn from KINDS_PITCH_RANGE (0.78,1.28) and, for the diphone voices, formant factors apart from the
# pitch from KINDS_FORMANT_RANGE (0.8,1.25: synth-corpus --formant-range; 1,1 = off; the default model's stage 12 took
# the unheard festival voice from 64 to 58 % with it) so a few voices sound like more speakers, never a sentence of
# the espeak-ng corpus's valid or test split; without them a fine-tune on espeak-ng alone forgets festival's kind
# (the default model's stage 7 lost 15 points there),
# ACCENTED_HOURS (0 = none): hours of espeak-ng's English voices of non-English MBROLA speakers (synth-corpus
# --accented-mbrola: mb-de1-en, mb-fr4-en...; each one's database must be in pack-tts.sh MBROLA_VOICES, e.g.
# MBROLA_VOICES="us1 us3 ro1": beside the default voices the bundle has room for one small database, ro1 at
# 2.8 MB; with fr1 and pl1 too it came to 70 of the 64 MiB), all in training, pitch from KINDS_PITCH_RANGE and formants from
# ACCENTED_FORMANT_RANGE (0.9,1.12): more diphone speakers than English MBROLA has,
# RANDOM_HOURS (0 = none): hours of synthetic espeak-ng speakers (synth-corpus --random-espeak-speakers
# RANDOM_SPEAKERS, default 2000: variant files drawn from the seed, beyond the 102 shipped variants), all in training,
# more kinds of formant-synthesis speaker than the shipped variants make,
# BUDGET_S (560): bounds the whole run; each stage's timeout is cut to what is left, and training gets what is left
# after keeping EVAL_RESERVE_S (60) for averaging and evaluating, so the script always ends (and packs its logs)
# before the caller's limit.
# Leaves in $OUT (the device tool returns at most 8 files): model.safetensors (BF16, the small config ~5 MB), lm.smlm,
# lexicon.txt.gz, metrics.jsonl, corpus.json, summary.txt (stage table, eval results, log tails), train-logs.tgz (all logs).
# Dry run on a CPU (what was run here before the GPU run):
#   HOURS=0.02 CONFIG=tiny DEVICE=cpu TRAIN_SECONDS=30 JOBS=4 OUT=/tmp/gpu-dry ci/gpu/train-on-gpu.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/gpu-out}
WORK=${WORK:-/tmp/train-on-gpu}
LOGS=$OUT/logs
HOURS=${HOURS:-3}
ESPEAK_VARIANTS=${ESPEAK_VARIANTS:-8}
SYNTH_SEED=${SYNTH_SEED:-1}
VALID_LIMIT=${VALID_LIMIT:-500}
EVAL_LIMIT=${EVAL_LIMIT:-600}
LONG_LIMIT=${LONG_LIMIT:-40}
CONFIG=${CONFIG:-small}
DEVICE=${DEVICE:-cuda}
TRAIN_SECONDS=${TRAIN_SECONDS:-300}
MAX_STEPS=${MAX_STEPS:-100000}
BATCH_SECONDS=${BATCH_SECONDS:-120}
CKPT_EVERY=${CKPT_EVERY:-200}
JOBS=${JOBS:-32}
BUDGET_S=${BUDGET_S:-560}
EVAL_RESERVE_S=${EVAL_RESERVE_S:-60}
LR=${LR:-2e-3}
WARMUP_STEPS=${WARMUP_STEPS:-300}
INIT_FROM=${INIT_FROM:-}
VTLP=${VTLP:-0}
RANDOM_EQ=${RANDOM_EQ:-0}
EDGE_SILENCE=${EDGE_SILENCE:-0.5}
KINDS_HOURS=${KINDS_HOURS:-0}
KINDS_PITCH_RANGE=${KINDS_PITCH_RANGE:-0.78,1.28}
KINDS_FORMANT_RANGE=${KINDS_FORMANT_RANGE:-0.8,1.25}
ACCENTED_HOURS=${ACCENTED_HOURS:-0}
ACCENTED_FORMANT_RANGE=${ACCENTED_FORMANT_RANGE:-0.9,1.12}
RANDOM_HOURS=${RANDOM_HOURS:-0}
RANDOM_SPEAKERS=${RANDOM_SPEAKERS:-2000}
[[ -z "$INIT_FROM" || -f "$INIT_FROM" ]] || { echo "train-on-gpu: INIT_FROM=$INIT_FROM is not a model file" >&2; exit 1; }
# EXTRA_CP: classes put ahead of the packed jars (a dry run of a change not yet packed by prepare.sh)
CP="${EXTRA_CP:+$EXTRA_CP:}$PWD/.gpu/lib/*"
JOPTS=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss16m -Xmx${JAVA_XMX:-48g})

[[ -x .gpu/jre/bin/java ]] || { echo "train-on-gpu: .gpu/jre missing (ci/gpu/prepare.sh here, carry .gpu)" >&2; exit 1; }
[[ -x .gpu/tts/bin/espeak-ng && -f .gpu/tts/sentences.txt ]] || { echo "train-on-gpu: .gpu/tts missing (ci/gpu/pack-tts.sh here)" >&2; exit 1; }
rm -rf "$WORK" "$LOGS"
mkdir -p "$OUT" "$LOGS" "$WORK"
export PATH=$PWD/.gpu/tts/bin:$PWD/.gpu/jre/bin:$PATH
export LD_LIBRARY_PATH=$PWD/.gpu/tts/lib:/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
export ESPEAK_DATA_PATH=$PWD/.gpu/tts   # the folder that contains espeak-ng-data/
export FESTIVAL_LIBDIR=$PWD/.gpu/tts/festival   # the carried festival's library and voices (TtsEngines, bin/text2wave)
if [[ $KINDS_HOURS != 0 && ! -x .gpu/tts/bin/text2wave ]]; then
  echo "train-on-gpu: KINDS_HOURS=$KINDS_HOURS but no festival was packed (pack-tts.sh with FESTIVAL_VOICES)" >&2; exit 1
fi
declare -a SUMMARY

left() { echo $((BUDGET_S - 15 - SECONDS)); }   # 15 s kept for the summary and packing the logs
cap() { local want=$1 l; l=$(left); ((l < want)) && want=$l; ((want < 1)) && want=1; echo "$want"; }
record() { SUMMARY+=("$(printf '%-10s rc=%-3s %5ss  %s' "$1" "$2" "$((SECONDS - $3))" "${4:-}")"); }
stage() { # name, seconds, command...: output to logs/NAME.log; returns the command's status
  local name=$1 limit start=$SECONDS rc; limit=$(cap "$2"); shift 2
  timeout "$limit" "$@" > "$LOGS/$name.log" 2>&1
  rc=$?
  record "$name" "$rc" "$start" "$( ((rc == 124)) && echo "timed out after ${limit}s")"
  return $rc
}
SM=(java "${JOPTS[@]}" -cp "$CP" dev.speechmamba.cli.Main)

{ command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; espeak-ng --version
  [[ -d $FESTIVAL_LIBDIR/voices ]] && echo "festival voices: $(ls "$FESTIVAL_LIBDIR"/voices/*/ | grep -v ':$' | tr '\n' ' ')"; } > "$LOGS/machine.txt"
CORPUS=$WORK/corpus RUN=$WORK/run
HELD_OUT=()
for f in .gpu/tts/held-out/*; do [[ -f $f ]] && HELD_OUT+=(--exclude-voices "$f"); done
if stage synth 240 "${SM[@]}" synth-corpus --engines espeak-ng --espeak-variants "$ESPEAK_VARIANTS" --seed "$SYNTH_SEED" --hours "$HOURS" --jobs "$JOBS" \
    --sentences .gpu/tts/sentences.txt --out "$CORPUS" --no-progress "${HELD_OUT[@]}"; then
  # the manifests' audio paths are relative to their folder, so the subsets stay beside them
  subset() { if (($2 > 0)); then head -n "$2" "$CORPUS/$1.jsonl" > "$CORPUS/$1-subset.jsonl"; else cp "$CORPUS/$1.jsonl" "$CORPUS/$1-subset.jsonl"; fi; }
  subset valid "$VALID_LIMIT"; subset test "$EVAL_LIMIT"
  VALID=$CORPUS/valid-subset.jsonl TEST=$CORPUS/test-subset.jsonl
  TRAIN=$CORPUS/train.jsonl
  EXTRA_TRAIN=()
  if [[ $KINDS_HOURS != 0 ]] && stage synth-kinds 180 "${SM[@]}" synth-corpus --engines festival --all-train --pitch-range "$KINDS_PITCH_RANGE" --formant-range "$KINDS_FORMANT_RANGE" \
      --seed "$((SYNTH_SEED + 1))" --hours "$KINDS_HOURS" --jobs "$JOBS" --sentences .gpu/tts/sentences.txt \
      --exclude-sentences "$CORPUS/valid.jsonl" --exclude-sentences "$CORPUS/test.jsonl" --out "$WORK/kinds" --no-progress "${HELD_OUT[@]}"; then
    EXTRA_TRAIN+=("$WORK/kinds/train.jsonl")
  fi
  if [[ $ACCENTED_HOURS != 0 ]] && stage synth-accented 120 "${SM[@]}" synth-corpus --engines espeak-ng --accented-mbrola --voices 'espeak-ng:mb-.*-en' \
      --all-train --pitch-range "$KINDS_PITCH_RANGE" --formant-range "$ACCENTED_FORMANT_RANGE" --seed "$((SYNTH_SEED + 2))" --hours "$ACCENTED_HOURS" \
      --jobs "$JOBS" --sentences .gpu/tts/sentences.txt --exclude-sentences "$CORPUS/valid.jsonl" --exclude-sentences "$CORPUS/test.jsonl" \
      --out "$WORK/accented" --no-progress "${HELD_OUT[@]}"; then
    EXTRA_TRAIN+=("$WORK/accented/train.jsonl")
  fi
  if [[ $RANDOM_HOURS != 0 ]] && stage synth-random 120 "${SM[@]}" synth-corpus --engines espeak-ng --espeak-variants 0 \
      --random-espeak-speakers "$RANDOM_SPEAKERS" --voices 'espeak-ng:.*\+rnd.*' --all-train --seed "$((SYNTH_SEED + 3))" \
      --hours "$RANDOM_HOURS" --jobs "$JOBS" --sentences .gpu/tts/sentences.txt --exclude-sentences "$CORPUS/valid.jsonl" \
      --exclude-sentences "$CORPUS/test.jsonl" --out "$WORK/random" --no-progress "${HELD_OUT[@]}"; then
    EXTRA_TRAIN+=("$WORK/random/train.jsonl")
  fi
  if ((${#EXTRA_TRAIN[@]})); then
    stage merge 60 "${SM[@]}" merge-manifests --out "$WORK/train-all.jsonl" --hold-out "$CORPUS/valid.jsonl" --hold-out "$CORPUS/test.jsonl" \
      "$CORPUS/train.jsonl" "${EXTRA_TRAIN[@]}" && TRAIN=$WORK/train-all.jsonl
  fi
  # training gets what is left after the reserve for averaging and evaluation; the trainer's own stop is MAX_STEPS
  train_limit=$TRAIN_SECONDS
  (( train_limit > $(left) - EVAL_RESERVE_S )) && train_limit=$(( $(left) - EVAL_RESERVE_S ))
  stage train "$train_limit" "${SM[@]}" train --config "$CONFIG" --device "$DEVICE" --train "$TRAIN" \
    --valid "$VALID" --out "$RUN" --batch-seconds "$BATCH_SECONDS" --lr "$LR" --warmup-steps "$WARMUP_STEPS" ${INIT_FROM:+--init-from "$INIT_FROM"} \
    --vtlp "$VTLP" --random-eq "$RANDOM_EQ" --edge-silence "$EDGE_SILENCE" --ckpt-every "$CKPT_EVERY" --keep-checkpoints 6 --max-steps "$MAX_STEPS" --epochs 1000 --quiet
  SUMMARY[-1]+="$(ls "$RUN"/checkpoints 2>/dev/null | tr '\n' ' ' | sed 's/^/ checkpoints: /')"
  if stage average 30 "${SM[@]}" average --model "$RUN" --last 3 --bf16 --output "$OUT/model.safetensors"; then
    # from the whole test split: the EVAL_LIMIT subset holds too few utterances of each voice for one 45 s recording
    stage longform 30 "${SM[@]}" long-form "$CORPUS/test.jsonl" --out "$CORPUS/longform" --minutes 0
    [[ -s $CORPUS/longform/longform-45-60s.jsonl ]] && subset longform/longform-45-60s "$LONG_LIMIT"
    LONG=$CORPUS/longform/longform-45-60s-subset.jsonl
    stage eval-test 60 "${SM[@]}" eval --model "$OUT/model.safetensors" --manifest "$TEST" --device "$DEVICE" --show-errors 5
    # the LM and the beam search with it (how transcribe decodes) before the beam search without it: with a short
    # EVAL_RESERVE_S the later stages are the ones cut
    WORD_LISTS=(); [[ -f .gpu/tts/words.txt.gz ]] && WORD_LISTS=(--word-list .gpu/tts/words.txt.gz)
    if stage lm 30 "${SM[@]}" train-lm --model "$OUT/model.safetensors" --text .gpu/tts/sentences.txt \
        --exclude "$CORPUS/valid.jsonl" --exclude "$CORPUS/test.jsonl" --out "$OUT/lm.smlm" \
        --lexicon-out "$OUT/lexicon.txt.gz" "${WORD_LISTS[@]}"; then
      stage eval-test-beam-lm 90 "${SM[@]}" eval --model "$OUT/model.safetensors" --manifest "$TEST" \
        --device "$DEVICE" --beam 4 --lm "$OUT/lm.smlm" --lexicon "$OUT/lexicon.txt.gz"
    fi
    stage eval-test-beam 90 "${SM[@]}" eval --model "$OUT/model.safetensors" --manifest "$TEST" --device "$DEVICE" --beam 4
    if [[ -s $LONG ]]; then
      stage eval-long 60 "${SM[@]}" eval --model "$OUT/model.safetensors" --manifest "$LONG" --device "$DEVICE" --show-errors 2
      [[ -f $OUT/lm.smlm && -f $OUT/lexicon.txt.gz ]] && stage eval-long-beam-lm 90 "${SM[@]}" eval \
        --model "$OUT/model.safetensors" --manifest "$LONG" --device "$DEVICE" --beam 4 --lm "$OUT/lm.smlm" --lexicon "$OUT/lexicon.txt.gz"
      stage eval-long-beam 90 "${SM[@]}" eval --model "$OUT/model.safetensors" --manifest "$LONG" --device "$DEVICE" --beam 4
    fi
  fi
fi
cp "$CORPUS/corpus.json" "$OUT/" 2>/dev/null
cp "$RUN/metrics.jsonl" "$OUT/" 2>/dev/null
{
  echo "== machine =="; cat "$LOGS/machine.txt"
  echo "== settings: HOURS=$HOURS SYNTH_SEED=$SYNTH_SEED ESPEAK_VARIANTS=$ESPEAK_VARIANTS VALID_LIMIT=$VALID_LIMIT EVAL_LIMIT=$EVAL_LIMIT LONG_LIMIT=$LONG_LIMIT held-out files: $(( ${#HELD_OUT[@]} / 2 )) CONFIG=$CONFIG DEVICE=$DEVICE TRAIN_SECONDS=$TRAIN_SECONDS MAX_STEPS=$MAX_STEPS BATCH_SECONDS=$BATCH_SECONDS CKPT_EVERY=$CKPT_EVERY JOBS=$JOBS BUDGET_S=$BUDGET_S LR=$LR WARMUP_STEPS=$WARMUP_STEPS INIT_FROM=${INIT_FROM:-none} VTLP=$VTLP RANDOM_EQ=$RANDOM_EQ EDGE_SILENCE=$EDGE_SILENCE KINDS_HOURS=$KINDS_HOURS KINDS_PITCH_RANGE=$KINDS_PITCH_RANGE KINDS_FORMANT_RANGE=$KINDS_FORMANT_RANGE ACCENTED_HOURS=$ACCENTED_HOURS ACCENTED_FORMANT_RANGE=$ACCENTED_FORMANT_RANGE RANDOM_HOURS=$RANDOM_HOURS RANDOM_SPEAKERS=$RANDOM_SPEAKERS =="
  [[ -f $LOGS/synth.log ]] && { echo "== synth-corpus =="; tail -n 8 "$LOGS/synth.log"; }
  [[ -f $LOGS/synth-kinds.log ]] && { echo "== synth-corpus, festival voices =="; tail -n 8 "$LOGS/synth-kinds.log"; }
  [[ -f $LOGS/synth-accented.log ]] && { echo "== synth-corpus, accented MBROLA voices =="; tail -n 8 "$LOGS/synth-accented.log"; }
  [[ -f $LOGS/synth-random.log ]] && { echo "== synth-corpus, random espeak-ng speakers =="; tail -n 8 "$LOGS/synth-random.log"; }
  [[ -f $LOGS/merge.log ]] && { echo "== merge-manifests =="; tail -n 4 "$LOGS/merge.log"; }
  [[ -f $LOGS/train.log ]] && { echo "== train (last lines) =="; tail -n 8 "$LOGS/train.log"; }
  [[ -f $RUN/metrics.jsonl ]] && { echo "== metrics (first, last train step; valid lines) =="; grep '"train"' "$RUN/metrics.jsonl" | sed -n '1p;$p'; grep -v '"train"' "$RUN/metrics.jsonl" | tail -n 5; }
  for s in average longform eval-test lm eval-test-beam-lm eval-test-beam eval-long eval-long-beam-lm eval-long-beam; do [[ -f $LOGS/$s.log ]] && { echo "== $s =="; cat "$LOGS/$s.log"; }; done
  echo "== stages ($(date -u +%F)) =="
  printf '%s\n' "${SUMMARY[@]}"
} > "$OUT/summary.txt" 2>&1
tar -czf "$OUT/train-logs.tgz" -C "$OUT" logs && rm -rf "$LOGS"
cat "$OUT/summary.txt"
