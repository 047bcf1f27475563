package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CtcGreedyTest {

    /** Logits (T, V) whose argmax per frame is {@code path} (the winner's logit 3, the rest in [-1, 1]). */
    static float[] logitsFor(int[] path, int vocab) { return logitsFor(path, vocab, 3f); }

    /** The same with the winner's logit set to {@code peak}. */
    static float[] logitsFor(int[] path, int vocab, float peak) {
        float[] logits = new float[path.length * vocab];
        for (int t = 0; t < path.length; t++) {
            for (int k = 0; k < vocab; k++) logits[t * vocab + k] = (float) Math.sin(t * 7 + k); // distractors in [-1, 1]
            logits[t * vocab + path[t]] = peak;
        }
        return logits;
    }

    @Test
    void collapsesRepeatsAndDropsBlanks() {
        int[] path = {0, 3, 3, 0, 0, 3, 2, 2, 0, 1, 4, 4};
        LogProbs lp = LogProbs.fromLogits(logitsFor(path, 5), 0, path.length, 5);
        List<TokenSpan> spans = CtcGreedy.decode(lp, 0);
        assertArrayEquals(new int[] {3, 3, 2, 1, 4}, CtcGreedy.tokens(spans));
        assertEquals(List.of(new TokenSpan(3, 1, 2), new TokenSpan(3, 5, 5), new TokenSpan(2, 6, 7),
                new TokenSpan(1, 9, 9), new TokenSpan(4, 10, 11)), spans);
    }

    @Test
    void allBlankAndEmptyPathsGiveNothing() {
        assertEquals(List.of(), CtcGreedy.collapse(new int[] {0, 0, 0}, 0));
        assertEquals(List.of(), CtcGreedy.collapse(new int[0], 0));
    }

    @Test
    void logSoftmaxRowsSumToOneAndSliceKeepsRows() {
        float[] logits = {1, 2, 3, -50, 0, 50, 7, 7, 7};
        LogProbs lp = LogProbs.fromLogits(logits, 1, 2, 3);      // rows 1 and 2 only
        for (int t = 0; t < 2; t++) {
            double sum = 0;
            for (int k = 0; k < 3; k++) sum += Math.exp(lp.get(t, k));
            assertEquals(1.0, sum, 1e-6);
        }
        assertEquals(Math.log(1.0 / 3), lp.get(1, 0), 1e-6);
        assertEquals(lp.get(1, 2), lp.slice(1, 2).get(0, 2));
        assertArrayEquals(new int[] {2, 0}, lp.argmaxPath());
        assertThrows(IllegalArgumentException.class, () -> LogProbs.fromLogits(logits, 2, 2, 3));
    }
}
