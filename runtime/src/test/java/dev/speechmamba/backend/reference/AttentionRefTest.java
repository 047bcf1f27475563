package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.AttentionMask;
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

class AttentionRefTest {
    private static final int B = 2, H = 2, Dh = 3;

    /** One attention problem: sizes, mask (its keyLengths tensor unused; lengths go as an array) and data. */
    private record Problem(int Tq, int Tk, int[] keyLengths, AttentionMask mask, double scale,
                           double[] q, double[] k, double[] v) {
        static Problem random(long seed, int Tq, int Tk, int[] keyLengths, boolean causal, int left, int right) {
            Random rng = new Random(seed);
            return new Problem(Tq, Tk, keyLengths, new AttentionMask(null, causal, left, right), 1 / Math.sqrt(Dh),
                    GradCheck.random(rng, B * Tq * H * Dh, -1.5, 1.5), GradCheck.random(rng, B * Tk * H * Dh, -1.5, 1.5),
                    GradCheck.random(rng, B * Tk * H * Dh, -1, 1));
        }

        double[][] forward(double[] q, double[] k, double[] v) {
            double[] out = new double[B * Tq * H * Dh], lse = new double[B * H * Tq];
            AttentionRef.forward(out, lse, q, k, v, keyLengths, mask, scale, B, Tq, Tk, H, Dh);
            return new double[][] {out, lse};
        }

        /** The same problem with G global tokens added to its mask. */
        Problem withGlobalTokens(int globalTokens) {
            return new Problem(Tq, Tk, keyLengths, new AttentionMask(null, mask.causal(), mask.windowLeft(),
                    mask.windowRight(), globalTokens), scale, q, k, v);
        }

        Problem rounded() {
            return new Problem(Tq, Tk, keyLengths, mask, (float) scale, floatRounded(q), floatRounded(k), floatRounded(v));
        }
    }

    private static void gradCheck(Problem p, long seed) {
        double[] weights = GradCheck.random(new Random(seed), B * p.Tq * H * Dh, -1, 1); // dOut
        double[][] saved = p.forward(p.q, p.k, p.v);
        double[] dq = new double[p.q.length], dk = new double[p.k.length], dv = new double[p.v.length];
        AttentionRef.backward(dq, dk, dv, weights, p.q, p.k, p.v, saved[0], saved[1], p.keyLengths, p.mask, p.scale,
                B, p.Tq, p.Tk, H, Dh);
        GradCheck.check("attention", in -> GradCheck.dot(p.forward(in[0], in[1], in[2])[0], weights),
                new double[][] {p.q, p.k, p.v}, new double[][] {dq, dk, dv}, 1e-6, 1e-5, 1e-8);
    }

    @Test
    void gradientsWithKeyPaddingAndMoreKeysThanQueries() {
        gradCheck(Problem.random(1, 4, 6, new int[] {6, 3}, false, -1, -1), 11);
    }

    @Test
    void gradientsWithCausalMaskAndAnEmptyRow() {
        gradCheck(Problem.random(2, 5, 5, new int[] {5, 0}, true, -1, -1), 12);
    }

    @Test
    void gradientsWithLocalWindowAndFewerKeysThanQueries() {
        gradCheck(Problem.random(3, 6, 4, null, false, 1, 2), 13);
    }

    @Test
    void gradientsWithCausalWindowAndPadding() {
        gradCheck(Problem.random(4, 5, 5, new int[] {4, 5}, true, 2, -1), 14);
    }

    @Test
    void gradientsWithWindowGlobalTokensAndPadding() {
        gradCheck(Problem.random(10, 7, 7, new int[] {7, 5}, false, 1, 1).withGlobalTokens(2), 15);
    }

    /** The visibility rule, written out again so the forward check does not reuse AttentionMask.visible. */
    private static boolean sees(Problem p, int i, int j, int b) {
        int len = p.keyLengths == null ? p.Tk : p.keyLengths[b];
        boolean inWindow = (p.mask.windowLeft() < 0 || i - j <= p.mask.windowLeft())
                && (p.mask.windowRight() < 0 || j - i <= p.mask.windowRight());
        boolean global = Math.min(i, j) < p.mask.globalTokens();
        return j < len && !(p.mask.causal() && j > i) && (inWindow || global);
    }

