package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/**
 * Inputs of the selective scan (Mamba's selective_scan_fn with one group for B and C).
 * Per batch row b, channel d, state n and time t &lt; lengths[b]:
 * <pre>
 *   dt_t  = deltaSoftplus ? softplus(delta_t + deltaBias) : delta_t + deltaBias
 *   h_t   = exp(dt_t * A[d,n]) * h_{t-1} + dt_t * B_t[n] * u_t        (h_{-1} = 0)
 *   y_t   = sum_n C_t[n] * h_t[n] + D[d] * u_t
 *   out_t = z == null ? y_t : y_t * silu(z_t)
 * </pre>
 * Positions t &gt;= lengths[b] produce 0 and get zero gradients.
 *
 * @param u         (B, T, D) input
 * @param delta     (B, T, D) time step before bias and softplus
 * @param a         (D, N) state matrix (negative: -exp(A_log))
 * @param b         (B, T, N) input projection, per time step
 * @param c         (B, T, N) output projection, per time step
 * @param dSkip     (D) skip connection, or null
 * @param z         (B, T, D) gate, or null
 * @param deltaBias (D), or null
 * @param deltaSoftplus apply softplus to delta + bias
 * @param lengths   (B) I32 valid time steps per row, or null for all T
 */
public record ScanInputs(Tensor u, Tensor delta, Tensor a, Tensor b, Tensor c, Tensor dSkip, Tensor z,
                         Tensor deltaBias, boolean deltaSoftplus, Tensor lengths) {
}
