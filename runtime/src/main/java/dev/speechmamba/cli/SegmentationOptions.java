package dev.speechmamba.cli;

import dev.speechmamba.decode.Segmenter;
import dev.speechmamba.decode.WordTimings;
import picocli.CommandLine.Option;

/**
 * How long recordings are cut for the attention decoder (options shared by {@code transcribe} and {@code eval}):
 * a decoder trained on short utterances drifts (repeats, inserts) on segments far longer than those.
 */
final class SegmentationOptions {
    @Option(names = "--max-segment", defaultValue = "20", paramLabel = "SECONDS",
            description = "Longest stretch of audio the attention decoder sees at once; longer speech is cut at its "
                    + "longest pause (default: ${DEFAULT-VALUE}).")
    double maxSegmentSeconds;

    @Option(names = "--min-pause", defaultValue = "0.4", paramLabel = "SECONDS",
            description = "Blank (silent) time on the CTC path that separates two segments (default: ${DEFAULT-VALUE}).")
    double minPauseSeconds;

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
