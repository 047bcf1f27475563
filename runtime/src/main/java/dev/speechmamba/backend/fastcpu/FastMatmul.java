package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.MatmulChecks;
import dev.speechmamba.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM for the fast CPU backend, GotoBLAS style. The work is cut into items of (batch entry, block of
 * NC_PANELS column panels, block of row tiles); for each K block of KC an item packs its op(B) block into a
 * contiguous (panel, kc, NR) buffer that stays in L2 (unit-stride reads whatever the transpose), packs each
 * MR-row tile of op(A), and a register-blocked MR×NR micro-kernel accumulates with vector FMAs. Threads
 * split the items; each item writes only its own tiles of C.
 */
final class FastMatmul {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    static final int MR = 6;
    static final int NR = 2 * V;
    private static final int KC = 256;
    /** Panels per column block: a KC × 16·NR packed B block is 512 KiB with AVX-512, half of a Zen 4 L2. */
    private static final int NC_PANELS = 16;
    private static final int MIN_BLOCK_TILES = 8;
    private static final int MAX_BLOCK_TILES = 16;

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
        if (transB && m <= DOT_MAX_ROWS) {
            gemmByDots(batch, A, aOff, aStride, transA, lda, B, bOff, bStride, ldb, C, cOff, cStride, ldc, m, n, k, alpha, beta);
        } else {
            gemmPacked(batch, A, aOff, aStride, transA, lda, B, bOff, bStride, transB, ldb, C, cOff, cStride, ldc, m, n, k, alpha, beta);
        }
    }

    /** {@link #gemm} with op(B) packed into panels: any shape; the fast way for an untransposed B and for long op(A). */
    void gemmPacked(int batch, float[] A, int aOff, long aStride, boolean transA, int lda,
                    float[] B, int bOff, long bStride, boolean transB, int ldb,
                    float[] C, int cOff, long cStride, int ldc, int m, int n, int k, float alpha, float beta) {
        int rowTiles = (m + MR - 1) / MR, panels = (n + NR - 1) / NR;
        int colBlocks = (panels + NC_PANELS - 1) / NC_PANELS;
        int rowBlocks = rowBlockCount(rowTiles, batch * colBlocks, par.threads());
        int tilesPerBlock = (rowTiles + rowBlocks - 1) / rowBlocks;
        int rowBlocksUsed = (rowTiles + tilesPerBlock - 1) / tilesPerBlock;
        int blockPanels = Math.min(panels, NC_PANELS), kcMax = Math.min(k, KC);
        long itemCost = 2L * tilesPerBlock * MR * blockPanels * NR * k;
        // Items are (batch entry, column block, row block). Each thread packs the B block it needs into its
        // own contiguous buffer, so the block is one unbroken range in L2 (a slice of a K-long panel per
        // panel would sit a power-of-two stride apart and evict itself in the cache's sets). Every C tile is
        // computed by the same micro-kernel calls in the same K order whoever runs it, so the result does not
        // depend on the split or on thread timing.
        par.forRange(batch * colBlocks * rowBlocksUsed, itemCost, (from, to) -> {
            float[] packedB = new float[blockPanels * kcMax * NR]; // (block panel, kc, NR)
            float[] packedA = new float[kcMax * MR];                // (kc, MR)
            float[] tile = new float[MR * NR];                      // (MR, NR)
            for (int item = from; item < to; item++) {
                int rb = item % rowBlocksUsed, rest = item / rowBlocksUsed;
                int cb = rest % colBlocks, bi = rest / colBlocks;
                int aBase = Math.toIntExact(aOff + bi * aStride), bBase = Math.toIntExact(bOff + bi * bStride);
                int cBase = Math.toIntExact(cOff + bi * cStride);
                int p0 = cb * NC_PANELS, p1 = Math.min(panels, p0 + NC_PANELS);
                int t0 = rb * tilesPerBlock, t1 = Math.min(rowTiles, t0 + tilesPerBlock);
                for (int k0 = 0; k0 < k; k0 += KC) {
                    int kc = Math.min(KC, k - k0);
                    float blockBeta = k0 == 0 ? beta : 1f;
                    packB(B, bBase, transB, ldb, n, k0, kc, p0, p1, packedB);
                    for (int t = t0; t < t1; t++) {
                        int r0 = t * MR;
                        packA(A, aBase, transA, lda, m, r0, k0, kc, packedA);
                        for (int p = p0; p < p1; p++) {
                            micro(packedA, packedB, (p - p0) * kc * NR, kc, C, cBase, ldc, r0, p * NR, m, n,
                                    alpha, blockBeta, tile);
                        }
                    }
                }
            }
        });
    }

    /**
     * Up to this many rows of op(A), a transposed op(B) (a linear layer's (out, in) weight) is read in place by
     * {@link #gemmByDots} instead of being packed. Packing costs a strided transposing copy of all of B per row
     * block whatever M is: at the beam's 10 rows it took longer than the multiply (a quarter of all beam-search
     * time in a profile), and dot products over unit-stride rows were 4–20× faster up to 10 rows and 1.3–2× at 100
     * to 256 on the 2-core AMD EPYC dev machine; at 512 the two were within noise of each other, and from 1 024–2 048
     * rows, when op(A) outgrows L2, the packed path wins (docs/benchmarks.md, "Linear layers without packing the
     * weights, and a wider beam").
     */
    static final int DOT_MAX_ROWS = 256;
    /** Columns of C per parallel item of {@link #gemmByDots}: the item's rows of B are read once, in order. */
    private static final int DOT_ITEM_COLUMNS = 32;

    /**
     * C_i = alpha · op(A_i) · B_iᵀ + beta · C_i: each C element is a dot product of a row of op(A)
     * with a row of B (both unit stride along K), four rows by two columns at a time so that each loaded vector
     * feeds several FMAs (then two rows, then one, for the rows left over). B streams through once; op(A) (M × K) stays in cache. Every element is computed by the same
     * operations whichever thread runs it, so the bits do not depend on the thread count.
     */
    void gemmByDots(int batch, float[] A, int aOff, long aStride, boolean transA, int lda,
                    float[] B, int bOff, long bStride, int ldb,
                    float[] C, int cOff, long cStride, int ldc, int m, int n, int k, float alpha, float beta) {
        int groups = (n + DOT_ITEM_COLUMNS - 1) / DOT_ITEM_COLUMNS;
        long itemCost = 2L * m * k * DOT_ITEM_COLUMNS;
        par.forRange(batch * groups, itemCost, (from, to) -> {
            float[] rowsA = transA ? new float[m * k] : null;   // (M, K) when op(A) is not rows of A already
            float[] sums = new float[8];
            int packedFor = -1;
            for (int item = from; item < to; item++) {
                int bi = item / groups, group = item % groups;
                int aBase = Math.toIntExact(aOff + bi * aStride), bBase = Math.toIntExact(bOff + bi * bStride);
                int cBase = Math.toIntExact(cOff + bi * cStride);
                float[] rows = A;
                int rowBase = aBase, rowStride = lda;
                if (transA) {
                    if (packedFor != bi) {
                        for (int kk = 0; kk < k; kk++) {
                            for (int r = 0; r < m; r++) rowsA[r * k + kk] = A[aBase + kk * lda + r];
                        }
                        packedFor = bi;
                    }
                    rows = rowsA;
                    rowBase = 0;
                    rowStride = k;
                }
                int c0 = group * DOT_ITEM_COLUMNS, c1 = Math.min(n, c0 + DOT_ITEM_COLUMNS);
                for (int c = c0; c < c1; c += 2) {
                    int b0 = bBase + c * ldb;
                    if (c + 1 < c1) {
                        int r = 0;
                        for (; r + 4 <= m; r += 4) {
                            dot4x2(rows, rowBase + r * rowStride, rowStride, B, b0, ldb, k, sums);
                            storePairs(C, cBase + r * ldc + c, ldc, 4, sums, alpha, beta);
                        }
                        for (; r + 2 <= m; r += 2) {
                            dot2x2(rows, rowBase + r * rowStride, rowStride, B, b0, ldb, k, sums);
                            storePairs(C, cBase + r * ldc + c, ldc, 2, sums, alpha, beta);
                        }
                        for (; r < m; r++) {
                            int a0 = rowBase + r * rowStride;
                            store(C, cBase + r * ldc + c, dot(rows, a0, B, b0, k), alpha, beta);
                            store(C, cBase + r * ldc + c + 1, dot(rows, a0, B, b0 + ldb, k), alpha, beta);
                        }
                    } else {
                        for (int r = 0; r < m; r++) store(C, cBase + r * ldc + c, dot(rows, rowBase + r * rowStride, B, b0, k), alpha, beta);
                    }
                }
            }
        });
    }

    /** C[at + i·ldc + j] from sums[2·i + j] for i &lt; rows, j &lt; 2: the layout {@link #dot4x2} and {@link #dot2x2} fill. */
    private static void storePairs(float[] C, int at, int ldc, int rows, float[] sums, float alpha, float beta) {
        for (int i = 0; i < rows; i++, at += ldc) {
            store(C, at, sums[2 * i], alpha, beta);
            store(C, at + 1, sums[2 * i + 1], alpha, beta);
        }
    }

    private static void store(float[] C, int at, float sum, float alpha, float beta) {
        float acc = alpha * sum;
        C[at] = beta == 0f ? acc : beta * C[at] + acc;
    }

    /** sums[2·i + j] = row (a0 + i·lda) of A · row (b0 + j·ldb) of B over K, for i &lt; 4, j &lt; 2. */
    private static void dot4x2(float[] A, int a0, int lda, float[] B, int b0, int ldb, int k, float[] sums) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S), s31 = FloatVector.zero(S);
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, b1 = b0 + ldb;
        int kk = 0, bound = S.loopBound(k);
        for (; kk < bound; kk += V) {
            FloatVector w0 = FloatVector.fromArray(S, B, b0 + kk), w1 = FloatVector.fromArray(S, B, b1 + kk);
            FloatVector x;
            x = FloatVector.fromArray(S, A, a0 + kk); s00 = x.fma(w0, s00); s01 = x.fma(w1, s01);
            x = FloatVector.fromArray(S, A, a1 + kk); s10 = x.fma(w0, s10); s11 = x.fma(w1, s11);
            x = FloatVector.fromArray(S, A, a2 + kk); s20 = x.fma(w0, s20); s21 = x.fma(w1, s21);
            x = FloatVector.fromArray(S, A, a3 + kk); s30 = x.fma(w0, s30); s31 = x.fma(w1, s31);
        }
        float t00 = sumLanes(s00), t01 = sumLanes(s01);
        float t10 = sumLanes(s10), t11 = sumLanes(s11);
        float t20 = sumLanes(s20), t21 = sumLanes(s21);
        float t30 = sumLanes(s30), t31 = sumLanes(s31);
        for (; kk < k; kk++) {
            float w0 = B[b0 + kk], w1 = B[b1 + kk];
            t00 = Math.fma(A[a0 + kk], w0, t00); t01 = Math.fma(A[a0 + kk], w1, t01);
            t10 = Math.fma(A[a1 + kk], w0, t10); t11 = Math.fma(A[a1 + kk], w1, t11);
            t20 = Math.fma(A[a2 + kk], w0, t20); t21 = Math.fma(A[a2 + kk], w1, t21);
            t30 = Math.fma(A[a3 + kk], w0, t30); t31 = Math.fma(A[a3 + kk], w1, t31);
        }
        sums[0] = t00; sums[1] = t01; sums[2] = t10; sums[3] = t11;
        sums[4] = t20; sums[5] = t21; sums[6] = t30; sums[7] = t31;
    }

    /** The first four sums of {@link #dot4x2} for two rows of A: the rows a beam of 10 leaves after two blocks of four. */
    private static void dot2x2(float[] A, int a0, int lda, float[] B, int b0, int ldb, int k, float[] sums) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        int a1 = a0 + lda, b1 = b0 + ldb;
        int kk = 0, bound = S.loopBound(k);
        for (; kk < bound; kk += V) {
            FloatVector w0 = FloatVector.fromArray(S, B, b0 + kk), w1 = FloatVector.fromArray(S, B, b1 + kk);
            FloatVector x;
            x = FloatVector.fromArray(S, A, a0 + kk); s00 = x.fma(w0, s00); s01 = x.fma(w1, s01);
            x = FloatVector.fromArray(S, A, a1 + kk); s10 = x.fma(w0, s10); s11 = x.fma(w1, s11);
        }
        float t00 = sumLanes(s00), t01 = sumLanes(s01);
        float t10 = sumLanes(s10), t11 = sumLanes(s11);
        for (; kk < k; kk++) {
            float w0 = B[b0 + kk], w1 = B[b1 + kk];
            t00 = Math.fma(A[a0 + kk], w0, t00); t01 = Math.fma(A[a0 + kk], w1, t01);
            t10 = Math.fma(A[a1 + kk], w0, t10); t11 = Math.fma(A[a1 + kk], w1, t11);
        }
        sums[0] = t00; sums[1] = t01; sums[2] = t10; sums[3] = t11;
    }

    private static final VectorShuffle<Float> ROTATE_BY_HALF = VectorShuffle.fromOp(S, i -> (i + V / 2) % V);
    private static final VectorShuffle<Float> ROTATE_BY_QUARTER = VectorShuffle.fromOp(S, i -> (i + V / 4) % V);
    private static final VectorShuffle<Float> ROTATE_BY_EIGHTH = VectorShuffle.fromOp(S, i -> (i + V / 8) % V);

    /**
     * {@link FastMath#sumLanes}, bit for bit (the same pairwise order), by adding the vector to itself rotated by
     * half, a quarter and an eighth of its lanes, then adding lanes 0 and 1: with constant shuffles C2 emits a
     * permute per step, and the dot path's eight sums per block cost less than by extracting every lane
     * (unlike {@code reduceLanes}, whose order changes when C2 compiles the caller).
     */
    private static float sumLanes(FloatVector v) {
        if (V > 16 || V < 2) return FastMath.sumLanes(v);
        if (V >= 4) v = v.add(v.rearrange(ROTATE_BY_HALF));
        if (V >= 8) v = v.add(v.rearrange(ROTATE_BY_QUARTER));
        if (V >= 16) v = v.add(v.rearrange(ROTATE_BY_EIGHTH));
        return v.lane(0) + v.lane(1);
    }

    /** Row a0 of A · row b0 of B over K, in the lane order {@link #dot4x2} uses. */
    private static float dot(float[] A, int a0, float[] B, int b0, int k) {
        FloatVector s = FloatVector.zero(S);
        int kk = 0, bound = S.loopBound(k);
        for (; kk < bound; kk += V) s = FloatVector.fromArray(S, A, a0 + kk).fma(FloatVector.fromArray(S, B, b0 + kk), s);
        float t = sumLanes(s);
        for (; kk < k; kk++) t = Math.fma(A[a0 + kk], B[b0 + kk], t);
        return t;
    }

    /**
     * How many row blocks to cut M into: enough that there are a few items per thread, but each block keeps
     * at least {@link #MIN_BLOCK_TILES} row tiles so that packing its B block is amortised, and at most
     * {@link #MAX_BLOCK_TILES} so that its C block stays in L2 next to the B block.
     */
    static int rowBlockCount(int rowTiles, int otherItems, int threads) {
        int wanted = Math.max(1, (4 * threads + otherItems - 1) / otherItems);
        int most = Math.max(1, rowTiles / MIN_BLOCK_TILES);
        int least = (rowTiles + MAX_BLOCK_TILES - 1) / MAX_BLOCK_TILES;
        return Math.max(least, Math.min(wanted, most));
    }

    private static void scaleC(float[] C, int cOff, int ldc, int m, int n, float beta) {
        for (int r = 0; r < m; r++) {
            int row = cOff + r * ldc;
            for (int c = 0; c < n; c++) C[row + c] = beta == 0f ? 0f : beta * C[row + c];
        }
    }

    /**
     * Panels [p0, p1) (NR columns each) and K rows [k0, k0 + kc) of op(B) into
     * dst[((p - p0)·kc + kk)·NR + j], zero past column n (dst is reused, so the padding is written).
     */
    private static void packB(float[] B, int bOff, boolean transB, int ldb, int n, int k0, int kc, int p0, int p1,
                              float[] dst) {
        for (int p = p0; p < p1; p++) {
            int c0 = p * NR, width = Math.min(NR, n - c0), base = (p - p0) * kc * NR;
            if (!transB) {
                for (int kk = 0; kk < kc; kk++) {
                    int at = base + kk * NR;
                    System.arraycopy(B, bOff + (k0 + kk) * ldb + c0, dst, at, width);
                    if (width < NR) java.util.Arrays.fill(dst, at + width, at + NR, 0f);
                }
            } else {
                for (int j = 0; j < width; j++) {
                    int src = bOff + (c0 + j) * ldb + k0;
                    for (int kk = 0; kk < kc; kk++) dst[base + kk * NR + j] = B[src + kk];
                }
                if (width < NR) {
                    for (int kk = 0; kk < kc; kk++) java.util.Arrays.fill(dst, base + kk * NR + width, base + (kk + 1) * NR, 0f);
                }
            }
        }
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

    /**
     * One MR×NR tile of C: C = alpha · (packed A tile · packed B panel) + beta · C. The kernel only
     * accumulates and spills its registers to {@code tile}; the write-back is a separate small method. With
     * the six alpha/beta stores inlined here, C2 ran out of its inlining node budget as soon as a beta ≠ 0
     * call (every K block after the first) made it recompile, and left the accumulators boxed: 8× slower.
     */
    private static void micro(float[] pa, float[] pb, int pbOff, int kc, float[] C, int cBase, int ldc,
                              int r0, int c0, int m, int n, float alpha, float beta, float[] tile) {
        accumulate(pa, pb, pbOff, kc, tile);
        if (r0 + MR <= m && c0 + NR <= n) {
            writeFull(tile, C, cBase + r0 * ldc + c0, ldc, alpha, beta);
        } else {
            writeEdge(tile, C, cBase + r0 * ldc + c0, ldc, Math.min(MR, m - r0), Math.min(NR, n - c0), alpha, beta);
        }
    }

    /** tile (MR, NR) = packed A tile (kc, MR)ᵀ · packed B panel (kc, NR), in registers. */
    private static void accumulate(float[] pa, float[] pb, int pbOff, int kc, float[] tile) {
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
        c00.intoArray(tile, 0); c01.intoArray(tile, V);
        c10.intoArray(tile, NR); c11.intoArray(tile, NR + V);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + V);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + V);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + V);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + V);
    }

    /** C[r, :NR] = alpha · tile[r] + beta · C[r, :NR] for all MR rows (beta == 0 ignores C). */
    private static void writeFull(float[] tile, float[] C, int at, int ldc, float alpha, float beta) {
        for (int r = 0; r < MR; r++, at += ldc) {
            for (int j = 0; j < NR; j += V) {
                FloatVector v = FloatVector.fromArray(S, tile, r * NR + j).mul(alpha);
                if (beta != 0f) v = FloatVector.fromArray(S, C, at + j).mul(beta).add(v);
                v.intoArray(C, at + j);
            }
        }
    }

    /** The same arithmetic as {@link #writeFull} for the rows × cols corner of a tile that lies inside C. */
    private static void writeEdge(float[] tile, float[] C, int at, int ldc, int rows, int cols, float alpha, float beta) {
        for (int r = 0; r < rows; r++, at += ldc) {
            for (int j = 0; j < cols; j++) {
                float acc = alpha * tile[r * NR + j];
                C[at + j] = beta == 0f ? acc : beta * C[at + j] + acc;
            }
        }
    }
}
