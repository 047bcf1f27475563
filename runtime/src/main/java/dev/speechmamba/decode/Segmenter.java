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
        int frames = path.length;
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
                int lowLimit = i == 0 ? 0 : midpoint(pauses.get(i - 1));
                int highLimit = i < pauses.size() ? midpoint(pauses.get(i)) : frames;
                int start = Math.max(lowLimit, speechStart - options.padFrames());
                int end = Math.min(highLimit, speechEnd + options.padFrames());
                split(path, blank, new FrameRange(start, Math.max(end, start + 1)), out);
            }
            if (i < pauses.size()) speechStart = pauses.get(i)[1];
        }
        return out;
    }

    private static int midpoint(int[] pause) { return (pause[0] + pause[1]) / 2; }

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
