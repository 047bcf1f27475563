package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks a model's backward pass: for each weight tensor, the gradient already accumulated in it, taken along a
 * random direction, must match a central difference of the loss along that direction. A ReLU kink crossed on one
 * side spoils the central difference but not the other side's one-sided difference, which is then accepted; the
 * tolerance covers float32 rounding of the loss.
 */
final class DirectionalDerivatives {
    private DirectionalDerivatives() { }

    /**
     * @param loss the loss at the parameters' current values (no dropout), the function whose gradient the
     *             parameters hold
     */
    static void check(String what, Backend be, List<Parameter> params, DoubleSupplier loss, double h, double atol) {
        SplittableRandom rng = new SplittableRandom(17);
        int informative = 0;
        for (Parameter p : params) {
            float[] w = be.toHost(p.value()), g = be.toHost(p.grad()), v = new float[w.length];
            double analytic = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextGaussian();
                analytic += g[i] * (double) v[i];
            }
            double plus = lossAt(be, loss, p, w, v, h), minus = lossAt(be, loss, p, w, v, -h);
            double center = lossAt(be, loss, p, w, v, 0);
            double numeric = (plus - minus) / (2 * h);
            double right = (plus - center) / h, left = (center - minus) / h;
            boolean matches = Math.abs(numeric - analytic) <= atol + 1e-2 * Math.abs(numeric)
                    || Math.abs(right - analytic) <= 2 * atol + 1e-2 * Math.abs(right)
                    || Math.abs(left - analytic) <= 2 * atol + 1e-2 * Math.abs(left);
            assertTrue(matches, what + " " + p.name() + ": analytic " + analytic + ", numeric central " + numeric + ", right "
                    + right + ", left " + left);
            if (Math.abs(analytic) > 10 * atol) informative++;
        }
        assertTrue(informative >= params.size() / 3, what + ": most directional derivatives are far above the tolerance: "
                + informative + " of " + params.size());
    }

    /** The loss with {@code p} moved by h·dir from {@code base} (left there; the next call sets it again). */
    private static double lossAt(Backend be, DoubleSupplier loss, Parameter p, float[] base, float[] dir, double h) {
        float[] w = base.clone();
        for (int i = 0; i < w.length; i++) w[i] += (float) (h * dir[i]);
        try (Tensor t = be.fromHost(w, p.value().shape().dims())) {
            be.copy(p.value(), t);
        }
        return loss.getAsDouble();
    }
}
