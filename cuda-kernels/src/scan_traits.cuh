// Launch configuration of the fused selective scan (selective_scan.cu). ScanLauncher.java mirrors
// kThreads, kChannels, kChunk and kMaxState, and ScanTraitsV2's kChannels, kSteps, kReduceStride and the
// shared-memory size: change them together.
#pragma once
#include "common.cuh"

struct ScanTraits {
    // One block per (group of kChannels channels, batch row b); warp w scans channel d0 + w. The warp walks
    // time in chunks of kChunk steps: lane l owns the kItems consecutive steps [l*kItems, (l+1)*kItems) of
    // a chunk, composes them sequentially, and the 32 lane aggregates are combined with shuffles. The
    // recurrence never needs a block barrier; barriers only guard the shared B/C tiles.
    static constexpr int kChannels = 8;
    static constexpr int kThreads = kChannels * 32;     // 256
    static constexpr int kItems = 4;
    static constexpr int kChunk = 32 * kItems;          // 128 time steps per chunk
    // B and C are staged in shared memory kStateTile states at a time, transposed to (state, time) so a
    // lane reads its kItems steps as one float4; the channels of the block share the tile. In the backward
    // each warp also writes its channel's dB and dC for the tile to its own slice (no shared atomics: f32
    // atomics on shared memory are compare-and-swap loops), and the block sums the slices when it flushes.
    static constexpr int kStateTileFwd = 32;            // 2 tiles * 32 * 132 * 4 B = 33.8 KB
    static constexpr int kStateTileBwd = 4;             // (2 + 2 * kChannels) tiles * 4 * 132 * 4 B = 38 KB
    static constexpr int kTileRow = kChunk + 4;         // row stride in floats: float4 aligned, skews banks
    // Largest state size N: the state carried between chunks lives in shared memory, (kChannels, kMaxState).
    static constexpr int kMaxState = 256;
    static_assert(kItems == 4, "lanes read their steps of a tile row as one float4");
};

// The second forward, selective_scan_fwd_v2 ("lane per state"). One block per (kChannels channels, batch
// row b), warp w on channel d0 + w. Lane l owns the states n = l + 32 j (j < kStatesPerLane, n < N) and
// walks time sequentially, so the recurrence needs no shuffles; each step leaves a partial y (the sum over
// the lane's own states) that the warp adds up once per kSteps-step tile through a padded transpose in
// shared memory. The B and C rows of a tile, (kSteps, N) each, are copied to shared memory with cp.async
// into one of two buffers while the block computes the other. Dynamic shared memory, in floats:
//   tiles   (2 buffers, 2 [B, C], kSteps, N)
//   partial (kChannels warps, 32 lanes, kReduceStride)   y partials, row = lane, column = step in the tile
// It writes the same saved chunk states as selective_scan_fwd (kChunk is a multiple of kSteps).
struct ScanTraitsV2 {
    static constexpr int kChannels = 8;
    static constexpr int kThreads = kChannels * 32;     // 256
    static constexpr int kSteps = 32;                   // steps per tile: one per lane in the y transpose
    static constexpr int kStatesPerLane = ScanTraits::kMaxState / 32;   // 8
    static constexpr int kReduceStride = kSteps + 1;    // padding: row and column walks are both conflict-free
    static constexpr int kPartialFloats = kChannels * 32 * kReduceStride;
    static_assert(kSteps == 32, "the y transpose gives lane l the column of step l");
    static_assert(ScanTraits::kChunk % kSteps == 0, "a chunk start must be a tile start (saved states)");
    static_assert(ScanTraits::kMaxState % 32 == 0, "states are dealt to lanes 32 at a time");
};

// One step of the linear recurrence h -> a*h + b, or the composition of several.
struct ScanPair {
    float a, b;
};

// The map "first, then second": h -> second.a * (first.a * h + first.b) + second.b.
SM_DEVICE ScanPair scan_then(ScanPair first, ScanPair second) {
    return ScanPair{second.a * first.a, second.a * first.b + second.b};
}

// Warp-wide exclusive scan of per-lane recurrence aggregates, seeded with carryIn.
// Forward (kReverse = false): scan order is ascending lane; reverse: descending.
// Returns the value entering this lane's steps (carryIn pushed through the aggregates of the lanes before
// it in scan order); *warpOut receives the value after all 32 lanes. All 32 lanes must call it.
template <bool kReverse>
SM_DEVICE float scan_warp_enter(ScanPair agg, float carryIn, float* warpOut) {
    const unsigned full = 0xffffffffu;
    const int lane = threadIdx.x & 31;
    ScanPair inc = agg;
#pragma unroll
    for (int off = 1; off < 32; off <<= 1) {
        const float pa = kReverse ? __shfl_down_sync(full, inc.a, off) : __shfl_up_sync(full, inc.a, off);
        const float pb = kReverse ? __shfl_down_sync(full, inc.b, off) : __shfl_up_sync(full, inc.b, off);
        if (kReverse ? lane + off < 32 : lane >= off) inc = scan_then(ScanPair{pa, pb}, inc);
    }
    const float ea = kReverse ? __shfl_down_sync(full, inc.a, 1) : __shfl_up_sync(full, inc.a, 1);
    const float eb = kReverse ? __shfl_down_sync(full, inc.b, 1) : __shfl_up_sync(full, inc.b, 1);
    const int lastLane = kReverse ? 0 : 31;
    const float ta = __shfl_sync(full, inc.a, lastLane), tb = __shfl_sync(full, inc.b, lastLane);
    *warpOut = ta * carryIn + tb;
    const bool first = kReverse ? lane == 31 : lane == 0;
    return first ? carryIn : ea * carryIn + eb;
}
