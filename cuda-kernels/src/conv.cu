// Convolutions: 2-D (the conv front end, NCHW, square stride and zero padding) as direct loops, and
// Mamba's causal depthwise 1-D convolution over time, channels last. Correctness first: one thread per
// output element for the forward and input-gradient passes (gathers, no atomics); one block per weight
// element for the 2-D weight gradient; column reductions for the 1-D weight and bias gradients.
#include "common.cuh"

// out[b,co,ho,wo] = bias[co] + Σ_{ci,kh,kw} w[co,ci,kh,kw] · x[b,ci,ho·s-p+kh, wo·s-p+kw]
extern "C" __global__ void conv2d_forward(float* out, const float* x, const float* w, const float* bias,
                                          int B, int Ci, int H, int W, int Co, int Kh, int Kw, int Ho, int Wo,
                                          int stride, int padding) {
    const i64 n = (i64)B * Co * Ho * Wo;
    for (i64 e = global_index(); e < n; e += grid_stride()) {
        i64 rest = e;
        const int wo = (int)(rest % Wo); rest /= Wo;
        const int ho = (int)(rest % Ho); rest /= Ho;
        const int co = (int)(rest % Co);
        const int b = (int)(rest / Co);
        float acc = bias ? bias[co] : 0.0f;
        const int h0 = ho * stride - padding, w0 = wo * stride - padding;
        for (int ci = 0; ci < Ci; ci++) {
            const float* xp = x + ((i64)b * Ci + ci) * H * W;
            const float* wp = w + ((i64)co * Ci + ci) * Kh * Kw;
            for (int kh = 0; kh < Kh; kh++) {
                const int h = h0 + kh;
                if (h < 0 || h >= H) continue;
                for (int kw = 0; kw < Kw; kw++) {
                    const int ww = w0 + kw;
                    if (ww < 0 || ww >= W) continue;
                    acc += wp[kh * Kw + kw] * xp[(i64)h * W + ww];
                }
            }
        }
        out[e] = acc;
    }
}

// dx[b,ci,h,wi] += Σ w[co,ci,kh,kw] · dOut[b,co,ho,wo] over the (kh, ho) with ho·s - p + kh = h (same for w)
extern "C" __global__ void conv2d_backward_input(float* dx, const float* dOut, const float* w,
                                                 int B, int Ci, int H, int W, int Co, int Kh, int Kw, int Ho, int Wo,
                                                 int stride, int padding) {
    const i64 n = (i64)B * Ci * H * W;
    for (i64 e = global_index(); e < n; e += grid_stride()) {
        i64 rest = e;
        const int wi = (int)(rest % W); rest /= W;
        const int h = (int)(rest % H); rest /= H;
        const int ci = (int)(rest % Ci);
        const int b = (int)(rest / Ci);
        float acc = 0.0f;
        for (int kh = 0; kh < Kh; kh++) {
            const int hs = h + padding - kh;            // = ho · stride
            if (hs < 0 || hs % stride != 0) continue;
            const int ho = hs / stride;
            if (ho >= Ho) continue;
            for (int kw = 0; kw < Kw; kw++) {
                const int ws = wi + padding - kw;
                if (ws < 0 || ws % stride != 0) continue;
                const int wo = ws / stride;
                if (wo >= Wo) continue;
                for (int co = 0; co < Co; co++) {
                    acc += w[(((i64)co * Ci + ci) * Kh + kh) * Kw + kw]
                         * dOut[(((i64)b * Co + co) * Ho + ho) * Wo + wo];
                }
            }
        }
        dx[e] += acc;
    }
}

// One block per weight element (co, ci, kh, kw): dw += Σ_{b,ho,wo} dOut[b,co,ho,wo] · x[b,ci,ho·s-p+kh,wo·s-p+kw].
// Threads walk (b, ho, wo) with wo fastest so dOut reads are coalesced.
extern "C" __global__ void conv2d_backward_weight(float* dw, const float* dOut, const float* x,
                                                  int B, int Ci, int H, int W, int Co, int Kh, int Kw, int Ho, int Wo,
                                                  int stride, int padding) {
    __shared__ float scratch[32];
    i64 rest = blockIdx.x;
    const int kw = (int)(rest % Kw); rest /= Kw;
    const int kh = (int)(rest % Kh); rest /= Kh;
    const int ci = (int)(rest % Ci);
    const int co = (int)(rest / Ci);
    const i64 n = (i64)B * Ho * Wo;
    float acc = 0.0f;
    for (i64 e = threadIdx.x; e < n; e += blockDim.x) {
        i64 r = e;
        const int wo = (int)(r % Wo); r /= Wo;
        const int ho = (int)(r % Ho);
        const int b = (int)(r / Ho);
        const int h = ho * stride - padding + kh;
        const int wi = wo * stride - padding + kw;
        if (h < 0 || h >= H || wi < 0 || wi >= W) continue;
        acc += dOut[(((i64)b * Co + co) * Ho + ho) * Wo + wo] * x[(((i64)b * Ci + ci) * H + h) * W + wi];
    }
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) dw[blockIdx.x] += acc;
}

