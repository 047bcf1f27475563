// Standalone check of the CTC and cross-entropy kernels against double-precision CPU loops, plus timing.
// Build: make loss_check. Run: ./loss_check [--no-bench]  (exit status 1 on any mismatch)
#include "../cuda-kernels/src/ctc.cu"
#include "../cuda-kernels/src/cross_entropy.cu"
#include "check_util.h"

namespace {

double log_add_d(double x, double y) {
    if (x == -INFINITY) return y;
    if (y == -INFINITY) return x;
    return std::max(x, y) + std::log1p(std::exp(-std::fabs(x - y)));
}

// CtcLossRef in double: losses (B) and dLogits (B, T, V) accumulated with dLosses.
void ctc_reference(const std::vector<float>& logits, const std::vector<int>& inLen, const std::vector<int>& targets,
                   const std::vector<int>& tgtLen, const std::vector<float>& dLosses, bool zeroInfinity, int B, int T,
                   int V, int S, std::vector<double>& losses, std::vector<double>& dLogits) {
    for (int b = 0; b < B; ++b) {
        const int Tn = inLen[b], L = tgtLen[b], sx = 2 * L + 1;
        std::vector<double> lp((size_t)Tn * V);
        for (int t = 0; t < Tn; ++t) {
            const float* x = &logits[((size_t)b * T + t) * V];
            double m = -INFINITY, sum = 0;
            for (int v = 0; v < V; ++v) m = std::max(m, (double)x[v]);
            for (int v = 0; v < V; ++v) sum += std::exp(x[v] - m);
            for (int v = 0; v < V; ++v) lp[(size_t)t * V + v] = x[v] - m - std::log(sum);
        }
        std::vector<int> ext(sx, 0);
        for (int s = 0; s < L; ++s) ext[2 * s + 1] = targets[(size_t)b * S + s];
        auto skip = [&](int to, int from) { return ext[to] != 0 && ext[to] != ext[from]; };
        if (Tn == 0) { losses[b] = L == 0 ? 0.0 : (zeroInfinity ? 0.0 : INFINITY); continue; }
        std::vector<double> alpha((size_t)Tn * sx, -INFINITY), beta((size_t)Tn * sx, -INFINITY);
        alpha[0] = lp[ext[0]];
        if (sx > 1) alpha[1] = lp[ext[1]];
        for (int t = 1; t < Tn; ++t)
            for (int s = 0; s < sx; ++s) {
                double a = alpha[(size_t)(t - 1) * sx + s];
                if (s >= 1) a = log_add_d(a, alpha[(size_t)(t - 1) * sx + s - 1]);
                if (s >= 2 && skip(s, s - 2)) a = log_add_d(a, alpha[(size_t)(t - 1) * sx + s - 2]);
                alpha[(size_t)t * sx + s] = a + lp[(size_t)t * V + ext[s]];
            }
        for (int s = std::max(0, sx - 2); s < sx; ++s) beta[(size_t)(Tn - 1) * sx + s] = lp[(size_t)(Tn - 1) * V + ext[s]];
        for (int t = Tn - 2; t >= 0; --t)
            for (int s = 0; s < sx; ++s) {
                double a = beta[(size_t)(t + 1) * sx + s];
                if (s + 1 < sx) a = log_add_d(a, beta[(size_t)(t + 1) * sx + s + 1]);
                if (s + 2 < sx && skip(s, s + 2)) a = log_add_d(a, beta[(size_t)(t + 1) * sx + s + 2]);
                beta[(size_t)t * sx + s] = a + lp[(size_t)t * V + ext[s]];
            }
        double ll = alpha[(size_t)(Tn - 1) * sx + sx - 1];
        if (sx > 1) ll = log_add_d(ll, alpha[(size_t)(Tn - 1) * sx + sx - 2]);
        const double nll = -ll;
        losses[b] = (zeroInfinity && std::isinf(nll)) ? 0.0 : nll;
        const size_t base = (size_t)b * T * V;
        if (std::isinf(nll)) {
            if (!zeroInfinity) for (size_t i = 0; i < (size_t)Tn * V; ++i) dLogits[base + i] += NAN;
            continue;
        }
        std::vector<double> occ(V);
        for (int t = 0; t < Tn; ++t) {
            std::fill(occ.begin(), occ.end(), 0.0);
            for (int s = 0; s < sx; ++s) {
                const double lg = alpha[(size_t)t * sx + s] + beta[(size_t)t * sx + s] - lp[(size_t)t * V + ext[s]] + nll;
                if (lg != -INFINITY) occ[ext[s]] += std::exp(lg);
            }
            for (int v = 0; v < V; ++v) dLogits[base + (size_t)t * V + v] += dLosses[b] * (std::exp(lp[(size_t)t * V + v]) - occ[v]);
        }
    }
}

int run_ctc(int B, int T, int V, int S, bool zeroInfinity, unsigned long long seed, bool timeIt) {
    Rng rng(seed);
    std::vector<float> logits = rng.vec((size_t)B * T * V, -3, 3), dLosses = rng.vec(B, 0.5f, 1.5f);
    std::vector<float> dLogits0 = rng.vec((size_t)B * T * V, -1, 1);
    std::vector<int> inLen(B), tgtLen(B), targets((size_t)B * S, 0);
    for (int b = 0; b < B; ++b) {
        inLen[b] = b == 0 ? T : 1 + (int)(rng.uniform(0, 1) * T) % T;
        tgtLen[b] = std::min(S, (int)(rng.uniform(0, 1) * (inLen[b] / 2 + 1)));
        for (int s = 0; s < S; ++s) targets[(size_t)b * S + s] = 1 + (int)(rng.uniform(0, 1) * (V - 1)) % (V - 1);
    }
    if (B > 1) { tgtLen[1] = S; targets[(size_t)1 * S + 1] = targets[(size_t)1 * S]; }   // a repeated label
    if (B > 2) { inLen[2] = std::min(T, 3); tgtLen[2] = std::min(S, 4); }                // no alignment: +inf
    if (B > 3) { inLen[3] = 0; tgtLen[3] = 0; }                                             // empty input and target
    if (B > 4) { tgtLen[4] = 0; }                                                           // blanks only

    std::vector<double> losses(B), dLogits = to_double(dLogits0);
    ctc_reference(logits, inLen, targets, tgtLen, dLosses, zeroInfinity, B, T, V, S, losses, dLogits);

    const int sx = 2 * S + 1;
    DeviceBuffer<float> gLogits(logits), gdLosses(dLosses), gdLogits(dLogits0), gLosses((size_t)B);
    DeviceBuffer<float> gLp((size_t)B * T * V);
    DeviceBuffer<double> gAlpha((size_t)B * T * sx), gBeta((size_t)B * T * sx), gNll((size_t)B);
    DeviceBuffer<int> gIn(inLen), gTg(targets), gTl(tgtLen);
    auto fwd = [&] {
        ctc_log_softmax<<<dim3(T, B), 256>>>(gLp.ptr, gLogits.ptr, gIn.ptr, T, V);
        ctc_alpha<<<B, 256>>>(gAlpha.ptr, gNll.ptr, gLosses.ptr, gLp.ptr, gIn.ptr, gTg.ptr, gTl.ptr, T, V, S, sx, zeroInfinity);
    };
    auto bwd = [&] {
        ctc_log_softmax<<<dim3(T, B), 256>>>(gLp.ptr, gLogits.ptr, gIn.ptr, T, V);
        ctc_alpha<<<B, 256>>>(gAlpha.ptr, gNll.ptr, nullptr, gLp.ptr, gIn.ptr, gTg.ptr, gTl.ptr, T, V, S, sx, zeroInfinity);
        ctc_beta<<<B, 256>>>(gBeta.ptr, gLp.ptr, gIn.ptr, gTg.ptr, gTl.ptr, T, V, S, sx);
        ctc_grad<<<dim3(T, B), 256>>>(gdLogits.ptr, gdLosses.ptr, gLp.ptr, gAlpha.ptr, gBeta.ptr, gNll.ptr, gIn.ptr,
                                      gTg.ptr, gTl.ptr, T, V, S, sx, zeroInfinity);
    };
    fwd();
    CUDA_CHECK(cudaGetLastError());
    bwd();
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaDeviceSynchronize());
    std::printf("ctc B=%d T=%d V=%d S=%d zeroInfinity=%d\n", B, T, V, S, zeroInfinity);
    int failures = 0;
    compare("losses", gLosses.host(), losses, 1e-4 * T, &failures);
    compare("dLogits", gdLogits.host(), dLogits, 1e-5, &failures);
    if (timeIt) {
        std::printf("  forward  %9.1f us\n", time_us(fwd));
        std::printf("  backward %9.1f us\n", time_us(bwd));
    }
    return failures;
}

