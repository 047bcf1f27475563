package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.assertClose;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.assertRejected;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.floatRounded;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.plus;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.tensor;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CrossEntropyRefTest {
    private static final int N = 6, V = 5, IGNORE = -100;
    private static final int[] TARGETS = {2, IGNORE, 0, 4, IGNORE, 1};

    private static double[] losses(double[] logits, int[] targets, double smoothing) {
        double[] losses = new double[targets.length];
        CrossEntropyRef.forward(losses, logits, targets, smoothing, IGNORE, targets.length, V);
        return losses;
    }

    private static void gradCheck(double smoothing, long seed) {
        Random rng = new Random(seed);
        double[] logits = GradCheck.random(rng, N * V, -3, 3);
        double[] dLosses = GradCheck.random(rng, N, -1, 1);
        double[] dLogits = new double[N * V];
        CrossEntropyRef.backward(dLogits, dLosses, logits, TARGETS, smoothing, IGNORE, N, V);
        GradCheck.check("crossEntropy", in -> GradCheck.dot(losses(in[0], TARGETS, smoothing), dLosses),
                new double[][] {logits}, new double[][] {dLogits}, 1e-6, 1e-6, 1e-9);
        for (int v = 0; v < V; v++) {
            assertEquals(0.0, dLogits[V + v], "ignored row");
            assertEquals(0.0, dLogits[4 * V + v], "ignored row");
        }
    }

    @Test
    void gradientsWithoutSmoothing() {
        gradCheck(0.0, 1);
    }

    @Test
    void gradientsWithSmoothing() {
        gradCheck(0.1, 2);
    }

    /** Smoothed target distribution q = (1-ε)·onehot + ε/V; loss = -Σ q·log p with p from exp/sum. */
    @Test
    void forwardMatchesTheSmoothedTargetDistributionFormula() {
        double[] logits = GradCheck.random(new Random(3), N * V, -3, 3);
        for (double eps : new double[] {0.0, 0.1, 1.0}) {
            double[] got = losses(logits, TARGETS, eps);
            for (int r = 0; r < N; r++) {
                if (TARGETS[r] == IGNORE) {
                    assertEquals(0.0, got[r]);
                    continue;
                }
                double z = 0;
                for (int v = 0; v < V; v++) z += Math.exp(logits[r * V + v]);
                double expected = 0;
                for (int v = 0; v < V; v++) {
                    double q = (v == TARGETS[r] ? 1 - eps : 0) + eps / V;
                    expected -= q * Math.log(Math.exp(logits[r * V + v]) / z);
                }
                assertEquals(expected, got[r], 1e-12, "row " + r + ", smoothing " + eps);
            }
        }
    }

    @Test
    void backendForwardAndAccumulatingBackwardMatchTheRef() {
        ReferenceBackend be = new ReferenceBackend();
        double[] logits = floatRounded(GradCheck.random(new Random(4), N * V, -4, 4));
        double[] dLosses = floatRounded(GradCheck.random(new Random(5), N, -1, 1));
        float smoothing = 0.1f;
        Tensor logitsT = tensor(be, logits, N, V), targetsT = be.fromHostInts(TARGETS, N);
        Tensor lossesT = be.zeros(DType.F32, N);
        be.fill(lossesT, Float.NaN);
        be.crossEntropy(lossesT, logitsT, targetsT, smoothing, IGNORE);
        assertClose("losses", losses(logits, TARGETS, smoothing), values(be, lossesT), 1e-6);

        double[] grad = new double[N * V];
        CrossEntropyRef.backward(grad, dLosses, logits, TARGETS, smoothing, IGNORE, N, V);
        Tensor dLogits = tensor(be, plus(new double[N * V], 0.5), N, V);
        be.crossEntropyBackward(dLogits, tensor(be, dLosses, N), logitsT, targetsT, smoothing, IGNORE);
        assertClose("dLogits", plus(grad, 0.5), values(be, dLogits), 1e-6);
    }

    @Test
    void badShapesTargetsAndSmoothingAreRejected() {
        ReferenceBackend be = new ReferenceBackend();
        Tensor logits = be.zeros(DType.F32, N, V), losses = be.zeros(DType.F32, N);
        Tensor targets = be.fromHostInts(TARGETS, N);
        assertRejected(() -> be.crossEntropy(losses, logits, be.fromHostInts(new int[] {1, 2, 3, 4, 5, 0}, N), 0f, IGNORE),
                "crossEntropy", "targets[4] = 5", "[0, 5)", "ignoreIndex -100");
        assertRejected(() -> be.crossEntropy(losses, logits, be.fromHostInts(new int[] {1, 2}, 2), 0f, IGNORE),
                "crossEntropy", "targets has shape (2)", "(6)");
        assertRejected(() -> be.crossEntropy(be.zeros(DType.F32, N, 1), logits, targets, 0f, IGNORE),
                "crossEntropy", "losses has shape (6, 1)");
        assertRejected(() -> be.crossEntropy(losses, logits, targets, 1.5f, IGNORE), "crossEntropy", "smoothing 1.5");
        assertRejected(() -> be.crossEntropy(losses, be.zeros(DType.F32, N, V, 1), targets, 0f, IGNORE),
                "crossEntropy", "logits has shape (6, 5, 1)");
        assertRejected(() -> be.crossEntropyBackward(be.zeros(DType.F32, N, V + 1), losses, logits, targets, 0f, IGNORE),
                "crossEntropyBackward", "dLogits (6, 6)", "logits (6, 5)");
    }
}
