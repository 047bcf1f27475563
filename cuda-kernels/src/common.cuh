// Shared device helpers for every Speech-Mamba kernel file.
// NVRTC-compilable: no system headers, only builtins. Every entry point is extern "C" __global__ so the
// JVM looks it up by its plain name. All tensors are contiguous, row-major F32 unless a name says i32.
#pragma once

typedef long long i64;
typedef unsigned long long u64;

#define SM_DEVICE __device__ __forceinline__

// Launch shapes the Java launchers assume (kept in one place; the launchers mirror these numbers).
struct LaunchTraits {
    static constexpr int kThreads = 256;      // 1-D elementwise blocks
    static constexpr int kWarp = 32;
    static constexpr int kRowsPerBlock = 8;   // warp-per-row kernels: 8 warps of 32 = 256 threads
    static constexpr int kMaxBlocks = 65535;  // grid-stride kernels never need more
};

// Element load/store with float accumulation; F32 only today, BF16 would specialise this.
template <typename T> struct ElemTraits;
template <> struct ElemTraits<float> {
    typedef float Acc;
    static SM_DEVICE float load(const float* p, i64 i) { return p[i]; }
    static SM_DEVICE void store(float* p, i64 i, float v) { p[i] = v; }
};

// NVRTC has no math.h, so no INFINITY macro.
SM_DEVICE float neg_inf() { return __int_as_float(0xff800000); }

SM_DEVICE i64 global_index() { return (i64)blockIdx.x * blockDim.x + threadIdx.x; }
SM_DEVICE i64 grid_stride() { return (i64)gridDim.x * blockDim.x; }

SM_DEVICE float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

SM_DEVICE double warp_sum(double v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

SM_DEVICE float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over a 1-D block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// scratch must hold 32 values; the function synchronises before reusing it, so calls may follow each other.
template <typename T>
SM_DEVICE T block_sum(T v, T* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();                 // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    T total = lane < warps ? scratch[lane] : (T)0;
    return warp_sum(total);
}

SM_DEVICE float block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float m = lane < warps ? scratch[lane] : neg_inf();
    return warp_max(m);
}

SM_DEVICE float sigmoidf_(float x) { return 1.0f / (1.0f + expf(-x)); }

// log(1 + exp(x)), linear above 20 as in PyTorch's softplus.
SM_DEVICE float softplusf_(float x) { return x > 20.0f ? x : log1pf(expf(x)); }

// Dropout's keep decision: SplitMix64 finalizer of (seed, index), the same 64-bit arithmetic as
// DropoutMask.uniform in Java (two's-complement wrap-around, logical shifts), top 24 bits to [0, 1).
SM_DEVICE float dropout_uniform(u64 seed, u64 index) {
    u64 z = seed + (index + 1ull) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * 5.9604644775390625e-8f;   // 2^-24
}
