// Layout kernels: slicing the last dimension and permuting axes (rank ≤ 4, padded with leading 1s).
#include "common.cuh"

// out[r, c] = x[r, start + c]; x: (rows, Cx), out: (rows, Co)
extern "C" __global__ void slice_last_forward(float* out, const float* x, i64 rows, int Cx, int Co, int start) {
    const i64 n = rows * Co;
    for (i64 i = global_index(); i < n; i += grid_stride()) {
        i64 r = i / Co;
        int c = (int)(i - r * Co);
        out[i] = x[r * Cx + start + c];
    }
}

// dx[r, start + c] += dOut[r, c]
extern "C" __global__ void slice_last_backward(float* dx, const float* dOut, i64 rows, int Cx, int Co, int start) {
    const i64 n = rows * Co;
    for (i64 i = global_index(); i < n; i += grid_stride()) {
        i64 r = i / Co;
        int c = (int)(i - r * Co);
        dx[r * Cx + start + c] += dOut[i];
    }
}

// For every element o of the permuted tensor (dims d0..d3, row-major), s0..s3 are the strides of the
// source tensor along the axes that become output axes 0..3, so src index = Σ coord_k · s_k.
// Forward (accumulate = 0): permuted[o] = source[src]. Backward (accumulate = 1): source[src] += permuted[o],
// i.e. the gradient flows back through the inverse permutation; the map is a bijection, so no races.
extern "C" __global__ void permute_kernel(float* permuted, float* source, i64 n, int d1, int d2, int d3,
                                          i64 s0, i64 s1, i64 s2, i64 s3, int accumulate) {
    for (i64 o = global_index(); o < n; o += grid_stride()) {
        i64 rest = o;
        i64 c3 = rest % d3; rest /= d3;
        i64 c2 = rest % d2; rest /= d2;
        i64 c1 = rest % d1; rest /= d1;
        i64 c0 = rest;
        i64 src = c0 * s0 + c1 * s1 + c2 * s2 + c3 * s3;
        if (accumulate) source[src] += permuted[o];
        else permuted[o] = source[src];
    }
}
