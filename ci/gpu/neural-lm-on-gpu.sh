#!/usr/bin/env bash
# Trains a neural LM (train-neural-lm --device cuda) on the GPU machine from the same text as the shipped n-gram LM,
# and checks on CUDA what the CPU tests cannot: --neural-lm decoding, word confidences and adapt.
#   here:  ci/gpu/prepare.sh && ci/gpu/bundle.sh && ci/gpu/pack-lm-text.sh HELD_OUT_MANIFEST...   (.lmgpu/)
#   there: tar -xJf .gpu-bundle/gpu.tar.xz && ci/gpu/neural-lm-on-gpu.sh      (carry .gpu-bundle .lmgpu)
# The LM text is Debian's fortunes, WordNet and GCIDE, which the GPU machine lacks: pack-lm-text.sh carries their
# files (.lmgpu/lmsrc.tar.xz), unpacked there into the places SentenceSource and DictionaryText read, with the
# held-out sentences of the evaluation sets (.lmgpu/heldout.txt), so the text is the one train-lm uses here.
# The number of steps is set from a short probe's speed so that the learning rate decays to zero inside TRAIN_S.
# Environment: BUDGET_S (480) bounds the whole run; TRAIN_S (240) the main training; D_MODEL (256), LAYERS (4),
# HEADS (4), FFN_DIM (1024), BATCH_TOKENS (16384), LR (2e-3), WARMUP (300); CHECKS (1: the CUDA checks first).
# Leaves in $OUT: nlm.safetensors (or its parts, over 15 MB), train-neural-lm.log, summary.txt, logs.tgz.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/gpu-out}
LOGS=$OUT/logs
mkdir -p "$LOGS"
export PATH=$PWD/.gpu/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
BUDGET_S=${BUDGET_S:-480}
TRAIN_S=${TRAIN_S:-240}
D_MODEL=${D_MODEL:-256} LAYERS=${LAYERS:-4} HEADS=${HEADS:-4} FFN_DIM=${FFN_DIM:-1024}
BATCH_TOKENS=${BATCH_TOKENS:-16384} LR=${LR:-2e-3} WARMUP=${WARMUP:-300}
CHECKS=${CHECKS:-1}
DEVICE=${DEVICE:-cuda}
MODEL=runtime/src/main/resources/dev/speechmamba/models/default
SM=(java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx32g -cp '.gpu/lib/*' dev.speechmamba.cli.Main)
declare -a SUMMARY
left() { echo $((BUDGET_S - 10 - SECONDS)); }
step() { # name seconds command...: runs under what is left of the budget, logs to $LOGS/name.log
  local name=$1 want=$2 l start=$SECONDS; shift 2
  l=$(left); ((l < want)) && want=$l; ((want < 1)) && want=1
  timeout "$want" "$@" > "$LOGS/$name.log" 2>&1
  local rc=$?
  SUMMARY+=("$(printf '%-24s rc=%-3s %4ss' "$name" "$rc" "$((SECONDS - start))")")
  return $rc
}

