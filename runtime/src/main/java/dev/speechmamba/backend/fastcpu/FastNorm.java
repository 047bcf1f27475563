package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.NormChecks;
import dev.speechmamba.tensor.Tensor;

/**
 * RMS norm, layer norm, softmax and log-softmax over the last dimension: one row per work item,
 * row statistics accumulated in double, weight and bias gradients summed per chunk of rows.
 */
final class FastNorm {
    private final FastParallel par;

    FastNorm(FastParallel par) { this.par = par; }

    // ------------------------------------------------------------------ RMS norm

    void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps) {
        String op = "rmsNorm";
        NormChecks.Rows rc = NormChecks.rmsNorm(op, out, rstd, x, weight, eps);
        int rows = rc.rows(), c = rc.cols();
        float[] o = FastHost.floats(op, out), rs = FastHost.floats(op, rstd), xs = FastHost.floats(op, x),
                w = FastHost.floats(op, weight);
        int oo = FastHost.off(out), ro = FastHost.off(rstd), xo = FastHost.off(x), wo = FastHost.off(weight);
        par.forRange(rows, 3L * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = r * c;
                double ss = 0;
                for (int j = 0; j < c; j++) ss += (double) xs[xo + row + j] * xs[xo + row + j];
                float inv = (float) (1.0 / Math.sqrt(ss / c + eps));
                rs[ro + r] = inv;
                for (int j = 0; j < c; j++) o[oo + row + j] = xs[xo + row + j] * inv * w[wo + j];
            }
        });
    }

    void rmsNormBackward(Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight, Tensor rstd) {
        String op = "rmsNormBackward";
        NormChecks.Rows rc = NormChecks.rmsNormBackward(op, dx, dWeight, dOut, x, weight, rstd);
        int rows = rc.rows(), c = rc.cols();
        float[] g = FastHost.floats(op, dOut), xs = FastHost.floats(op, x), w = FastHost.floats(op, weight),
                rs = FastHost.floats(op, rstd);
        int go = FastHost.off(dOut), xo = FastHost.off(x), wo = FastHost.off(weight), ro = FastHost.off(rstd);
        if (dx != null) {
            float[] d = FastHost.floats(op, dx);
            int dOff = FastHost.off(dx);
            par.forRange(rows, 4L * c, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int row = r * c;
                    double inv = rs[ro + r];
                    double dot = 0;
                    for (int j = 0; j < c; j++) dot += (double) g[go + row + j] * w[wo + j] * xs[xo + row + j];
                    // d/dx of x·rstd: rstd·(gw - x·rstd²·mean(gw·x))
                    float k = (float) (inv * inv * inv * dot / c);
                    float fi = (float) inv;
                    for (int j = 0; j < c; j++) {
                        d[dOff + row + j] += fi * g[go + row + j] * w[wo + j] - k * xs[xo + row + j];
                    }
                }
            });
        }
        if (dWeight != null) {
            double[] sums = FastReduce.columnSums(par, rows, c, (r, acc) -> {
                int row = r * c;
                float inv = rs[ro + r];
                for (int j = 0; j < c; j++) acc[j] += g[go + row + j] * xs[xo + row + j] * inv;
            });
            FastReduce.addInto(FastHost.floats(op, dWeight), FastHost.off(dWeight), sums);
        }
    }

    // ------------------------------------------------------------------ layer norm

    void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, float eps) {
        String op = "layerNorm";
        NormChecks.Rows rc = NormChecks.layerNorm(op, out, mean, rstd, x, weight, bias, eps);
        int rows = rc.rows(), c = rc.cols();
        float[] o = FastHost.floats(op, out), ms = FastHost.floats(op, mean), rs = FastHost.floats(op, rstd),
                xs = FastHost.floats(op, x), w = FastHost.floats(op, weight), b = FastHost.floats(op, bias);
        int oo = FastHost.off(out), mo = FastHost.off(mean), ro = FastHost.off(rstd), xo = FastHost.off(x),
                wo = FastHost.off(weight), bo = FastHost.off(bias);
        par.forRange(rows, 4L * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = xo + r * c;
                double sum = 0;
                for (int j = 0; j < c; j++) sum += xs[row + j];
                double mu = sum / c;
                double var = 0;
                for (int j = 0; j < c; j++) {
                    double dv = xs[row + j] - mu;
                    var += dv * dv;
                }
                double inv = 1.0 / Math.sqrt(var / c + eps);
                ms[mo + r] = (float) mu;
                rs[ro + r] = (float) inv;
                float fm = (float) mu, fi = (float) inv;
                int orow = oo + r * c;
                for (int j = 0; j < c; j++) o[orow + j] = (xs[row + j] - fm) * fi * w[wo + j] + b[bo + j];
            }
        });
    }

    void layerNormBackward(Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor weight,
                           Tensor mean, Tensor rstd) {
        String op = "layerNormBackward";
        NormChecks.Rows rc = NormChecks.layerNormBackward(op, dx, dWeight, dBias, dOut, x, weight, mean, rstd);
        int rows = rc.rows(), c = rc.cols();
        float[] g = FastHost.floats(op, dOut), xs = FastHost.floats(op, x), w = FastHost.floats(op, weight),
                ms = FastHost.floats(op, mean), rs = FastHost.floats(op, rstd);
        int go = FastHost.off(dOut), xo = FastHost.off(x), wo = FastHost.off(weight), mo = FastHost.off(mean),
                ro = FastHost.off(rstd);
        if (dx != null) {
            float[] d = FastHost.floats(op, dx);
            int dOff = FastHost.off(dx);
            par.forRange(rows, 6L * c, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int row = r * c;
                    float mu = ms[mo + r], inv = rs[ro + r];
                    double sumG = 0, sumGx = 0;
                    for (int j = 0; j < c; j++) {
                        double gw = (double) g[go + row + j] * w[wo + j];
                        sumG += gw;
                        sumGx += gw * (xs[xo + row + j] - mu) * inv;
                    }
                    float meanG = (float) (sumG / c), meanGx = (float) (sumGx / c);
                    for (int j = 0; j < c; j++) {
                        float xhat = (xs[xo + row + j] - mu) * inv;
                        d[dOff + row + j] += inv * (g[go + row + j] * w[wo + j] - meanG - xhat * meanGx);
                    }
                }
            });
        }
        if (dWeight != null || dBias != null) {
            // acc[0, c): Σ dOut·x̂ (weight); acc[c, 2c): Σ dOut (bias)
            double[] sums = FastReduce.columnSums(par, rows, 2 * c, (r, acc) -> {
                int row = r * c;
                float mu = ms[mo + r], inv = rs[ro + r];
                for (int j = 0; j < c; j++) {
                    float gj = g[go + row + j];
                    acc[j] += gj * ((xs[xo + row + j] - mu) * inv);
                    acc[c + j] += gj;
                }
            });
            if (dWeight != null) {
                float[] dw = FastHost.floats(op, dWeight);
                int off = FastHost.off(dWeight);
                for (int j = 0; j < c; j++) dw[off + j] = (float) (dw[off + j] + sums[j]);
            }
            if (dBias != null) {
                float[] db = FastHost.floats(op, dBias);
                int off = FastHost.off(dBias);
                for (int j = 0; j < c; j++) db[off + j] = (float) (db[off + j] + sums[c + j]);
            }
        }
    }

    // ------------------------------------------------------------------ softmax

    void softmax(Tensor out, Tensor x) { softmaxForward("softmax", out, x, false); }

    void logSoftmax(Tensor out, Tensor x) { softmaxForward("logSoftmax", out, x, true); }

    private void softmaxForward(String op, Tensor out, Tensor x, boolean log) {
        NormChecks.Rows rc = NormChecks.softmax(op, out, x);
        int rows = rc.rows(), c = rc.cols();
        float[] o = FastHost.floats(op, out), xs = FastHost.floats(op, x);
        int oo = FastHost.off(out), xo = FastHost.off(x);
        par.forRange(rows, 20L * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int xr = xo + r * c, or = oo + r * c;
                if (log) logSoftmaxRow(xs, xr, o, or, c);
                else softmaxRow(xs, xr, o, or, c);
            }
        });
    }

    static void softmaxRow(float[] x, int xr, float[] o, int or, int c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) max = Math.max(max, x[xr + j]);
        double sum = 0;
        for (int j = 0; j < c; j++) {
            float e = (float) Math.exp(x[xr + j] - max);
            o[or + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < c; j++) o[or + j] *= inv;
    }

    static void logSoftmaxRow(float[] x, int xr, float[] o, int or, int c) {
        float lse = logSumExp(x, xr, c);
        for (int j = 0; j < c; j++) o[or + j] = x[xr + j] - lse;
    }

    /** log Σ exp(x[from .. from+c)), computed stably in double. */
    static float logSumExp(float[] x, int from, int c) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) max = Math.max(max, x[from + j]);
        if (max == Float.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (int j = 0; j < c; j++) sum += Math.exp(x[from + j] - max);
        return (float) (max + Math.log(sum));
    }

    void softmaxBackward(Tensor dx, Tensor dOut, Tensor out) {
        String op = "softmaxBackward";
        softmaxBackwardImpl(op, dx, dOut, out, false);
    }

    void logSoftmaxBackward(Tensor dx, Tensor dOut, Tensor out) {
        String op = "logSoftmaxBackward";
        softmaxBackwardImpl(op, dx, dOut, out, true);
    }

    private void softmaxBackwardImpl(String op, Tensor dx, Tensor dOut, Tensor out, boolean log) {
        NormChecks.Rows rc = NormChecks.softmaxBackward(op, dx, dOut, out);
        int rows = rc.rows(), c = rc.cols();
        if (dx == null) return;
        float[] d = FastHost.floats(op, dx), g = FastHost.floats(op, dOut), o = FastHost.floats(op, out);
        int dOff = FastHost.off(dx), go = FastHost.off(dOut), oo = FastHost.off(out);
        par.forRange(rows, (log ? 20L : 4L) * c, (from, to) -> {
            for (int r = from; r < to; r++) {
                int row = r * c;
                double s = 0;
                if (log) {
                    for (int j = 0; j < c; j++) s += g[go + row + j];
                    float fs = (float) s;
                    for (int j = 0; j < c; j++) {
                        d[dOff + row + j] += g[go + row + j] - (float) Math.exp(o[oo + row + j]) * fs;
                    }
                } else {
                    for (int j = 0; j < c; j++) s += (double) g[go + row + j] * o[oo + row + j];
                    float fs = (float) s;
                    for (int j = 0; j < c; j++) d[dOff + row + j] += o[oo + row + j] * (g[go + row + j] - fs);
                }
            }
        });
    }
}
