#!/usr/bin/env bash
# Builds the kernel resources: build-ptx.sh OUTDIR [SRCDIR]
#   OUTDIR/cuda-src/   every SRCDIR/*.cu and *.cuh (always; NVRTC compiles these on a GPU node when no PTX fits)
#   OUTDIR/ptx/sm_XX/  NAME.ptx per NAME.cu for each architecture in SM_ARCHS (only when nvcc is found)
#   OUTDIR/kernels.index  one resource path per line, relative to OUTDIR
# SRCDIR defaults to the src/ folder next to this script. Environment:
#   NVCC        compiler to use (default: nvcc on the PATH)
#   SM_ARCHS    space-separated compute capabilities (default "80 90")
#   SPEECHMAMBA_SKIP_NVCC=1   copy sources only
#   SPEECHMAMBA_PTX_LENIENT=1 keep going when a file fails to compile (its PTX is then missing and the
#                             runtime falls back to NVRTC); by default a compile error fails the build
# PTX is rebuilt only when a source, a header or the flags changed. No --use_fast_math: the scan and
# softmax kernels need accurate expf/logf.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 OUTDIR [SRCDIR]" >&2
    exit 2
fi
OUTDIR=$1
SRCDIR=${2:-"$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/src"}
SM_ARCHS=${SM_ARCHS:-"80 90"}
NVCC=${NVCC:-nvcc}
NVCC_FLAGS=(-ptx -std=c++17 -O3 -lineinfo)

if [[ ! -d "$SRCDIR" ]]; then
    echo "build-ptx: source folder $SRCDIR does not exist" >&2
    exit 1
fi

mkdir -p "$OUTDIR/cuda-src"
# the copy mirrors SRCDIR exactly: sources deleted there disappear here too
find "$OUTDIR/cuda-src" -maxdepth 1 -type f \( -name '*.cu' -o -name '*.cuh' \) -delete
shopt -s nullglob
sources=("$SRCDIR"/*.cu)
headers=("$SRCDIR"/*.cuh)
shopt -u nullglob
for f in "${sources[@]}" "${headers[@]}"; do
    cp -p "$f" "$OUTDIR/cuda-src/"
done

index="$OUTDIR/kernels.index.tmp"
: > "$index"
for f in "${headers[@]}" "${sources[@]}"; do
    echo "cuda-src/$(basename "$f")" >> "$index"
done

if [[ "${SPEECHMAMBA_SKIP_NVCC:-0}" == 1 ]]; then
    echo "build-ptx: SPEECHMAMBA_SKIP_NVCC=1, copied ${#sources[@]} sources and ${#headers[@]} headers, no PTX"
elif ! command -v "$NVCC" > /dev/null 2>&1; then
    echo "build-ptx: note: $NVCC not found; copied ${#sources[@]} sources and ${#headers[@]} headers only" \
         "(the runtime will compile them with NVRTC on the GPU node)"
else
    failed=()
    built=0
    for arch in $SM_ARCHS; do
        ptxdir="$OUTDIR/ptx/sm_$arch"
        mkdir -p "$ptxdir"
        flags="$("$NVCC" --version | tail -1) ${NVCC_FLAGS[*]} -arch=compute_$arch"
        stamp="$ptxdir/.flags"
        if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$flags" ]]; then
            rm -f "$ptxdir"/*.ptx
            echo "$flags" > "$stamp"
        fi
        # PTX whose source is gone must not linger in the jar
        for ptx in "$ptxdir"/*.ptx; do
            [[ -e "$ptx" ]] || continue
            [[ -f "$SRCDIR/$(basename "${ptx%.ptx}").cu" ]] || rm -f "$ptx"
        done
        for src in "${sources[@]}"; do
            name=$(basename "${src%.cu}")
            out="$ptxdir/$name.ptx"
            stale=0
            if [[ ! -f "$out" || "$src" -nt "$out" ]]; then
                stale=1
            else
                for h in "${headers[@]}"; do
                    if [[ "$h" -nt "$out" ]]; then stale=1; break; fi
                done
            fi
            if [[ $stale == 1 ]]; then
                if "$NVCC" "${NVCC_FLAGS[@]}" -arch=compute_"$arch" -I"$SRCDIR" -o "$out.tmp" "$src"; then
                    mv "$out.tmp" "$out"
                    built=$((built + 1))
                else
                    rm -f "$out.tmp" "$out"
                    failed+=("sm_$arch/$name.cu")
                fi
            fi
            if [[ -f "$out" ]]; then
                echo "ptx/sm_$arch/$name.ptx" >> "$index"
            fi
        done
    done
    echo "build-ptx: compiled $built PTX file(s) for sm_{${SM_ARCHS// /,}} (${#sources[@]} sources, up-to-date ones kept)"
    if [[ ${#failed[@]} -gt 0 ]]; then
        echo "build-ptx: FAILED to compile: ${failed[*]}" >&2
        if [[ "${SPEECHMAMBA_PTX_LENIENT:-0}" != 1 ]]; then
            rm -f "$index"
            exit 1
        fi
        echo "build-ptx: SPEECHMAMBA_PTX_LENIENT=1, continuing without that PTX" >&2
    fi
fi
mv "$index" "$OUTDIR/kernels.index"