int run_ce(int N, int V, float smoothing, int ignoreIndex, unsigned long long seed, bool timeIt) {
    Rng rng(seed);
    std::vector<float> logits = rng.vec((size_t)N * V, -4, 4), dLosses = rng.vec(N, 0.5f, 1.5f);
    std::vector<float> dLogits0 = rng.vec((size_t)N * V, -1, 1);
    std::vector<int> targets(N);
    for (int r = 0; r < N; ++r) targets[r] = (r % 5 == 3) ? ignoreIndex : (int)(rng.uniform(0, 1) * V) % V;
    std::vector<double> losses(N), dLogits = to_double(dLogits0);
    for (int r = 0; r < N; ++r) {
        if (targets[r] == ignoreIndex) { losses[r] = 0; continue; }
        const float* x = &logits[(size_t)r * V];
        double m = -INFINITY, sum = 0, mean = 0;
        for (int v = 0; v < V; ++v) m = std::max(m, (double)x[v]);
        for (int v = 0; v < V; ++v) { sum += std::exp(x[v] - m); mean += x[v]; }
        const double logZ = m + std::log(sum);
        mean /= V;
        losses[r] = (1 - smoothing) * (logZ - x[targets[r]]) + smoothing * (logZ - mean);
        for (int v = 0; v < V; ++v) {
            const double target = (v == targets[r] ? 1.0 - smoothing : 0.0) + smoothing / V;
            dLogits[(size_t)r * V + v] += dLosses[r] * (std::exp(x[v] - logZ) - target);
        }
    }
    DeviceBuffer<float> gLogits(logits), gdLosses(dLosses), gdLogits(dLogits0), gLosses((size_t)N);
    DeviceBuffer<int> gTg(targets);
    auto fwd = [&] { cross_entropy_fwd<<<N, 256>>>(gLosses.ptr, gLogits.ptr, gTg.ptr, V, smoothing, ignoreIndex); };
    auto bwd = [&] { cross_entropy_bwd<<<N, 256>>>(gdLogits.ptr, gdLosses.ptr, gLogits.ptr, gTg.ptr, V, smoothing, ignoreIndex); };
    fwd();
    bwd();
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaDeviceSynchronize());
    std::printf("cross-entropy N=%d V=%d smoothing=%.2f ignoreIndex=%d\n", N, V, smoothing, ignoreIndex);
    int failures = 0;
    compare("losses", gLosses.host(), losses, 1e-4, &failures);
    compare("dLogits", gdLogits.host(), dLogits, 1e-4, &failures);
    if (timeIt) {
        std::printf("  forward  %9.1f us\n", time_us(fwd));
        std::printf("  backward %9.1f us\n", time_us(bwd));
    }
    return failures;
}

}  // namespace

int main(int argc, char** argv) {
    const bool bench = argc < 2 || std::string(argv[1]) != "--no-bench";
    int failures = 0;
    failures += run_ctc(6, 50, 20, 10, false, 1, false);
    failures += run_ctc(6, 50, 20, 10, true, 2, false);
    failures += run_ctc(2, 300, 7, 140, true, 3, false);
    failures += run_ce(37, 5003, 0.1f, -100, 4, false);
    failures += run_ce(5, 3, 0.0f, 1, 5, false);
    if (bench) {
        failures += run_ctc(16, 400, 5000, 80, true, 6, true);
        failures += run_ce(4096, 5000, 0.1f, -100, 7, true);
    }
    std::printf("loss_check: %s (%d failed comparisons)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