[[ -f .lmgpu/lmsrc.tar.xz && -f .lmgpu/heldout.txt ]] || { echo "neural-lm-on-gpu: .lmgpu/ missing (ci/gpu/pack-lm-text.sh)" >&2; exit 1; }
# Only data files into directories of their own; nothing there is replaced (the machine is given back bare).
tar -xJf .lmgpu/lmsrc.tar.xz -C / --skip-old-files || { echo "neural-lm-on-gpu: cannot unpack the LM text" >&2; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$LOGS/gpu.txt" 2>&1
LMTEXT=(--model "$MODEL" --installed-sentences --dictionary-text --in-domain-weight 3 --exclude .lmgpu/heldout.txt)

if [[ $CHECKS == 1 ]]; then
  # Decoding on CUDA against the CPU backend of the same machine: the same words, and confidences within 0.02.
  for dev in cuda cpu; do
    step "transcribe-$dev" 60 "${SM[@]}" transcribe --model "$MODEL" --device $dev --format json examples/sample.wav
    cp "$LOGS/transcribe-$dev.log" "$LOGS/transcribe-$dev.json"
  done
  # A tiny neural LM trained on CUDA, then fused in beam search on CUDA and on the CPU.
  step nlm-tiny-cuda 90 "${SM[@]}" train-neural-lm "${LMTEXT[@]}" --steps 30 --warmup-steps 5 --d-model 64 --layers 1 \
    --heads 2 --ffn-dim 128 --batch-tokens 2048 --device cuda --save-every 0 --out /tmp/nlm-tiny.safetensors
  for dev in cuda cpu; do
    step "transcribe-nlm-$dev" 60 "${SM[@]}" transcribe --model "$MODEL" --device $dev --format json \
      --neural-lm /tmp/nlm-tiny.safetensors --neural-lm-weight 0.3 examples/sample.wav
  done
  step adapt-cuda 120 "${SM[@]}" adapt --model "$MODEL" --device cuda --steps 10 --out /tmp/adapted examples/sample.wav
  step transcribe-adapted-cuda 60 "${SM[@]}" transcribe --model /tmp/adapted --device cuda examples/sample.wav
fi

# Probe: the chosen LM's speed on this GPU, from the training log's rate over steps 101-200 (the first 100 hold the
# start-up); cut off after step 100 it still leaves that first, lower, rate, which gives fewer steps, never too many.
PROBE_STEPS=200
step nlm-probe 100 "${SM[@]}" train-neural-lm "${LMTEXT[@]}" --steps $PROBE_STEPS --warmup-steps 10 --d-model "$D_MODEL" \
  --layers "$LAYERS" --heads "$HEADS" --ffn-dim "$FFN_DIM" --batch-tokens "$BATCH_TOKENS" --lr "$LR" --device "$DEVICE" \
  --save-every 0 --out /tmp/nlm-probe.safetensors
pps=$(grep -oE '[0-9]+ pieces/s' "$LOGS/nlm-probe.log" | tail -n 1 | cut -d' ' -f1)
avail=$(( $(left) - 60 ))            # text loading, the held-out perplexity and writing the file
((avail > TRAIN_S)) && avail=$TRAIN_S
if [[ -n $pps ]] && ((avail > 30)); then
  steps=$(( pps * avail / BATCH_TOKENS ))
  ((steps <= WARMUP)) && steps=$((WARMUP + 1))
  echo "probe: $pps pieces/s -> $steps steps in about ${avail}s" >> "$LOGS/nlm-probe.log"
  step train-neural-lm $((avail + 90)) "${SM[@]}" train-neural-lm "${LMTEXT[@]}" --steps "$steps" --warmup-steps "$WARMUP" \
    --d-model "$D_MODEL" --layers "$LAYERS" --heads "$HEADS" --ffn-dim "$FFN_DIM" --batch-tokens "$BATCH_TOKENS" \
    --lr "$LR" --device "$DEVICE" --save-every 500 --out "$OUT/nlm.safetensors"
  cp "$LOGS/train-neural-lm.log" "$OUT/"
  # The device tool returns files of at most 16 MB: a larger LM (d 384, 6 layers is 21.7 MB) comes back in parts,
  # joined here with  cat nlm.safetensors.part-* > nlm.safetensors
  if [[ -f $OUT/nlm.safetensors ]] && (($(stat -c %s "$OUT/nlm.safetensors") > 15 * 1024 * 1024)); then
    split -b 15M -d "$OUT/nlm.safetensors" "$OUT/nlm.safetensors.part-" && rm "$OUT/nlm.safetensors"
  fi
else
  SUMMARY+=("train-neural-lm          not run: probe speed '${pps:-none}', ${avail}s left")
fi

{
  echo "== $(cat "$LOGS/gpu.txt") $(date -u +%FT%TZ) =="
  for dev in cuda cpu; do
    [[ -f $LOGS/transcribe-$dev.json ]] && echo "transcribe $dev: $(grep -o '"text" *: *"[^"]*"' "$LOGS/transcribe-$dev.json" | head -n 1)"
    [[ -f $LOGS/transcribe-nlm-$dev.log ]] && echo "transcribe + tiny NLM $dev: $(grep -o '"text" *: *"[^"]*"' "$LOGS/transcribe-nlm-$dev.log" | head -n 1)"
  done
  [[ -f $LOGS/transcribe-cuda.json ]] && echo "confidences cuda: $(grep -o '"confidence" *: *[0-9.]*' "$LOGS/transcribe-cuda.json" | tr -d ' ' | cut -d: -f2 | tr '\n' ' ')"
  [[ -f $LOGS/transcribe-cpu.json ]] && echo "confidences cpu:  $(grep -o '"confidence" *: *[0-9.]*' "$LOGS/transcribe-cpu.json" | tr -d ' ' | cut -d: -f2 | tr '\n' ' ')"
  [[ -f $LOGS/nlm-tiny-cuda.log ]] && { echo "== tiny NLM on cuda =="; tail -n 4 "$LOGS/nlm-tiny-cuda.log"; }
  [[ -f $LOGS/adapt-cuda.log ]] && { echo "== adapt on cuda =="; tail -n 5 "$LOGS/adapt-cuda.log"; }
  [[ -f $LOGS/transcribe-adapted-cuda.log ]] && echo "adapted, cuda: $(tail -n 1 "$LOGS/transcribe-adapted-cuda.log")"
  echo "== probe =="; tail -n 3 "$LOGS/nlm-probe.log"
  [[ -f $LOGS/train-neural-lm.log ]] && { echo "== train-neural-lm =="; grep -v '^step' "$LOGS/train-neural-lm.log"; grep '^step' "$LOGS/train-neural-lm.log" | awk 'NR % 5 == 0' | tail -n 12; }
  echo "== stages =="
  printf '%s\n' "${SUMMARY[@]}"
} > "$OUT/summary.txt" 2>&1
tar -czf "$OUT/logs.tgz" -C "$OUT" logs && rm -rf "$LOGS"
cat "$OUT/summary.txt"
