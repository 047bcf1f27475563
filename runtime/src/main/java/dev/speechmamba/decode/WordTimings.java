package dev.speechmamba.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Word timestamps from CTC token spans: a word is a run of BPE pieces in which only the first starts with
 * the word-boundary marker {@code ▁}; it starts at its first piece's first frame and ends after its last
 * piece's last frame. One encoder frame is {@link #FRAME_SECONDS} (4× subsampling of a 10 ms shift).
 */
public final class WordTimings {
    /** Seconds per encoder frame: 4 filterbank frames of 10 ms. */
    public static final double FRAME_SECONDS = 0.04;
    private static final String SPACE_MARKER = "\u2581";

    private WordTimings() { }

    /**
     * A word: the token ids it is made of, its first and last frame (inclusive), and its confidence (that of its
     * least certain piece).
     */
    public record WordSpan(int[] tokens, int firstFrame, int lastFrame, double confidence) {
        public double start() { return firstFrame * FRAME_SECONDS; }

        public double end() { return (lastFrame + 1) * FRAME_SECONDS; }
    }

    /**
     * Groups spans into words.
     *
     * @param confidence (N) each span's confidence ({@link CtcConfidence#ofSpans})
     * @param pieceText  the piece string of a token id (with {@code ▁} markers)
     */
    public static List<WordSpan> words(List<TokenSpan> spans, double[] confidence, IntFunction<String> pieceText) {
        if (confidence.length != spans.size()) {
            throw new IllegalArgumentException("word timings: " + confidence.length + " confidences for " + spans.size() + " spans");
        }
        List<WordSpan> out = new ArrayList<>();
        int wordStart = 0;
        for (int i = 0; i < spans.size(); i++) {
            if (pieceText.apply(spans.get(i).token()).startsWith(SPACE_MARKER) && i > wordStart) {
                out.add(toWord(spans, confidence, wordStart, i));
                wordStart = i;
            }
        }
        if (spans.size() > wordStart) out.add(toWord(spans, confidence, wordStart, spans.size()));
        return out;
    }

    private static WordSpan toWord(List<TokenSpan> spans, double[] confidence, int from, int to) {
        int first = spans.get(from).firstFrame(), last = spans.get(from).lastFrame();
        double least = confidence[from];
        int[] tokens = new int[to - from];
        for (int i = from; i < to; i++) {
            TokenSpan s = spans.get(i);
            first = Math.min(first, s.firstFrame());
            last = Math.max(last, s.lastFrame());
            least = Math.min(least, confidence[i]);
            tokens[i - from] = s.token();
        }
        return new WordSpan(tokens, first, last, least);
    }

    /**
     * Spans for tokens that could not be aligned (more tokens than the frames allow): spread evenly over
     * {@code range}, so that timestamps stay ordered and inside the segment.
     */
    public static List<TokenSpan> spreadEvenly(int[] tokens, int start, int end) {
        List<TokenSpan> out = new ArrayList<>();
        int frames = end - start;
        for (int i = 0; i < tokens.length; i++) {
            int first = start + (int) ((long) i * frames / tokens.length);
            int last = Math.max(first, start + (int) ((long) (i + 1) * frames / tokens.length) - 1);
            out.add(new TokenSpan(tokens[i], first, last));
        }
        return out;
    }
}
