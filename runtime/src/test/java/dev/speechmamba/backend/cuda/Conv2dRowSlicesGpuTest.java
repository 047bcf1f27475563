package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Backends;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * conv2d's GEMM path with an im2col buffer too small for one batch entry, so the forward runs in slices
 * of output rows (what an hour of audio needs), agrees with the unsliced path; the backward still runs.
 * Skips where no GPU is usable.
 */
@Tag("gpu")
class Conv2dRowSlicesGpuTest {
    /** The conv of the test: (batch, ci, h, w) → (batch, co, ho, wo) with a kernel k, stride and padding. */
    private record Conv(int batch, int ci, int h, int w, int co, int k, int stride, int padding) {
        int ho() { return (h + 2 * padding - k) / stride + 1; }

        int wo() { return (w + 2 * padding - k) / stride + 1; }

        /** Bytes of im2col columns for one output row of one entry. */
        long bytesPerRow() { return (long) ci * k * k * wo() * Float.BYTES; }
    }

    @Test
    void rowSlicedForwardMatchesTheWholeEntryGemm() {
        assumeTrue(Backends.cudaUsable(), "no usable CUDA device here");
        // 5x5 stride 2 (the second front-end conv): ho = 12, slices of 5, 5 and 2 rows
        check(new Conv(3, 8, 23, 19, 6, 5, 2, 2), 5);
        // 1x1 stride 1 (the third; Ci = 16 so it takes the GEMM path), one row per slice
        check(new Conv(2, 16, 7, 9, 5, 1, 1, 0), 1);
    }

    private static void check(Conv c, int rowsPerSlice) {
        long bufferBytes = c.bytesPerRow() * rowsPerSlice;
        System.setProperty(ConvLauncher.COLUMN_BUFFER_PROPERTY, Long.toString(bufferBytes));
        CudaBackend sliced;
        try {
            sliced = CudaBackend.create(0);
        } finally {
            System.clearProperty(ConvLauncher.COLUMN_BUFFER_PROPERTY);
        }
        try (sliced; CudaBackend whole = CudaBackend.create(0)) {
            Random rng = new Random(11);
            float[] xs = random(rng, c.batch() * c.ci() * c.h() * c.w());
            float[] ws = random(rng, c.co() * c.ci() * c.k() * c.k());
            float[] bs = random(rng, c.co());
            float[] gs = random(rng, c.batch() * c.co() * c.ho() * c.wo());
            float[][] expected = run(whole, c, xs, ws, bs, gs);
            float[][] actual = run(sliced, c, xs, ws, bs, gs);
            String[] names = {"out", "dx", "dw", "dBias"};
            for (int t = 0; t < names.length; t++) {
                for (int i = 0; i < expected[t].length; i++) {
                    double tol = 1e-5 * (1 + Math.abs(expected[t][i]));
                    assertTrue(Math.abs(expected[t][i] - actual[t][i]) <= tol, c + " " + names[t] + "[" + i
                            + "]: whole " + expected[t][i] + ", sliced " + actual[t][i]);
                }
            }
        }
    }

    private static float[] random(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextFloat() * 2 - 1;
        return v;
    }

    private static float[][] run(CudaBackend b, Conv c, float[] xs, float[] ws, float[] bs, float[] gs) {
        try (Tensor x = b.fromHost(xs, c.batch(), c.ci(), c.h(), c.w());
             Tensor w = b.fromHost(ws, c.co(), c.ci(), c.k(), c.k());
             Tensor bias = b.fromHost(bs, c.co());
             Tensor out = b.zeros(DType.F32, c.batch(), c.co(), c.ho(), c.wo());   // (B, Co, Ho, Wo)
             Tensor g = b.fromHost(gs, c.batch(), c.co(), c.ho(), c.wo());
             Tensor dx = b.zeros(DType.F32, c.batch(), c.ci(), c.h(), c.w());
             Tensor dw = b.zeros(DType.F32, c.co(), c.ci(), c.k(), c.k());
             Tensor dBias = b.zeros(DType.F32, c.co())) {
            b.fill(out, Float.NaN);   // every output element must be written by some slice
            b.conv2d(out, x, w, bias, c.stride(), c.padding());
            b.conv2dBackward(dx, dw, dBias, g, x, w, c.stride(), c.padding());
            return new float[][] {b.toHost(out), b.toHost(dx), b.toHost(dw), b.toHost(dBias)};
        }
    }
}
