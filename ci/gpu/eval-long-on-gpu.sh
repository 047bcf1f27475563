#!/usr/bin/env bash
# Decodes the recordings ci/gpu/bundle-long.sh packed, on the GPU and (optionally) on the CPU backend, as `transcribe`
# decodes (beam 4 + the model's LM and lexicon, segments encoded on their own), with a limited attention window, and
# as one greedy encoder pass per recording, so that a GPU run shows whether the CUDA backend makes the CPU backend's
# errors on long audio, and how fast:
#   there: tar -xJf .gpu-long/long.tar.xz && ci/gpu/eval-long-on-gpu.sh       (carry .gpu-long)
#   here, the CPU side of the comparison on the same files:  DEVICES=cpu ci/gpu/eval-long-on-gpu.sh
# Environment: DEVICES ("cuda"; e.g. "cuda cpu"), MODES ("beam window greedy"), MODEL (the bundled default model's
# folder in the tree), MANIFEST (long/long.jsonl), WINDOW (256), BUDGET_S (240: each run's timeout is cut to what is
# left, so the script ends before the caller's limit), OUT ($PWD/gpu-out).
# Leaves eval-DEVICE-MODE.txt for each run and summary.txt (a table) in $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/gpu-out}
DEVICES=${DEVICES:-cuda}
MODES=${MODES:-beam window greedy}
MODEL=${MODEL:-runtime/src/main/resources/dev/speechmamba/models/default}
MANIFEST=${MANIFEST:-long/long.jsonl}
WINDOW=${WINDOW:-256}
BUDGET_S=${BUDGET_S:-240}
[[ -f $MANIFEST ]] || { echo "eval-long-on-gpu: no $MANIFEST (tar -xJf .gpu-long/long.tar.xz first; ci/gpu/bundle-long.sh makes it)" >&2; exit 1; }
[[ -e $MODEL ]] || { echo "eval-long-on-gpu: no model at $MODEL" >&2; exit 1; }
if [[ -x .gpu/jre/bin/java ]]; then JAVA=.gpu/jre/bin/java; else JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java; fi
[[ -n $(ls .gpu/lib/speech-mamba-runtime-*.jar 2>/dev/null) ]] || { echo "eval-long-on-gpu: .gpu/lib has no runtime jar (ci/gpu/prepare.sh)" >&2; exit 1; }
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
mkdir -p "$OUT"
rows=()
for device in $DEVICES; do
  for mode in $MODES; do
    case $mode in
      beam) args=(--beam 4) ;;
      window) args=(--beam 4 --attention-window "$WINDOW") ;;
      greedy) args=() ;;
      *) echo "eval-long-on-gpu: unknown mode '$mode' (beam, window, greedy)" >&2; exit 1 ;;
    esac
    left=$((BUDGET_S - SECONDS - 5))
    if ((left < 10)); then rows+=("$(printf '%-6s %-7s %s' "$device" "$mode" "not run: budget spent")"); continue; fi
    log=$OUT/eval-$device-$mode.txt
    timeout "$left" "$JAVA" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss16m -Xmx48g \
      -cp '.gpu/lib/*' dev.speechmamba.cli.Main eval --model "$MODEL" --manifest "$MANIFEST" --device "$device" "${args[@]}" \
      > "$log" 2>&1
    rc=$?
    wer=$(grep -m1 '^WER' "$log" | sed -E 's/^(WER [0-9.]+% \([0-9]+ errors)[^;]*; [0-9]+ utterances, ([0-9.]+ s).*/\1), \2/')
    cer=$(grep -m1 '^CER' "$log" | sed -E 's/^(CER [0-9.]+% \([0-9]+ errors).*/\1)/')
    rows+=("$(printf '%-6s %-7s rc=%-3s %s  %s' "$device" "$mode" "$rc" "${wer:-no result (see $log)}" "$cer")")
  done
done
{ command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name --format=csv,noheader
  echo "$(grep -c . "$MANIFEST") recordings of $MANIFEST, model $MODEL"
  printf '%s\n' "${rows[@]}"; } | tee "$OUT/summary.txt"
