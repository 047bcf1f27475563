package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.LogSpace;
import dev.speechmamba.backend.LossChecks;
import dev.speechmamba.tensor.Tensor;

/**
 * CTC (blank = 0) and label-smoothed cross-entropy. CTC runs the log-space alpha and beta recursions
 * in double, one batch row per work item; cross-entropy is one row of logits per item.
 */
final class FastLoss {
    private final FastParallel par;

    FastLoss(FastParallel par) { this.par = par; }

    // ------------------------------------------------------------------ CTC

    private static LossChecks.CtcDims checkCtc(String op, Tensor logits, Tensor inputLengths, Tensor targets,
                                               Tensor targetLengths) {
        return LossChecks.ctcInputs(op, logits, inputLengths, targets, targetLengths, t -> FastHost.intsCopy(op, t));
    }

    void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths,
                 boolean zeroInfinity) {
        String op = "ctcLoss";
        LossChecks.CtcDims c = checkCtc(op, logits, inputLengths, targets, targetLengths);
        LossChecks.perRow(op, "losses", losses, c.batch());
        float[] lg = FastHost.floats(op, logits), out = FastHost.floats(op, losses);
        int lgo = FastHost.off(logits), lso = FastHost.off(losses);
        par.forRange(c.batch(), 30L * c.time() * (c.vocab() + 2L * c.maxTarget()), (from, to) -> {
            for (int b = from; b < to; b++) {
                double[] logProbs = logSoftmaxRows(lg, lgo + b * c.time() * c.vocab(), c.inputLengths()[b], c.vocab());
                double nll = -logLikelihood(c, b, logProbs, null);
                out[lso + b] = (float) (zeroInfinity && Double.isInfinite(nll) ? 0.0 : nll);
            }
        });
    }

    void ctcLossBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor inputLengths, Tensor targets,
                         Tensor targetLengths, boolean zeroInfinity) {
        String op = "ctcLossBackward";
        LossChecks.CtcDims c = checkCtc(op, logits, inputLengths, targets, targetLengths);
        LossChecks.perRow(op, "dLosses", dLosses, c.batch());
        if (dLogits == null) return;
        LossChecks.logitsGrad(op, dLogits, logits);
        float[] lg = FastHost.floats(op, logits), dl = FastHost.floats(op, dLogits), gl = FastHost.floats(op, dLosses);
        int lgo = FastHost.off(logits), dlo = FastHost.off(dLogits), glo = FastHost.off(dLosses);
        par.forRange(c.batch(), 60L * c.time() * (c.vocab() + 2L * c.maxTarget()), (from, to) -> {
            for (int b = from; b < to; b++) {
                int len = c.inputLengths()[b], v = c.vocab();
                double[] logProbs = logSoftmaxRows(lg, lgo + b * c.time() * v, len, v);
                int ext = 2 * c.targetLengths()[b] + 1;
                double[] occupancy = new double[len * ext]; // log α_t(s) + log β_t(s), (T, 2S+1)
                double logP = logLikelihood(c, b, logProbs, occupancy);
                if (logP == Double.NEGATIVE_INFINITY) {
                    // No alignment: zero gradient under zeroInfinity, else NaN as PyTorch (and the reference).
                    if (zeroInfinity) continue;
                    int base = dlo + b * c.time() * v;
                    for (int i = 0; i < len * v; i++) dl[base + i] = Float.NaN;
                    continue;
                }
                double scale = gl[glo + b];
                // ∂loss/∂logit[t, k] = softmax[t, k] - Σ_{s: label(s) = k} exp(logα + logβ - logp[t, k] - logP)
                double[] posterior = new double[v];
                for (int tt = 0; tt < len; tt++) {
                    java.util.Arrays.fill(posterior, 0.0);
                    for (int s = 0; s < ext; s++) {
                        int label = s % 2 == 0 ? 0 : c.targets()[b * c.maxTarget() + s / 2];
                        double o = occupancy[tt * ext + s];
                        if (o != Double.NEGATIVE_INFINITY) {
                            posterior[label] += Math.exp(o - logProbs[tt * v + label] - logP);
                        }
                    }
                    int row = dlo + (b * c.time() + tt) * v;
                    for (int k = 0; k < v; k++) {
                        double grad = Math.exp(logProbs[tt * v + k]) - posterior[k];
                        dl[row + k] = (float) (dl[row + k] + scale * grad);
                    }
                }
            }
        });
    }

    /** log-softmax of rows [0, rows) of (rows, v) logits at {@code off}, in double. */
    private static double[] logSoftmaxRows(float[] lg, int off, int rows, int v) {
        double[] out = new double[rows * v];
        for (int r = 0; r < rows; r++) {
            int base = off + r * v;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v; k++) max = Math.max(max, lg[base + k]);
            double sum = 0;
            for (int k = 0; k < v; k++) sum += Math.exp(lg[base + k] - max);
            double lse = max + Math.log(sum);
            for (int k = 0; k < v; k++) out[r * v + k] = lg[base + k] - lse;
        }
        return out;
    }

    /**
     * log p(target | logits) for row b by the forward (alpha) recursion over the blank-extended label
     * sequence. When occupancy is non-null, also runs beta and stores log α_t(s) + log β_t(s) there
     * (both include the emission at t).
     */
    private static double logLikelihood(LossChecks.CtcDims c, int b, double[] logProbs, double[] occupancy) {
        int len = c.inputLengths()[b], labels = c.targetLengths()[b], v = c.vocab();
        int ext = 2 * labels + 1;
        if (len == 0) return labels == 0 ? 0.0 : Double.NEGATIVE_INFINITY;
        int[] lab = new int[ext];
        for (int s = 0; s < ext; s++) lab[s] = s % 2 == 0 ? 0 : c.targets()[b * c.maxTarget() + s / 2];
        double ninf = Double.NEGATIVE_INFINITY;
        double[] alpha = new double[len * ext];
        java.util.Arrays.fill(alpha, ninf);
        alpha[0] = logProbs[lab[0]];
        if (ext > 1) alpha[1] = logProbs[lab[1]];
        for (int tt = 1; tt < len; tt++) {
            for (int s = 0; s < ext; s++) {
                double a = alpha[(tt - 1) * ext + s];
                if (s >= 1) a = LogSpace.add(a, alpha[(tt - 1) * ext + s - 1]);
                if (s >= 2 && lab[s] != 0 && lab[s] != lab[s - 2]) a = LogSpace.add(a, alpha[(tt - 1) * ext + s - 2]);
                alpha[tt * ext + s] = a == ninf ? ninf : a + logProbs[tt * v + lab[s]];
            }
        }
        double logP = alpha[(len - 1) * ext + ext - 1];
        if (ext > 1) logP = LogSpace.add(logP, alpha[(len - 1) * ext + ext - 2]);
        if (occupancy == null) return logP;
        double[] beta = new double[len * ext];
        java.util.Arrays.fill(beta, ninf);
        beta[(len - 1) * ext + ext - 1] = logProbs[(len - 1) * v + lab[ext - 1]];
        if (ext > 1) beta[(len - 1) * ext + ext - 2] = logProbs[(len - 1) * v + lab[ext - 2]];
        for (int tt = len - 2; tt >= 0; tt--) {
            for (int s = 0; s < ext; s++) {
                double a = beta[(tt + 1) * ext + s];
                if (s + 1 < ext) a = LogSpace.add(a, beta[(tt + 1) * ext + s + 1]);
                if (s + 2 < ext && lab[s] != 0 && lab[s] != lab[s + 2]) a = LogSpace.add(a, beta[(tt + 1) * ext + s + 2]);
                beta[tt * ext + s] = a == ninf ? ninf : a + logProbs[tt * v + lab[s]];
            }
        }
        for (int i = 0; i < len * ext; i++) {
            occupancy[i] = alpha[i] == ninf || beta[i] == ninf ? ninf : alpha[i] + beta[i];
        }
        return logP;
    }

    // ------------------------------------------------------------------ cross-entropy

    private static LossChecks.CrossEntropyDims checkCrossEntropy(String op, Tensor logits, Tensor targets,
                                                                 float smoothing, int ignoreIndex) {
        return LossChecks.crossEntropyInputs(op, logits, targets, smoothing, ignoreIndex,
                t -> FastHost.intsCopy(op, t));
    }

    void crossEntropy(Tensor losses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        String op = "crossEntropy";
        LossChecks.CrossEntropyDims dims = checkCrossEntropy(op, logits, targets, smoothing, ignoreIndex);
        int n = dims.rows(), v = dims.vocab();
        int[] tg = dims.targets();
        LossChecks.perRow(op, "losses", losses, n);
        float[] lg = FastHost.floats(op, logits), out = FastHost.floats(op, losses);
        int lgo = FastHost.off(logits), lo = FastHost.off(losses);
        par.forRange(n, 20L * v, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (tg[r] == ignoreIndex) {
                    out[lo + r] = 0f;
                    continue;
                }
                int base = lgo + r * v;
                double lse = FastNorm.logSumExp(lg, base, v);
                double sumLogits = 0;
                for (int k = 0; k < v; k++) sumLogits += lg[base + k];
                double nllTarget = lse - lg[base + tg[r]];
                double meanNll = lse - sumLogits / v;
                out[lo + r] = (float) ((1.0 - smoothing) * nllTarget + smoothing * meanNll);
            }
        });
    }

    void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing,
                              int ignoreIndex) {
        String op = "crossEntropyBackward";
        LossChecks.CrossEntropyDims dims = checkCrossEntropy(op, logits, targets, smoothing, ignoreIndex);
        int n = dims.rows(), v = dims.vocab();
        int[] tg = dims.targets();
        LossChecks.perRow(op, "dLosses", dLosses, n);
        if (dLogits == null) return;
        LossChecks.logitsGrad(op, dLogits, logits);
        float[] lg = FastHost.floats(op, logits), dl = FastHost.floats(op, dLogits), gl = FastHost.floats(op, dLosses);
        int lgo = FastHost.off(logits), dlo = FastHost.off(dLogits), glo = FastHost.off(dLosses);
        par.forRange(n, 20L * v, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (tg[r] == ignoreIndex) continue;
                int base = lgo + r * v, drow = dlo + r * v;
                float lse = FastNorm.logSumExp(lg, base, v);
                float g = gl[glo + r];
                float uniform = smoothing / v;
                for (int k = 0; k < v; k++) {
                    float p = (float) Math.exp(lg[base + k] - lse);
                    float target = (k == tg[r] ? 1f - smoothing : 0f) + uniform;
                    dl[drow + k] += g * (p - target);
                }
            }
        });
    }
}
