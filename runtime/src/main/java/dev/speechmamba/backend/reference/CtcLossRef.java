package dev.speechmamba.backend.reference;

import java.util.Arrays;

/**
 * CTC negative log-likelihood in float64 with the log-space alpha-beta recursions (Graves et al. 2006),
 * blank = 0, log-softmax over the vocabulary applied inside. The specification for the CUDA CTC kernel.
 *
 * <p>For a row with target l (length L) the extended label sequence is l' = (blank, l1, blank, l2, …,
 * lL, blank) of length S' = 2L + 1. With lp[t][v] the log-softmax of the logits:
 * <pre>
 *   alpha[t][s] = lp[t][l'_s] + logsumexp(alpha[t-1][s], alpha[t-1][s-1], alpha[t-1][s-2] if l'_s != blank, l'_{s-2})
 *   beta[t][s]  = lp[t][l'_s] + logsumexp(beta[t+1][s],  beta[t+1][s+1],  beta[t+1][s+2]  if l'_s != blank, l'_{s+2})
 *   loss        = -logsumexp(alpha[T-1][S'-1], alpha[T-1][S'-2])
 * </pre>
 * (beta includes the emission at t, as in PyTorch.) The skip over a blank is forbidden between equal
 * labels, so a repeated label needs a blank between its copies. With no valid alignment (e.g. target
 * longer than the input allows) the loss is +infinity; zeroInfinity turns it into 0 with zero gradient.
 * An input of length 0 has loss 0 for an empty target and +infinity otherwise.
 */
public final class CtcLossRef {
    private CtcLossRef() { }

    public static final int BLANK = 0;

    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    /** log(exp(x) + exp(y)) without overflow; -inf is the identity. */
    static double logAdd(double x, double y) {
        if (x == NEG_INF) return y;
        if (y == NEG_INF) return x;
        double max = Math.max(x, y);
        return max + Math.log1p(Math.exp(-Math.abs(x - y)));
    }

