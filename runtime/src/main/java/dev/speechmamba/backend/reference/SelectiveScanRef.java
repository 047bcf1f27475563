package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.ScanInputs;

import java.util.Arrays;

/**
 * The selective scan in float64: the specification the CUDA and fast CPU scans are tested against.
 * Recurrence (see {@link ScanInputs}), per batch row b, channel d, state n, time t &lt; lengths[b]:
 * <pre>
 *   dt_t  = softplus?(delta_t + deltaBias)
 *   h_t   = exp(dt_t * A[d,n]) * h_{t-1} + dt_t * B_t[n] * u_t
 *   y_t   = sum_n C_t[n] * h_t[n] + D[d] * u_t
 *   out_t = z == null ? y_t : y_t * silu(z_t)
 * </pre>
 * Optional arrays (dSkip, z, deltaBias, lengths) may be null. Time steps t &gt;= lengths[b] give out 0
 * and receive no gradient.
 */
public final class SelectiveScanRef {
    private SelectiveScanRef() { }

    /** PyTorch's softplus threshold: above it softplus(x) is x (and its derivative 1). */
    static final double SOFTPLUS_THRESHOLD = 20.0;

    static double softplus(double x) {
        return x > SOFTPLUS_THRESHOLD ? x : Math.log1p(Math.exp(x));
    }

