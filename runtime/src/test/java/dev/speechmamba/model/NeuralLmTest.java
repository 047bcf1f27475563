package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.fastcpu.FastCpuBackend;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.decode.NeuralLmScorer;
import dev.speechmamba.lm.NeuralLmTraining;
import dev.speechmamba.train.Checkpoint;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeuralLmTest {
    /** Vocabulary of 9: 0 the blank, 8 &lt;sos/eos&gt;, as an ASR tokenizer lays them out. */
    static final NeuralLmConfig MINI = new NeuralLmConfig(9, 8, 16, 2, 2, 32, 0f);

    static List<int[]> sentences(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] s = new int[1 + rng.nextInt(6)];
            for (int k = 0; k < s.length; k++) s[k] = 1 + rng.nextInt(7);
            out.add(s);
        }
        return out;
    }

    /**
     * The backward pass (mean cross-entropy through the head, norms, causal attention, FFNs and the embedding, on a
     * ragged batch) matches a central difference of the loss along a random direction in each weight tensor.
     */
    @Test
    void lossGradientMatchesDirectionalDerivative() {
        Backend be = new ReferenceBackend();
        List<int[]> batch = sentences(3, 4);
        try (NeuralLm lm = new NeuralLm(be, MINI, 3)) {
            lm.parameters().zeroGrads();
            lm.forwardBackward(batch, false, 0, 1f);
            DirectionalDerivatives.check("neural LM", be, lm.parameters().all(), () -> lm.loss(batch).perToken(), 1e-3, 2e-3);
        }
    }

    /** Each sentence's log-probability in a padded batch equals its own, and equals the sum of stepped next-piece scores. */
    @Test
    void batchedSentencesAndSteppedScoringAgree() {
        Backend be = new FastCpuBackend();
        List<int[]> batch = sentences(5, 5);
        try (NeuralLm lm = new NeuralLm(be, MINI, 7)) {
            double[] together = lm.sentenceLogProbs(batch);
            for (int r = 0; r < batch.size(); r++) {
                double alone = lm.sentenceLogProbs(List.of(batch.get(r)))[0];
                assertEquals(alone, together[r], 1e-4, "sentence " + r + " alone vs in the batch");
                double stepped = 0;
                try (NeuralLmScorer scorer = new NeuralLmScorer(lm, 0)) {
                    int[] s = batch.get(r);
                    for (int t = 0; t <= s.length; t++) {
                        int[] prefix = new int[t + 1];
                        prefix[0] = MINI.sosEos();
                        System.arraycopy(s, 0, prefix, 1, t);
                        float[] next = scorer.nextLogProbs(List.of(prefix))[0];
                        stepped += next[t < s.length ? s[t] : MINI.sosEos()];
                    }
                }
                assertEquals(together[r], stepped, 1e-3, "sentence " + r + ": whole pass vs one piece at a time");
            }
        }
    }

    /** A beam of prefixes that extends the last call's reuses its state and scores as a fresh start would. */
    @Test
    void scorerExtendingTheLastBeamMatchesAFreshStart() {
        Backend be = new FastCpuBackend();
        try (NeuralLm lm = new NeuralLm(be, MINI, 9); NeuralLmScorer beam = new NeuralLmScorer(lm, 0)) {
            int sos = MINI.sosEos();
            beam.nextLogProbs(List.of(new int[] {sos, 3}, new int[] {sos, 5}));
            List<int[]> next = List.of(new int[] {sos, 5, 2}, new int[] {sos, 3, 7}, new int[] {sos, 5, 6});
            float[][] extended = beam.nextLogProbs(next);
            try (NeuralLmScorer fresh = new NeuralLmScorer(lm, 0)) {
                float[][] scratch = fresh.nextLogProbs(next);
                for (int r = 0; r < next.size(); r++) {
                    assertEquals(Float.NEGATIVE_INFINITY, extended[r][0], "the blank never follows");
                    for (int k = 1; k < MINI.vocabSize(); k++) assertEquals(scratch[r][k], extended[r][k], 1e-5, "row " + r + " piece " + k);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> beam.nextLogProbs(List.of(new int[] {3, 4})), "prefixes start with <sos>");
        }
    }

    @Test
    void checkpointRoundTripKeepsTheScores() {
        Backend be = new FastCpuBackend();
        List<int[]> batch = sentences(11, 3);
        try (NeuralLm lm = new NeuralLm(be, MINI, 1)) {
            Checkpoint c = lm.toCheckpoint(Map.of());
            try (NeuralLm back = NeuralLm.fromCheckpoint(be, c)) {
                assertEquals(MINI, back.config());
                double[] a = lm.sentenceLogProbs(batch), b = back.sentenceLogProbs(batch);
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-9);
            }
            IllegalArgumentException noConfig = assertThrows(IllegalArgumentException.class,
                    () -> NeuralLm.fromCheckpoint(be, new Checkpoint(c.tensors(), Map.of())));
            assertTrue(noConfig.getMessage().contains("no config"), noConfig.getMessage());
        }
    }

    /** A corpus where each piece is followed by the next one: training must find the rule (perplexity near 1). */
    @Test
    void trainingLearnsAPattern() {
        Backend be = new FastCpuBackend();
        List<int[]> text = new ArrayList<>();
        for (int start = 1; start <= 7; start++) {
            for (int len = 2; len <= 6; len++) {
                int[] s = new int[len];
                for (int k = 0; k < len; k++) s[k] = 1 + (start - 1 + k) % 7;
                text.add(s);
            }
        }
        try (NeuralLm lm = new NeuralLm(be, MINI, 2)) {
            double before = NeuralLmTraining.perplexity(lm, text, 16);
            new NeuralLmTraining(new NeuralLmTraining.Options(64, 300, 1e-2, 30, 1.0, 4, 0)).train(lm, text, null, null);
            double after = NeuralLmTraining.perplexity(lm, text, 16);
            assertTrue(before > 5, "untrained perplexity " + before);
            // The first piece and the length are random (1 of 7, 1 of 5): the floor is about 7^(1/5)·… ≈ 1.6 per piece.
            assertTrue(after < 2.3, "trained perplexity " + after + " (from " + before + ")");
        }
    }

    @Test
    void badConfigsAndInputsAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NeuralLmConfig(9, 8, 10, 1, 3, 8, 0f))
                .getMessage().contains("multiple of heads"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NeuralLmConfig(9, 9, 8, 1, 2, 8, 0f))
                .getMessage().contains("<sos/eos>"));
        assertEquals(MINI, NeuralLmConfig.fromJson(MINI.toJson()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NeuralLmConfig.fromJson("{\"d_model\": 4}"))
                .getMessage().contains("not a neural LM"));
        try (NeuralLm lm = new NeuralLm(new FastCpuBackend(), MINI, 1)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> lm.loss(List.of(new int[] {1, 8})))
                    .getMessage().contains("<sos/eos>"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> lm.loss(List.of(new int[] {9})))
                    .getMessage().contains("outside"));
        }
    }
}
