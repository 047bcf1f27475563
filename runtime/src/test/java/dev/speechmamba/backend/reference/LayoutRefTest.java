package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class LayoutRefTest {
    private static final double H = 1e-6;
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-8;

    @Test
    void sliceValuesAndGradient() {
        double[] x = {0, 1, 2, 3, 4, 10, 11, 12, 13, 14}; // (2, 5)
        double[] out = new double[4];                     // (2, 2)
        LayoutRef.sliceForward(out, x, 2, 5, 2, 2);
        assertArrayEquals(new double[] {2, 3, 12, 13}, out, 0.0);

        Random rng = new Random(4);
        int rows = 3, xCols = 7, outCols = 3, start = 4;
        double[] xs = GradCheck.random(rng, rows * xCols, -1, 1);
        double[] r = GradCheck.random(rng, rows * outCols, -1, 1);
        double[] dx = new double[xs.length];
        LayoutRef.sliceBackward(dx, r, rows, xCols, outCols, start);
        GradCheck.check("sliceLastDim", in -> {
            double[] o = new double[r.length];
            LayoutRef.sliceForward(o, in[0], rows, xCols, outCols, start);
            return GradCheck.dot(o, r);
        }, new double[][] {xs}, new double[][] {dx}, H, RTOL, ATOL);
    }

    @Test
    void permuteValues() {
        double[] x = {1, 2, 3, 4, 5, 6}; // (2, 3)
        double[] out = new double[6];    // (3, 2)
        LayoutRef.permuteForward(out, x, new int[] {2, 3}, new int[] {1, 0});
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, out, 0.0);

        // (B=1, C=2, T=2, F=2) -> (B, T, C, F): x[0,c,t,f] = 100c + 10t + f
        double[] x4 = {0, 1, 10, 11, 100, 101, 110, 111};
        double[] out4 = new double[8];
        LayoutRef.permuteForward(out4, x4, new int[] {1, 2, 2, 2}, new int[] {0, 2, 1, 3});
        assertArrayEquals(new double[] {0, 1, 100, 101, 10, 11, 110, 111}, out4, 0.0);
    }

    @Test
    void permuteGradients() {
        Random rng = new Random(5);
        int[][][] cases = {
            {{3, 4}, {1, 0}},
            {{2, 3, 4}, {2, 0, 1}},
            {{2, 3, 4}, {0, 2, 1}},
            {{2, 3, 4, 5}, {0, 2, 1, 3}}, // the conv front end's (B, C, T, F) -> (B, T, C, F)
            {{2, 3, 4, 5}, {3, 1, 0, 2}},
        };
        for (int[][] c : cases) {
            int[] dims = c[0];
            int[] perm = c[1];
            int n = Arrays.stream(dims).reduce(1, (p, q) -> p * q);
            double[] x = GradCheck.random(rng, n, -1, 1);
            double[] r = GradCheck.random(rng, n, -1, 1);
            double[] dx = new double[n];
            LayoutRef.permuteBackward(dx, r, dims, perm);
            GradCheck.check("permute " + Arrays.toString(perm), in -> {
                double[] o = new double[n];
                LayoutRef.permuteForward(o, in[0], dims, perm);
                return GradCheck.dot(o, r);
            }, new double[][] {x}, new double[][] {dx}, H, RTOL, ATOL);
        }
    }
}