    /** d softplus / dx, with the same threshold as {@link #softplus}. */
    static double softplusGrad(double x) {
        return x > SOFTPLUS_THRESHOLD ? 1.0 : sigmoid(x);
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    static double silu(double x) {
        return x * sigmoid(x);
    }

    static double siluGrad(double x) {
        double s = sigmoid(x);
        return s * (1.0 + x * (1.0 - s));
    }

    /** dt for (b, t, d): bias, then softplus when asked. */
    private static double timeStep(double[] delta, double[] deltaBias, boolean deltaSoftplus, int btd, int d) {
        double x = delta[btd] + (deltaBias == null ? 0.0 : deltaBias[d]);
        return deltaSoftplus ? softplus(x) : x;
    }

    private static int validLength(int[] lengths, int b, int T) {
        return lengths == null ? T : lengths[b];
    }

    /**
     * Forward pass; overwrites every element of {@code out}.
     *
     * @param out       (B, T, D)
     * @param u         (B, T, D)
     * @param delta     (B, T, D)
     * @param a         (D, N)
     * @param bIn       (B, T, N)
     * @param cIn       (B, T, N)
     * @param dSkip     (D) or null
     * @param z         (B, T, D) or null
     * @param deltaBias (D) or null
     * @param lengths   (B) or null for all T
     */
    public static void forward(double[] out, double[] u, double[] delta, double[] a, double[] bIn, double[] cIn,
                               double[] dSkip, double[] z, double[] deltaBias, boolean deltaSoftplus, int[] lengths,
                               int B, int T, int D, int N) {
        double[] h = new double[N]; // (N) state of one (b, d) pair
        for (int b = 0; b < B; b++) {
            int len = validLength(lengths, b, T);
            for (int d = 0; d < D; d++) {
                Arrays.fill(h, 0.0);
                for (int t = 0; t < T; t++) {
                    int btd = (b * T + t) * D + d;
                    if (t >= len) {
                        out[btd] = 0.0;
                        continue;
                    }
                    int btn = (b * T + t) * N;
                    double dt = timeStep(delta, deltaBias, deltaSoftplus, btd, d);
                    double y = 0.0;
                    for (int n = 0; n < N; n++) {
                        h[n] = Math.exp(dt * a[d * N + n]) * h[n] + dt * bIn[btn + n] * u[btd];
                        y += cIn[btn + n] * h[n];
                    }
                    if (dSkip != null) y += dSkip[d] * u[btd];
                    out[btd] = z == null ? y : y * silu(z[btd]);
                }
            }
        }
    }

    /**
     * One step from a carried state: the loop of {@link #forward} for T = 1 with h read from and written back
     * to {@code state} (B, D, N).
     */
    public static void step(double[] out, double[] state, double[] u, double[] delta, double[] a, double[] bIn,
                            double[] cIn, double[] dSkip, double[] z, double[] deltaBias, boolean deltaSoftplus,
                            int B, int D, int N) {
        for (int b = 0; b < B; b++) {
            for (int d = 0; d < D; d++) {
                int bd = b * D + d, h = bd * N;
                double dt = timeStep(delta, deltaBias, deltaSoftplus, bd, d);
                double y = 0.0;
                for (int n = 0; n < N; n++) {
                    state[h + n] = Math.exp(dt * a[d * N + n]) * state[h + n] + dt * bIn[b * N + n] * u[bd];
                    y += cIn[b * N + n] * state[h + n];
                }
                if (dSkip != null) y += dSkip[d] * u[bd];
                out[bd] = z == null ? y : y * silu(z[bd]);
            }
        }
    }

    /**
     * Backward pass: recomputes the states forward, then runs the adjoint of the state backwards in time.
     * Every gradient array is accumulated into (+=); a null gradient is skipped. dDeltaBias, dSkipGrad and
     * dz must be null when deltaBias, dSkip and z are null.
     *
     * @param du         (B, T, D) or null
     * @param dDelta     (B, T, D) or null (gradient with respect to delta before bias and softplus)
     * @param dA         (D, N) or null
     * @param dB         (B, T, N) or null
     * @param dC         (B, T, N) or null
     * @param dSkipGrad  (D) or null
     * @param dz         (B, T, D) or null
     * @param dDeltaBias (D) or null
     * @param dOut       (B, T, D)
     */
    public static void backward(double[] du, double[] dDelta, double[] dA, double[] dB, double[] dC,
                                double[] dSkipGrad, double[] dz, double[] dDeltaBias, double[] dOut,
                                double[] u, double[] delta, double[] a, double[] bIn, double[] cIn,
                                double[] dSkip, double[] z, double[] deltaBias, boolean deltaSoftplus, int[] lengths,
                                int B, int T, int D, int N) {
        double[] states = new double[(T + 1) * N]; // (T+1, N): row 0 is h_{-1} = 0, row t+1 is h_t
        double[] dh = new double[N];               // (N) adjoint of h_t, carried backwards in time
        for (int b = 0; b < B; b++) {
            int len = validLength(lengths, b, T);
            for (int d = 0; d < D; d++) {
                Arrays.fill(states, 0.0);
                for (int t = 0; t < len; t++) {
                    int btd = (b * T + t) * D + d;
                    int btn = (b * T + t) * N;
                    double dt = timeStep(delta, deltaBias, deltaSoftplus, btd, d);
                    for (int n = 0; n < N; n++) {
                        states[(t + 1) * N + n] = Math.exp(dt * a[d * N + n]) * states[t * N + n]
                                + dt * bIn[btn + n] * u[btd];
                    }
                }

                Arrays.fill(dh, 0.0);
                for (int t = len - 1; t >= 0; t--) {
                    int btd = (b * T + t) * D + d;
                    int btn = (b * T + t) * N;
                    double rawDelta = delta[btd] + (deltaBias == null ? 0.0 : deltaBias[d]);
                    double dt = deltaSoftplus ? softplus(rawDelta) : rawDelta;

                    // Output gate: out = y * silu(z).
                    double dy = dOut[btd];
                    if (z != null) {
                        double y = dSkip == null ? 0.0 : dSkip[d] * u[btd];
                        for (int n = 0; n < N; n++) y += cIn[btn + n] * states[(t + 1) * N + n];
                        if (dz != null) dz[btd] += dOut[btd] * y * siluGrad(z[btd]);
                        dy = dOut[btd] * silu(z[btd]);
                    }

                    // Readout y = Σ C h_t + D u.
                    double duHere = 0.0;
                    if (dSkip != null) {
                        if (dSkipGrad != null) dSkipGrad[d] += dy * u[btd];
                        duHere += dy * dSkip[d];
                    }
                    double dDt = 0.0;
                    for (int n = 0; n < N; n++) {
                        double hPrev = states[t * N + n];
                        double hNow = states[(t + 1) * N + n];
                        if (dC != null) dC[btn + n] += dy * hNow;
                        dh[n] += dy * cIn[btn + n];

                        // State update h_t = exp(dt·A) h_{t-1} + dt·B·u.
                        double decay = Math.exp(dt * a[d * N + n]);
                        if (dA != null) dA[d * N + n] += dh[n] * hPrev * dt * decay;
                        if (dB != null) dB[btn + n] += dh[n] * dt * u[btd];
                        duHere += dh[n] * dt * bIn[btn + n];
                        dDt += dh[n] * (hPrev * a[d * N + n] * decay + bIn[btn + n] * u[btd]);
                        dh[n] *= decay; // becomes the adjoint of h_{t-1}
                    }
                    if (du != null) du[btd] += duHere;

                    double dRawDelta = dDt * (deltaSoftplus ? softplusGrad(rawDelta) : 1.0);
                    if (dDelta != null) dDelta[btd] += dRawDelta;
                    if (dDeltaBias != null) dDeltaBias[d] += dRawDelta;
                }
            }
        }
    }
}
