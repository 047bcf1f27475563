// Fused selective scan (Mamba's selective_scan with one B/C group), forward and backward.
// Layouts: u, delta, z, out (B, T, D); A (D, N); Bm, Cm (B, T, N); dSkip, deltaBias (D); lengths (B) i32.
// saved (B, D, nChunks, N): the state h entering each chunk, written by the forward and used by the
// backward to recompute each chunk's states from its start instead of storing all T of them.
//
// One block per (channel d = blockIdx.x, batch row b = blockIdx.y). Time is processed in chunks of
// ScanTraits::kChunk steps; within a chunk the recurrence h_t = a_t h_{t-1} + b_t is a block-wide parallel
// scan of (a, b) pairs (thread-local sequential composition, then warp shuffles, then across warps),
// seeded with the state carried from the previous chunk. The state index n is looped over (B and C tiles
// staged in shared memory), so N may be anything up to ScanTraits::kMaxState.
// Steps t >= lengths[b] are identity steps (a = 1, b = 0), produce out 0 and receive no gradient.
#include "scan_traits.cuh"

namespace {

SM_DEVICE float scan_time_step(float rawDelta, int deltaSoftplus) {
    return deltaSoftplus ? softplusf_(rawDelta) : rawDelta;
}

SM_DEVICE i64 btd_index(int b, int t, int d, int T, int D) { return ((i64)b * T + t) * D + d; }

}  // namespace

extern "C" __global__ void __launch_bounds__(ScanTraits::kThreads)
selective_scan_fwd(float* __restrict__ out,                 // (B, T, D)
                   float* __restrict__ saved,               // (B, D, nChunks, N)
                   const float* __restrict__ u,             // (B, T, D)
                   const float* __restrict__ delta,         // (B, T, D)
                   const float* __restrict__ A,             // (D, N)
                   const float* __restrict__ Bm,            // (B, T, N)
                   const float* __restrict__ Cm,            // (B, T, N)
                   const float* __restrict__ dSkip,         // (D) or null
                   const float* __restrict__ z,             // (B, T, D) or null
                   const float* __restrict__ deltaBias,     // (D) or null
                   const int* __restrict__ lengths,         // (B) or null
                   int T, int D, int N, int nChunks, int deltaSoftplus) {
    typedef ScanTraits Tr;
    constexpr int NT = Tr::kStateTileFwd;
    __shared__ float sB[Tr::kChunk][NT + 1];   // (chunk, state tile) of Bm
    __shared__ float sC[Tr::kChunk][NT + 1];   // (chunk, state tile) of Cm
    __shared__ float hCarry[Tr::kMaxState];    // (N) state after the previous chunk
    __shared__ ScanPair warpTotals[Tr::kWarps];

    const int d = blockIdx.x, b = blockIdx.y, tid = threadIdx.x;
    const int len = lengths ? lengths[b] : T;
    const float skip = dSkip ? dSkip[d] : 0.0f;
    const float bias = deltaBias ? deltaBias[d] : 0.0f;
    for (int n = tid; n < N; n += Tr::kThreads) hCarry[n] = 0.0f;
    __syncthreads();

    const int validChunks = (len + Tr::kChunk - 1) / Tr::kChunk;
    for (int c = 0; c < validChunks; ++c) {
        const int t0 = c * Tr::kChunk;
        float uv[Tr::kItems], dt[Tr::kItems], y[Tr::kItems];
#pragma unroll
        for (int k = 0; k < Tr::kItems; ++k) {
            const int t = t0 + tid * Tr::kItems + k;
            const bool valid = t < len;
            const i64 idx = btd_index(b, valid ? t : 0, d, T, D);
            uv[k] = valid ? u[idx] : 0.0f;
            dt[k] = valid ? scan_time_step(delta[idx] + bias, deltaSoftplus) : 0.0f;
            y[k] = 0.0f;
        }
        for (int n0 = 0; n0 < N; n0 += NT) {
            const int nt = min(NT, N - n0);
            __syncthreads();                   // the previous tile is no longer read
            for (int i = tid; i < Tr::kChunk * NT; i += Tr::kThreads) {
                const int tt = i / NT, nn = i % NT, t = t0 + tt;
                const bool ok = t < len && nn < nt;
                const i64 g = ((i64)b * T + (ok ? t : 0)) * N + n0 + (ok ? nn : 0);
                sB[tt][nn] = ok ? Bm[g] : 0.0f;
                sC[tt][nn] = ok ? Cm[g] : 0.0f;
            }
            __syncthreads();
            for (int nn = 0; nn < nt; ++nn) {
                const int n = n0 + nn;
                const float an = A[(i64)d * N + n];
                const float carry = hCarry[n];
                float a[Tr::kItems], bx[Tr::kItems];
                ScanPair agg{1.0f, 0.0f};
#pragma unroll
                for (int k = 0; k < Tr::kItems; ++k) {
                    const int tt = tid * Tr::kItems + k;
                    const bool valid = t0 + tt < len;
                    a[k] = valid ? expf(dt[k] * an) : 1.0f;
                    bx[k] = valid ? dt[k] * sB[tt][nn] * uv[k] : 0.0f;
                    agg = scan_then(agg, ScanPair{a[k], bx[k]});
                }
                float chunkOut;
                float h = scan_block_enter<false>(agg, carry, warpTotals, &chunkOut);
#pragma unroll
                for (int k = 0; k < Tr::kItems; ++k) {
                    h = a[k] * h + bx[k];
                    y[k] += sC[tid * Tr::kItems + k][nn] * h;
                }
                if (tid == 0) {                // every thread read hCarry[n] before the scan's barriers
                    saved[(((i64)b * D + d) * nChunks + c) * N + n] = carry;
                    hCarry[n] = chunkOut;
                }
            }
        }
#pragma unroll
        for (int k = 0; k < Tr::kItems; ++k) {
            const int t = t0 + tid * Tr::kItems + k;
            if (t >= T) continue;
            const i64 idx = btd_index(b, t, d, T, D);
            float o = 0.0f;
            if (t < len) {
                o = y[k] + skip * uv[k];
                if (z) {
                    const float zv = z[idx];
                    o *= zv * sigmoidf_(zv);
                }
            }
            out[idx] = o;
        }
    }
    for (int t = validChunks * Tr::kChunk + tid; t < T; t += Tr::kThreads) out[btd_index(b, t, d, T, D)] = 0.0f;
}