    /** Per (b, h): the Tq×Tk score matrix, its masked softmax without max subtraction, then P·V. */
    @Test
    void forwardMatchesAnExplicitSoftmaxMatrix() {
        for (Problem p : new Problem[] {
                Problem.random(5, 4, 6, new int[] {6, 2}, false, -1, -1),
                Problem.random(6, 5, 5, new int[] {0, 5}, true, -1, -1),
                Problem.random(7, 6, 4, null, true, 1, 0),
                Problem.random(10, 7, 7, new int[] {7, 5}, false, 1, 0).withGlobalTokens(2)}) {
            double[][] got = p.forward(p.q, p.k, p.v);
            for (int b = 0; b < B; b++) {
                for (int h = 0; h < H; h++) {
                    double[][] weight = new double[p.Tq][p.Tk]; // (Tq, Tk) exp(scores) where visible, else 0
                    double[] rowSum = new double[p.Tq];
                    for (int i = 0; i < p.Tq; i++) {
                        for (int j = 0; j < p.Tk; j++) {
                            if (!sees(p, i, j, b)) continue;
                            double s = 0;
                            for (int e = 0; e < Dh; e++) {
                                s += p.q[((b * p.Tq + i) * H + h) * Dh + e] * p.k[((b * p.Tk + j) * H + h) * Dh + e];
                            }
                            weight[i][j] = Math.exp(p.scale * s);
                            rowSum[i] += weight[i][j];
                        }
                    }
                    for (int i = 0; i < p.Tq; i++) {
                        assertEquals(Math.log(rowSum[i]), got[1][(b * H + h) * p.Tq + i], 1e-12, "lse");
                        for (int e = 0; e < Dh; e++) {
                            double expected = 0;
                            for (int j = 0; j < p.Tk; j++) {
                                if (rowSum[i] > 0) expected += weight[i][j] / rowSum[i] * p.v[((b * p.Tk + j) * H + h) * Dh + e];
                            }
                            assertEquals(expected, got[0][((b * p.Tq + i) * H + h) * Dh + e], 1e-12, "out");
                        }
                    }
                }
            }
        }
    }

    @Test
    void queriesWithoutVisibleKeysGetZeroOutputMinusInfinityLseAndNoGradient() {
        Problem p = Problem.random(8, 3, 4, new int[] {0, 4}, false, -1, -1);
        double[][] saved = p.forward(p.q, p.k, p.v);
        double[] dq = new double[p.q.length], dk = new double[p.k.length], dv = new double[p.v.length];
        AttentionRef.backward(dq, dk, dv, plus(new double[p.q.length], 1.0), p.q, p.k, p.v, saved[0], saved[1],
                p.keyLengths, p.mask, p.scale, B, p.Tq, p.Tk, H, Dh);
        int rowElements = p.Tq * H * Dh, keyElements = p.Tk * H * Dh;
        for (int i = 0; i < rowElements; i++) {
            assertEquals(0.0, saved[0][i]);
            assertEquals(0.0, dq[i]);
        }
        for (int i = 0; i < keyElements; i++) {
            assertEquals(0.0, dk[i]);
            assertEquals(0.0, dv[i]);
        }
        for (int i = 0; i < H * p.Tq; i++) assertEquals(Double.NEGATIVE_INFINITY, saved[1][i]);
    }

