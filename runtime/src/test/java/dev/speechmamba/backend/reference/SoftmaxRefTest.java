package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class SoftmaxRefTest {
    private static final double H = 1e-6;
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-8;

    @Test
    void knownValuesAndLargeInputs() {
        double[] out = new double[4];
        double[] x = {0, Math.log(3), 1000, 1000 + Math.log(3)}; // second row would overflow without the max shift
        SoftmaxRef.softmaxForward(out, x, 2, 2);
        assertArrayEquals(new double[] {0.25, 0.75, 0.25, 0.75}, out, 1e-12);
        SoftmaxRef.logSoftmaxForward(out, x, 2, 2);
        assertArrayEquals(new double[] {Math.log(0.25), Math.log(0.75), Math.log(0.25), Math.log(0.75)}, out, 1e-12);
    }

    @Test
    void softmaxGradients() {
        Random rng = new Random(8);
        int rows = 3, cols = 5;
        double[] x = GradCheck.random(rng, rows * cols, -3, 3);
        double[] r = GradCheck.random(rng, rows * cols, -1, 1);
        double[] out = new double[x.length];
        SoftmaxRef.softmaxForward(out, x, rows, cols);
        double[] dx = new double[x.length];
        SoftmaxRef.softmaxBackward(dx, r, out, rows, cols);
        GradCheck.check("softmax", in -> {
            double[] o = new double[x.length];
            SoftmaxRef.softmaxForward(o, in[0], rows, cols);
            return GradCheck.dot(o, r);
        }, new double[][] {x}, new double[][] {dx}, H, RTOL, ATOL);
    }

    @Test
    void logSoftmaxGradients() {
        Random rng = new Random(9);
        int rows = 3, cols = 5;
        double[] x = GradCheck.random(rng, rows * cols, -3, 3);
        double[] r = GradCheck.random(rng, rows * cols, -1, 1);
        double[] out = new double[x.length];
        SoftmaxRef.logSoftmaxForward(out, x, rows, cols);
        double[] dx = new double[x.length];
        SoftmaxRef.logSoftmaxBackward(dx, r, out, rows, cols);
        GradCheck.check("logSoftmax", in -> {
            double[] o = new double[x.length];
            SoftmaxRef.logSoftmaxForward(o, in[0], rows, cols);
            return GradCheck.dot(o, r);
        }, new double[][] {x}, new double[][] {dx}, H, RTOL, ATOL);
    }
}
