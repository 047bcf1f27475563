package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CtcPrefixScorerTest {
    private static final int BLANK = 0, EOS = 3;

    /** log Σ over paths whose collapsed output starts with {@code prefix} (or equals it when {@code exact}). */
    private static double bruteForce(LogProbs lp, List<Integer> prefix, boolean exact) {
        double[] sum = {0};
        CtcTestSupport.forEachPath(lp, (path, logP) -> {
            List<Integer> out = CtcTestSupport.collapse(path, BLANK);
            boolean match = exact ? out.equals(prefix)
                    : out.size() >= prefix.size() && out.subList(0, prefix.size()).equals(prefix);
            if (match) sum[0] += Math.exp(logP);
        });
        return Math.log(sum[0]);
    }

    private static CtcPrefixScorer.State stateOf(CtcPrefixScorer scorer, List<Integer> labels) {
        CtcPrefixScorer.State s = scorer.initial();
        for (int c : labels) s = scorer.extend(s, c);
        return s;
    }

    @Test
    void prefixScoresEqualBruteForceSumsOverAlignments() {
        // Vocabulary {blank, 1, 2, eos=3}; the eos label also appears in paths (an untrained head may emit it).
        for (int frames = 1; frames <= 6; frames++) {
            LogProbs lp = CtcTestSupport.randomLogProbs(100 + frames, frames, 4, 1.5);
            CtcPrefixScorer scorer = new CtcPrefixScorer(lp, BLANK, EOS);
            List<List<Integer>> prefixes = new ArrayList<>();
            prefixes.add(List.of());
            for (int a = 1; a <= 2; a++) {
                prefixes.add(List.of(a));
                for (int b = 1; b <= 2; b++) {
                    prefixes.add(List.of(a, b));
                    for (int c = 1; c <= 2; c++) prefixes.add(List.of(a, b, c));
                }
            }
            for (List<Integer> prefix : prefixes) {
                if (prefix.isEmpty()) continue;
                double expected = bruteForce(lp, prefix, false);
                double actual = stateOf(scorer, prefix).psi();
                if (Double.isInfinite(expected)) assertEquals(Double.NEGATIVE_INFINITY, actual, "prefix " + prefix + " T=" + frames);
                else assertEquals(expected, actual, 1e-5, "prefix " + prefix + " T=" + frames);
                // <eos>: the probability that the output is exactly the prefix.
                double exact = bruteForce(lp, prefix, true);
                double ended = scorer.extend(stateOf(scorer, prefix), EOS).psi();
                if (Double.isInfinite(exact)) assertEquals(Double.NEGATIVE_INFINITY, ended, "exact " + prefix + " T=" + frames);
                else assertEquals(exact, ended, 1e-5, "exact " + prefix + " T=" + frames);
            }
            // The empty output: all blanks.
            assertEquals(bruteForce(lp, List.of(), true), scorer.extend(scorer.initial(), EOS).psi(), 1e-5);
        }
    }

    @Test
    void refusesBlankAndExtendingAnEndedPrefix() {
        CtcPrefixScorer scorer = new CtcPrefixScorer(CtcTestSupport.randomLogProbs(1, 3, 4, 1), BLANK, EOS);
        assertThrows(IllegalArgumentException.class, () -> scorer.extend(scorer.initial(), BLANK));
        CtcPrefixScorer.State ended = scorer.extend(scorer.initial(), EOS);
        assertThrows(IllegalArgumentException.class, () -> scorer.extend(ended, 1));
        assertThrows(IllegalArgumentException.class, () -> new CtcPrefixScorer(CtcTestSupport.randomLogProbs(1, 3, 4, 1), 0, 0));
    }

    /** Scoring many labels at once gives each label's extend(...).psi() bit for bit: repeats, eos and long prefixes too. */
    @Test
    void extensionScoresEqualExtendBitForBit() {
        int vocab = 9, eos = 8;
        LogProbs lp = CtcTestSupport.randomLogProbs(7, 40, vocab, 2.0);
        CtcPrefixScorer scorer = new CtcPrefixScorer(lp, BLANK, eos);
        int[] labels = {1, 2, 3, 4, 5, 6, 7, eos};
        java.util.Random random = new java.util.Random(3);
        CtcPrefixScorer.State state = scorer.initial();
        for (int length = 0; length < 45; length++) {   // past T = 40: such prefixes have probability 0
            double[] batch = scorer.extensionScores(state, labels);
            for (int i = 0; i < labels.length; i++) {
                assertEquals(scorer.extend(state, labels[i]).psi(), batch[i], 0.0, "label " + labels[i] + " after " + length);
            }
            state = scorer.extend(state, 1 + random.nextInt(3));   // labels 1-3: many repeats
        }
        assertThrows(IllegalArgumentException.class, () -> scorer.extensionScores(scorer.initial(), new int[] {1, BLANK}));
    }
}
