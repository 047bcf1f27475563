package dev.speechmamba.data;

import java.util.List;

/**
 * One line of a NeMo-style JSONL manifest: {@code audio_filepath} (relative to the manifest's folder or
 * absolute), {@code duration} in seconds, {@code text}, plus {@code voice}, an optional {@code offset} (seconds
 * into the file where this entry starts; NeMo's meaning) and, for long-form recordings, the per-utterance
 * {@code segments} that make up the joined transcript.
 */
public record ManifestEntry(String audioFilepath, double duration, String text, String voice, Double offset,
                            List<Segment> segments) {
    public ManifestEntry {
        if (audioFilepath == null || audioFilepath.isBlank()) throw new IllegalArgumentException("manifest entry without audio_filepath");
        if (!(duration >= 0) || Double.isInfinite(duration)) throw new IllegalArgumentException("bad duration " + duration + " for " + audioFilepath);
        if (text == null) throw new IllegalArgumentException("manifest entry without text: " + audioFilepath);
        if (offset != null && !(offset >= 0)) throw new IllegalArgumentException("bad offset " + offset + " for " + audioFilepath);
        segments = segments == null ? null : List.copyOf(segments);
    }

    public ManifestEntry(String audioFilepath, double duration, String text, String voice) {
        this(audioFilepath, duration, text, voice, null, null);
    }

    /** One utterance inside a long-form recording. */
    public record Segment(double offset, double duration, String text, String voice, String source) {
        public Segment {
            if (!(offset >= 0) || !(duration >= 0)) throw new IllegalArgumentException("bad segment offset/duration " + offset + "/" + duration);
            if (text == null) throw new IllegalArgumentException("segment without text at offset " + offset);
        }
    }
}
