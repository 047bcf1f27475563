package dev.speechmamba.audio;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * The level of the speech in a recording, and a gain that brings it into a range of levels. A log-mel filterbank does not
 * forget the input's level: every band of a recording 30 dB quieter sits 6.9 nats lower, and global CMVN
 * subtracts one fixed mean. A model trained on synthesized speech, which engines write at about −20 dBFS (800
 * utterances of the bundled model's training audio, measured as below: median −20.1 dBFS, 10th–90th percentile
 * −23.9 to −16.4), read the same espeak-ng test utterances at 8.6 % WER as written, 25 % 20 dB quieter and 92 % 30 dB
 * quieter (docs/benchmarks.md, "Quiet recordings"). So the front end brings each recording's speech into the
 * range the training audio spans, {@link #TRAINING_RANGE}, before its filterbank, in training and in transcription
 * alike: a recording inside it is left as it is, one outside it is scaled to the nearer edge. (Scaling every
 * recording to the median, −20 dBFS, read the held-out test voices, which lie inside the range, 25 errors worse in
 * 7 218 words: within the range the model reads some voices better at their own level.)
 *
 * <p>The level is the mean power of the active frames (25 ms every 10 ms, as the filterbank's), those within
 * {@link #ACTIVE_RANGE_DB} dB of the 50th loudest frame, each counted at most at that frame's power. Half a second
 * of the loudest audio sets the reference, so pauses and silence around the speech do not count however long they
 * are, even around one second of speech in a minute; the cap keeps clicks far louder than the speech from setting
 * the level. In the spirit of ITU-T P.56's active speech level, which averages power above an adaptive threshold.
 * (The mean of the frames' decibels, tried too, follows each utterance's mix of vowels and consonants and read the
 * test voices worse: docs/benchmarks.md.) The samples are scaled, not clipped: the filterbank reads floats, so a
 * peak above 1.0 after the gain is kept as is.
 */
public final class SpeechLevel {
    /**
     * The levels speech is kept within, in dBFS: the 10th to 90th percentile of the bundled model's training audio
     * (−23.9 to −16.4 dBFS), to the nearest dB.
     */
    public static final Range TRAINING_RANGE = new Range(-24, -16);
    /** Frames this far below the loud reference (the 50th loudest frame) are pauses, not speech. */
    public static final double ACTIVE_RANGE_DB = 30.0;
    /** Below this level a recording is taken as silence and left as it is: amplifying noise makes words of it. */
    public static final double SILENCE_DBFS = -70.0;
    /** The largest boost and cut: a recording at −65 dBFS comes up to −25 dBFS, not further. */
    public static final double MAX_GAIN_DB = 40.0, MIN_GAIN_DB = -30.0;

    private static final int FRAME = Fbank.FRAME_LENGTH, HOP = Fbank.FRAME_SHIFT;
    /** Half a second of frames: the loud reference is the 50th loudest frame (or the median of a shorter recording). */
    private static final int LOUD_FRAMES = 50;

    private SpeechLevel() { }

    /**
     * The active speech level of samples in [-1, 1] full scale, in dBFS (a full-scale sine is −3 dBFS); empty when
     * the recording is shorter than one 25 ms frame or digitally silent.
     */
    public static OptionalDouble activeLevelDbfs(float[] samples) {
        int frames = Fbank.numFrames(samples.length);
        if (frames == 0) return OptionalDouble.empty();
        double[] power = new double[frames];                 // (frames) mean square per frame
        for (int f = 0; f < frames; f++) power[f] = Audio.meanSquare(samples, f * HOP, f * HOP + FRAME);
        double[] sorted = power.clone();
        Arrays.sort(sorted);
        double loud = sorted[frames - Math.min(LOUD_FRAMES, (frames + 1) / 2)];
        if (!(loud > 0)) return OptionalDouble.empty();
        double threshold = loud * Math.pow(10, -ACTIVE_RANGE_DB / 10);
        double sum = 0;
        int active = 0;
        for (double p : power) {
            if (p >= threshold) {
                sum += Math.min(p, loud);                    // a click counts no louder than the reference
                active++;
            }
        }
        return OptionalDouble.of(10 * Math.log10(sum / active));
    }

    /**
     * Speech levels from {@code lowDbfs} to {@code highDbfs}; a single target when they are equal.
     */
    public record Range(double lowDbfs, double highDbfs) {
        public Range {
            if (!(lowDbfs <= highDbfs && highDbfs <= 0) || Double.isInfinite(lowDbfs)) {
                throw new IllegalArgumentException("speech level: the range must run from a finite level up to one at or below 0 dBFS, got "
                        + lowDbfs + " to " + highDbfs);
            }
        }

        /** One target level. */
        public static Range of(double dbfs) { return new Range(dbfs, dbfs); }

        @Override public String toString() {
            return lowDbfs == highDbfs ? fmt(lowDbfs) + " dBFS" : fmt(lowDbfs) + " to " + fmt(highDbfs) + " dBFS";
        }

        private static String fmt(double v) { return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v); }
    }

    /**
     * The gain in dB that brings the recording's active level into {@code range}: 0 inside it, to the nearer edge
     * outside it, within [{@link #MIN_GAIN_DB}, {@link #MAX_GAIN_DB}]; 0 for a recording that is silent, too short to
     * measure, or quieter than {@link #SILENCE_DBFS}.
     */
    public static double gainDb(float[] samples, Range range) {
        OptionalDouble level = activeLevelDbfs(samples);
        if (level.isEmpty() || level.getAsDouble() < SILENCE_DBFS) return 0;
        double l = level.getAsDouble();
        double gain = l < range.lowDbfs() ? range.lowDbfs() - l : l > range.highDbfs() ? range.highDbfs() - l : 0;
        return Math.max(MIN_GAIN_DB, Math.min(MAX_GAIN_DB, gain));
    }

    /** The samples scaled by {@link #gainDb}: a new array, or {@code samples} itself when the gain is 0. */
    public static float[] normalize(float[] samples, Range range) {
        double gainDb = gainDb(samples, range);
        if (gainDb == 0) return samples;
        float gain = (float) Math.pow(10, gainDb / 20);
        float[] out = new float[samples.length];
        for (int i = 0; i < samples.length; i++) out[i] = samples[i] * gain;
        return out;
    }
}
