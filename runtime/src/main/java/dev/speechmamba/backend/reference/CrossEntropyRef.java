package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.tensor.Tensor;

/**
 * Softmax cross-entropy per row with PyTorch's label smoothing, in float64:
 * <pre>
 *   lp    = log_softmax(logits[r])
 *   loss  = (1 - ε)·(-lp[y]) + ε · mean_v(-lp[v])
 *   dlogits[r][v] = dLoss[r] · (softmax[v] - (1 - ε)·[v == y] - ε / V)
 * </pre>
 * Rows whose target equals ignoreIndex get loss 0 and no gradient.
 */
public final class CrossEntropyRef {
    private CrossEntropyRef() { }

    /**
     * Forward pass; overwrites losses.
     *
     * @param losses  (N)
     * @param logits  (N, V)
     * @param targets (N), each in [0, V) or equal to ignoreIndex
     */
    public static void forward(double[] losses, double[] logits, int[] targets, double smoothing, int ignoreIndex,
                               int N, int V) {
        for (int r = 0; r < N; r++) {
            if (targets[r] == ignoreIndex) {
                losses[r] = 0.0;
                continue;
            }
            double[] lp = CtcLossRef.logSoftmaxRows(logits, r * V, 1, V); // (V)
            double meanNegLogProb = 0.0;
            for (int v = 0; v < V; v++) meanNegLogProb -= lp[v];
            meanNegLogProb /= V;
            losses[r] = (1.0 - smoothing) * -lp[targets[r]] + smoothing * meanNegLogProb;
        }
    }

    /**
     * Backward pass, accumulated into dLogits.
     *
     * @param dLogits (N, V)
     * @param dLosses (N)
     */
    public static void backward(double[] dLogits, double[] dLosses, double[] logits, int[] targets, double smoothing,
                                int ignoreIndex, int N, int V) {
        for (int r = 0; r < N; r++) {
            if (targets[r] == ignoreIndex) continue;
            double[] lp = CtcLossRef.logSoftmaxRows(logits, r * V, 1, V); // (V)
            for (int v = 0; v < V; v++) {
                double target = (v == targets[r] ? 1.0 - smoothing : 0.0) + smoothing / V;
                dLogits[r * V + v] += dLosses[r] * (Math.exp(lp[v]) - target);
            }
        }
    }

    // ------------------------------------------------------------------ argument checks

    /** Checks the per-row losses (or their gradient): F32 of shape (rows). */
    public static void checkPerRow(String op, String name, Tensor t, int rows) {
        Checks.f32(op, name, t);
        Checks.shape(op, name, t, rows);
    }

    /** Checks an optional dLogits like logits. */
    public static void checkLogitsGrad(String op, Tensor dLogits, Tensor logits) {
        if (dLogits == null) return;
        Checks.f32(op, "dLogits", dLogits);
        Checks.sameShape(op, "dLogits", dLogits, "logits", logits);
    }

    /**
     * Checks logits (N, V) F32, targets (N) I32 each in [0, V) or ignoreIndex, smoothing in [0, 1].
     *
     * @return {N, V}
     */
    public static int[] checkInputs(String op, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        Checks.f32(op, "logits", logits);
        Checks.shape(op, "logits", logits, Checks.ANY, Checks.ANY);
        int N = logits.dim(0), V = logits.dim(1);
        if (V < 1) throw Checks.error(op, "logits " + logits.shape() + " have no classes");
        Checks.i32(op, "targets", targets);
        Checks.shape(op, "targets", targets, N);
        if (!(smoothing >= 0 && smoothing <= 1)) {
            throw Checks.error(op, "smoothing " + smoothing + " is outside [0, 1]");
        }
        int[] labels = HostArrays.toInts(targets);
        for (int r = 0; r < N; r++) {
            if (labels[r] != ignoreIndex && (labels[r] < 0 || labels[r] >= V)) {
                throw Checks.error(op, "targets[" + r + "] = " + labels[r] + " is outside [0, " + V
                        + ") and is not ignoreIndex " + ignoreIndex + " for logits " + logits.shape());
            }
        }
        return new int[] {N, V};
    }
}
