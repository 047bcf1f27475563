package dev.speechmamba.backend.fastcpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastMathTest {
    private static final int V = FastMath.S.length();

    private static float[] vectorExp(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i + V <= x.length; i += V) FastMath.exp(FloatVector.fromArray(FastMath.S, x, i)).intoArray(out, i);
        return out;
    }

    @Test
    void expIsWithinTwoUlpOfMathExpAndBitIdenticalToItsScalarTwin() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = new float[V * 4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 175 - 87);
        float[] got = vectorExp(x);
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.exp(x[i]);
            assertTrue(Math.abs(got[i] - want) <= 2 * Math.ulp(want), "exp(" + x[i] + ") = " + got[i] + ", want " + want);
            assertEquals(Float.floatToRawIntBits(FastMath.exp(x[i])), Float.floatToRawIntBits(got[i]),
                    "vector and scalar arithmetic agree bit for bit at " + x[i]);
        }
    }

    @Test
    void expEdgeCases() {
        float[] x = new float[V];
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 88.7f, 89f, -103f, -110f};
        for (int i = 0; i < V; i++) x[i] = special[i % special.length];
        float[] got = vectorExp(x);
        for (int i = 0; i < V; i++) {
            float xi = x[i], want = (float) Math.exp(xi);
            if (Float.isNaN(xi)) assertTrue(Float.isNaN(got[i]));
            else if (Float.isInfinite(want) || want == 0f) assertEquals(want, got[i], "exp(" + xi + ")");
            else assertTrue(Math.abs(got[i] - want) <= 2 * Math.ulp(want), "exp(" + xi + ") = " + got[i]);
        }
        assertEquals(1f, FastMath.exp(0f));
    }

    @Test
    void sumLanesUsesAFixedPairwiseOrder() {
        SplittableRandom rng = new SplittableRandom(9);
        float[] lanes = new float[V];
        for (int i = 0; i < V; i++) lanes[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-3, 4)));
        // the documented tree: rotate by V/2, V/4, ..., 1 and add; lane 0 holds the result
        float[] x = lanes.clone();
        for (int half = V / 2; half >= 1; half /= 2) {
            float[] y = new float[V];
            for (int i = 0; i < V; i++) y[i] = x[i] + x[(i + half) & (V - 1)];
            x = y;
        }
        assertEquals(Float.floatToRawIntBits(x[0]),
                Float.floatToRawIntBits(FastMath.sumLanes(FloatVector.fromArray(FastMath.S, lanes, 0))));
    }
}
