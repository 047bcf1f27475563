#!/usr/bin/env bash
# Recipe of the default model shipped in the runtime jar: synthesizes a corpus (many espeak-ng voices), trains a
# small Speech-Mamba, averages the last checkpoints, evaluates it, and installs (exports) the model into
# runtime/src/main/resources/dev/speechmamba/models/default/ with its card MODEL.md. The next ./speech-mamba run
# rebuilds the jar, and `transcribe` / `serve` without --model use the new model.
#
# Usage: examples/recipe-default-model.sh [options]
#        examples/recipe-default-model.sh --export-only RUN [--corpus DIR]   (install a finished run: steps 3 to 5)
#   --hours H          corpus hours to synthesize (default 4)
#   --device D         cpu or cuda (default cpu)
#   --max-steps N      optimizer steps (default 4000)
#   --epochs N         epochs at most (default 40)
#   --more-hours H     stage 2 (default 0 = none): synthesize H more hours with more voices (seed + 16), join
#                      them to the first corpus's training set without its valid/test voices and sentences
#                      (merge-manifests --hold-out), and continue the stage-1 model on the union (train
#                      --init-from); the model of stage 2 is the one averaged, evaluated and installed
#   --more-steps N     stage-2 optimizer steps (default 4000)
#   --cool-steps N     a last, low-learning-rate stage (default 0 = none): continue the average of the last
#                      checkpoints for N steps at peak LR 2.5e-4 decaying from step 50 (train --init-from); the
#                      average of its last checkpoints is the model
#   --tune-steps N     a voice-tuning stage after the others (default 0 = none; needs --more-hours): the first
#                      corpus's validation voices join training with their other sentences (merge-manifests
#                      --hold-out test --hold-out-sentences valid), continuing the average of the last checkpoints
#                      for N steps at peak LR 5e-4 (warm-up 100). The test voices stay unheard, but flite kal16 speaks
#                      with the speaker of the validation voices festival kal_diphone / flite kal, so test WER is
#                      then also reported without kal16 (eval --exclude-voice)
#   --tune-hours H     with --tune-steps: also synthesize H hours of other kinds of voice (espeak-ng's plain accents,
#                      its MBROLA diphone voices and pico: ci/install-tts.sh --non-free; seed + 34) and add their
#                      training split to the voice-tuning stage (their valid/test sentences held out); the kinds
#                      corpus's test voices that stay unheard (test-kinds-unseen.jsonl) are scored too
#   --vtlp W           vocal-tract length perturbation in the voice-tuning stage (train --vtlp W; default 0 = off)
#   --edge-silence S   every stage pads half its utterances with 0-S s of silence before and after (train
#                      --edge-silence S; default 0 = off, as stages 1-12 of the shipped model; 0.5 hears words after
#                      silence as real recordings and long ones' segments have them)
#   --tune-cool-steps N  a low-learning-rate stage after voice tuning (default 0 = none; needs --tune-steps): the
#                      average of its last checkpoints continues on the same data for N steps at peak LR 1.5e-4
#                      (warm-up 50)
#   --grow-steps N     a last stage that deepens the model (default 0 = none): the average of the last checkpoints
#                      grows into --grow-config (train --init-from with a config that only adds layers: the new
#                      layers start as the identity) and trains N steps on the last stage's data at peak LR 5e-4
#                      (warm-up 200)
#   --grow-config C    the deeper config (default small-deep: 6 encoder and 3 decoder layers instead of 4 and 2)
#   --config NAME      model config (default small; tiny for a quick trial)
#   --average-last K   checkpoints averaged into the model (default 3)
#   --out DIR          work folder: DIR/corpus and DIR/run (default recipe-default-model in the current folder)
#   --corpus DIR       use this corpus instead of synthesizing one (also gives --export-only its eval sets)
#   --jobs N           TTS processes (default 4)      --seed N   corpus seed (default 7)
#   --install-to DIR   where the model is installed (default the runtime's resources folder above)
#   --no-install       train and evaluate only
#   --lm-order N       order of the BPE-piece n-gram LM trained beside the model (default 6); its text is the
#                      installed sentences and dictionary text (WordNet's glosses, GCIDE), relative-entropy pruned
#   --lm-prune T       its pruning threshold (default 2e-8: ~3.6 MB as .smlm; 0 keeps every n-gram seen twice, ~7.9 MB)
#   --lm-exclude FILE  also keep this manifest's sentences out of the LM's text (repeatable; the valid and test
#                      sets of every corpus the recipe synthesizes are always left out)
#   --no-lm            ship no language model (and no lexicon)
#   --no-lexicon       ship no lexicon (the words of the LM's text and of /usr/share/dict/*-english-large, which
#                      beam search prefers: ci/install-tts.sh installs those word lists)
# Environment: SPEECH_MAMBA_CLI (the command to run, default ./speech-mamba of this checkout).
# Steps: 1 synth-corpus, 2 train, 3 average, and train-lm (a 6-gram over BPE pieces of every installed sentence
# except the evaluation sets' and of dictionary text, and the lexicon), 4 eval (test set, and the 45-60 s long-form set when the corpus has
# one: CTC greedy, beam 4, beam 4 with the LM, beam 4 with the LM and the lexicon), 5 export (model, LM and lexicon
# must be self-contained and <= 25 MB together; checked by transcribing examples/sample.wav from a folder holding
# nothing else).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=ci/java-env.sh
source "$root/ci/java-env.sh"

