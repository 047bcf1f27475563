package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.LossChecks;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.Tensor;

/**
 * Launches the loss kernels: CTC (cuda-kernels/src/ctc.cu: log-softmax rows, then alpha and for the backward
 * beta, one block per batch row, then the gradient per (t, b) row) and label-smoothed cross-entropy
 * (cuda-kernels/src/cross_entropy.cu: one block per row). Targets and lengths are validated on the host
 * before anything is queued. The CTC alpha/beta scratch is F64: log likelihoods in the thousands (long
 * inputs, large vocabularies) lose percent-level gradient accuracy in F32.
 */
final class LossLauncher {
    static final String CTC_SOURCE = "ctc.cu";
    static final String CE_SOURCE = "cross_entropy.cu";
    /** Threads per block of every loss kernel (their __launch_bounds__). */
    static final int THREADS = 256;

    private static final String CTC = "ctcLoss";
    private static final String CTC_BACKWARD = "ctcLossBackward";
    private static final String CE = "crossEntropy";
    private static final String CE_BACKWARD = "crossEntropyBackward";

    private final CudaContext ctx;

    LossLauncher(CudaContext ctx) { this.ctx = ctx; }

    void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths,
                 boolean zeroInfinity) {
        LossChecks.CtcDims dims =
                LossChecks.ctcInputs(CTC, logits, inputLengths, targets, targetLengths, ctx::hostInts);
        int B = dims.batch(), T = dims.time(), V = dims.vocab(), S = dims.maxTarget();
        LossChecks.perRow(CTC, "losses", losses, B);
        int sx = 2 * S + 1;
        try (DeviceStorage logProbs = ctx.allocate(4L * B * T * V);   // (B, T, V)
             DeviceStorage alpha = ctx.allocate(8L * B * T * sx);      // (B, T, 2S+1) F64
             DeviceStorage nll = ctx.allocate(8L * Math.max(B, 1))) {  // (B) F64
            launchLogSoftmax(logProbs.pointer(), logits, inputLengths, B, T, V);
            launchAlpha(alpha.pointer(), nll.pointer(), ctx.ptr(losses), logProbs.pointer(), inputLengths, targets,
                    targetLengths, B, T, V, S, zeroInfinity);
        }
    }

    void ctcLossBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor inputLengths, Tensor targets,
                         Tensor targetLengths, boolean zeroInfinity) {
        LossChecks.CtcDims dims =
                LossChecks.ctcInputs(CTC_BACKWARD, logits, inputLengths, targets, targetLengths, ctx::hostInts);
        int B = dims.batch(), T = dims.time(), V = dims.vocab(), S = dims.maxTarget();
        LossChecks.perRow(CTC_BACKWARD, "dLosses", dLosses, B);
        if (dLogits == null) return;
        LossChecks.logitsGrad(CTC_BACKWARD, dLogits, logits);
        int sx = 2 * S + 1;
        try (DeviceStorage logProbs = ctx.allocate(4L * B * T * V);   // (B, T, V)
             DeviceStorage alpha = ctx.allocate(8L * B * T * sx);      // (B, T, 2S+1) F64
             DeviceStorage beta = ctx.allocate(8L * B * T * sx);       // (B, T, 2S+1) F64
             DeviceStorage nll = ctx.allocate(8L * Math.max(B, 1))) {  // (B) F64
            launchLogSoftmax(logProbs.pointer(), logits, inputLengths, B, T, V);
            launchAlpha(alpha.pointer(), nll.pointer(), 0L, logProbs.pointer(), inputLengths, targets, targetLengths,
                    B, T, V, S, zeroInfinity);
            KernelArgs betaArgs = KernelArgs.of().ptr(beta.pointer()).ptr(logProbs.pointer())
                    .ptr(ctx.ptr(inputLengths)).ptr(ctx.ptr(targets)).ptr(ctx.ptr(targetLengths))
                    .i32(T).i32(V).i32(S).i32(sx);
            ctx.launch(CTC_SOURCE, "ctc_beta", B, 1, 1, THREADS, 1, 1, 0, betaArgs);
            KernelArgs gradArgs = KernelArgs.of().ptr(ctx.ptr(dLogits)).ptr(ctx.ptr(dLosses)).ptr(logProbs.pointer())
                    .ptr(alpha.pointer()).ptr(beta.pointer()).ptr(nll.pointer()).ptr(ctx.ptr(inputLengths))
                    .ptr(ctx.ptr(targets)).ptr(ctx.ptr(targetLengths)).i32(T).i32(V).i32(S).i32(sx)
                    .i32(zeroInfinity ? 1 : 0);
            ctx.launch(CTC_SOURCE, "ctc_grad", T, B, 1, THREADS, 1, 1, 0, gradArgs);
        } // stream order makes it safe to return the scratch to the cache before the kernels run
    }

    void crossEntropy(Tensor losses, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        LossChecks.CrossEntropyDims dims =
                LossChecks.crossEntropyInputs(CE, logits, targets, smoothing, ignoreIndex, ctx::hostInts);
        int N = dims.rows(), V = dims.vocab();
        LossChecks.perRow(CE, "losses", losses, N);
        KernelArgs args = KernelArgs.of().ptr(ctx.ptr(losses)).ptr(ctx.ptr(logits)).ptr(ctx.ptr(targets))
                .i32(V).f32(smoothing).i32(ignoreIndex);
        ctx.launch(CE_SOURCE, "cross_entropy_fwd", N, 1, 1, THREADS, 1, 1, 0, args);
    }

    void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing,
                              int ignoreIndex) {
        LossChecks.CrossEntropyDims dims =
                LossChecks.crossEntropyInputs(CE_BACKWARD, logits, targets, smoothing, ignoreIndex, ctx::hostInts);
        int N = dims.rows(), V = dims.vocab();
        LossChecks.perRow(CE_BACKWARD, "dLosses", dLosses, N);
        if (dLogits == null) return;
        LossChecks.logitsGrad(CE_BACKWARD, dLogits, logits);
        KernelArgs args = KernelArgs.of().ptr(ctx.ptr(dLogits)).ptr(ctx.ptr(dLosses)).ptr(ctx.ptr(logits))
                .ptr(ctx.ptr(targets)).i32(V).f32(smoothing).i32(ignoreIndex);
        ctx.launch(CE_SOURCE, "cross_entropy_bwd", N, 1, 1, THREADS, 1, 1, 0, args);
    }

    private void launchLogSoftmax(long logProbs, Tensor logits, Tensor inputLengths, int B, int T, int V) {
        KernelArgs args = KernelArgs.of().ptr(logProbs).ptr(ctx.ptr(logits)).ptr(ctx.ptr(inputLengths)).i32(T).i32(V);
        ctx.launch(CTC_SOURCE, "ctc_log_softmax", T, B, 1, THREADS, 1, 1, 0, args);
    }

    private void launchAlpha(long alpha, long nll, long losses, long logProbs, Tensor inputLengths, Tensor targets,
                             Tensor targetLengths, int B, int T, int V, int S, boolean zeroInfinity) {
        KernelArgs args = KernelArgs.of().ptr(alpha).ptr(nll).ptr(losses).ptr(logProbs).ptr(ctx.ptr(inputLengths))
                .ptr(ctx.ptr(targets)).ptr(ctx.ptr(targetLengths)).i32(T).i32(V).i32(S).i32(2 * S + 1)
                .i32(zeroInfinity ? 1 : 0);
        ctx.launch(CTC_SOURCE, "ctc_alpha", B, 1, 1, THREADS, 1, 1, 0, args);
    }
}
