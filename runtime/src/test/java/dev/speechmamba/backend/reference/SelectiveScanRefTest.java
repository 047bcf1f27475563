package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
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
import static org.junit.jupiter.api.Assertions.assertNull;

class SelectiveScanRefTest {
    private static final int B = 2, T = 7, D = 3, N = 4;

    /** One random problem; optional parts present or null as asked. */
    private record Problem(double[] u, double[] delta, double[] a, double[] b, double[] c, double[] dSkip,
                           double[] z, double[] deltaBias, boolean softplus, int[] lengths) {
        static Problem random(long seed, boolean withSkip, boolean withGate, boolean withBias, boolean softplus,
                              int[] lengths) {
            Random rng = new Random(seed);
            // Without softplus delta is the time step itself, so keep it positive as a real model would.
            double[] delta = softplus ? GradCheck.random(rng, B * T * D, -1.5, 1.0)
                                      : GradCheck.random(rng, B * T * D, 0.05, 0.8);
            return new Problem(
                    GradCheck.random(rng, B * T * D, -1, 1), delta,
                    GradCheck.random(rng, D * N, -2.0, -0.2),
                    GradCheck.random(rng, B * T * N, -1, 1), GradCheck.random(rng, B * T * N, -1, 1),
                    withSkip ? GradCheck.random(rng, D, -1, 1) : null,
                    withGate ? GradCheck.random(rng, B * T * D, -2, 2) : null,
                    withBias ? GradCheck.random(rng, D, softplus ? -0.5 : 0.0, 0.5) : null,
                    softplus, lengths);
        }

        double[] forward() {
            double[] out = new double[B * T * D];
            SelectiveScanRef.forward(out, u, delta, a, b, c, dSkip, z, deltaBias, softplus, lengths, B, T, D, N);
            return out;
        }

        Problem rounded() {
            return new Problem(floatRounded(u), floatRounded(delta), floatRounded(a), floatRounded(b),
                    floatRounded(c), floatRounded(dSkip), floatRounded(z), floatRounded(deltaBias), softplus, lengths);
        }
    }