hours=4 device=cpu max_steps=4000 epochs=40 config=small average_last=3 jobs=4 seed=7 more_hours=0 more_steps=4000 cool_steps=0
tune_steps=0 tune_hours=0 vtlp=0 edge_silence=0 tune_cool_steps=0 grow_steps=0 grow_config=small-deep grow_config_given=0
out="recipe-default-model" corpus="" export_only="" install=1 lm_order=6 lm_prune=2e-8 use_lm=1 lm_exclude=() use_lexicon=1
install_to="$root/runtime/src/main/resources/dev/speechmamba/models/default"
max_bytes=$((25 * 1024 * 1024))

die() { echo "recipe-default-model: error: $*" >&2; exit 2; }
say() { echo "==> $*" >&2; }
need_value() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }
positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got '$2'"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --hours) need_value "$@"; [[ "$2" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] && awk -v h="$2" 'BEGIN{exit !(h > 0)}' \
               || die "--hours must be a number > 0, got '$2'"; hours="$2"; shift 2 ;;
    --device) need_value "$@"; [[ "$2" == cpu || "$2" == cuda ]] || die "--device must be cpu or cuda, got '$2'"; device="$2"; shift 2 ;;
    --max-steps) need_value "$@"; positive_int "$1" "$2"; max_steps="$2"; shift 2 ;;
    --epochs) need_value "$@"; positive_int "$1" "$2"; epochs="$2"; shift 2 ;;
    --more-hours) need_value "$@"; [[ "$2" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || die "--more-hours must be a number >= 0, got '$2'"
               more_hours="$2"; shift 2 ;;
    --more-steps) need_value "$@"; positive_int "$1" "$2"; more_steps="$2"; shift 2 ;;
    --cool-steps) need_value "$@"; positive_int "$1" "$2"; cool_steps="$2"; shift 2 ;;
    --tune-steps) need_value "$@"; positive_int "$1" "$2"; tune_steps="$2"; shift 2 ;;
    --tune-cool-steps) need_value "$@"; positive_int "$1" "$2"; tune_cool_steps="$2"; shift 2 ;;
    --tune-hours) need_value "$@"; [[ "$2" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] && awk -v h="$2" 'BEGIN{exit !(h > 0)}' \
               || die "--tune-hours must be a number > 0, got '$2'"; tune_hours="$2"; shift 2 ;;
    --vtlp) need_value "$@"; [[ "$2" =~ ^(0|0?\.[0-9]+)$ ]] && awk -v w="$2" 'BEGIN{exit !(w == 0 || (w >= 0.01 && w <= 0.2))}' \
               || die "--vtlp must be 0 or a maximum warp in [0.01, 0.2], got '$2'"; vtlp="$2"; shift 2 ;;
    --edge-silence) need_value "$@"; [[ "$2" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] && awk -v s="$2" 'BEGIN{exit !(s == 0 || (s >= 0.01 && s <= 5))}' \
               || die "--edge-silence must be 0 or a number of seconds in [0.01, 5], got '$2'"; edge_silence="$2"; shift 2 ;;
    --grow-steps) need_value "$@"; positive_int "$1" "$2"; grow_steps="$2"; shift 2 ;;
    --grow-config) need_value "$@"; grow_config="$2"; grow_config_given=1; shift 2 ;;
    --config) need_value "$@"; config="$2"; shift 2 ;;
    --average-last) need_value "$@"; positive_int "$1" "$2"; average_last="$2"; shift 2 ;;
    --out) need_value "$@"; out="$2"; shift 2 ;;
    --corpus) need_value "$@"; corpus="$2"; shift 2 ;;
    --jobs) need_value "$@"; positive_int "$1" "$2"; jobs="$2"; shift 2 ;;
    --seed) need_value "$@"; [[ "$2" =~ ^[0-9]+$ ]] || die "--seed must be an integer >= 0, got '$2'"; seed="$2"; shift 2 ;;
    --export-only) need_value "$@"; export_only="$2"; shift 2 ;;
    --install-to) need_value "$@"; install_to="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    --lm-order) need_value "$@"; [[ "$2" =~ ^[2-7]$ ]] || die "--lm-order must be 2 to 7, got '$2'"; lm_order="$2"; shift 2 ;;
    --lm-prune) need_value "$@"; [[ "$2" =~ ^[0-9]+(\.[0-9]*)?([eE]-?[0-9]+)?$ ]] || die "--lm-prune must be a number >= 0, got '$2'"; lm_prune="$2"; shift 2 ;;
    --lm-exclude) need_value "$@"; [[ -f "$2" ]] || die "--lm-exclude $2: no such file"; lm_exclude+=("$2"); shift 2 ;;
    --no-lm) use_lm=0; shift ;;
    --no-lexicon) use_lexicon=0; shift ;;
    -h|--help) sed -n '2,60p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
