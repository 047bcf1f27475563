// Elementwise kernels: fill, unary functions and their derivatives, add/mul, bias, axpy, scale,
// dropout. Grid-stride loops over a flat index n (i64), so any grid size covers any tensor.
// Backward kernels accumulate (+=); a null gradient pointer means "not needed".
#include "common.cuh"

// Unary op codes, same order as dev.speechmamba.backend.Unary.
#define UNARY_SILU 0
#define UNARY_SOFTPLUS 1
#define UNARY_EXP 2
#define UNARY_RELU 3

extern "C" __global__ void fill_f32(float* out, i64 n, float value) {
    for (i64 i = global_index(); i < n; i += grid_stride()) out[i] = value;
}

SM_DEVICE float unary_value(int op, float x) {
    switch (op) {
        case UNARY_SILU: return x * sigmoidf_(x);
        case UNARY_SOFTPLUS: return softplusf_(x);
        case UNARY_RELU: return fmaxf(x, 0.0f);
        default: return expf(x);
    }
}

SM_DEVICE float unary_derivative(int op, float x) {
    switch (op) {
        case UNARY_SILU: {
            float s = sigmoidf_(x);
            return s * (1.0f + x * (1.0f - s));
        }
        case UNARY_SOFTPLUS: return x > 20.0f ? 1.0f : sigmoidf_(x);
        case UNARY_RELU: return x > 0.0f ? 1.0f : 0.0f;
        default: return expf(x);
    }
}

// out = f(x)
extern "C" __global__ void unary_forward(float* out, const float* x, i64 n, int op) {
    for (i64 i = global_index(); i < n; i += grid_stride()) out[i] = unary_value(op, x[i]);
}

// dx += dOut * f'(x)
extern "C" __global__ void unary_backward(float* dx, const float* dOut, const float* x, i64 n, int op) {
    for (i64 i = global_index(); i < n; i += grid_stride()) dx[i] += dOut[i] * unary_derivative(op, x[i]);
}

// out = a + b
extern "C" __global__ void add_forward(float* out, const float* a, const float* b, i64 n) {
    for (i64 i = global_index(); i < n; i += grid_stride()) out[i] = a[i] + b[i];
}

// out = a * b
extern "C" __global__ void mul_forward(float* out, const float* a, const float* b, i64 n) {
    for (i64 i = global_index(); i < n; i += grid_stride()) out[i] = a[i] * b[i];
}

// da += dOut * b; db += dOut * a (either may be null). Each element is read before either gradient is
// written, by the same thread, so da and db may alias each other (mul(x, x)).
extern "C" __global__ void mul_backward(float* da, float* db, const float* dOut, const float* a, const float* b,
                                        i64 n) {
    for (i64 i = global_index(); i < n; i += grid_stride()) {
        float g = dOut[i];
        float av = a[i], bv = b[i];
        if (da) da[i] += g * bv;
        if (db) db[i] += g * av;
    }
}

// y += alpha * x
extern "C" __global__ void axpy_f32(float* y, const float* x, i64 n, float alpha) {
    for (i64 i = global_index(); i < n; i += grid_stride()) y[i] += alpha * x[i];
}

// x *= s
extern "C" __global__ void scale_f32(float* x, i64 n, float s) {
    for (i64 i = global_index(); i < n; i += grid_stride()) x[i] *= s;
}

// out[r, c] = x[r, c] + bias[c]; x, out: (rows, C)
extern "C" __global__ void add_bias_forward(float* out, const float* x, const float* bias, i64 n, int C) {
    for (i64 i = global_index(); i < n; i += grid_stride()) out[i] = x[i] + bias[i % C];
}

// out = keep ? x * scale : 0 with keep = uniform(seed, i) >= p; scale = 1 / (1 - p) (0 when p == 1).
extern "C" __global__ void dropout_forward(float* out, const float* x, i64 n, float p, float scale, u64 seed) {
    for (i64 i = global_index(); i < n; i += grid_stride()) {
        out[i] = dropout_uniform(seed, (u64)i) >= p ? x[i] * scale : 0.0f;
    }
}

// dx += keep ? dOut * scale : 0, the same mask as dropout_forward.
extern "C" __global__ void dropout_backward(float* dx, const float* dOut, i64 n, float p, float scale, u64 seed) {
    for (i64 i = global_index(); i < n; i += grid_stride()) {
        if (dropout_uniform(seed, (u64)i) >= p) dx[i] += dOut[i] * scale;
    }
}
