package dev.speechmamba.lm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Estimates an interpolated modified Kneser-Ney n-gram model (Chen & Goodman 1998, the estimate of KenLM's
 * {@code lmplz}) and writes it in back-off form: counts of the top order are raw counts, lower orders count
 * distinct left neighbours (except n-grams that start with {@code <s>}, which have none and keep raw counts);
 * three discounts per order come from the counts of counts; the unigram level interpolates with the uniform
 * distribution, so every vocabulary word has a probability. Pruning drops n-grams whose raw count is below the
 * order's minimum, then, with a threshold, those whose removal changes the model least (Stolcke 1998, SRILM's
 * {@code -prune}), and re-normalises the back-off weights so that every context still sums to one.
 */
public final class KneserNeyTrainer {

    /**
     * @param order     n-gram order (2 or more)
     * @param minCounts raw count an n-gram of order {@code n} needs to be kept, {@code minCounts[n-1]}; unigrams
     *                  are always kept; must not decrease with the order (so that every kept n-gram's context
     *                  and suffix are kept too)
     * @param pruneThreshold relative-entropy pruning (Stolcke 1998): an n-gram above the unigrams goes when dropping it
     *                  (and backing off instead) raises the relative entropy of the model by less than this many nats,
     *                  judged for each n-gram on its own against the count-pruned model; 0 keeps them all. 1e-8 to
     *                  1e-7 are usual values: the more text, the more it saves
     */
    public record Options(int order, int[] minCounts, double pruneThreshold) {
        public Options {
            if (!(pruneThreshold >= 0) || Double.isInfinite(pruneThreshold)) {
                throw new IllegalArgumentException("Kneser-Ney: prune threshold must be a finite number >= 0, got " + pruneThreshold);
            }
            if (order < 2) throw new IllegalArgumentException("Kneser-Ney: order must be >= 2, got " + order);
            if (minCounts == null) minCounts = new int[0];
            int[] full = new int[order];
            for (int n = 0; n < order; n++) full[n] = n < minCounts.length ? minCounts[n] : (minCounts.length == 0 ? 1 : minCounts[minCounts.length - 1]);
            full[0] = 1;
            for (int n = 0; n < order; n++) {
                if (full[n] < 1) throw new IllegalArgumentException("Kneser-Ney: minimum counts must be >= 1, got " + Arrays.toString(minCounts));
                if (n > 0 && full[n] < full[n - 1]) {
                    throw new IllegalArgumentException("Kneser-Ney: minimum counts must not decrease with the order, got " + Arrays.toString(minCounts));
                }
            }
            minCounts = full;
        }

        /** Count pruning only. */
        public Options(int order, int[] minCounts) { this(order, minCounts, 0); }

        /** Keeps every n-gram. */
        public static Options unpruned(int order) { return new Options(order, new int[] {1}); }
    }

    private final Options options;

    public KneserNeyTrainer(Options options) { this.options = options; }

    /**
     * Trains on sentences of words.
     *
     * @param sentences  the text, one list of words per sentence (without {@code <s>} / {@code </s>})
     * @param extraWords words the model must know even when the text lacks them (e.g. every tokenizer piece)
     */
    public NgramLm train(Collection<List<String>> sentences, Collection<String> extraWords) {
        return train(sentences, null, extraWords);
    }

