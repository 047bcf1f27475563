package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class Conv2dRefTest {

    @Test
    void handComputedSmallCases() {
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9}; // (1, 1, 3, 3)
        double[] ones = {1, 1, 1, 1};             // (1, 1, 2, 2)
        double[] out = new double[4];             // (1, 1, 2, 2): sums of 2x2 blocks, plus bias
        Conv2dRef.forward(out, x, ones, new double[] {0.5}, 1, 1, 3, 3, 1, 2, 2, 1, 0);
        assertArrayEquals(new double[] {12.5, 16.5, 24.5, 28.5}, out, 0.0);

        // stride 2, padding 1, 3x3 kernel of ones: Ho = (3 + 2 - 3) / 2 + 1 = 2; windows centered on corners
        double[] nine = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        double[] corners = new double[4];
        Conv2dRef.forward(corners, x, nine, null, 1, 1, 3, 3, 1, 3, 3, 2, 1);
        assertArrayEquals(new double[] {1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9}, corners, 0.0);
    }

    @Test
    void gradientsWithStrideAndPadding() {
        check(2, 2, 5, 6, 3, 3, 3, 2, 1, 13);
        check(1, 3, 4, 5, 2, 2, 3, 1, 0, 14);
    }

    private static void check(int batch, int inChannels, int height, int width, int outChannels, int kernelH,
                              int kernelW, int stride, int padding, long seed) {
        Random rng = new Random(seed);
        int outH = Conv2dRef.outputSize(height, kernelH, stride, padding);
        int outW = Conv2dRef.outputSize(width, kernelW, stride, padding);
        double[] x = GradCheck.random(rng, batch * inChannels * height * width, -1, 1);
        double[] w = GradCheck.random(rng, outChannels * inChannels * kernelH * kernelW, -1, 1);
        double[] bias = GradCheck.random(rng, outChannels, -1, 1);
        double[] r = GradCheck.random(rng, batch * outChannels * outH * outW, -1, 1);
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        double[] dBias = new double[bias.length];
        Conv2dRef.backward(dx, dw, dBias, r, x, w, batch, inChannels, height, width, outChannels, kernelH, kernelW,
                stride, padding);
        GradCheck.check("conv2d stride " + stride + " padding " + padding, in -> {
            double[] o = new double[r.length];
            Conv2dRef.forward(o, in[0], in[1], in[2], batch, inChannels, height, width, outChannels, kernelH, kernelW,
                    stride, padding);
            return GradCheck.dot(o, r);
        }, new double[][] {x, w, bias}, new double[][] {dx, dw, dBias}, 1e-6, 1e-6, 1e-8);
    }
}
