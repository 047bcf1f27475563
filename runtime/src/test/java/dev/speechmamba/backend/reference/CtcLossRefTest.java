package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.assertClose;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.assertRejected;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.floatRounded;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.plus;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.tensor;
import static dev.speechmamba.backend.reference.SequenceOpsTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CtcLossRefTest {

    private static double[] losses(double[] logits, int[] inputLengths, int[] targets, int[] targetLengths,
                                   boolean zeroInfinity, int T, int V) {
        int B = inputLengths.length, S = targets.length / B;
        double[] losses = new double[B];
        CtcLossRef.forward(losses, logits, inputLengths, targets, targetLengths, zeroInfinity, B, T, V, S);
        return losses;
    }

    private static double[] gradient(double[] dLosses, double[] logits, int[] inputLengths, int[] targets,
                                     int[] targetLengths, boolean zeroInfinity, int T, int V) {
        int B = inputLengths.length, S = targets.length / B;
        double[] dLogits = new double[B * T * V];
        CtcLossRef.backward(dLogits, dLosses, logits, inputLengths, targets, targetLengths, zeroInfinity, B, T, V, S);
        return dLogits;
    }

    @Test
    void gradientsWithRaggedLengthsRepeatedLabelsAndAnEmptyTarget() {
        int T = 7, V = 4;
        int[] inputLengths = {7, 5, 4, 6};
        int[] targets = {1, 2, 2, /**/ 3, 1, 0, /**/ 0, 0, 0, /**/ 2, 2, 2}; // (B, S = 3), padded with 0
        int[] targetLengths = {3, 2, 0, 3};
        Random rng = new Random(1);
        double[] logits = GradCheck.random(rng, 4 * T * V, -2, 2);
        double[] dLosses = GradCheck.random(rng, 4, 0.5, 1.5);
        double[] analytic = gradient(dLosses, logits, inputLengths, targets, targetLengths, false, T, V);
        GradCheck.check("ctcLoss", in -> GradCheck.dot(
                        losses(in[0], inputLengths, targets, targetLengths, false, T, V), dLosses),
                new double[][] {logits}, new double[][] {analytic}, 1e-6, 1e-5, 1e-8);
        for (int b = 0; b < 4; b++) {
            for (int i = inputLengths[b] * V; i < T * V; i++) assertEquals(0.0, analytic[b * T * V + i], "padding row");
        }
    }

    /** Sum over all V^T frame labelings that collapse (merge repeats, drop blanks) to the target. */
    private static double bruteForceNll(double[] logits, int row, int T, int Tn, int V, int[] target) {
        double[] lp = CtcLossRefTest.logSoftmax(logits, row * T * V, Tn, V);
        double probability = 0;
        int[] path = new int[Tn];
        for (long code = 0; code < Math.round(Math.pow(V, Tn)); code++) {
            long rest = code;
            double logP = 0;
            for (int t = 0; t < Tn; t++) {
                path[t] = (int) (rest % V);
                rest /= V;
                logP += lp[t * V + path[t]];
            }
            if (Arrays.equals(collapse(path), target)) probability += Math.exp(logP);
        }
        return -Math.log(probability);
    }

    private static int[] collapse(int[] path) {
        List<Integer> labels = new ArrayList<>();
        for (int t = 0; t < path.length; t++) {
            if (path[t] != 0 && (t == 0 || path[t] != path[t - 1])) labels.add(path[t]);
        }
        return labels.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double[] logSoftmax(double[] x, int base, int rows, int V) {
        double[] out = new double[rows * V];
        for (int t = 0; t < rows; t++) {
            double sum = 0;
            for (int v = 0; v < V; v++) sum += Math.exp(x[base + t * V + v]);
            for (int v = 0; v < V; v++) out[t * V + v] = x[base + t * V + v] - Math.log(sum);
        }
        return out;
    }

    @Test
    void forwardMatchesBruteForceEnumerationOfAlignments() {
        int T = 6, V = 3, S = 3;
        int[][] targetRows = {{1, 2, 1}, {1, 1}, {2}, {}, {2, 2, 2}, {1, 1, 2}};
        int[] inputLengths = {6, 4, 3, 5, 6, 5};
        int B = targetRows.length;
        int[] targets = new int[B * S], targetLengths = new int[B];
        for (int b = 0; b < B; b++) {
            targetLengths[b] = targetRows[b].length;
            System.arraycopy(targetRows[b], 0, targets, b * S, targetRows[b].length);
        }
        double[] logits = GradCheck.random(new Random(2), B * T * V, -2, 2);
        double[] got = losses(logits, inputLengths, targets, targetLengths, false, T, V);
        for (int b = 0; b < B; b++) {
            double expected = bruteForceNll(logits, b, T, inputLengths[b], V, targetRows[b]);
            assertEquals(expected, got[b], 1e-10 * (1 + Math.abs(expected)), "row " + b);
        }
    }

    @Test
    void logitsPastTheInputLengthAreIgnored() {
        int T = 5, V = 3;
        int[] inputLengths = {3}, targets = {1, 2}, targetLengths = {2};
        double[] logits = GradCheck.random(new Random(3), T * V, -2, 2);
        double[] changed = logits.clone();
        for (int i = 3 * V; i < T * V; i++) changed[i] = 1e3 * (i % 2 == 0 ? 1 : -1);
        assertEquals(losses(logits, inputLengths, targets, targetLengths, false, T, V)[0],
                losses(changed, inputLengths, targets, targetLengths, false, T, V)[0]);
    }

    @Test
    void impossibleAlignmentsGiveInfinityOrZeroWithZeroInfinity() {
        int T = 4, V = 3;
        // Three equal labels need blanks between them: at least 5 frames. Row 1 has 0 frames and 1 label.
        int[] inputLengths = {4, 0, 0}, targets = {1, 1, 1, 2, 0, 0, 0, 0, 0}, targetLengths = {3, 1, 0};
        double[] logits = GradCheck.random(new Random(4), 3 * T * V, -2, 2);
        double[] plain = losses(logits, inputLengths, targets, targetLengths, false, T, V);
        assertEquals(Double.POSITIVE_INFINITY, plain[0]);
        assertEquals(Double.POSITIVE_INFINITY, plain[1]);
        assertEquals(0.0, plain[2], "an empty target over an empty input has probability 1");
        double[] zeroed = losses(logits, inputLengths, targets, targetLengths, true, T, V);
        assertEquals(0.0, zeroed[0]);
        assertEquals(0.0, zeroed[1]);

        double[] dLosses = {1, 1, 1};
        double[] zeroGrad = gradient(dLosses, logits, inputLengths, targets, targetLengths, true, T, V);
        for (double g : zeroGrad) assertEquals(0.0, g);
        double[] nanGrad = gradient(dLosses, logits, inputLengths, targets, targetLengths, false, T, V);
        for (int i = 0; i < T * V; i++) assertTrue(Double.isNaN(nanGrad[i]), "infinite loss gives NaN gradient");
    }

    @Test
    void backendForwardAndAccumulatingBackwardMatchTheRef() {
        ReferenceBackend be = new ReferenceBackend();
        int B = 3, T = 6, V = 5, S = 3;
        int[] inputLengths = {6, 2, 4}, targets = {4, 4, 1, 3, 3, 0, 2, 0, 0}, targetLengths = {3, 2, 1};
        double[] logits = floatRounded(GradCheck.random(new Random(5), B * T * V, -3, 3));
        double[] dLosses = floatRounded(GradCheck.random(new Random(6), B, 0.2, 2));
        Tensor logitsT = tensor(be, logits, B, T, V), inLen = be.fromHostInts(inputLengths, B);
        Tensor targetsT = be.fromHostInts(targets, B, S), tgtLen = be.fromHostInts(targetLengths, B);
        Tensor lossesT = be.zeros(DType.F32, B);
        be.ctcLoss(lossesT, logitsT, inLen, targetsT, tgtLen, true);
        double[] expected = losses(logits, inputLengths, targets, targetLengths, true, T, V);
        assertEquals(Double.POSITIVE_INFINITY, losses(logits, inputLengths, targets, targetLengths, false, T, V)[1]);
        assertClose("losses", expected, values(be, lossesT), 1e-6);

        Tensor dLogits = tensor(be, plus(new double[B * T * V], 0.5), B, T, V);
        be.ctcLossBackward(dLogits, tensor(be, dLosses, B), logitsT, inLen, targetsT, tgtLen, true);
        double[] grad = gradient(dLosses, logits, inputLengths, targets, targetLengths, true, T, V);
        assertClose("dLogits", plus(grad, 0.5), values(be, dLogits), 1e-5);
    }

    @Test
    void badShapesLengthsAndLabelsAreRejected() {
        ReferenceBackend be = new ReferenceBackend();
        Tensor logits = be.zeros(DType.F32, 2, 5, 4), losses = be.zeros(DType.F32, 2);
        Tensor inLen = be.fromHostInts(new int[] {5, 3}, 2), tgtLen = be.fromHostInts(new int[] {2, 1}, 2);
        Tensor targets = be.fromHostInts(new int[] {1, 3, 2, 0}, 2, 2);
        assertRejected(() -> be.ctcLoss(losses, logits, be.fromHostInts(new int[] {5, 6}, 2), targets, tgtLen, false),
                "ctcLoss", "inputLengths[1] = 6", "[0, 5]");
        assertRejected(() -> be.ctcLoss(losses, logits, inLen, targets, be.fromHostInts(new int[] {3, 0}, 2), false),
                "ctcLoss", "targetLengths[0] = 3", "[0, 2]");
        assertRejected(() -> be.ctcLoss(losses, logits, inLen, be.fromHostInts(new int[] {1, 0, 2, 0}, 2, 2), tgtLen, false),
                "ctcLoss", "targets[0, 1] = 0", "blank");
        assertRejected(() -> be.ctcLoss(losses, logits, inLen, be.fromHostInts(new int[] {1, 4, 2, 0}, 2, 2), tgtLen, false),
                "ctcLoss", "targets[0, 1] = 4", "[1, 4)");
        assertRejected(() -> be.ctcLoss(be.zeros(DType.F32, 3), logits, inLen, targets, tgtLen, false),
                "ctcLoss", "losses has shape (3)", "(2)");
        assertRejected(() -> be.ctcLoss(losses, logits, inLen, be.fromHostInts(new int[] {1, 2, 3}, 3, 1), tgtLen, false),
                "ctcLoss", "targets has shape (3, 1)", "(2, *)");
        assertRejected(() -> be.ctcLossBackward(be.zeros(DType.F32, 2, 4, 4), losses, logits, inLen, targets, tgtLen, false),
                "ctcLossBackward", "dLogits (2, 4, 4)", "logits (2, 5, 4)");
    }
}
