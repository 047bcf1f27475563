package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.AttentionMask;

/**
 * Scaled dot-product attention in float64, one query row at a time, the specification the flash
 * attention kernels are tested against. For batch b, head h, query i, over the keys j that
 * {@link AttentionMask#visible} allows:
 * <pre>
 *   s_ij  = scale · q_i · k_j
 *   lse_i = log Σ_j exp(s_ij)
 *   out_i = Σ_j exp(s_ij - lse_i) · v_j
 * </pre>
 * A query with no visible key gets out 0, lse -infinity, and no gradient.
 */
public final class AttentionRef {
    private AttentionRef() { }

    private static int keyLength(int[] keyLengths, int b, int Tk) {
        return keyLengths == null ? Tk : keyLengths[b];
    }

    /** Index of element (b, t, h, e) in a (B, T, H, Dh) array. */
    private static int at(int b, int t, int h, int T, int H, int Dh) {
        return ((b * T + t) * H + h) * Dh;
    }

    /**
     * Forward pass; overwrites out and lse.
     *
     * @param out        (B, Tq, H, Dh)
     * @param lse        (B, H, Tq)
     * @param q          (B, Tq, H, Dh)
     * @param k          (B, Tk, H, Dh)
     * @param v          (B, Tk, H, Dh)
     * @param keyLengths (B) valid keys per row, or null for all Tk
     * @param mask       causal and window rules (its keyLengths tensor is ignored here; pass the array)
     */
    public static void forward(double[] out, double[] lse, double[] q, double[] k, double[] v, int[] keyLengths,
                               AttentionMask mask, double scale, int B, int Tq, int Tk, int H, int Dh) {
        double[] scores = new double[Tk]; // (Tk) scaled scores of one query row; -inf where hidden
        for (int b = 0; b < B; b++) {
            int len = keyLength(keyLengths, b, Tk);
            for (int h = 0; h < H; h++) {
                for (int i = 0; i < Tq; i++) {
                    int qi = at(b, i, h, Tq, H, Dh);
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < Tk; j++) {
                        if (!mask.visible(i, j, len)) {
                            scores[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        int kj = at(b, j, h, Tk, H, Dh);
                        double s = 0.0;
                        for (int e = 0; e < Dh; e++) s += q[qi + e] * k[kj + e];
                        scores[j] = scale * s;
                        max = Math.max(max, scores[j]);
                    }
                    int lseIndex = (b * H + h) * Tq + i;
                    if (max == Double.NEGATIVE_INFINITY) {
                        lse[lseIndex] = Double.NEGATIVE_INFINITY;
                        for (int e = 0; e < Dh; e++) out[qi + e] = 0.0;
                        continue;
                    }
                    double sum = 0.0;
                    for (int j = 0; j < Tk; j++) {
                        if (scores[j] != Double.NEGATIVE_INFINITY) sum += Math.exp(scores[j] - max);
                    }
                    double rowLse = max + Math.log(sum);
                    lse[lseIndex] = rowLse;
                    for (int e = 0; e < Dh; e++) out[qi + e] = 0.0;
                    for (int j = 0; j < Tk; j++) {
                        if (scores[j] == Double.NEGATIVE_INFINITY) continue;
                        double p = Math.exp(scores[j] - rowLse);
                        int vj = at(b, j, h, Tk, H, Dh);
                        for (int e = 0; e < Dh; e++) out[qi + e] += p * v[vj + e];
                    }
                }
            }
        }
    }

    /**
     * Backward pass from the saved out and lse (as flash attention does): with P_ij = exp(s_ij - lse_i)
     * and D_i = Σ_e dOut_i·out_i,
     * <pre>
     *   dv_j += Σ_i P_ij dOut_i
     *   dS_ij = P_ij (dOut_i · v_j - D_i)
     *   dq_i += scale Σ_j dS_ij k_j,   dk_j += scale Σ_i dS_ij q_i
     * </pre>
     * Gradients are accumulated (+=); null ones are skipped.
     *
     * @param dq   (B, Tq, H, Dh) or null
     * @param dk   (B, Tk, H, Dh) or null
     * @param dv   (B, Tk, H, Dh) or null
     * @param dOut (B, Tq, H, Dh)
     * @param out  (B, Tq, H, Dh) saved forward output
     * @param lse  (B, H, Tq) saved log-sum-exp
     */
    public static void backward(double[] dq, double[] dk, double[] dv, double[] dOut, double[] q, double[] k,
                                double[] v, double[] out, double[] lse, int[] keyLengths, AttentionMask mask,
                                double scale, int B, int Tq, int Tk, int H, int Dh) {
        for (int b = 0; b < B; b++) {
            int len = keyLength(keyLengths, b, Tk);
            for (int h = 0; h < H; h++) {
                for (int i = 0; i < Tq; i++) {
                    double rowLse = lse[(b * H + h) * Tq + i];
                    if (rowLse == Double.NEGATIVE_INFINITY) continue;
                    int qi = at(b, i, h, Tq, H, Dh);
                    double rowDot = 0.0; // D_i
                    for (int e = 0; e < Dh; e++) rowDot += dOut[qi + e] * out[qi + e];
                    for (int j = 0; j < Tk; j++) {
                        if (!mask.visible(i, j, len)) continue;
                        int kj = at(b, j, h, Tk, H, Dh);
                        double s = 0.0;
                        for (int e = 0; e < Dh; e++) s += q[qi + e] * k[kj + e];
                        double p = Math.exp(scale * s - rowLse);
                        double dp = 0.0;
                        for (int e = 0; e < Dh; e++) dp += dOut[qi + e] * v[kj + e];
                        double dScore = p * (dp - rowDot);
                        for (int e = 0; e < Dh; e++) {
                            if (dv != null) dv[kj + e] += p * dOut[qi + e];
                            if (dq != null) dq[qi + e] += scale * dScore * k[kj + e];
                            if (dk != null) dk[kj + e] += scale * dScore * q[qi + e];
                        }
                    }
                }
            }
        }
    }
}
