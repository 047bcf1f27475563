package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Checks;
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
    static final int BLANK = 0;

    private static final String CTC = "ctcLoss";
    private static final String CTC_BACKWARD = "ctcLossBackward";
    private static final String CE = "crossEntropy";
    private static final String CE_BACKWARD = "crossEntropyBackward";

    private final CudaContext ctx;

    LossLauncher(CudaContext ctx) { this.ctx = ctx; }

    void ctcLoss(Tensor losses, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths,
                 boolean zeroInfinity) {
        int[] dims = checkCtcInputs(CTC, logits, inputLengths, targets, targetLengths);
        int B = dims[0], T = dims[1], V = dims[2], S = dims[3];
        Checks.f32(CTC, "losses", losses);
        Checks.shape(CTC, "losses", losses, B);
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
        int[] dims = checkCtcInputs(CTC_BACKWARD, logits, inputLengths, targets, targetLengths);
        int B = dims[0], T = dims[1], V = dims[2], S = dims[3];
        Checks.f32(CTC_BACKWARD, "dLosses", dLosses);
        Checks.shape(CTC_BACKWARD, "dLosses", dLosses, B);
        if (dLogits == null) return;
        Checks.f32(CTC_BACKWARD, "dLogits", dLogits);
        Checks.sameShape(CTC_BACKWARD, "dLogits", dLogits, "logits", logits);
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
        int[] dims = checkCeInputs(CE, logits, targets, smoothing, ignoreIndex);
        int N = dims[0], V = dims[1];
        Checks.f32(CE, "losses", losses);
        Checks.shape(CE, "losses", losses, N);
        KernelArgs args = KernelArgs.of().ptr(ctx.ptr(losses)).ptr(ctx.ptr(logits)).ptr(ctx.ptr(targets))
                .i32(V).f32(smoothing).i32(ignoreIndex);
        ctx.launch(CE_SOURCE, "cross_entropy_fwd", N, 1, 1, THREADS, 1, 1, 0, args);
    }

    void crossEntropyBackward(Tensor dLogits, Tensor dLosses, Tensor logits, Tensor targets, float smoothing,
                              int ignoreIndex) {
        int[] dims = checkCeInputs(CE_BACKWARD, logits, targets, smoothing, ignoreIndex);
        int N = dims[0], V = dims[1];
        Checks.f32(CE_BACKWARD, "dLosses", dLosses);
        Checks.shape(CE_BACKWARD, "dLosses", dLosses, N);
        if (dLogits == null) return;
        Checks.f32(CE_BACKWARD, "dLogits", dLogits);
        Checks.sameShape(CE_BACKWARD, "dLogits", dLogits, "logits", logits);
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

    // ------------------------------------------------------------------ argument checks (as the references')

    /** As CtcLossRef.checkInputs, reading lengths and labels from the device. @return {B, T, V, S} */
    private int[] checkCtcInputs(String op, Tensor logits, Tensor inputLengths, Tensor targets, Tensor targetLengths) {
        Checks.f32(op, "logits", logits);
        Checks.shape(op, "logits", logits, Checks.ANY, Checks.ANY, Checks.ANY);
        int B = logits.dim(0), T = logits.dim(1), V = logits.dim(2);
        if (V < 2) throw Checks.error(op, "logits " + logits.shape() + " need V >= 2 (blank plus a label)");
        Checks.i32(op, "inputLengths", inputLengths);
        Checks.shape(op, "inputLengths", inputLengths, B);
        Checks.i32(op, "targets", targets);
        Checks.shape(op, "targets", targets, B, Checks.ANY);
        int S = targets.dim(1);
        Checks.i32(op, "targetLengths", targetLengths);
        Checks.shape(op, "targetLengths", targetLengths, B);
        Checks.lengths(op, "inputLengths", ctx.hostInts(inputLengths), T);
        int[] lengths = ctx.hostInts(targetLengths);
        Checks.lengths(op, "targetLengths", lengths, S);
        int[] labels = ctx.hostInts(targets);
        for (int b = 0; b < B; b++) {
            for (int s = 0; s < lengths[b]; s++) {
                int label = labels[b * S + s];
                if (label <= BLANK || label >= V) {
                    throw Checks.error(op, "targets[" + b + ", " + s + "] = " + label + " is outside [1, " + V
                            + ") (0 is the blank) for logits " + logits.shape());
                }
            }
        }
        return new int[] {B, T, V, S};
    }

    /** As CrossEntropyRef.checkInputs, reading the targets from the device. @return {N, V} */
    private int[] checkCeInputs(String op, Tensor logits, Tensor targets, float smoothing, int ignoreIndex) {
        Checks.f32(op, "logits", logits);
        Checks.shape(op, "logits", logits, Checks.ANY, Checks.ANY);
        int N = logits.dim(0), V = logits.dim(1);
        if (V < 1) throw Checks.error(op, "logits " + logits.shape() + " have no classes");
        Checks.i32(op, "targets", targets);
        Checks.shape(op, "targets", targets, N);
        if (!(smoothing >= 0 && smoothing <= 1)) {
            throw Checks.error(op, "smoothing " + smoothing + " is outside [0, 1]");
        }
        int[] labels = ctx.hostInts(targets);
        for (int r = 0; r < N; r++) {
            if (labels[r] != ignoreIndex && (labels[r] < 0 || labels[r] >= V)) {
                throw Checks.error(op, "targets[" + r + "] = " + labels[r] + " is outside [0, " + V
                        + ") and is not ignoreIndex " + ignoreIndex + " for logits " + logits.shape());
            }
        }
        return new int[] {N, V};
    }
}
