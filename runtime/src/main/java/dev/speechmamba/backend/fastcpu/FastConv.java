package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.ConvChecks;
import dev.speechmamba.tensor.Tensor;

/**
 * Convolutions. conv2d lowers each image to columns (im2col) in slices of output positions and runs the
 * fast GEMM on them, so memory stays bounded for long inputs; the causal depthwise conv1d is a direct
 * loop over channels with the weights transposed to (K, C) for unit-stride access.
 */
final class FastConv {
    /** Most floats one im2col slice may hold (16 MiB). */
    private static final int MAX_COLUMN_FLOATS = 1 << 22;

    private final FastParallel par;
    private final FastMatmul gemm;

    FastConv(FastParallel par, FastMatmul gemm) {
        this.par = par;
        this.gemm = gemm;
    }

    private record Geometry(int batch, int ci, int h, int w, int co, int kh, int kw, int ho, int wo, int stride, int pad) {
        int patch() { return ci * kh * kw; }

        int positions() { return ho * wo; }
    }

    private static Geometry geometry(ConvChecks.Conv2dDims d, int stride, int padding) {
        return new Geometry(d.batch(), d.inChannels(), d.height(), d.width(), d.outChannels(), d.kernelH(), d.kernelW(),
                d.outHeight(), d.outWidth(), stride, padding);
    }

    void conv2d(Tensor out, Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        String op = "conv2d";
        Geometry g = geometry(ConvChecks.conv2d(op, out, x, w, bias, stride, padding), stride, padding);
        float[] xs = FastHost.floats(op, x), ws = FastHost.floats(op, w), o = FastHost.floats(op, out);
        int xo = FastHost.off(x), wOff = FastHost.off(w), oo = FastHost.off(out);
        int patch = g.patch(), positions = g.positions();
        int slice = sliceWidth(patch, positions);
        float[] cols = new float[patch * slice]; // (Ci·Kh·Kw, slice)
        for (int b = 0; b < g.batch; b++) {
            int xBase = xo + b * g.ci * g.h * g.w, oBase = oo + b * g.co * positions;
            for (int p0 = 0; p0 < positions; p0 += slice) {
                int width = Math.min(slice, positions - p0);
                im2col(g, xs, xBase, cols, p0, width);
                // out[b, :, p0:p0+width] (Co, width; ld = positions) = w (Co, patch) · cols (patch, width)
                gemm.gemm(1, ws, wOff, 0, false, patch, cols, 0, 0, false, width, o, oBase + p0, 0, positions,
                        g.co, width, patch, 1f, 0f);
            }
            if (bias != null) {
                float[] bs = FastHost.floats(op, bias);
                int bo = FastHost.off(bias);
                for (int c = 0; c < g.co; c++) {
                    float bv = bs[bo + c];
                    int row = oBase + c * positions;
                    for (int p = 0; p < positions; p++) o[row + p] += bv;
                }
            }
        }
    }

