package dev.speechmamba.audio;

import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Vocal-tract length perturbation (VTLP; Jaitly &amp; Hinton, 2013): each training utterance is featurized with a
 * filterbank warped by a factor drawn uniformly from [1 - maxWarp, 1 + maxWarp] (see {@link Fbank#warpHz}), so
 * the model hears every voice as if spoken by people with shorter and longer vocal tracts. Unlike speed
 * perturbation it leaves timing and pitch alone. Factors are drawn on a 0.01 grid, so at most
 * 2·maxWarp/0.01 + 1 filterbanks are ever built; they are cached. Thread-safe.
 */
public final class VocalTractPerturbation {
    /** The grid factors are drawn on. */
    public static final double STEP = 0.01;

    private final int melBins;
    private final int gridSteps;   // factors 1 + k·STEP for k in [-gridSteps, gridSteps]
    private final ConcurrentHashMap<Integer, Fbank> filterbanks = new ConcurrentHashMap<>();

    /** @param maxWarp the largest departure from 1, in (0, 0.2] */
    public VocalTractPerturbation(int melBins, double maxWarp) {
        if (!(maxWarp > 0 && maxWarp <= 0.2)) {
            throw new IllegalArgumentException("VTLP: the maximum warp must be in (0, 0.2] (factors 0.8 to 1.2), got " + maxWarp);
        }
        this.melBins = melBins;
        this.gridSteps = (int) Math.round(maxWarp / STEP);
        if (gridSteps < 1) {
            throw new IllegalArgumentException("VTLP: the maximum warp " + maxWarp + " is below the " + STEP + " grid step");
        }
    }

    /** The filterbank size the warped filterbanks have. */
    public int melBins() { return melBins; }

    /** The largest departure from 1 that can be drawn. */
    public double maxWarp() { return gridSteps * STEP; }

    /** A warp factor drawn uniformly from the grid on [1 - maxWarp, 1 + maxWarp]. */
    public double drawFactor(RandomGenerator random) {
        return factor(random.nextInt(-gridSteps, gridSteps + 1));
    }

    /** The filterbank of factor {@code warp}, which must lie on this perturbation's grid. */
    public Fbank filterbank(double warp) {
        long k = Math.round((warp - 1.0) / STEP);
        if (Math.abs(k) > gridSteps || Math.abs(factor((int) k) - warp) > 1e-9) {
            throw new IllegalArgumentException("VTLP: warp " + warp + " is not one of the factors 1 ± k·" + STEP
                    + " up to ±" + maxWarp());
        }
        return filterbanks.computeIfAbsent((int) k, step -> new Fbank(melBins, factor(step)));
    }

    private static double factor(int step) { return 1.0 + step * STEP; }
}
