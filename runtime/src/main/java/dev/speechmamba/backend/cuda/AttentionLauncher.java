package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Checks;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.Tensor;

/**
 * Launches the flash attention kernels (cuda-kernels/src/attention.cu). The forward keeps a running max and
 * sum per query while streaming key tiles; the backward computes rowDot = Σ dOut∘out first, then dq (one block
 * per query tile) and dk/dv (one block per key tile) in separate kernels, so no gradient needs atomics.
 * Kernel variants exist for head sizes up to 32, 64 and 128.
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
        int[] dims = checkInputs(FORWARD, q, k, v, mask);
        int B = dims[0], Tq = dims[1], Tk = dims[2], H = dims[3], Dh = dims[4];
        Checks.f32(FORWARD, "out", out);
        Checks.sameShape(FORWARD, "out", out, "q", q);
        Checks.f32(FORWARD, "lse", lse);
        Checks.shape(FORWARD, "lse", lse, B, H, Tq);
        KernelArgs args = KernelArgs.of().ptr(ctx.ptr(out)).ptr(ctx.ptr(lse)).ptr(ctx.ptr(q)).ptr(ctx.ptr(k))
                .ptr(ctx.ptr(v)).ptr(ctx.ptrOrNull(mask.keyLengths()));
        maskArgs(args, Tq, Tk, H, Dh, mask, scale);
        ctx.launch(SOURCE, "attention_fwd_d" + headVariant(Dh), ceilDiv(Tq, FWD_ROWS), B * H, 1,
                FWD_ROWS * THREADS_PER_ROW, 1, 1, 0, args);
    }

    void backward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out,
                  Tensor lse, AttentionMask mask, float scale) {
        int[] dims = checkInputs(BACKWARD, q, k, v, mask);
        int B = dims[0], Tq = dims[1], Tk = dims[2], H = dims[3], Dh = dims[4];
        Checks.f32(BACKWARD, "dOut", dOut);
        Checks.sameShape(BACKWARD, "dOut", dOut, "q", q);
        Checks.f32(BACKWARD, "out", out);
        Checks.sameShape(BACKWARD, "out", out, "q", q);
        Checks.f32(BACKWARD, "lse", lse);
        Checks.shape(BACKWARD, "lse", lse, B, H, Tq);
        if (dq != null) { Checks.f32(BACKWARD, "dq", dq); Checks.sameShape(BACKWARD, "dq", dq, "q", q); }
        if (dk != null) { Checks.f32(BACKWARD, "dk", dk); Checks.sameShape(BACKWARD, "dk", dk, "k", k); }
        if (dv != null) { Checks.f32(BACKWARD, "dv", dv); Checks.sameShape(BACKWARD, "dv", dv, "v", v); }
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
                .i32(mask.windowRight()).f32(scale);
    }

    private static int ceilDiv(int n, int d) { return (n + d - 1) / d; }

    private static long ceilDiv(long n, int d) { return (n + d - 1) / d; }

    /** As AttentionRef.checkInputs, reading the key lengths from the device. @return {B, Tq, Tk, H, Dh} */
    private int[] checkInputs(String op, Tensor q, Tensor k, Tensor v, AttentionMask mask) {
        Checks.f32(op, "q", q);
        Checks.shape(op, "q", q, Checks.ANY, Checks.ANY, Checks.ANY, Checks.ANY);
        int B = q.dim(0), Tq = q.dim(1), H = q.dim(2), Dh = q.dim(3);
        Checks.f32(op, "k", k);
        Checks.shape(op, "k", k, B, Checks.ANY, H, Dh);
        int Tk = k.dim(1);
        Checks.f32(op, "v", v);
        Checks.shape(op, "v", v, B, Tk, H, Dh);
        Checks.notNull(op, "mask", mask);
        if (mask.windowLeft() < -1 || mask.windowRight() < -1) {
            throw Checks.error(op, "window bounds (" + mask.windowLeft() + ", " + mask.windowRight()
                    + ") must each be -1 (unlimited) or >= 0");
        }
        if (Dh > MAX_HEAD_DIM) {
            throw Checks.error(op, "q " + q.shape() + " has head size " + Dh + "; the CUDA attention supports at most "
                    + MAX_HEAD_DIM);
        }
        if (mask.keyLengths() != null) {
            Checks.i32(op, "mask.keyLengths", mask.keyLengths());
            Checks.shape(op, "mask.keyLengths", mask.keyLengths(), B);
            Checks.lengths(op, "mask.keyLengths", ctx.hostInts(mask.keyLengths()), Tk);
        }
        return new int[] {B, Tq, Tk, H, Dh};
    }
}
