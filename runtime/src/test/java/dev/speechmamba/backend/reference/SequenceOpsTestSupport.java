package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Helpers shared by the sequence-op tests (scan, attention, CTC, cross-entropy). */
final class SequenceOpsTestSupport {
    private SequenceOpsTestSupport() { }

    /** The values a float32 tensor would hold, so backend results can be compared with the float64 Ref. */
    static double[] floatRounded(double[] x) {
        if (x == null) return null;
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) r[i] = (float) x[i];
        return r;
    }

    static Tensor tensor(Backend backend, double[] x, int... dims) {
        if (x == null) return null;
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return backend.fromHost(f, dims);
    }

    static double[] values(Backend backend, Tensor t) {
        float[] f = backend.toHost(t);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** |expected - actual| &lt;= tol·(1 + |expected|) elementwise; infinities must match exactly. */
    static void assertClose(String what, double[] expected, double[] actual, double tol) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isInfinite(e) || Double.isInfinite(a)) {
                if (e != a) fail(what + "[" + i + "]: expected " + e + ", got " + a);
                continue;
            }
            if (!(Math.abs(e - a) <= tol * (1 + Math.abs(e)))) {
                fail(what + "[" + i + "]: expected " + e + ", got " + a);
            }
        }
    }

    /** Asserts an IllegalArgumentException whose message contains every fragment. */
    static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    /** Adds {@code base} to every element of a copy of {@code x}. */
    static double[] plus(double[] x, double base) {
        double[] r = x.clone();
        for (int i = 0; i < r.length; i++) r[i] += base;
        return r;
    }
}
