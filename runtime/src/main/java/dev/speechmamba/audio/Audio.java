package dev.speechmamba.audio;

/**
 * Decoded mono audio: samples as floats in [-1, 1] (full scale of the source format) at {@code sampleRate} Hz.
 * The array is owned by this record; callers that change it must copy it first.
 */
public record Audio(float[] samples, int sampleRate) {

    /** The rate every model in this project consumes; {@link #to16k()} converts to it. */
    public static final int MODEL_RATE = 16_000;

    public Audio {
        if (samples == null) throw new IllegalArgumentException("Audio: samples is null");
        if (sampleRate <= 0) throw new IllegalArgumentException("Audio: sample rate must be positive, got " + sampleRate);
    }

    /** The root mean square of {@code x[from, to)}; 0 for an empty range. */
    public static double rms(float[] x, int from, int to) { return Math.sqrt(meanSquare(x, from, to)); }

    /** The mean of the squares of {@code x[from, to)}, in double precision; 0 for an empty range. */
    public static double meanSquare(float[] x, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) sum += (double) x[i] * x[i];
        return to > from ? sum / (to - from) : 0;
    }

    /** Length in seconds. */
    public double duration() { return samples.length / (double) sampleRate; }

    /** This audio at {@code targetRate}, band-limited resampled (the same object when the rate already matches). */
    public Audio resample(int targetRate) {
        if (targetRate == sampleRate) return this;
        return new Audio(Resampler.of(sampleRate, targetRate).process(samples), targetRate);
    }

    /** This audio at 16 kHz. */
    public Audio to16k() { return resample(MODEL_RATE); }
}
