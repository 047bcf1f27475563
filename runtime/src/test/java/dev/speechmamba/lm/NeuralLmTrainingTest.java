package dev.speechmamba.lm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeuralLmTrainingTest {
    private static NeuralLmTraining.Options options(int batchTokens, int steps, int warmup) {
        return new NeuralLmTraining.Options(batchTokens, steps, 1e-3, warmup, 1.0, 1, 0);
    }

    /** An epoch's batches hold every sentence once and stay within the padded budget (a longer sentence goes alone). */
    @Test
    void anEpochHoldsEverySentenceOnceWithinThePaddedBudget() {
        Random rng = new Random(5);
        List<int[]> sentences = new ArrayList<>();
        for (int i = 0; i < 500; i++) sentences.add(new int[1 + rng.nextInt(i == 7 ? 200 : 40)]);
        sentences.add(new int[150]);
        int budget = 256;
        List<List<int[]>> batches = new NeuralLmTraining(options(budget, 10, 1)).batches(sentences, new Random(3));
        Map<int[], Integer> seen = new IdentityHashMap<>();
        for (List<int[]> batch : batches) {
            int longest = batch.stream().mapToInt(s -> s.length + 1).max().orElseThrow();
            assertTrue(batch.size() == 1 || longest * batch.size() <= budget, "batch of " + batch.size() + " up to " + longest);
            for (int[] s : batch) seen.merge(s, 1, Integer::sum);
        }
        assertEquals(sentences.size(), seen.size());
        assertTrue(seen.values().stream().allMatch(n -> n == 1));
    }

    @Test
    void theLearningRateRisesToThePeakAndFallsToZeroAtTheLastStep() {
        NeuralLmTraining.Options o = options(64, 100, 10);
        assertEquals(1e-4, o.learningRate(1), 1e-12);
        assertEquals(1e-3, o.learningRate(10), 1e-12);
        assertTrue(o.learningRate(50) < o.learningRate(11));
        assertEquals(1e-3 / 90, o.learningRate(100), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> options(64, 10, 10), "warm-up as long as the run");
        assertThrows(IllegalArgumentException.class, () -> options(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new NeuralLmTraining.Options(64, 10, 0, 1, 1, 1, 0));
    }
}
