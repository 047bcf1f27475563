package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.backend.DropoutMask;

/** Inverted dropout with the counter-based mask of {@link DropoutMask}, in float64. */
final class DropoutRef {
    private DropoutRef() { }

    /** out[i] = keep(seed, i, p) ? x[i] / (1 - p) : 0. p = 0 keeps everything unscaled. */
    static void forward(double[] out, double[] x, float p, long seed, int n) {
        Checks.dropProbability("dropout", p);
        double keepScale = 1.0 / (1.0 - p);
        for (int i = 0; i < n; i++) out[i] = DropoutMask.keep(seed, i, p) ? x[i] * keepScale : 0.0;
    }

    /** dx[i] += keep(seed, i, p) ? dOut[i] / (1 - p) : 0, the same mask as {@link #forward}. */
    static void backward(double[] dx, double[] dOut, float p, long seed, int n) {
        Checks.dropProbability("dropoutBackward", p);
        double keepScale = 1.0 / (1.0 - p);
        for (int i = 0; i < n; i++) {
            if (DropoutMask.keep(seed, i, p)) dx[i] += dOut[i] * keepScale;
        }
    }
}
