// Reductions: sum of squares (global-norm clipping) and column sums (bias gradients).
#include "common.cuh"

// partials[blockIdx.x] = Σ x[i]² over this block's grid-stride share, in double. The host adds the
// partials (at most a few thousand), so the result does not depend on atomics' ordering.
extern "C" __global__ void sum_squares_partial(double* partials, const float* x, i64 n) {
    __shared__ double scratch[32];
    double acc = 0.0;
    for (i64 i = global_index(); i < n; i += grid_stride()) {
        double v = x[i];
        acc += v * v;
    }
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) partials[blockIdx.x] = acc;
}

// out[c] += Σ_r x[r, c]; x: (rows, C). Block (32, 8): threadIdx.x picks the column inside a 32-column
// tile (coalesced reads), threadIdx.y and blockIdx.y split the rows; each block adds its partial
// column sums with one atomicAdd per column.
extern "C" __global__ void column_sum_accumulate(float* out, const float* x, i64 rows, int C) {
    __shared__ float partial[8][33];
    const int c = blockIdx.x * 32 + threadIdx.x;
    float acc = 0.0f;
    if (c < C) {
        for (i64 r = (i64)blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += (i64)gridDim.y * blockDim.y) {
            acc += x[r * C + c];
        }
    }
    partial[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && c < C) {
        float s = 0.0f;
        for (int k = 0; k < (int)blockDim.y; k++) s += partial[k][threadIdx.x];
        atomicAdd(&out[c], s);
    }
}
