package dev.speechmamba.audio;

/**
 * Where the sound in a stretch of audio begins and ends: the first and last sample louder than a fraction of the
 * stretch's loudest, widened by a margin of the quiet around them.
 *
 * <p>Why the transcriber needs it: synthesized training utterances start within a few milliseconds of their first
 * sound (synth-corpus trims them so) and end about 0.2 s after their last. A model trained on them misreads the
 * first word of audio that starts with more silence: "forensic pathology" cut from a long recording with 0.18 s of
 * silence before it came out as "france if pathology", with 0.38 s as "to ency if catalogy". Trimming a segment's
 * edges to what training had removes that mismatch.
 *
 * @param relativeLevel a sample is sound when its magnitude exceeds this fraction of the stretch's peak
 * @param leadSamples   quiet samples kept before the first sound
 * @param trailSamples  quiet samples kept after the last sound
 */
public record SpeechEdges(double relativeLevel, int leadSamples, int trailSamples) {
    public SpeechEdges {
        if (!(relativeLevel > 0 && relativeLevel < 1)) {
            throw new IllegalArgumentException("speech edges: relative level must be in (0, 1), got " + relativeLevel);
        }
        if (leadSamples < 0 || trailSamples < 0) {
            throw new IllegalArgumentException("speech edges: margins must be >= 0 samples, got " + leadSamples + ", " + trailSamples);
        }
    }

    /**
     * 1 % of the peak (-40 dB); 0.01 s kept before the first sound and 0.05 s after the last. Espeak-ng's training
     * utterances start at their first sound: one read "forensic" with 10 ms of silence before it and "france if"
     * with 20 ms, and "mother" with nothing after it but "more daff" with 0.1 s.
     */
    public static SpeechEdges defaults() {
        return new SpeechEdges(0.01, (int) (0.01 * Fbank.SAMPLE_RATE), (int) (0.05 * Fbank.SAMPLE_RATE));
    }

    /** Samples {@code [from, to)} of a stretch. */
    public record Bounds(int from, int to) { }

    /**
     * The part of {@code pcm[from, to)} to keep: from {@code leadSamples} before its first sound to
     * {@code trailSamples} after its last, within {@code [from, to)}; all of it when it is silent throughout.
     */
    public Bounds find(float[] pcm, int from, int to) {
        if (from < 0 || to > pcm.length || from > to) {
            throw new IllegalArgumentException("speech edges: range [" + from + ", " + to + ") is outside the " + pcm.length + " samples");
        }
        float peak = 0;
        for (int i = from; i < to; i++) peak = Math.max(peak, Math.abs(pcm[i]));
        if (peak == 0) return new Bounds(from, to);
        double level = relativeLevel * peak;
        int first = from;
        while (Math.abs(pcm[first]) <= level) first++;
        int last = to - 1;
        while (Math.abs(pcm[last]) <= level) last--;
        return new Bounds(Math.max(from, first - leadSamples), (int) Math.min(to, (long) last + 1 + trailSamples));
    }
}
