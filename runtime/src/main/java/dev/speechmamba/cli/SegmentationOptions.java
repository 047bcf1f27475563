package dev.speechmamba.cli;

import dev.speechmamba.audio.SpeechLevel;
import dev.speechmamba.decode.Segmenter;
import dev.speechmamba.decode.WordTimings;
import dev.speechmamba.transcribe.TranscribeOptions;
import picocli.CommandLine.Option;

import java.util.Optional;

/**
 * How recordings are prepared for the model (options shared by {@code transcribe}, {@code eval}, {@code serve} and
 * {@code adapt}): the level their speech is scaled to, and how long recordings are cut for the attention decoder (a
 * decoder trained on short utterances drifts, repeating and inserting words, on segments far longer than those).
 */
final class SegmentationOptions {
    @Option(names = "--max-segment", defaultValue = "20", paramLabel = "SECONDS",
            description = "Longest stretch of audio the attention decoder sees at once; longer speech is cut at its "
                    + "longest pause (default: ${DEFAULT-VALUE}).")
    double maxSegmentSeconds;

    @Option(names = "--min-pause", defaultValue = "0.4", paramLabel = "SECONDS",
            description = "Blank (silent) time on the CTC path that separates two segments (default: ${DEFAULT-VALUE}).")
    double minPauseSeconds;

    @Option(names = "--encode-segments", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "When a recording has several segments, encode each segment's audio on its own before "
                    + "decoding it (default), or with --no-encode-segments decode it from the whole-recording pass "
                    + "(one encoder pass; for models trained on long recordings). Models trained on short utterances "
                    + "drift over long context.")
    boolean encodeSegments;

    @Option(names = "--trim-silence", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With segments encoded on their own, cut each pause where the audio is quietest and trim "
                    + "each segment's audio to 10 ms before its first sound and 50 ms after its last (default): a model "
                    + "trained on synthesized utterances, which start at their first sound, misreads a word after "
                    + "silence. --no-trim-silence cuts pauses in their middle and keeps 0.2 s around the speech.")
    boolean trimSilence;

    @Option(names = "--speech-level", defaultValue = "-24,-16", paramLabel = "LOW,HIGH|DBFS|off",
            description = "Bring each recording's speech (the frames within 30 dB of its loud ones) into these levels "
                    + "in dBFS before the filterbank, as training does: a recording inside them is read as it is, one "
                    + "outside them is scaled to the nearer edge (default: ${DEFAULT-VALUE}, where the bundled model's "
                    + "training audio lies; a recording 30 dB quieter than that was over 90 %% wrong without it). One "
                    + "level scales every recording to it; off reads recordings as recorded.")
    String speechLevel;

    /** {@code options} with these segmentation settings. */
    TranscribeOptions applyTo(TranscribeOptions options) {
        return options.withSegmentation(toOptions()).withEncodeSegments(encodeSegments).withTrimSilence(trimSilence)
                .withSpeechLevel(speechLevel());
    }

    /** The --speech-level range, or empty for off; a bad value is an error naming the option. */
    Optional<SpeechLevel.Range> speechLevel() {
        String s = speechLevel.strip();
        if (s.equalsIgnoreCase("off")) return Optional.empty();
        String[] parts = s.split(",", -1);
        double[] levels = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                levels[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                levels[i] = Double.NaN;
            }
        }
        boolean inRange = parts.length <= 2;
        for (double l : levels) inRange &= l >= -60 && l <= 0;
        if (!inRange || (levels.length == 2 && levels[0] > levels[1])) {
            throw new IllegalArgumentException("--speech-level must be LOW,HIGH or one level in dBFS between -60 and 0 (e.g. -24,-16 or -20), "
                    + "or off, got '" + speechLevel + "'");
        }
        return Optional.of(levels.length == 1 ? SpeechLevel.Range.of(levels[0]) : new SpeechLevel.Range(levels[0], levels[1]));
    }

    /** The segmenter's options in encoder frames; a bad value is an error naming the option. */
    Segmenter.Options toOptions() {
        if (!(maxSegmentSeconds > 0) || Double.isInfinite(maxSegmentSeconds)) {
            throw new IllegalArgumentException("--max-segment must be a positive number of seconds, got " + maxSegmentSeconds);
        }
        if (!(minPauseSeconds > 0) || Double.isInfinite(minPauseSeconds)) {
            throw new IllegalArgumentException("--min-pause must be a positive number of seconds, got " + minPauseSeconds);
        }
        int maxFrames = (int) Math.round(maxSegmentSeconds / WordTimings.FRAME_SECONDS);
        int pauseFrames = (int) Math.round(minPauseSeconds / WordTimings.FRAME_SECONDS);
        if (maxFrames < 2) throw new IllegalArgumentException("--max-segment must be at least 0.08 s, got " + maxSegmentSeconds);
        Segmenter.Options defaults = Segmenter.Options.defaults();
        return new Segmenter.Options(Math.max(1, pauseFrames), defaults.padFrames(), maxFrames);
    }
}
