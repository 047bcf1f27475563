package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.AttentionChecks;
import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Checks;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.Tensor;

/**
 * Launches the flash attention kernels (cuda-kernels/src/attention.cu). The forward keeps a running max and
 * sum per query while streaming key tiles; the backward computes rowDot = Σ dOut∘out first, then dq (one block
 * per query tile) and dk/dv (one block per key tile) in separate kernels, so no gradient needs atomics.
 * Kernel variants exist for head sizes up to 32, 64 and 128. Blocks skip the key (or query) tiles that the
 * window and the global tokens of the mask hide for all their rows.
 */
final class AttentionLauncher {
    static final String SOURCE = "attention.cu";
    // Mirrors AttnTraits in attention_traits.cuh.
    static final int THREADS_PER_ROW = 4;
    static final int FWD_ROWS = 32;
    static final int DQ_ROWS = 16;
    static final int DKV_ROWS = 16;
    static final int ROWDOT_WARPS = 8;
    static final int MAX_HEAD_DIM = 128;

    private static final String FORWARD = "attention";
    private static final String BACKWARD = "attentionBackward";

    private final CudaContext ctx;

    AttentionLauncher(CudaContext ctx) { this.ctx = ctx; }

    /** The smallest kernel variant (32, 64 or 128) whose padded head size holds Dh. */
    static int headVariant(int Dh) {
        if (Dh <= 32) return 32;
        if (Dh <= 64) return 64;
        return 128;
    }

    void forward(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, AttentionMask mask, float scale) {
        AttentionChecks.Dims dims = checkInputs(FORWARD, q, k, v, mask);
        int B = dims.batch(), Tq = dims.queries(), Tk = dims.keys(), H = dims.heads(), Dh = dims.headDim();
        AttentionChecks.outputs(FORWARD, out, lse, q);
        KernelArgs args = KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(lse)).ptr(ctx.ptr(q)).ptr(ctx.ptr(k))
                .ptr(ctx.ptr(v)).ptr(ctx.ptrOrNull(mask.keyLengths()));
        maskArgs(args, Tq, Tk, H, Dh, mask, scale);
        ctx.launch(SOURCE, "attention_fwd_d" + headVariant(Dh), ceilDiv(Tq, FWD_ROWS), B * H, 1,
                FWD_ROWS * THREADS_PER_ROW, 1, 1, 0, args);
    }

    void backward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out,
                  Tensor lse, AttentionMask mask, float scale) {
        AttentionChecks.Dims dims = checkInputs(BACKWARD, q, k, v, mask);
        int B = dims.batch(), Tq = dims.queries(), Tk = dims.keys(), H = dims.heads(), Dh = dims.headDim();
        AttentionChecks.outputs(BACKWARD, out, lse, q);
        AttentionChecks.grads(BACKWARD, dq, dk, dv, dOut, q, k, v);
        if (dq == null && dk == null && dv == null) return;

        long rows = (long) B * Tq * H;
        try (DeviceStorage rowDot = ctx.allocate(Math.max(4L, rows * 4L))) { // (B, H, Tq)
            KernelArgs dot = KernelArgs.of().ptr(rowDot.pointer()).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(out))
                    .i32(B).i32(Tq).i32(H).i32(Dh);
            ctx.launch(SOURCE, "attention_bwd_rowdot", Math.toIntExact(ceilDiv(rows, ROWDOT_WARPS)), 1, 1,
                    ROWDOT_WARPS * 32, 1, 1, 0, dot);
            String variant = "_d" + headVariant(Dh);
            if (dq != null) {
                KernelArgs args = KernelArgs.of().ptr(ctx.ptr(dq)).ptr(ctx.ptr(dOut)).ptr(ctx.ptr(q)).ptr(ctx.ptr(k))
                        .ptr(ctx.ptr(v)).ptr(ctx.ptr(lse)).ptr(rowDot.pointer()).ptr(ctx.ptrOrNull(mask.keyLengths()));
                maskArgs(args, Tq, Tk, H, Dh, mask, scale);
                ctx.launch(SOURCE, "attention_bwd_dq" + variant, ceilDiv(Tq, DQ_ROWS), B * H, 1,
                        DQ_ROWS * THREADS_PER_ROW, 1, 1, 0, args);
            }
            if (dk != null || dv != null) {
                KernelArgs args = KernelArgs.of().ptr(ctx.ptrOrNull(dk)).ptr(ctx.ptrOrNull(dv)).ptr(ctx.ptr(dOut))
                        .ptr(ctx.ptr(q)).ptr(ctx.ptr(k)).ptr(ctx.ptr(v)).ptr(ctx.ptr(lse)).ptr(rowDot.pointer())
                        .ptr(ctx.ptrOrNull(mask.keyLengths()));
                maskArgs(args, Tq, Tk, H, Dh, mask, scale);
                ctx.launch(SOURCE, "attention_bwd_dkdv" + variant, ceilDiv(Tk, DKV_ROWS), B * H, 1,
                        DKV_ROWS * THREADS_PER_ROW, 1, 1, 0, args);
            }
        } // stream order makes it safe to return rowDot to the cache before the kernels run
    }

    private static void maskArgs(KernelArgs args, int Tq, int Tk, int H, int Dh, AttentionMask mask, float scale) {
        args.i32(Tq).i32(Tk).i32(H).i32(Dh).i32(mask.causal() ? 1 : 0).i32(mask.windowLeft())
                .i32(mask.windowRight()).i32(mask.globalTokens()).f32(scale);
    }

    private static int ceilDiv(int n, int d) { return (n + d - 1) / d; }

    private static long ceilDiv(long n, int d) { return (n + d - 1) / d; }

    /** The shared attention checks, then the head size this kernel supports. */
    private AttentionChecks.Dims checkInputs(String op, Tensor q, Tensor k, Tensor v, AttentionMask mask) {
        AttentionChecks.Dims dims = AttentionChecks.inputs(op, q, k, v, mask, ctx::hostInts);
        if (dims.headDim() > MAX_HEAD_DIM) {
            throw Checks.error(op, "q " + q.shape() + " has head size " + dims.headDim()
                    + "; the CUDA attention supports at most " + MAX_HEAD_DIM);
        }
        return dims;
    }
}
