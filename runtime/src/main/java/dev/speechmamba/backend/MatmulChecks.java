package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/**
 * Argument checks of the batched GEMM out = alpha · op(a) @ op(b) + beta · out, shared by every backend.
 *
 * <p>op(a) is (M, K) and op(b) is (K, N); a is stored (M, K), or (K, M) when transA; b is (K, N), or (N, K)
 * when transB; out is (M, N). Each operand is 2-D (shared by every batch entry) or 3-D (one matrix per batch
 * entry); out must be 3-D when a or b is.
 */
public final class MatmulChecks {
    private MatmulChecks() { }

    /** The GEMM problem: batch entries, op(a) (M, K), op(b) (K, N), and which operands are batched. */
    public record Dims(int batch, int m, int n, int k, boolean aBatched, boolean bBatched, boolean outBatched) {
        /** Elements between a's batch entries; 0 when a is shared. */
        public long aStride() { return aBatched ? (long) m * k : 0; }

        /** Elements between b's batch entries; 0 when b is shared. */
        public long bStride() { return bBatched ? (long) k * n : 0; }

        /** Elements between out's batch entries; 0 when out is shared. */
        public long outStride() { return outBatched ? (long) m * n : 0; }
    }

    /** Checks out, a and b are F32 and fit together. */
    public static Dims matmul(String op, Tensor out, Tensor a, boolean transA, Tensor b, boolean transB) {
        Checks.f32(op, "out", out);
        Checks.f32(op, "a", a);
        Checks.f32(op, "b", b);
        return resolve(op, out, a, transA, b, transB);
    }

    /** Checks dOut, a and b as {@link #matmul} does, and the optional da, db like a, b. */
    public static Dims matmulBackward(String op, Tensor da, Tensor db, Tensor dOut, Tensor a, boolean transA,
                                      Tensor b, boolean transB) {
        Checks.f32(op, "dOut", dOut);
        Checks.f32(op, "a", a);
        Checks.f32(op, "b", b);
        Dims d = resolve(op, dOut, a, transA, b, transB);
        Checks.gradLike(op, "da", da, "a", a);
        Checks.gradLike(op, "db", db, "b", b);
        return d;
    }

    /**
     * Resolves the shapes of out = op(a) @ op(b) ({@code out} may be dOut); the message names every shape when
     * they do not fit together.
     */
    private static Dims resolve(String op, Tensor out, Tensor a, boolean transA, Tensor b, boolean transB) {
        int[] o = out.shape().dims();
        int[] x = a.shape().dims();
        int[] y = b.shape().dims();
        String shapes = "out " + out.shape() + ", a " + a.shape() + (transA ? "^T" : "") + ", b " + b.shape()
                + (transB ? "^T" : "");
        if (o.length < 2 || o.length > 3 || x.length < 2 || x.length > 3 || y.length < 2 || y.length > 3) {
            throw Checks.error(op, "operands must be 2-D or 3-D, got " + shapes);
        }
        int m = transA ? x[x.length - 1] : x[x.length - 2];
        int kA = transA ? x[x.length - 2] : x[x.length - 1];
        int kB = transB ? y[y.length - 1] : y[y.length - 2];
        int n = transB ? y[y.length - 2] : y[y.length - 1];
        if (kA != kB) throw Checks.error(op, "inner dimensions " + kA + " and " + kB + " differ: " + shapes);
        if (o[o.length - 2] != m || o[o.length - 1] != n) {
            throw Checks.error(op, "out must end in (" + m + ", " + n + "): " + shapes);
        }
        if (o.length == 2 && (x.length == 3 || y.length == 3)) {
            throw Checks.error(op, "out must be 3-D when a or b is batched: " + shapes);
        }
        int batch = -1;
        for (int[] dims : new int[][] {o, x, y}) {
            if (dims.length != 3) continue;
            if (batch >= 0 && dims[0] != batch) throw Checks.error(op, "batch counts differ: " + shapes);
            batch = dims[0];
        }
        if (batch < 0) batch = 1;
        return new Dims(batch, m, n, kA, x.length == 3, y.length == 3, o.length == 3);
    }
}
