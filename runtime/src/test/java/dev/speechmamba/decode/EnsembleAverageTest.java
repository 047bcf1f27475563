package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnsembleAverageTest {

    private static float[] logs(double... p) {
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) out[i] = (float) Math.log(p[i]);
        return out;
    }

    @Test
    void ctcFramesAreAveragedInProbability() {
        LogProbs a = new LogProbs(logs(0.9, 0.1, 0.2, 0.8), 2, 2);  // (T=2, V=2)
        LogProbs b = new LogProbs(logs(0.5, 0.5, 0.6, 0.4), 2, 2);
        LogProbs mean = EnsembleAverage.ctc(List.of(a, b));
        assertEquals(2, mean.frames());
        double[] expected = {0.7, 0.3, 0.4, 0.6};
        for (int i = 0; i < expected.length; i++) assertEquals(Math.log(expected[i]), mean.values()[i], 1e-6, "value " + i);
    }

    @Test
    void equalMembersAverageToThemselvesBitForBit() {
        LogProbs a = new LogProbs(logs(0.25, 0.125, 0.625), 1, 3);
        assertArrayEquals(a.values(), EnsembleAverage.ctc(List.of(a, a, a)).values());
        assertSame(a, EnsembleAverage.ctc(List.of(a)));
    }

    @Test
    void aTokenEveryMemberRulesOutStaysRuledOut() {
        float[] a = {0f, Float.NEGATIVE_INFINITY};
        float[] b = {0f, Float.NEGATIVE_INFINITY};
        LogProbs mean = EnsembleAverage.ctc(List.of(new LogProbs(a, 1, 2), new LogProbs(b, 1, 2)));
        assertEquals(0f, mean.values()[0]);
        assertEquals(Float.NEGATIVE_INFINITY, mean.values()[1]);
    }

    @Test
    void membersOfOtherShapesAreRefusedByName() {
        LogProbs a = new LogProbs(new float[6], 2, 3);
        LogProbs b = new LogProbs(new float[9], 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EnsembleAverage.ctc(List.of(a, b)));
        assertTrue(e.getMessage().contains("model 2 gives 3 frames"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EnsembleAverage.ctc(List.of()));
    }

    /** A decoder that gives every prefix the same row. */
    private record FixedRow(float[] row) implements NextTokenScorer {
        @Override public int vocabSize() { return row.length; }

        @Override public float[][] nextLogProbs(List<int[]> prefixes) {
            float[][] out = new float[prefixes.size()][];
            for (int i = 0; i < out.length; i++) out[i] = row.clone();
            return out;
        }
    }

    @Test
    void decodersAreAveragedRowByRow() {
        NextTokenScorer mean = EnsembleAverage.scorer(List.of(new FixedRow(logs(0.6, 0.3, 0.1)), new FixedRow(logs(0.2, 0.2, 0.6))));
        assertEquals(3, mean.vocabSize());
        float[][] rows = mean.nextLogProbs(List.of(new int[] {0}, new int[] {0, 1}));
        assertEquals(2, rows.length);
        for (float[] row : rows) {
            assertEquals(Math.log(0.4), row[0], 1e-6);
            assertEquals(Math.log(0.25), row[1], 1e-6);
            assertEquals(Math.log(0.35), row[2], 1e-6);
        }
        NextTokenScorer only = new FixedRow(logs(0.5, 0.5));
        assertSame(only, EnsembleAverage.scorer(List.of(only)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EnsembleAverage.scorer(List.of(only, new FixedRow(logs(0.2, 0.2, 0.6)))));
        assertTrue(e.getMessage().contains("decoder 2 has 3 tokens"), e.getMessage());
    }
}
