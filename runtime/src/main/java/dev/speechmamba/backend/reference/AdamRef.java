package dev.speechmamba.backend.reference;

/**
 * One Adam(W) step in float64, bias-corrected with the 1-based step, weight decay decoupled
 * (applied to the parameter before the update, as AdamW).
 */
final class AdamRef {
    private AdamRef() { }

    /**
     * m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= lr · (m̂ / (sqrt(v̂) + eps) + weightDecay · p)
     * with m̂ = m / (1 - β1^step), v̂ = v / (1 - β2^step). param, m, v updated in place.
     */
    static void step(double[] param, double[] grad, double[] m, double[] v, double lr, double beta1, double beta2,
                     double eps, double weightDecay, int step, int n) {
        if (step < 1) throw new IllegalArgumentException("adamStep: step must be 1-based, got " + step);
        double mCorrection = 1.0 - Math.pow(beta1, step);
        double vCorrection = 1.0 - Math.pow(beta2, step);
        for (int i = 0; i < n; i++) {
            double g = grad[i];
            m[i] = beta1 * m[i] + (1.0 - beta1) * g;
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
            double mHat = m[i] / mCorrection;
            double vHat = v[i] / vCorrection;
            param[i] -= lr * (mHat / (Math.sqrt(vHat) + eps) + weightDecay * param[i]);
        }
    }
}
