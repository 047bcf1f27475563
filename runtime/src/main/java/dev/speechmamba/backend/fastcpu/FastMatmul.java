package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.MatmulChecks;
import dev.speechmamba.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for the fast CPU backend, GotoBLAS style: op(B) is packed once into column panels NR wide
 * (so the inner loop reads it at unit stride whatever the transpose), each MR-row tile of op(A) is packed
 * per K block, and a register-blocked MR×NR micro-kernel accumulates with vector FMAs. K is cut into
 * blocks of KC and N into blocks of NC so a packed B block stays in L2 while a thread sweeps its row tiles.
 * Threads split the (batch, row tile) items; each writes only its own rows of C.
 */
final class FastMatmul {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    static final int MR = 6;
    static final int NR = 2 * V;
    private static final int KC = 256;
    private static final int NC = 16 * NR;

    private final FastParallel par;

    FastMatmul(FastParallel par) { this.par = par; }

    // ------------------------------------------------------------------ public ops

    void matmul(Tensor out, Tensor a, boolean transA, Tensor b, boolean transB, float alpha, float beta) {
        String op = "matmul";
        MatmulChecks.Dims d = MatmulChecks.matmul(op, out, a, transA, b, transB);
        float[] A = FastHost.floats(op, a), B = FastHost.floats(op, b), C = FastHost.floats(op, out);
        gemm(d.batch(), A, FastHost.off(a), d.aStride(), transA, transA ? d.m() : d.k(),
                B, FastHost.off(b), d.bStride(), transB, transB ? d.k() : d.n(),
                C, FastHost.off(out), d.outStride(), d.n(), d.m(), d.n(), d.k(), alpha, beta);
    }

    void matmulBackward(Tensor da, Tensor db, Tensor dOut, Tensor a, boolean transA, Tensor b, boolean transB) {
        String op = "matmulBackward";
        MatmulChecks.Dims d = MatmulChecks.matmulBackward(op, da, db, dOut, a, transA, b, transB);
        float[] A = FastHost.floats(op, a), B = FastHost.floats(op, b), G = FastHost.floats(op, dOut);
        int aOff = FastHost.off(a), bOff = FastHost.off(b), gOff = FastHost.off(dOut);
        long aStride = d.aStride(), bStride = d.bStride(), gStride = d.outStride();
        int lda = transA ? d.m() : d.k(), ldb = transB ? d.k() : d.n();
        if (da != null) {
            float[] DA = FastHost.floats(op, da);
            if (!transA) {
                // dA (M, K) += dOut (M, N) · op(B)ᵀ (N, K)
                gemm(d.batch(), G, gOff, gStride, false, d.n(), B, bOff, bStride, !transB, ldb,
                        DA, FastHost.off(da), aStride, d.k(), d.m(), d.k(), d.n(), 1f, 1f);
            } else {
                // dA (K, M) += op(B) (K, N) · dOutᵀ (N, M)
                gemm(d.batch(), B, bOff, bStride, transB, ldb, G, gOff, gStride, true, d.n(),
                        DA, FastHost.off(da), aStride, d.m(), d.k(), d.m(), d.n(), 1f, 1f);
            }
        }
        if (db != null) {
            float[] DB = FastHost.floats(op, db);
            if (!transB) {
                // dB (K, N) += op(A)ᵀ (K, M) · dOut (M, N)
                gemm(d.batch(), A, aOff, aStride, !transA, lda, G, gOff, gStride, false, d.n(),
                        DB, FastHost.off(db), bStride, d.n(), d.k(), d.n(), d.m(), 1f, 1f);
            } else {
                // dB (N, K) += dOutᵀ (N, M) · op(A) (M, K)
                gemm(d.batch(), G, gOff, gStride, true, d.n(), A, aOff, aStride, transA, lda,
                        DB, FastHost.off(db), bStride, d.k(), d.n(), d.k(), d.m(), 1f, 1f);
            }
        }
    }