    void conv2dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w, int stride, int padding) {
        String op = "conv2dBackward";
        ConvChecks.Conv2dDims d = ConvChecks.conv2dBackward(op, dx, dw, dBias, dOut, x, w, stride, padding);
        Geometry g = geometry(d, stride, padding);
        float[] xs = FastHost.floats(op, x), ws = FastHost.floats(op, w), gs = FastHost.floats(op, dOut);
        int xo = FastHost.off(x), wOff = FastHost.off(w), go = FastHost.off(dOut);
        int patch = g.patch(), positions = g.positions();
        int slice = sliceWidth(patch, positions);
        float[] cols = new float[patch * slice];
        for (int b = 0; b < g.batch; b++) {
            int xBase = xo + b * g.ci * g.h * g.w, gBase = go + b * g.co * positions;
            for (int p0 = 0; p0 < positions; p0 += slice) {
                int width = Math.min(slice, positions - p0);
                if (dw != null) {
                    im2col(g, xs, xBase, cols, p0, width);
                    // dw (Co, patch) += dOut[b, :, slice] (Co, width) · colsᵀ (width, patch)
                    gemm.gemm(1, gs, gBase + p0, 0, false, positions, cols, 0, 0, true, width,
                            FastHost.floats(op, dw), FastHost.off(dw), 0, patch, g.co, patch, width, 1f, 1f);
                }
                if (dx != null) {
                    // dcols (patch, width) = wᵀ (patch, Co) · dOut[b, :, slice] (Co, width)
                    gemm.gemm(1, ws, wOff, 0, true, patch, gs, gBase + p0, 0, false, positions,
                            cols, 0, 0, width, patch, width, g.co, 1f, 0f);
                    col2imAdd(g, cols, FastHost.floats(op, dx), FastHost.off(dx) + b * g.ci * g.h * g.w, p0, width);
                }
            }
            if (dBias != null) {
                float[] db = FastHost.floats(op, dBias);
                int dbo = FastHost.off(dBias);
                for (int c = 0; c < g.co; c++) {
                    double s = 0;
                    int row = gBase + c * positions;
                    for (int p = 0; p < positions; p++) s += gs[row + p];
                    db[dbo + c] = (float) (db[dbo + c] + s);
                }
            }
        }
    }

    private static int sliceWidth(int patch, int positions) {
        return Math.max(1, Math.min(positions, MAX_COLUMN_FLOATS / Math.max(patch, 1)));
    }

    /** cols[(c·Kh + i)·Kw + j, p - p0] = x[c, oy·s - pad + i, ox·s - pad + j] for positions p in the slice. */
    private void im2col(Geometry g, float[] xs, int xBase, float[] cols, int p0, int width) {
        par.forRange(g.patch(), width, (from, to) -> {
            for (int row = from; row < to; row++) {
                int j = row % g.kw, i = (row / g.kw) % g.kh, c = row / (g.kw * g.kh);
                int dst = row * width;
                int chan = xBase + c * g.h * g.w;
                // Walk the slice one output row at a time: one division per row instead of two per element.
                for (int q = 0, p = p0; q < width; ) {
                    int oy = p / g.wo, ox = p % g.wo, run = Math.min(width - q, g.wo - ox);
                    int iy = oy * g.stride - g.pad + i;
                    if (iy < 0 || iy >= g.h) {
                        java.util.Arrays.fill(cols, dst + q, dst + q + run, 0f);
                    } else {
                        int src = chan + iy * g.w, ix = ox * g.stride - g.pad + j;
                        for (int r = 0; r < run; r++, ix += g.stride) {
                            cols[dst + q + r] = ix >= 0 && ix < g.w ? xs[src + ix] : 0f;
                        }
                    }
                    q += run;
                    p += run;
                }
            }
        });
    }

    /** The adjoint of im2col: dx[c, iy, ix] += dcols[row, q]; channels are split over threads, so no races. */
    private void col2imAdd(Geometry g, float[] cols, float[] dx, int dxBase, int p0, int width) {
        int perChannel = g.kh * g.kw;
        par.forRange(g.ci, (long) perChannel * width, (from, to) -> {
            for (int c = from; c < to; c++) {
                int chan = dxBase + c * g.h * g.w;
                for (int k = 0; k < perChannel; k++) {
                    int i = k / g.kw, j = k % g.kw;
                    int src = (c * perChannel + k) * width;
                    for (int q = 0, p = p0; q < width; ) {
                        int oy = p / g.wo, ox = p % g.wo, run = Math.min(width - q, g.wo - ox);
                        int iy = oy * g.stride - g.pad + i;
                        if (iy >= 0 && iy < g.h) {
                            int dst = chan + iy * g.w, ix = ox * g.stride - g.pad + j;
                            for (int r = 0; r < run; r++, ix += g.stride) {
                                if (ix >= 0 && ix < g.w) dx[dst + ix] += cols[src + q + r];
                            }
                        }
                        q += run;
                        p += run;
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------ causal depthwise conv1d

    /** w (C, K) transposed to (K, C). */
    private static float[] transposeWeights(float[] w, int wOff, int c, int k) {
        float[] wt = new float[k * c];
        for (int ch = 0; ch < c; ch++) for (int j = 0; j < k; j++) wt[j * c + ch] = w[wOff + ch * k + j];
        return wt;
    }

    void causalConv1d(Tensor out, Tensor x, Tensor w, Tensor bias) {
        String op = "causalConv1d";
        ConvChecks.Conv1dDims d = ConvChecks.causalConv1d(op, out, x, w, bias);
        int batch = d.batch(), t = d.time(), c = d.channels(), k = d.taps();
        float[] xs = FastHost.floats(op, x), o = FastHost.floats(op, out);
        float[] wt = transposeWeights(FastHost.floats(op, w), FastHost.off(w), c, k);
        float[] bs = bias == null ? null : FastHost.floats(op, bias);
        int xo = FastHost.off(x), oo = FastHost.off(out), bo = bias == null ? 0 : FastHost.off(bias);
        par.forRange(batch * t, 2L * k * c, (from, to) -> {
            for (int bt = from; bt < to; bt++) {
                int b = bt / t, tt = bt % t;
                int orow = oo + bt * c;
                for (int ch = 0; ch < c; ch++) o[orow + ch] = bs == null ? 0f : bs[bo + ch];
                for (int j = 0; j < k; j++) {
                    int src = tt - k + 1 + j;
                    if (src < 0) continue;
                    int xrow = xo + (b * t + src) * c, wrow = j * c;
                    for (int ch = 0; ch < c; ch++) o[orow + ch] += wt[wrow + ch] * xs[xrow + ch];
                }
            }
        });
    }

    void causalConv1dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w) {
        String op = "causalConv1dBackward";
        ConvChecks.Conv1dDims d = ConvChecks.causalConv1dBackward(op, dx, dw, dBias, dOut, x, w);
        int batch = d.batch(), t = d.time(), c = d.channels(), k = d.taps();
        float[] xs = FastHost.floats(op, x), gs = FastHost.floats(op, dOut);
        int xo = FastHost.off(x), go = FastHost.off(dOut);
        if (dx != null) {
            float[] wt = transposeWeights(FastHost.floats(op, w), FastHost.off(w), c, k);
            float[] dxs = FastHost.floats(op, dx);
            int dxo = FastHost.off(dx);
            par.forRange(batch * t, 2L * k * c, (from, to) -> {
                for (int bs = from; bs < to; bs++) {
                    int b = bs / t, s = bs % t;
                    int drow = dxo + bs * c;
                    for (int j = 0; j < k; j++) {
                        int tt = s + k - 1 - j; // the output that read x[s] through tap j
                        if (tt >= t) continue;
                        int grow = go + (b * t + tt) * c, wrow = j * c;
                        for (int ch = 0; ch < c; ch++) dxs[drow + ch] += wt[wrow + ch] * gs[grow + ch];
                    }
                }
            });
        }
        if (dw != null || dBias != null) {
            // acc[j·C + ch] for the weight taps (K, C), then acc[K·C + ch] for the bias.
            double[] sums = FastReduce.columnSums(par, batch * t, (k + 1) * c, (bt, acc) -> {
                int b = bt / t, tt = bt % t;
                int grow = go + bt * c;
                for (int j = 0; j < k; j++) {
                    int src = tt - k + 1 + j;
                    if (src < 0) continue;
                    int xrow = xo + (b * t + src) * c;
                    for (int ch = 0; ch < c; ch++) acc[j * c + ch] += gs[grow + ch] * xs[xrow + ch];
                }
                for (int ch = 0; ch < c; ch++) acc[k * c + ch] += gs[grow + ch];
            });
            if (dw != null) {
                float[] dws = FastHost.floats(op, dw);
                int dwo = FastHost.off(dw);
                for (int ch = 0; ch < c; ch++) {
                    for (int j = 0; j < k; j++) dws[dwo + ch * k + j] = (float) (dws[dwo + ch * k + j] + sums[j * c + ch]);
                }
            }
            if (dBias != null) {
                float[] db = FastHost.floats(op, dBias);
                int dbo = FastHost.off(dBias);
                for (int ch = 0; ch < c; ch++) db[dbo + ch] = (float) (db[dbo + ch] + sums[k * c + ch]);
            }
        }
    }
}
