// Host helpers shared by the standalone kernel harnesses (llm.c dev/cuda style): random inputs, device
// buffers, comparison against a double-precision CPU reference, cudaEvent timing.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <algorithm>
#include <vector>
#include <cuda_runtime.h>

#define CUDA_CHECK(call)                                                                        \
    do {                                                                                        \
        cudaError_t err_ = (call);                                                              \
        if (err_ != cudaSuccess) {                                                              \
            std::fprintf(stderr, "CUDA error %s at %s:%d: %s\n", cudaGetErrorName(err_), __FILE__, \
                         __LINE__, cudaGetErrorString(err_));                                   \
            std::exit(2);                                                                       \
        }                                                                                       \
    } while (0)

// Deterministic xorshift so every run draws the same inputs.
struct Rng {
    unsigned long long state;
    explicit Rng(unsigned long long seed) : state(seed * 2654435761ull + 1) {}
    float uniform(float lo, float hi) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        return lo + (hi - lo) * (float)((state >> 40) * (1.0 / 16777216.0));
    }
    std::vector<float> vec(size_t n, float lo, float hi) {
        std::vector<float> v(n);
        for (auto& x : v) x = uniform(lo, hi);
        return v;
    }
};

template <typename T>
struct DeviceBuffer {
    T* ptr = nullptr;
    size_t n = 0;
    DeviceBuffer() = default;
    explicit DeviceBuffer(const std::vector<T>& host) : n(host.size()) {
        CUDA_CHECK(cudaMalloc(&ptr, sizeof(T) * (n ? n : 1)));
        if (n) CUDA_CHECK(cudaMemcpy(ptr, host.data(), sizeof(T) * n, cudaMemcpyHostToDevice));
    }
    explicit DeviceBuffer(size_t count, float fill = NAN) : n(count) {
        CUDA_CHECK(cudaMalloc(&ptr, sizeof(T) * (n ? n : 1)));
        std::vector<T> host(n, (T)fill);
        if (n) CUDA_CHECK(cudaMemcpy(ptr, host.data(), sizeof(T) * n, cudaMemcpyHostToDevice));
    }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer() { if (ptr) cudaFree(ptr); }
    std::vector<T> host() const {
        std::vector<T> v(n);
        if (n) CUDA_CHECK(cudaMemcpy(v.data(), ptr, sizeof(T) * n, cudaMemcpyDeviceToHost));
        return v;
    }
};

// Largest |got - want| / (1 + |want|); NaN where exactly one is NaN/inf mismatched counts as failure.
inline double compare(const char* what, const std::vector<float>& got, const std::vector<double>& want,
                      double tolerance, int* failures) {
    double worst = 0.0;
    size_t worstAt = 0;
    bool bad = got.size() != want.size();
    for (size_t i = 0; !bad && i < got.size(); ++i) {
        const double g = got[i], w = want[i];
        if (std::isinf(w) || std::isinf(g)) {
            if (!(std::isinf(w) && std::isinf(g) && (w > 0) == (g > 0))) { bad = true; worstAt = i; }
            continue;
        }
        if (std::isnan(w) || std::isnan(g)) {
            if (!(std::isnan(w) && std::isnan(g))) { bad = true; worstAt = i; }
            continue;
        }
        const double e = std::fabs(g - w) / (1.0 + std::fabs(w));
        if (e > worst) { worst = e; worstAt = i; }
    }
    const bool ok = !bad && worst <= tolerance;
    if (!ok) ++*failures;
    std::printf("  %-14s %s  max rel err %.3g%s", what, ok ? "ok  " : "FAIL", worst, bad ? " (nan/inf/size mismatch)" : "");
    if (!ok && worstAt < got.size()) std::printf("  at %zu: got %.7g want %.7g", worstAt, got[worstAt], want[worstAt]);
    std::printf("\n");
    return worst;
}

inline std::vector<double> to_double(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

// Average microseconds of `launch` over `iters` runs after one warm-up.
template <typename F>
float time_us(F launch, int iters = 20) {
    launch();
    CUDA_CHECK(cudaDeviceSynchronize());
    cudaEvent_t start, stop;
    CUDA_CHECK(cudaEventCreate(&start));
    CUDA_CHECK(cudaEventCreate(&stop));
    CUDA_CHECK(cudaEventRecord(start));
    for (int i = 0; i < iters; ++i) launch();
    CUDA_CHECK(cudaEventRecord(stop));
    CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0.0f;
    CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return ms * 1000.0f / iters;
}
