package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import dev.speechmamba.backend.Unary;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ElementwiseRefTest {
    private static final double H = 1e-6;
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-8;

    @Test
    void knownUnaryValues() {
        assertEquals(Math.log(1 + Math.E), ElementwiseRef.apply(Unary.SOFTPLUS, 1.0), 1e-15);
        assertEquals(1.3132616875182228, ElementwiseRef.apply(Unary.SOFTPLUS, 1.0), 1e-15);
        assertEquals(30.0, ElementwiseRef.apply(Unary.SOFTPLUS, 30.0), 0.0);       // linear above 20
        assertEquals(1.0, ElementwiseRef.derivative(Unary.SOFTPLUS, 30.0), 0.0);
        assertEquals(Math.log1p(Math.exp(19.5)), ElementwiseRef.apply(Unary.SOFTPLUS, 19.5), 1e-12);
        assertEquals(0.7310585786300049, ElementwiseRef.apply(Unary.SILU, 1.0), 1e-15);
        assertEquals(-0.2689414213699951, ElementwiseRef.apply(Unary.SILU, -1.0), 1e-15);
        assertEquals(0.0, ElementwiseRef.apply(Unary.SILU, 0.0), 0.0);
        assertEquals(Math.E, ElementwiseRef.apply(Unary.EXP, 1.0), 1e-15);
    }

    @Test
    void unaryGradients() {
        Random rng = new Random(1);
        for (Unary op : Unary.values()) {
            double[] x = GradCheck.random(rng, 12, -4, 4);
            if (op == Unary.SOFTPLUS) { x[0] = 25; x[1] = -25; } // both sides of the linear switch, away from it
            double[] r = GradCheck.random(rng, x.length, -1, 1);
            double[] dx = new double[x.length];
            ElementwiseRef.unaryBackward(op, dx, r, x, x.length);
            GradCheck.check("unary " + op, in -> {
                double[] out = new double[r.length];
                ElementwiseRef.unaryForward(op, out, in[0], out.length);
                return GradCheck.dot(out, r);
            }, new double[][] {x}, new double[][] {dx}, H, RTOL, ATOL);
        }
    }

    @Test
    void addAndMulGradients() {
        Random rng = new Random(2);
        int n = 10;
        double[] a = GradCheck.random(rng, n, -2, 2);
        double[] b = GradCheck.random(rng, n, -2, 2);
        double[] r = GradCheck.random(rng, n, -1, 1);

        double[] da = new double[n];
        double[] db = new double[n];
        ElementwiseRef.addBackward(da, db, r, n);
        GradCheck.check("add", in -> {
            double[] out = new double[n];
            ElementwiseRef.addForward(out, in[0], in[1], n);
            return GradCheck.dot(out, r);
        }, new double[][] {a, b}, new double[][] {da, db}, H, RTOL, ATOL);

        da = new double[n];
        db = new double[n];
        ElementwiseRef.mulBackward(da, db, r, a, b, n);
        GradCheck.check("mul", in -> {
            double[] out = new double[n];
            ElementwiseRef.mulForward(out, in[0], in[1], n);
            return GradCheck.dot(out, r);
        }, new double[][] {a, b}, new double[][] {da, db}, H, RTOL, ATOL);
    }

    @Test
    void addBiasGradientsAndValues() {
        double[] out = new double[6];
        ElementwiseRef.addBiasForward(out, new double[] {1, 2, 3, 4, 5, 6}, new double[] {10, 20, 30}, 2, 3);
        assertArrayEquals(new double[] {11, 22, 33, 14, 25, 36}, out, 0.0);

        Random rng = new Random(3);
        int rows = 4, channels = 3;
        double[] x = GradCheck.random(rng, rows * channels, -1, 1);
        double[] bias = GradCheck.random(rng, channels, -1, 1);
        double[] r = GradCheck.random(rng, rows * channels, -1, 1);
        double[] dx = new double[x.length];
        double[] dBias = new double[channels];
        ElementwiseRef.addBiasBackward(dx, dBias, r, rows, channels);
        GradCheck.check("addBias", in -> {
            double[] o = new double[r.length];
            ElementwiseRef.addBiasForward(o, in[0], in[1], rows, channels);
            return GradCheck.dot(o, r);
        }, new double[][] {x, bias}, new double[][] {dx, dBias}, H, RTOL, ATOL);
    }

    @Test
    void axpyScaleAndSumOfSquares() {
        double[] y = {1, 2, 3};
        ElementwiseRef.axpy(y, -2, new double[] {1, 1, 0.5}, 3);
        assertArrayEquals(new double[] {-1, 0, 2}, y, 0.0);
        ElementwiseRef.scale(y, 0.5, 3);
        assertArrayEquals(new double[] {-0.5, 0, 1}, y, 0.0);
        assertEquals(1 + 4 + 9 + 16, ElementwiseRef.sumOfSquares(new double[] {1, -2, 3, 4}, 4), 0.0);
    }
}