    private static void gradCheck(Problem p, long seed) {
        double[] weights = GradCheck.random(new Random(seed), B * T * D, -1, 1); // (B, T, D) = dOut
        double[][] inputs = {p.u, p.delta, p.a, p.b, p.c, p.dSkip, p.z, p.deltaBias};
        double[][] grads = new double[inputs.length][];
        for (int i = 0; i < inputs.length; i++) grads[i] = inputs[i] == null ? null : new double[inputs[i].length];
        SelectiveScanRef.backward(grads[0], grads[1], grads[2], grads[3], grads[4], grads[5], grads[6], grads[7],
                weights, p.u, p.delta, p.a, p.b, p.c, p.dSkip, p.z, p.deltaBias, p.softplus, p.lengths, B, T, D, N);
        GradCheck.check("selectiveScan", in -> {
            double[] out = new double[B * T * D];
            SelectiveScanRef.forward(out, in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7], p.softplus,
                    p.lengths, B, T, D, N);
            return GradCheck.dot(out, weights);
        }, inputs, grads, 1e-6, 1e-5, 1e-8);
    }

    @Test
    void gradientsWithGateSkipBiasSoftplusAndRaggedLengths() {
        gradCheck(Problem.random(1, true, true, true, true, new int[] {7, 4}), 11);
    }

    @Test
    void gradientsOfThePlainScan() {
        gradCheck(Problem.random(2, false, false, false, false, null), 12);
    }

    @Test
    void gradientsWithGateAndSoftplusButNoSkipOrBias() {
        gradCheck(Problem.random(3, false, true, false, true, new int[] {0, 6}), 13);
    }

    @Test
    void gradientsWithSkipAndBiasWithoutSoftplus() {
        gradCheck(Problem.random(4, true, false, true, false, new int[] {5, 7}), 14);
    }

    @Test
    void positionsPastTheLengthAreZeroAndGetNoGradient() {
        int[] lengths = {3, 5};
        Problem p = Problem.random(5, true, true, true, true, lengths);
        double[] out = p.forward();
        double[] du = new double[B * T * D], dB = new double[B * T * N], dz = new double[B * T * D];
        SelectiveScanRef.backward(du, null, null, dB, null, null, dz, null, plus(new double[B * T * D], 1.0),
                p.u, p.delta, p.a, p.b, p.c, p.dSkip, p.z, p.deltaBias, true, lengths, B, T, D, N);
        for (int b = 0; b < B; b++) {
            for (int t = lengths[b]; t < T; t++) {
                for (int d = 0; d < D; d++) {
                    int i = (b * T + t) * D + d;
                    assertEquals(0.0, out[i]);
                    assertEquals(0.0, du[i]);
                    assertEquals(0.0, dz[i]);
                }
                for (int n = 0; n < N; n++) assertEquals(0.0, dB[(b * T + t) * N + n]);
            }
        }
    }

    /** N = 1 with constant inputs is a geometric series: h_t = dt·B·u·(1 - r^(t+1)) / (1 - r), r = exp(dt·A). */
    @Test
    void forwardMatchesTheGeometricSeriesForConstantInputs() {
        int b1 = 1, t1 = 6, d1 = 1, n1 = 1;
        double u = 0.7, dt = 0.3, a = -0.8, bv = 1.3, cv = -0.6, skip = 0.25, z = 0.9;
        double[] out = new double[t1];
        SelectiveScanRef.forward(out, fill(t1, u), fill(t1, dt), new double[] {a}, fill(t1, bv), fill(t1, cv),
                new double[] {skip}, fill(t1, z), null, false, null, b1, t1, d1, n1);
        double r = Math.exp(dt * a);
        double gate = z / (1 + Math.exp(-z));
        for (int t = 0; t < t1; t++) {
            double h = dt * bv * u * (1 - Math.pow(r, t + 1)) / (1 - r);
            assertEquals((cv * h + skip * u) * gate, out[t], 1e-12, "t=" + t);
        }
    }

    /** Two steps, two states, delta bias and softplus, worked by hand. */
    @Test
    void forwardMatchesAHandWorkedCase() {
        double[] u = {1.0, -2.0}, delta = {0.0, 1.0}, a = {-1.0, -0.5}, bIn = {1.0, 2.0, 0.5, -1.0},
                cIn = {3.0, 1.0, -1.0, 2.0}, bias = {0.5};
        double[] out = new double[2];
        SelectiveScanRef.forward(out, u, delta, a, bIn, cIn, null, null, bias, true, null, 1, 2, 1, 2);
        double dt0 = Math.log(1 + Math.exp(0.5)), dt1 = Math.log(1 + Math.exp(1.5));
        double h00 = dt0 * 1.0 * 1.0, h01 = dt0 * 2.0 * 1.0;
        double h10 = Math.exp(-dt1) * h00 + dt1 * 0.5 * -2.0;
        double h11 = Math.exp(-0.5 * dt1) * h01 + dt1 * -1.0 * -2.0;
        assertEquals(3.0 * h00 + 1.0 * h01, out[0], 1e-12);
        assertEquals(-1.0 * h10 + 2.0 * h11, out[1], 1e-12);
    }

    @Test
    void softplusFollowsPyTorchThreshold() {
        assertEquals(25.0, SelectiveScanRef.softplus(25.0));
        assertEquals(1.0, SelectiveScanRef.softplusGrad(25.0));
        assertEquals(Math.log(1 + Math.E), SelectiveScanRef.softplus(1.0), 1e-15);
        assertEquals(Math.log(1 + Math.exp(19.5)), SelectiveScanRef.softplus(19.5), 1e-12);
    }

    @Test
    void backendForwardAndAccumulatingBackwardMatchTheRef() {
        ReferenceBackend be = new ReferenceBackend();
        int[] lengths = {7, 5};
        Problem p = Problem.random(6, true, true, true, true, lengths).rounded();
        ScanInputs in = new ScanInputs(tensor(be, p.u, B, T, D), tensor(be, p.delta, B, T, D), tensor(be, p.a, D, N),
                tensor(be, p.b, B, T, N), tensor(be, p.c, B, T, N), tensor(be, p.dSkip, D), tensor(be, p.z, B, T, D),
                tensor(be, p.deltaBias, D), true, be.fromHostInts(lengths, B));
        Tensor out = be.zeros(DType.F32, B, T, D);
        be.fill(out, Float.NaN);
        assertNull(be.selectiveScan(out, in));
        assertClose("out", p.forward(), values(be, out), 1e-5);

        double[] dOut = floatRounded(GradCheck.random(new Random(16), B * T * D, -1, 1));
        double[] du = new double[B * T * D], dDelta = new double[B * T * D], dA = new double[D * N],
                dB = new double[B * T * N], dC = new double[B * T * N], dSkip = new double[D],
                dz = new double[B * T * D], dBias = new double[D];
        SelectiveScanRef.backward(du, dDelta, dA, dB, dC, dSkip, dz, dBias, dOut, p.u, p.delta, p.a, p.b, p.c,
                p.dSkip, p.z, p.deltaBias, true, lengths, B, T, D, N);
        // Gradients start at 0.5 so the test sees accumulation rather than overwrite.
        ScanGrads g = new ScanGrads(tensor(be, plus(new double[B * T * D], 0.5), B, T, D),
                tensor(be, plus(new double[B * T * D], 0.5), B, T, D), tensor(be, plus(new double[D * N], 0.5), D, N),
                tensor(be, plus(new double[B * T * N], 0.5), B, T, N), tensor(be, plus(new double[B * T * N], 0.5), B, T, N),
                tensor(be, plus(new double[D], 0.5), D), tensor(be, plus(new double[B * T * D], 0.5), B, T, D),
                tensor(be, plus(new double[D], 0.5), D));
        be.selectiveScanBackward(g, tensor(be, dOut, B, T, D), in, null);
        assertClose("du", plus(du, 0.5), values(be, g.du()), 1e-5);
        assertClose("dDelta", plus(dDelta, 0.5), values(be, g.dDelta()), 1e-5);
        assertClose("dA", plus(dA, 0.5), values(be, g.dA()), 1e-5);
        assertClose("dB", plus(dB, 0.5), values(be, g.dB()), 1e-5);
        assertClose("dC", plus(dC, 0.5), values(be, g.dC()), 1e-5);
        assertClose("dSkip", plus(dSkip, 0.5), values(be, g.dSkip()), 1e-5);
        assertClose("dz", plus(dz, 0.5), values(be, g.dz()), 1e-5);
        assertClose("dDeltaBias", plus(dBias, 0.5), values(be, g.dDeltaBias()), 1e-5);

        // Null gradients are skipped.
        Tensor onlyDu = be.zeros(DType.F32, B, T, D);
        be.selectiveScanBackward(new ScanGrads(onlyDu, null, null, null, null, null, null, null),
                tensor(be, dOut, B, T, D), in, null);
        assertClose("du alone", du, values(be, onlyDu), 1e-5);
    }

    @Test
    void badShapesAndLengthsAreRejected() {
        ReferenceBackend be = new ReferenceBackend();
        Tensor u = be.zeros(DType.F32, B, T, D), a = be.zeros(DType.F32, D, N), bc = be.zeros(DType.F32, B, T, N);
        Tensor out = be.zeros(DType.F32, B, T, D);
        Tensor badDelta = be.zeros(DType.F32, B, T + 1, D);
        assertRejected(() -> be.selectiveScan(out, new ScanInputs(u, badDelta, a, bc, bc, null, null, null, true, null)),
                "selectiveScan", "delta", "(2, 8, 3)", "(2, 7, 3)");
        Tensor badB = be.zeros(DType.F32, B, T, N + 1);
        assertRejected(() -> be.selectiveScan(out, new ScanInputs(u, u, a, badB, bc, null, null, null, true, null)),
                "selectiveScan", "b has shape (2, 7, 5)");
        Tensor badLengths = be.fromHostInts(new int[] {7, 8}, B);
        assertRejected(() -> be.selectiveScan(out, new ScanInputs(u, u, a, bc, bc, null, null, null, true, badLengths)),
                "selectiveScan", "lengths[1] = 8", "[0, 7]");
        Tensor floatLengths = be.zeros(DType.F32, B);
        assertRejected(() -> be.selectiveScan(out, new ScanInputs(u, u, a, bc, bc, null, null, null, true, floatLengths)),
                "selectiveScan", "lengths must be I32");
        Tensor badOut = be.zeros(DType.F32, B, T, D + 1);
        assertRejected(() -> be.selectiveScan(badOut, new ScanInputs(u, u, a, bc, bc, null, null, null, true, null)),
                "selectiveScan", "out (2, 7, 4)");

        ScanInputs noGate = new ScanInputs(u, u, a, bc, bc, null, null, null, true, null);
        Tensor dz = be.zeros(DType.F32, B, T, D);
        assertRejected(() -> be.selectiveScanBackward(new ScanGrads(null, null, null, null, null, null, dz, null),
                out, noGate, null), "selectiveScanBackward", "dz is given but input z is null");
        Tensor badDa = be.zeros(DType.F32, N, D);
        assertRejected(() -> be.selectiveScanBackward(new ScanGrads(null, null, badDa, null, null, null, null, null),
                out, noGate, null), "selectiveScanBackward", "dA (4, 3)", "a (3, 4)");
        assertRejected(() -> be.selectiveScanBackward(new ScanGrads(null, null, null, null, null, null, null, null),
                badOut, noGate, null), "selectiveScanBackward", "dOut (2, 7, 4)");
    }

    private static double[] fill(int n, double value) {
        double[] x = new double[n];
        java.util.Arrays.fill(x, value);
        return x;
    }
}
