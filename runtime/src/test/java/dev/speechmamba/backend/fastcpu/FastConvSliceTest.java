package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * conv2d on an image large enough that im2col works in several slices of output positions (more than 2^22
 * column floats), with slice starts in the middle of output rows, strided and padded: forward and backward
 * against the float64 reference.
 */
class FastConvSliceTest {
    @Test
    void slicedIm2colMatchesTheReference() {
        int batch = 1, ci = 8, h = 161, w = 163, co = 2, k = 5, stride = 1, pad = 2;   // 26 243 positions × 200 rows
        SplittableRandom rng = new SplittableRandom(11);
        float[] x = uniform(rng, batch * ci * h * w), wt = uniform(rng, co * ci * k * k), bias = uniform(rng, co);
        int ho = (h + 2 * pad - k) / stride + 1, wo = (w + 2 * pad - k) / stride + 1;
        float[] dOut = uniform(rng, batch * co * ho * wo);
        float[][] ref = run(new ReferenceBackend(), x, wt, bias, dOut, batch, ci, h, w, co, k, stride, pad, ho, wo);
        try (Backend cpu = Backends.create("cpu")) {
            float[][] fast = run(cpu, x, wt, bias, dOut, batch, ci, h, w, co, k, stride, pad, ho, wo);
            String[] names = {"out", "dx", "dw"};
            for (int t = 0; t < 3; t++) {
                for (int i = 0; i < ref[t].length; i++) {
                    assertEquals(ref[t][i], fast[t][i], 1e-3 + 1e-4 * Math.abs(ref[t][i]), names[t] + "[" + i + "]");
                }
            }
        }
    }

    private static float[][] run(Backend be, float[] x, float[] wt, float[] bias, float[] dOut, int batch, int ci, int h,
                                 int w, int co, int k, int stride, int pad, int ho, int wo) {
        Tensor xt = be.fromHost(x, batch, ci, h, w), wT = be.fromHost(wt, co, ci, k, k), bT = be.fromHost(bias, co);
        Tensor out = be.zeros(DType.F32, batch, co, ho, wo);
        be.conv2d(out, xt, wT, bT, stride, pad);
        Tensor dx = be.zeros(DType.F32, batch, ci, h, w), dw = be.zeros(DType.F32, co, ci, k, k), db = be.zeros(DType.F32, co);
        be.conv2dBackward(dx, dw, db, be.fromHost(dOut, batch, co, ho, wo), xt, wT, stride, pad);
        return new float[][] {be.toHost(out), be.toHost(dx), be.toHost(dw)};
    }

    private static float[] uniform(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextDouble(-1, 1);
        return v;
    }
}
