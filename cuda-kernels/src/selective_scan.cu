// Fused selective scan (Mamba's selective_scan with one B/C group), forward and backward.
// Layouts: u, delta, z, out (B, T, D); A (D, N); Bm, Cm (B, T, N); dSkip, deltaBias (D); lengths (B) i32.
// saved (B, D, nChunks, N): the state h entering each chunk, written by the forward and used by the
// backward to recompute each chunk's states from its start instead of storing all T of them.
//
// One block per (group of ScanTraits::kChannels channels = blockIdx.x, batch row b = blockIdx.y); warp w
// owns channel d = blockIdx.x * kChannels + w. Time is processed in chunks of kChunk steps; within a chunk
// the recurrence h_t = a_t h_{t-1} + b_t is a warp-wide parallel scan of (a, b) pairs (each lane composes
// its kItems steps, then shuffles combine the lanes), seeded with the state carried from the previous chunk.
// The state index n is looped over, with B and C tiles staged in shared memory and shared by the block's
// channels, so N may be anything up to ScanTraits::kMaxState.
// Steps t >= lengths[b] are identity steps (a = 1, b = 0), produce out 0 and receive no gradient.
#include "scan_traits.cuh"

namespace {

SM_DEVICE float scan_time_step(float rawDelta, int deltaSoftplus) {
    return deltaSoftplus ? softplusf_(rawDelta) : rawDelta;
}

SM_DEVICE i64 btd_index(int b, int t, int d, int T, int D) { return ((i64)b * T + t) * D + d; }

// Rows [n0, n0 + nt) x steps [t0, t0 + kChunk) of a (B, T, N) tensor into a (state, time) tile with row
// stride kTileRow; zero where t >= len or the state is past nt. Coalesced along n in global memory.
template <int kTile>
SM_DEVICE void load_state_tile(float* tile, const float* src, int b, int t0, int n0, int nt, int len, int T, int N) {
    typedef ScanTraits Tr;
    for (int i = threadIdx.x; i < Tr::kChunk * kTile; i += Tr::kThreads) {
        const int tt = i / kTile, nn = i % kTile, t = t0 + tt;
        const bool ok = t < len && nn < nt;
        tile[nn * Tr::kTileRow + tt] = ok ? src[((i64)b * T + t) * N + n0 + nn] : 0.0f;
    }
}

SM_DEVICE void unpack4(float4 q, float* v) { v[0] = q.x; v[1] = q.y; v[2] = q.z; v[3] = q.w; }

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
    constexpr int NT = Tr::kStateTileFwd, R = Tr::kTileRow, K = Tr::kItems;
    __shared__ __align__(16) float sB[NT * R];           // (state tile, chunk) of Bm
    __shared__ __align__(16) float sC[NT * R];           // (state tile, chunk) of Cm
    __shared__ float hCarry[Tr::kChannels][Tr::kMaxState]; // per warp: (N) state after the previous chunk

    const int b = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int channel = blockIdx.x * Tr::kChannels + warp;
    const bool live = channel < D;             // warps past the last channel only help load tiles
    const int d = live ? channel : D - 1;
    const int len = lengths ? lengths[b] : T;
    const float skip = dSkip ? dSkip[d] : 0.0f;
    const float bias = deltaBias ? deltaBias[d] : 0.0f;
    for (int n = lane; n < N; n += 32) hCarry[warp][n] = 0.0f;
    __syncwarp();

