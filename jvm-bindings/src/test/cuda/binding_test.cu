// Kernels for the jvm-bindings tests only (not model code): they exercise every KernelArgs type,
// headers, dynamic shared memory above 48 KiB, and graph capture.
#include "test_common.cuh"

// out[i] = scale * x[index[i]] + shift, for i < n. Uses ptr, i32, f32 and i64 arguments.
extern "C" __global__ void affine_gather(float* out, const float* x, const int* index, int n, float scale,
                                         long long shift) {
    long long i = global_index();
    if (i < n) {
        out[i] = scale * x[index[i]] + (float)shift;
    }
}

// One block reverses n floats through dynamic shared memory (n * 4 bytes of it).
extern "C" __global__ void reverse_in_shared(float* out, const float* in, int n) {
    extern __shared__ float staged[];
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        staged[i] = in[i];
    }
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        out[i] = staged[n - 1 - i];
    }
}

// x[i] += 1 for i < n: replayed from a captured graph to count launches.
extern "C" __global__ void increment(float* x, int n) {
    long long i = global_index();
    if (i < n) {
        x[i] += 1.0f;
    }
}
