// Standalone check of the dense kernels (kdense's families) against plain double-precision CPU loops on
// random inputs, plus cudaEvent timings at model-sized shapes. Build: make dense_check; run: ./dense_check.
// Exit status 1 when any comparison fails.
#include "check_util.h"

#include "../cuda-kernels/src/elementwise.cu"
#include "../cuda-kernels/src/reduce.cu"
#include "../cuda-kernels/src/layout.cu"
#include "../cuda-kernels/src/norms.cu"
#include "../cuda-kernels/src/softmax.cu"
#include "../cuda-kernels/src/embedding.cu"
#include "../cuda-kernels/src/conv.cu"
#include "../cuda-kernels/src/adam.cu"

static int failures = 0;

static int blocks_for(long long n, int threads = 256) {
    long long b = (n + threads - 1) / threads;
    return (int)std::min<long long>(std::max<long long>(b, 1), 4096);
}

// Java's DropoutMask.uniform, transcribed with the same 64-bit wrap-around.
static float java_uniform(long long seed, long long index) {
    unsigned long long z = (unsigned long long)seed + (unsigned long long)(index + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * (1.0f / 16777216.0f);
}

static void check_softmax(int R, int C, bool timeIt) {
    Rng rng(R * 31 + C);
    auto x = rng.vec((size_t)R * C, -6, 6), g = rng.vec((size_t)R * C, -1, 1), dx0 = rng.vec((size_t)R * C, -1, 1);
    std::printf("softmax R=%d C=%d\n", R, C);
    for (int log = 0; log < 2; log++) {
        std::vector<double> want((size_t)R * C), wantDx((size_t)R * C);
        for (int r = 0; r < R; r++) {
            double m = -1e300, s = 0;
            for (int c = 0; c < C; c++) m = std::max(m, (double)x[(size_t)r * C + c]);
            for (int c = 0; c < C; c++) s += std::exp(x[(size_t)r * C + c] - m);
            for (int c = 0; c < C; c++) {
                double v = x[(size_t)r * C + c] - m;
                want[(size_t)r * C + c] = log ? v - std::log(s) : std::exp(v) / s;
            }
        }
        DeviceBuffer<float> dX(x), dOut((size_t)R * C), dG(g), dDx(dx0);
        softmax_forward<<<R, 256>>>(dOut.ptr, dX.ptr, R, C, log);
        CUDA_CHECK(cudaGetLastError());
        auto out = dOut.host();
        compare(log ? "logSoftmax" : "softmax", out, want, 2e-5, &failures);
        for (int r = 0; r < R; r++) {
            double s = 0;
            for (int c = 0; c < C; c++) s += log ? g[(size_t)r * C + c] : (double)g[(size_t)r * C + c] * out[(size_t)r * C + c];
            for (int c = 0; c < C; c++) {
                size_t i = (size_t)r * C + c;
                wantDx[i] = dx0[i] + (log ? g[i] - std::exp((double)out[i]) * s : out[i] * (g[i] - s));
            }
        }
        softmax_backward<<<R, 256>>>(dDx.ptr, dG.ptr, dOut.ptr, R, C, log);
        compare(log ? "logSoftmax bwd" : "softmax bwd", dDx.host(), wantDx, 2e-5, &failures);
        if (timeIt) {
            float us = time_us([&] { softmax_forward<<<R, 256>>>(dOut.ptr, dX.ptr, R, C, log); });
            std::printf("  forward %.1f us (%.0f GB/s)\n", us, 2.0 * 4 * R * C / us / 1e3);
        }
    }
}

static void check_norms(int R, int C, bool timeIt) {
    Rng rng(R + 7 * C);
    auto x = rng.vec((size_t)R * C, -2, 2), w = rng.vec(C, 0.5, 1.5), b = rng.vec(C, -0.5, 0.5);
    auto g = rng.vec((size_t)R * C, -1, 1), dx0 = rng.vec((size_t)R * C, -1, 1), dw0 = rng.vec(C, -1, 1), db0 = rng.vec(C, -1, 1);
    std::printf("norms R=%d C=%d\n", R, C);
    const float eps = 1e-5f;
    DeviceBuffer<float> dX(x), dW(w), dB(b), dOut((size_t)R * C), dMean(R), dRstd(R), dG(g);
    int blocks = (R + 7) / 8;
    // RMSNorm
    {
        std::vector<double> want((size_t)R * C), rs(R), wantDx((size_t)R * C), wantDw(dw0.begin(), dw0.end());
        for (int r = 0; r < R; r++) {
            double ss = 0;
            for (int c = 0; c < C; c++) ss += (double)x[(size_t)r * C + c] * x[(size_t)r * C + c];
            rs[r] = 1.0 / std::sqrt(ss / C + eps);
            double dot = 0;
            for (int c = 0; c < C; c++) {
                size_t i = (size_t)r * C + c;
                want[i] = x[i] * rs[r] * w[c];
                dot += (double)g[i] * w[c] * x[i];
                wantDw[c] += g[i] * x[i] * rs[r];
            }
            for (int c = 0; c < C; c++) {
                size_t i = (size_t)r * C + c;
                wantDx[i] = dx0[i] + rs[r] * w[c] * g[i] - x[i] * rs[r] * rs[r] * rs[r] * dot / C;
            }
        }
        rms_norm_forward<<<blocks, 256>>>(dOut.ptr, dRstd.ptr, dX.ptr, dW.ptr, R, C, eps);
        compare("rmsNorm", dOut.host(), want, 2e-5, &failures);
        compare("rmsNorm rstd", dRstd.host(), rs, 2e-5, &failures);
        DeviceBuffer<float> dDx(dx0), dDw(dw0);
        rms_norm_backward_input<<<blocks, 256>>>(dDx.ptr, dG.ptr, dX.ptr, dW.ptr, dRstd.ptr, R, C);
        norm_backward_params<<<dim3((C + 31) / 32, std::min(256, (R + 127) / 128)), dim3(32, 8)>>>(
            dDw.ptr, nullptr, dG.ptr, dX.ptr, nullptr, dRstd.ptr, R, C);
        compare("rmsNorm dx", dDx.host(), wantDx, 5e-5, &failures);
        compare("rmsNorm dw", dDw.host(), wantDw, 5e-5, &failures);
        if (timeIt) {
            float us = time_us([&] { rms_norm_forward<<<blocks, 256>>>(dOut.ptr, dRstd.ptr, dX.ptr, dW.ptr, R, C, eps); });
            std::printf("  rmsNorm forward %.1f us (%.0f GB/s)\n", us, 2.0 * 4 * R * C / us / 1e3);
        }
    }
    // LayerNorm
    {
        std::vector<double> want((size_t)R * C), mu(R), rs(R), wantDx((size_t)R * C);
        std::vector<double> wantDw(dw0.begin(), dw0.end()), wantDb(db0.begin(), db0.end());
        for (int r = 0; r < R; r++) {
            double s = 0, v = 0;
            for (int c = 0; c < C; c++) s += x[(size_t)r * C + c];
            mu[r] = s / C;
            for (int c = 0; c < C; c++) v += (x[(size_t)r * C + c] - mu[r]) * (x[(size_t)r * C + c] - mu[r]);
            rs[r] = 1.0 / std::sqrt(v / C + eps);
            double mg = 0, mgx = 0;
            for (int c = 0; c < C; c++) {
                size_t i = (size_t)r * C + c;
                double xh = (x[i] - mu[r]) * rs[r];
                want[i] = xh * w[c] + b[c];
                mg += g[i] * w[c];
                mgx += g[i] * w[c] * xh;
                wantDw[c] += g[i] * xh;
                wantDb[c] += g[i];
            }
            mg /= C; mgx /= C;
            for (int c = 0; c < C; c++) {
                size_t i = (size_t)r * C + c;
                double xh = (x[i] - mu[r]) * rs[r];
                wantDx[i] = dx0[i] + rs[r] * (g[i] * w[c] - mg - xh * mgx);
            }
        }
        layer_norm_forward<<<blocks, 256>>>(dOut.ptr, dMean.ptr, dRstd.ptr, dX.ptr, dW.ptr, dB.ptr, R, C, eps);
        compare("layerNorm", dOut.host(), want, 2e-5, &failures);
        compare("layerNorm mean", dMean.host(), mu, 2e-5, &failures);
        compare("layerNorm rstd", dRstd.host(), rs, 2e-5, &failures);
        DeviceBuffer<float> dDx(dx0), dDw(dw0), dDb(db0);
        layer_norm_backward_input<<<blocks, 256>>>(dDx.ptr, dG.ptr, dX.ptr, dW.ptr, dMean.ptr, dRstd.ptr, R, C);
        norm_backward_params<<<dim3((C + 31) / 32, std::min(256, (R + 127) / 128)), dim3(32, 8)>>>(
            dDw.ptr, dDb.ptr, dG.ptr, dX.ptr, dMean.ptr, dRstd.ptr, R, C);
        compare("layerNorm dx", dDx.host(), wantDx, 5e-5, &failures);
        compare("layerNorm dw", dDw.host(), wantDw, 5e-5, &failures);
        compare("layerNorm db", dDb.host(), wantDb, 5e-5, &failures);
        if (timeIt) {
            float us = time_us([&] {
                layer_norm_forward<<<blocks, 256>>>(dOut.ptr, dMean.ptr, dRstd.ptr, dX.ptr, dW.ptr, dB.ptr, R, C, eps);
            });
            std::printf("  layerNorm forward %.1f us (%.0f GB/s)\n", us, 2.0 * 4 * R * C / us / 1e3);
            us = time_us([&] {
                layer_norm_backward_input<<<blocks, 256>>>(dDx.ptr, dG.ptr, dX.ptr, dW.ptr, dMean.ptr, dRstd.ptr, R, C);
                norm_backward_params<<<dim3((C + 31) / 32, std::min(256, (R + 127) / 128)), dim3(32, 8)>>>(
                    dDw.ptr, dDb.ptr, dG.ptr, dX.ptr, dMean.ptr, dRstd.ptr, R, C);
            });
            std::printf("  layerNorm backward (dx + params) %.1f us\n", us);
        }
    }
}

static void check_conv1d(int B, int T, int C, int K, bool timeIt) {
    Rng rng(B * 1000 + T * 10 + K);
    const size_t n = (size_t)B * T * C;
    auto x = rng.vec(n, -1, 1), w = rng.vec((size_t)C * K, -1, 1), bias = rng.vec(C, -1, 1), g = rng.vec(n, -1, 1);
    auto dx0 = rng.vec(n, -1, 1), dw0 = rng.vec((size_t)C * K, -1, 1), db0 = rng.vec(C, -1, 1);
    std::printf("causalConv1d B=%d T=%d C=%d K=%d\n", B, T, C, K);
    std::vector<double> want(n), wantDx(dx0.begin(), dx0.end()), wantDw(dw0.begin(), dw0.end()), wantDb(db0.begin(), db0.end());
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            for (int c = 0; c < C; c++) {
                size_t i = ((size_t)b * T + t) * C + c;
                double s = bias[c];
                wantDb[c] += g[i];
                for (int k = 0; k < K; k++) {
                    int ts = t - K + 1 + k;
                    if (ts < 0) continue;
                    size_t xi = ((size_t)b * T + ts) * C + c;
                    s += (double)w[(size_t)c * K + k] * x[xi];
                    wantDx[xi] += (double)g[i] * w[(size_t)c * K + k];
                    wantDw[(size_t)c * K + k] += (double)g[i] * x[xi];
                }
                want[i] = s;
            }
    DeviceBuffer<float> dX(x), dW(w), dBias(bias), dOut(n), dG(g), dDx(dx0), dDw(dw0), dDb(db0);
    causal_conv1d_forward<<<blocks_for(n), 256>>>(dOut.ptr, dX.ptr, dW.ptr, dBias.ptr, B, T, C, K);
    compare("forward", dOut.host(), want, 2e-5, &failures);
    causal_conv1d_backward_input<<<blocks_for(n), 256>>>(dDx.ptr, dG.ptr, dW.ptr, B, T, C, K);
    int splits = std::max(1, std::min(256, (B * T + 127) / 128));
    for (int pass = 0; pass < (K + 7) / 8; pass++) {
        causal_conv1d_backward_params<<<dim3((C + 31) / 32, splits), dim3(32, 8)>>>(
            dDw.ptr, pass == 0 ? dDb.ptr : nullptr, dG.ptr, dX.ptr, B, T, C, K, pass * 8);
    }
    compare("dx", dDx.host(), wantDx, 2e-5, &failures);
    compare("dw", dDw.host(), wantDw, 5e-5, &failures);
    compare("dbias", dDb.host(), wantDb, 5e-5, &failures);
    if (timeIt) {
        float us = time_us([&] { causal_conv1d_forward<<<blocks_for(n), 256>>>(dOut.ptr, dX.ptr, dW.ptr, dBias.ptr, B, T, C, K); });
        std::printf("  forward %.1f us (%.0f GB/s)\n", us, 2.0 * 4 * n / us / 1e3);
        us = time_us([&] {
            causal_conv1d_backward_input<<<blocks_for(n), 256>>>(dDx.ptr, dG.ptr, dW.ptr, B, T, C, K);
            causal_conv1d_backward_params<<<dim3((C + 31) / 32, splits), dim3(32, 8)>>>(dDw.ptr, dDb.ptr, dG.ptr, dX.ptr, B, T, C, K, 0);
        });
        std::printf("  backward %.1f us\n", us);
    }
}

static void check_conv2d(int B, int Ci, int H, int W, int Co, int Kk, int s, int p, bool timeIt) {
    Rng rng(B + Ci * 3 + H * 5 + Co * 7 + s);
    const int Ho = (H + 2 * p - Kk) / s + 1, Wo = (W + 2 * p - Kk) / s + 1;
    const size_t nx = (size_t)B * Ci * H * W, nw = (size_t)Co * Ci * Kk * Kk, no = (size_t)B * Co * Ho * Wo;
    auto x = rng.vec(nx, -1, 1), w = rng.vec(nw, -0.5, 0.5), bias = rng.vec(Co, -1, 1), g = rng.vec(no, -1, 1);
    auto dx0 = rng.vec(nx, -1, 1), dw0 = rng.vec(nw, -1, 1), db0 = rng.vec(Co, -1, 1);
    std::printf("conv2d B=%d Ci=%d %dx%d Co=%d k=%d stride=%d pad=%d\n", B, Ci, H, W, Co, Kk, s, p);
    const bool cpu = no * Ci * Kk * Kk < 400000000ull;   // CPU reference only where it is quick
    DeviceBuffer<float> dX(x), dW(w), dBias(bias), dOut(no), dG(g), dDx(dx0), dDw(dw0), dDb(db0);
    if (cpu) {
        std::vector<double> want(no), wantDx(dx0.begin(), dx0.end()), wantDw(dw0.begin(), dw0.end()), wantDb(db0.begin(), db0.end());
        for (int b = 0; b < B; b++)
            for (int co = 0; co < Co; co++)
                for (int oh = 0; oh < Ho; oh++)
                    for (int ow = 0; ow < Wo; ow++) {
                        size_t oi = (((size_t)b * Co + co) * Ho + oh) * Wo + ow;
                        double sum = bias[co];
                        wantDb[co] += g[oi];
                        for (int ci = 0; ci < Ci; ci++)
                            for (int kh = 0; kh < Kk; kh++) {
                                int ih = oh * s - p + kh;
                                if (ih < 0 || ih >= H) continue;
                                for (int kw = 0; kw < Kk; kw++) {
                                    int iw = ow * s - p + kw;
                                    if (iw < 0 || iw >= W) continue;
                                    size_t wi = (((size_t)co * Ci + ci) * Kk + kh) * Kk + kw;
                                    size_t xi = (((size_t)b * Ci + ci) * H + ih) * W + iw;
                                    sum += (double)w[wi] * x[xi];
                                    wantDx[xi] += (double)g[oi] * w[wi];
                                    wantDw[wi] += (double)g[oi] * x[xi];
                                }
                            }
                        want[oi] = sum;
                    }
        conv2d_forward<<<blocks_for(no), 256>>>(dOut.ptr, dX.ptr, dW.ptr, dBias.ptr, B, Ci, H, W, Co, Kk, Kk, Ho, Wo, s, p);
        compare("forward", dOut.host(), want, 5e-5, &failures);
        conv2d_backward_input<<<blocks_for(nx), 256>>>(dDx.ptr, dG.ptr, dW.ptr, B, Ci, H, W, Co, Kk, Kk, Ho, Wo, s, p);
        conv2d_backward_weight<<<(int)nw, 256>>>(dDw.ptr, dG.ptr, dX.ptr, B, Ci, H, W, Co, Kk, Kk, Ho, Wo, s, p);
        conv2d_backward_bias<<<Co, 256>>>(dDb.ptr, dG.ptr, B, Co, Ho * Wo);
        compare("dx", dDx.host(), wantDx, 5e-5, &failures);
        compare("dw", dDw.host(), wantDw, 1e-4, &failures);
        compare("dbias", dDb.host(), wantDb, 1e-4, &failures);
    }
    if (timeIt) {
        double gmac = (double)no * Ci * Kk * Kk / 1e9;
        float us = time_us([&] {
            conv2d_forward<<<blocks_for(no), 256>>>(dOut.ptr, dX.ptr, dW.ptr, dBias.ptr, B, Ci, H, W, Co, Kk, Kk, Ho, Wo, s, p);
        }, 3);
        std::printf("  forward %.1f us (%.2f TFLOP/s)\n", us, 2 * gmac * 1e3 / us);
        us = time_us([&] {
            conv2d_backward_input<<<blocks_for(nx), 256>>>(dDx.ptr, dG.ptr, dW.ptr, B, Ci, H, W, Co, Kk, Kk, Ho, Wo, s, p);
        }, 3);
        std::printf("  backward dx %.1f us\n", us);
        us = time_us([&] {
            conv2d_backward_weight<<<(int)nw, 256>>>(dDw.ptr, dG.ptr, dX.ptr, B, Ci, H, W, Co, Kk, Kk, Ho, Wo, s, p);
        }, 3);
        std::printf("  backward dw %.1f us\n", us);
    }
}

static void check_elementwise() {
    std::printf("elementwise / layout / embedding / adam\n");
    Rng rng(99);
    const long long n = 100003;
    auto x = rng.vec(n, -25, 25), g = rng.vec(n, -1, 1), d0 = rng.vec(n, -1, 1);
    DeviceBuffer<float> dX(x), dOut(n), dG(g);
    const char* names[3] = {"silu", "softplus", "exp"};
    for (int op = 0; op < 3; op++) {
        std::vector<float> xin = x;
        if (op == 2) for (auto& v : xin) v *= 0.2f;
        DeviceBuffer<float> dXin(xin), dDx(d0);
        std::vector<double> want(n), wantDx(n);
        for (long long i = 0; i < n; i++) {
            double v = xin[i], sg = 1 / (1 + std::exp(-v));
            want[i] = op == 0 ? v * sg : op == 1 ? (v > 20 ? v : std::log1p(std::exp(v))) : std::exp(v);
            double der = op == 0 ? sg * (1 + v * (1 - sg)) : op == 1 ? (v > 20 ? 1 : sg) : std::exp(v);
            wantDx[i] = d0[i] + g[i] * der;
        }
        unary_forward<<<blocks_for(n), 256>>>(dOut.ptr, dXin.ptr, n, op);
        compare(names[op], dOut.host(), want, 2e-6, &failures);
        unary_backward<<<blocks_for(n), 256>>>(dDx.ptr, dG.ptr, dXin.ptr, n, op);
        compare("  backward", dDx.host(), wantDx, 2e-6, &failures);
    }
    // dropout: the device mask equals Java's arithmetic, element for element
    {
        const float p = 0.3f;
        const long long seed = -7046029254386353131ll;
        DeviceBuffer<float> dDx(d0);
        dropout_forward<<<blocks_for(n), 256>>>(dOut.ptr, dX.ptr, n, p, 1.0f / 0.7f, (u64)seed);
        dropout_backward<<<blocks_for(n), 256>>>(dDx.ptr, dG.ptr, n, p, 1.0f / 0.7f, (u64)seed);
        std::vector<double> want(n), wantDx(n);
        long long kept = 0;
        for (long long i = 0; i < n; i++) {
            bool keep = java_uniform(seed, i) >= p;
            kept += keep;
            want[i] = keep ? x[i] / 0.7 : 0;
            wantDx[i] = d0[i] + (keep ? g[i] / 0.7 : 0);
        }
        compare("dropout", dOut.host(), want, 1e-6, &failures);
        compare("dropout bwd", dDx.host(), wantDx, 1e-6, &failures);
        std::printf("  kept fraction %.4f (expect ~0.7)\n", (double)kept / n);
    }
    // column sum and sum of squares
    {
        const int rows = 3001, C = 77;
        auto m = rng.vec((size_t)rows * C, -1, 1), o0 = rng.vec(C, -1, 1);
        DeviceBuffer<float> dM(m), dO(o0);
        column_sum_accumulate<<<dim3((C + 31) / 32, std::min(256, (rows + 127) / 128)), dim3(32, 8)>>>(dO.ptr, dM.ptr, rows, C);
        std::vector<double> want(o0.begin(), o0.end());
        double ss = 0;
        for (int r = 0; r < rows; r++) for (int c = 0; c < C; c++) { want[c] += m[(size_t)r * C + c]; ss += (double)m[(size_t)r * C + c] * m[(size_t)r * C + c]; }
        compare("columnSum", dO.host(), want, 2e-5, &failures);
        int blocks = blocks_for((long long)rows * C);
        DeviceBuffer<double> partials((size_t)blocks, 0.0f);
        sum_squares_partial<<<blocks, 256>>>(partials.ptr, dM.ptr, (long long)rows * C);
        auto ph = partials.host();
        double got = 0;
        for (double v : ph) got += v;
        compare("sumOfSquares", std::vector<float>{(float)got}, std::vector<double>{ss}, 1e-6, &failures);
    }
    // permute (2, 3, 4, 5) by {0, 2, 1, 3}: forward then accumulate back
    {
        const int d[4] = {2, 3, 4, 5}, perm[4] = {0, 2, 1, 3};
        const long long total = 120;
        auto src = rng.vec(total, -1, 1), acc0 = rng.vec(total, -1, 1);
        long long st[4] = {60, 20, 5, 1};
        DeviceBuffer<float> dS(src), dP(total), dAcc(acc0);
        permute_kernel<<<1, 256>>>(dP.ptr, dS.ptr, total, d[perm[1]], d[perm[2]], d[perm[3]], st[perm[0]], st[perm[1]], st[perm[2]], st[perm[3]], 0);
        permute_kernel<<<1, 256>>>(dP.ptr, dAcc.ptr, total, d[perm[1]], d[perm[2]], d[perm[3]], st[perm[0]], st[perm[1]], st[perm[2]], st[perm[3]], 1);
        std::vector<double> want(total), wantAcc(total);
        long long o = 0;
        for (int a = 0; a < d[perm[0]]; a++) for (int b = 0; b < d[perm[1]]; b++) for (int c = 0; c < d[perm[2]]; c++) for (int e = 0; e < d[perm[3]]; e++) {
            int coord[4]; coord[perm[0]] = a; coord[perm[1]] = b; coord[perm[2]] = c; coord[perm[3]] = e;
            long long si = coord[0] * 60 + coord[1] * 20 + coord[2] * 5 + coord[3];
            want[o++] = src[si];
        }
        for (long long i = 0; i < total; i++) wantAcc[i] = acc0[i] + src[i];
        compare("permute", dP.host(), want, 0, &failures);
        compare("permute bwd", dAcc.host(), wantAcc, 1e-7, &failures);
    }
    // embedding with repeated ids
    {
        const int V = 50, C = 33, N = 200;
        std::vector<int> ids(N);
        for (int i = 0; i < N; i++) ids[i] = (i * 7) % V;
        auto table = rng.vec((size_t)V * C, -1, 1), gg = rng.vec((size_t)N * C, -1, 1), dt0 = rng.vec((size_t)V * C, -1, 1);
        DeviceBuffer<int> dIds(ids);
        DeviceBuffer<float> dT(table), dE((size_t)N * C), dGg(gg), dDt(dt0);
        embedding_forward<<<blocks_for((long long)N * C), 256>>>(dE.ptr, dIds.ptr, dT.ptr, N, C);
        embedding_backward<<<blocks_for((long long)N * C), 256>>>(dDt.ptr, dGg.ptr, dIds.ptr, N, C);
        std::vector<double> want((size_t)N * C), wantDt(dt0.begin(), dt0.end());
        for (int i = 0; i < N; i++) for (int c = 0; c < C; c++) {
            want[(size_t)i * C + c] = table[(size_t)ids[i] * C + c];
            wantDt[(size_t)ids[i] * C + c] += gg[(size_t)i * C + c];
        }
        compare("embedding", dE.host(), want, 0, &failures);
        compare("embedding bwd", dDt.host(), wantDt, 2e-6, &failures);
    }
    // adam
    {
        const long long m = 1000;
        auto pr = rng.vec(m, -1, 1), gr = rng.vec(m, -1, 1), mm = rng.vec(m, -0.1, 0.1), vv = rng.vec(m, 0, 0.01);
        DeviceBuffer<float> dp(pr), dg(gr), dm(mm), dv(vv);
        const int step = 3;
        const double b1 = 0.9, b2 = 0.98, lr = 1e-3, eps = 1e-8, wd = 0.01;
        adam_step<<<blocks_for(m), 256>>>(dp.ptr, dg.ptr, dm.ptr, dv.ptr, m, (float)lr, (float)b1, (float)b2, (float)eps, (float)wd,
                                          (float)(1 - std::pow((float)b1, step)), (float)(1 - std::pow((float)b2, step)));
        std::vector<double> want(m);
        for (long long i = 0; i < m; i++) {
            double mi = (float)b1 * mm[i] + (1 - (float)b1) * gr[i], vi = (float)b2 * vv[i] + (1 - (float)b2) * gr[i] * gr[i];
            double mh = mi / (1 - std::pow((float)b1, step)), vh = vi / (1 - std::pow((float)b2, step));
            want[i] = pr[i] - (float)lr * (mh / (std::sqrt(vh) + (float)eps) + (float)wd * pr[i]);
        }
        compare("adam", dp.host(), want, 1e-6, &failures);
    }
}

int main() {
    cudaDeviceProp prop;
    CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
    std::printf("device: %s (sm_%d%d)\n", prop.name, prop.major, prop.minor);
    check_elementwise();
    check_softmax(37, 5003, false);
    check_softmax(4096, 5000, true);
    check_norms(1001, 257, false);
    check_norms(16384, 512, true);
    check_conv1d(3, 77, 130, 4, false);
    check_conv1d(2, 30, 40, 11, false);
    check_conv1d(8, 1000, 1024, 4, true);
    check_conv2d(2, 3, 17, 13, 5, 3, 2, 1, false);
    check_conv2d(1, 2, 9, 8, 3, 4, 3, 0, false);
    check_conv2d(8, 1, 1000, 80, 256, 3, 2, 0, true);     // front end conv 1 (no CPU reference at this size)
    check_conv2d(8, 256, 499, 39, 256, 3, 2, 0, true);    // front end conv 2
    CUDA_CHECK(cudaDeviceSynchronize());
    std::printf(failures ? "dense_check: %d FAILED\n" : "dense_check: all passed\n", failures);
    return failures ? 1 : 0;
}