    const int validChunks = (len + Tr::kChunk - 1) / Tr::kChunk;
    for (int c = 0; c < validChunks; ++c) {
        const int t0 = c * Tr::kChunk;
        float uv[K], dt[K], y[K];
#pragma unroll
        for (int k = 0; k < K; ++k) {
            const int t = t0 + lane * K + k;
            const bool valid = t < len;
            const i64 idx = btd_index(b, valid ? t : 0, d, T, D);
            uv[k] = valid ? u[idx] : 0.0f;
            dt[k] = valid ? scan_time_step(delta[idx] + bias, deltaSoftplus) : 0.0f;
            y[k] = 0.0f;
        }
        for (int n0 = 0; n0 < N; n0 += NT) {
            const int nt = min(NT, N - n0);
            __syncthreads();                   // every warp is done with the previous tile
            load_state_tile<NT>(sB, Bm, b, t0, n0, nt, len, T, N);
            load_state_tile<NT>(sC, Cm, b, t0, n0, nt, len, T, N);
            __syncthreads();
            if (!live) continue;               // warp-uniform; no barrier until the next tile
            for (int nn = 0; nn < nt; ++nn) {
                const int n = n0 + nn;
                const float an = A[(i64)d * N + n];
                const float carry = hCarry[warp][n];
                float bv[K], cv[K], a[K], bx[K];
                unpack4(*reinterpret_cast<const float4*>(&sB[nn * R + lane * K]), bv);
                unpack4(*reinterpret_cast<const float4*>(&sC[nn * R + lane * K]), cv);
                ScanPair agg{1.0f, 0.0f};
#pragma unroll
                for (int k = 0; k < K; ++k) {
                    const bool valid = t0 + lane * K + k < len;
                    a[k] = valid ? expf(dt[k] * an) : 1.0f;
                    bx[k] = valid ? dt[k] * bv[k] * uv[k] : 0.0f;
                    agg = scan_then(agg, ScanPair{a[k], bx[k]});
                }
                float chunkOut;
                float h = scan_warp_enter<false>(agg, carry, &chunkOut);
#pragma unroll
                for (int k = 0; k < K; ++k) {
                    h = a[k] * h + bx[k];
                    y[k] += cv[k] * h;
                }
                __syncwarp();                  // every lane has read hCarry[warp][n]
                if (lane == 0) {
                    saved[(((i64)b * D + d) * nChunks + c) * N + n] = carry;
                    hCarry[warp][n] = chunkOut;
                }
            }
        }
        if (!live) continue;
#pragma unroll
        for (int k = 0; k < K; ++k) {
            const int t = t0 + lane * K + k;
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
    if (!live) return;
    for (int t = validChunks * Tr::kChunk + lane; t < T; t += 32) out[btd_index(b, t, d, T, D)] = 0.0f;
}

// ---------------------------------------------------------------- forward, version 2 (lane per state)

namespace {

// Asynchronous 4-byte global -> shared copy (sm_80+); srcBytes 0 writes a zero instead of reading.
SM_DEVICE void cp_async_f32(float* dst, const float* src, int srcBytes) {
    const unsigned dstAddr = (unsigned)__cvta_generic_to_shared(dst);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(dstAddr), "l"(src), "r"(srcBytes) : "memory");
}

SM_DEVICE void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

// Waits until at most `pending` of this thread's committed copy groups are still in flight.
template <int kPending>
SM_DEVICE void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending) : "memory"); }

// Queues the copy of rows [t0, t0 + kSteps) of this batch row's B and C, (T, N) each, into one tile buffer
// laid out (2 [B, C], kSteps, N); rows t >= len are zero-filled (never read, but never stale either).
SM_DEVICE void stage_bc_tile_v2(float* buffer, const float* bRow, const float* cRow, int t0, int len, int N) {
    typedef ScanTraitsV2 Tr;
    const int count = Tr::kSteps * N;
    const i64 base = (i64)t0 * N;
    for (int i = threadIdx.x; i < count; i += Tr::kThreads) {
        const bool valid = t0 + i / N < len;
        const int bytes = valid ? 4 : 0;
        cp_async_f32(buffer + i, valid ? bRow + base + i : bRow, bytes);
        cp_async_f32(buffer + count + i, valid ? cRow + base + i : cRow, bytes);
    }
}

}  // namespace

