package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.MatmulChecks;
import dev.speechmamba.cuda.cublas.Cublas;
import dev.speechmamba.tensor.Tensor;

/**
 * GEMMs through cuBLAS. Tensors are row-major and cuBLAS is column-major: a row-major (r, c) matrix is the
 * column-major (c, r) matrix, so row-major C = op(L)·op(R) is computed as column-major Cᵀ = op(R)ᵀ·op(L)ᵀ,
 * i.e. cuBLAS gets R first and L second with the same transpose flags and m, n swapped.
 *
 * <p>A 2-D operand is shared by every batch entry (stride 0). Gradients of a shared operand are sums over
 * the batch; where the batched operands are contiguous along the reduced axis that sum is one GEMM with the
 * batch folded into k, otherwise one GEMM per batch entry accumulating with beta = 1.
 */
final class MatmulLauncher {
    private final CudaContext ctx;

    MatmulLauncher(CudaContext ctx) { this.ctx = ctx; }

    /** One operand: its tensor, whether it has one matrix per batch entry, whether it is used transposed. */
    private record Operand(Tensor t, boolean batched, boolean transposed) { }

    void matmul(Tensor out, Tensor a, boolean transA, Tensor b, boolean transB, float alpha, float beta) {
        MatmulChecks.Dims d = MatmulChecks.matmul("matmul", out, a, transA, b, transB);
        gemm(out, d.outBatched(), new Operand(a, d.aBatched(), transA), new Operand(b, d.bBatched(), transB),
                alpha, beta, d.batch(), d.m(), d.n(), d.k());
    }

    void matmulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, boolean transA, Tensor b, boolean transB) {
        MatmulChecks.Dims d = MatmulChecks.matmulBackward("matmulBackward", da, db, dOut, a, transA, b, transB);
        int batch = d.batch(), m = d.m(), n = d.n(), k = d.k();
        Operand g = new Operand(dOut, d.outBatched(), false);
        Operand gT = new Operand(dOut, d.outBatched(), true);
        if (da != null) {
            if (!transA) {          // da (M, K) += dOut (M, N) · op(b)ᵀ (N, K)
                gemm(da, d.aBatched(), g, new Operand(b, d.bBatched(), !transB), 1f, 1f, batch, m, k, n);
            } else {                // da (K, M) += op(b) (K, N) · dOutᵀ (N, M)
                gemm(da, d.aBatched(), new Operand(b, d.bBatched(), transB), gT, 1f, 1f, batch, k, m, n);
            }
        }
        if (db != null) {
            if (!transB) {          // db (K, N) += op(a)ᵀ (K, M) · dOut (M, N)
                gemm(db, d.bBatched(), new Operand(a, d.aBatched(), !transA), g, 1f, 1f, batch, k, n, m);
            } else {                // db (N, K) += dOutᵀ (N, M) · op(a) (M, K)
                gemm(db, d.bBatched(), gT, new Operand(a, d.aBatched(), transA), 1f, 1f, batch, n, k, m);
            }
        }
    }

    /**
     * target (M, N) = alpha · op(left) (M, K) · op(right) (K, N) + beta · target, per batch entry when the
     * target is batched, else summed over the batch into the one target matrix.
     */
    private void gemm(Tensor target, boolean targetBatched, Operand left, Operand right, float alpha, float beta,
                      int batch, int m, int n, int k) {
        if (m == 0 || n == 0) return;
        Cublas cublas = ctx.handles().cublas().cublas();
        long c = ctx.ptr(target);
        long l = ctx.ptr(left.t());
        long r = ctx.ptr(right.t());
        if (batch == 1 || (targetBatched && left.batched() && !left.transposed() && !right.batched())) {
            // one matrix, or a batched left operand that is contiguous as (batch·M, K) against a shared right one
            int rows = Math.multiplyExact(batch == 1 ? 1 : batch, m);
            single(cublas, c, l, left.transposed(), r, right.transposed(), alpha, beta, rows, n, k);
            return;
        }
        if (targetBatched) {
            cublas.sgemmStridedBatched(op(right.transposed()), op(left.transposed()), n, m, k, alpha,
                    r, ld(right.transposed(), k, n), right.batched() ? (long) k * n : 0,
                    l, ld(left.transposed(), m, k), left.batched() ? (long) m * k : 0,
                    beta, c, Math.max(1, n), (long) m * n, batch);
            return;
        }
        if (left.batched() && left.transposed() && right.batched() && !right.transposed()) {
            // Σ_b L_bᵀ R_b with L stored (batch·K, M) and R stored (batch·K, N): one GEMM with k = batch·K
            single(cublas, c, l, true, r, false, alpha, beta, m, n, Math.multiplyExact(batch, k));
            return;
        }
        long leftStride = left.batched() ? (long) m * k * Float.BYTES : 0;
        long rightStride = right.batched() ? (long) k * n * Float.BYTES : 0;
        for (int e = 0; e < batch; e++) {
            single(cublas, c, l + e * leftStride, left.transposed(), r + e * rightStride, right.transposed(), alpha,
                    e == 0 ? beta : 1f, m, n, k);
        }
    }

    /**
     * Row-major C (m, n) = L (m, k) · R (k, n) where L and R are contiguous and C is a column block of a wider
     * row-major matrix whose rows are {@code rowStride} floats apart (device addresses; overwrites C). Used
     * for the row-sliced conv2d forward.
     */
    void gemmIntoColumns(long c, int rowStride, long l, long r, int m, int n, int k) {
        if (m <= 0 || n <= 0 || k <= 0 || rowStride < n) {
            throw new IllegalArgumentException("gemmIntoColumns: need m, n, k > 0 and row stride >= n, got m=" + m
                    + " n=" + n + " k=" + k + " row stride=" + rowStride);
        }
        ctx.handles().cublas().cublas().sgemm(Cublas.Op.N, Cublas.Op.N, n, m, k, 1f, r, n, l, k, 0f, c, rowStride);
    }

    /** Row-major C (m, n) = alpha · op(L) (m, k) · op(R) (k, n) + beta · C. */
    private static void single(Cublas cublas, long c, long l, boolean leftT, long r, boolean rightT, float alpha,
                               float beta, int m, int n, int k) {
        cublas.sgemm(op(rightT), op(leftT), n, m, k, alpha, r, ld(rightT, k, n), l, ld(leftT, m, k), beta, c,
                Math.max(1, n));
    }

    private static Cublas.Op op(boolean transposed) { return transposed ? Cublas.Op.T : Cublas.Op.N; }

    /** Leading dimension of a row-major operand used as op(X) (rows, cols): its stored row length. */
    private static int ld(boolean transposed, int rows, int cols) { return Math.max(1, transposed ? rows : cols); }
}
