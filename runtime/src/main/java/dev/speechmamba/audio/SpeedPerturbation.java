package dev.speechmamba.audio;

import java.util.random.RandomGenerator;

/**
 * Speed perturbation as Kaldi's and ESPnet's recipes do it (sox {@code speed}): the samples are reinterpreted
 * as recorded at {@code rate * factor} and resampled back to {@code rate}, so a factor of 1.05 makes speech 5%
 * faster (and 5% higher in pitch) and the recording about 1/1.05 as long. {@code rate * factor} is rounded to
 * whole hertz (exact for 16 kHz and the factors 0.9, 0.95, 1.05, 1.1).
 */
public final class SpeedPerturbation {

    /** The paper's factors. */
    public static final double[] DEFAULT_FACTORS = {0.95, 1.0, 1.05};

    private SpeedPerturbation() { }

    /** {@code audio} played {@code factor} times as fast, at its own sample rate. */
    public static Audio apply(Audio audio, double factor) {
        if (!(factor >= 0.5 && factor <= 2.0)) {
            throw new IllegalArgumentException("SpeedPerturbation: factor must be in [0.5, 2], got " + factor);
        }
        if (factor == 1.0) return audio;
        int virtualRate = (int) Math.round(audio.sampleRate() * factor);
        float[] out = Resampler.of(virtualRate, audio.sampleRate()).process(audio.samples());
        return new Audio(out, audio.sampleRate());
    }

    /** One of {@link #DEFAULT_FACTORS}, drawn uniformly. */
    public static double drawFactor(RandomGenerator random) {
        return DEFAULT_FACTORS[random.nextInt(DEFAULT_FACTORS.length)];
    }
}
