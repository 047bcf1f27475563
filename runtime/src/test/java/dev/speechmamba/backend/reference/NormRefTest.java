package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NormRefTest {
    private static final double H = 1e-6;
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-8;

    @Test
    void rmsNormOfKnownVector() {
        double[] out = new double[2];
        double[] rstd = new double[1];
        NormRef.rmsForward(out, rstd, new double[] {3, 4}, new double[] {1, 2}, 0.0, 1, 2);
        double rms = Math.sqrt((9 + 16) / 2.0); // 3.5355...
        assertEquals(1 / rms, rstd[0], 1e-15);
        assertArrayEquals(new double[] {3 / rms, 2 * 4 / rms}, out, 1e-15);
    }

    @Test
    void layerNormOfKnownVector() {
        double[] out = new double[3];
        double[] mean = new double[1];
        double[] rstd = new double[1];
        NormRef.layerForward(out, mean, rstd, new double[] {1, 2, 3}, new double[] {1, 1, 2},
                new double[] {0, 0.5, 0}, 0.0, 1, 3);
        double std = Math.sqrt(2.0 / 3.0); // biased variance of {1, 2, 3}
        assertEquals(2.0, mean[0], 1e-15);
        assertEquals(1 / std, rstd[0], 1e-15);
        assertArrayEquals(new double[] {-1 / std, 0.5, 2 / std}, out, 1e-15);
    }

    @Test
    void rmsNormGradients() {
        Random rng = new Random(6);
        int rows = 3, cols = 5;
        double eps = 1e-5;
        double[] x = GradCheck.random(rng, rows * cols, -2, 2);
        double[] weight = GradCheck.random(rng, cols, 0.5, 1.5);
        double[] r = GradCheck.random(rng, rows * cols, -1, 1);
        double[] out = new double[rows * cols];
        double[] rstd = new double[rows];
        NormRef.rmsForward(out, rstd, x, weight, eps, rows, cols);
        double[] dx = new double[x.length];
        double[] dWeight = new double[cols];
        NormRef.rmsBackward(dx, dWeight, r, x, weight, rstd, rows, cols);
        GradCheck.check("rmsNorm", in -> {
            double[] o = new double[rows * cols];
            NormRef.rmsForward(o, new double[rows], in[0], in[1], eps, rows, cols);
            return GradCheck.dot(o, r);
        }, new double[][] {x, weight}, new double[][] {dx, dWeight}, H, RTOL, ATOL);
    }

    @Test
    void layerNormGradients() {
        Random rng = new Random(7);
        int rows = 3, cols = 6;
        double eps = 1e-5;
        double[] x = GradCheck.random(rng, rows * cols, -2, 2);
        double[] weight = GradCheck.random(rng, cols, 0.5, 1.5);
        double[] bias = GradCheck.random(rng, cols, -0.5, 0.5);
        double[] r = GradCheck.random(rng, rows * cols, -1, 1);
        double[] out = new double[rows * cols];
        double[] mean = new double[rows];
        double[] rstd = new double[rows];
        NormRef.layerForward(out, mean, rstd, x, weight, bias, eps, rows, cols);
        double[] dx = new double[x.length];
        double[] dWeight = new double[cols];
        double[] dBias = new double[cols];
        NormRef.layerBackward(dx, dWeight, dBias, r, x, weight, mean, rstd, rows, cols);
        GradCheck.check("layerNorm", in -> {
            double[] o = new double[rows * cols];
            NormRef.layerForward(o, new double[rows], new double[rows], in[0], in[1], in[2], eps, rows, cols);
            return GradCheck.dot(o, r);
        }, new double[][] {x, weight, bias}, new double[][] {dx, dWeight, dBias}, H, RTOL, ATOL);
    }
}
