#!/usr/bin/env bash
# Every GPU check in one run, for a GPU machine without a JDK or network:
#   here:  ci/gpu/prepare.sh            (build, jlink'd JRE + jars into .gpu/, test classes)
#   there: ci/gpu/run-gpu-checks.sh     (carry .gpu, runtime/target/test-classes, jvm-bindings/target/test-classes)
# Runs the backend parity suite on CUDA with the FFM and the JCuda driver (PTX from the jar), the GPU
# training-step tests, the kernel benchmarks, the PyTorch anchor and the fbank-vs-torchaudio check.
# GPU_CHECKS_FULL=1 adds the bindings' own GPU tests and the NVRTC kernel path.
# Full logs go to $OUT (default ./gpu-out); a short table is printed last.
set -uo pipefail
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
export PATH=$PWD/.gpu/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
CP=".gpu/lib/*:runtime/target/test-classes:jvm-bindings/target/test-classes"
JOPTS=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss16m -Xmx32g)
BENCH_BUDGET=${BENCH_BUDGET:-60}
declare -a SUMMARY

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUT/gpu.txt" 2>&1
GPU_NAME=$(tail -n 1 "$OUT/gpu.txt")

record() { # name rc start [extra]
  SUMMARY+=("$(printf '%-22s rc=%-3s %4ss  %s' "$1" "$2" "$((SECONDS - $3))" "${4:-}")")
}

junit() { # name, seconds, java options..., -- junit selectors...
  local name=$1 limit=$2; shift 2
  local jopts=()
  while [[ $# -gt 0 && $1 != -- ]]; do jopts+=("$1"); shift; done
  shift
  local start=$SECONDS
  timeout "$limit" java "${JOPTS[@]}" "${jopts[@]}" -cp "$CP" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=tree --disable-ansi-colors "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  local counts
  counts=$(grep -E '^\[ *[0-9]+ tests (successful|failed|skipped|aborted) *\]' "$OUT/$name.log" \
    | sed -E 's/^\[ *([0-9]+) tests ([a-z]+) *\]/\2=\1/' | tr '\n' ' ')
  record "$name" "$rc" "$start" "$counts"
}

PARITY=(--select-class dev.speechmamba.backend.BackendParityTest)
if [[ ${GPU_CHECKS_FULL:-0} == 1 ]]; then
  junit bindings-ffm 120 -Dspeechmamba.cuda.driver=ffm -- --select-package dev.speechmamba.cuda
  junit bindings-jcuda 120 -Dspeechmamba.cuda.driver=jcuda -- --select-package dev.speechmamba.cuda
  junit parity-ffm-nvrtc 150 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.kernels.source=nvrtc -- "${PARITY[@]}"
fi
junit parity-ffm-ptx 90 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.cuda.driver=ffm \
  -Dspeechmamba.kernels.source=ptx -- "${PARITY[@]}"
junit parity-jcuda-ptx 90 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.cuda.driver=jcuda \
  -Dspeechmamba.kernels.source=ptx -- "${PARITY[@]}"
junit model-gpu 90 -- --include-tag gpu --select-package dev.speechmamba.model --select-package dev.speechmamba.demo

start=$SECONDS
timeout $((BENCH_BUDGET + 30)) java "${JOPTS[@]}" -cp "$CP" dev.speechmamba.bench.GpuKernelBench \
  "$OUT/kernels-java.csv" cuda "$BENCH_BUDGET" > "$OUT/bench-java.log" 2>&1
record bench-java "$?" "$start"
start=$SECONDS
timeout 75 python3 ci/gpu/torch_anchor.py "$OUT/kernels-torch.csv" > "$OUT/bench-torch.log" 2>&1
record bench-torch "$?" "$start"
start=$SECONDS
timeout 60 python3 runtime/src/test/python/fbank_reference.py --torchaudio > "$OUT/fbank-torchaudio.log" 2>&1
record fbank-vs-torchaudio "$?" "$start"

echo "== failures (first lines) =="
grep -h -E 'MethodSource|=> |Exception|Error' "$OUT"/parity-*.log "$OUT"/model-gpu.log "$OUT"/bindings-*.log 2>/dev/null \
  | grep -v -E '^\s*at ' | head -30
echo "== kernels (Java) =="
column -s, -t < "$OUT/kernels-java.csv" 2>/dev/null || tail -n 20 "$OUT/bench-java.log"
echo "== PyTorch anchor =="
column -s, -t < "$OUT/kernels-torch.csv" 2>/dev/null || tail -n 20 "$OUT/bench-torch.log"
echo "== fbank vs torchaudio =="
tail -n 8 "$OUT/fbank-torchaudio.log"
echo "== summary ($GPU_NAME, $(date -u +%F)) =="
printf '%s\n' "${SUMMARY[@]}"
