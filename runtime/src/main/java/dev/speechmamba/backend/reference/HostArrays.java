package dev.speechmamba.backend.reference;

import dev.speechmamba.tensor.HostStorage;
import dev.speechmamba.tensor.HostTensors;
import dev.speechmamba.tensor.Tensor;

/**
 * Conversions between host tensors and the float64 arrays the reference kernels work on.
 * The reference computes everything in double and rounds to float32 only when storing results.
 */
public final class HostArrays {
    private HostArrays() { }

    static HostStorage host(String op, Tensor t) { return HostTensors.storage(op, t); }

    /** The tensor's values as doubles (a copy); null stays null. */
    public static double[] toDouble(Tensor t) {
        if (t == null) return null;
        HostStorage h = host("reference", t);
        int n = Math.toIntExact(t.size());
        int off = Math.toIntExact(t.offset());
        double[] d = new double[n];
        switch (t.dtype()) {
            case F32 -> { float[] f = h.floats(); for (int i = 0; i < n; i++) d[i] = f[off + i]; }
            case I32 -> { int[] v = h.ints(); for (int i = 0; i < n; i++) d[i] = v[off + i]; }
            default -> throw new IllegalArgumentException("reference: unsupported dtype " + t.dtype());
        }
        return d;
    }

    /** The I32 tensor's values (a copy); null stays null. */
    public static int[] toInts(Tensor t) {
        return t == null ? null : HostTensors.intsCopy("reference", t);
    }

    /** Stores {@code values} into the F32 tensor, rounding to float. No-op for a null tensor. */
    public static void store(Tensor t, double[] values) {
        if (t == null) return;
        float[] f = host("reference", t).floats();
        int off = Math.toIntExact(t.offset());
        for (int i = 0; i < values.length; i++) f[off + i] = (float) values[i];
    }
}
