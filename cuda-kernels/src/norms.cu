// RMSNorm and LayerNorm, forward and backward. One warp per row (8 rows per 256-thread block), row
// statistics in float with warp shuffles. Weight and bias gradients are column reductions over rows
// done by a second kernel (block (32, 8), rows split over blockIdx.y, one atomicAdd per column per block).
#include "common.cuh"

// out = x · rstd · weight, rstd = 1/sqrt(mean(x²) + eps); x, out: (R, C); weight: (C); rstd: (R)
extern "C" __global__ void rms_norm_forward(float* out, float* rstd, const float* x, const float* weight,
                                            i64 R, int C, float eps) {
    const i64 row = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= R) return;
    const float* xr = x + row * C;
    float ss = 0.0f;
    for (int c = lane; c < C; c += 32) ss += xr[c] * xr[c];
    ss = warp_sum(ss);
    float r = rsqrtf(ss / C + eps);
    float* orow = out + row * C;
    for (int c = lane; c < C; c += 32) orow[c] = xr[c] * r * weight[c];
    if (lane == 0) rstd[row] = r;
}

// dx += r·w·g - x · r³/C · Σ_j g_j w_j x_j   (per row, r = rstd)
extern "C" __global__ void rms_norm_backward_input(float* dx, const float* dOut, const float* x,
                                                   const float* weight, const float* rstd, i64 R, int C) {
    const i64 row = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= R) return;
    const float* xr = x + row * C;
    const float* gr = dOut + row * C;
    float dot = 0.0f;
    for (int c = lane; c < C; c += 32) dot += gr[c] * weight[c] * xr[c];
    dot = warp_sum(dot);
    const float r = rstd[row];
    const float k = r * r * r * dot / C;
    float* dxr = dx + row * C;
    for (int c = lane; c < C; c += 32) dxr[c] += r * weight[c] * gr[c] - xr[c] * k;
}

// out = (x - mean) · rstd · weight + bias; weight or bias may be null (1 and 0)
extern "C" __global__ void layer_norm_forward(float* out, float* mean, float* rstd, const float* x,
                                              const float* weight, const float* bias, i64 R, int C, float eps) {
    const i64 row = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= R) return;
    const float* xr = x + row * C;
    float s = 0.0f;
    for (int c = lane; c < C; c += 32) s += xr[c];
    const float mu = warp_sum(s) / C;
    float v = 0.0f;
    for (int c = lane; c < C; c += 32) {
        float d = xr[c] - mu;
        v += d * d;
    }
    const float r = rsqrtf(warp_sum(v) / C + eps);
    float* orow = out + row * C;
    for (int c = lane; c < C; c += 32) {
        float y = (xr[c] - mu) * r;
        if (weight) y *= weight[c];
        if (bias) y += bias[c];
        orow[c] = y;
    }
    if (lane == 0) {
        mean[row] = mu;
        rstd[row] = r;
    }
}

// xhat = (x - mean)·r, dxhat = g·w: dx += r · (dxhat - mean(dxhat) - xhat · mean(dxhat · xhat))
extern "C" __global__ void layer_norm_backward_input(float* dx, const float* dOut, const float* x,
                                                     const float* weight, const float* mean, const float* rstd,
                                                     i64 R, int C) {
    const i64 row = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= R) return;
    const float* xr = x + row * C;
    const float* gr = dOut + row * C;
    const float mu = mean[row], r = rstd[row];
    float sumD = 0.0f, sumDX = 0.0f;
    for (int c = lane; c < C; c += 32) {
        float d = weight ? gr[c] * weight[c] : gr[c];
        sumD += d;
        sumDX += d * (xr[c] - mu) * r;
    }
    sumD = warp_sum(sumD) / C;
    sumDX = warp_sum(sumDX) / C;
    float* dxr = dx + row * C;
    for (int c = lane; c < C; c += 32) {
        float d = weight ? gr[c] * weight[c] : gr[c];
        float xhat = (xr[c] - mu) * r;
        dxr[c] += r * (d - sumD - xhat * sumDX);
    }
}

// Column reductions for the parameter gradients, rows split across blockIdx.y / threadIdx.y:
//   dWeight[c] += Σ_r g[r,c] · (x[r,c] - mean[r]) · rstd[r]   (mean null for RMSNorm)
//   dBias[c]   += Σ_r g[r,c]                                   (dBias may be null)
extern "C" __global__ void norm_backward_params(float* dWeight, float* dBias, const float* dOut, const float* x,
                                                const float* mean, const float* rstd, i64 R, int C) {
    __shared__ float partialW[8][33];
    __shared__ float partialB[8][33];
    const int c = blockIdx.x * 32 + threadIdx.x;
    float accW = 0.0f, accB = 0.0f;
    if (c < C) {
        for (i64 r = (i64)blockIdx.y * blockDim.y + threadIdx.y; r < R; r += (i64)gridDim.y * blockDim.y) {
            float g = dOut[r * C + c];
            float mu = mean ? mean[r] : 0.0f;
            accW += g * (x[r * C + c] - mu) * rstd[r];
            accB += g;
        }
    }
    partialW[threadIdx.y][threadIdx.x] = accW;
    partialB[threadIdx.y][threadIdx.x] = accB;
    __syncthreads();
    if (threadIdx.y == 0 && c < C) {
        float sw = 0.0f, sb = 0.0f;
        for (int k = 0; k < (int)blockDim.y; k++) {
            sw += partialW[k][threadIdx.x];
            sb += partialB[k][threadIdx.x];
        }
        if (dWeight) atomicAdd(&dWeight[c], sw);
        if (dBias) atomicAdd(&dBias[c], sb);
    }
}
