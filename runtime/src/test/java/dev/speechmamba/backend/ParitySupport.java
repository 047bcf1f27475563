package dev.speechmamba.backend;

import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tensors held twice, once on the reference backend and once on the backend under test, built from the
 * same host values, plus the comparison that the parity suite reports failures with.
 */
final class ParitySupport {
    private final Backend ref;
    private final Backend dut;

    ParitySupport(Backend ref, Backend dut) {
        this.ref = ref;
        this.dut = dut;
    }

    /** The same tensor on the reference backend and on the device under test. */
    record Pair(Tensor ref, Tensor dut) { }

    Backend ref() { return ref; }

    Backend dut() { return dut; }

    Pair floats(float[] values, int... dims) { return new Pair(ref.fromHost(values, dims), dut.fromHost(values, dims)); }

    Pair ints(int[] values, int... dims) { return new Pair(ref.fromHostInts(values, dims), dut.fromHostInts(values, dims)); }

    /** Uniform values in [lo, hi). */
    Pair uniform(Random rng, float lo, float hi, int... dims) { return floats(uniformArray(rng, lo, hi, size(dims)), dims); }

    /** An output poisoned with NaN, so an element the op forgets to write shows up. */
    Pair poisoned(int... dims) {
        Pair p = new Pair(ref.zeros(DType.F32, dims), dut.zeros(DType.F32, dims));
        ref.fill(p.ref, Float.NaN);
        dut.fill(p.dut, Float.NaN);
        return p;
    }

    /** A gradient buffer starting from random values, so backward must add (+=), not overwrite. */
    Pair gradient(Random rng, int... dims) { return uniform(rng, -1f, 1f, dims); }

    static float[] uniformArray(Random rng, float lo, float hi, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.nextFloat();
        return v;
    }

    static int size(int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Compares the backend's values of p with the reference's. */
    void assertClose(String what, Pair p, double rtol, double atol) {
        assertClose(dut.name() + " " + what, ref.toHost(p.ref), dut.toHost(p.dut), rtol, atol);
    }

    /**
     * Passes when every |actual - expected| &lt;= atol + rtol·|expected|; NaN must meet NaN and an infinity
     * the same infinity. The failure names the worst element, its values and the tolerances.
     */
    static void assertClose(String what, float[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        int worst = -1;
        double worstExcess = 0;
        int mismatched = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            double excess;
            if (Float.isNaN(e) || Float.isNaN(a) || Float.isInfinite(e) || Float.isInfinite(a)) {
                boolean same = (Float.isNaN(e) && Float.isNaN(a)) || e == a;
                excess = same ? 0 : Double.POSITIVE_INFINITY;
            } else {
                excess = Math.abs((double) a - e) - (atol + rtol * Math.abs((double) e));
            }
            if (excess > 0) {
                mismatched++;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (worst >= 0) {
            fail(String.format("%s: %d of %d elements outside rtol %.1e / atol %.1e; worst at flat index %d: expected %.9g,"
                            + " got %.9g (|diff| %.3g)", what, mismatched, expected.length, rtol, atol, worst,
                    expected[worst], actual[worst], Math.abs((double) actual[worst] - expected[worst])));
        }
    }
}
