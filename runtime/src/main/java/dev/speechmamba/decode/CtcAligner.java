package dev.speechmamba.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Viterbi forced alignment of a token sequence to CTC log-probabilities: the single most likely frame
 * path whose collapse is exactly the sequence. Used to time the tokens that beam search produced.
 */
public final class CtcAligner {
    private CtcAligner() { }

    /** Frames needed by {@code tokens}: one per token plus one blank between equal neighbours. */
    public static int minimumFrames(int[] tokens) {
        int need = tokens.length;
        for (int i = 1; i < tokens.length; i++) if (tokens[i] == tokens[i - 1]) need++;
        return need;
    }

    /**
     * The best alignment's token spans (frame indices relative to {@code logProbs}).
     *
     * @throws IllegalArgumentException when the sequence does not fit into the frames or holds the blank
     */
    public static List<TokenSpan> align(LogProbs logProbs, int[] tokens, int blank) {
        int frames = logProbs.frames();
        for (int tok : tokens) {
            if (tok == blank || tok < 0 || tok >= logProbs.vocab()) {
                throw new IllegalArgumentException("CTC alignment: token " + tok + " is the blank or outside the vocabulary");
            }
        }
        if (tokens.length == 0) return List.of();
        if (minimumFrames(tokens) > frames) {
            throw new IllegalArgumentException("CTC alignment: " + tokens.length + " tokens need " + minimumFrames(tokens)
                    + " frames, only " + frames + " exist");
        }
        // Extended sequence: blank, y1, blank, y2, ..., yU, blank (S = 2U + 1 states).
        int states = 2 * tokens.length + 1;
        double[] score = new double[states];
        double[] next = new double[states];
        int[] from = new int[frames * states];              // (T, S) predecessor state
        java.util.Arrays.fill(score, Double.NEGATIVE_INFINITY);
        score[0] = logProbs.get(0, blank);
        score[1] = logProbs.get(0, tokens[0]);
        for (int t = 1; t < frames; t++) {
            for (int s = 0; s < states; s++) {
                int label = s % 2 == 0 ? blank : tokens[s / 2];
                double best = score[s];
                int arg = s;
                if (s >= 1 && score[s - 1] > best) { best = score[s - 1]; arg = s - 1; }
                if (s >= 2 && s % 2 == 1 && tokens[s / 2] != tokens[s / 2 - 1] && score[s - 2] > best) {
                    best = score[s - 2];
                    arg = s - 2;
                }
                next[s] = best + logProbs.get(t, label);
                from[t * states + s] = arg;
            }
            double[] swap = score; score = next; next = swap;
        }
        int s = score[states - 1] >= score[states - 2] ? states - 1 : states - 2;
        int[] stateAt = new int[frames];
        for (int t = frames - 1; t >= 0; t--) {
            stateAt[t] = s;
            if (t > 0) s = from[t * states + s];
        }
        List<TokenSpan> spans = new ArrayList<>();
        int t = 0;
        while (t < frames) {
            int st = stateAt[t], end = t;
            while (end + 1 < frames && stateAt[end + 1] == st) end++;
            if (st % 2 == 1) spans.add(new TokenSpan(tokens[st / 2], t, end));
            t = end + 1;
        }
        return spans;
    }
}
