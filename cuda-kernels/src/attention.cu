// Flash-style scaled dot-product attention, forward and backward, F32.
// q, out, dOut, dq (B, Tq, H, Dh); k, v, dk, dv (B, Tk, H, Dh); lse, rowDot (B, H, Tq); keyLengths (B) i32.
// The Tq x Tk score matrix is never stored: the forward streams key tiles through shared memory with an
// online softmax (running max m and sum l per query); the backward recomputes P = exp(s - lse) per tile.
// Key tiles (or query tiles in the dk/dv kernel) that the mask hides for a whole block are skipped, so a
// windowed attention costs time linear in T; with G global tokens a block also visits the tiles of [0, G), and a
// block holding a global position visits every tile. Each kernel has variants for Dh <= 32, 64, 128 (zero padded).
#include "attention_traits.cuh"

namespace {

SM_DEVICE i64 row_offset(int b, int t, int h, int T, int H, int Dh) { return (((i64)b * T + t) * H + h) * Dh; }

// Rows [t0, t0 + rows) of one (b, h) head slice into a zero-padded (rows, kDh + 1) shared tile.
template <int kDh, int kRows, int kThreads>
SM_DEVICE void load_rows(float (*tile)[kDh + 1], const float* src, int b, int t0, int h, int T, int H, int Dh) {
    for (int idx = threadIdx.x; idx < kRows * kDh; idx += kThreads) {
        const int rr = idx / kDh, e = idx % kDh, t = t0 + rr;
        tile[rr][e] = (t < T && e < Dh) ? src[row_offset(b, t, h, T, H, Dh) + e] : 0.0f;
    }
}

// out[cc] = x · tile[part + P*cc] for the CP columns a lane owns: x is read once for all of them.
template <int kDh, int CP, int P>
SM_DEVICE void dot_columns(const float* x, const float (*tile)[kDh + 1], int part, float* out) {
#pragma unroll
    for (int cc = 0; cc < CP; ++cc) out[cc] = 0.0f;
#pragma unroll 8
    for (int e = 0; e < kDh; ++e) {
        const float xe = x[e];
#pragma unroll
        for (int cc = 0; cc < CP; ++cc) out[cc] += xe * tile[part + P * cc][e];
    }
}

// Keys that any query of [i0, iLast] may see: the global keys [0, *globalEnd) and the window [begin, end).
// A tile holding a global query (i0 < globalTokens) gets the whole unwindowed range and *globalEnd = 0.
SM_DEVICE void key_range(int i0, int iLast, int klen, int causal, int windowLeft, int windowRight,
                         int globalTokens, int* globalEnd, int* begin, int* end) {
    int hi = klen;
    if (causal) hi = min(hi, iLast + 1);
    if (i0 < globalTokens) {
        *globalEnd = 0;
        *begin = 0;
        *end = hi;
        return;
    }
    *globalEnd = min(globalTokens, hi);
    if (windowRight >= 0) hi = min(hi, iLast + windowRight + 1);
    *begin = windowLeft >= 0 ? max(0, i0 - windowLeft) : 0;
    *end = hi;
}

// Queries that may see any key of [j0, jLast]: the global queries [0, *globalEnd) and the window [begin, end).
// A tile holding a global key (j0 < globalTokens) gets every query that causality allows and *globalEnd = 0.
SM_DEVICE void query_range(int j0, int jLast, int Tq, int causal, int windowLeft, int windowRight,
                           int globalTokens, int* globalEnd, int* begin, int* end) {
    int lo = 0;
    if (causal) lo = max(lo, j0);
    if (j0 < globalTokens) {
        *globalEnd = 0;
        *begin = lo;
        *end = Tq;
        return;
    }
    *globalEnd = min(globalTokens, Tq);
    if (windowRight >= 0) lo = max(lo, j0 - windowRight);
    *begin = lo;
    *end = windowLeft >= 0 ? min(Tq, jLast + windowLeft + 1) : Tq;
}

// Tile starts (multiples of tile) covering [0, globalEnd) and then [begin, end), each tile once: the first tile
// start, and the one after t0. Tiles between the global tiles and the window's first tile are skipped.
SM_DEVICE int first_tile(int globalEnd, int begin, int tile) { return globalEnd > 0 ? 0 : (begin / tile) * tile; }

SM_DEVICE int next_tile(int t0, int globalEnd, int begin, int tile) {
    const int next = t0 + tile;
    const int globalTilesEnd = ((globalEnd + tile - 1) / tile) * tile, windowStart = (begin / tile) * tile;
    return (next == globalTilesEnd && next < windowStart) ? windowStart : next;
}

template <int kDh>
SM_DEVICE void attention_fwd_impl(float* __restrict__ out, float* __restrict__ lse, const float* __restrict__ q,
                                  const float* __restrict__ k, const float* __restrict__ v,
                                  const int* __restrict__ keyLengths, int Tq, int Tk, int H, int Dh,
                                  int causal, int windowLeft, int windowRight, int globalTokens, float scale) {
    constexpr int P = AttnTraits::kThreadsPerRow, R = AttnTraits::kFwdRows, C = AttnTraits::kFwdCols;
    constexpr int kThreads = R * P, CP = C / P, EP = kDh / P;
    __shared__ float sQ[R][kDh + 1];
    __shared__ float sK[C][kDh + 1];
    __shared__ float sV[C][kDh + 1];
    __shared__ float sP[R][C + 1];

    const int b = blockIdx.y / H, h = blockIdx.y % H;
    const int tid = threadIdx.x, r = tid / P, part = tid % P;
    const int i0 = blockIdx.x * R, i = i0 + r;
    const int klen = keyLengths ? keyLengths[b] : Tk;
    load_rows<kDh, R, kThreads>(sQ, q, b, i0, h, Tq, H, Dh);

    int jGlobalEnd, jBegin, jEnd;
    key_range(i0, min(i0 + R, Tq) - 1, klen, causal, windowLeft, windowRight, globalTokens, &jGlobalEnd, &jBegin,
              &jEnd);
    float m = neg_inf(), l = 0.0f;
    float o[EP];
#pragma unroll
    for (int ee = 0; ee < EP; ++ee) o[ee] = 0.0f;

    for (int j0 = first_tile(jGlobalEnd, jBegin, C); j0 < jEnd; j0 = next_tile(j0, jGlobalEnd, jBegin, C)) {
        __syncthreads();                       // previous K/V tile no longer read (and sQ loaded)
        load_rows<kDh, C, kThreads>(sK, k, b, j0, h, Tk, H, Dh);
        load_rows<kDh, C, kThreads>(sV, v, b, j0, h, Tk, H, Dh);
        __syncthreads();
        float s[CP];
        dot_columns<kDh, CP, P>(sQ[r], sK, part, s);
        float tileMax = neg_inf();
#pragma unroll
        for (int cc = 0; cc < CP; ++cc) {
            const int j = j0 + part + P * cc;
            const bool vis = i < Tq && attn_visible(i, j, klen, causal, windowLeft, windowRight, globalTokens);
            s[cc] = vis ? scale * s[cc] : neg_inf();
            tileMax = fmaxf(tileMax, s[cc]);
        }
        tileMax = row_group_max(tileMax);
        // While nothing is visible to the row, mNew is -inf: p = 0 and factor = 0 keep l and o at 0. No early
        // continue here: the row-group shuffles and __syncwarp need every lane of the warp.
        const float mNew = fmaxf(m, tileMax);
        const float factor = m == neg_inf() ? 0.0f : expf(m - mNew);
        float psum = 0.0f;
#pragma unroll
        for (int cc = 0; cc < CP; ++cc) {
            const float p = s[cc] == neg_inf() ? 0.0f : expf(s[cc] - mNew);
            sP[r][part + P * cc] = p;
            psum += p;
        }
        l = l * factor + row_group_sum(psum);
        m = mNew;
        __syncwarp();                          // the row's P is written by its own 4 lanes
#pragma unroll
        for (int ee = 0; ee < EP; ++ee) {
            const int e = part + P * ee;
            float acc = 0.0f;
#pragma unroll
            for (int jj = 0; jj < C; ++jj) acc += sP[r][jj] * sV[jj][e];
            o[ee] = o[ee] * factor + acc;
        }
        __syncwarp();                          // sP is rewritten by the next tile
    }
    if (i >= Tq) return;
    const bool any = l > 0.0f;
    const float inv = any ? 1.0f / l : 0.0f;
    const i64 base = row_offset(b, i, h, Tq, H, Dh);
#pragma unroll
    for (int ee = 0; ee < EP; ++ee) {
        const int e = part + P * ee;
        if (e < Dh) out[base + e] = o[ee] * inv;
    }
    if (part == 0) lse[((i64)b * H + h) * Tq + i] = any ? m + logf(l) : neg_inf();
}

template <int kDh>
SM_DEVICE void attention_bwd_dq_impl(float* __restrict__ dq, const float* __restrict__ dOut,
                                     const float* __restrict__ q, const float* __restrict__ k,
                                     const float* __restrict__ v, const float* __restrict__ lse,
                                     const float* __restrict__ rowDot, const int* __restrict__ keyLengths,
                                     int Tq, int Tk, int H, int Dh, int causal, int windowLeft, int windowRight,
                                     int globalTokens, float scale) {
    constexpr int P = AttnTraits::kThreadsPerRow, R = AttnTraits::kDqRows, C = AttnTraits::kDqCols;
    constexpr int kThreads = R * P, CP = C / P, EP = kDh / P;
    __shared__ float sQ[R][kDh + 1];
    __shared__ float sdO[R][kDh + 1];
    __shared__ float sK[C][kDh + 1];
    __shared__ float sV[C][kDh + 1];
    __shared__ float sdS[R][C + 1];

    const int b = blockIdx.y / H, h = blockIdx.y % H;
    const int tid = threadIdx.x, r = tid / P, part = tid % P;
    const int i0 = blockIdx.x * R, i = i0 + r;
    const int klen = keyLengths ? keyLengths[b] : Tk;
    load_rows<kDh, R, kThreads>(sQ, q, b, i0, h, Tq, H, Dh);
    load_rows<kDh, R, kThreads>(sdO, dOut, b, i0, h, Tq, H, Dh);
    const i64 lseIndex = ((i64)b * H + h) * Tq + i;
    const float rowLse = i < Tq ? lse[lseIndex] : neg_inf();
    const float rowD = i < Tq ? rowDot[lseIndex] : 0.0f;
    const bool rowLive = rowLse != neg_inf();

    int jGlobalEnd, jBegin, jEnd;
    key_range(i0, min(i0 + R, Tq) - 1, klen, causal, windowLeft, windowRight, globalTokens, &jGlobalEnd, &jBegin,
              &jEnd);
    float acc[EP];
#pragma unroll
    for (int ee = 0; ee < EP; ++ee) acc[ee] = 0.0f;

    for (int j0 = first_tile(jGlobalEnd, jBegin, C); j0 < jEnd; j0 = next_tile(j0, jGlobalEnd, jBegin, C)) {
        __syncthreads();
        load_rows<kDh, C, kThreads>(sK, k, b, j0, h, Tk, H, Dh);
        load_rows<kDh, C, kThreads>(sV, v, b, j0, h, Tk, H, Dh);
        __syncthreads();
        float qk[CP], dov[CP];
        dot_columns<kDh, CP, P>(sQ[r], sK, part, qk);
        dot_columns<kDh, CP, P>(sdO[r], sV, part, dov);
#pragma unroll
        for (int cc = 0; cc < CP; ++cc) {
            const int jj = part + P * cc, j = j0 + jj;
            float ds = 0.0f;
            if (rowLive && attn_visible(i, j, klen, causal, windowLeft, windowRight, globalTokens)) {
                const float p = expf(scale * qk[cc] - rowLse);
                ds = p * (dov[cc] - rowD);
            }
            sdS[r][jj] = ds;
        }
        __syncwarp();
#pragma unroll
        for (int ee = 0; ee < EP; ++ee) {
            const int e = part + P * ee;
            float sum = 0.0f;
#pragma unroll
            for (int jj = 0; jj < C; ++jj) sum += sdS[r][jj] * sK[jj][e];
            acc[ee] += sum;
        }
        __syncwarp();
    }
    if (i >= Tq || !rowLive) return;
    const i64 base = row_offset(b, i, h, Tq, H, Dh);
#pragma unroll
    for (int ee = 0; ee < EP; ++ee) {
        const int e = part + P * ee;
        if (e < Dh) dq[base + e] += scale * acc[ee];
    }
}

template <int kDh>
SM_DEVICE void attention_bwd_dkdv_impl(float* __restrict__ dk, float* __restrict__ dv,
                                       const float* __restrict__ dOut, const float* __restrict__ q,
                                       const float* __restrict__ k, const float* __restrict__ v,
                                       const float* __restrict__ lse, const float* __restrict__ rowDot,
                                       const int* __restrict__ keyLengths, int Tq, int Tk, int H, int Dh,
                                       int causal, int windowLeft, int windowRight, int globalTokens,
                                       float scale) {
    constexpr int P = AttnTraits::kThreadsPerRow, R = AttnTraits::kDkvRows, C = AttnTraits::kDkvCols;
    constexpr int kThreads = R * P, CP = C / P, EP = kDh / P;
    __shared__ float sK[R][kDh + 1];
    __shared__ float sV[R][kDh + 1];
    __shared__ float sQ[C][kDh + 1];
    __shared__ float sdO[C][kDh + 1];
    __shared__ float sP[R][C + 1];
    __shared__ float sdS[R][C + 1];
    __shared__ float sLse[C];
    __shared__ float sRowDot[C];

    const int b = blockIdx.y / H, h = blockIdx.y % H;
    const int tid = threadIdx.x, r = tid / P, part = tid % P;
    const int j0 = blockIdx.x * R, j = j0 + r;
    const int klen = keyLengths ? keyLengths[b] : Tk;
    if (j0 >= klen) return;                    // every key of this block is hidden: no gradient (uniform)
    load_rows<kDh, R, kThreads>(sK, k, b, j0, h, Tk, H, Dh);
    load_rows<kDh, R, kThreads>(sV, v, b, j0, h, Tk, H, Dh);

    int iGlobalEnd, iBegin, iEnd;
    query_range(j0, min(j0 + R, klen) - 1, Tq, causal, windowLeft, windowRight, globalTokens, &iGlobalEnd, &iBegin,
                &iEnd);
    float dkAcc[EP], dvAcc[EP];
#pragma unroll
    for (int ee = 0; ee < EP; ++ee) { dkAcc[ee] = 0.0f; dvAcc[ee] = 0.0f; }

    for (int qi0 = first_tile(iGlobalEnd, iBegin, C); qi0 < iEnd; qi0 = next_tile(qi0, iGlobalEnd, iBegin, C)) {
        __syncthreads();
        load_rows<kDh, C, kThreads>(sQ, q, b, qi0, h, Tq, H, Dh);
        load_rows<kDh, C, kThreads>(sdO, dOut, b, qi0, h, Tq, H, Dh);
        for (int c = tid; c < C; c += kThreads) {
            const int qi = qi0 + c;
            const i64 lseIndex = ((i64)b * H + h) * Tq + qi;
            sLse[c] = qi < Tq ? lse[lseIndex] : neg_inf();
            sRowDot[c] = qi < Tq ? rowDot[lseIndex] : 0.0f;
        }
        __syncthreads();
        float kq[CP], vdo[CP];
        dot_columns<kDh, CP, P>(sK[r], sQ, part, kq);
        dot_columns<kDh, CP, P>(sV[r], sdO, part, vdo);
#pragma unroll
        for (int cc = 0; cc < CP; ++cc) {
            const int ii = part + P * cc, qi = qi0 + ii;
            float p = 0.0f, ds = 0.0f;
            if (qi < Tq && sLse[ii] != neg_inf() && attn_visible(qi, j, klen, causal, windowLeft, windowRight, globalTokens)) {
                p = expf(scale * kq[cc] - sLse[ii]);
                ds = p * (vdo[cc] - sRowDot[ii]);
            }
            sP[r][ii] = p;
            sdS[r][ii] = ds;
        }
        __syncwarp();
#pragma unroll
        for (int ee = 0; ee < EP; ++ee) {
            const int e = part + P * ee;
            float sumV = 0.0f, sumK = 0.0f;
#pragma unroll
            for (int ii = 0; ii < C; ++ii) {
                sumV += sP[r][ii] * sdO[ii][e];
                sumK += sdS[r][ii] * sQ[ii][e];
            }
            dvAcc[ee] += sumV;
            dkAcc[ee] += sumK;
        }
        __syncwarp();
    }
    if (j >= klen) return;
    const i64 base = row_offset(b, j, h, Tk, H, Dh);
#pragma unroll
    for (int ee = 0; ee < EP; ++ee) {
        const int e = part + P * ee;
        if (e >= Dh) continue;
        if (dk) dk[base + e] += scale * dkAcc[ee];
        if (dv) dv[base + e] += dvAcc[ee];
    }
}

}  // namespace

