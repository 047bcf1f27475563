package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/** Argument checks of masked multi-head attention, shared by every backend. */
public final class AttentionChecks {
    private AttentionChecks() { }

    /**
     * Sizes of a checked attention call.
     *
     * @param keyLengths the mask's valid keys per row as read from the host, or null when the mask has none
     */
    public record Dims(int batch, int queries, int keys, int heads, int headDim, int[] keyLengths) { }

    /**
     * Checks q (B, Tq, H, Dh), k and v (B, Tk, H, Dh), all F32, the window bounds (each -1 or &gt;= 0) and the
     * mask's optional key lengths (B) I32 in [0, Tk].
     */
    public static Dims inputs(String op, Tensor q, Tensor k, Tensor v, AttentionMask mask, HostInts hostInts) {
        Checks.f32(op, "q", q);
        Checks.shape(op, "q", q, Checks.ANY, Checks.ANY, Checks.ANY, Checks.ANY);
        int batch = q.dim(0), queries = q.dim(1), heads = q.dim(2), headDim = q.dim(3);
        Checks.f32(op, "k", k);
        Checks.shape(op, "k", k, batch, Checks.ANY, heads, headDim);
        int keys = k.dim(1);
        Checks.f32(op, "v", v);
        Checks.shape(op, "v", v, batch, keys, heads, headDim);
        Checks.notNull(op, "mask", mask);
        if (mask.windowLeft() < -1 || mask.windowRight() < -1) {
            throw Checks.error(op, "window bounds (" + mask.windowLeft() + ", " + mask.windowRight()
                    + ") must each be -1 (unlimited) or >= 0");
        }
        int[] keyLengths = null;
        if (mask.keyLengths() != null) {
            Checks.i32(op, "mask.keyLengths", mask.keyLengths());
            Checks.shape(op, "mask.keyLengths", mask.keyLengths(), batch);
            keyLengths = hostInts.read(mask.keyLengths());
            Checks.lengths(op, "mask.keyLengths", keyLengths, keys);
        }
        return new Dims(batch, queries, keys, heads, headDim, keyLengths);
    }

    /** Checks out like q and lse (B, H, Tq), both F32. */
    public static void outputs(String op, Tensor out, Tensor lse, Tensor q) {
        Checks.f32(op, "out", out);
        Checks.sameShape(op, "out", out, "q", q);
        Checks.f32(op, "lse", lse);
        Checks.shape(op, "lse", lse, q.dim(0), q.dim(2), q.dim(1));
    }

    /** Checks dOut like q, and dq, dk, dv (each optional) like q, k, v. */
    public static void grads(String op, Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v) {
        Checks.f32(op, "dOut", dOut);
        Checks.sameShape(op, "dOut", dOut, "q", q);
        Checks.gradLike(op, "dq", dq, "q", q);
        Checks.gradLike(op, "dk", dk, "k", k);
        Checks.gradLike(op, "dv", dv, "v", v);
    }
}
