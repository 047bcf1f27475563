package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
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
    void theDecodersConfidenceIsItsProbabilityOfEachTokenAfterTheOnesBefore() {
        List<List<Integer>> asked = new ArrayList<>();
        // P(next = k | prefix) = 0.5 for k = prefix length, 0.25 for the two others.
        NextTokenScorer decoder = new NextTokenScorer() {
            @Override public int vocabSize() { return 3; }

            @Override public float[][] nextLogProbs(List<int[]> prefixes) {
                float[][] out = new float[prefixes.size()][3];
                for (int n = 0; n < prefixes.size(); n++) {
                    asked.add(Arrays.stream(prefixes.get(n)).boxed().toList());
                    for (int k = 0; k < 3; k++) out[n][k] = (float) Math.log(k == prefixes.get(n).length % 3 ? 0.5 : 0.25);
                }
                return out;
            }
        };
        double[] c = CtcConfidence.ofDecoder(decoder, 0, new int[] {1, 1, 0});
        assertEquals(0.5, c[0], 1e-6);   // after <sos>: token 1 is the likely one
        assertEquals(0.25, c[1], 1e-6);
        assertEquals(0.5, c[2], 1e-6);   // prefix length 3: token 0
        assertEquals(List.of(List.of(0), List.of(0, 1), List.of(0, 1, 1)), asked, "one prefix at a time, each extending the last");
    }

    @Test
    void jointConfidenceWeighsTheHeadsAsTheSearchDoes() {
        double[] ctc = {0.1, 0.9, 0.0}, attention = {0.9, 0.1, 0.5};
        double[] joint = CtcConfidence.joint(ctc, attention, 0.3);
        assertEquals(Math.pow(0.1, 0.3) * Math.pow(0.9, 0.7), joint[0], 1e-12);
        assertEquals(Math.pow(0.9, 0.3) * Math.pow(0.1, 0.7), joint[1], 1e-12);
        assertEquals(0, joint[2], 0);
        // A search by one head alone gets that head's confidence, even where the other says 0.
        assertEquals(0.5, CtcConfidence.joint(ctc, attention, 0)[2], 0);
        assertEquals(0.9, CtcConfidence.joint(ctc, new double[] {0, 0, 0}, 1)[1], 0);
        assertThrows(IllegalArgumentException.class, () -> CtcConfidence.joint(ctc, new double[] {1}, 0.3));
    }

    @Test
    void spansOutsideTheTableAreRefused() {
        LogProbs lp = table(new double[][] {{0.5, 0.5}, {0.5, 0.5}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CtcConfidence.ofSpans(lp, List.of(new TokenSpan(1, 1, 2))));
        assertTrue(e.getMessage().contains("outside the 2 x 2"), e.getMessage());
    }
}
