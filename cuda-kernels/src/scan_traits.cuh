// Launch configuration of the fused selective scan (selective_scan.cu). ScanLauncher.java mirrors
// kThreads, kChunk and kMaxState: change them together.
#pragma once
#include "common.cuh"

struct ScanTraits {
    // One block per (batch row b, channel d). The block walks time in chunks of kChunk steps; thread i
    // owns the kItems consecutive steps [i*kItems, (i+1)*kItems) of each chunk.
    static constexpr int kThreads = 128;
    static constexpr int kItems = 2;
    static constexpr int kChunk = kThreads * kItems;    // 256 time steps per chunk
    static constexpr int kWarps = kThreads / 32;
    // B and C are staged through shared memory kStateTile states at a time (coalesced loads; the
    // backward also stages dB and dC there before flushing them with coalesced atomics). Rows are
    // padded by one float to spread the per-thread row reads over the banks.
    static constexpr int kStateTileFwd = 16;            // 2 tiles * 256 * 17 * 4 B = 34.8 KB
    static constexpr int kStateTileBwd = 8;             // 4 tiles * 256 *  9 * 4 B = 36.9 KB
    // Largest state size N: the carried state of each n between chunks lives in shared memory.
    static constexpr int kMaxState = 256;
    static_assert(kThreads % 32 == 0 && kThreads <= 1024, "whole warps, one block");
};

// One step of the linear recurrence h -> a*h + b, or the composition of several.
struct ScanPair {
    float a, b;
};

// The map "first, then second": h -> second.a * (first.a * h + first.b) + second.b.
SM_DEVICE ScanPair scan_then(ScanPair first, ScanPair second) {
    return ScanPair{second.a * first.a, second.a * first.b + second.b};
}

// Block-wide exclusive scan of per-thread recurrence aggregates, seeded with carryIn.
// Forward (kReverse = false): scan order is ascending thread index; reverse: descending.
// Returns the value entering this thread's items (carryIn pushed through the aggregates of all threads
// before it in scan order) and stores in *blockOut the value after every thread's aggregate.
// Every thread of the block must call it (it synchronises twice); warpTotals holds kWarps pairs.
template <bool kReverse>
SM_DEVICE float scan_block_enter(ScanPair agg, float carryIn, ScanPair* warpTotals, float* blockOut) {
    const unsigned full = 0xffffffffu;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    ScanPair inc = agg;                         // inclusive aggregate within the warp
#pragma unroll
    for (int off = 1; off < 32; off <<= 1) {
        float pa = kReverse ? __shfl_down_sync(full, inc.a, off) : __shfl_up_sync(full, inc.a, off);
        float pb = kReverse ? __shfl_down_sync(full, inc.b, off) : __shfl_up_sync(full, inc.b, off);
        bool has = kReverse ? lane + off < 32 : lane >= off;
        if (has) inc = scan_then(ScanPair{pa, pb}, inc);
    }
    float ea = kReverse ? __shfl_down_sync(full, inc.a, 1) : __shfl_up_sync(full, inc.a, 1);
    float eb = kReverse ? __shfl_down_sync(full, inc.b, 1) : __shfl_up_sync(full, inc.b, 1);
    const bool firstInWarp = kReverse ? lane == 31 : lane == 0;
    const ScanPair excl = firstInWarp ? ScanPair{1.0f, 0.0f} : ScanPair{ea, eb};
    if (kReverse ? lane == 0 : lane == 31) warpTotals[warp] = inc;
    __syncthreads();
    float before = carryIn, all = carryIn;
#pragma unroll
    for (int i = 0; i < ScanTraits::kWarps; ++i) {
        const int w = kReverse ? ScanTraits::kWarps - 1 - i : i;
        const ScanPair p = warpTotals[w];
        if (kReverse ? w > warp : w < warp) before = p.a * before + p.b;
        all = p.a * all + p.b;
    }
    *blockOut = all;
    __syncthreads();                            // warpTotals is reused by the next call
    return excl.a * before + excl.b;
}