if [[ -n "$export_only" ]]; then
  [[ -d "$export_only/checkpoints" ]] || die "--export-only $export_only: no checkpoints/ there (a 'speech-mamba train --out' folder is needed)"
  [[ $install -eq 1 ]] || die "--export-only and --no-install contradict each other"
fi
[[ -z "$corpus" || -f "$corpus/train.jsonl" ]] || die "--corpus $corpus has no train.jsonl"

use_jdk25
if [[ -n "${SPEECH_MAMBA_CLI:-}" ]]; then read -r -a cli <<<"$SPEECH_MAMBA_CLI"; else cli=("$root/speech-mamba"); fi
sm() { "${cli[@]}" "$@"; }

stage2=0
awk -v h="$more_hours" 'BEGIN{exit !(h > 0)}' && stage2=1
[[ $tune_steps -eq 0 || $stage2 -eq 1 || -n "$export_only" ]] || die "--tune-steps needs --more-hours (it tunes on both corpora)"
[[ "$vtlp" == 0 || $tune_steps -gt 0 ]] || die "--vtlp applies to the voice-tuning stage: give --tune-steps too"
[[ "$tune_hours" == 0 || $tune_steps -gt 0 ]] || die "--tune-hours adds voices to the voice-tuning stage: give --tune-steps too"
[[ $tune_cool_steps -eq 0 || $tune_steps -gt 0 ]] || die "--tune-cool-steps follows the voice-tuning stage: give --tune-steps too"
[[ $grow_config_given -eq 0 || $grow_steps -gt 0 ]] || die "--grow-config names the config of the growth stage: give --grow-steps too"
run="${export_only:-$out/run}"
[[ -z "$export_only" && $stage2 -eq 1 ]] && run="$out/run-stage2"
# Each stage continues the previous one's output:
# stage 1 -> [stage 2] -> [cool-down] -> [voice tuning] -> [its cool-down] -> [growth] = $run.
before_cool="$run"
cool_run="$out/run-cool"
[[ -z "$export_only" && $cool_steps -gt 0 ]] && run="$cool_run"
before_tune="$run"
tune_run="$out/run-tune"
[[ -z "$export_only" && $tune_steps -gt 0 ]] && run="$tune_run"
tune_cool_run="$out/run-tune-cool"
[[ -z "$export_only" && $tune_cool_steps -gt 0 ]] && run="$tune_cool_run"
before_grow="$run"
grow_run="$out/run-grow"
[[ -z "$export_only" && $grow_steps -gt 0 ]] && run="$grow_run"
if [[ -z "$export_only" ]]; then
  mkdir -p "$out"
  if [[ -z "$corpus" ]]; then
    corpus="$out/corpus"
    say "1/5 synth-corpus: $hours h, seed $seed -> $corpus"
    sm synth-corpus --hours "$hours" --jobs "$jobs" --espeak-variants 8 --seed "$seed" --out "$corpus" --no-progress
  else
    say "1/5 synth-corpus: skipped, using $corpus"
  fi
  if [[ ! -f "$corpus/longform/longform-45-60s.jsonl" ]]; then
    say "1/5 long-form: 45-60 s recordings of the test voices -> $corpus/longform"
    sm long-form "$corpus/test.jsonl" --out "$corpus/longform" --minutes 0
  fi
  stage1="$out/run"
  echo "$corpus/train.jsonl" > "$out/.train-manifest"
  say "2/5 train: config $config on $device, at most $max_steps steps / $epochs epochs -> $stage1"
  sm train --config "$config" --train "$corpus/train.jsonl" --valid "$corpus/valid.jsonl" --out "$stage1" --device "$device" \
    --epochs "$epochs" --max-steps "$max_steps" --batch-seconds 60 --lr 2e-3 --warmup-steps 300 --ckpt-every 100 \
    --keep-checkpoints 6 --average-last "$average_last" --seed 1 --edge-silence "$edge_silence"
  if [[ $stage2 -eq 1 ]]; then
    more="$out/corpus-more"
    say "2/5 stage 2: synth-corpus $more_hours h more, seed $((seed + 16)), 16 espeak-ng variants per accent -> $more"
    sm synth-corpus --hours "$more_hours" --jobs "$jobs" --espeak-variants 16 --seed "$((seed + 16))" --out "$more" --no-progress
    say "2/5 stage 2: joining the training sets without $corpus's valid/test voices and sentences"
    sm merge-manifests "$corpus/train.jsonl" "$more/train.jsonl" --hold-out "$corpus/valid.jsonl" \
      --hold-out "$corpus/test.jsonl" --out "$out/train-stage2.jsonl"
    sm merge-manifests "$more/test.jsonl" --hold-out "$out/train-stage2.jsonl" --out "$out/test-more-unseen.jsonl"
    echo "$out/train-stage2.jsonl" > "$out/.train-manifest"
    say "2/5 stage 2: continuing $stage1/model.safetensors on the union, at most $more_steps steps -> $before_cool"
    sm train --config "$config" --init-from "$stage1/model.safetensors" --train "$out/train-stage2.jsonl" \
      --valid "$corpus/valid.jsonl" --out "$before_cool" --device "$device" --epochs "$epochs" --max-steps "$more_steps" \
      --batch-seconds 90 --lr 1.5e-3 --warmup-steps 400 --ckpt-every 200 --keep-checkpoints 6 \
      --average-last "$average_last" --seed 2 --edge-silence "$edge_silence"
  fi
  # continue_average FROM TO CONFIG STEPS LR WARMUP SEED [train options]: the average of FROM's last checkpoints
  # (out/before-TO.safetensors) trained on .train-manifest's data in the run folder TO.
  continue_average() {
    local from=$1 to=$2 cfg=$3 steps=$4 lr=$5 warmup=$6 run_seed=$7; shift 7
    local start="$out/before-$(basename "$to" | sed 's/^run-//').safetensors"
    sm average --model "$from" --last "$average_last" --output "$start"
    sm train --config "$cfg" --init-from "$start" --train "$(cat "$out/.train-manifest")" --valid "$corpus/valid.jsonl" \
      --out "$to" --device "$device" --epochs "$epochs" --max-steps "$steps" --batch-seconds 90 --lr "$lr" \
      --warmup-steps "$warmup" --ckpt-every 200 --average-last "$average_last" --seed "$run_seed" \
      --edge-silence "$edge_silence" "$@"
  }
  if [[ $cool_steps -gt 0 ]]; then
    say "2/5 cool-down: averaging the last $average_last checkpoints of $before_cool, then $cool_steps steps at low LR -> $cool_run"
    continue_average "$before_cool" "$cool_run" "$config" "$cool_steps" 2.5e-4 50 3 --keep-checkpoints 6
  fi
  if [[ $tune_steps -gt 0 ]]; then
    say "2/5 voice tuning: $corpus's validation voices join training (their other sentences), $tune_steps steps -> $tune_run"
    tune_inputs=("$corpus/train.jsonl" "$more/train.jsonl") kinds_held_out=()
    if [[ "$tune_hours" != 0 ]]; then
      kinds="$out/corpus-kinds"
      say "2/5 voice tuning: synth-corpus $tune_hours h of other kinds of voice (plain accents, mbrola, pico), seed $((seed + 34)) -> $kinds"
      sm synth-corpus --hours "$tune_hours" --jobs "$jobs" --espeak-variants 0 --engines espeak-ng,pico \
        --seed "$((seed + 34))" --out "$kinds" --no-progress
      grep -q '"voice": *"espeak-ng:mb-' "$kinds/train.jsonl" \
        || say "2/5 voice tuning: warning: no mbrola voice was synthesized (ci/install-tts.sh --non-free installs them)"
      tune_inputs+=("$kinds/train.jsonl")
      kinds_held_out=(--hold-out-sentences "$kinds/valid.jsonl" --hold-out-sentences "$kinds/test.jsonl")
    fi
    sm merge-manifests "${tune_inputs[@]}" --hold-out "$corpus/test.jsonl" \
      --hold-out-sentences "$corpus/valid.jsonl" "${kinds_held_out[@]}" --out "$out/train-tune.jsonl"
    sm merge-manifests "$more/test.jsonl" --hold-out "$out/train-tune.jsonl" --out "$out/test-more-unseen.jsonl"
    if [[ "$tune_hours" != 0 ]]; then
      sm merge-manifests "$kinds/test.jsonl" --hold-out "$out/train-tune.jsonl" --out "$out/test-kinds-unseen.jsonl"
    fi
    echo "$out/train-tune.jsonl" > "$out/.train-manifest"
    continue_average "$before_tune" "$tune_run" "$config" "$tune_steps" 5e-4 100 4 --keep-checkpoints 8 --vtlp "$vtlp"
  fi
  if [[ $tune_cool_steps -gt 0 ]]; then
    say "2/5 cool-down after voice tuning: averaging the last $average_last checkpoints of $tune_run, then $tune_cool_steps steps at low LR -> $tune_cool_run"
    continue_average "$tune_run" "$tune_cool_run" "$config" "$tune_cool_steps" 1.5e-4 50 5 --keep-checkpoints 6
  fi
  if [[ $grow_steps -gt 0 ]]; then
    say "2/5 growth: averaging the last $average_last checkpoints of $before_grow, growing it into $grow_config, $grow_steps steps -> $grow_run"
    continue_average "$before_grow" "$grow_run" "$grow_config" "$grow_steps" 5e-4 200 6 --keep-checkpoints 6
  fi
