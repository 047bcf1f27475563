package dev.speechmamba.cuda;

/** A CUDA grid or block size; every component at least 1. */
public record Dim3(int x, int y, int z) {

    public Dim3 {
        if (x < 1 || y < 1 || z < 1) {
            throw new IllegalArgumentException("Dim3 components must be >= 1, got (" + x + ", " + y + ", " + z + ")");
        }
    }

    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    public static Dim3 of(int x, int y) {
        return new Dim3(x, y, 1);
    }

    public static Dim3 of(int x, int y, int z) {
        return new Dim3(x, y, z);
    }

    /** ceil(n / d) for grid sizing, as an int (throws when it does not fit). */
    public static int ceilDiv(long n, int d) {
        if (n < 0 || d <= 0) {
            throw new IllegalArgumentException("ceilDiv needs n >= 0 and d > 0, got n=" + n + " d=" + d);
        }
        return Math.toIntExact((n + d - 1) / d);
    }
}
