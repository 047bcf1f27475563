package dev.speechmamba.tensor;

import java.util.Objects;

/**
 * A contiguous, row-major view of {@link Storage}. Tensors are created by a
 * {@link dev.speechmamba.backend.Backend}; {@link #reshape} makes another view of the same storage
 * (no copy), which is how (B, T, C) activations become (B*T, C) matrices for GEMMs.
 *
 * <p>Closing a tensor releases its storage (device memory on CUDA); closing a view closes the
 * shared storage too, so only the owner of the original tensor should close.
 */
public final class Tensor implements AutoCloseable {
    private final Shape shape;
    private final DType dtype;
    private final Storage storage;
    private final long offset; // in elements

    public Tensor(Shape shape, DType dtype, Storage storage, long offset) {
        this.shape = Objects.requireNonNull(shape);
        this.dtype = Objects.requireNonNull(dtype);
        this.storage = Objects.requireNonNull(storage);
        this.offset = offset;
        if ((offset + shape.size()) * dtype.bytes() > storage.byteSize()) {
            throw new IllegalArgumentException("view " + shape + " at offset " + offset + " exceeds storage of "
                    + storage.byteSize() + " bytes");
        }
    }

    public Tensor(Shape shape, DType dtype, Storage storage) { this(shape, dtype, storage, 0); }

    /** A host F32 tensor over {@code data} (not copied). */
    public static Tensor ofFloats(float[] data, int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != data.length) {
            throw new IllegalArgumentException("shape " + s + " needs " + s.size() + " values, got " + data.length);
        }
        return new Tensor(s, DType.F32, HostStorage.ofFloats(data));
    }

    /** A host I32 tensor over {@code data} (not copied). */
    public static Tensor ofInts(int[] data, int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != data.length) {
            throw new IllegalArgumentException("shape " + s + " needs " + s.size() + " values, got " + data.length);
        }
        return new Tensor(s, DType.I32, HostStorage.ofInts(data));
    }

    public Shape shape() { return shape; }

    public DType dtype() { return dtype; }

    public Storage storage() { return storage; }

    /** Offset of the first element in the storage, in elements. */
    public long offset() { return offset; }

    public int dim(int i) { return shape.dim(i); }

    public int rank() { return shape.rank(); }

    public long size() { return shape.size(); }

    /** The same elements under another shape with the same element count. */
    public Tensor reshape(int... dims) {
        Shape s = Shape.of(dims);
        if (s.size() != shape.size()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " to " + s + ": element counts differ");
        }
        return new Tensor(s, dtype, storage, offset);
    }

    /** Rows {@code [from, from+count)} of the first dimension, as a view. */
    public Tensor narrowFirst(int from, int count) {
        int n = shape.dim(0);
        if (from < 0 || count < 0 || from + count > n) {
            throw new IllegalArgumentException("rows [" + from + ", " + (from + count) + ") outside first dimension " + n);
        }
        int[] d = shape.dims();
        d[0] = count;
        long rowSize = shape.size() / Math.max(n, 1);
        return new Tensor(Shape.of(d), dtype, storage, offset + from * rowSize);
    }

    /** The host float array behind this tensor; only for host tensors whose view is the whole array. */
    public float[] hostFloats() {
        requireWholeHost();
        return ((HostStorage) storage).floats();
    }

    /** The host int array behind this tensor; only for host tensors whose view is the whole array. */
    public int[] hostInts() {
        requireWholeHost();
        return ((HostStorage) storage).ints();
    }

    private void requireWholeHost() {
        if (!(storage instanceof HostStorage)) throw new IllegalStateException("tensor " + shape + " is not on the host");
        if (offset != 0 || shape.size() * dtype.bytes() != storage.byteSize()) {
            throw new IllegalStateException("tensor " + shape + " is a partial view; copy it first");
        }
    }

    @Override public void close() { storage.close(); }

    @Override public String toString() { return "Tensor" + shape + " " + dtype; }
}
