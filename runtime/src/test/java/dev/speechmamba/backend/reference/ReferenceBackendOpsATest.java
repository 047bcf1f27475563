package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.Unary;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference backend's part-A ops through the Backend interface: argument checks, accumulation, views. */
class ReferenceBackendOpsATest {
    private final ReferenceBackend backend = new ReferenceBackend();
    private final Random rng = new Random(21);

    private Tensor random(int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float) (rng.nextDouble() * 2 - 1);
        return backend.fromHost(data, dims);
    }

    /** The call fails with IllegalArgumentException whose message contains every fragment. */
    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void shapeAndDtypeErrorsNameTheOpAndShapes() {
        assertRejected(() -> backend.matmul(random(2, 5), random(2, 3), false, random(4, 5), false, 1, 0),
                "matmul", "(2, 3)", "(4, 5)");
        assertRejected(() -> backend.matmul(random(2, 2, 5), random(2, 2, 3), false, random(3, 3, 5), false, 1, 0),
                "matmul", "batch", "(3, 3, 5)");
        assertRejected(() -> backend.matmulBackward(random(3, 2), null, random(2, 5), random(2, 3), false,
                random(3, 5), false), "matmulBackward", "da", "(3, 2)", "(2, 3)");
        assertRejected(() -> backend.unary(Unary.SILU, random(2, 3), random(3, 2)), "unary", "(2, 3)", "(3, 2)");
        assertRejected(() -> backend.add(random(2, 3), random(2, 3), random(2, 4)), "add", "(2, 3)", "(2, 4)");
        assertRejected(() -> backend.addBias(random(2, 3), random(2, 3), random(4)), "addBias", "bias", "(4)");
        assertRejected(() -> backend.sliceLastDim(random(2, 3), random(2, 4), 2), "sliceLastDim", "(2, 3)", "(2, 4)");
        assertRejected(() -> backend.permute(random(3, 2, 4, 5), random(2, 3, 4, 5), 0, 2, 1, 3),
                "permute", "(3, 2, 4, 5)", "(2, 3, 4, 5)");
        assertRejected(() -> backend.permute(random(2, 3), random(2, 3), 0, 0), "permute", "perm [0, 0]");
        assertRejected(() -> backend.rmsNorm(random(2, 3), random(2), random(2, 3), random(4), 1e-5f),
                "rmsNorm", "weight", "(4)");
        assertRejected(() -> backend.layerNorm(random(2, 3), random(3), random(2), random(2, 3), random(3), random(3),
                1e-5f), "layerNorm", "mean", "(3)", "(2, 3)");
        assertRejected(() -> backend.softmax(random(2, 3), random(2, 4)), "softmax", "(2, 3)", "(2, 4)");
        assertRejected(() -> backend.dropout(random(4), random(4), 1f, 7L), "dropout", "p = 1.0");
        assertRejected(() -> backend.embedding(random(2, 3), random(2), random(5, 3)), "embedding", "ids", "I32");
        assertRejected(() -> backend.embedding(random(2, 3), backend.fromHostInts(new int[] {1, 5}, 2), random(5, 3)),
                "embedding", "ids[1] = 5");
        assertRejected(() -> backend.conv2d(random(1, 2, 3, 3), random(1, 3, 5, 5), random(2, 2, 3, 3), null, 1, 0),
                "conv2d", "w", "(2, 2, 3, 3)");
        assertRejected(() -> backend.conv2d(random(1, 2, 4, 4), random(1, 2, 5, 5), random(2, 2, 3, 3), null, 1, 0),
                "conv2d", "out", "(1, 2, 4, 4)", "(1, 2, 3, 3)");
        assertRejected(() -> backend.causalConv1d(random(2, 5, 3), random(2, 5, 3), random(4, 4), null),
                "causalConv1d", "w", "(4, 4)");
        assertRejected(() -> backend.adamStep(random(3), random(3), random(4), random(3), 1e-3f, 0.9f, 0.999f, 1e-8f,
                0f, 1), "adamStep", "(3)", "(4)");
        assertRejected(() -> backend.adamStep(random(3), random(3), random(3), random(3), 1e-3f, 0.9f, 0.999f, 1e-8f,
                0f, 0), "adamStep", "step");
    }

    /** Calls {@code backward} twice on zeroed gradients; the second result must be twice the first. */
    private void assertAccumulates(String op, Runnable backward, Tensor... grads) {
        for (Tensor g : grads) backend.fill(g, 0f);
        backward.run();
        float[][] once = new float[grads.length][];
        for (int i = 0; i < grads.length; i++) once[i] = backend.toHost(grads[i]);
        backward.run();
        for (int i = 0; i < grads.length; i++) {
            float[] twice = backend.toHost(grads[i]);
            boolean nonZero = false;
            for (int j = 0; j < twice.length; j++) {
                assertEquals(2 * once[i][j], twice[j], 1e-5f * Math.max(1f, Math.abs(twice[j])),
                        op + " gradient " + i + "[" + j + "]");
                nonZero |= once[i][j] != 0;
            }
            assertTrue(nonZero, op + " gradient " + i + " must not be all zero");
        }
    }

    @Test
    void backwardPassesAccumulate() {
        Tensor a = random(2, 3, 4), b = random(5, 4), dOutMm = random(2, 3, 5);
        Tensor da = backend.zeros(DType.F32, 2, 3, 4), db = backend.zeros(DType.F32, 5, 4);
        assertAccumulates("matmul", () -> backend.matmulBackward(da, db, dOutMm, a, false, b, true), da, db);

        Tensor x = random(3, 4), dOut = random(3, 4), dx = backend.zeros(DType.F32, 3, 4);
        assertAccumulates("unary", () -> backend.unaryBackward(Unary.SOFTPLUS, dx, dOut, x), dx);
        Tensor dy = backend.zeros(DType.F32, 3, 4);
        assertAccumulates("add", () -> backend.addBackward(dx, dy, dOut), dx, dy);
        Tensor y = random(3, 4);
        assertAccumulates("mul", () -> backend.mulBackward(dx, dy, dOut, x, y), dx, dy);
        Tensor dBias4 = backend.zeros(DType.F32, 4);
        assertAccumulates("addBias", () -> backend.addBiasBackward(dx, dBias4, dOut), dx, dBias4);

        Tensor dWide = backend.zeros(DType.F32, 3, 6);
        assertAccumulates("sliceLastDim", () -> backend.sliceLastDimBackward(dWide, dOut, 1), dWide);
        Tensor d4 = backend.zeros(DType.F32, 2, 3, 4, 5);
        Tensor dOut4 = random(2, 4, 3, 5);
        assertAccumulates("permute", () -> backend.permuteBackward(d4, dOut4, 0, 2, 1, 3), d4);

        Tensor weight = random(4), bias = random(4), out = random(3, 4), mean = random(3), rstd = random(3);
        Tensor dWeight = backend.zeros(DType.F32, 4), dBias = backend.zeros(DType.F32, 4);
        backend.rmsNorm(out, rstd, x, weight, 1e-5f);
        assertAccumulates("rmsNorm", () -> backend.rmsNormBackward(dx, dWeight, dOut, x, weight, rstd), dx, dWeight);
        backend.layerNorm(out, mean, rstd, x, weight, bias, 1e-5f);
        assertAccumulates("layerNorm",
                () -> backend.layerNormBackward(dx, dWeight, dBias, dOut, x, weight, mean, rstd), dx, dWeight, dBias);
        backend.softmax(out, x);
        assertAccumulates("softmax", () -> backend.softmaxBackward(dx, dOut, out), dx);
        backend.logSoftmax(out, x);
        assertAccumulates("logSoftmax", () -> backend.logSoftmaxBackward(dx, dOut, out), dx);
        assertAccumulates("dropout", () -> backend.dropoutBackward(dx, dOut, 0.2f, 5L), dx);

        Tensor ids = backend.fromHostInts(new int[] {1, 0, 1}, 3);
        Tensor dTable = backend.zeros(DType.F32, 2, 4);
        assertAccumulates("embedding", () -> backend.embeddingBackward(dTable, dOut, ids), dTable);

        Tensor img = random(2, 2, 5, 5), w2 = random(3, 2, 3, 3), dOut2 = random(2, 3, 3, 3);
        Tensor dImg = backend.zeros(DType.F32, 2, 2, 5, 5), dw2 = backend.zeros(DType.F32, 3, 2, 3, 3);
        Tensor dBias3 = backend.zeros(DType.F32, 3);
        assertAccumulates("conv2d", () -> backend.conv2dBackward(dImg, dw2, dBias3, dOut2, img, w2, 2, 1),
                dImg, dw2, dBias3);

        Tensor seq = random(2, 5, 3), w1 = random(3, 4), dSeqOut = random(2, 5, 3);
        Tensor dSeq = backend.zeros(DType.F32, 2, 5, 3), dw1 = backend.zeros(DType.F32, 3, 4);
        assertAccumulates("causalConv1d", () -> backend.causalConv1dBackward(dSeq, dw1, dBias3, dSeqOut, seq, w1),
                dSeq, dw1, dBias3);
    }

    @Test
    void forwardResultsMatchTheRefKernels() {
        // 2-D weight shared across a (2, 3, 4) batch, transposed like a linear layer: (B, T, K) @ (N, K)ᵀ
        Tensor x = random(2, 3, 4), w = random(5, 4);
        Tensor out = backend.zeros(DType.F32, 2, 3, 5);
        backend.fill(out, Float.NaN);
        backend.matmul(out, x, false, w, true, 1f, 0f);
        float[] xs = backend.toHost(x), ws = backend.toHost(w), got = backend.toHost(out);
        for (int bt = 0; bt < 6; bt++) {
            for (int n = 0; n < 5; n++) {
                double sum = 0;
                for (int k = 0; k < 4; k++) sum += (double) xs[bt * 4 + k] * ws[n * 4 + k];
                assertEquals(sum, got[bt * 5 + n], 1e-6, "out[" + bt + ", " + n + "]");
            }
        }
        Tensor y = backend.fromHost(new float[] {1, 2}, 2);
        backend.axpy(y, 3f, backend.fromHost(new float[] {1, -1}, 2));
        assertArrayEquals(new float[] {4, -1}, backend.toHost(y));
        backend.scale(y, 0.5f);
        assertArrayEquals(new float[] {2, -0.5f}, backend.toHost(y));
        assertEquals(4.25, backend.sumOfSquares(y), 0.0);
    }

    @Test
    void viewsWithAnOffsetReadAndWriteTheirOwnElements() {
        Tensor whole = backend.fromHost(new float[] {-1, -2, 1, 2, 3, 4}, 3, 2);
        Tensor lastRows = whole.narrowFirst(1, 2);   // (2, 2) at offset 2
        Tensor out = backend.zeros(DType.F32, 4, 2);
        backend.fill(out, 7f);
        Tensor outView = out.narrowFirst(2, 2);
        backend.unary(Unary.EXP, outView, lastRows);
        float[] got = backend.toHost(out);
        assertArrayEquals(new float[] {7, 7, 7, 7, (float) Math.E, (float) Math.exp(2), (float) Math.exp(3),
                (float) Math.exp(4)}, got, 1e-6f);

        Tensor params = backend.fromHost(new float[] {9, 1, -1}, 3);
        Tensor param = params.narrowFirst(1, 2);
        Tensor grad = backend.fromHost(new float[] {0.5f, 0.5f}, 2);
        Tensor m = backend.zeros(DType.F32, 2), v = backend.zeros(DType.F32, 2);
        backend.adamStep(param, grad, m, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1);
        assertArrayEquals(new float[] {0.9f, -1.1f}, backend.toHost(param), 1e-6f);
        assertEquals(9f, backend.toHost(params)[0], 0f, "the element before the view is untouched");
    }
}
