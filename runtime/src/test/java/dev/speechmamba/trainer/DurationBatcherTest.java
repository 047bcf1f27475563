package dev.speechmamba.trainer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationBatcherTest {
    private static double[] randomDurations(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = 0.5 + 14.5 * rng.nextDouble();
        return d;
    }

    /** Each epoch covers every utterance exactly once, within the padded-duration budget. */
    @Test
    void everyUtteranceOncePerEpochWithinBudget() {
        double[] d = randomDurations(500, 1);
        d[17] = 90;                                    // longer than the budget: must get a batch of its own
        DurationBatcher batcher = new DurationBatcher(d, 60, 50);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<int[]> plan = batcher.epoch(7, epoch);
            int[] seen = new int[d.length];
            for (int[] b : plan) {
                for (int i : b) seen[i]++;
                if (b.length > 1) assertTrue(batcher.paddedSeconds(b) <= 60 + 1e-9, "batch over budget: " + Arrays.toString(b));
                if (Arrays.stream(b).anyMatch(i -> i == 17)) assertEquals(1, b.length, "oversized utterance alone");
            }
            for (int i = 0; i < d.length; i++) assertEquals(1, seen[i], "utterance " + i + " in epoch " + epoch);
        }
    }

    /** Sorting within buckets keeps padding low: far less than batching in random order. */
    @Test
    void bucketsKeepPaddingLow() {
        double[] d = randomDurations(2000, 2);
        DurationBatcher batcher = new DurationBatcher(d, 60, 200);
        double padded = 0, audio = Arrays.stream(d).sum();
        for (int[] b : batcher.epoch(3, 0)) padded += batcher.paddedSeconds(b);
        assertTrue(padded < 1.15 * audio, "padding overhead " + (padded / audio - 1));
        // Every batch's members came from one bucket, so they are close in duration.
        DurationBatcher noBuckets = new DurationBatcher(d, 60, 1);   // a bucket per utterance: no sorting at all
        double paddedRandom = 0;
        List<int[]> plan = noBuckets.epoch(3, 0);
        assertEquals(d.length, plan.size(), "bucket size 1 gives one utterance per batch");
        for (int[] b : plan) paddedRandom += noBuckets.paddedSeconds(b);
        assertEquals(audio, paddedRandom, 1e-6);
    }

    /** The plan is a function of (seed, epoch): repeatable, different across epochs and seeds. */
    @Test
    void planDependsOnlyOnSeedAndEpoch() {
        double[] d = randomDurations(300, 3);
        DurationBatcher a = new DurationBatcher(d, 30, 64), b = new DurationBatcher(d.clone(), 30, 64);
        assertPlansEqual(a.epoch(11, 4), b.epoch(11, 4));
        assertFalse(flatten(a.epoch(11, 4)).equals(flatten(a.epoch(11, 5))), "epochs are shuffled differently");
        assertFalse(flatten(a.epoch(11, 4)).equals(flatten(a.epoch(12, 4))), "seeds are shuffled differently");
    }

    @Test
    void sortedPlanIsAscendingAndComplete() {
        double[] d = randomDurations(100, 4);
        List<Integer> order = flatten(new DurationBatcher(d, 20, 10).sorted());
        assertEquals(100, order.size());
        for (int i = 1; i < order.size(); i++) assertTrue(d[order.get(i - 1)] <= d[order.get(i)]);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DurationBatcher(new double[0], 10, 5));
        assertThrows(IllegalArgumentException.class, () -> new DurationBatcher(new double[] {1}, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> new DurationBatcher(new double[] {1}, 10, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DurationBatcher(new double[] {1, -2}, 10, 5));
        assertTrue(e.getMessage().contains("utterance 1"), e.getMessage());
    }

    private static void assertPlansEqual(List<int[]> x, List<int[]> y) {
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) assertArrayEquals(x.get(i), y.get(i));
    }

    private static List<Integer> flatten(List<int[]> plan) {
        List<Integer> out = new ArrayList<>();
        for (int[] b : plan) for (int i : b) out.add(i);
        return out;
    }
}
