package dev.speechmamba.lm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KneserNeyTrainerTest {

    /** Sentences over a small alphabet with some structure (so that higher orders matter), seeded. */
    static List<List<String>> corpus(int sentences, long seed) {
        Random r = new Random(seed);
        String[] words = {"a", "b", "c", "d", "e", "f", "g"};
        List<List<String>> out = new ArrayList<>();
        for (int s = 0; s < sentences; s++) {
            List<String> sent = new ArrayList<>();
            int len = 1 + r.nextInt(8);
            String prev = words[r.nextInt(words.length)];
            sent.add(prev);
            for (int i = 1; i < len; i++) {
                // "a" is usually followed by "b": a bigram that the model must learn.
                String next = prev.equals("a") && r.nextDouble() < 0.7 ? "b" : words[r.nextInt(words.length)];
                sent.add(next);
                prev = next;
            }
            out.add(sent);
        }
        return out;
    }

    @Test
    void backOffFormEqualsTheInterpolatedEstimateWhenNothingIsPruned() {
        List<List<String>> text = corpus(400, 3);
        for (int order = 2; order <= 4; order++) {
            NgramLm lm = new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(order)).train(text, List.of("zz"));
            ReferenceKneserNey ref = new ReferenceKneserNey(text, order, List.of("zz"));
            Random r = new Random(order);
            List<String> vocab = lm.vocabulary();
            for (int q = 0; q < 400; q++) {
                int len = r.nextInt(order + 1);
                List<String> ctx = new ArrayList<>();
                if (r.nextBoolean()) ctx.add(NgramLm.BOS);
                while (ctx.size() < len) ctx.add(vocab.get(3 + r.nextInt(vocab.size() - 3)));
                String w = vocab.get(r.nextInt(vocab.size()));
                if (w.equals(NgramLm.BOS)) continue;
                double expected = ref.prob(ctx, w);
                double actual = Math.pow(10, lm.log10Prob(ids(lm, ctx), ctx.size(), lm.wordId(w)));
                assertEquals(expected, actual, 2e-5 * Math.max(1, expected), "order " + order + " P(" + w + " | " + ctx + ")");
            }
        }
    }

    @Test
    void everyContextSumsToOneWithAndWithoutPruning() {
        List<List<String>> text = corpus(300, 11);
        List<KneserNeyTrainer.Options> settings = List.of(new KneserNeyTrainer.Options(4, new int[] {1}),
                new KneserNeyTrainer.Options(4, new int[] {1, 1, 2}), new KneserNeyTrainer.Options(4, new int[] {1, 2, 3, 3}),
                new KneserNeyTrainer.Options(4, new int[] {1}, 1e-5), new KneserNeyTrainer.Options(4, new int[] {1}, 1e-3),
                new KneserNeyTrainer.Options(4, new int[] {1, 1, 2}, 1e-4));
        for (KneserNeyTrainer.Options options : settings) {
            NgramLm lm = new KneserNeyTrainer(options).train(text, List.of());
            Random r = new Random(5);
            for (int q = 0; q < 60; q++) {
                List<String> ctx = new ArrayList<>(List.of(NgramLm.BOS));
                int len = r.nextInt(5);
                for (int i = 0; i < len; i++) ctx.add(lm.vocabulary().get(3 + r.nextInt(lm.vocabulary().size() - 3)));
                if (r.nextBoolean()) ctx.removeFirst();
                double sum = 0;
                for (int w = 0; w < lm.vocabulary().size(); w++) {
                    if (w == lm.bos()) continue;
                    sum += Math.pow(10, lm.log10Prob(ids(lm, ctx), ctx.size(), w));
                }
                assertEquals(1.0, sum, 1e-4, "sum over words after " + ctx + " with min counts "
                        + java.util.Arrays.toString(options.minCounts()) + ", prune threshold " + options.pruneThreshold() + ": " + lm);
            }
        }
    }

    @Test
    void pruningDropsRareHighOrderNgramsOnly() {
        List<List<String>> text = corpus(300, 11);
        NgramLm full = new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(4)).train(text, List.of());
        NgramLm pruned = new KneserNeyTrainer(new KneserNeyTrainer.Options(4, new int[] {1, 1, 2})).train(text, List.of());
        assertEquals(full.count(1), pruned.count(1));
        assertEquals(full.count(2), pruned.count(2));
        assertTrue(pruned.count(3) < full.count(3) && pruned.count(4) < full.count(4), pruned + " vs " + full);
    }

    @Test
    void relativeEntropyPruningDropsWhatMattersLeast() {
        List<List<String>> text = corpus(2000, 11), fresh = corpus(400, 12);
        NgramLm full = new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(4)).train(text, List.of());
        NgramLm previous = full;
        for (double threshold : new double[] {1e-6, 1e-5, 1e-4, 1e-3}) {
            NgramLm pruned = new KneserNeyTrainer(new KneserNeyTrainer.Options(4, new int[] {1}, threshold)).train(text, List.of());
            assertEquals(full.count(1), pruned.count(1), "unigrams stay");
            for (int n = 2; n <= 4; n++) assertTrue(pruned.count(n) <= previous.count(n), threshold + ": " + pruned + " vs " + previous);
            previous = pruned;
        }
        assertTrue(previous.count(4) < full.count(4) / 10, "1e-3 drops most 4-grams: " + previous + " vs " + full);
        // "a b" is the one strong bigram: it outlives pruning that takes most others. (After <s>: below the top order,
        // Kneser-Ney's distributions count distinct left neighbours, which make "a"'s followers look alike.)
        List<String> sa = List.of(NgramLm.BOS, "a");
        double fullAb = full.log10Prob(ids(full, sa), 2, full.wordId("b"));
        double prunedAb = previous.log10Prob(ids(previous, sa), 2, previous.wordId("b"));
        assertTrue(Math.pow(10, fullAb) > 0.4 && Math.abs(prunedAb - fullAb) < 0.02, "P(b|a) " + Math.pow(10, prunedAb)
                + " after pruning, " + Math.pow(10, fullAb) + " before: " + previous);

        // At a small threshold most of the model goes at little cost on new text of the same source.
        NgramLm byEntropy = new KneserNeyTrainer(new KneserNeyTrainer.Options(4, new int[] {1}, 3e-5)).train(text, List.of());
        assertTrue(size(byEntropy) < size(full) / 2, byEntropy + " vs " + full);
        double pplEntropy = byEntropy.perplexity(fresh), pplFull = full.perplexity(fresh);
        assertTrue(pplEntropy < pplFull * 1.02, "ppl " + pplEntropy + " vs unpruned " + pplFull);
    }

    @Test
    void aSentenceOfWeightKCountsAsKCopies() {
        List<List<String>> text = corpus(200, 3);
        List<List<String>> repeated = new ArrayList<>(text);
        int[] weights = new int[text.size()];
        java.util.Arrays.fill(weights, 1);
        for (int i = 0; i < text.size(); i += 3) {
            weights[i] = 3;
            repeated.add(text.get(i));
            repeated.add(text.get(i));
        }
        KneserNeyTrainer trainer = new KneserNeyTrainer(new KneserNeyTrainer.Options(4, new int[] {1, 1, 2}));
        NgramLm weighted = trainer.train(text, weights, List.of()), copies = trainer.train(repeated, List.of());
        assertEquals(copies.toString(), weighted.toString());
        List<List<String>> fresh = corpus(50, 4);
        assertEquals(copies.perplexity(fresh), weighted.perplexity(fresh), 1e-12);
        assertTrue(Math.abs(trainer.train(text, List.of()).perplexity(fresh) - weighted.perplexity(fresh)) > 1e-6, "weights change the model");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(text, new int[] {1}, List.of()));
        assertTrue(e.getMessage().contains("1 weights for 200 sentences"), e.getMessage());
        int[] zero = weights.clone();
        zero[5] = 0;
        assertThrows(IllegalArgumentException.class, () -> trainer.train(text, zero, List.of()));
    }

    private static int size(NgramLm lm) {
        int total = 0;
        for (int n = 1; n <= lm.order(); n++) total += lm.count(n);
        return total;
    }

    @Test
    void learnsWhatTheTextSays() {
        NgramLm lm = new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(3)).train(corpus(500, 1), List.of());
        int a = lm.wordId("a"), b = lm.wordId("b"), c = lm.wordId("c");
        int[] ctx = {lm.bos(), a};
        assertTrue(lm.log10Prob(ctx, 2, b) > lm.log10Prob(ctx, 2, c) + 0.5, "P(b|a) should far exceed P(c|a)");
        double ppl = lm.perplexity(corpus(100, 99));
        assertTrue(ppl > 1 && ppl < 8, "perplexity on fresh text of the same source: " + ppl); // 8 words + </s>: uniform is ~8
    }

    @Test
    void rejectsBadOptionsAndText() {
        assertThrows(IllegalArgumentException.class, () -> new KneserNeyTrainer.Options(1, new int[] {1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KneserNeyTrainer.Options(3, new int[] {1, 3, 2}));
        assertTrue(e.getMessage().contains("must not decrease"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KneserNeyTrainer.Options(3, new int[] {1}, -1e-8));
        assertTrue(e.getMessage().contains("prune threshold"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KneserNeyTrainer.Options(3, new int[] {1}, Double.NaN));
        KneserNeyTrainer t = new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(3));
        assertThrows(IllegalArgumentException.class, () -> t.train(List.of(), List.of()));
        e = assertThrows(IllegalArgumentException.class, () -> t.train(List.of(List.of("a b")), List.of()));
        assertTrue(e.getMessage().contains("whitespace"), e.getMessage());
    }

    static int[] ids(NgramLm lm, List<String> words) {
        int[] out = new int[words.size()];
        for (int i = 0; i < out.length; i++) out[i] = lm.wordId(words.get(i));
        return out;
    }

    /** Interpolated modified Kneser-Ney written as the recursive formula over string n-grams: slow and plain. */
    static final class ReferenceKneserNey {
        final int order;
        final Map<List<String>, Integer> raw = new HashMap<>();
        final Map<List<String>, Integer> adjusted = new HashMap<>();
        final double[][] d;
        final Set<String> vocab = new HashSet<>();

        ReferenceKneserNey(List<List<String>> text, int order, List<String> extra) {
            this.order = order;
            vocab.add(NgramLm.UNK);
            vocab.add(NgramLm.EOS);
            vocab.addAll(extra);
            for (List<String> s : text) {
                List<String> seq = new ArrayList<>();
                seq.add(NgramLm.BOS);
                seq.addAll(s);
                seq.add(NgramLm.EOS);
                vocab.addAll(s);
                for (int end = 0; end < seq.size(); end++) {
                    for (int n = 1; n <= order && end - n + 1 >= 0; n++) raw.merge(List.copyOf(seq.subList(end - n + 1, end + 1)), 1, Integer::sum);
                }
            }
            Map<List<String>, Set<String>> left = new HashMap<>();
            for (List<String> g : raw.keySet()) {
                if (g.size() >= 2) left.computeIfAbsent(g.subList(1, g.size()), k -> new HashSet<>()).add(g.getFirst());
            }
            for (Map.Entry<List<String>, Integer> e : raw.entrySet()) {
                List<String> g = e.getKey();
                if (g.equals(List.of(NgramLm.BOS))) continue;
                int a = g.size() == order || g.getFirst().equals(NgramLm.BOS) ? e.getValue() : left.getOrDefault(g, Set.of()).size();
                adjusted.put(g, a);
            }
            d = new double[order + 1][];
            for (int n = 1; n <= order; n++) {
                long[] coc = new long[5];
                for (Map.Entry<List<String>, Integer> e : adjusted.entrySet()) {
                    if (e.getKey().size() == n && e.getValue() <= 4) coc[e.getValue()]++;
                }
                double y = coc[1] / (coc[1] + 2.0 * coc[2]);
                d[n] = new double[] {1 - 2 * y * coc[2] / coc[1], 2 - 3 * y * coc[3] / coc[2], 3 - 4 * y * coc[4] / coc[3]};
                boolean usable = coc[1] > 0 && coc[2] > 0 && coc[3] > 0 && coc[4] > 0;
                for (int i = 0; i < 3; i++) usable &= d[n][i] > 0 && d[n][i] < i + 1;
                if (!usable) d[n] = new double[] {0.5, 1.0, 1.5}; // the documented fallback for small counts
            }
        }

        double prob(List<String> context, String w) {
            List<String> h = context.size() > order - 1 ? context.subList(context.size() - (order - 1), context.size()) : context;
            if (!vocab.contains(w)) w = NgramLm.UNK;
            return p(h, w);
        }

        private double p(List<String> h, String w) {
            int n = h.size() + 1;
            double lower = h.isEmpty() ? 1.0 / vocab.size() : p(h.subList(1, h.size()), w);
            double total = 0, mass = 0;
            for (Map.Entry<List<String>, Integer> e : adjusted.entrySet()) {
                List<String> g = e.getKey();
                if (g.size() == n && g.subList(0, n - 1).equals(h)) {
                    total += e.getValue();
                    mass += disc(n, e.getValue());
                }
            }
            if (total == 0) return lower;
            List<String> hw = new ArrayList<>(h);
            hw.add(w);
            int a = adjusted.getOrDefault(hw, 0);
            return (a - disc(n, a)) / total + mass / total * lower;
        }

        private double disc(int n, int a) { return a == 0 ? 0 : d[n][Math.min(a, 3) - 1]; }
    }
}
