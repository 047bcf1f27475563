// Shared helpers for the binding tests' kernels; exists to check that headers reach NVRTC and nvcc.
#pragma once

__device__ __forceinline__ long long global_index() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}