// rowDot[b, h, i] = Σ_e dOut[b, i, h, e] · out[b, i, h, e]: one warp per (b, i, h) row.
extern "C" __global__ void __launch_bounds__(AttnTraits::kRowDotWarps * 32)
attention_bwd_rowdot(float* __restrict__ rowDot, const float* __restrict__ dOut, const float* __restrict__ out,
                     int B, int Tq, int H, int Dh) {
    const i64 row = (i64)blockIdx.x * AttnTraits::kRowDotWarps + (threadIdx.x >> 5);
    const i64 rows = (i64)B * Tq * H;
    if (row >= rows) return;                   // whole warps leave together
    const int lane = threadIdx.x & 31;
    float acc = 0.0f;
    for (int e = lane; e < Dh; e += 32) acc += dOut[row * Dh + e] * out[row * Dh + e];
    acc = warp_sum(acc);
    if (lane == 0) {
        const int h = (int)(row % H), i = (int)((row / H) % Tq), b = (int)(row / ((i64)H * Tq));
        rowDot[((i64)b * H + h) * Tq + i] = acc;
    }
}

#define SM_ATTENTION_VARIANTS(KDH)                                                                          \
    extern "C" __global__ void __launch_bounds__(AttnTraits::kFwdRows * AttnTraits::kThreadsPerRow)         \
    attention_fwd_d##KDH(float* out, float* lse, const float* q, const float* k, const float* v,          \
                         const int* keyLengths, int Tq, int Tk, int H, int Dh, int causal, int windowLeft, \
                         int windowRight, int globalTokens, float scale) {                                 \
        attention_fwd_impl<KDH>(out, lse, q, k, v, keyLengths, Tq, Tk, H, Dh, causal, windowLeft,         \
                                windowRight, globalTokens, scale);                                         \
    }                                                                                                      \
    extern "C" __global__ void __launch_bounds__(AttnTraits::kDqRows * AttnTraits::kThreadsPerRow)          \
    attention_bwd_dq_d##KDH(float* dq, const float* dOut, const float* q, const float* k, const float* v,  \
                            const float* lse, const float* rowDot, const int* keyLengths, int Tq, int Tk,  \
                            int H, int Dh, int causal, int windowLeft, int windowRight, int globalTokens,  \
                            float scale) {                                                                 \
        attention_bwd_dq_impl<KDH>(dq, dOut, q, k, v, lse, rowDot, keyLengths, Tq, Tk, H, Dh, causal,     \
                                   windowLeft, windowRight, globalTokens, scale);                          \
    }                                                                                                      \
    extern "C" __global__ void __launch_bounds__(AttnTraits::kDkvRows * AttnTraits::kThreadsPerRow)         \
    attention_bwd_dkdv_d##KDH(float* dk, float* dv, const float* dOut, const float* q, const float* k,     \
                              const float* v, const float* lse, const float* rowDot, const int* keyLengths,\
                              int Tq, int Tk, int H, int Dh, int causal, int windowLeft, int windowRight,  \
                              int globalTokens, float scale) {                                             \
        attention_bwd_dkdv_impl<KDH>(dk, dv, dOut, q, k, v, lse, rowDot, keyLengths, Tq, Tk, H, Dh,       \
                                     causal, windowLeft, windowRight, globalTokens, scale);                \
    }

SM_ATTENTION_VARIANTS(32)
SM_ATTENTION_VARIANTS(64)
SM_ATTENTION_VARIANTS(128)