    @Test
    void backendForwardAndAccumulatingBackwardMatchTheRef() {
        ReferenceBackend be = new ReferenceBackend();
        int Tq = 4, Tk = 5;
        int[] keyLengths = {5, 0};
        Problem p = Problem.random(9, Tq, Tk, keyLengths, true, 2, -1).rounded();
        AttentionMask mask = new AttentionMask(be.fromHostInts(keyLengths, B), true, 2, -1);
        Tensor q = tensor(be, p.q, B, Tq, H, Dh), k = tensor(be, p.k, B, Tk, H, Dh), v = tensor(be, p.v, B, Tk, H, Dh);
        Tensor out = be.zeros(DType.F32, B, Tq, H, Dh), lse = be.zeros(DType.F32, B, H, Tq);
        be.fill(out, Float.NaN);
        be.attention(out, lse, q, k, v, mask, (float) p.scale);
        double[][] expected = p.forward(p.q, p.k, p.v);
        assertClose("out", expected[0], values(be, out), 1e-5);
        assertClose("lse", expected[1], values(be, lse), 1e-5);

        double[] dOut = floatRounded(GradCheck.random(new Random(19), p.q.length, -1, 1));
        double[] savedOut = values(be, out), savedLse = values(be, lse);
        double[] dq = new double[p.q.length], dk = new double[p.k.length], dv = new double[p.v.length];
        AttentionRef.backward(dq, dk, dv, dOut, p.q, p.k, p.v, savedOut, savedLse, keyLengths, p.mask, p.scale,
                B, Tq, Tk, H, Dh);
        Tensor dqT = tensor(be, plus(new double[p.q.length], 0.5), B, Tq, H, Dh);
        Tensor dkT = tensor(be, plus(new double[p.k.length], 0.5), B, Tk, H, Dh);
        be.attentionBackward(dqT, dkT, null, tensor(be, dOut, B, Tq, H, Dh), q, k, v, out, lse, mask, (float) p.scale);
        assertClose("dq", plus(dq, 0.5), values(be, dqT), 1e-5);
        assertClose("dk", plus(dk, 0.5), values(be, dkT), 1e-5);
        Tensor dvT = be.zeros(DType.F32, B, Tk, H, Dh);
        be.attentionBackward(null, null, dvT, tensor(be, dOut, B, Tq, H, Dh), q, k, v, out, lse, mask, (float) p.scale);
        assertClose("dv", dv, values(be, dvT), 1e-5);
    }

    @Test
    void badShapesMasksAndLengthsAreRejected() {
        ReferenceBackend be = new ReferenceBackend();
        Tensor q = be.zeros(DType.F32, B, 4, H, Dh), k = be.zeros(DType.F32, B, 5, H, Dh);
        Tensor out = be.zeros(DType.F32, B, 4, H, Dh), lse = be.zeros(DType.F32, B, H, 4);
        Tensor wrongHeads = be.zeros(DType.F32, B, 5, H + 1, Dh);
        assertRejected(() -> be.attention(out, lse, q, wrongHeads, k, AttentionMask.none(), 1f),
                "attention", "k has shape (2, 5, 3, 3)", "(2, *, 2, 3)");
        Tensor shortV = be.zeros(DType.F32, B, 4, H, Dh);
        assertRejected(() -> be.attention(out, lse, q, k, shortV, AttentionMask.none(), 1f),
                "attention", "v has shape (2, 4, 2, 3)", "(2, 5, 2, 3)");
        Tensor badLse = be.zeros(DType.F32, B, 4, H);
        assertRejected(() -> be.attention(out, badLse, q, k, k, AttentionMask.none(), 1f),
                "attention", "lse has shape (2, 4, 2)", "(2, 2, 4)");
        AttentionMask longKeys = AttentionMask.padding(be.fromHostInts(new int[] {5, 6}, B));
        assertRejected(() -> be.attention(out, lse, q, k, k, longKeys, 1f),
                "attention", "mask.keyLengths[1] = 6", "[0, 5]");
        assertRejected(() -> be.attention(out, lse, q, k, k, new AttentionMask(null, false, -2, 3), 1f),
                "attention", "window bounds (-2, 3)");
        Tensor badDk = be.zeros(DType.F32, B, 4, H, Dh);
        assertRejected(() -> be.attentionBackward(null, badDk, null, out, q, k, k, out, lse, AttentionMask.none(), 1f),
                "attentionBackward", "dk (2, 4, 2, 3)", "k (2, 5, 2, 3)");
    }
}
