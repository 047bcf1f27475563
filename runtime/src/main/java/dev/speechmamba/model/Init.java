package dev.speechmamba.model;

import java.util.SplittableRandom;

/** Weight initialisers (host side, seeded, so a model is reproducible from its seed). */
public final class Init {
    private Init() { }

    /** Uniform in [-bound, bound): PyTorch's default for nn.Linear / nn.Conv1d with bound = 1/sqrt(fanIn). */
    public static float[] uniform(SplittableRandom rng, int n, double bound) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        return w;
    }

    /** Xavier (Glorot) normal: std = sqrt(2 / (fanIn + fanOut)). */
    public static float[] xavierNormal(SplittableRandom rng, int fanOut, int fanIn) {
        float[] w = new float[fanOut * fanIn];
        double std = Math.sqrt(2.0 / (fanIn + fanOut));
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
        return w;
    }

    public static float[] normal(SplittableRandom rng, int n, double std) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (rng.nextGaussian() * std);
        return w;
    }

    public static float[] constant(int n, float value) {
        float[] w = new float[n];
        java.util.Arrays.fill(w, value);
        return w;
    }
}
