#!/usr/bin/env bash
# Every GPU check in one run, for a GPU machine without a JDK or network:
#   here:  ci/gpu/prepare.sh            (build, jlink'd JRE + jars into .gpu/, test classes)
#   there: ci/gpu/run-gpu-checks.sh     (carry .gpu, runtime/target/test-classes, jvm-bindings/target/test-classes)
# Stages (STAGES, space-separated, in this order; default "parity model trainstep scaling"):
#   parity    backend parity suite on CUDA with the FFM and the JCuda driver (PTX from the jar)
#   model     GPU tests of the model, demo and CUDA backend (training step vs reference, conv slicing)
#   trainstep one training step of the paper config: Java CUDA vs the same model in PyTorch eager
#   scaling   bench scaling, paper config vs transformer-paper, 1-60 minutes (SCALING_MINUTES)
#   kernels   kernel benchmarks (Java) and the PyTorch anchor;  fbank  fbank vs torchaudio
#   scanv1    the parity suite with the previous scan forward kernel (the fallback)
#   nvrtc     the parity suite with the kernels compiled at run time by NVRTC
#   full      bindings' own GPU tests (FFM, JCuda) and the NVRTC kernel path
# BUDGET_S bounds the whole run: each stage's timeout is cut to what is left, so the script always ends
# (and packs its logs) before the caller's limit. Everything goes to $OUT: summary.txt, the scaling
# CSV/SVG/table, the train-step CSV, and all logs in gpu-logs.tgz (the device tool returns at most 8 files).
set -uo pipefail
OUT=${OUT:-$PWD/gpu-out}
LOGS=$OUT/logs
mkdir -p "$LOGS"
export PATH=$PWD/.gpu/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
export PYTHONUNBUFFERED=1
CP=".gpu/lib/*:runtime/target/test-classes:jvm-bindings/target/test-classes"
JOPTS=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss16m -Xmx48g)
STAGES=${STAGES:-parity model trainstep scaling}
BUDGET_S=${BUDGET_S:-480}
SCALING_MINUTES=${SCALING_MINUTES:-1,2,5,10,20,40,60}
SCALING_REPEATS=${SCALING_REPEATS:-3}
BENCH_BUDGET=${BENCH_BUDGET:-60}
declare -a SUMMARY