// Backward. Chunks are visited from the last to the first. In each, per state n: the chunk's states are
// recomputed from saved (forward scan), then the adjoint runs backwards in time as a reverse scan of
// r_t = a_t (dy_t C_t + r_{t+1}), where g_t = dy_t C_t + r_{t+1} is the adjoint of h_t and r carries between
// chunks. Gradients accumulate (+=): du, dDelta, dz are owned by one thread each; dA, dSkipGrad,
// dDeltaBias (summed over b) and dB, dC (summed over d) use atomics. Any gradient pointer may be null.
extern "C" __global__ void __launch_bounds__(ScanTraits::kThreads)
selective_scan_bwd(float* __restrict__ du,                  // (B, T, D) or null
                   float* __restrict__ dDelta,              // (B, T, D) or null
                   float* __restrict__ dA,                  // (D, N) or null
                   float* __restrict__ dB,                  // (B, T, N) or null
                   float* __restrict__ dC,                  // (B, T, N) or null
                   float* __restrict__ dSkipGrad,           // (D) or null
                   float* __restrict__ dz,                  // (B, T, D) or null
                   float* __restrict__ dDeltaBias,          // (D) or null
                   const float* __restrict__ dOut,          // (B, T, D)
                   const float* __restrict__ saved,         // (B, D, nChunks, N)
                   const float* __restrict__ u,
                   const float* __restrict__ delta,
                   const float* __restrict__ A,
                   const float* __restrict__ Bm,
                   const float* __restrict__ Cm,
                   const float* __restrict__ dSkip,
                   const float* __restrict__ z,
                   const float* __restrict__ deltaBias,
                   const int* __restrict__ lengths,
                   int T, int D, int N, int nChunks, int deltaSoftplus) {
    typedef ScanTraits Tr;
    constexpr int NT = Tr::kStateTileBwd;
    __shared__ float sB[Tr::kChunk][NT + 1];
    __shared__ float sC[Tr::kChunk][NT + 1];
    __shared__ float sdB[Tr::kChunk][NT + 1];  // this block's dB contribution for the tile, flushed with atomics
    __shared__ float sdC[Tr::kChunk][NT + 1];
    __shared__ float rCarry[Tr::kMaxState];    // (N) r at the first step of the later chunk
    __shared__ ScanPair warpTotals[Tr::kWarps];
    __shared__ float reduceScratch[32];

    const int d = blockIdx.x, b = blockIdx.y, tid = threadIdx.x, lane = tid & 31;
    const int len = lengths ? lengths[b] : T;
    const float skip = dSkip ? dSkip[d] : 0.0f;
    const float bias = deltaBias ? deltaBias[d] : 0.0f;
    for (int n = tid; n < N; n += Tr::kThreads) rCarry[n] = 0.0f;
    __syncthreads();

    float skipGrad = 0.0f, biasGrad = 0.0f;
    const int validChunks = (len + Tr::kChunk - 1) / Tr::kChunk;
    for (int c = validChunks - 1; c >= 0; --c) {
        const int t0 = c * Tr::kChunk;
        float uv[Tr::kItems], raw[Tr::kItems], dt[Tr::kItems], dy[Tr::kItems], dov[Tr::kItems], zv[Tr::kItems];
        float y[Tr::kItems], duAcc[Tr::kItems], ddtAcc[Tr::kItems];
#pragma unroll
        for (int k = 0; k < Tr::kItems; ++k) {
            const int t = t0 + tid * Tr::kItems + k;
            const bool valid = t < len;
            const i64 idx = btd_index(b, valid ? t : 0, d, T, D);
            uv[k] = valid ? u[idx] : 0.0f;
            raw[k] = valid ? delta[idx] + bias : 0.0f;
            dt[k] = valid ? scan_time_step(raw[k], deltaSoftplus) : 0.0f;
            dov[k] = valid ? dOut[idx] : 0.0f;
            zv[k] = (valid && z) ? z[idx] : 0.0f;
            dy[k] = z ? dov[k] * zv[k] * sigmoidf_(zv[k]) : dov[k];
            y[k] = 0.0f;
            duAcc[k] = dy[k] * skip;
            ddtAcc[k] = 0.0f;
        }
        for (int n0 = 0; n0 < N; n0 += NT) {
            const int nt = min(NT, N - n0);
            __syncthreads();                   // the previous tile is flushed and no longer read
            for (int i = tid; i < Tr::kChunk * NT; i += Tr::kThreads) {
                const int tt = i / NT, nn = i % NT, t = t0 + tt;
                const bool ok = t < len && nn < nt;
                const i64 g = ((i64)b * T + (ok ? t : 0)) * N + n0 + (ok ? nn : 0);
                sB[tt][nn] = ok ? Bm[g] : 0.0f;
                sC[tt][nn] = ok ? Cm[g] : 0.0f;
                sdB[tt][nn] = 0.0f;
                sdC[tt][nn] = 0.0f;
            }
            __syncthreads();
            for (int nn = 0; nn < nt; ++nn) {
                const int n = n0 + nn;
                const float an = A[(i64)d * N + n];
                const float hStart = saved[(((i64)b * D + d) * nChunks + c) * N + n];
                const float rLater = rCarry[n];

                // Recompute the states of this chunk.
                float a[Tr::kItems], bx[Tr::kItems], hPrev[Tr::kItems], h[Tr::kItems];
                ScanPair agg{1.0f, 0.0f};
#pragma unroll
                for (int k = 0; k < Tr::kItems; ++k) {
                    const int tt = tid * Tr::kItems + k;
                    const bool valid = t0 + tt < len;
                    a[k] = valid ? expf(dt[k] * an) : 1.0f;
                    bx[k] = valid ? dt[k] * sB[tt][nn] * uv[k] : 0.0f;
                    agg = scan_then(agg, ScanPair{a[k], bx[k]});
                }
                float unusedOut;
                float hRun = scan_block_enter<false>(agg, hStart, warpTotals, &unusedOut);
#pragma unroll
                for (int k = 0; k < Tr::kItems; ++k) {
                    hPrev[k] = hRun;
                    hRun = a[k] * hRun + bx[k];
                    h[k] = hRun;
                    y[k] += sC[tid * Tr::kItems + k][nn] * hRun;
                }

                // Adjoint, backwards in time. Invalid steps have a = 1 and dy = 0: identity.
                ScanPair ragg{1.0f, 0.0f};
#pragma unroll
                for (int k = Tr::kItems - 1; k >= 0; --k) {
                    const float cv = sC[tid * Tr::kItems + k][nn];
                    ragg = scan_then(ragg, ScanPair{a[k], a[k] * dy[k] * cv});
                }
                float rOut;
                float rNext = scan_block_enter<true>(ragg, rLater, warpTotals, &rOut);
                float dAPart = 0.0f;
#pragma unroll
                for (int k = Tr::kItems - 1; k >= 0; --k) {
                    const int tt = tid * Tr::kItems + k;
                    const float bv = sB[tt][nn], cv = sC[tt][nn];
                    const float g = dy[k] * cv + rNext;        // adjoint of h_t
                    rNext = a[k] * g;
                    if (t0 + tt < len) {
                        sdB[tt][nn] = g * dt[k] * uv[k];
                        sdC[tt][nn] = dy[k] * h[k];
                        duAcc[k] += g * dt[k] * bv;
                        const float decayTerm = hPrev[k] * a[k];
                        ddtAcc[k] += g * (bv * uv[k] + an * decayTerm);
                        dAPart += g * decayTerm * dt[k];
                    }
                }
                if (dA) {
                    dAPart = warp_sum(dAPart);
                    if (lane == 0) atomicAdd(&dA[(i64)d * N + n], dAPart);
                }
                if (tid == 0) rCarry[n] = rOut;
            }
            __syncthreads();
            if (dB || dC) {
                for (int i = tid; i < Tr::kChunk * NT; i += Tr::kThreads) {
                    const int tt = i / NT, nn = i % NT, t = t0 + tt;
                    if (t >= len || nn >= nt) continue;
                    const i64 g = ((i64)b * T + t) * N + n0 + nn;
                    if (dB) atomicAdd(&dB[g], sdB[tt][nn]);
                    if (dC) atomicAdd(&dC[g], sdC[tt][nn]);
                }
            }
        }
#pragma unroll
        for (int k = 0; k < Tr::kItems; ++k) {
            const int t = t0 + tid * Tr::kItems + k;
            if (t >= len) continue;
            const i64 idx = btd_index(b, t, d, T, D);
            if (dz) {
                const float yTot = y[k] + skip * uv[k];
                const float s = sigmoidf_(zv[k]);
                dz[idx] += dov[k] * yTot * s * (1.0f + zv[k] * (1.0f - s));
            }
            if (du) du[idx] += duAcc[k];
            const float dRaw = deltaSoftplus ? ddtAcc[k] * (raw[k] > 20.0f ? 1.0f : sigmoidf_(raw[k])) : ddtAcc[k];
            if (dDelta) dDelta[idx] += dRaw;
            skipGrad += dy[k] * uv[k];
            biasGrad += dRaw;
        }
    }
    if (dSkipGrad) {
        const float total = block_sum(skipGrad, reduceScratch);
        if (tid == 0) atomicAdd(&dSkipGrad[d], total);
    }
    if (dDeltaBias) {
        const float total = block_sum(biasGrad, reduceScratch);
        if (tid == 0) atomicAdd(&dDeltaBias[d], total);
    }
}