    /** Row-wise log-softmax of the first {@code rows} rows of one (T, V) slab starting at {@code base}. */
    static double[] logSoftmaxRows(double[] logits, int base, int rows, int V) {
        double[] lp = new double[rows * V]; // (rows, V)
        for (int t = 0; t < rows; t++) {
            int row = base + t * V;
            double max = NEG_INF;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[row + v]);
            double sum = 0.0;
            for (int v = 0; v < V; v++) sum += Math.exp(logits[row + v] - max);
            double logZ = max + Math.log(sum);
            for (int v = 0; v < V; v++) lp[t * V + v] = logits[row + v] - logZ;
        }
        return lp;
    }

    /** (2L + 1) extended labels: blanks around and between the L target labels of row b. */
    static int[] extendedLabels(int[] targets, int b, int S, int L) {
        int[] ext = new int[2 * L + 1];
        for (int s = 0; s < L; s++) ext[2 * s + 1] = targets[b * S + s];
        return ext;
    }

    /** Whether the alpha recursion may skip from s-2 to s (and beta from s+2 back to s). */
    private static boolean canSkip(int[] ext, int from, int to) {
        return ext[to] != BLANK && ext[to] != ext[from];
    }

    /** alpha (Tn, S') in log space. */
    static double[] alpha(double[] lp, int[] ext, int Tn, int V) {
        int sExt = ext.length;
        double[] alpha = new double[Tn * sExt]; // (Tn, S')
        Arrays.fill(alpha, NEG_INF);
        alpha[0] = lp[ext[0]];
        if (sExt > 1) alpha[1] = lp[ext[1]];
        for (int t = 1; t < Tn; t++) {
            for (int s = 0; s < sExt; s++) {
                double sum = alpha[(t - 1) * sExt + s];
                if (s >= 1) sum = logAdd(sum, alpha[(t - 1) * sExt + s - 1]);
                if (s >= 2 && canSkip(ext, s - 2, s)) sum = logAdd(sum, alpha[(t - 1) * sExt + s - 2]);
                alpha[t * sExt + s] = sum + lp[t * V + ext[s]];
            }
        }
        return alpha;
    }

    /** beta (Tn, S') in log space, including the emission at t. */
    static double[] beta(double[] lp, int[] ext, int Tn, int V) {
        int sExt = ext.length;
        double[] beta = new double[Tn * sExt]; // (Tn, S')
        Arrays.fill(beta, NEG_INF);
        int last = (Tn - 1) * sExt;
        beta[last + sExt - 1] = lp[(Tn - 1) * V + ext[sExt - 1]];
        if (sExt > 1) beta[last + sExt - 2] = lp[(Tn - 1) * V + ext[sExt - 2]];
        for (int t = Tn - 2; t >= 0; t--) {
            for (int s = 0; s < sExt; s++) {
                double sum = beta[(t + 1) * sExt + s];
                if (s + 1 < sExt) sum = logAdd(sum, beta[(t + 1) * sExt + s + 1]);
                if (s + 2 < sExt && canSkip(ext, s, s + 2)) sum = logAdd(sum, beta[(t + 1) * sExt + s + 2]);
                beta[t * sExt + s] = sum + lp[t * V + ext[s]];
            }
        }
        return beta;
    }

    /** -log p(target | input) for row b, before zeroInfinity. */
    private static double rowNll(double[] lp, int[] ext, int Tn, int V) {
        if (Tn == 0) return ext.length == 1 ? 0.0 : Double.POSITIVE_INFINITY;
        double[] alpha = alpha(lp, ext, Tn, V);
        int sExt = ext.length;
        double logLikelihood = alpha[(Tn - 1) * sExt + sExt - 1];
        if (sExt > 1) logLikelihood = logAdd(logLikelihood, alpha[(Tn - 1) * sExt + sExt - 2]);
        return -logLikelihood;
    }

    /**
     * Forward pass; overwrites losses.
     *
     * @param losses        (B)
     * @param logits        (B, T, V)
     * @param inputLengths  (B) in [0, T]
     * @param targets       (B, S) labels in [1, V), padded after targetLengths[b]
     * @param targetLengths (B) in [0, S]
     */
    public static void forward(double[] losses, double[] logits, int[] inputLengths, int[] targets,
                               int[] targetLengths, boolean zeroInfinity, int B, int T, int V, int S) {
        for (int b = 0; b < B; b++) {
            int Tn = inputLengths[b];
            double[] lp = logSoftmaxRows(logits, b * T * V, Tn, V); // (Tn, V)
            int[] ext = extendedLabels(targets, b, S, targetLengths[b]);
            double nll = rowNll(lp, ext, Tn, V);
            losses[b] = zeroInfinity && nll == Double.POSITIVE_INFINITY ? 0.0 : nll;
        }
    }

    /**
     * Backward pass: dLogits[b,t,v] += dLosses[b] · (softmax[t][v] - Σ_{s: l'_s = v} γ[t][s]) for t &lt; Tn,
     * where γ[t][s] = exp(alpha[t][s] + beta[t][s] - lp[t][v] + loss) is the posterior that the alignment
     * sits at extended position s at time t. Rows with infinite loss get zero gradient under zeroInfinity;
     * without it they get NaN (as PyTorch does), since the loss itself is not differentiable there.
     *
     * @param dLogits (B, T, V), accumulated
     * @param dLosses (B)
     */
    public static void backward(double[] dLogits, double[] dLosses, double[] logits, int[] inputLengths,
                                int[] targets, int[] targetLengths, boolean zeroInfinity, int B, int T, int V, int S) {
        for (int b = 0; b < B; b++) {
            int Tn = inputLengths[b];
            if (Tn == 0) continue;
            double[] lp = logSoftmaxRows(logits, b * T * V, Tn, V); // (Tn, V)
            int[] ext = extendedLabels(targets, b, S, targetLengths[b]);
            int sExt = ext.length;
            double nll = rowNll(lp, ext, Tn, V);
            int base = b * T * V;
            if (nll == Double.POSITIVE_INFINITY) {
                if (zeroInfinity) continue;
                for (int i = 0; i < Tn * V; i++) dLogits[base + i] += Double.NaN;
                continue;
            }
            double[] alpha = alpha(lp, ext, Tn, V);
            double[] beta = beta(lp, ext, Tn, V);
            double[] occupancy = new double[V]; // (V) posterior mass on each label at time t
            for (int t = 0; t < Tn; t++) {
                Arrays.fill(occupancy, 0.0);
                for (int s = 0; s < sExt; s++) {
                    double logGamma = alpha[t * sExt + s] + beta[t * sExt + s] - lp[t * V + ext[s]] + nll;
                    if (logGamma != NEG_INF) occupancy[ext[s]] += Math.exp(logGamma);
                }
                for (int v = 0; v < V; v++) {
                    double softmax = Math.exp(lp[t * V + v]);
                    dLogits[base + t * V + v] += dLosses[b] * (softmax - occupancy[v]);
                }
            }
        }
    }
}
