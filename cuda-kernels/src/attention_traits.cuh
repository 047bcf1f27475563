// Tile shapes of the flash attention kernels (attention.cu). AttentionLauncher.java mirrors the row
// counts (threads per block = kThreadsPerRow * rows): change them together.
#pragma once
#include "common.cuh"

struct AttnTraits {
    // Each "row" (a query in the forward and dq kernels, a key in the dk/dv kernel) is owned by
    // kThreadsPerRow adjacent lanes: they split the columns of the score tile (column part + 4*cc) and
    // the head dimension of the row's accumulators (element part + 4*ee).
    static constexpr int kThreadsPerRow = 4;
    static constexpr int kFwdRows = 32;     // queries per block (128 threads)
    static constexpr int kFwdCols = 16;     // keys per shared-memory tile
    static constexpr int kDqRows = 16;      // queries per block (64 threads)
    static constexpr int kDqCols = 16;      // keys per tile
    static constexpr int kDkvRows = 16;     // keys per block (64 threads)
    static constexpr int kDkvCols = 16;     // queries per tile
    static constexpr int kRowDotWarps = 8;  // rowdot kernel: one warp per (b, i, h) row
    static constexpr int kMaxHeadDim = 128; // Dh is padded up to 32, 64 or 128 (the kernel variants)
    static_assert(kFwdCols % kThreadsPerRow == 0 && kDqCols % kThreadsPerRow == 0
                  && kDkvCols % kThreadsPerRow == 0, "columns split evenly over a row's lanes");
};

// AttentionMask.visible: key j of a row with klen valid keys, seen from query i.
// Positions below globalTokens escape the window, as queries and as keys.
SM_DEVICE bool attn_visible(int i, int j, int klen, int causal, int windowLeft, int windowRight, int globalTokens) {
    if (j >= klen) return false;
    if (causal && j > i) return false;
    if (i < globalTokens || j < globalTokens) return true;
    if (windowLeft >= 0 && j < i - windowLeft) return false;
    return windowRight < 0 || j <= i + windowRight;
}

// Reduction over the kThreadsPerRow adjacent lanes that own one row.
SM_DEVICE float row_group_max(float v) {
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 1));
    return fmaxf(v, __shfl_xor_sync(0xffffffffu, v, 2));
}

SM_DEVICE float row_group_sum(float v) {
    v += __shfl_xor_sync(0xffffffffu, v, 1);
    return v + __shfl_xor_sync(0xffffffffu, v, 2);
}