// One block per output channel: dBias[co] += Σ_{b,ho,wo} dOut[b,co,ho,wo]
extern "C" __global__ void conv2d_backward_bias(float* dBias, const float* dOut, int B, int Co, int HoWo) {
    __shared__ float scratch[32];
    const int co = blockIdx.x;
    const i64 n = (i64)B * HoWo;
    float acc = 0.0f;
    for (i64 e = threadIdx.x; e < n; e += blockDim.x) {
        const i64 b = e / HoWo;
        const i64 s = e - b * HoWo;
        acc += dOut[(b * Co + co) * HoWo + s];
    }
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) dBias[co] += acc;
}

// im2col for the GEMM path of conv2d, batch entries [b0, b0 + nb) and output rows [ho0, ho0 + nho):
// col[e, (ci·Kh + kh)·Kw + kw, (ho - ho0)·Wo + wo] = x[b0+e, ci, ho·s-p+kh, wo·s-p+kw] (0 in the padding).
// col: (nb, Ci·Kh·Kw, nho·Wo), so the output columns [ho0·Wo, (ho0 + nho)·Wo) of out_e (Co, Ho·Wo) are
// w (Co, Ci·Kh·Kw) · col_e. Row slices keep the buffer bounded when one entry is long (an hour of audio).
extern "C" __global__ void conv2d_im2col(float* col, const float* x, int b0, int nb, int Ci, int H, int W,
                                         int Kh, int Kw, int ho0, int nho, int Wo, int stride, int padding) {
    const i64 n = (i64)nb * Ci * Kh * Kw * nho * Wo;
    for (i64 e = global_index(); e < n; e += grid_stride()) {
        i64 rest = e;
        const int wo = (int)(rest % Wo); rest /= Wo;
        const int ho = ho0 + (int)(rest % nho); rest /= nho;
        const int kw = (int)(rest % Kw); rest /= Kw;
        const int kh = (int)(rest % Kh); rest /= Kh;
        const int ci = (int)(rest % Ci);
        const int b = b0 + (int)(rest / Ci);
        const int h = ho * stride - padding + kh;
        const int w = wo * stride - padding + kw;
        col[e] = (h >= 0 && h < H && w >= 0 && w < W) ? x[(((i64)b * Ci + ci) * H + h) * W + w] : 0.0f;
    }
}

// The adjoint of conv2d_im2col, accumulated: dx[b0+e, ci, h, w] += Σ dcol[e, (ci·Kh + kh)·Kw + kw, ho·Wo + wo]
// over the (kh, ho), (kw, wo) with ho·s - p + kh = h and wo·s - p + kw = w. A gather: no atomics.
extern "C" __global__ void conv2d_col2im_accumulate(float* dx, const float* dcol, int b0, int nb, int Ci, int H,
                                                    int W, int Kh, int Kw, int Ho, int Wo, int stride, int padding) {
    const i64 n = (i64)nb * Ci * H * W;
    const i64 spatial = (i64)Ho * Wo;
    for (i64 e = global_index(); e < n; e += grid_stride()) {
        i64 rest = e;
        const int w = (int)(rest % W); rest /= W;
        const int h = (int)(rest % H); rest /= H;
        const int ci = (int)(rest % Ci);
        const int be = (int)(rest / Ci);
        const float* base = dcol + ((i64)be * Ci + ci) * Kh * Kw * spatial;
        float acc = 0.0f;
        for (int kh = 0; kh < Kh; kh++) {
            const int hs = h + padding - kh;
            if (hs < 0 || hs % stride != 0) continue;
            const int ho = hs / stride;
            if (ho >= Ho) continue;
            for (int kw = 0; kw < Kw; kw++) {
                const int ws = w + padding - kw;
                if (ws < 0 || ws % stride != 0) continue;
                const int wo = ws / stride;
                if (wo >= Wo) continue;
                acc += base[(i64)(kh * Kw + kw) * spatial + (i64)ho * Wo + wo];
            }
        }
        dx[((i64)b0 * Ci) * H * W + e] += acc;
    }
}