fi
# The shipped model stores its weights as BF16 (half the size of float32; widened back on load), so it is
# evaluated in exactly that form.
say "3/5 average the last $average_last checkpoints (BF16 weights) -> $run/model-bf16.safetensors"
sm average --model "$run" --last "$average_last" --bf16 --output "$run/model-bf16.safetensors"

lm="" lexicon=""
if [[ $use_lm -eq 1 ]]; then
  lm="$run/lm.smlm"
  lexicon_args=()
  if [[ $use_lexicon -eq 1 ]]; then
    lexicon="$run/lexicon.txt.gz"
    lexicon_args=(--lexicon-out "$lexicon")
    for list in /usr/share/dict/american-english-large /usr/share/dict/british-english-large; do
      [[ -f "$list" ]] && lexicon_args+=(--word-list "$list")
    done
    [[ ${#lexicon_args[@]} -gt 2 ]] || say "3/5 train-lm: warning: no /usr/share/dict word lists (ci/install-tts.sh): the lexicon is the LM text's words only"
  fi
  held_out=()
  for f in "$corpus/valid.jsonl" "$corpus/test.jsonl" "$out/corpus-more/valid.jsonl" "$out/corpus-more/test.jsonl" \
           "$out/corpus-kinds/valid.jsonl" "$out/corpus-kinds/test.jsonl" \
           "$out/test-more-unseen.jsonl" "${lm_exclude[@]}"; do
    [[ -f "$f" ]] && held_out+=(--exclude "$f")
  done
  [[ ${#held_out[@]} -gt 0 ]] || say "3/5 train-lm: warning: no evaluation sets to keep out of the LM (pass --corpus)"
  say "3/5 train-lm: ${lm_order}-gram over BPE pieces of the installed sentences and dictionary text, evaluation sets left out -> $lm"
  sm train-lm --model "$run/model-bf16.safetensors" --installed-sentences --dictionary-text --prune "$lm_prune" --order "$lm_order" \
    "${held_out[@]}" --out "$lm" \
    "${lexicon_args[@]}"
fi

# flite kal16, festival kal_diphone and flite kal are one speaker: with the latter two in training (voice tuning),
# kal16 in a test set is no longer an unheard speaker.
trained_kal_speaker() {
  local train_manifest
  train_manifest="$(cat "$out/.train-manifest" 2>/dev/null || true)"
  [[ -f "$train_manifest" ]] && grep -q '"voice": *"flite:kal16"' "$1" \
    && grep -q -E '"voice": *"(festival:kal_diphone|flite:kal)"' "$train_manifest" && echo yes
}
eval_lines=()
if [[ -n "$corpus" ]]; then
  for manifest in "$corpus/test.jsonl" "$corpus/longform/longform-45-60s.jsonl" "$out/test-more-unseen.jsonl" \
                  "$out/test-kinds-unseen.jsonl"; do
    [[ -s "$manifest" ]] || continue   # missing, or empty (a corpus too small for a long-form recording)
    say "4/5 eval on $manifest"
    decodings=(greedy beam); [[ -n "$lm" ]] && decodings+=(beam-lm); [[ -n "$lexicon" ]] && decodings+=(beam-lm-lexicon)
    for decoding in "${decodings[@]}"; do
      extra=()
      [[ $decoding == beam ]] && extra=(--beam 4 --no-lm --no-lexicon)
      [[ $decoding == beam-lm ]] && extra=(--beam 4 --lm "$lm" --no-lexicon)
      [[ $decoding == beam-lm-lexicon ]] && extra=(--beam 4 --lm "$lm" --lexicon "$lexicon")
      # A test voice whose speaker was trained on under another voice name is scored apart as well.
      excludes=(""); [[ -n "$(trained_kal_speaker "$manifest")" ]] && excludes+=("--exclude-voice flite:kal16")
      for exclude in "${excludes[@]}"; do
        # shellcheck disable=SC2086 # $exclude is empty or one option and its value
        report="$(sm eval --model "$run/model-bf16.safetensors" --manifest "$manifest" --device "$device" "${extra[@]}" $exclude)"
        line="$(grep '^WER ' <<<"$report" | tail -n 1)"
        [[ -n "$line" ]] || die "eval on $manifest printed no WER line"
        cer="$(grep '^CER ' <<<"$report" | tail -n 1 | sed 's/^CER \([0-9.]*%\).*/; CER \1/')"
        label="$(basename "$manifest")${exclude:+ without kal16}"
        echo "$label: $line$cer"
        eval_lines+=("- \`$label\`: $line$cer")
      done
    done
  done
else
  say "4/5 eval: skipped (no --corpus)"
fi

[[ $install -eq 1 ]] || { say "done (--no-install): model in $run/model.safetensors"; exit 0; }

weights="$run/model-bf16.safetensors"
bytes="$(stat -c %s "$weights")"
lm_bytes=0; [[ -n "$lm" ]] && lm_bytes="$(stat -c %s "$lm")"
lexicon_bytes=0; [[ -n "$lexicon" ]] && lexicon_bytes="$(stat -c %s "$lexicon")"
[[ $((bytes + lm_bytes + lexicon_bytes)) -le "$max_bytes" ]] \
  || die "$weights ($bytes bytes), its LM ($lm_bytes bytes) and lexicon ($lexicon_bytes bytes) are more than the $max_bytes a shipped model may have"
header_length="$(od -An -t u8 -N 8 "$weights" | tr -d ' ')"
header="$(head -c "$((8 + header_length))" "$weights" | tail -c "$header_length")"
for key in config tokenizer; do
  grep -q "\"$key\":" <<<"$header" || die "$weights has no '$key' in its metadata: it is not a self-contained model"
done
if [[ -f "$run/cmvn.json" ]] && ! grep -q '"cmvn":' <<<"$header"; then
  die "$weights lacks the CMVN statistics of $run/cmvn.json in its metadata; re-export it with 'speech-mamba average'"
fi
alone="$(mktemp -d /tmp/recipe-default-model.XXXXXX)"
trap 'rm -rf "$alone"' EXIT
cp "$weights" "$alone/model.safetensors"
[[ -n "$lm" ]] && cp "$lm" "$alone/lm.smlm"
[[ -n "$lexicon" ]] && cp "$lexicon" "$alone/lexicon.txt.gz"
say "5/5 export: checking that the model works on its own (transcribing examples/sample.wav)"
text="$(sm transcribe --model "$alone" --device cpu "$root/examples/sample.wav")"
echo "sample ($(cat "$root/examples/sample.txt")) -> $text"

mkdir -p "$install_to"
cp "$weights" "$install_to/model.safetensors.part"
mv "$install_to/model.safetensors.part" "$install_to/model.safetensors"
if [[ -n "$lm" ]]; then
  cp "$lm" "$install_to/lm.smlm.part"
  mv "$install_to/lm.smlm.part" "$install_to/lm.smlm"
  rm -f "$install_to/lm.arpa.gz" "$install_to/lm.arpa"   # an older model's LM in the other form
else
  # A stale LM of another model's pieces must not stay beside the new one.
  rm -f "$install_to/lm.smlm" "$install_to/lm.arpa.gz" "$install_to/lm.arpa"
fi
if [[ -n "$lexicon" ]]; then
  cp "$lexicon" "$install_to/lexicon.txt.gz.part"
  mv "$install_to/lexicon.txt.gz.part" "$install_to/lexicon.txt.gz"
else
  rm -f "$install_to/lexicon.txt.gz"
fi
meta() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$header" | head -n 1; }
{
  echo "# Speech-Mamba default model"
  echo
  echo "Made by \`examples/recipe-default-model.sh\` on $(date -u +%Y-%m-%d) from \`$run\`."
  echo "Re-make it with the same command; install a finished run with \`examples/recipe-default-model.sh --export-only RUN\`."
  echo
  echo "- config: \`$(sed -n 's/.*\\"name\\" : \\"\([^\\]*\)\\".*/\1/p' <<<"$header" | head -n 1)\` (weights $bytes bytes, BF16)"
  echo "- optimizer step: $(meta step); checkpoints averaged: $(meta averaged_from)"
  [[ "$edge_silence" != 0 ]] && echo "- every stage: \`train --edge-silence $edge_silence\` (silence padded before and after half the utterances)"
  if [[ -z "$export_only" ]]; then
    echo "- corpus: \`synth-corpus --hours $hours --espeak-variants 8 --seed $seed\` (espeak-ng voices; test voices are held out of training)"
    echo "- training: \`train --config $config --device $device --epochs $epochs --max-steps $max_steps --batch-seconds 60 --lr 2e-3 --warmup-steps 300 --ckpt-every 100 --keep-checkpoints 6 --average-last $average_last --seed 1\`"
    if [[ $cool_steps -gt 0 ]]; then
      echo "- cool-down: \`train --init-from AVERAGE --max-steps $cool_steps --batch-seconds 90 --lr 2.5e-4 --warmup-steps 50 --seed 3\`"
    fi
    if [[ $tune_steps -gt 0 ]]; then
      [[ "$tune_hours" != 0 ]] && echo "- other kinds of voice: \`synth-corpus --hours $tune_hours --espeak-variants 0 --engines espeak-ng,pico --seed $((seed + 34))\`"
      echo "- voice tuning: \`merge-manifests --hold-out test --hold-out-sentences valid\` of the corpora; \`train --init-from AVERAGE --max-steps $tune_steps --batch-seconds 90 --lr 5e-4 --warmup-steps 100 --vtlp $vtlp --seed 4\`"
    fi
    if [[ $tune_cool_steps -gt 0 ]]; then
      echo "- cool-down after voice tuning: \`train --init-from AVERAGE --max-steps $tune_cool_steps --batch-seconds 90 --lr 1.5e-4 --warmup-steps 50 --seed 5\`"
    fi
    if [[ $grow_steps -gt 0 ]]; then
      echo "- growth: \`train --config $grow_config --init-from AVERAGE --max-steps $grow_steps --batch-seconds 90 --lr 5e-4 --warmup-steps 200 --seed 6\`"
    fi
    if [[ $stage2 -eq 1 ]]; then
      echo "- stage 2: \`synth-corpus --hours $more_hours --espeak-variants 16 --seed $((seed + 16))\`, joined to the first training set by \`merge-manifests --hold-out valid --hold-out test\`; \`train --init-from STAGE1 --max-steps $more_steps --batch-seconds 90 --lr 1.5e-3 --warmup-steps 400 --ckpt-every 200 --seed 2\`"
    fi
  fi
  [[ -n "$lm" ]] && echo "- language model: \`lm.smlm\`, \`train-lm --installed-sentences --dictionary-text --prune $lm_prune --order $lm_order\` with the evaluation sets' sentences (and WordNet glosses of their synsets) left out ($lm_bytes bytes)"
  [[ -n "$lexicon" ]] && echo "- lexicon: \`lexicon.txt.gz\`, the words of the LM's text and of Debian's wamerican-large / wbritish-large word lists ($(zcat "$lexicon" | grep -vc '^#') words, $lexicon_bytes bytes)"
  echo "- sample \`examples/sample.wav\` (\"$(cat "$root/examples/sample.txt")\", a voice not in training) -> \"$text\""
  echo
  if [[ ${#eval_lines[@]} -gt 0 ]]; then
    echo "Word error rates (\`speech-mamba eval\`, CTC greedy over whole recordings, and \`--beam 4\`: joint CTC/attention"
    echo "beam search as \`transcribe\` decodes, segment by segment, each segment encoded on its own, without and with the LM, then with the LM and the lexicon):"
    echo
    printf '%s\n' "${eval_lines[@]}"
  else
    echo "Word error rates: not measured by this export (pass --corpus DIR to evaluate on DIR/test.jsonl)."
  fi
  echo
  echo "Trained on synthetic speech only: it knows the espeak-ng voices, not real microphones."
} >"$install_to/MODEL.md"
say "installed $weights -> $install_to (card: $install_to/MODEL.md)"
