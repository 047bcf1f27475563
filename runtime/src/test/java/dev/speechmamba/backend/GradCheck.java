package dev.speechmamba.backend;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finite-difference gradient checks in float64. A test supplies a scalar function of its inputs
 * (usually L = Σ out·R for a fixed random R) and the analytic gradients from the backward pass
 * (computed with dOut = R); every input element is perturbed by ±h and the central difference is
 * compared with the analytic value.
 */
public final class GradCheck {
    private GradCheck() { }

    @FunctionalInterface
    public interface ScalarFn {
        double apply(double[][] inputs);
    }

    /** Uniform values in [lo, hi). */
    public static double[] random(Random rng, int n, double lo, double hi) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = lo + (hi - lo) * rng.nextDouble();
        return d;
    }

    /** Σ a·b. */
    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /**
     * Checks analytic[k][i] ≈ ∂f/∂inputs[k][i] for every k with a non-null analytic gradient.
     * Passes when |num - ana| &lt;= atol + rtol·max(|num|, |ana|).
     */
    public static void check(String op, ScalarFn f, double[][] inputs, double[][] analytic, double h,
                             double rtol, double atol) {
        for (int k = 0; k < inputs.length; k++) {
            if (analytic[k] == null) continue;
            double[] x = inputs[k];
            if (analytic[k].length != x.length) {
                fail(op + ": gradient " + k + " has " + analytic[k].length + " values for " + x.length + " inputs");
            }
            for (int i = 0; i < x.length; i++) {
                double saved = x[i];
                x[i] = saved + h;
                double plus = f.apply(inputs);
                x[i] = saved - h;
                double minus = f.apply(inputs);
                x[i] = saved;
                double num = (plus - minus) / (2 * h);
                double ana = analytic[k][i];
                if (!(Math.abs(num - ana) <= atol + rtol * Math.max(Math.abs(num), Math.abs(ana)))) {
                    fail(String.format("%s: d/d input%d[%d]: finite difference %.9g, analytic %.9g", op, k, i, num, ana));
                }
            }
        }
    }
}
