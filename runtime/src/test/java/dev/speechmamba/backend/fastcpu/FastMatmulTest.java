package dev.speechmamba.backend.fastcpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocked GEMM against a float64 triple loop on shapes that cross every blocking boundary (several K
 * blocks of 256, several column blocks, several row blocks, ragged MR/NR edges), and its determinism: the
 * bits of C must not depend on the thread count or on the run.
 */
class FastMatmulTest {

    private static float[] uniform(SplittableRandom rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rng.nextDouble(-1, 1);
        return x;
    }

    /** C = alpha · op(A) · op(B) + beta · C0 with batch strides, on the given pool. */
    private static float[] run(int threads, int batch, int m, int n, int k, boolean transA, boolean transB,
                               float[] a, long aStride, float[] b, long bStride, float[] c0, long cStride,
                               float alpha, float beta) {
        float[] c = c0.clone();
        try (FastParallel par = new FastParallel(threads)) {
            new FastMatmul(par).gemm(batch, a, 0, aStride, transA, transA ? m : k, b, 0, bStride, transB, transB ? k : n,
                    c, 0, cStride, n, m, n, k, alpha, beta);
        }
        return c;
    }

    @ParameterizedTest(name = "batch {0}: ({1} x {3}) * ({3} x {2}) transA={4} transB={5}")
    @CsvSource({
            "1, 50, 1100, 530, false, false",
            "1, 50, 1100, 530, true, true",
            "1, 130, 70, 600, false, true",
            "1, 7, 33, 257, true, false",
            "2, 45, 300, 300, false, false",
            "3, 13, 17, 1, true, true",
            "1, 10, 257, 250, false, true",
            "2, 7, 65, 33, true, true",
            "1, 257, 70, 300, false, true",
            "1, 300, 45, 270, true, true"})
    void matchesFloat64ReferenceAcrossBlockBoundaries(int batch, int m, int n, int k, boolean transA, boolean transB) {
        SplittableRandom rng = new SplittableRandom(m * 31L + n * 7L + k);
        long aStride = (long) m * k, bStride = (long) k * n, cStride = (long) m * n;
        float[] a = uniform(rng, batch * m * k), b = uniform(rng, batch * k * n), c0 = uniform(rng, batch * m * n);
        float alpha = 0.7f, beta = 0.3f;
        float[] got = run(2, batch, m, n, k, transA, transB, a, aStride, b, bStride, c0, cStride, alpha, beta);
        for (int bi = 0; bi < batch; bi++) {
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < n; c++) {
                    double sum = 0, magnitude = 0;
                    for (int kk = 0; kk < k; kk++) {
                        float av = a[(int) (bi * aStride) + (transA ? kk * m + r : r * k + kk)];
                        float bv = b[(int) (bi * bStride) + (transB ? c * k + kk : kk * n + c)];
                        sum += (double) av * bv;
                        magnitude += Math.abs((double) av * bv);
                    }
                    int at = (int) (bi * cStride) + r * n + c;
                    double want = alpha * sum + beta * c0[at];
                    double tolerance = 1e-5 * (magnitude + Math.abs(c0[at])) + 1e-6;
                    assertTrue(Math.abs(got[at] - want) <= tolerance,
                            "C[" + bi + ", " + r + ", " + c + "] = " + got[at] + ", want " + want);
                }
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInTheOldOutput() {
        SplittableRandom rng = new SplittableRandom(3);
        int m = 9, n = 40, k = 300;
        float[] a = uniform(rng, m * k), b = uniform(rng, k * n), c0 = new float[m * n];
        java.util.Arrays.fill(c0, Float.NaN);
        float[] got = run(1, 1, m, n, k, false, false, a, 0, b, 0, c0, 0, 1f, 0f);
        for (float v : got) assertTrue(Float.isFinite(v), "beta 0 must overwrite NaN, got " + v);
    }

    @Test
    void sharedOperandsAndSharedOutputSumOverTheBatch() {
        SplittableRandom rng = new SplittableRandom(11);
        int batch = 3, m = 20, n = 70, k = 280;
        float[] a = uniform(rng, batch * m * k), b = uniform(rng, k * n), c0 = uniform(rng, m * n);
        // shared B (stride 0), shared C (stride 0): C = c0 + Σ_i A_i · B
        float[] got = run(2, batch, m, n, k, false, false, a, (long) m * k, b, 0, c0, 0, 1f, 1f);
        float[] oneByOne = c0.clone();
        for (int i = 0; i < batch; i++) {
            float[] ai = java.util.Arrays.copyOfRange(a, i * m * k, (i + 1) * m * k);
            oneByOne = run(1, 1, m, n, k, false, false, ai, 0, b, 0, oneByOne, 0, 1f, 1f);
        }
        assertArrayEquals(oneByOne, got, "a shared output accumulates the batch entries in order");
    }

    @Test
    void resultBitsDoNotDependOnThreadCountOrRun() {
        SplittableRandom rng = new SplittableRandom(17);
        int m = 200, n = 1300, k = 700;
        float[] a = uniform(rng, m * k), b = uniform(rng, k * n), c0 = uniform(rng, m * n);
        for (boolean transB : new boolean[] {false, true}) {         // the packed path and the dot-product one
            float[] single = run(1, 1, m, n, k, false, transB, a, 0, b, 0, c0, 0, 1f, 0.5f);
            for (int threads : new int[] {2, 3, 2}) {
                float[] multi = run(threads, 1, m, n, k, false, transB, a, 0, b, 0, c0, 0, 1f, 0.5f);
                for (int i = 0; i < single.length; i++) {
                    assertEquals(Float.floatToRawIntBits(single[i]), Float.floatToRawIntBits(multi[i]),
                            "element " + i + " with " + threads + " threads, transB " + transB);
                }
            }
        }
    }

    @Test
    void transposedBIsReadInPlaceForFewRowsAndPackedForMany() {
        // The two paths of gemm on the same transposed-B shapes: each agrees with the other within rounding,
        // and gemm takes the dot-product path up to DOT_MAX_ROWS rows (bit for bit the same as calling it).
        SplittableRandom rng = new SplittableRandom(23);
        for (int m : new int[] {1, 10, FastMatmul.DOT_MAX_ROWS, FastMatmul.DOT_MAX_ROWS + 1}) {
            int n = 67, k = 131;
            float[] a = uniform(rng, m * k), b = uniform(rng, n * k), c0 = uniform(rng, m * n);
            float[] viaGemm = c0.clone(), dots = c0.clone(), packed = c0.clone();
            try (FastParallel par = new FastParallel(2)) {
                FastMatmul mm = new FastMatmul(par);
                mm.gemm(1, a, 0, 0, false, k, b, 0, 0, true, k, viaGemm, 0, 0, n, m, n, k, 1f, 0.5f);
                mm.gemmByDots(1, a, 0, 0, false, k, b, 0, 0, k, dots, 0, 0, n, m, n, k, 1f, 0.5f);
                mm.gemmPacked(1, a, 0, 0, false, k, b, 0, 0, true, k, packed, 0, 0, n, m, n, k, 1f, 0.5f);
            }
            float[] expected = m <= FastMatmul.DOT_MAX_ROWS ? dots : packed;
            assertArrayEquals(expected, viaGemm, "gemm with " + m + " rows takes the " + (m <= FastMatmul.DOT_MAX_ROWS ? "dot-product" : "packed") + " path");
            for (int i = 0; i < dots.length; i++) {
                assertEquals(packed[i], dots[i], 1e-4f * (1 + Math.abs(packed[i])), "element " + i + " with " + m + " rows");
            }
        }
    }

    /**
     * Every element of the dot-product path is the scalar sum this spells out: one fused multiply-add chain per lane
     * over K's full vectors, the lanes added in FastMath.sumLanes's pairwise order, then the remaining K one by one.
     * The order is fixed by the code, not by the JIT (reduceLanes would let C2 choose it), so 7 rows (blocks of four,
     * two and one) and an odd column count give these bits in every execution mode; 3 000 runs take the kernels through C1 and C2.
     */
    @Test
    void dotPathFollowsItsDocumentedOrderBitForBit() {
        SplittableRandom rng = new SplittableRandom(31);
        int m = 7, n = 33, k = 3 * FastMath.S.length() + 5, lanes = FastMath.S.length();
        float[] a = uniform(rng, m * k), b = uniform(rng, n * k), c = new float[m * n];
        try (FastParallel par = new FastParallel(2)) {
            for (int run = 0; run < 3000; run++) {   // long enough for C2 to compile dot4x2 on the way
                new FastMatmul(par).gemmByDots(1, a, 0, 0, false, k, b, 0, 0, k, c, 0, 0, n, m, n, k, 1f, 0f);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        float[] acc = new float[lanes];
                        int kk = 0;
                        for (; kk + lanes <= k; kk += lanes) {
                            for (int l = 0; l < lanes; l++) acc[l] = Math.fma(a[i * k + kk + l], b[j * k + kk + l], acc[l]);
                        }
                        for (int half = lanes / 2; half >= 1; half /= 2) {
                            for (int l = 0; l < half; l++) acc[l] += acc[l + half];
                        }
                        float sum = acc[0];
                        for (; kk < k; kk++) sum = Math.fma(a[i * k + kk], b[j * k + kk], sum);
                        assertEquals(Float.floatToRawIntBits(sum), Float.floatToRawIntBits(c[i * n + j]),
                                "row " + i + ", column " + j + ", run " + run);
                    }
                }
            }
        }
    }

    @Test
    void rowBlocksGiveEveryThreadWorkWithoutShreddingM() {
        assertEquals(1, FastMatmul.rowBlockCount(5, 1, 2), "too few tiles to split");
        assertEquals(8, FastMatmul.rowBlockCount(64, 1, 2), "4 items per thread from M alone");
        assertEquals(5, FastMatmul.rowBlockCount(40, 1, 2), "at least 8 tiles per block");
        assertEquals(11, FastMatmul.rowBlockCount(171, 1, 2), "at most 16 tiles per block");
        assertEquals(1, FastMatmul.rowBlockCount(11, 59, 2), "column blocks already give the threads work");
    }
}
