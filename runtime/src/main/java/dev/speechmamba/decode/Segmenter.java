package dev.speechmamba.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a long recording into segments for the attention decoder along CTC-detected pauses: runs of at
 * least {@code minPauseFrames} blank frames on the greedy CTC path. Each stretch of speech between pauses
 * becomes a segment, widened by up to {@code padFrames} into the neighbouring pauses (never past a pause's
 * middle); stretches with no token are dropped. A segment longer than {@code maxSegmentFrames} is cut at its
 * longest internal blank run, recursively (at the limit itself when it has no blank at all), so that the
 * decoder never sees far more frames than it was trained on.
 *
 * <p>Given each frame's loudness, a pause is cut at its quietest frame instead of its middle, and the segments
 * reach the cuts instead of stopping {@code padFrames} from their speech: CTC emits a word's first token up to
 * 0.3 s after the word begins, so a blank run can start well inside a word's first sound, and padding from the
 * token clipped it ("forensic" read as "a ransip"). The caller then trims each segment's silence by its audio.
 */
public final class Segmenter {

    /**
     * @param minPauseFrames   blank frames that make a pause (at 40 ms per frame, 10 = 0.4 s)
     * @param padFrames        frames of pause kept on each side of a segment
     * @param maxSegmentFrames longest segment
     */
    public record Options(int minPauseFrames, int padFrames, int maxSegmentFrames) {
        public Options {
            if (minPauseFrames < 1) throw new IllegalArgumentException("segmenter: min pause must be >= 1 frame, got " + minPauseFrames);
            if (padFrames < 0) throw new IllegalArgumentException("segmenter: padding must be >= 0 frames, got " + padFrames);
            if (maxSegmentFrames < 2) throw new IllegalArgumentException("segmenter: max segment must be >= 2 frames, got " + maxSegmentFrames);
        }

        /** Pauses of 0.4 s, 0.2 s kept around speech, segments of at most 20 s. */
        public static Options defaults() { return new Options(10, 5, 500); }
    }

    /** Frames [start, end) of the encoder output. */
    public record FrameRange(int start, int end) {
        public FrameRange {
            if (start < 0 || end <= start) throw new IllegalArgumentException("frame range [" + start + ", " + end + ") is empty or negative");
        }

        public int length() { return end - start; }

        public boolean contains(int frame) { return frame >= start && frame < end; }
    }

    private final Options options;

    public Segmenter(Options options) { this.options = options; }

    /** Segments of a greedy CTC path (one label per frame), in time order; empty when it holds only blanks. */
    public List<FrameRange> segments(int[] path, int blank) {
        return segments(path, blank, null);
    }

    /**
     * Segments of a greedy CTC path, each pause cut at its quietest frame of {@code loudness} (one value per frame
     * of the path, e.g. the audio's RMS under it) and each segment reaching the cuts; with {@code loudness} null,
     * as {@link #segments(int[], int)}.
     */
    public List<FrameRange> segments(int[] path, int blank, float[] loudness) {
        int frames = path.length;
        if (loudness != null && loudness.length != frames) {
            throw new IllegalArgumentException("segmenter: " + loudness.length + " loudness values for a path of " + frames + " frames");
        }
        List<int[]> pauses = new ArrayList<>();               // [start, end) of long blank runs
        for (int t = 0; t < frames; ) {
            if (path[t] != blank) { t++; continue; }
            int end = t;
            while (end < frames && path[end] == blank) end++;
            if (end - t >= options.minPauseFrames()) pauses.add(new int[] {t, end});
            t = end;
        }
        List<FrameRange> out = new ArrayList<>();
        int speechStart = 0;
        for (int i = 0; i <= pauses.size(); i++) {
            int speechEnd = i < pauses.size() ? pauses.get(i)[0] : frames;
            if (speechEnd > speechStart && hasToken(path, blank, speechStart, speechEnd)) {
                int lowLimit = i == 0 ? 0 : cut(pauses.get(i - 1), loudness);
                int highLimit = i < pauses.size() ? cut(pauses.get(i), loudness) : frames;
                int pad = loudness == null ? options.padFrames() : frames;
                int start = Math.max(lowLimit, speechStart - pad);
                int end = Math.min(highLimit, speechEnd + pad);
                split(path, blank, new FrameRange(start, Math.max(end, start + 1)), out);
            }
            if (i < pauses.size()) speechStart = pauses.get(i)[1];
        }
        return out;
    }

    /** Where a pause [start, end) is cut: its middle, or the middle of its quietest stretch. */
    private static int cut(int[] pause, float[] loudness) {
        if (loudness == null) return (pause[0] + pause[1]) / 2;
        float quietest = Float.POSITIVE_INFINITY;
        for (int t = pause[0]; t < pause[1]; t++) quietest = Math.min(quietest, loudness[t]);
        int bestStart = pause[0], bestLength = 0;
        for (int t = pause[0]; t < pause[1]; ) {
            if (loudness[t] != quietest) { t++; continue; }
            int end = t;
            while (end < pause[1] && loudness[end] == quietest) end++;
            if (end - t > bestLength) { bestLength = end - t; bestStart = t; }
            t = end;
        }
        return bestStart + bestLength / 2;
    }

    private static boolean hasToken(int[] path, int blank, int from, int to) {
        for (int t = from; t < to; t++) if (path[t] != blank) return true;
        return false;
    }

    private void split(int[] path, int blank, FrameRange range, List<FrameRange> out) {
        if (range.length() <= options.maxSegmentFrames()) {
            out.add(range);
            return;
        }
        // Cut in the middle of the longest blank run that lies strictly inside the range.
        int bestStart = -1, bestLength = 0;
        for (int t = range.start() + 1; t < range.end() - 1; ) {
            if (path[t] != blank) { t++; continue; }
            int end = t;
            while (end < range.end() - 1 && path[end] == blank) end++;
            if (end - t > bestLength) { bestLength = end - t; bestStart = t; }
            t = end;
        }
        int cut = bestLength > 0 ? bestStart + bestLength / 2 : range.start() + options.maxSegmentFrames();
        if (cut <= range.start()) cut = range.start() + 1;
        split(path, blank, new FrameRange(range.start(), cut), out);
        split(path, blank, new FrameRange(cut, range.end()), out);
    }
}
