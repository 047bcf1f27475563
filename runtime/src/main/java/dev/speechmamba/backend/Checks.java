package dev.speechmamba.backend;

import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

import java.util.Arrays;

/**
 * Host-side argument checks shared by every backend, so that a wrong shape, dtype or length fails
 * the same way everywhere: an {@link IllegalArgumentException} naming the operation, the argument and
 * the shapes, thrown before any work is queued.
 */
public final class Checks {
    private Checks() { }

    /** Any dimension: used as a wildcard in {@link #shape}. */
    public static final int ANY = -1;

    public static IllegalArgumentException error(String op, String message) {
        return new IllegalArgumentException(op + ": " + message);
    }

    public static void notNull(String op, String name, Object value) {
        if (value == null) throw error(op, name + " is required");
    }

    /** Checks rank and each dimension ({@link #ANY} matches anything). */
    public static void shape(String op, String name, Tensor t, int... expected) {
        notNull(op, name, t);
        int[] got = t.shape().dims();
        boolean ok = got.length == expected.length;
        for (int i = 0; ok && i < got.length; i++) ok = expected[i] == ANY || expected[i] == got[i];
        if (!ok) {
            throw error(op, name + " has shape " + t.shape() + ", expected " + describe(expected));
        }
    }

    public static void sameShape(String op, String nameA, Tensor a, String nameB, Tensor b) {
        notNull(op, nameA, a);
        notNull(op, nameB, b);
        if (!a.shape().equals(b.shape())) {
            throw error(op, nameA + " " + a.shape() + " and " + nameB + " " + b.shape() + " must have the same shape");
        }
    }

    /** dst and src: both given, with the same shape and dtype. */
    public static void copyable(String op, Tensor dst, Tensor src) {
        notNull(op, "dst", dst);
        notNull(op, "src", src);
        if (!dst.shape().equals(src.shape()) || dst.dtype() != src.dtype()) {
            throw error(op, "dst " + dst.shape() + " " + dst.dtype() + " and src " + src.shape() + " " + src.dtype()
                    + " differ");
        }
    }

    public static void dtype(String op, String name, Tensor t, DType expected) {
        notNull(op, name, t);
        if (t.dtype() != expected) throw error(op, name + " must be " + expected + ", got " + t.dtype());
    }

    public static void f32(String op, String name, Tensor t) { dtype(op, name, t, DType.F32); }

    public static void i32(String op, String name, Tensor t) { dtype(op, name, t, DType.I32); }

    /** Checks host-visible lengths: 0 &lt;= len[b] &lt;= max. */
    public static void lengths(String op, String name, int[] lengths, int max) {
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > max) {
                throw error(op, name + "[" + b + "] = " + lengths[b] + " is outside [0, " + max + "]");
            }
        }
    }

    /** Optional gradient: when present, F32 and shaped like {@code like}. */
    public static void gradLike(String op, String name, Tensor grad, String likeName, Tensor like) {
        if (grad == null) return;
        f32(op, name, grad);
        sameShape(op, name, grad, likeName, like);
    }

    /** Dropout's p must lie in [0, 1). */
    public static void dropProbability(String op, float p) {
        if (!(p >= 0f && p < 1f)) throw error(op, "drop probability p = " + p + " is outside [0, 1)");
    }

    public static void positive(String op, String name, double value) {
        if (!(value > 0)) throw error(op, name + " must be positive, got " + value);
    }

    private static String describe(int[] dims) {
        String[] parts = new String[dims.length];
        for (int i = 0; i < dims.length; i++) parts[i] = dims[i] == ANY ? "*" : Integer.toString(dims[i]);
        return "(" + String.join(", ", parts) + ")";
    }

    public static String dims(Tensor t) { return Arrays.toString(t.shape().dims()); }
}
