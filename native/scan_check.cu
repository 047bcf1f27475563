// Standalone check of the fused selective scan kernels against a double-precision CPU loop, plus timing.
// Build: make scan_check (nvcc, sm_90 by default). Run: ./scan_check  (exit status 1 on any mismatch)
#include "../cuda-kernels/src/selective_scan.cu"
#include "check_util.h"

namespace {

struct ScanCase {
    int B, T, D, N;
    bool softplus, useZ, useSkip, useBias, useLengths;
};

double softplus_d(double x) { return x > 20.0 ? x : std::log1p(std::exp(x)); }
double sigmoid_d(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct ScanData {
    std::vector<float> u, delta, A, Bm, Cm, skip, z, bias, dOut;
    std::vector<int> lengths;
};

// The recurrence of ScanInputs in double; grads accumulate into the given arrays (same as the kernel).
void reference(const ScanCase& c, const ScanData& x, std::vector<double>& out, std::vector<double>& du,
               std::vector<double>& dDelta, std::vector<double>& dA, std::vector<double>& dB,
               std::vector<double>& dC, std::vector<double>& dSkip, std::vector<double>& dz,
               std::vector<double>& dBias) {
    const int T = c.T, D = c.D, N = c.N;
    std::vector<double> h((size_t)(T + 1) * N), g(N);
    for (int b = 0; b < c.B; ++b) {
        const int len = c.useLengths ? x.lengths[b] : T;
        for (int d = 0; d < D; ++d) {
            std::fill(h.begin(), h.end(), 0.0);
            auto dtOf = [&](int t, double* raw) {
                const size_t i = ((size_t)b * T + t) * D + d;
                *raw = x.delta[i] + (c.useBias ? x.bias[d] : 0.0);
                return c.softplus ? softplus_d(*raw) : *raw;
            };
            for (int t = 0; t < T; ++t) {
                const size_t i = ((size_t)b * T + t) * D + d;
                if (t >= len) { out[i] = 0.0; continue; }
                double raw, dt = dtOf(t, &raw), y = 0.0;
                for (int n = 0; n < N; ++n) {
                    const size_t bn = ((size_t)b * T + t) * N + n;
                    h[(size_t)(t + 1) * N + n] = std::exp(dt * x.A[(size_t)d * N + n]) * h[(size_t)t * N + n] + dt * x.Bm[bn] * x.u[i];
                    y += x.Cm[bn] * h[(size_t)(t + 1) * N + n];
                }
                if (c.useSkip) y += x.skip[d] * x.u[i];
                out[i] = c.useZ ? y * x.z[i] * sigmoid_d(x.z[i]) : y;
            }
            std::fill(g.begin(), g.end(), 0.0);
            for (int t = len - 1; t >= 0; --t) {
                const size_t i = ((size_t)b * T + t) * D + d;
                double raw, dt = dtOf(t, &raw);
                double y = c.useSkip ? x.skip[d] * x.u[i] : 0.0;
                for (int n = 0; n < N; ++n) y += x.Cm[((size_t)b * T + t) * N + n] * h[(size_t)(t + 1) * N + n];
                double dy = x.dOut[i];
                if (c.useZ) {
                    const double s = sigmoid_d(x.z[i]);
                    dz[i] += x.dOut[i] * y * s * (1.0 + x.z[i] * (1.0 - s));
                    dy = x.dOut[i] * x.z[i] * s;
                }
                double duHere = 0.0, dDt = 0.0;
                if (c.useSkip) { dSkip[d] += dy * x.u[i]; duHere += dy * x.skip[d]; }
                for (int n = 0; n < N; ++n) {
                    const size_t bn = ((size_t)b * T + t) * N + n;
                    const double a = x.A[(size_t)d * N + n], hPrev = h[(size_t)t * N + n], decay = std::exp(dt * a);
                    dC[bn] += dy * h[(size_t)(t + 1) * N + n];
                    g[n] += dy * x.Cm[bn];
                    dA[(size_t)d * N + n] += g[n] * hPrev * dt * decay;
                    dB[bn] += g[n] * dt * x.u[i];
                    duHere += g[n] * dt * x.Bm[bn];
                    dDt += g[n] * (hPrev * a * decay + x.Bm[bn] * x.u[i]);
                    g[n] *= decay;
                }
                du[i] += duHere;
                const double dRaw = dDt * (c.softplus ? (raw > 20.0 ? 1.0 : sigmoid_d(raw)) : 1.0);
                dDelta[i] += dRaw;
                if (c.useBias) dBias[d] += dRaw;
            }
        }
    }
}

int run_case(const ScanCase& c, unsigned long long seed, bool timeIt) {
    typedef ScanTraits Tr;
    Rng rng(seed);
    const size_t btd = (size_t)c.B * c.T * c.D, btn = (size_t)c.B * c.T * c.N, dn = (size_t)c.D * c.N;
    ScanData x;
    x.u = rng.vec(btd, -1, 1);
    // dt lands in about [0.02, 1] as Mamba's; without softplus the raw delta must already be positive.
    x.delta = c.softplus ? rng.vec(btd, -3.5f, 0.5f) : rng.vec(btd, 0.02f, 0.8f);
    x.A.resize(dn);
    for (auto& a : x.A) a = -std::exp(rng.uniform(-1.5f, 1.0f));
    x.Bm = rng.vec(btn, -1, 1);
    x.Cm = rng.vec(btn, -1, 1);
    x.skip = rng.vec(c.D, -1, 1);
    x.z = rng.vec(btd, -2, 2);
    x.bias = rng.vec(c.D, -0.5f, 0.5f);
    x.dOut = rng.vec(btd, -1, 1);
    x.lengths.resize(c.B);
    for (int b = 0; b < c.B; ++b) x.lengths[b] = b == 0 ? c.T : (int)(rng.uniform(0, 1) * (c.T + 1)) % (c.T + 1);
    if (c.B > 2) x.lengths[2] = 0;

    // Gradients start from random values: the kernels must accumulate.
    std::vector<float> du0 = rng.vec(btd, -1, 1), dDelta0 = rng.vec(btd, -1, 1), dA0 = rng.vec(dn, -1, 1),
                       dB0 = rng.vec(btn, -1, 1), dC0 = rng.vec(btn, -1, 1), dSkip0 = rng.vec(c.D, -1, 1),
                       dz0 = rng.vec(btd, -1, 1), dBias0 = rng.vec(c.D, -1, 1);
    std::vector<double> out(btd), du = to_double(du0), dDelta = to_double(dDelta0), dA = to_double(dA0),
                        dB = to_double(dB0), dC = to_double(dC0), dSkip = to_double(dSkip0), dz = to_double(dz0),
                        dBias = to_double(dBias0);
    reference(c, x, out, du, dDelta, dA, dB, dC, dSkip, dz, dBias);

    const int nChunks = std::max(1, (c.T + Tr::kChunk - 1) / Tr::kChunk);
    DeviceBuffer<float> gu(x.u), gDelta(x.delta), gA(x.A), gB(x.Bm), gC(x.Cm), gSkip(x.skip), gz(x.z),
        gBias(x.bias), gdOut(x.dOut);
    DeviceBuffer<int> gLen(x.lengths);
    DeviceBuffer<float> gOut(btd), gSaved((size_t)c.B * c.D * nChunks * c.N, 0.0f);
    DeviceBuffer<float> gdu(du0), gdDelta(dDelta0), gdA(dA0), gdB(dB0), gdC(dC0), gdSkip(dSkip0), gdz(dz0),
        gdBias(dBias0);
    const int groups = (c.D + Tr::kChannels - 1) / Tr::kChannels;
    DeviceBuffer<float> gPartialB((size_t)groups * btn), gPartialC((size_t)groups * btn);
    const float* skipP = c.useSkip ? gSkip.ptr : nullptr;
    const float* zP = c.useZ ? gz.ptr : nullptr;
    const float* biasP = c.useBias ? gBias.ptr : nullptr;
    const int* lenP = c.useLengths ? gLen.ptr : nullptr;
    dim3 grid((c.D + Tr::kChannels - 1) / Tr::kChannels, c.B);
    auto fwd = [&] {
        selective_scan_fwd<<<grid, Tr::kThreads>>>(gOut.ptr, gSaved.ptr, gu.ptr, gDelta.ptr, gA.ptr, gB.ptr, gC.ptr,
                                                   skipP, zP, biasP, lenP, c.T, c.D, c.N, nChunks, c.softplus);
    };
    auto bwdScan = [&] {
        selective_scan_bwd<<<grid, Tr::kThreads>>>(gdu.ptr, gdDelta.ptr, gdA.ptr, gPartialB.ptr, gPartialC.ptr,
                                                   c.useSkip ? gdSkip.ptr : nullptr, c.useZ ? gdz.ptr : nullptr,
                                                   c.useBias ? gdBias.ptr : nullptr, gdOut.ptr, gSaved.ptr, gu.ptr,
                                                   gDelta.ptr, gA.ptr, gB.ptr, gC.ptr, skipP, zP, biasP, lenP,
                                                   c.T, c.D, c.N, nChunks, c.softplus);
    };
    auto sumGroups = [&] {
        if (btn > 0) {
            selective_scan_bwd_sum_groups<<<(unsigned)std::min<size_t>((btn + 255) / 256, 4096), 256>>>(
                gdB.ptr, gdC.ptr, gPartialB.ptr, gPartialC.ptr, lenP, c.B, c.T, c.N, groups);
        }
    };
    auto bwd = [&] { bwdScan(); sumGroups(); };
    fwd();
    CUDA_CHECK(cudaGetLastError());
    bwd();
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaDeviceSynchronize());

    std::printf("scan B=%d T=%d D=%d N=%d softplus=%d z=%d skip=%d bias=%d lengths=%d\n", c.B, c.T, c.D, c.N,
                c.softplus, c.useZ, c.useSkip, c.useBias, c.useLengths);
    int failures = 0;
    const double tol = 2e-3;
    compare("out", gOut.host(), out, tol, &failures);
    compare("du", gdu.host(), du, tol, &failures);
    compare("dDelta", gdDelta.host(), dDelta, tol, &failures);
    compare("dA", gdA.host(), dA, tol, &failures);
    compare("dB", gdB.host(), dB, tol, &failures);
    compare("dC", gdC.host(), dC, tol, &failures);
    if (c.useSkip) compare("dSkip", gdSkip.host(), dSkip, tol, &failures);
    if (c.useZ) compare("dz", gdz.host(), dz, tol, &failures);
    if (c.useBias) compare("dDeltaBias", gdBias.host(), dBias, tol, &failures);
    if (timeIt) {
        std::printf("  forward  %9.1f us\n", time_us(fwd));
        std::printf("  backward %9.1f us (grads keep accumulating; timing only)\n", time_us(bwd));
        std::printf("    of which the scan kernel %9.1f us, the dB/dC group sum %9.1f us\n", time_us(bwdScan), time_us(sumGroups));
    }
    return failures;
}

}  // namespace

int main(int argc, char** argv) {
    int failures = 0;
    failures += run_case({2, 300, 5, 16, true, true, true, true, true}, 1, false);
    failures += run_case({3, 257, 4, 33, true, false, false, false, true}, 2, false);
    failures += run_case({1, 1, 3, 1, false, true, true, false, false}, 3, false);
    failures += run_case({2, 256, 2, 256, true, true, true, true, false}, 4, false);
    failures += run_case({2, 300, 20, 16, true, true, true, true, true}, 8, false);
    failures += run_case({3, 129, 17, 40, false, true, false, true, true}, 9, false);
    failures += run_case({2, 700, 3, 8, true, true, true, true, true}, 5, false);
    failures += run_case({1, 0, 2, 4, true, true, true, true, false}, 6, false);
    const bool bench = argc < 2 || std::string(argv[1]) != "--no-bench";
    if (bench) failures += run_case({8, 1024, 512, 16, true, true, true, true, false}, 7, true);
    std::printf("scan_check: %s (%d failed comparisons)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
