package dev.speechmamba.backend;

import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

/**
 * The operations Speech-Mamba runs, one method per kernel family, with the same names and argument
 * order on every backend (reference CPU, fast CPU, CUDA).
 *
 * <p>Conventions (as in llm.c):
 * <ul>
 *   <li>Forward methods overwrite their outputs. Outputs come first, then inputs, then scalars.</li>
 *   <li>Backward methods <b>accumulate</b> (+=) into gradient tensors, so a tensor used twice
 *       (residuals, shared weights) sums both contributions. A gradient argument may be null when
 *       that gradient is not needed.</li>
 *   <li>All tensors are contiguous, row-major, F32 unless stated (lengths, ids and targets are I32),
 *       and must belong to this backend ({@link #zeros}, {@link #fromHost}).</li>
 *   <li>Shapes are checked before any work; a mismatch throws {@link IllegalArgumentException} naming
 *       the operation and the shapes.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** Short name: "reference", "cpu", "cuda". */
    String name();

    // ------------------------------------------------------------------ memory

    /** A new zero-filled tensor. */
    Tensor zeros(DType dtype, int... dims);

    /** A new F32 tensor holding a copy of {@code data}. */
    Tensor fromHost(float[] data, int... dims);

    /** A new I32 tensor holding a copy of {@code data}. */
    Tensor fromHostInts(int[] data, int... dims);

    /** A copy of an F32 tensor's values on the host. */
    float[] toHost(Tensor t);

    /** A copy of an I32 tensor's values on the host. */
    int[] toHostInts(Tensor t);

    /** dst = src (same shape and dtype). */
    void copy(Tensor dst, Tensor src);

    /** Every element of an F32 tensor set to {@code value} (NaN poisons outputs in parity tests). */
    void fill(Tensor t, float value);

    /** Waits until all queued work has finished (a no-op on the CPU backends). */
    default void synchronize() { }

    /** Releases backend resources (thread pools, device context references). */
    @Override default void close() { }

    // ------------------------------------------------------------------ GEMM

    /**
     * out = alpha * op(a) @ op(b) + beta * out, batched.
     * a: (M, K) or (Ba, M, K), or with transA (K, M) / (Ba, K, M);
     * b: (K, N) or (Bb, K, N), or with transB (N, K) / (Bb, N, K);
     * out: (M, N) or (Bo, M, N). A 2-D operand is shared by every batch entry; 3-D batch counts must agree.
     */
    void matmul(Tensor out, Tensor a, boolean transA, Tensor b, boolean transB, float alpha, float beta);

    /** Gradients of {@code out = op(a) @ op(b)}: da += dOut·op(b)ᵀ (laid out like a), db += op(a)ᵀ·dOut (like b). */
    void matmulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, boolean transA, Tensor b, boolean transB);

    // ------------------------------------------------------------------ elementwise

    /** out = f(x), same shape. */
    void unary(Unary op, Tensor out, Tensor x);

    /** dx += dOut * f'(x). */
    void unaryBackward(Unary op, Tensor dx, Tensor dOut, Tensor x);

    /** out = a + b, same shapes. */
    void add(Tensor out, Tensor a, Tensor b);

    /** da += dOut; db += dOut. */
    void addBackward(Tensor da, Tensor db, Tensor dOut);

    /** out = a * b, same shapes. */
    void mul(Tensor out, Tensor a, Tensor b);

    /** da += dOut * b; db += dOut * a. */
    void mulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b);

    /** out = x + bias broadcast over rows. x, out: (..., C); bias: (C). */
    void addBias(Tensor out, Tensor x, Tensor bias);

    /** dx += dOut; dBias += sum of dOut over rows. */
    void addBiasBackward(Tensor dx, Tensor dBias, Tensor dOut);

    /** y += alpha * x (same shapes). */
    void axpy(Tensor y, float alpha, Tensor x);

    /** x *= s in place. */
    void scale(Tensor x, float s);

    /** Sum of squares of all elements, accumulated in double (for global-norm clipping). */
    double sumOfSquares(Tensor x);

    // ------------------------------------------------------------------ layout

    /** out[r, c] = x[r, start + c]. x: (..., Cx), out: (..., Co), same leading dims, start + Co &lt;= Cx. */
    void sliceLastDim(Tensor out, Tensor x, int start);

    /** dx[r, start + c] += dOut[r, c]. */
    void sliceLastDimBackward(Tensor dx, Tensor dOut, int start);

    /**
     * out = x with axes permuted: out.dim(i) == x.dim(perm[i]); rank 2 to 4.
     * Example: (B, C, T, F) → (B, T, C, F) is perm {0, 2, 1, 3}.
     */
    void permute(Tensor out, Tensor x, int... perm);

    /** dx += dOut permuted back (the inverse permutation of {@link #permute}). */
    void permuteBackward(Tensor dx, Tensor dOut, int... perm);

    // ------------------------------------------------------------------ normalization

    /** out = x * rstd * weight, rstd = 1/sqrt(mean(x²) + eps) per row. x, out: (R, C); weight: (C); rstd: (R) saved. */
    void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, float eps);

    void rmsNormBackward(Tensor dx, Tensor dWeight, Tensor dOut, Tensor x, Tensor weight, Tensor rstd);

    /** out = (x - mean) * rstd * weight + bias per row. x, out: (R, C); weight, bias: (C); mean, rstd: (R) saved. */
    void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, float eps);

    void layerNormBackward(Tensor dx, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor x, Tensor weight,
                           Tensor mean, Tensor rstd);

    /** Softmax over the last dimension. */
    void softmax(Tensor out, Tensor x);

    /** dx += out * (dOut - sum(dOut * out)) per row. */
    void softmaxBackward(Tensor dx, Tensor dOut, Tensor out);

    /** Log-softmax over the last dimension. */
    void logSoftmax(Tensor out, Tensor x);

    /** dx += dOut - exp(out) * sum(dOut) per row. */
    void logSoftmaxBackward(Tensor dx, Tensor dOut, Tensor out);

    // ------------------------------------------------------------------ dropout and embedding

    /**
     * out = keep ? x / (1 - p) : 0, where keep for flat element index i is
     * {@link DropoutMask#keep(long, long, float)}(seed, i, p): counter-based, so every backend draws the
     * same mask and backward needs no saved mask.
     */
    void dropout(Tensor out, Tensor x, float p, long seed);

    /** dx += keep ? dOut / (1 - p) : 0, with the same mask as {@link #dropout}. */
    void dropoutBackward(Tensor dx, Tensor dOut, float p, long seed);

    /** out[i, :] = table[ids[i], :]. ids: (N) I32 (any shape with N elements); table: (V, C); out: (N, C). */
    void embedding(Tensor out, Tensor ids, Tensor table);

    /** dTable[ids[i], :] += dOut[i, :]. */
    void embeddingBackward(Tensor dTable, Tensor dOut, Tensor ids);

    // ------------------------------------------------------------------ convolutions

    /**
     * 2-D convolution, same stride and zero padding on both spatial axes.
     * x: (B, Ci, H, W); w: (Co, Ci, Kh, Kw); bias: (Co) or null; out: (B, Co, Ho, Wo) with
     * Ho = (H + 2·padding - Kh) / stride + 1 and likewise Wo.
     */
    void conv2d(Tensor out, Tensor x, Tensor w, Tensor bias, int stride, int padding);

    void conv2dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w, int stride, int padding);

    /**
     * Causal depthwise 1-D convolution over time (Mamba's conv1d):
     * out[b,t,c] = bias[c] + Σ_k w[c,k] · x[b, t-K+1+k, c], with x = 0 before t = 0.
     * x, out: (B, T, C); w: (C, K); bias: (C) or null.
     */
    void causalConv1d(Tensor out, Tensor x, Tensor w, Tensor bias);

    void causalConv1dBackward(Tensor dx, Tensor dw, Tensor dBias, Tensor dOut, Tensor x, Tensor w);

    // ------------------------------------------------------------------ selective scan

    /**
     * The selective scan (see {@link ScanInputs} for the recurrence). out: (B, T, D).
     *
     * @return what this backend saved for the backward pass (e.g. states at chunk boundaries), or null
     *         when it recomputes; pass it to {@link #selectiveScanBackward} and close it afterwards
     */
    Tensor selectiveScan(Tensor out, ScanInputs in);

    void selectiveScanBackward(ScanGrads grads, Tensor dOut, ScanInputs in, Tensor saved);

    /**
     * One time step of the selective scan with the state carried by the caller (incremental decoding): the
     * recurrence of {@link #selectiveScan} for T = 1, starting from {@code state} instead of zeros. Stepping a
     * sequence through T calls gives the scan's outputs. in: u, delta, z (B, 1, D); b, c (B, 1, N); no lengths;
     * state: (B, D, N), read and overwritten with the state after the step; out: (B, 1, D). Inference only.
     */
    void selectiveScanStep(Tensor out, Tensor state, ScanInputs in);

    // ------------------------------------------------------------------ attention

    /**
     * Scaled dot-product attention per head, softmax(scale · q·kᵀ + mask) · v, never forming T×T on
     * backends that can avoid it. q: (B, Tq, H, Dh); k, v: (B, Tk, H, Dh); out: (B, Tq, H, Dh);
     * lse: (B, H, Tq) log-sum-exp of the scaled, masked scores, saved for backward.
     */
    void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, AttentionMask mask, float scale);

    void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out,
                           Tensor lse, AttentionMask mask, float scale);

    // ------------------------------------------------------------------ losses

    /**
     * CTC negative log-likelihood per row, with log-softmax applied to logits inside, blank = 0.
     * logits: (B, T, V); inputLengths: (B) I32; targets: (B, S) I32 padded; targetLengths: (B) I32;
     * losses: (B). When no alignment exists the loss is +inf, or 0 with zero gradient if zeroInfinity.
     */
    void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths,
                 boolean zeroInfinity);

    /** dLogits[b] += dLosses[b] · ∂loss[b]/∂logits[b]; rows t &gt;= inputLengths[b] get nothing. */
    void ctcLossBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor inputLengths, Tensor targets,
                         Tensor targetLengths, boolean zeroInfinity);

    /**
     * Softmax cross-entropy per row with PyTorch's label smoothing:
     * loss = (1 - ε)·(-log p[y]) + ε · mean_v(-log p[v]); rows whose target == ignoreIndex get loss 0.
     * logits: (N, V); targets: (N) I32; losses: (N).
     */
    void crossEntropy(Tensor losses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex);

    void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing,
                              int ignoreIndex);

    // ------------------------------------------------------------------ optimizer

    /**
     * One Adam(W) step in place, bias-corrected with {@code step} (1-based):
     * m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= lr · (m̂ / (sqrt(v̂) + eps) + weightDecay · p).
     */
    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                  float weightDecay, int step);
}
