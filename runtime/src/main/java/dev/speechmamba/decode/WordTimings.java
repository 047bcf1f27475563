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

    /** A word: the token ids it is made of and its first and last frame (inclusive). */
    public record WordSpan(int[] tokens, int firstFrame, int lastFrame) {
        public double start() { return firstFrame * FRAME_SECONDS; }

        public double end() { return (lastFrame + 1) * FRAME_SECONDS; }
    }

    /**
     * Groups spans into words.
     *
     * @param pieceText the piece string of a token id (with {@code ▁} markers)
     */
    public static List<WordSpan> words(List<TokenSpan> spans, IntFunction<String> pieceText) {
        List<WordSpan> out = new ArrayList<>();
        List<TokenSpan> current = new ArrayList<>();
        for (TokenSpan s : spans) {
            if (pieceText.apply(s.token()).startsWith(SPACE_MARKER) && !current.isEmpty()) {
                out.add(toWord(current));
                current.clear();
            }
            current.add(s);
        }
        if (!current.isEmpty()) out.add(toWord(current));
        return out;
    }

    private static WordSpan toWord(List<TokenSpan> pieces) {
        int first = pieces.getFirst().firstFrame(), last = pieces.getFirst().lastFrame();
        for (TokenSpan s : pieces) {
            first = Math.min(first, s.firstFrame());
            last = Math.max(last, s.lastFrame());
        }
        return new WordSpan(pieces.stream().mapToInt(TokenSpan::token).toArray(), first, last);
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
