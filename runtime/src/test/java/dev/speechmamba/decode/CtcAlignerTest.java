package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CtcAlignerTest {

    @Test
    void followsAHandMadeAlignment() {
        int[] path = {0, 0, 2, 2, 2, 0, 1, 0, 0, 1, 1, 0};
        LogProbs lp = LogProbs.fromLogits(CtcGreedyTest.logitsFor(path, 4), 0, path.length, 4);
        List<TokenSpan> spans = CtcAligner.align(lp, new int[] {2, 1, 1}, 0);
        assertEquals(List.of(new TokenSpan(2, 2, 4), new TokenSpan(1, 6, 6), new TokenSpan(1, 9, 10)), spans);
    }

    @Test
    void findsTheMostLikelyPathAmongAllThatCollapseToTheTokens() {
        for (int seed = 0; seed < 20; seed++) {
            LogProbs lp = CtcTestSupport.randomLogProbs(seed, 6, 3, 2.0);
            int[] tokens = seed % 2 == 0 ? new int[] {1, 2} : new int[] {2, 2};
            double[] best = {Double.NEGATIVE_INFINITY};
            int[][] bestPath = {null};
            CtcTestSupport.forEachPath(lp, (path, logP) -> {
                if (CtcTestSupport.collapse(path, 0).equals(Arrays.stream(tokens).boxed().toList()) && logP > best[0]) {
                    best[0] = logP;
                    bestPath[0] = path.clone();
                }
            });
            List<TokenSpan> expected = CtcGreedy.collapse(bestPath[0], 0);
            assertEquals(expected, CtcAligner.align(lp, tokens, 0), "seed " + seed);
        }
    }

    @Test
    void rejectsSequencesThatDoNotFit() {
        LogProbs lp = CtcTestSupport.randomLogProbs(3, 2, 3, 1);
        assertEquals(3, CtcAligner.minimumFrames(new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> CtcAligner.align(lp, new int[] {1, 1}, 0));
        assertThrows(IllegalArgumentException.class, () -> CtcAligner.align(lp, new int[] {0}, 0));
        assertArrayEquals(new int[0], CtcGreedy.tokens(CtcAligner.align(lp, new int[0], 0)));
    }
}
