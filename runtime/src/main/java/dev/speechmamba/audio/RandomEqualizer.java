package dev.speechmamba.audio;

import java.util.random.RandomGenerator;

/**
 * Training augmentation: each utterance heard through a random equalizer, a smooth gain curve over the filterbank
 * (a sum of {@value #TERMS} cosines across the mel bins, scaled so that its largest boost or cut is drawn uniformly
 * from [0, maxDb] dB). A voice's timbre is mostly such a slow spectral envelope (formant strengths, spectral tilt,
 * the recording chain), so a model trained through many equalizers leans less on the envelopes of its training
 * speakers; VTLP ({@link VocalTractPerturbation}) moves formants along the frequency axis, this changes their
 * strength. An unheard diphone voice was the worst of the test speakers after VTLP alone.
 *
 * <p>The gain is added to log-mel energies (natural log of power, as {@link Fbank} writes them), so it must run
 * before CMVN. Bins at the log floor (digital silence) stay there: an equalizer cannot make sound out of zeros.
 *
 * @param maxDb the largest boost or cut, in dB of power, in (0, 20]
 */
public record RandomEqualizer(double maxDb) {
    /** Cosine terms of the gain curve: the slowest is a tilt, the fastest has a bump every ~13 of 80 bins. */
    public static final int TERMS = 6;
    private static final double LN_POWER_PER_DB = Math.log(10) / 10;
    private static final float FLOOR = (float) Math.log(Fbank.LOG_FLOOR);

    public RandomEqualizer {
        if (!(maxDb > 0 && maxDb <= 20)) {
            throw new IllegalArgumentException("random equalizer: the largest gain must be in (0, 20] dB, got " + maxDb);
        }
    }

    /** A gain curve in dB over {@code bins} filterbank bins, drawing every choice from {@code random}. */
    public double[] drawGainsDb(int bins, RandomGenerator random) {
        double[] amplitude = new double[TERMS];
        for (int k = 0; k < TERMS; k++) amplitude[k] = random.nextDouble(-1, 1) / (1 + 0.5 * k); // slower terms larger
        double[] gain = new double[bins];
        double peak = 0;
        for (int b = 0; b < bins; b++) {
            double g = 0;
            for (int k = 0; k < TERMS; k++) g += amplitude[k] * Math.cos(Math.PI * (k + 1) * (b + 0.5) / bins);
            gain[b] = g;
            peak = Math.max(peak, Math.abs(g));
        }
        double target = random.nextDouble() * maxDb;
        double scale = peak > 0 ? target / peak : 0;
        for (int b = 0; b < bins; b++) gain[b] *= scale;
        return gain;
    }

    /** Adds a drawn gain curve to every frame of raw log-mel {@code features}, in place. */
    public void applyInPlace(Features features, RandomGenerator random) {
        double[] gainDb = drawGainsDb(features.dims(), random);
        float[] gain = new float[gainDb.length];
        for (int b = 0; b < gain.length; b++) gain[b] = (float) (gainDb[b] * LN_POWER_PER_DB);
        float[] data = features.data();
        int dims = features.dims();
        for (int i = 0; i < data.length; i++) {
            if (data[i] > FLOOR) data[i] = Math.max(FLOOR, data[i] + gain[i % dims]);
        }
    }
}
