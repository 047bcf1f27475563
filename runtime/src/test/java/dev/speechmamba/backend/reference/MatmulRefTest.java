package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class MatmulRefTest {
    private static final double H = 1e-6;
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-8;

    @Test
    void twoByTwoMatchesHandComputation() {
        double[] a = {1, 2, 3, 4};   // (2, 2)
        double[] b = {5, 6, 7, 8};   // (2, 2)
        double[] out = new double[4];
        MatmulRef.forward(out, a, false, b, false, 1, 0, 1, 2, 2, 2, false, false, false);
        assertArrayEquals(new double[] {19, 22, 43, 50}, out, 1e-12);

        // aᵀ·b = [[1,3],[2,4]]·b; then alpha = 2, beta = 0.5 on the previous out
        MatmulRef.forward(out, a, true, b, false, 2, 0.5, 1, 2, 2, 2, false, false, false);
        assertArrayEquals(new double[] {2 * 26 + 9.5, 2 * 30 + 11, 2 * 38 + 21.5, 2 * 44 + 25}, out, 1e-12);

        // a·bᵀ
        MatmulRef.forward(out, a, false, b, true, 1, 0, 1, 2, 2, 2, false, false, false);
        assertArrayEquals(new double[] {17, 23, 39, 53}, out, 1e-12);
    }

    @Test
    void betaZeroOverwritesNaN() {
        double[] out = {Double.NaN, Double.NaN};
        MatmulRef.forward(out, new double[] {1, 2}, false, new double[] {3, 4, 5, 6}, false, 1, 0, 1, 1, 2, 2,
                false, false, false);
        assertArrayEquals(new double[] {13, 16}, out, 1e-12);
    }

    @Test
    void sharedOperandIsUsedForEveryBatchEntry() {
        double[] a = {1, 2, 3, 4};          // (2, 1, 2): two 1x2 rows
        double[] b = {1, 0, 0, 1};          // (2, 2) identity, shared
        double[] out = new double[4];       // (2, 1, 2)
        MatmulRef.forward(out, a, false, b, false, 1, 0, 2, 1, 2, 2, true, false, true);
        assertArrayEquals(a, out, 1e-12);
    }

    /** Every layout the model uses: plain, transposed, batched with a shared operand on either side. */
    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(11);
        int m = 3, n = 4, k = 5;
        boolean[][] cases = {
            // transA, transB, aBatched, bBatched
            {false, false, false, false},
            {true, false, false, false},
            {false, true, false, false},
            {true, true, false, false},
            {false, true, true, false},   // activations (B, T, K) @ weightᵀ (N, K)
            {true, false, false, true},   // shared a, batched b
            {true, true, true, true},
            {false, false, true, true},
        };
        for (boolean[] c : cases) {
            boolean transA = c[0], transB = c[1], aBatched = c[2], bBatched = c[3];
            int batch = aBatched || bBatched ? 2 : 1;
            boolean outBatched = batch > 1;
            double[] a = GradCheck.random(rng, (aBatched ? batch : 1) * m * k, -1, 1);
            double[] b = GradCheck.random(rng, (bBatched ? batch : 1) * k * n, -1, 1);
            double[] r = GradCheck.random(rng, batch * m * n, -1, 1);
            double[] da = new double[a.length];
            double[] db = new double[b.length];
            MatmulRef.backward(da, db, r, a, transA, b, transB, batch, m, n, k, aBatched, bBatched, outBatched);
            String name = "matmul transA=" + transA + " transB=" + transB + " aBatched=" + aBatched + " bBatched=" + bBatched;
            GradCheck.check(name, in -> {
                double[] out = new double[r.length];
                MatmulRef.forward(out, in[0], transA, in[1], transB, 1, 0, batch, m, n, k, aBatched, bBatched, outBatched);
                return GradCheck.dot(out, r);
            }, new double[][] {a, b}, new double[][] {da, db}, H, RTOL, ATOL);
        }
    }
}
