// Softmax and log-softmax over the last dimension, forward and backward. One 256-thread block per row,
// so any row length works (vocabularies of 5000+ included); max and sums via block reductions.
#include "common.cuh"

// log = 0: out = softmax(x); log = 1: out = log_softmax(x). x, out: (R, C)
extern "C" __global__ void softmax_forward(float* out, const float* x, i64 R, int C, int log) {
    __shared__ float scratch[32];
    const i64 row = blockIdx.x;
    if (row >= R) return;
    const float* xr = x + row * C;
    float m = neg_inf();
    for (int c = threadIdx.x; c < C; c += blockDim.x) m = fmaxf(m, xr[c]);
    m = block_max(m, scratch);
    float s = 0.0f;
    for (int c = threadIdx.x; c < C; c += blockDim.x) s += expf(xr[c] - m);
    s = block_sum(s, scratch);
    float* orow = out + row * C;
    if (log) {
        const float logZ = m + logf(s);
        for (int c = threadIdx.x; c < C; c += blockDim.x) orow[c] = xr[c] - logZ;
    } else {
        const float inv = 1.0f / s;
        for (int c = threadIdx.x; c < C; c += blockDim.x) orow[c] = expf(xr[c] - m) * inv;
    }
}

// log = 0: dx += out · (g - Σ g·out); log = 1: dx += g - exp(out) · Σ g
extern "C" __global__ void softmax_backward(float* dx, const float* dOut, const float* out, i64 R, int C, int log) {
    __shared__ float scratch[32];
    const i64 row = blockIdx.x;
    if (row >= R) return;
    const float* gr = dOut + row * C;
    const float* yr = out + row * C;
    float s = 0.0f;
    for (int c = threadIdx.x; c < C; c += blockDim.x) s += log ? gr[c] : gr[c] * yr[c];
    s = block_sum(s, scratch);
    float* dxr = dx + row * C;
    for (int c = threadIdx.x; c < C; c += blockDim.x) {
        dxr[c] += log ? gr[c] - expf(yr[c]) * s : yr[c] * (gr[c] - s);
    }
}