    /**
     * Trains on sentences that count {@code weights[i]} times each, as if repeated (count merging: text of the domain
     * weighs more than text that only broadens the vocabulary, and count pruning keeps its n-grams first).
     *
     * @param weights one positive weight per sentence, in the collection's order; null: all 1
     */
    public NgramLm train(Collection<List<String>> sentences, int[] weights, Collection<String> extraWords) {
        if (weights != null && weights.length != sentences.size()) {
            throw new IllegalArgumentException("Kneser-Ney: " + weights.length + " weights for " + sentences.size() + " sentences");
        }
        if (weights != null) {
            for (int w : weights) if (w < 1) throw new IllegalArgumentException("Kneser-Ney: sentence weights must be >= 1, got " + w);
        }
        List<String> vocabulary = new ArrayList<>(List.of(NgramLm.UNK, NgramLm.BOS, NgramLm.EOS));
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) ids.put(vocabulary.get(i), i);
        for (String w : extraWords) addWord(w, vocabulary, ids);
        List<int[]> encoded = new ArrayList<>(sentences.size());
        for (List<String> s : sentences) {
            int[] seq = new int[s.size() + 2];
            seq[0] = 1;
            for (int i = 0; i < s.size(); i++) seq[i + 1] = addWord(s.get(i), vocabulary, ids);
            seq[seq.length - 1] = 2;
            encoded.add(seq);
        }
        if (encoded.isEmpty()) throw new IllegalArgumentException("Kneser-Ney: no training sentences");
        return estimate(vocabulary, encoded, weights);
    }

    private static int addWord(String w, List<String> vocabulary, Map<String, Integer> ids) {
        if (w.isEmpty() || w.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Kneser-Ney: words must be non-empty and free of whitespace, got '" + w + "'");
        }
        Integer id = ids.get(w);
        if (id != null) return id;
        ids.put(w, vocabulary.size());
        vocabulary.add(w);
        return vocabulary.size() - 1;
    }

    private NgramLm estimate(List<String> vocabulary, List<int[]> sentences, int[] weights) {
        int order = options.order(), v = vocabulary.size();
        int bits = NgramLm.bitsFor(v);
        if ((long) bits * order > 63) {
            throw new IllegalArgumentException("Kneser-Ney: order " + order + " with " + v + " words does not fit 63-bit keys");
        }
        final int bos = 1;
        // Raw counts; unigram entry index == word id.
        LongIndexMap[] grams = new LongIndexMap[order];
        IntList[] raw = new IntList[order];
        for (int n = 0; n < order; n++) {
            grams[n] = new LongIndexMap(n == 0 ? v : 1 << 16);
            raw[n] = new IntList();
        }
        for (int w = 0; w < v; w++) {
            grams[0].getOrAdd(w);
            raw[0].add(0);
        }
        for (int s = 0; s < sentences.size(); s++) {
            int[] seq = sentences.get(s);
            int weight = weights == null ? 1 : weights[s];
            for (int end = 0; end < seq.length; end++) {
                long key = 0;
                for (int n = 1; n <= order && end - n + 1 >= 0; n++) {
                    key = key | ((long) seq[end - n + 1] << ((n - 1) * bits)); // prepend the older word
                    int e = grams[n - 1].getOrAdd(key);
                    if (e == raw[n - 1].size()) raw[n - 1].add(0);
                    raw[n - 1].increment(e, weight);
                }
            }
        }
        // Adjusted counts: distinct left neighbours below the top order, raw counts for n-grams starting with <s>.
        int[][] adjusted = new int[order][];
        adjusted[order - 1] = raw[order - 1].toArray();
        for (int n = order - 1; n >= 1; n--) {
            int[] a = new int[grams[n - 1].size()];
            long lowMask = (1L << (n * bits)) - 1;
            for (int e = 0; e < grams[n].size(); e++) a[grams[n - 1].get(grams[n].key(e) & lowMask)]++;
            for (int e = 0; e < a.length; e++) {
                if ((grams[n - 1].key(e) >>> ((n - 1) * bits)) == bos) a[e] = raw[n - 1].get(e);
            }
            adjusted[n - 1] = a;
        }
        adjusted[0][bos] = 0; // <s> is never predicted
        double[][] discounts = new double[order][];
        for (int n = 0; n < order; n++) discounts[n] = discounts(adjusted[n]);

        // Interpolated probabilities, order by order.
        double[][] prob = new double[order][];
        double[][] gamma = new double[order][]; // gamma[n][context entry of order n] for predicting order n+1
        {
            int[] a = adjusted[0];
            double total = 0, mass = 0;
            for (int w = 0; w < v; w++) {
                if (w == bos || a[w] == 0) continue;
                total += a[w];
                mass += discount(discounts[0], a[w]);
            }
            prob[0] = new double[v];
            double uniform = 1.0 / (v - 1);
            for (int w = 0; w < v; w++) {
                if (w == bos) continue;
                prob[0][w] = (a[w] - discount(discounts[0], a[w])) / total + mass / total * uniform;
            }
        }
        for (int n = 2; n <= order; n++) {
            LongIndexMap g = grams[n - 1], lower = grams[n - 2];
            int[] a = adjusted[n - 1];
            double[] d = discounts[n - 1];
            double[] totals = new double[lower.size()], masses = new double[lower.size()];
            int[] context = new int[g.size()];
            long lowMask = (1L << ((n - 1) * bits)) - 1;
            for (int e = 0; e < g.size(); e++) {
                int c = lower.get(g.key(e) >>> bits);
                context[e] = c;
                totals[c] += a[e];
                masses[c] += discount(d, a[e]);
            }
            double[] gam = new double[lower.size()];
            for (int c = 0; c < gam.length; c++) gam[c] = totals[c] > 0 ? masses[c] / totals[c] : 1.0;
            gamma[n - 2] = gam;
            double[] p = new double[g.size()];
            for (int e = 0; e < g.size(); e++) {
                int c = context[e];
                int suffix = lower.get(g.key(e) & lowMask);
                p[e] = (a[e] - discount(d, a[e])) / totals[c] + gam[c] * prob[n - 2][suffix];
            }
            prob[n - 1] = p;
        }

        // Pruning, then back-off weights: b(h) = (1 - sum_kept p(w|h)) / (1 - sum_kept p(w|h')).
        boolean[][] keep = new boolean[order][];
        keep[0] = new boolean[v];
        Arrays.fill(keep[0], true);
        for (int n = 2; n <= order; n++) {
            keep[n - 1] = new boolean[grams[n - 1].size()];
            for (int e = 0; e < keep[n - 1].length; e++) keep[n - 1][e] = raw[n - 1].get(e) >= options.minCounts()[n - 1];
        }
        if (options.pruneThreshold() > 0) pruneByRelativeEntropy(grams, prob, keep, bits, bos);
        double[][] backoff = new double[order][];
        for (int n = 1; n < order; n++) backoff[n - 1] = new double[grams[n - 1].size()];
        for (int n = 2; n <= order; n++) {
            BackoffMass mass = backoffMass(grams, prob, keep, backoff, n, bits);
            for (int c = 0; c < grams[n - 2].size(); c++) {
                if (mass.hasChild[c]) backoff[n - 2][c] = mass.alpha(c);
            }
        }

        NgramLm.Builder builder = new NgramLm.Builder(vocabulary, order);
        long mask = (1L << bits) - 1;
        for (int n = 1; n <= order; n++) {
            int[] words = new int[n];
            for (int e = 0; e < grams[n - 1].size(); e++) {
                if (!keep[n - 1][e]) continue;
                long key = grams[n - 1].key(e);
                for (int i = 0; i < n; i++) words[i] = (int) ((key >>> ((n - 1 - i) * bits)) & mask);
                float lp = n == 1 && e == bos ? NgramLm.NEVER : (float) Math.log10(prob[n - 1][e]);
                float bo = n < order && backoff[n - 1][e] > 0 ? (float) Math.log10(backoff[n - 1][e]) : 0f;
                builder.add(words, lp, bo);
            }
        }
        return builder.build();
    }

    /**
     * For the contexts of order {@code n - 1}: the probability their kept {@code n}-grams take, {@code sum P(w|h)},
     * and what the same words take one order lower, {@code sum P(w|h')}; the back-off weight is
     * {@code (1 - kept) / (1 - keptLower)}. With the lower orders' back-off weights ({@code backoff} non-null), P(w|h')
     * is what the pruned model gives, backing off where (h', w) was pruned, so that every context sums to one; without,
     * it is the unpruned estimate.
     */
    private record BackoffMass(double[] kept, double[] keptLower, boolean[] hasChild) {
        double alpha(int c) { return alpha(1 - kept[c], 1 - keptLower[c]); }

        static double alpha(double num, double den) { return num <= 1e-12 || den <= 1e-12 ? 1.0 : num / den; }
    }

    private static BackoffMass backoffMass(LongIndexMap[] grams, double[][] prob, boolean[][] keep, double[][] backoff,
                                           int n, int bits) {
        LongIndexMap g = grams[n - 1], lower = grams[n - 2];
        double[] kept = new double[lower.size()], keptLower = new double[lower.size()];
        boolean[] hasChild = new boolean[lower.size()];
        long lowMask = (1L << ((n - 1) * bits)) - 1;
        for (int e = 0; e < g.size(); e++) {
            if (!keep[n - 1][e]) continue;
            int c = lower.get(g.key(e) >>> bits);
            hasChild[c] = true;
            kept[c] += prob[n - 1][e];
            keptLower[c] += backoff == null ? prob[n - 2][lower.get(g.key(e) & lowMask)]
                    : prunedProb(grams, prob, keep, backoff, n - 1, g.key(e) & lowMask, bits);
        }
        return new BackoffMass(kept, keptLower, hasChild);
    }

    /** P(w|h) of the pruned model for the m-gram {@code key} (h·w, every suffix of it counted), by back-off. */
    private static double prunedProb(LongIndexMap[] grams, double[][] prob, boolean[][] keep, double[][] backoff,
                                     int m, long key, int bits) {
        double weight = 1;
        for (; m > 1; m--) {
            int e = grams[m - 1].get(key);
            if (keep[m - 1][e]) return weight * prob[m - 1][e];
            double b = backoff[m - 2][grams[m - 2].get(key >>> bits)];
            if (b > 0) weight *= b; // 0: a context without kept children, whose weight is 1
            key &= (1L << ((m - 1) * bits)) - 1;
        }
        return weight * prob[0][(int) key];
    }

    /**
     * Stolcke's relative-entropy pruning, top order first. Dropping n-gram (h, w) makes the model back off for it:
     * P'(w|h) = a'(h) P(w|h') with a'(h) the back-off weight once w's mass joins the backed-off mass, and the words
     * that backed off already move from a(h) to a'(h). The cost is
     * {@code P(h) [P(w|h) (ln P(w|h) - ln P'(w|h)) + m(h) (ln a(h) - ln a'(h))]}, m(h) the mass backed off before;
     * P(h) is the chain of the model's probabilities of h's words (after {@code <s>}: of the words after it). An
     * n-gram that is the context of a kept longer one stays, so that its back-off weight has a home.
     */
    private void pruneByRelativeEntropy(LongIndexMap[] grams, double[][] prob, boolean[][] keep, int bits, int bos) {
        int order = options.order();
        double threshold = options.pruneThreshold();
        double[][] history = new double[order - 1][]; // P(h) of each n-gram of orders 1 .. order-1 as a context
        history[0] = prob[0].clone();
        history[0][bos] = 1.0; // every sentence starts with <s>
        for (int n = 2; n < order; n++) {
            LongIndexMap g = grams[n - 1], lower = grams[n - 2];
            double[] h = new double[g.size()];
            for (int e = 0; e < g.size(); e++) h[e] = history[n - 2][lower.get(g.key(e) >>> bits)] * prob[n - 1][e];
            history[n - 1] = h;
        }
        for (int n = order; n >= 2; n--) {
            LongIndexMap g = grams[n - 1], lower = grams[n - 2];
            boolean[] isContext = new boolean[g.size()];
            if (n < order) {
                for (int e = 0; e < grams[n].size(); e++) {
                    if (keep[n][e]) isContext[g.get(grams[n].key(e) >>> bits)] = true;
                }
            }
            BackoffMass mass = backoffMass(grams, prob, keep, null, n, bits);
            long lowMask = (1L << ((n - 1) * bits)) - 1;
            boolean[] drop = new boolean[g.size()];
            for (int e = 0; e < g.size(); e++) {
                if (!keep[n - 1][e] || isContext[e]) continue;
                int c = lower.get(g.key(e) >>> bits);
                double p = prob[n - 1][e], pLower = prob[n - 2][lower.get(g.key(e) & lowMask)];
                double num = 1 - mass.kept[c], den = 1 - mass.keptLower[c];
                double alpha = BackoffMass.alpha(num, den), alphaAfter = BackoffMass.alpha(num + p, den + pLower);
                double cost = history[n - 2][c] * (p * (Math.log(p) - Math.log(alphaAfter * pLower))
                        + Math.max(num, 0) * (Math.log(alpha) - Math.log(alphaAfter)));
                drop[e] = cost < threshold;
            }
            for (int e = 0; e < g.size(); e++) if (drop[e]) keep[n - 1][e] = false;
        }
    }

    /** Modified Kneser-Ney discounts D1, D2, D3+ of one order from its counts of counts. */
    static double[] discounts(int[] adjusted) {
        long[] coc = new long[5];
        for (int a : adjusted) if (a >= 1 && a <= 4) coc[a]++;
        double[] fallback = {0.5, 1.0, 1.5};
        if (coc[1] == 0 || coc[2] == 0 || coc[3] == 0 || coc[4] == 0) return fallback;
        double y = coc[1] / (coc[1] + 2.0 * coc[2]);
        double[] d = {1 - 2 * y * coc[2] / coc[1], 2 - 3 * y * coc[3] / coc[2], 3 - 4 * y * coc[4] / coc[3]};
        for (int i = 0; i < 3; i++) if (!(d[i] > 0 && d[i] < i + 1)) return fallback;
        return d;
    }

    private static double discount(double[] d, int count) {
        return count == 0 ? 0 : d[Math.min(count, 3) - 1];
    }

    static final class IntList {
        private int[] values = new int[1 << 12];
        private int size;

        void add(int x) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = x;
        }

        void increment(int i, int by) { values[i] = Math.addExact(values[i], by); }

        int get(int i) { return values[i]; }

        int size() { return size; }

        int[] toArray() { return Arrays.copyOf(values, size); }
    }
}
