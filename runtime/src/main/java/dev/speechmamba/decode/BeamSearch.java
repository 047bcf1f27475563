package dev.speechmamba.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Joint CTC/attention beam search (Watanabe et al. 2017, as in ESPnet's {@code BeamSearch}): each step scores
 * all running hypotheses with ONE batched decoder call, keeps for every hypothesis the pre-beam of its most
 * likely next tokens under the decoder, rescores those with CTC prefix scores, and keeps the best
 * {@code beamSize} extensions overall:
 * <pre>score(g·c) = score(g) + (1-λ)·log p_att(c|g) + λ·(ψ_ctc(g·c) - ψ_ctc(g)) + β·log p_lm(c|g) + γ·w(c|g) + lengthBonus</pre>
 * With a language model (shallow fusion, weight β), the pre-beam ranks tokens by {@code (1-λ)·log p_att + β·log p_lm},
 * as ESPnet's "full" scorers do, so that the LM can bring in a token the decoder alone ranks low. With a lexicon,
 * {@code w(c|g)} is minus the number of words token c makes leave it ({@link dev.speechmamba.lm.LexiconScorer}) and
 * γ the unknown-word penalty: the pre-beam ranks by it too, so that a spelling that is a word gets its slot.
 * A neural LM ({@link NeuralLmScorer}) adds {@code μ·log p_nlm} beside the n-gram LM's term, in the pre-beam too.
 * Extensions with &lt;eos&gt; end. The search stops when no hypothesis runs, at {@code maxLength} tokens
 * (the encoder length: CTC cannot emit more), or when end detection sees that hypotheses ending in the
 * last few steps are all far worse than the best ended one.
 */
public final class BeamSearch {

    /**
     * @param beamSize          hypotheses kept per step (ESPnet's default for this paper: 10)
     * @param ctcWeight         λ in [0, 1]: 0 is attention only, 1 is CTC prefix search only
     * @param lengthBonus       added per emitted token including &lt;eos&gt; (ESPnet's "penalty")
     * @param normalizeLength   rank ended hypotheses by score / (tokens + 1) instead of score
     * @param preBeamRatio      candidates per hypothesis = ceil(ratio·beamSize) most likely decoder tokens
     * @param endDetectWindow   steps end detection looks back over (ESPnet: 3); 0 turns it off
     * @param endDetectMargin   an ended hypothesis this many nats below the best counts as hopeless (ESPnet: 10)
     * @param lmWeight          β &gt;= 0: weight of the language model's log-probabilities (0: no LM is consulted)
     * @param unknownWordPenalty γ &gt;= 0: nats taken from a hypothesis for each word it spells that the lexicon
     *                          lacks (0: no lexicon is consulted)
     * @param neuralLmWeight    μ &gt;= 0: weight of the neural LM's log-probabilities (0: no neural LM is consulted)
     */
    public record Options(int beamSize, double ctcWeight, double lengthBonus, boolean normalizeLength,
                          double preBeamRatio, int endDetectWindow, double endDetectMargin, double lmWeight,
                          double unknownWordPenalty, double neuralLmWeight) {
        public Options {
            if (!(neuralLmWeight >= 0) || Double.isInfinite(neuralLmWeight)) {
                throw new IllegalArgumentException("beam search: neural LM weight must be a finite number >= 0, got " + neuralLmWeight);
            }
            if (!(unknownWordPenalty >= 0) || Double.isInfinite(unknownWordPenalty)) {
                throw new IllegalArgumentException("beam search: unknown-word penalty must be a finite number >= 0, got " + unknownWordPenalty);
            }
            if (!(lmWeight >= 0) || Double.isInfinite(lmWeight)) {
                throw new IllegalArgumentException("beam search: LM weight must be a finite number >= 0, got " + lmWeight);
            }
            if (beamSize < 1) throw new IllegalArgumentException("beam search: beam size must be >= 1, got " + beamSize);
            if (!(ctcWeight >= 0 && ctcWeight <= 1)) {
                throw new IllegalArgumentException("beam search: CTC weight must be in [0, 1], got " + ctcWeight);
            }
            if (!Double.isFinite(lengthBonus)) throw new IllegalArgumentException("beam search: length bonus must be finite, got " + lengthBonus);
            if (!(preBeamRatio >= 1)) throw new IllegalArgumentException("beam search: pre-beam ratio must be >= 1, got " + preBeamRatio);
            if (endDetectWindow < 0) throw new IllegalArgumentException("beam search: end detection window must be >= 0");
            if (!(endDetectMargin > 0)) throw new IllegalArgumentException("beam search: end detection margin must be > 0");
        }

        /** Without a language model. */
        public Options(int beamSize, double ctcWeight, double lengthBonus, boolean normalizeLength,
                       double preBeamRatio, int endDetectWindow, double endDetectMargin) {
            this(beamSize, ctcWeight, lengthBonus, normalizeLength, preBeamRatio, endDetectWindow, endDetectMargin, 0.0, 0.0, 0.0);
        }

        /**
         * Beam {@link #DEFAULT_BEAM_SIZE}, CTC weight 0.3, length bonus {@link #DEFAULT_LENGTH_BONUS}, no normalisation, no LM, no lexicon. The CTC weight was ESPnet's 0.4
         * until 2026-11-28, when 0.3 read the shipped model's validation set best (16.47 % against 16.80 %; 0.2 and 0.5
         * worse) and the held-out sets agreed (docs/benchmarks.md, "The CTC weight of beam search").
         */
        public static Options defaults() { return new Options(DEFAULT_BEAM_SIZE, DEFAULT_CTC_WEIGHT, DEFAULT_LENGTH_BONUS, false, 1.5, 3, 10.0, 0.0, 0.0, 0.0); }

        /**
         * The beam size of {@link #defaults()}; the command line's default too. ESPnet's 10 until 2026-11-28, when the
         * CPU backend's decoding steps got 1.4× faster and a wider beam read the bundled model's validation set better
         * with both LMs (790 errors at 10, 775 at 16, 757 at 24) and the unheard speakers agreed (895 → 852 errors at 24;
         * docs/benchmarks.md, "Linear layers without packing the weights, and a wider beam").
         */
        public static final int DEFAULT_BEAM_SIZE = 24;

        /** The CTC weight of {@link #defaults()}; the command line's default too. */
        public static final double DEFAULT_CTC_WEIGHT = 0.3;

        /**
         * The CTC weight when a neural LM is fused too (the transcriber's default then): with both LMs and beam 24 the
         * bundled model read the validation set at 14.07 % with 0.4 against 14.63 % with 0.3 (at beam 10: 0.2 15.77 %,
         * 0.3 15.27 %, 0.4 15.00 %), while with the n-gram LM alone 0.3 stays best (docs/benchmarks.md, "Linear layers
         * without packing the weights, and a wider beam").
         */
        public static final double DEFAULT_CTC_WEIGHT_BESIDE_NEURAL_LM = 0.4;

        /**
         * The length bonus of {@link #defaults()} (nats per token); the command line's default too. 0 until 2026-11-28, when
         * the shipped model with its LM and lexicon read the validation set best with 1.5 (16.47 % at 0, 15.93 % at 1, 15.79 %
         * at 1.5, 16.02 % at 2; docs/benchmarks.md, "A length bonus in beam search"): the LM's log-probabilities cost every
         * token, deletions follow, and the bonus pays that back. Beside a neural LM (a second per-token cost)
         * {@link #DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM} instead.
         */
        public static final double DEFAULT_LENGTH_BONUS = 1.5;

        /**
         * The length bonus when a neural LM is fused too: with the n-gram LM at 0.2 and the neural LM at 0.3 the bundled
         * model read the validation set at 15.27 % (15.79 % without the neural LM; docs/benchmarks.md, "Ninth H200 session").
         */
        public static final double DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM = 2.0;

        public Options withBeamSize(int b) {
            return new Options(b, ctcWeight, lengthBonus, normalizeLength, preBeamRatio, endDetectWindow, endDetectMargin, lmWeight, unknownWordPenalty, neuralLmWeight);
        }

        public Options withCtcWeight(double w) {
            return new Options(beamSize, w, lengthBonus, normalizeLength, preBeamRatio, endDetectWindow, endDetectMargin, lmWeight, unknownWordPenalty, neuralLmWeight);
        }

        public Options withLengthBonus(double bonus) {
            return new Options(beamSize, ctcWeight, bonus, normalizeLength, preBeamRatio, endDetectWindow, endDetectMargin, lmWeight, unknownWordPenalty, neuralLmWeight);
        }

        public Options withNormalizeLength(boolean normalize) {
            return new Options(beamSize, ctcWeight, lengthBonus, normalize, preBeamRatio, endDetectWindow, endDetectMargin, lmWeight, unknownWordPenalty, neuralLmWeight);
        }

        public Options withLmWeight(double weight) {
            return new Options(beamSize, ctcWeight, lengthBonus, normalizeLength, preBeamRatio, endDetectWindow, endDetectMargin, weight, unknownWordPenalty, neuralLmWeight);
        }

        public Options withNeuralLmWeight(double weight) {
            return new Options(beamSize, ctcWeight, lengthBonus, normalizeLength, preBeamRatio, endDetectWindow, endDetectMargin, lmWeight, unknownWordPenalty, weight);
        }

        public Options withUnknownWordPenalty(double penalty) {
            return new Options(beamSize, ctcWeight, lengthBonus, normalizeLength, preBeamRatio, endDetectWindow, endDetectMargin, lmWeight, penalty, neuralLmWeight);
        }
    }

    /** A finished hypothesis: tokens without &lt;sos&gt;/&lt;eos&gt; and its total (unnormalised) score. */
    public record Hypothesis(int[] tokens, double score) {
        /** The score beam search ranks by. */
        public double rankScore(boolean normalizeLength) { return normalizeLength ? score / (tokens.length + 1) : score; }

        @Override public String toString() { return Arrays.toString(tokens) + " " + score; }
    }

    private record Running(int[] prefix, double score, CtcPrefixScorer.State ctc) { } // prefix starts with <sos>

    private record Ended(Hypothesis hyp, int sequenceLength) { } // sequenceLength counts <sos> and <eos>

    private record Candidate(int parent, int token, double score) { }

    /**
     * CTC prefix scoring (frames × labels) below which the prefixes are scored on the calling thread: forking
     * costs more than a short segment's scoring.
     */
    private static final long PARALLEL_CTC_WORK = 50_000;

    private final Options options;
    private final int blank;
    private final int sosEos;

    public BeamSearch(Options options, int blank, int sosEos) {
        if (blank == sosEos) throw new IllegalArgumentException("beam search: blank and <sos/eos> must differ");
        this.options = options;
        this.blank = blank;
        this.sosEos = sosEos;
    }

    public Options options() { return options; }

    /**
     * Searches one utterance or segment.
     *
     * @param decoder   the attention decoder over this segment's encoder frames (unused when λ = 1)
     * @param ctc       the segment's CTC log-probabilities (unused when λ = 0; may then be null)
     * @param maxLength most tokens a hypothesis may have (usually the segment's frame count)
     * @return ended hypotheses, best first (by {@link Hypothesis#rankScore}); never empty
     */
    public List<Hypothesis> search(NextTokenScorer decoder, LogProbs ctc, int maxLength) {
        return search(decoder, ctc, maxLength, null);
    }

    /**
     * Searches one utterance or segment with shallow fusion of a language model (weight {@link Options#lmWeight}).
     *
     * @param lm next-token log-probabilities of a language model over the same vocabulary; null, or an LM weight
     *           of 0, searches without one
     */
    public List<Hypothesis> search(NextTokenScorer decoder, LogProbs ctc, int maxLength, NextTokenScorer lm) {
        return search(decoder, ctc, maxLength, lm, null);
    }

    /**
     * Searches with a language model and a lexicon.
     *
     * @param words for each next token, minus the number of words it makes leave the lexicon
     *              ({@link dev.speechmamba.lm.LexiconScorer}), scaled by {@link Options#unknownWordPenalty}; null, or
     *              a penalty of 0, searches without one
     */
    public List<Hypothesis> search(NextTokenScorer decoder, LogProbs ctc, int maxLength, NextTokenScorer lm, NextTokenScorer words) {
        return search(decoder, ctc, maxLength, lm, words, null);
    }

    /**
     * Searches with an n-gram LM, a lexicon and a neural LM.
     *
     * @param neural next-piece log-probabilities of a neural LM ({@link NeuralLmScorer}), added with weight
     *               {@link Options#neuralLmWeight} beside the n-gram LM's; null, or a weight of 0, searches without one
     */
    public List<Hypothesis> search(NextTokenScorer decoder, LogProbs ctc, int maxLength, NextTokenScorer lm, NextTokenScorer words,
                                   NextTokenScorer neural) {
        double lambda = options.ctcWeight();
        boolean useCtc = lambda > 0, useAttention = lambda < 1;
        int vocab = useAttention ? decoder.vocabSize() : ctc.vocab();
        if (useCtc && ctc == null) throw new IllegalArgumentException("beam search: CTC weight " + lambda + " needs CTC log-probs");
        if (useCtc && useAttention && ctc.vocab() != decoder.vocabSize()) {
            throw new IllegalArgumentException("beam search: CTC vocabulary " + ctc.vocab() + " != decoder vocabulary " + decoder.vocabSize());
        }
        // The weighted scorers beside the decoder, in the order their terms are added: β·LM, γ·lexicon, μ·neural LM.
        List<Fused> fused = new ArrayList<>();
        addFused(fused, lm, options.lmWeight(), "LM", vocab);
        addFused(fused, words, options.unknownWordPenalty(), "lexicon scorer", vocab);
        addFused(fused, neural, options.neuralLmWeight(), "neural LM", vocab);
        if (sosEos >= vocab || blank >= vocab) throw new IllegalArgumentException("beam search: special ids outside vocabulary " + vocab);
        if (maxLength < 1) maxLength = 1;
        CtcPrefixScorer scorer = useCtc && ctc.frames() > 0 ? new CtcPrefixScorer(ctc, blank, sosEos) : null;
        if (useCtc && scorer == null) throw new IllegalArgumentException("beam search: CTC log-probs have no frames");

        List<Running> running = List.of(new Running(new int[] {sosEos}, 0.0, scorer == null ? null : scorer.initial()));
        List<Ended> ended = new ArrayList<>();
        int preBeam = (int) Math.min(vocab - 1, Math.ceil(options.preBeamRatio() * options.beamSize()));
        for (int step = 0; step < maxLength && !running.isEmpty(); step++) {
            List<int[]> prefixes = running.stream().map(Running::prefix).toList();
            float[][] attention = useAttention ? decoder.nextLogProbs(prefixes) : null;
            float[][][] fusedRows = new float[fused.size()][][];
            for (int f = 0; f < fusedRows.length; f++) fusedRows[f] = fused.get(f).scorer().nextLogProbs(prefixes);
            int[][] tokensOf = new int[running.size()][];
            for (int h = 0; h < running.size(); h++) {
                float[] ranking = attention == null ? null : attention[h];
                if (ranking != null && !fused.isEmpty()) {
                    ranking = new float[vocab];
                    for (int k = 0; k < vocab; k++) {
                        double r = (1 - lambda) * attention[h][k];
                        for (int f = 0; f < fusedRows.length; f++) r += fused.get(f).weight() * fusedRows[f][h][k];
                        ranking[k] = (float) r;
                    }
                }
                tokensOf[h] = preBeamTokens(ranking, vocab, preBeam);
            }
            double[][] ctcPsi = scorer == null ? null : ctcScores(scorer, running, tokensOf); // (hypotheses, pre-beam)
            List<Candidate> candidates = new ArrayList<>();
            for (int h = 0; h < running.size(); h++) {
                Running hyp = running.get(h);
                for (int i = 0; i < tokensOf[h].length; i++) {
                    int token = tokensOf[h][i];
                    double score = hyp.score() + options.lengthBonus();
                    if (useAttention) score += (1 - lambda) * attention[h][token];
                    for (int f = 0; f < fusedRows.length; f++) score += fused.get(f).weight() * fusedRows[f][h][token];
                    if (scorer != null) score += lambda * (ctcPsi[h][i] - hyp.ctc().psi());
                    if (score > Double.NEGATIVE_INFINITY) candidates.add(new Candidate(h, token, score));
                }
            }
            candidates.sort(Comparator.comparingDouble(Candidate::score).reversed()
                    .thenComparingInt(Candidate::parent).thenComparingInt(Candidate::token));
            List<Running> next = new ArrayList<>();
            for (Candidate c : candidates.subList(0, Math.min(options.beamSize(), candidates.size()))) {
                Running parentHyp = running.get(c.parent());
                int[] parent = parentHyp.prefix();
                if (c.token() == sosEos) {
                    ended.add(new Ended(new Hypothesis(Arrays.copyOfRange(parent, 1, parent.length), c.score()), parent.length + 1));
                } else {
                    int[] prefix = Arrays.copyOf(parent, parent.length + 1);
                    prefix[parent.length] = c.token();
                    // Only the kept prefixes need their full CTC state (the pre-beam scoring computed ψ alone).
                    next.add(new Running(prefix, c.score(), scorer == null ? null : scorer.extend(parentHyp.ctc(), c.token())));
                }
            }
            running = next;
            if (step == maxLength - 1) {
                // Out of frames: what still runs ends here, as ESPnet does, without an <eos> score.
                for (Running r : running) {
                    ended.add(new Ended(new Hypothesis(Arrays.copyOfRange(r.prefix(), 1, r.prefix().length), r.score()),
                            r.prefix().length + 1));
                }
                running = List.of();
            }
            if (endDetected(ended, step)) break;
        }
        if (ended.isEmpty()) {
            // Only when every extension scored -inf: fall back to the best running prefix.
            for (Running r : running) ended.add(new Ended(new Hypothesis(Arrays.copyOfRange(r.prefix(), 1, r.prefix().length), r.score()), 0));
            if (ended.isEmpty()) ended.add(new Ended(new Hypothesis(new int[0], Double.NEGATIVE_INFINITY), 0));
        }
        boolean normalize = options.normalizeLength();
        return ended.stream().map(Ended::hyp)
                .sorted(Comparator.comparingDouble((Hypothesis h) -> h.rankScore(normalize)).reversed())
                .toList();
    }

    /**
     * The CTC ψ of each hypothesis extended by each of its pre-beam tokens, (hypotheses, tokens): the
     * hypotheses in parallel when the work is large enough; each row is computed alone, so the values do not depend
     * on the threads.
     */
    private static double[][] ctcScores(CtcPrefixScorer scorer, List<Running> running, int[][] tokensOf) {
        double[][] psi = new double[running.size()][];
        long work = 0;
        for (int[] tokens : tokensOf) work += (long) tokens.length * scorer.frames();
        IntStream rows = IntStream.range(0, running.size());
        if (work >= PARALLEL_CTC_WORK && running.size() > 1) rows = rows.parallel();
        rows.forEach(h -> psi[h] = scorer.extensionScores(running.get(h).ctc(), tokensOf[h]));
        return psi;
    }

    /** A scorer whose log-probabilities beam search adds with a weight: an LM, the lexicon, the neural LM. */
    private record Fused(NextTokenScorer scorer, double weight) { }

    /** Adds {@code scorer} when given with a weight above 0, after checking that it scores this vocabulary. */
    private static void addFused(List<Fused> fused, NextTokenScorer scorer, double weight, String what, int vocab) {
        if (scorer == null || !(weight > 0)) return;
        if (scorer.vocabSize() != vocab) {
            throw new IllegalArgumentException("beam search: " + what + " vocabulary " + scorer.vocabSize() + " != model vocabulary " + vocab);
        }
        fused.add(new Fused(scorer, weight));
    }

    /** The pre-beam: the decoder's most likely tokens, or all tokens when CTC scores alone. Never the blank. */
    private int[] preBeamTokens(float[] attention, int vocab, int preBeam) {
        if (attention == null) {
            int[] all = new int[vocab - 1];
            for (int k = 0, i = 0; k < vocab; k++) if (k != blank) all[i++] = k;
            return all;
        }
        // Top-k by insertion into a short sorted list: O(V·k) at worst, about O(V) for a peaked distribution.
        int[] out = new int[preBeam];
        int filled = 0;
        for (int k = 0; k < vocab; k++) {
            if (k == blank) continue;
            float score = attention[k];
            if (filled == preBeam && !(score > attention[out[filled - 1]])) continue;
            int pos = filled < preBeam ? filled++ : filled - 1;
            while (pos > 0 && score > attention[out[pos - 1]]) {
                out[pos] = out[pos - 1];
                pos--;
            }
            out[pos] = k;
        }
        return out;
    }

    /**
     * ESPnet's {@code end_detect}: true when, for each of the last {@code endDetectWindow} sequence lengths,
     * some hypothesis of that length has ended and the best of them is more than the margin below the best
     * ended hypothesis overall — longer hypotheses are then unlikely to win.
     */
    private boolean endDetected(List<Ended> ended, int step) {
        int window = options.endDetectWindow();
        if (window == 0 || ended.isEmpty()) return false;
        double best = ended.stream().mapToDouble(e -> e.hyp().score()).max().orElseThrow();
        for (int m = 0; m < window; m++) {
            int length = step - m;
            double bestOfLength = Double.NEGATIVE_INFINITY;
            boolean any = false;
            for (Ended e : ended) {
                if (e.sequenceLength() == length) {
                    any = true;
                    bestOfLength = Math.max(bestOfLength, e.hyp().score());
                }
            }
            if (!any || bestOfLength - best >= -options.endDetectMargin()) return false;
        }
        return true;
    }
}
