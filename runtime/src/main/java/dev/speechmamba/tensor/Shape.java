package dev.speechmamba.tensor;

import java.util.Arrays;

/** An immutable list of dimensions; tensors are contiguous and row-major (last dimension fastest). */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
        }
        this.dims = dims;
    }

    public static Shape of(int... dims) { return new Shape(dims.clone()); }

    public int rank() { return dims.length; }

    public int dim(int i) { return dims[i < 0 ? dims.length + i : i]; }

    public int[] dims() { return dims.clone(); }

    public long size() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Product of all dimensions but the last: the number of rows of a (rows, lastDim) view. */
    public int rows() {
        long n = 1;
        for (int i = 0; i < dims.length - 1; i++) n *= dims[i];
        return Math.toIntExact(n);
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override public int hashCode() { return Arrays.hashCode(dims); }

    @Override public String toString() { return Arrays.toString(dims).replace('[', '(').replace(']', ')'); }
}
