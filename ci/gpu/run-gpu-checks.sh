#!/usr/bin/env bash
# Every GPU check in one run, for a GPU machine without a JDK or network (see docs/gpu.md):
#   here:  ci/gpu/prepare.sh            (build, jlink'd JRE + jars into .gpu/, test classes)
#   there: ci/gpu/run-gpu-checks.sh     (carry .gpu, runtime/target/test-classes, jvm-bindings/target/test-classes)
# Runs the backend parity suite on CUDA three ways (FFM driver + PTX from the jar, JCuda driver + PTX,
# FFM + NVRTC-compiled sources), the bindings' GPU tests, the kernel benchmarks and the PyTorch anchor.
# Full logs go to $OUT (default ./gpu-out); a short table is printed last.
set -uo pipefail
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
export PATH=$PWD/.gpu/jre/bin:$PATH
export LD_LIBRARY_PATH=/usr/local/cuda-13.0/targets/x86_64-linux/lib:/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
CP=".gpu/lib/*:runtime/target/test-classes:jvm-bindings/target/test-classes"
JOPTS=(--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss16m -Xmx32g)
BENCH_BUDGET=${BENCH_BUDGET:-100}
declare -a SUMMARY

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$OUT/gpu.txt" 2>&1
GPU_NAME=$(tail -n 1 "$OUT/gpu.txt")

junit() { # name, seconds, java options..., -- junit selectors...
  local name=$1 limit=$2; shift 2
  local jopts=() sel=()
  while [[ $# -gt 0 && $1 != -- ]]; do jopts+=("$1"); shift; done
  shift
  sel=("$@")
  local start=$SECONDS
  timeout "$limit" java "${JOPTS[@]}" "${jopts[@]}" -cp "$CP" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=tree --disable-ansi-colors --reports-dir "$OUT/junit-$name" "${sel[@]}" \
    > "$OUT/$name.log" 2>&1
  local rc=$?
  local counts
  counts=$(grep -E '^\[ *[0-9]+ tests (successful|failed|skipped|aborted) *\]' "$OUT/$name.log" | sed -E 's/^\[ *([0-9]+) tests ([a-z]+) *\]/\2=\1/' | tr '\n' ' ')
  SUMMARY+=("$(printf '%-28s rc=%-3s %5ss  %s' "$name" "$rc" "$((SECONDS - start))" "$counts")")
}

PARITY=(--select-class dev.speechmamba.backend.BackendParityTest)
junit bindings-ffm   120 -Dspeechmamba.cuda.driver=ffm -- --select-package dev.speechmamba.cuda
junit bindings-jcuda 120 -Dspeechmamba.cuda.driver=jcuda -- --select-package dev.speechmamba.cuda
junit parity-ffm-ptx   150 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.cuda.driver=ffm -Dspeechmamba.kernels.source=ptx -- "${PARITY[@]}"
junit parity-jcuda-ptx 150 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.cuda.driver=jcuda -Dspeechmamba.kernels.source=ptx -- "${PARITY[@]}"
junit parity-ffm-nvrtc 150 -Dspeechmamba.parity.backends=cuda -Dspeechmamba.cuda.driver=ffm -Dspeechmamba.kernels.source=nvrtc -- "${PARITY[@]}"
junit model-gpu 120 -Dspeechmamba.parity.backends=cuda -- --include-tag gpu --select-package dev.speechmamba.model --select-package dev.speechmamba.demo

start=$SECONDS
timeout $((BENCH_BUDGET + 60)) java "${JOPTS[@]}" -cp "$CP" dev.speechmamba.bench.GpuKernelBench "$OUT/kernels-java.csv" cuda "$BENCH_BUDGET" \
  > "$OUT/bench-java.log" 2>&1
SUMMARY+=("$(printf '%-28s rc=%-3s %5ss' bench-java "$?" "$((SECONDS - start))")")
start=$SECONDS
timeout 120 python3 ci/gpu/torch_anchor.py "$OUT/kernels-torch.csv" > "$OUT/bench-torch.log" 2>&1
SUMMARY+=("$(printf '%-28s rc=%-3s %5ss' bench-torch "$?" "$((SECONDS - start))")")

echo "== failures (first lines) =="
grep -h -E 'MethodSource|=> |Exception|Error' "$OUT"/parity-*.log "$OUT"/bindings-*.log 2>/dev/null | grep -v -E '^\s*at ' | head -40
echo "== kernels (Java, $GPU_NAME) =="
column -s, -t < "$OUT/kernels-java.csv" 2>/dev/null || cat "$OUT/kernels-java.csv"
echo "== PyTorch anchor =="
column -s, -t < "$OUT/kernels-torch.csv" 2>/dev/null || cat "$OUT/kernels-torch.csv"
echo "== summary ($GPU_NAME, $(date -u +%F)) =="
printf '%s\n' "${SUMMARY[@]}"