// Same arguments, semantics and saved layout as selective_scan_fwd; see ScanTraitsV2 for the design.
// Launch: grid (ceil(D / kChannels), B), kThreads threads, dynamic shared memory
// 4 * (4 * kSteps * N + kPartialFloats) bytes (ScanLauncher.sharedBytesV2).
// exp(Δ A) is evaluated as exp2f(Δ · (A log2 e)): exp2f is accurate to 2 ulp and folding log2 e into A adds
// a relative error of about 1e-7 · |Δ A| to the exponent, the same class as expf (the backward, which
// recomputes from saved with expf, sees differences at the 1e-6 level).
extern "C" __global__ void __launch_bounds__(ScanTraitsV2::kThreads, 1)
selective_scan_fwd_v2(float* __restrict__ out,              // (B, T, D)
                      float* __restrict__ saved,            // (B, D, nChunks, N)
                      const float* __restrict__ u,          // (B, T, D)
                      const float* __restrict__ delta,      // (B, T, D)
                      const float* __restrict__ A,          // (D, N)
                      const float* __restrict__ Bm,         // (B, T, N)
                      const float* __restrict__ Cm,         // (B, T, N)
                      const float* __restrict__ dSkip,      // (D) or null
                      const float* __restrict__ z,          // (B, T, D) or null
                      const float* __restrict__ deltaBias,  // (D) or null
                      const int* __restrict__ lengths,      // (B) or null
                      int T, int D, int N, int nChunks, int deltaSoftplus) {
    typedef ScanTraitsV2 Tr;
    constexpr int S = Tr::kSteps, J = Tr::kStatesPerLane, RS = Tr::kReduceStride;
    constexpr unsigned kFullMask = 0xffffffffu;
    constexpr float kLog2e = 1.4426950408889634f;
    extern __shared__ __align__(16) float scanSharedV2[];

    const int b = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int channel = blockIdx.x * Tr::kChannels + warp;
    const bool live = channel < D;             // warps past the last channel only help stage tiles
    const int d = live ? channel : D - 1;
    const int len = lengths ? lengths[b] : T;
    const float skip = dSkip ? dSkip[d] : 0.0f;
    const float bias = deltaBias ? deltaBias[d] : 0.0f;
    const int tileFloats = 2 * S * N;          // one buffer: B then C, (kSteps, N) each
    float* partial = scanSharedV2 + 2 * tileFloats + warp * 32 * RS;   // (32 lanes, RS) y partials of this warp
    const float* bRow = Bm + (i64)b * T * N;   // (T, N)
    const float* cRow = Cm + (i64)b * T * N;   // (T, N)

    float h[J], aLog2[J];                      // this lane's states n = lane + 32 j, and A[d, n] * log2 e
#pragma unroll
    for (int j = 0; j < J; ++j) {
        const int n = lane + 32 * j;
        h[j] = 0.0f;
        aLog2[j] = n < N ? A[(i64)d * N + n] * kLog2e : 0.0f;
    }

    // This lane's inputs at step t0 + lane of the next tile, loaded one tile ahead.
    float nextU = 0.0f, nextDelta = 0.0f, nextZ = 0.0f;
    auto loadStep = [&](int t) {
        const bool valid = live && t < len;
        const i64 idx = btd_index(b, valid ? t : 0, d, T, D);
        nextU = valid ? u[idx] : 0.0f;
        nextDelta = valid ? delta[idx] : 0.0f;
        nextZ = valid && z ? z[idx] : 0.0f;
    };

    const int nTiles = (len + S - 1) / S;
    if (nTiles > 0) {
        stage_bc_tile_v2(scanSharedV2, bRow, cRow, 0, len, N);
        loadStep(lane);
    }
    cp_async_commit();
    for (int k = 0; k < nTiles; ++k) {
        const int t0 = k * S;
        const int steps = min(S, len - t0);    // >= 1
        const bool myStep = lane < steps;
        const float uL = nextU, zL = nextZ;
        const float dtL = myStep ? scan_time_step(nextDelta + bias, deltaSoftplus) : 0.0f;
        const float dtuL = dtL * uL;
        if (k + 1 < nTiles) {
            stage_bc_tile_v2(scanSharedV2 + ((k + 1) & 1) * tileFloats, bRow, cRow, t0 + S, len, N);
            loadStep(t0 + S + lane);
        }
        cp_async_commit();                     // possibly empty: keeps one group per iteration
        cp_async_wait<1>();                    // this thread's copies of tile k have landed
        __syncthreads();                       // ... and every other thread's
        if (live) {
            if (t0 % ScanTraits::kChunk == 0) {
                const i64 savedRow = (((i64)b * D + d) * nChunks + t0 / ScanTraits::kChunk) * N;
#pragma unroll
                for (int j = 0; j < J; ++j) {
                    const int n = lane + 32 * j;
                    if (n < N) saved[savedRow + n] = h[j];
                }
            }
            const float* sB = scanSharedV2 + (k & 1) * tileFloats;   // (kSteps, N)
            const float* sC = sB + S * N;                            // (kSteps, N)
#pragma unroll 4
            for (int tt = 0; tt < steps; ++tt) {
                const float dt = __shfl_sync(kFullMask, dtL, tt);
                const float dtu = __shfl_sync(kFullMask, dtuL, tt);
                const float* bStep = sB + tt * N;
                const float* cStep = sC + tt * N;
                float y = 0.0f;
#pragma unroll
                for (int j = 0; j < J; ++j) {
                    const int n = lane + 32 * j;
                    if (n < N) {
                        h[j] = exp2f(dt * aLog2[j]) * h[j] + dtu * bStep[n];
                        y += cStep[n] * h[j];
                    }
                }
                partial[lane * RS + tt] = y;
            }
            __syncwarp();                      // every lane's partials of the tile are written
            const int t = t0 + lane;
            if (myStep) {
                float yt = 0.0f;
#pragma unroll 8
                for (int r = 0; r < 32; ++r) yt += partial[r * RS + lane];
                float o = yt + skip * uL;
                if (z) o *= zL * sigmoidf_(zL);
                out[btd_index(b, t, d, T, D)] = o;
            } else if (t < T) {
                out[btd_index(b, t, d, T, D)] = 0.0f;
            }
        }
        __syncthreads();                       // buffer k & 1 and the partials are free for tile k + 2
    }
    cp_async_wait<0>();
    if (!live) return;
    for (int t = nTiles * S + lane; t < T; t += 32) out[btd_index(b, t, d, T, D)] = 0.0f;
}