has() { [[ " $STAGES " == *" $1 "* ]]; }
left() { echo $((BUDGET_S - 15 - SECONDS)); }   # 15 s kept for packing the logs
cap() { local want=$1 l; l=$(left); ((l < want)) && want=$l; ((want < 1)) && want=1; echo "$want"; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$LOGS/gpu.txt" 2>&1
GPU_NAME=$(tail -n 1 "$LOGS/gpu.txt")

table() { if command -v column >/dev/null; then column -s, -t < "$1"; else cat "$1"; fi; }   # no column(1) there

record() { # name rc start [extra]
  SUMMARY+=("$(printf '%-22s rc=%-3s %4ss  %s' "$1" "$2" "$((SECONDS - $3))" "${4:-}")")
}

junit() { # name, seconds, java options..., -- junit selectors...
  local name=$1 limit; limit=$(cap "$2"); shift 2
  local jopts=()
  while [[ $# -gt 0 && $1 != -- ]]; do jopts+=("$1"); shift; done
  shift
  local start=$SECONDS
  timeout "$limit" java "${JOPTS[@]}" "${jopts[@]}" -cp "$CP" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=tree --disable-ansi-colors "$@" > "$LOGS/$name.log" 2>&1
  local rc=$?
  local counts
  counts=$(grep -E '^\[ *[0-9]+ tests (successful|failed|skipped|aborted) *\]' "$LOGS/$name.log" \
    | sed -E 's/^\[ *([0-9]+) tests ([a-z]+) *\]/\2=\1/' | tr '\n' ' ')
  record "$name" "$rc" "$start" "$counts"
}

stage() { # name, seconds, command...
  local name=$1 limit; limit=$(cap "$2"); shift 2
  local start=$SECONDS
  timeout "$limit" "$@" > "$LOGS/$name.log" 2>&1
  record "$name" "$?" "$start"
}

PARITY=(--select-class dev.speechmamba.backend.BackendParityTest)
if has full; then
  junit bindings-ffm 120 -Dspeechmamba.cuda.driver=ffm -- --select-package dev.speechmamba.cuda
  junit bindings-jcuda 120 -Dspeechmamba.cuda.driver=jcuda -- --select-package dev.speechmamba.cuda
  junit parity-ffm-nvrtc 150 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.kernels.source=nvrtc -- "${PARITY[@]}"
fi
if has parity; then
  junit parity-ffm-ptx 90 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.cuda.driver=ffm \
    -Dspeechmamba.kernels.source=ptx -- "${PARITY[@]}"
  junit parity-jcuda-ptx 90 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.cuda.driver=jcuda \
    -Dspeechmamba.kernels.source=ptx -- "${PARITY[@]}"
fi
if has scanv1; then   # the previous scan forward kernel, kept as the fallback (-Dspeechmamba.cuda.scanForward=v1)
  junit parity-ffm-ptx-scan-v1 90 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.cuda.scanForward=v1 -- "${PARITY[@]}"
fi
if has nvrtc; then
  junit parity-ffm-nvrtc 150 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.kernels.source=nvrtc -- "${PARITY[@]}"
fi
if has model; then
  junit model-gpu 120 -- --include-tag gpu --select-package dev.speechmamba.model --select-package dev.speechmamba.demo \
    --select-class dev.speechmamba.decode.IncrementalDecodingTest \
    --select-package dev.speechmamba.backend.cuda
fi
if has trainstep; then
  stage trainstep-java 150 java "${JOPTS[@]}" -cp "$CP" dev.speechmamba.cli.Main bench train-step --device cuda \
    --config paper --batch 8 --seconds 10 --target-length 40 --warmup 3 --steps 10 --out "$OUT/trainstep-java.csv"
  stage trainstep-torch 180 python3 ci/gpu/torch_train_step.py --device cuda --config paper --batch 8 --seconds 10 \
    --target-length 40 --warmup 3 --steps 10 --out "$OUT/trainstep-torch.csv"
fi
if has scaling; then
  # The bench rewrites its CSV and table after every length, so a cut-off run still leaves what it measured.
  stage scaling 420 java "${JOPTS[@]}" -cp "$CP" dev.speechmamba.cli.Main bench scaling --device cuda --config paper \
    --baseline transformer-paper --minutes "$SCALING_MINUTES" --repeats "$SCALING_REPEATS" --warmup 1 --window 256 \
    --time-limit-s 60 --out "$OUT/scaling"
fi
if has kernels; then
  # KERNEL_GROUPS (scan,attn,gemm; default all) restricts the Java rows; the PyTorch anchor has no scan rows
  stage bench-java $((BENCH_BUDGET + 30)) java "${JOPTS[@]}" -cp "$CP" dev.speechmamba.bench.GpuKernelBench \
    "$OUT/kernels-java.csv" cuda "$BENCH_BUDGET" ${KERNEL_GROUPS:-}
  [[ ${KERNEL_GROUPS:-} == scan ]] || stage bench-torch 75 python3 ci/gpu/torch_anchor.py "$OUT/kernels-torch.csv"
fi
if has fbank; then
  stage fbank-vs-torchaudio 60 python3 runtime/src/test/python/fbank_reference.py --torchaudio
fi

{
  echo "== failures (first lines) =="
  grep -h -E 'MethodSource|=> |Exception|Error' "$LOGS"/parity-*.log "$LOGS"/model-gpu.log "$LOGS"/bindings-*.log 2>/dev/null \
    | grep -v -E '^\s*at ' | head -30
  for f in "$OUT"/trainstep-*.csv; do [[ -f $f ]] && { echo "== $(basename "$f") =="; table "$f"; }; done
  for s in trainstep-java trainstep-torch; do [[ -f $LOGS/$s.log ]] && { echo "== $s (last lines) =="; tail -n 6 "$LOGS/$s.log"; }; done
  [[ -f $OUT/scaling/scaling.md ]] && { echo "== scaling =="; cat "$OUT/scaling/scaling.md"; }
  [[ -f $LOGS/scaling.log ]] && { echo "== scaling log (last lines) =="; tail -n 5 "$LOGS/scaling.log"; }
  [[ -f $OUT/kernels-java.csv ]] && { echo "== kernels (Java) =="; table "$OUT/kernels-java.csv"; }
  [[ -f $OUT/kernels-torch.csv ]] && { echo "== PyTorch anchor =="; table "$OUT/kernels-torch.csv"; }
  [[ -f $LOGS/fbank-vs-torchaudio.log ]] && { echo "== fbank vs torchaudio =="; tail -n 8 "$LOGS/fbank-vs-torchaudio.log"; }
  echo "== summary ($GPU_NAME, $(date -u +%F)) =="
  printf '%s\n' "${SUMMARY[@]}"
} > "$OUT/summary.txt" 2>&1
# scaling/ keeps csv, md, svg (the PNG goes into the tarball): at most 8 files come back
[[ -f $OUT/scaling/scaling.png ]] && mv "$OUT/scaling/scaling.png" "$LOGS/"
tar -czf "$OUT/gpu-logs.tgz" -C "$OUT" logs && rm -rf "$LOGS"
cat "$OUT/summary.txt"
