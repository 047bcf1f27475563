package dev.speechmamba.audio;

import java.util.random.RandomGenerator;

/**
 * Training augmentation: silence of random length before and after an utterance. Synthesized utterances start at
 * their first sound, and a model that never hears anything else reads silence before a word as part of it (with
 * 20 ms of leading silence, "forensic" became "france if"; with 0.1 s after the last word, "mother" became
 * "more daff"). Real recordings and the segments cut from long ones have such silence.
 *
 * <p>Half the padded utterances get digital silence (zeros, as TTS and the long-recording builder write), the
 * others a quiet Gaussian noise floor, 45 to 75 dB below the utterance's own RMS level.
 *
 * @param probability chance that an utterance is padded at all
 * @param maxSeconds  each side's silence is drawn uniformly from [0, maxSeconds]
 */
public record EdgeSilence(double probability, double maxSeconds) {
    public EdgeSilence {
        if (!(probability > 0 && probability <= 1)) {
            throw new IllegalArgumentException("edge silence: probability must be in (0, 1], got " + probability);
        }
        if (!(maxSeconds > 0 && maxSeconds <= 5)) {
            throw new IllegalArgumentException("edge silence: the longest silence must be in (0, 5] s, got " + maxSeconds);
        }
    }

    /** Half the utterances padded, up to {@code maxSeconds} on each side. */
    public static EdgeSilence upTo(double maxSeconds) { return new EdgeSilence(0.5, maxSeconds); }

    /** {@code audio}, or a padded copy of it, drawing every choice from {@code random}. */
    public Audio apply(Audio audio, RandomGenerator random) {
        if (random.nextDouble() >= probability) return audio;
        int rate = audio.sampleRate();
        int lead = (int) (random.nextDouble() * maxSeconds * rate);
        int trail = (int) (random.nextDouble() * maxSeconds * rate);
        boolean zeros = random.nextBoolean();
        double noiseRms = zeros ? 0 : Audio.rms(audio.samples(), 0, audio.samples().length) * Math.pow(10, -(45 + 30 * random.nextDouble()) / 20);
        float[] src = audio.samples();
        float[] out = new float[lead + src.length + trail];
        System.arraycopy(src, 0, out, lead, src.length);
        if (noiseRms > 0) {
            for (int i = 0; i < lead; i++) out[i] = (float) (noiseRms * random.nextGaussian());
            for (int i = lead + src.length; i < out.length; i++) out[i] = (float) (noiseRms * random.nextGaussian());
        }
        return new Audio(out, rate);
    }
}
