package dev.speechmamba.decode;

import java.util.ArrayList;
import java.util.List;

/** CTC best-path decoding: the most likely label per frame, repeats collapsed, blanks dropped. */
public final class CtcGreedy {
    private CtcGreedy() { }

    /** Tokens of the best path with the frames each one occupies. */
    public static List<TokenSpan> decode(LogProbs logProbs, int blank) {
        return collapse(logProbs.argmaxPath(), blank);
    }

    /**
     * Collapses a frame-level label path: consecutive equal labels are one emission, blanks separate
     * emissions of the same label and are dropped.
     */
    public static List<TokenSpan> collapse(int[] path, int blank) {
        List<TokenSpan> out = new ArrayList<>();
        int t = 0;
        while (t < path.length) {
            int label = path[t], end = t;
            while (end + 1 < path.length && path[end + 1] == label) end++;
            if (label != blank) out.add(new TokenSpan(label, t, end));
            t = end + 1;
        }
        return out;
    }

    /** The token ids of spans, in order. */
    public static int[] tokens(List<TokenSpan> spans) {
        return spans.stream().mapToInt(TokenSpan::token).toArray();
    }
}
