package dev.speechmamba.tensor;

/**
 * Memory operations on host tensors (Java arrays, honouring each view's element offset), shared by the
 * reference and fast CPU backends so that both allocate, read and copy the same way.
 */
public final class HostTensors {
    private HostTensors() { }

    /** The host storage behind {@code t}, or an error naming {@code op} when {@code t} lives elsewhere. */
    public static HostStorage storage(String op, Tensor t) {
        if (!(t.storage() instanceof HostStorage h)) {
            throw new IllegalArgumentException(op + ": tensor " + t.shape() + " is not a host tensor (wrong backend?)");
        }
        return h;
    }

    /** A zero-filled F32 or I32 tensor; {@code backend} names the caller in the BF16 error. */
    public static Tensor zeros(String backend, DType dtype, int... dims) {
        Shape s = Shape.of(dims);
        int n = Math.toIntExact(s.size());
        return switch (dtype) {
            case F32 -> new Tensor(s, dtype, HostStorage.ofFloats(new float[n]));
            case I32 -> new Tensor(s, dtype, HostStorage.ofInts(new int[n]));
            case BF16 -> throw new IllegalArgumentException(backend + ": BF16 tensors are not supported on the CPU");
        };
    }

    /** A copy of an F32 tensor's values. */
    public static float[] floatsCopy(String op, Tensor t) {
        float[] out = new float[Math.toIntExact(t.size())];
        System.arraycopy(storage(op, t).floats(), Math.toIntExact(t.offset()), out, 0, out.length);
        return out;
    }

    /** A copy of an I32 tensor's values. */
    public static int[] intsCopy(String op, Tensor t) {
        int[] out = new int[Math.toIntExact(t.size())];
        System.arraycopy(storage(op, t).ints(), Math.toIntExact(t.offset()), out, 0, out.length);
        return out;
    }

    /** dst = src for two host tensors whose shape and dtype the caller has checked. */
    public static void copy(String op, Tensor dst, Tensor src) {
        int n = Math.toIntExact(src.size()), from = Math.toIntExact(src.offset()), to = Math.toIntExact(dst.offset());
        if (src.dtype() == DType.I32) System.arraycopy(storage(op, src).ints(), from, storage(op, dst).ints(), to, n);
        else System.arraycopy(storage(op, src).floats(), from, storage(op, dst).floats(), to, n);
    }
}
