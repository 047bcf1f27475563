package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BeamSearchTest {
    private static final int BLANK = 0;

    /** A fake attention decoder: a fixed random next-token distribution per prefix; records its calls. */
    static final class TableDecoder implements NextTokenScorer {
        final int vocab;
        final long seed;
        final List<Integer> callSizes = new ArrayList<>();

        TableDecoder(int vocab, long seed) {
            this.vocab = vocab;
            this.seed = seed;
        }

        @Override public int vocabSize() { return vocab; }

        float[] row(int[] prefix) {
            SplittableRandom rng = new SplittableRandom(seed * 31 + Arrays.hashCode(prefix));
            float[] logits = new float[vocab];
            for (int k = 0; k < vocab; k++) logits[k] = (float) (rng.nextGaussian() * 2);
            float[] out = new float[vocab];
            LogProbs.logSoftmax(logits, 0, vocab, out, 0);
            return out;
        }

        @Override public float[][] nextLogProbs(List<int[]> prefixes) {
            callSizes.add(prefixes.size());
            float[][] out = new float[prefixes.size()][];
            for (int i = 0; i < out.length; i++) out[i] = row(prefixes.get(i));
            return out;
        }
    }

    /** A decoder that, after each prefix of {@code target}, puts {@code confidence} on the next target token. */
    static NextTokenScorer preferring(int vocab, int eos, int[] target, double confidence) {
        return new NextTokenScorer() {
            @Override public int vocabSize() { return vocab; }

            @Override public float[][] nextLogProbs(List<int[]> prefixes) {
                float[][] out = new float[prefixes.size()][vocab];
                for (int i = 0; i < out.length; i++) {
                    int[] p = prefixes.get(i);
                    int done = p.length - 1;
                    boolean onTrack = done <= target.length && Arrays.equals(Arrays.copyOfRange(p, 1, p.length),
                            Arrays.copyOf(target, done));
                    int next = !onTrack ? eos : done < target.length ? target[done] : eos;
                    for (int k = 0; k < vocab; k++) out[i][k] = (float) Math.log((1 - confidence) / (vocab - 1));
                    out[i][next] = (float) Math.log(confidence);
                }
                return out;
            }
        };
    }

    private static BeamSearch.Options exhaustive(double ctcWeight, double bonus) {
        return new BeamSearch.Options(100_000, ctcWeight, bonus, false, 1e6, 0, 10);
    }

    /** Joint score of a complete sequence computed directly from its definition. */
    private static double jointScore(TableDecoder dec, Map<List<Integer>, Double> ctcExact, int[] y, int eos,
                                     double lambda, double bonus, boolean withEos) {
        double att = 0;
        int[] prefix = {eos};
        for (int token : y) {
            att += dec.row(prefix)[token];
            prefix = Arrays.copyOf(prefix, prefix.length + 1);
            prefix[prefix.length - 1] = token;
        }
        double score = bonus * y.length;
        if (withEos) {
            att += dec.row(prefix)[eos];
            score += bonus;
        }
        double ctc = lambda > 0 ? ctcExact.getOrDefault(Arrays.stream(y).boxed().toList(), Double.NEGATIVE_INFINITY) : 0;
        return score + (1 - lambda) * att + (lambda > 0 ? lambda * ctc : 0);
    }

    private static Map<List<Integer>, Double> ctcExactProbabilities(LogProbs lp) {
        Map<List<Integer>, Double> sums = new HashMap<>();
        CtcTestSupport.forEachPath(lp, (path, logP) -> sums.merge(CtcTestSupport.collapse(path, BLANK), Math.exp(logP), Double::sum));
        Map<List<Integer>, Double> logs = new HashMap<>();
        sums.forEach((k, v) -> logs.put(k, Math.log(v)));
        return logs;
    }

    private static void allSequences(int maxLength, int firstToken, int lastToken, List<int[]> out, int[] current) {
        out.add(current);
        if (current.length == maxLength) return;
        for (int t = firstToken; t <= lastToken; t++) {
            int[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = t;
            allSequences(maxLength, firstToken, lastToken, out, next);
        }
    }

    @Test
    void unprunedJointSearchFindsTheBestSequenceOfTheJointScore() {
        int vocab = 5, eos = 4, frames = 4;
        for (double lambda : new double[] {0.4, 1.0}) {
            for (long seed = 0; seed < 4; seed++) {
                LogProbs lp = CtcTestSupport.randomLogProbs(seed + 7, frames, vocab, 2.0);
                TableDecoder dec = new TableDecoder(vocab, seed);
                Map<List<Integer>, Double> ctc = ctcExactProbabilities(lp);
                double bonus = seed % 2 == 0 ? 0 : 0.5;
                List<int[]> sequences = new ArrayList<>();
                allSequences(frames, 1, 3, sequences, new int[0]);
                int[] best = null;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int[] y : sequences) {
                    double s = jointScore(dec, ctc, y, eos, lambda, bonus, true);
                    if (s > bestScore) { bestScore = s; best = y; }
                }
                List<BeamSearch.Hypothesis> found = new BeamSearch(exhaustive(lambda, bonus), BLANK, eos)
                        .search(dec, lp, frames + 2);
                assertArrayEquals(best, found.getFirst().tokens(), "lambda " + lambda + " seed " + seed);
                assertEquals(bestScore, found.getFirst().score(), 1e-4);
            }
        }
    }

    @Test
    void unprunedSearchWithALanguageModelFindsTheBestSequenceOfTheFusedScore() {
        int vocab = 5, eos = 4, frames = 4;
        double beta = 0.7;
        for (long seed = 0; seed < 4; seed++) {
            LogProbs lp = CtcTestSupport.randomLogProbs(seed + 3, frames, vocab, 2.0);
            TableDecoder dec = new TableDecoder(vocab, seed);
            TableDecoder lm = new TableDecoder(vocab, seed + 100);
            Map<List<Integer>, Double> ctc = ctcExactProbabilities(lp);
            List<int[]> sequences = new ArrayList<>();
            allSequences(frames, 1, 3, sequences, new int[0]);
            int[] best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int[] y : sequences) {
                // The LM's part is the attention part of a decoder-only joint score (lambda 0) over the LM's table.
                double s = jointScore(dec, ctc, y, eos, 0.4, 0, true) + beta * jointScore(lm, ctc, y, eos, 0, 0, true);
                if (s > bestScore) { bestScore = s; best = y; }
            }
            BeamSearch search = new BeamSearch(exhaustive(0.4, 0).withLmWeight(beta), BLANK, eos);
            BeamSearch.Hypothesis found = search.search(dec, lp, frames + 2, lm).getFirst();
            assertArrayEquals(best, found.tokens(), "seed " + seed);
            assertEquals(bestScore, found.score(), 1e-4);
            // Weight 0, or no LM, is the search without one.
            BeamSearch.Hypothesis plain = new BeamSearch(exhaustive(0.4, 0), BLANK, eos).search(dec, lp, frames + 2).getFirst();
            BeamSearch.Hypothesis zero = new BeamSearch(exhaustive(0.4, 0).withLmWeight(0), BLANK, eos).search(dec, lp, frames + 2, lm).getFirst();
            assertArrayEquals(plain.tokens(), zero.tokens());
            assertEquals(plain.score(), zero.score(), 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> BeamSearch.Options.defaults().withLmWeight(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new BeamSearch(BeamSearch.Options.defaults().withLmWeight(0.5), BLANK, 4)
                .search(new TableDecoder(5, 1), CtcTestSupport.randomLogProbs(1, 3, 5, 1), 3, new TableDecoder(6, 1)));
    }

    @Test
    void unprunedSearchWithBothLanguageModelsFindsTheBestSequenceOfTheFusedScore() {
        int vocab = 5, eos = 4, frames = 4;
        double beta = 0.4, mu = 0.6;
        for (long seed = 0; seed < 4; seed++) {
            LogProbs lp = CtcTestSupport.randomLogProbs(seed + 5, frames, vocab, 2.0);
            TableDecoder dec = new TableDecoder(vocab, seed);
            TableDecoder ngram = new TableDecoder(vocab, seed + 100);
            TableDecoder neural = new TableDecoder(vocab, seed + 200);
            Map<List<Integer>, Double> ctc = ctcExactProbabilities(lp);
            List<int[]> sequences = new ArrayList<>();
            allSequences(frames, 1, 3, sequences, new int[0]);
            int[] best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int[] y : sequences) {
                double s = jointScore(dec, ctc, y, eos, 0.4, 0, true) + beta * jointScore(ngram, ctc, y, eos, 0, 0, true)
                        + mu * jointScore(neural, ctc, y, eos, 0, 0, true);
                if (s > bestScore) { bestScore = s; best = y; }
            }
            BeamSearch search = new BeamSearch(exhaustive(0.4, 0).withLmWeight(beta).withNeuralLmWeight(mu), BLANK, eos);
            BeamSearch.Hypothesis found = search.search(dec, lp, frames + 2, ngram, null, neural).getFirst();
            assertArrayEquals(best, found.tokens(), "seed " + seed);
            assertEquals(bestScore, found.score(), 1e-4);
            // Neural weight 0 is the search with the n-gram LM alone.
            BeamSearch.Hypothesis ngramOnly = new BeamSearch(exhaustive(0.4, 0).withLmWeight(beta), BLANK, eos)
                    .search(dec, lp, frames + 2, ngram).getFirst();
            BeamSearch.Hypothesis zero = new BeamSearch(exhaustive(0.4, 0).withLmWeight(beta).withNeuralLmWeight(0), BLANK, eos)
                    .search(dec, lp, frames + 2, ngram, null, neural).getFirst();
            assertArrayEquals(ngramOnly.tokens(), zero.tokens());
            assertEquals(ngramOnly.score(), zero.score(), 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> BeamSearch.Options.defaults().withNeuralLmWeight(-0.1));
        assertThrows(IllegalArgumentException.class, () -> BeamSearch.Options.defaults().withNeuralLmWeight(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new BeamSearch(BeamSearch.Options.defaults().withNeuralLmWeight(0.5), BLANK, 4)
                .search(new TableDecoder(5, 1), CtcTestSupport.randomLogProbs(1, 3, 5, 1), 3, null, null, new TableDecoder(6, 1)));
    }

    @Test
    void attentionOnlySearchEndsUnfinishedHypothesesAtTheLengthLimit() {
        int vocab = 5, eos = 4, maxLength = 3;
        TableDecoder dec = new TableDecoder(vocab, 42);
        List<int[]> sequences = new ArrayList<>();
        allSequences(maxLength, 1, 3, sequences, new int[0]);
        double bestScore = Double.NEGATIVE_INFINITY;
        int[] best = null;
        for (int[] y : sequences) {
            double s = jointScore(dec, Map.of(), y, eos, 0, 0, y.length < maxLength);
            if (s > bestScore) { bestScore = s; best = y; }
        }
        BeamSearch.Hypothesis found = new BeamSearch(exhaustive(0, 0), BLANK, eos).search(dec, null, maxLength).getFirst();
        assertArrayEquals(best, found.tokens());
        assertEquals(bestScore, found.score(), 1e-4);
    }

    @Test
    void defaultJointSearchRecoversTheSequenceBothModelsAgreeOn() {
        int vocab = 30, eos = 29;
        int[] target = {5, 12, 12, 7, 3};
        int[] path = {0, 5, 5, 0, 12, 0, 12, 12, 0, 7, 0, 3, 0, 0};
        LogProbs lp = LogProbs.fromLogits(CtcGreedyTest.logitsFor(path, vocab), 0, path.length, vocab);
        List<BeamSearch.Hypothesis> result = new BeamSearch(BeamSearch.Options.defaults(), BLANK, eos)
                .search(preferring(vocab, eos, target, 0.6), lp, path.length);
        assertArrayEquals(target, result.getFirst().tokens());
    }

    @Test
    void ctcEvidenceOverridesAWeaklyWrongDecoder() {
        int vocab = 30, eos = 29;
        int[] spoken = {5, 12, 7};
        int[] path = {0, 5, 0, 12, 12, 0, 7, 0};
        LogProbs lp = LogProbs.fromLogits(CtcGreedyTest.logitsFor(path, vocab, 8f), 0, path.length, vocab);
        // The decoder mildly prefers 5 9 7; CTC is sure about 5 12 7.
        NextTokenScorer decoder = preferring(vocab, eos, new int[] {5, 9, 7}, 0.3);
        int[] attentionOnly = new BeamSearch(BeamSearch.Options.defaults().withCtcWeight(0), BLANK, eos)
                .search(decoder, lp, path.length).getFirst().tokens();
        assertArrayEquals(new int[] {5, 9, 7}, attentionOnly);
        int[] joint = new BeamSearch(BeamSearch.Options.defaults(), BLANK, eos).search(decoder, lp, path.length).getFirst().tokens();
        assertArrayEquals(spoken, joint);
    }

    @Test
    void everyStepScoresAllRunningHypothesesInOneDecoderCall() {
        int vocab = 12, eos = 11;
        TableDecoder dec = new TableDecoder(vocab, 3);
        LogProbs lp = CtcTestSupport.randomLogProbs(5, 20, vocab, 1.0);
        BeamSearch.Options options = BeamSearch.Options.defaults().withBeamSize(4);
        List<BeamSearch.Hypothesis> hyps = new BeamSearch(options, BLANK, eos).search(dec, lp, 20);
        assertTrue(dec.callSizes.size() >= 2, "calls " + dec.callSizes);
        assertEquals(1, dec.callSizes.getFirst());
        assertTrue(dec.callSizes.stream().allMatch(n -> n >= 1 && n <= 4), "calls " + dec.callSizes);
        assertTrue(dec.callSizes.stream().anyMatch(n -> n > 1), "hypotheses were never batched: " + dec.callSizes);
        for (int i = 1; i < hyps.size(); i++) assertTrue(hyps.get(i - 1).score() >= hyps.get(i).score());
        for (BeamSearch.Hypothesis h : hyps) {
            for (int t : h.tokens()) assertTrue(t != BLANK && t != eos, "special id in " + h);
        }
    }

    @Test
    void lengthNormalisationAndBonusFavourLongerHypotheses() {
        BeamSearch.Hypothesis shortHyp = new BeamSearch.Hypothesis(new int[] {1}, -2.0);
        BeamSearch.Hypothesis longHyp = new BeamSearch.Hypothesis(new int[] {1, 2, 3}, -3.0);
        assertTrue(shortHyp.rankScore(false) > longHyp.rankScore(false));
        assertTrue(shortHyp.rankScore(true) < longHyp.rankScore(true));
        // A large bonus per token makes the exhaustive search run to the CTC length limit.
        int vocab = 5, eos = 4;
        LogProbs lp = CtcTestSupport.randomLogProbs(9, 4, vocab, 0.5);
        int[] longest = new BeamSearch(exhaustive(0.4, 50), BLANK, eos).search(new TableDecoder(vocab, 1), lp, 6)
                .getFirst().tokens();
        assertEquals(4, longest.length);
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> BeamSearch.Options.defaults().withBeamSize(0));
        assertThrows(IllegalArgumentException.class, () -> BeamSearch.Options.defaults().withCtcWeight(1.5));
        assertThrows(IllegalArgumentException.class, () -> new BeamSearch(BeamSearch.Options.defaults(), 3, 3));
        TableDecoder dec = new TableDecoder(6, 1);
        assertThrows(IllegalArgumentException.class, () -> new BeamSearch(BeamSearch.Options.defaults(), 0, 5)
                .search(dec, CtcTestSupport.randomLogProbs(1, 3, 7, 1), 3));
    }

    @Test
    void anUnknownWordPenaltySteersTowardsTheLexiconsSpelling() {
        int vocab = 5, eos = 4;
        // The decoder likes 1 2 a bit more than 1 3; the "lexicon" says that 2 after 1 leaves it.
        NextTokenScorer decoder = new NextTokenScorer() {
            @Override public int vocabSize() { return vocab; }

            @Override public float[][] nextLogProbs(List<int[]> prefixes) {
                float[][] out = new float[prefixes.size()][];
                for (int i = 0; i < out.length; i++) {
                    int[] p = prefixes.get(i);
                    double[] probs = p.length == 1 ? new double[] {0, 0.97, 0.01, 0.01, 0.01}
                            : p.length == 2 ? new double[] {0, 0.01, 0.55, 0.43, 0.01}
                            : new double[] {0, 0.01, 0.01, 0.01, 0.97};
                    out[i] = new float[vocab];
                    for (int k = 0; k < vocab; k++) out[i][k] = (float) Math.log(probs[k]);
                }
                return out;
            }
        };
        NextTokenScorer words = new NextTokenScorer() {
            @Override public int vocabSize() { return vocab; }

            @Override public float[][] nextLogProbs(List<int[]> prefixes) {
                float[][] out = new float[prefixes.size()][vocab];
                for (int i = 0; i < out.length; i++) {
                    int[] p = prefixes.get(i);
                    if (p[p.length - 1] == 1) out[i][2] = -1;
                }
                return out;
            }
        };
        BeamSearch.Options attentionOnly = new BeamSearch.Options(4, 0.0, 0, false, 1.5, 0, 10);
        int[] plain = new BeamSearch(attentionOnly, BLANK, eos).search(decoder, null, 5, null, words).getFirst().tokens();
        assertArrayEquals(new int[] {1, 2}, plain, "penalty 0: the lexicon is not consulted");
        int[] steered = new BeamSearch(attentionOnly.withUnknownWordPenalty(1.0), BLANK, eos)
                .search(decoder, null, 5, null, words).getFirst().tokens();
        assertArrayEquals(new int[] {1, 3}, steered);
        List<BeamSearch.Hypothesis> ended = new BeamSearch(attentionOnly.withUnknownWordPenalty(1.0), BLANK, eos)
                .search(decoder, null, 5, null, words);
        double expected = Math.log(0.97) + Math.log(0.43) + Math.log(0.97);
        assertEquals(expected, ended.getFirst().score(), 1e-5, "the winner pays no penalty");
        assertThrows(IllegalArgumentException.class, () -> attentionOnly.withUnknownWordPenalty(-1));
        assertThrows(IllegalArgumentException.class, () -> attentionOnly.withUnknownWordPenalty(Double.POSITIVE_INFINITY));
        NextTokenScorer wrongSize = new NextTokenScorer() {
            @Override public int vocabSize() { return vocab + 1; }

            @Override public float[][] nextLogProbs(List<int[]> prefixes) { throw new AssertionError(); }
        };
        assertThrows(IllegalArgumentException.class, () -> new BeamSearch(attentionOnly.withUnknownWordPenalty(1.0), BLANK, eos)
                .search(decoder, null, 5, null, wrongSize));
    }
}