// Backward. Chunks are visited from the last to the first. In each, per state n: the chunk's states are
// recomputed from saved (forward scan), then the adjoint runs backwards in time as a reverse scan of
// r_t = a_t (dy_t C_t + r_{t+1}), where g_t = dy_t C_t + r_{t+1} is the adjoint of h_t and r carries between
// chunks. Gradients accumulate (+=): du, dDelta, dz are owned by one lane each; dA, dSkipGrad, dDeltaBias
// (summed over b) use one atomic per warp. dB and dC are sums over all D channels: the block sums its
// channels' shared-memory slices and stores that partial sum for its channel group g = blockIdx.x in
// partialB/partialC (G, B, T, N), and selective_scan_bwd_sum_groups then adds the G partials into dB/dC
// (no global atomics: every channel group of a batch row would hit the same addresses at once).
// Any gradient pointer may be null (partialB/partialC are null exactly when dB/dC are).
extern "C" __global__ void __launch_bounds__(ScanTraits::kThreads)
selective_scan_bwd(float* __restrict__ du,                  // (B, T, D) or null
                   float* __restrict__ dDelta,              // (B, T, D) or null
                   float* __restrict__ dA,                  // (D, N) or null
                   float* __restrict__ partialB,            // (G, B, T, N) or null; rows t >= lengths[b] unwritten
                   float* __restrict__ partialC,            // (G, B, T, N) or null
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
    constexpr int NT = Tr::kStateTileBwd, R = Tr::kTileRow, K = Tr::kItems;
    __shared__ __align__(16) float sB[NT * R];
    __shared__ __align__(16) float sC[NT * R];
    __shared__ __align__(16) float sdB[Tr::kChannels][NT * R];   // per warp: its channel's dB for the tile
    __shared__ __align__(16) float sdC[Tr::kChannels][NT * R];
    __shared__ float rCarry[Tr::kChannels][Tr::kMaxState]; // per warp: (N) r at the first step of the later chunk

    const int b = blockIdx.y, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int channel = blockIdx.x * Tr::kChannels + warp;
    const bool live = channel < D;
    const int d = live ? channel : D - 1;
    const int liveWarps = min(Tr::kChannels, D - (int)blockIdx.x * Tr::kChannels);
    const int len = lengths ? lengths[b] : T;
    const float skip = dSkip ? dSkip[d] : 0.0f;
    const float bias = deltaBias ? deltaBias[d] : 0.0f;
    for (int n = lane; n < N; n += 32) rCarry[warp][n] = 0.0f;
    __syncwarp();

    float skipGrad = 0.0f, biasGrad = 0.0f;
    const int validChunks = (len + Tr::kChunk - 1) / Tr::kChunk;
    for (int c = validChunks - 1; c >= 0; --c) {
        const int t0 = c * Tr::kChunk;
        float uv[K], raw[K], dt[K], dy[K], dov[K], zv[K], y[K], duAcc[K], ddtAcc[K];
#pragma unroll
        for (int k = 0; k < K; ++k) {
            const int t = t0 + lane * K + k;
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
            load_state_tile<NT>(sB, Bm, b, t0, n0, nt, len, T, N);
            load_state_tile<NT>(sC, Cm, b, t0, n0, nt, len, T, N);
            __syncthreads();
            if (live) {
                for (int nn = 0; nn < nt; ++nn) {
                    const int n = n0 + nn;
                    const float an = A[(i64)d * N + n];
                    const float hStart = saved[(((i64)b * D + d) * nChunks + c) * N + n];
                    const float rLater = rCarry[warp][n];
                    float bv[K], cv[K], a[K], bx[K], hPrev[K], h[K];
                    unpack4(*reinterpret_cast<const float4*>(&sB[nn * R + lane * K]), bv);
                    unpack4(*reinterpret_cast<const float4*>(&sC[nn * R + lane * K]), cv);

                    // Recompute the states of this chunk.
                    ScanPair agg{1.0f, 0.0f};
#pragma unroll
                    for (int k = 0; k < K; ++k) {
                        const bool valid = t0 + lane * K + k < len;
                        a[k] = valid ? expf(dt[k] * an) : 1.0f;
                        bx[k] = valid ? dt[k] * bv[k] * uv[k] : 0.0f;
                        agg = scan_then(agg, ScanPair{a[k], bx[k]});
                    }
                    float unusedOut;
                    float hRun = scan_warp_enter<false>(agg, hStart, &unusedOut);
#pragma unroll
                    for (int k = 0; k < K; ++k) {
                        hPrev[k] = hRun;
                        hRun = a[k] * hRun + bx[k];
                        h[k] = hRun;
                        y[k] += cv[k] * hRun;
                    }

                    // Adjoint, backwards in time. Invalid steps have a = 1 and dy = 0: identity.
                    ScanPair ragg{1.0f, 0.0f};
#pragma unroll
                    for (int k = K - 1; k >= 0; --k) ragg = scan_then(ragg, ScanPair{a[k], a[k] * dy[k] * cv[k]});
                    float rOut;
                    float rNext = scan_warp_enter<true>(ragg, rLater, &rOut);
                    float dAPart = 0.0f, dBv[K], dCv[K];
#pragma unroll
                    for (int k = K - 1; k >= 0; --k) {
                        const int tt = lane * K + k;
                        const float g = dy[k] * cv[k] + rNext;   // adjoint of h_t
                        rNext = a[k] * g;
                        dBv[k] = 0.0f;
                        dCv[k] = 0.0f;
                        if (t0 + tt < len) {
                            dBv[k] = g * dt[k] * uv[k];
                            dCv[k] = dy[k] * h[k];
                            duAcc[k] += g * dt[k] * bv[k];
                            const float decayTerm = hPrev[k] * a[k];
                            ddtAcc[k] += g * (bv[k] * uv[k] + an * decayTerm);
                            dAPart += g * decayTerm * dt[k];
                        }
                    }
                    *reinterpret_cast<float4*>(&sdB[warp][nn * R + lane * K]) = make_float4(dBv[0], dBv[1], dBv[2], dBv[3]);
                    *reinterpret_cast<float4*>(&sdC[warp][nn * R + lane * K]) = make_float4(dCv[0], dCv[1], dCv[2], dCv[3]);
                    if (dA) {
                        dAPart = warp_sum(dAPart);
                        if (lane == 0) atomicAdd(&dA[(i64)d * N + n], dAPart);
                    }
                    __syncwarp();              // every lane has read rCarry[warp][n]
                    if (lane == 0) rCarry[warp][n] = rOut;
                }
            }
            __syncthreads();
            if (partialB || partialC) {
                const i64 groupBase = (i64)blockIdx.x * gridDim.y * T * N;
                for (int i = threadIdx.x; i < Tr::kChunk * NT; i += Tr::kThreads) {
                    const int tt = i / NT, nn = i % NT, t = t0 + tt;
                    if (t >= len || nn >= nt) continue;
                    const i64 g = groupBase + ((i64)b * T + t) * N + n0 + nn;
                    float sumB = 0.0f, sumC = 0.0f;
                    for (int w = 0; w < liveWarps; ++w) {   // slices of warps past D were never written
                        sumB += sdB[w][nn * R + tt];
                        sumC += sdC[w][nn * R + tt];
                    }
                    if (partialB) partialB[g] = sumB;
                    if (partialC) partialC[g] = sumC;
                }
            }
        }
        if (!live) continue;
#pragma unroll
        for (int k = 0; k < K; ++k) {
            const int t = t0 + lane * K + k;
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
    if (!live) return;
    skipGrad = warp_sum(skipGrad);
    biasGrad = warp_sum(biasGrad);
    if (lane == 0 && dSkipGrad) atomicAdd(&dSkipGrad[d], skipGrad);
    if (lane == 0 && dDeltaBias) atomicAdd(&dDeltaBias[d], biasGrad);
}

// dB[b, t, n] += Σ_g partialB[g, b, t, n] (likewise dC) for t < lengths[b]; grid-stride over (B, T, N).
extern "C" __global__ void __launch_bounds__(256)
selective_scan_bwd_sum_groups(float* __restrict__ dB, float* __restrict__ dC,
                              const float* __restrict__ partialB, const float* __restrict__ partialC,
                              const int* __restrict__ lengths, int batch, int T, int N, int groups) {
    const i64 count = (i64)batch * T * N;
    for (i64 i = global_index(); i < count; i += grid_stride()) {
        const int b = (int)(i / ((i64)T * N)), t = (int)((i / N) % T);
        if (lengths && t >= lengths[b]) continue;
        float sumB = 0.0f, sumC = 0.0f;
        for (int g = 0; g < groups; ++g) {
            if (dB) sumB += partialB[(i64)g * count + i];
            if (dC) sumC += partialC[(i64)g * count + i];
        }
        if (dB) dB[i] += sumB;
        if (dC) dC[i] += sumC;
    }
}

// One time step from a carried state (incremental decoding), the forward's recurrence for T = 1:
// h[b, d, n] = exp(dt·A[d, n])·h[b, d, n] + dt·Bm[b, n]·u[b, d]; out[b, d] = (Σ_n Cm[b, n]·h + dSkip·u)·silu(z).
// One thread per (b, d) walking its N states: a decoding step has B·D of them (beam × d_inner), plenty to
// fill the GPU for the paper's sizes, and the state row is contiguous per thread.
extern "C" __global__ void __launch_bounds__(128)
selective_scan_step(float* __restrict__ out,                // (B, D)
                    float* __restrict__ state,              // (B, D, N), read and overwritten
                    const float* __restrict__ u,            // (B, D)
                    const float* __restrict__ delta,        // (B, D)
                    const float* __restrict__ A,            // (D, N)
                    const float* __restrict__ Bm,           // (B, N)
                    const float* __restrict__ Cm,           // (B, N)
                    const float* __restrict__ dSkip,        // (D) or null
                    const float* __restrict__ z,            // (B, D) or null
                    const float* __restrict__ deltaBias,    // (D) or null
                    int batch, int D, int N, int deltaSoftplus) {
    const i64 count = (i64)batch * D;
    for (i64 i = global_index(); i < count; i += grid_stride()) {
        const int b = (int)(i / D), d = (int)(i % D);
        const float dt = scan_time_step(delta[i] + (deltaBias ? deltaBias[d] : 0.0f), deltaSoftplus);
        const float uv = u[i], dtu = dt * uv;
        float* h = state + i * N;
        const float* a = A + (i64)d * N;
        const float* bRow = Bm + (i64)b * N;
        const float* cRow = Cm + (i64)b * N;
        float y = 0.0f;
        for (int n = 0; n < N; ++n) {
            const float hn = expf(dt * a[n]) * h[n] + dtu * bRow[n];
            h[n] = hn;
            y += cRow[n] * hn;
        }
        if (dSkip) y += dSkip[d] * uv;
        if (z) y *= z[i] * sigmoidf_(z[i]);
        out[i] = y;
    }
}
