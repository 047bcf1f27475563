#!/usr/bin/env bash
# Scores speaker adaptation (`speech-mamba adapt`) as docs/benchmarks.md "Speaker adaptation" does: each unheard
# speaker of the card's evaluation sets is adapted on its own recordings (no transcripts used), and the first pass
# and the adapted model are scored on them with beam 10 + LM + lexicon, speaker by speaker, then summed.
#
#   examples/eval-adaptation.sh [--model DIR] [--data DIR] [--device cpu|cuda] [--sets LIST] [--voices REGEX]
#                               [-- ADAPT-OPTIONS...]
#
#   --model   the model to adapt (default: the bundled default model, with its LM and lexicon)
#   --data    where examples/eval-default-model.sh made the evaluation sets (default: ./eval-data); make them first
#             with `examples/eval-default-model.sh --make-only --sets unheard,long`
#   --sets    comma-separated: long (the 45-60 s recordings, 51, 4-5 per speaker; default), unheard (the short test
#             utterances, 892, ~70 per speaker)
#   --voices  only the speakers whose voice name matches this extended regular expression (e.g. 'ked|Demonic')
#   after --   options passed to every `adapt` (e.g. --steps 80 --lr 3e-4, --freeze 'decoder.*')
# Adapted models go to DATA/adapted/SET/VOICE (a folder there is reused when its scores exist; delete it to redo).
# Time: about 3-6 minutes per speaker on 2 CPU cores (a first pass, 40 training steps, two scoring passes).
# Environment: SPEECH_MAMBA_CLI (the command to run, default ./speech-mamba of this checkout).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() { echo "eval-adaptation: error: $*" >&2; exit 2; }
say() { echo "==> $*" >&2; }
need_value() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value"; }

model="" data="eval-data" device=cpu sets="long" voices="."
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) need_value "$@"; [[ -e "$2" ]] || die "--model $2 does not exist"; model="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --data) need_value "$@"; data="$2"; shift 2 ;;
    --device) need_value "$@"; [[ "$2" == cpu || "$2" == cuda ]] || die "--device must be cpu or cuda, got '$2'"; device="$2"; shift 2 ;;
    --sets) need_value "$@"; sets="$2"; shift 2 ;;
    --voices) need_value "$@"; voices="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (--help lists the options)" ;;
  esac
done
adapt_options=("$@")
IFS=, read -r -a wanted <<<"$sets"
for s in "${wanted[@]}"; do [[ $s =~ ^(long|unheard)$ ]] || die "--sets: unknown set '$s' (long, unheard)"; done
[[ -d "$data" ]] || die "no evaluation data in $data: run examples/eval-default-model.sh --make-only --sets unheard,long first"
data="$(cd "$data" && pwd)"
command -v jq >/dev/null || die "jq is needed (Debian: apt-get install jq)"
if [[ -n "${SPEECH_MAMBA_CLI:-}" ]]; then read -r -a cli <<<"$SPEECH_MAMBA_CLI"; else cli=("$root/speech-mamba"); fi
sm() { "${cli[@]}" "$@"; }
model_args=(); [[ -n "$model" ]] && model_args=(--model "$model")
first_model="${model:-$root/runtime/src/main/resources/dev/speechmamba/models/default}"

errors_words() { # eval report file -> "errors words"
  sed -n 's/^WER [0-9.]*% (\([0-9]*\) errors \/ \([0-9]*\) words).*/\1 \2/p' "$1" | head -n 1
}

for set in "${wanted[@]}"; do
  case "$set" in
    long) manifest="$data/corpus-4h/longform/longform-45-60s.jsonl" ;;
    unheard) manifest="$data/corpus-4h/test.jsonl" ;;
  esac
  [[ -s "$manifest" ]] || die "$manifest is missing: run examples/eval-default-model.sh --data $data --make-only --sets unheard,long"
  dir="$(cd "$(dirname "$manifest")" && pwd)"
  total_first=0 total_adapted=0 total_words=0
  rows=()
  while IFS= read -r voice; do
    [[ "$voice" == flite:kal16 ]] && continue   # a voice stage 4 trained on; the card leaves it out
    grep -Eq -- "$voices" <<<"$voice" || continue
    out="$data/adapted/$set/${voice//[:\/]/_}"
    mkdir -p "$out"
    jq -c --arg v "$voice" --arg dir "$dir" 'select(.voice == $v)
      | .audio_filepath = (if (.audio_filepath | startswith("/")) then .audio_filepath else $dir + "/" + .audio_filepath end)' \
      "$manifest" > "$out/ref.jsonl"
    if [[ ! -s "$out/adapted.txt" ]]; then
      say "$set / $voice: first pass, adapt, second pass"
      sm eval --model "$first_model" --manifest "$out/ref.jsonl" --beam 10 --device "$device" > "$out/first.txt"
      rm -rf "$out/model"
      mapfile -t files < <(jq -r .audio_filepath "$out/ref.jsonl")
      sm adapt "${model_args[@]}" --out "$out/model" --device "$device" --quiet "${adapt_options[@]}" "${files[@]}" > "$out/adapt.txt"
      sm eval --model "$out/model" --manifest "$out/ref.jsonl" --beam 10 --device "$device" > "$out/adapted.txt"
    fi
    read -r e1 words < <(errors_words "$out/first.txt")
    read -r e2 _ < <(errors_words "$out/adapted.txt")
    [[ -n "${e1:-}" && -n "${e2:-}" ]] || die "no WER line in $out/first.txt or $out/adapted.txt"
    total_first=$((total_first + e1)) total_adapted=$((total_adapted + e2)) total_words=$((total_words + words))
    rows+=("$(awk -v v="$voice" -v w="$words" -v a="$e1" -v b="$e2" 'BEGIN { printf "%-40s %6d %6d %6d %8.2f%% %8.2f%%", v, w, a, b, 100*a/w, 100*b/w }')")
  done < <(jq -r .voice "$manifest" | sort -u)
  [[ $total_words -gt 0 ]] || die "no speaker of $manifest matches --voices '$voices'"
  echo "set: $set ($manifest)"
  printf '%-40s %6s %6s %6s %9s %9s\n' voice words errors: adapted "WER" adapted
  printf '%s\n' "${rows[@]}"
  awk -v w="$total_words" -v a="$total_first" -v b="$total_adapted" \
    'BEGIN { printf "%-40s %6d %6d %6d %8.2f%% %8.2f%%\n", "all", w, a, b, 100*a/w, 100*b/w }'
done
