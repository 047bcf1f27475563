package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CtcConfidenceTest {

    /** (T, V) log-probabilities from rows of probabilities. */
    private static LogProbs table(double[][] probabilities) {
        int frames = probabilities.length, vocab = probabilities[0].length;
        float[] logits = new float[frames * vocab];
        for (int t = 0; t < frames; t++) {
            for (int k = 0; k < vocab; k++) logits[t * vocab + k] = (float) Math.log(probabilities[t][k]);
        }
        return LogProbs.fromLogits(logits, 0, frames, vocab);
    }

    @Test
    void aSpanIsAsSureAsItsMostLikelyFrame() {
        LogProbs lp = table(new double[][] {
                {0.90, 0.05, 0.05},
                {0.30, 0.60, 0.10},
                {0.10, 0.80, 0.10},
                {0.70, 0.20, 0.10},
                {0.50, 0.15, 0.35}});
        double[] c = CtcConfidence.ofSpans(lp, List.of(new TokenSpan(1, 1, 2), new TokenSpan(2, 4, 4)));
        assertEquals(0.80, c[0], 1e-6);
        assertEquals(0.35, c[1], 1e-6);
    }

    @Test
    void aTokenTheAcousticsDoNotSupportGetsALowConfidence() {
        // The greedy path says 1 at frame 1; a decoder that insists on 2 there is aligned to the same frame.
        int[] path = {0, 1, 0};
        LogProbs lp = LogProbs.fromLogits(CtcGreedyTest.logitsFor(path, 3), 0, path.length, 3);
        double heard = CtcConfidence.ofSpans(lp, CtcAligner.align(lp, new int[] {1}, 0))[0];
        double imposed = CtcConfidence.ofSpans(lp, CtcAligner.align(lp, new int[] {2}, 0))[0];
        assertTrue(heard > 0.5 && imposed < 0.2 && imposed > 0, heard + " vs " + imposed);
    }

    @Test
    void spansOutsideTheTableAreRefused() {
        LogProbs lp = table(new double[][] {{0.5, 0.5}, {0.5, 0.5}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CtcConfidence.ofSpans(lp, List.of(new TokenSpan(1, 1, 2))));
        assertTrue(e.getMessage().contains("outside the 2 x 2"), e.getMessage());
    }
}
