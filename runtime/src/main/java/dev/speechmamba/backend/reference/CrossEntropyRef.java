package dev.speechmamba.backend.reference;

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
}
