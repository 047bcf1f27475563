package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/**
 * Argument checks of the element-wise ops, the bias add, dropout and the Adam step, shared by every backend.
 * Backward checks accept a null gradient (not needed) and check a given one like its input.
 */
public final class ElementwiseChecks {
    private ElementwiseChecks() { }

    /** Checks op, and out and x F32 of the same shape. */
    public static void unary(String name, Unary op, Tensor out, Tensor x) {
        Checks.notNull(name, "op", op);
        Checks.f32(name, "out", out);
        Checks.f32(name, "x", x);
        Checks.sameShape(name, "out", out, "x", x);
    }

    /** Checks op, dOut and x F32 of the same shape, and dx like x. */
    public static void unaryBackward(String name, Unary op, Tensor dx, Tensor dOut, Tensor x) {
        Checks.notNull(name, "op", op);
        Checks.f32(name, "dOut", dOut);
        Checks.f32(name, "x", x);
        Checks.sameShape(name, "dOut", dOut, "x", x);
        Checks.gradLike(name, "dx", dx, "x", x);
    }

    /** Checks out, a and b F32 of one shape (add, mul). */
    public static void binary(String name, Tensor out, Tensor a, Tensor b) {
        Checks.f32(name, "out", out);
        Checks.f32(name, "a", a);
        Checks.f32(name, "b", b);
        Checks.sameShape(name, "a", a, "b", b);
        Checks.sameShape(name, "out", out, "a", a);
    }

    /** Checks dOut F32, and da, db like dOut. */
    public static void addBackward(String name, Tensor da, Tensor db, Tensor dOut) {
        Checks.f32(name, "dOut", dOut);
        Checks.gradLike(name, "da", da, "dOut", dOut);
        Checks.gradLike(name, "db", db, "dOut", dOut);
    }

    /** Checks dOut, a and b F32 of one shape, and da, db like a, b. */
    public static void mulBackward(String name, Tensor da, Tensor db, Tensor dOut, Tensor a, Tensor b) {
        Checks.f32(name, "dOut", dOut);
        Checks.f32(name, "a", a);
        Checks.f32(name, "b", b);
        Checks.sameShape(name, "a", a, "b", b);
        Checks.sameShape(name, "dOut", dOut, "a", a);
        Checks.gradLike(name, "da", da, "a", a);
        Checks.gradLike(name, "db", db, "b", b);
    }

    /** Checks out like x (..., C) and bias (C), all F32; returns C. */
    public static int addBias(String name, Tensor out, Tensor x, Tensor bias) {
        Checks.f32(name, "out", out);
        Checks.f32(name, "x", x);
        Checks.f32(name, "bias", bias);
        Checks.sameShape(name, "out", out, "x", x);
        if (x.rank() < 1) throw Checks.error(name, "x " + x.shape() + " needs a channel dimension");
        int channels = x.dim(-1);
        Checks.shape(name, "bias", bias, channels);
        return channels;
    }

    /** Checks dOut (..., C) F32, dx like dOut and dBias (C); returns C. */
    public static int addBiasBackward(String name, Tensor dx, Tensor dBias, Tensor dOut) {
        Checks.f32(name, "dOut", dOut);
        if (dOut.rank() < 1) throw Checks.error(name, "dOut " + dOut.shape() + " needs a channel dimension");
        int channels = dOut.dim(-1);
        Checks.gradLike(name, "dx", dx, "dOut", dOut);
        if (dBias != null) {
            Checks.f32(name, "dBias", dBias);
            Checks.shape(name, "dBias", dBias, channels);
        }
        return channels;
    }

    /** Checks y and x F32 of the same shape. */
    public static void axpy(String name, Tensor y, Tensor x) {
        Checks.f32(name, "y", y);
        Checks.f32(name, "x", x);
        Checks.sameShape(name, "y", y, "x", x);
    }

    /** Checks out and x F32 of the same shape and p in [0, 1). */
    public static void dropout(String name, Tensor out, Tensor x, float p) {
        Checks.f32(name, "out", out);
        Checks.f32(name, "x", x);
        Checks.sameShape(name, "out", out, "x", x);
        Checks.dropProbability(name, p);
    }

    /** Checks dOut F32, p in [0, 1) and dx like dOut. */
    public static void dropoutBackward(String name, Tensor dx, Tensor dOut, float p) {
        Checks.f32(name, "dOut", dOut);
        Checks.dropProbability(name, p);
        Checks.gradLike(name, "dx", dx, "dOut", dOut);
    }

    /** Checks param, grad, m and v F32 of one shape, step &gt;= 1 and beta1, beta2 in [0, 1). */
    public static void adamStep(String name, Tensor param, Tensor grad, Tensor m, Tensor v, float beta1, float beta2,
                                int step) {
        Checks.f32(name, "param", param);
        Checks.f32(name, "grad", grad);
        Checks.f32(name, "m", m);
        Checks.f32(name, "v", v);
        Checks.sameShape(name, "param", param, "grad", grad);
        Checks.sameShape(name, "param", param, "m", m);
        Checks.sameShape(name, "param", param, "v", v);
        if (step < 1) throw Checks.error(name, "step must be 1-based, got " + step);
        if (!(beta1 >= 0 && beta1 < 1)) throw Checks.error(name, "beta1 = " + beta1 + " is outside [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw Checks.error(name, "beta2 = " + beta2 + " is outside [0, 1)");
    }
}
