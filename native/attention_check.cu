// Standalone check of the flash attention kernels against a double-precision CPU loop, plus timing.
// Build: make attention_check. Run: ./attention_check [--no-bench]  (exit status 1 on any mismatch)
#include "../cuda-kernels/src/attention.cu"
#include "check_util.h"

namespace {

struct AttnCase {
    int B, Tq, Tk, H, Dh;
    bool useLengths, causal;
    int windowLeft, windowRight;
    int globalTokens;  // positions [0, G) escape the window; 0 when left out of an initializer
};

bool visible(const AttnCase& c, int i, int j, int klen) {
    if (j >= klen) return false;
    if (c.causal && j > i) return false;
    if (i < c.globalTokens || j < c.globalTokens) return true;
    if (c.windowLeft >= 0 && j < i - c.windowLeft) return false;
    return c.windowRight < 0 || j <= i + c.windowRight;
}

void reference(const AttnCase& c, const std::vector<float>& q, const std::vector<float>& k,
               const std::vector<float>& v, const std::vector<float>& dOut, const std::vector<int>& lengths,
               float scale, std::vector<double>& out, std::vector<double>& lse, std::vector<double>& dq,
               std::vector<double>& dk, std::vector<double>& dv) {
    const int Tq = c.Tq, Tk = c.Tk, H = c.H, Dh = c.Dh;
    auto at = [&](int b, int t, int h, int T) { return (((size_t)b * T + t) * H + h) * Dh; };
    std::vector<double> s(Tk);
    for (int b = 0; b < c.B; ++b) {
        const int klen = c.useLengths ? lengths[b] : Tk;
        for (int h = 0; h < H; ++h) {
            for (int i = 0; i < Tq; ++i) {
                const size_t qi = at(b, i, h, Tq);
                double m = -INFINITY;
                for (int j = 0; j < Tk; ++j) {
                    if (!visible(c, i, j, klen)) { s[j] = -INFINITY; continue; }
                    double acc = 0;
                    for (int e = 0; e < Dh; ++e) acc += (double)q[qi + e] * k[at(b, j, h, Tk) + e];
                    s[j] = scale * acc;
                    m = std::max(m, s[j]);
                }
                const size_t li = ((size_t)b * H + h) * Tq + i;
                for (int e = 0; e < Dh; ++e) out[qi + e] = 0;
                if (m == -INFINITY) { lse[li] = -INFINITY; continue; }
                double sum = 0;
                for (int j = 0; j < Tk; ++j) if (s[j] != -INFINITY) sum += std::exp(s[j] - m);
                lse[li] = m + std::log(sum);
                for (int j = 0; j < Tk; ++j) {
                    if (s[j] == -INFINITY) continue;
                    const double p = std::exp(s[j] - lse[li]);
                    for (int e = 0; e < Dh; ++e) out[qi + e] += p * v[at(b, j, h, Tk) + e];
                }
                double rowDot = 0;
                for (int e = 0; e < Dh; ++e) rowDot += dOut[qi + e] * out[qi + e];
                for (int j = 0; j < Tk; ++j) {
                    if (s[j] == -INFINITY) continue;
                    const size_t kj = at(b, j, h, Tk);
                    const double p = std::exp(s[j] - lse[li]);
                    double dp = 0;
                    for (int e = 0; e < Dh; ++e) dp += dOut[qi + e] * v[kj + e];
                    const double ds = p * (dp - rowDot);
                    for (int e = 0; e < Dh; ++e) {
                        dv[kj + e] += p * dOut[qi + e];
                        dq[qi + e] += scale * ds * k[kj + e];
                        dk[kj + e] += scale * ds * q[qi + e];
                    }
                }
            }
        }
    }
}

template <int kDh>
void launch_variant(const AttnCase& c, float* out, float* lse, float* dq, float* dk, float* dv, float* rowDot,
                    const float* q, const float* k, const float* v, const float* dOut, const int* lengths,
                    float scale, bool forward) {
    typedef AttnTraits Tr;
    const int bh = c.B * c.H;
    if (forward) {
        dim3 grid((c.Tq + Tr::kFwdRows - 1) / Tr::kFwdRows, bh);
        if (grid.x == 0 || bh == 0) return;
        if (kDh == 32) attention_fwd_d32<<<grid, Tr::kFwdRows * 4>>>(out, lse, q, k, v, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
        if (kDh == 64) attention_fwd_d64<<<grid, Tr::kFwdRows * 4>>>(out, lse, q, k, v, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
        if (kDh == 128) attention_fwd_d128<<<grid, Tr::kFwdRows * 4>>>(out, lse, q, k, v, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
        return;
    }
    const long long rows = (long long)c.B * c.Tq * c.H;
    if (rows > 0) attention_bwd_rowdot<<<(unsigned)((rows + Tr::kRowDotWarps - 1) / Tr::kRowDotWarps), Tr::kRowDotWarps * 32>>>(rowDot, dOut, out, c.B, c.Tq, c.H, c.Dh);
    dim3 gq((c.Tq + Tr::kDqRows - 1) / Tr::kDqRows, bh), gk((c.Tk + Tr::kDkvRows - 1) / Tr::kDkvRows, bh);
    if (gq.x > 0) {
        if (kDh == 32) attention_bwd_dq_d32<<<gq, Tr::kDqRows * 4>>>(dq, dOut, q, k, v, lse, rowDot, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
        if (kDh == 64) attention_bwd_dq_d64<<<gq, Tr::kDqRows * 4>>>(dq, dOut, q, k, v, lse, rowDot, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
        if (kDh == 128) attention_bwd_dq_d128<<<gq, Tr::kDqRows * 4>>>(dq, dOut, q, k, v, lse, rowDot, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
    }
    if (gk.x > 0) {
        if (kDh == 32) attention_bwd_dkdv_d32<<<gk, Tr::kDkvRows * 4>>>(dk, dv, dOut, q, k, v, lse, rowDot, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
        if (kDh == 64) attention_bwd_dkdv_d64<<<gk, Tr::kDkvRows * 4>>>(dk, dv, dOut, q, k, v, lse, rowDot, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
        if (kDh == 128) attention_bwd_dkdv_d128<<<gk, Tr::kDkvRows * 4>>>(dk, dv, dOut, q, k, v, lse, rowDot, lengths, c.Tq, c.Tk, c.H, c.Dh, c.causal, c.windowLeft, c.windowRight, c.globalTokens, scale);
    }
}

int run_case(const AttnCase& c, unsigned long long seed, bool timeIt, bool check = true) {
    Rng rng(seed);
    const size_t nq = (size_t)c.B * c.Tq * c.H * c.Dh, nk = (size_t)c.B * c.Tk * c.H * c.Dh;
    const size_t nl = (size_t)c.B * c.H * c.Tq;
    std::vector<float> q = rng.vec(nq, -1, 1), k = rng.vec(nk, -1, 1), v = rng.vec(nk, -1, 1), dOut = rng.vec(nq, -1, 1);
    std::vector<float> dq0 = rng.vec(nq, -1, 1), dk0 = rng.vec(nk, -1, 1), dv0 = rng.vec(nk, -1, 1);
    std::vector<int> lengths(c.B);
    for (int b = 0; b < c.B; ++b) lengths[b] = b == 0 ? c.Tk : (b == 1 ? 0 : (int)(rng.uniform(0, 1) * c.Tk));
    const float scale = 1.0f / std::sqrt((float)std::max(c.Dh, 1)) * 2.0f;

    DeviceBuffer<float> gq(q), gk(k), gv(v), gdOut(dOut), gOut(nq), gLse(nl), gRowDot(nl), gdq(dq0), gdk(dk0), gdv(dv0);
    DeviceBuffer<int> gLen(lengths);
    const int* lenP = c.useLengths ? gLen.ptr : nullptr;
    const int variant = c.Dh <= 32 ? 32 : c.Dh <= 64 ? 64 : 128;
    auto run = [&](bool forward) {
        if (variant == 32) launch_variant<32>(c, gOut.ptr, gLse.ptr, gdq.ptr, gdk.ptr, gdv.ptr, gRowDot.ptr, gq.ptr, gk.ptr, gv.ptr, gdOut.ptr, lenP, scale, forward);
        if (variant == 64) launch_variant<64>(c, gOut.ptr, gLse.ptr, gdq.ptr, gdk.ptr, gdv.ptr, gRowDot.ptr, gq.ptr, gk.ptr, gv.ptr, gdOut.ptr, lenP, scale, forward);
        if (variant == 128) launch_variant<128>(c, gOut.ptr, gLse.ptr, gdq.ptr, gdk.ptr, gdv.ptr, gRowDot.ptr, gq.ptr, gk.ptr, gv.ptr, gdOut.ptr, lenP, scale, forward);
    };
    run(true);
    CUDA_CHECK(cudaGetLastError());
    run(false);
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaDeviceSynchronize());
    std::printf("attention B=%d Tq=%d Tk=%d H=%d Dh=%d lengths=%d causal=%d window=(%d,%d) global=%d\n", c.B, c.Tq,
                c.Tk, c.H, c.Dh, c.useLengths, c.causal, c.windowLeft, c.windowRight, c.globalTokens);
    int failures = 0;
    if (check) {
        std::vector<double> out(nq), lse(nl), dq = to_double(dq0), dk = to_double(dk0), dv = to_double(dv0);
        reference(c, q, k, v, dOut, lengths, scale, out, lse, dq, dk, dv);
        const double tol = 2e-3;
        compare("out", gOut.host(), out, tol, &failures);
        compare("lse", gLse.host(), lse, tol, &failures);
        compare("dq", gdq.host(), dq, tol, &failures);
        compare("dk", gdk.host(), dk, tol, &failures);
        compare("dv", gdv.host(), dv, tol, &failures);
    }
    if (timeIt) {
        std::printf("  forward  %9.1f us\n", time_us([&] { run(true); }));
        std::printf("  backward %9.1f us\n", time_us([&] { run(false); }));
    }
    return failures;
}

}  // namespace

int main(int argc, char** argv) {
    int failures = 0;
    failures += run_case({3, 37, 45, 3, 24, true, false, -1, -1}, 1, false);
    failures += run_case({3, 70, 70, 2, 64, true, true, -1, -1}, 2, false);
    failures += run_case({2, 100, 100, 2, 128, false, false, 5, 3}, 3, false);
    failures += run_case({2, 90, 90, 1, 80, true, true, 10, -1}, 4, false);
    failures += run_case({1, 5, 0, 2, 16, false, false, -1, -1}, 5, false);
    failures += run_case({2, 33, 17, 2, 1, false, false, 0, 0}, 6, false);
    failures += run_case({1, 40, 60, 2, 32, false, false, -1, 7}, 7, false);
    failures += run_case({3, 70, 70, 2, 64, true, false, 5, 5, 3}, 10, false);
    failures += run_case({2, 90, 90, 1, 32, true, true, 4, -1, 20}, 11, false);
    const bool bench = argc < 2 || std::string(argv[1]) != "--no-bench";
    if (bench) {
        failures += run_case({8, 1024, 1024, 8, 64, false, false, -1, -1}, 8, true, false);
        failures += run_case({8, 1024, 1024, 8, 64, false, false, 32, 32}, 9, true, false);
    }
    std::printf("attention_check: %s (%d failed comparisons)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
