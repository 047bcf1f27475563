package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class Conv1dRefTest {

    @Test
    void causalBoundarySeesOnlyThePast() {
        double[] x = {1, 2, 3, 4};          // (1, T=4, C=1)
        double[] w = {1, 10, 100, 1000};    // (C=1, K=4): w[K-1] multiplies the current step
        double[] out = new double[4];
        Conv1dRef.forward(out, x, w, new double[] {0.5}, 1, 4, 1, 4);
        assertArrayEquals(new double[] {1000.5, 2100.5, 3210.5, 4321.5}, out, 0.0);
    }

    @Test
    void channelsAreIndependent() {
        double[] x = {1, 5, 2, 6};  // (1, T=2, C=2)
        double[] w = {1, 2, 3, 4};  // (C=2, K=2)
        double[] out = new double[4];
        Conv1dRef.forward(out, x, w, null, 1, 2, 2, 2);
        assertArrayEquals(new double[] {2 * 1, 4 * 5, 1 * 1 + 2 * 2, 3 * 5 + 4 * 6}, out, 0.0);
    }

    @Test
    void gradientsWithKernelFour() {
        Random rng = new Random(15);
        int batch = 2, time = 6, channels = 3, kernel = 4;
        double[] x = GradCheck.random(rng, batch * time * channels, -1, 1);
        double[] w = GradCheck.random(rng, channels * kernel, -1, 1);
        double[] bias = GradCheck.random(rng, channels, -1, 1);
        double[] r = GradCheck.random(rng, x.length, -1, 1);
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        double[] dBias = new double[bias.length];
        Conv1dRef.backward(dx, dw, dBias, r, x, w, batch, time, channels, kernel);
        GradCheck.check("causalConv1d", in -> {
            double[] o = new double[r.length];
            Conv1dRef.forward(o, in[0], in[1], in[2], batch, time, channels, kernel);
            return GradCheck.dot(o, r);
        }, new double[][] {x, w, bias}, new double[][] {dx, dw, dBias}, 1e-6, 1e-6, 1e-8);
    }
}
