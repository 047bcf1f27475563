package dev.speechmamba.backend.reference;

/**
 * Batched GEMM in float64: out = alpha · op(a) @ op(b) + beta · out, with the layouts and batching rules of
 * {@link dev.speechmamba.backend.MatmulChecks}.
 */
final class MatmulRef {
    private MatmulRef() { }

    /** Element (i, k) of op(a) in a matrix starting at {@code base}. */
    private static double opA(double[] a, int base, boolean transA, int i, int k, int m, int kDim) {
        return transA ? a[base + k * m + i] : a[base + i * kDim + k];
    }

    /** Element (k, j) of op(b) in a matrix starting at {@code base}. */
    private static double opB(double[] b, int base, boolean transB, int k, int j, int kDim, int n) {
        return transB ? b[base + j * kDim + k] : b[base + k * n + j];
    }

    /**
     * @param batch number of batch entries; operands with {@code xBatched == false} are shared
     */
    static void forward(double[] out, double[] a, boolean transA, double[] b, boolean transB,
                        double alpha, double beta, int batch, int m, int n, int k,
                        boolean aBatched, boolean bBatched, boolean outBatched) {
        for (int bi = 0; bi < batch; bi++) {
            int aBase = aBatched ? bi * m * k : 0;  // (M, K) or (K, M)
            int bBase = bBatched ? bi * k * n : 0;  // (K, N) or (N, K)
            int oBase = outBatched ? bi * m * n : 0; // (M, N)
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int kk = 0; kk < k; kk++) {
                        sum += opA(a, aBase, transA, i, kk, m, k) * opB(b, bBase, transB, kk, j, k, n);
                    }
                    // beta == 0 must not read out, so that NaN-poisoned outputs are fully overwritten (BLAS rule).
                    double previous = beta == 0 ? 0 : beta * out[oBase + i * n + j];
                    out[oBase + i * n + j] = alpha * sum + previous;
                }
            }
        }
    }

    /**
     * Gradients of out = op(a) @ op(b): da += dOut · op(b)ᵀ stored in a's layout, db += op(a)ᵀ · dOut
     * stored in b's layout. A shared operand sums its gradient over the batch. Null = not needed.
     */
    static void backward(double[] da, double[] db, double[] dOut, double[] a, boolean transA, double[] b,
                         boolean transB, int batch, int m, int n, int k,
                         boolean aBatched, boolean bBatched, boolean outBatched) {
        for (int bi = 0; bi < batch; bi++) {
            int aBase = aBatched ? bi * m * k : 0;
            int bBase = bBatched ? bi * k * n : 0;
            int oBase = outBatched ? bi * m * n : 0;
            if (da != null) {
                for (int i = 0; i < m; i++) {
                    for (int kk = 0; kk < k; kk++) {
                        double sum = 0;
                        for (int j = 0; j < n; j++) sum += dOut[oBase + i * n + j] * opB(b, bBase, transB, kk, j, k, n);
                        int index = transA ? aBase + kk * m + i : aBase + i * k + kk;
                        da[index] += sum;
                    }
                }
            }
            if (db != null) {
                for (int kk = 0; kk < k; kk++) {
                    for (int j = 0; j < n; j++) {
                        double sum = 0;
                        for (int i = 0; i < m; i++) sum += opA(a, aBase, transA, i, kk, m, k) * dOut[oBase + i * n + j];
                        int index = transB ? bBase + j * k + kk : bBase + kk * n + j;
                        db[index] += sum;
                    }
                }
            }
        }
    }
}