    /**
     * C_i = alpha · op(A_i) · op(B_i) + beta · C_i for i &lt; batch. Strides are in elements between batch
     * entries; a stride of 0 shares that operand. op(A)[r, k] is A[r·lda + k] or, transposed, A[k·lda + r];
     * op(B)[k, c] is B[k·ldb + c] or, transposed, B[c·ldb + k]. beta == 0 ignores C's old values (NaN too).
     */
    void gemm(int batch, float[] A, int aOff, long aStride, boolean transA, int lda,
              float[] B, int bOff, long bStride, boolean transB, int ldb,
              float[] C, int cOff, long cStride, int ldc, int m, int n, int k, float alpha, float beta) {
        if (batch == 0 || m == 0 || n == 0) return;
        if (cStride == 0 && batch > 1) {
            // A shared output (the gradient of a shared operand) sums over the batch: one entry at a time.
            for (int i = 0; i < batch; i++) {
                gemm(1, A, Math.toIntExact(aOff + i * aStride), 0, transA, lda, B, Math.toIntExact(bOff + i * bStride), 0,
                        transB, ldb, C, cOff, 0, ldc, m, n, k, alpha, i == 0 ? beta : 1f);
            }
            return;
        }
        if (k == 0) {
            for (int i = 0; i < batch; i++) scaleC(C, Math.toIntExact(cOff + i * cStride), ldc, m, n, beta);
            return;
        }
        int panels = (n + NR - 1) / NR;
        int bBatches = bStride == 0 ? 1 : batch;
        long panelSize = (long) k * NR;
        float[] packedB = new float[Math.toIntExact(bBatches * panels * panelSize)];
        // (bBatches, panels, K, NR)
        par.forRange(bBatches * panels, (long) k * NR, (from, to) -> {
            for (int item = from; item < to; item++) {
                int bi = item / panels, p = item % panels;
                packB(B, Math.toIntExact(bOff + bi * bStride), transB, ldb, k, n, p * NR,
                        packedB, Math.toIntExact(item * panelSize));
            }
        });
        int rowTiles = (m + MR - 1) / MR;
        par.forRange(batch * rowTiles, 2L * MR * n * k, (from, to) -> {
            float[] packedA = new float[MR * Math.min(k, KC)];
            float[] edge = new float[MR * NR];
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                boolean first = k0 == 0;
                for (int p0 = 0; p0 < panels; p0 += NC / NR) {
                    int p1 = Math.min(panels, p0 + NC / NR);
                    for (int item = from; item < to; item++) {
                        int bi = item / rowTiles, r0 = (item % rowTiles) * MR;
                        packA(A, Math.toIntExact(aOff + bi * aStride), transA, lda, m, r0, k0, kc, packedA);
                        int cBase = Math.toIntExact(cOff + bi * cStride);
                        int bBase = Math.toIntExact((bStride == 0 ? 0 : bi) * panels * panelSize);
                        for (int p = p0; p < p1; p++) {
                            micro(packedA, packedB, bBase + Math.toIntExact(p * panelSize) + k0 * NR, kc,
                                    C, cBase, ldc, r0, p * NR, m, n, alpha, first ? beta : 1f, edge);
                        }
                    }
                }
            }
        });
    }

    private static void scaleC(float[] C, int cOff, int ldc, int m, int n, float beta) {
        for (int r = 0; r < m; r++) {
            int row = cOff + r * ldc;
            for (int c = 0; c < n; c++) C[row + c] = beta == 0f ? 0f : beta * C[row + c];
        }
    }

    /** Columns [c0, c0 + NR) of op(B), all K rows, into dst[k·NR + j], zero past column n. */
    private static void packB(float[] B, int bOff, boolean transB, int ldb, int k, int n, int c0, float[] dst, int dOff) {
        int width = Math.min(NR, n - c0);
        if (!transB) {
            for (int kk = 0; kk < k; kk++) {
                System.arraycopy(B, bOff + kk * ldb + c0, dst, dOff + kk * NR, width);
            }
        } else {
            for (int j = 0; j < width; j++) {
                int src = bOff + (c0 + j) * ldb;
                for (int kk = 0; kk < k; kk++) dst[dOff + kk * NR + j] = B[src + kk];
            }
        }
        // dst is freshly allocated, so the columns past n are already zero.
    }

    /** Rows [r0, r0 + MR) and K range [k0, k0 + kc) of op(A) into dst[k·MR + r], zero past row m. */
    private static void packA(float[] A, int aOff, boolean transA, int lda, int m, int r0, int k0, int kc, float[] dst) {
        int rows = Math.min(MR, m - r0);
        if (rows < MR) java.util.Arrays.fill(dst, 0, kc * MR, 0f);
        if (!transA) {
            for (int r = 0; r < rows; r++) {
                int src = aOff + (r0 + r) * lda + k0;
                for (int kk = 0; kk < kc; kk++) dst[kk * MR + r] = A[src + kk];
            }
        } else {
            for (int kk = 0; kk < kc; kk++) {
                int src = aOff + (k0 + kk) * lda + r0;
                for (int r = 0; r < rows; r++) dst[kk * MR + r] = A[src + r];
            }
        }
    }

    /** One MR×NR tile of C: C = alpha · (packed A tile · packed B panel) + beta · C. */
    private static void micro(float[] pa, float[] pb, int pbOff, int kc, float[] C, int cBase, int ldc,
                              int r0, int c0, int m, int n, float alpha, float beta, float[] edge) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int ib = pbOff;
        int ia = 0;
        for (int kk = 0; kk < kc; kk++, ib += NR, ia += MR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, ib);
            FloatVector b1 = FloatVector.fromArray(S, pb, ib + V);
            FloatVector a;
            a = FloatVector.broadcast(S, pa[ia]);     c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[ia + 1]); c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[ia + 2]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[ia + 3]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[ia + 4]); c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[ia + 5]); c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
        }
        if (r0 + MR <= m && c0 + NR <= n) {
            store(C, cBase + r0 * ldc + c0, c00, c01, alpha, beta);
            store(C, cBase + (r0 + 1) * ldc + c0, c10, c11, alpha, beta);
            store(C, cBase + (r0 + 2) * ldc + c0, c20, c21, alpha, beta);
            store(C, cBase + (r0 + 3) * ldc + c0, c30, c31, alpha, beta);
            store(C, cBase + (r0 + 4) * ldc + c0, c40, c41, alpha, beta);
            store(C, cBase + (r0 + 5) * ldc + c0, c50, c51, alpha, beta);
            return;
        }
        c00.intoArray(edge, 0); c01.intoArray(edge, V);
        c10.intoArray(edge, NR); c11.intoArray(edge, NR + V);
        c20.intoArray(edge, 2 * NR); c21.intoArray(edge, 2 * NR + V);
        c30.intoArray(edge, 3 * NR); c31.intoArray(edge, 3 * NR + V);
        c40.intoArray(edge, 4 * NR); c41.intoArray(edge, 4 * NR + V);
        c50.intoArray(edge, 5 * NR); c51.intoArray(edge, 5 * NR + V);
        int rows = Math.min(MR, m - r0), cols = Math.min(NR, n - c0);
        for (int r = 0; r < rows; r++) {
            int row = cBase + (r0 + r) * ldc + c0;
            for (int j = 0; j < cols; j++) {
                float acc = alpha * edge[r * NR + j];
                C[row + j] = beta == 0f ? acc : acc + beta * C[row + j];
            }
        }
    }

    private static void store(float[] C, int at, FloatVector v0, FloatVector v1, float alpha, float beta) {
        FloatVector r0 = v0.mul(alpha), r1 = v1.mul(alpha);
        if (beta != 0f) {
            r0 = FloatVector.fromArray(S, C, at).mul(beta).add(r0);
            r1 = FloatVector.fromArray(S, C, at + V).mul(beta).add(r1);
        }
        r0.intoArray(C, at);
        r1.intoArray(C, at + V);
    }
}