// out[b, co, s] += bias[co] for out (B, Co, S): the bias of the GEMM path.
extern "C" __global__ void conv2d_add_bias(float* out, const float* bias, i64 n, int Co, int S) {
    for (i64 e = global_index(); e < n; e += grid_stride()) out[e] += bias[(e / S) % Co];
}

// out[b,t,c] = bias[c] + Σ_k w[c,k] · x[b, t-K+1+k, c] (x = 0 before t = 0); x, out: (B, T, C); w: (C, K)
extern "C" __global__ void causal_conv1d_forward(float* out, const float* x, const float* w, const float* bias,
                                                 int B, int T, int C, int K) {
    const i64 n = (i64)B * T * C;
    for (i64 e = global_index(); e < n; e += grid_stride()) {
        const int c = (int)(e % C);
        const i64 bt = e / C;
        const int t = (int)(bt % T);
        float acc = bias ? bias[c] : 0.0f;
        for (int k = 0; k < K; k++) {
            const int ts = t - K + 1 + k;
            if (ts >= 0) acc += w[(i64)c * K + k] * x[e + (i64)(ts - t) * C];
        }
        out[e] = acc;
    }
}

// dx[b,t,c] += Σ_k w[c,k] · dOut[b, t+K-1-k, c] for t+K-1-k < T
extern "C" __global__ void causal_conv1d_backward_input(float* dx, const float* dOut, const float* w,
                                                        int B, int T, int C, int K) {
    const i64 n = (i64)B * T * C;
    for (i64 e = global_index(); e < n; e += grid_stride()) {
        const int c = (int)(e % C);
        const i64 bt = e / C;
        const int t = (int)(bt % T);
        float acc = 0.0f;
        for (int k = 0; k < K; k++) {
            const int to = t + K - 1 - k;
            if (to < T) acc += w[(i64)c * K + k] * dOut[e + (i64)(to - t) * C];
        }
        dx[e] += acc;
    }
}

#define CONV1D_TAPS_PER_PASS 8

// dw[c, kBase+j] += Σ_{b,t} dOut[b,t,c] · x[b, t-K+1+kBase+j, c] for the taps j < 8 of this pass, and, when
// dBias is not null, dBias[c] += Σ_{b,t} dOut[b,t,c] (the launcher passes dBias only on the first pass).
// Block (32, 8): threadIdx.x is the channel within a 32-channel tile; rows (b, t) split over threadIdx.y
// and blockIdx.y; one atomicAdd per (channel, tap) per block.
extern "C" __global__ void causal_conv1d_backward_params(float* dw, float* dBias, const float* dOut, const float* x,
                                                         int B, int T, int C, int K, int kBase) {
    __shared__ float partial[CONV1D_TAPS_PER_PASS + 1][8][33];
    const int c = blockIdx.x * 32 + threadIdx.x;
    float acc[CONV1D_TAPS_PER_PASS + 1];
#pragma unroll
    for (int j = 0; j <= CONV1D_TAPS_PER_PASS; j++) acc[j] = 0.0f;
    const i64 rows = (i64)B * T;
    if (c < C) {
        for (i64 r = (i64)blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += (i64)gridDim.y * blockDim.y) {
            const int t = (int)(r % T);
            const float g = dOut[r * C + c];
            acc[CONV1D_TAPS_PER_PASS] += g;
#pragma unroll
            for (int j = 0; j < CONV1D_TAPS_PER_PASS; j++) {
                const int ts = t - K + 1 + kBase + j;
                if (kBase + j < K && ts >= 0) acc[j] += g * x[(r + ts - t) * C + c];
            }
        }
    }
#pragma unroll
    for (int j = 0; j <= CONV1D_TAPS_PER_PASS; j++) partial[j][threadIdx.y][threadIdx.x] = acc[j];
    __syncthreads();
    if (threadIdx.y == 0 && c < C) {
        for (int j = 0; j <= CONV1D_TAPS_PER_PASS; j++) {
            const bool isTap = j < CONV1D_TAPS_PER_PASS;
            if (isTap ? (dw == 0 || kBase + j >= K) : dBias == 0) continue;
            float s = 0.0f;
            for (int y = 0; y < (int)blockDim.y; y++) s += partial[j][y][threadIdx.x];
            if (isTap) atomicAdd(&dw[(i64)c * K + kBase + j], s);
            else atomicAdd(&dBias[c], s);
        }
    }
}
