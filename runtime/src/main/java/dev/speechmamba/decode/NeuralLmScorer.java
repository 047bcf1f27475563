package dev.speechmamba.decode;

import dev.speechmamba.model.NeuralLm;

import java.util.List;

/**
 * A {@link NeuralLm} as beam search sees a language model: next-piece log-probabilities for a batch of prefixes.
 * Like {@link AsrModelDecoder} it keeps the keys and values of the last call's prefixes, so that a beam search step
 * (every prefix one of them plus a piece) costs one LM step; any other batch is run from {@code <sos>}. One per
 * search: it holds that search's state. The blank can never follow.
 */
public final class NeuralLmScorer implements NextTokenScorer, AutoCloseable {
    private final NeuralLm lm;
    private final int blank;
    private final SteppedPrefixes stepped;

    /** @param blank the ASR model's CTC blank, which no sentence holds */
    public NeuralLmScorer(NeuralLm lm, int blank) {
        if (blank < 0 || blank >= lm.config().vocabSize()) {
            throw new IllegalArgumentException("neural LM scorer: blank " + blank + " outside the LM's vocabulary of " + lm.config().vocabSize());
        }
        this.lm = lm;
        this.blank = blank;
        this.stepped = new SteppedPrefixes(lm.backend(), lm::start);
    }

    @Override public int vocabSize() { return lm.config().vocabSize(); }

    @Override
    public float[][] nextLogProbs(List<int[]> prefixes) {
        int n = prefixes.size(), v = vocabSize();
        if (n == 0) return new float[0][];
        int length = prefixes.getFirst().length;
        for (int[] p : prefixes) {
            if (p.length == 0 || p[0] != lm.config().sosEos()) {
                throw new IllegalArgumentException("neural LM scorer: every prefix starts with <sos> (" + lm.config().sosEos() + ")");
            }
            if (p.length != length) return unequalLengths(prefixes);
        }
        float[] logits = stepped.logits(prefixes, lm::step);           // (N, V)
        float[][] result = new float[n][v];
        for (int r = 0; r < n; r++) {
            LogProbs.logSoftmax(logits, r * v, v, result[r], 0);
            result[r][blank] = Float.NEGATIVE_INFINITY;
        }
        return result;
    }

    /** Prefixes of mixed lengths (never from beam search): each scored on its own from {@code <sos>}. */
    private float[][] unequalLengths(List<int[]> prefixes) {
        float[][] out = new float[prefixes.size()][];
        for (int r = 0; r < prefixes.size(); r++) out[r] = nextLogProbs(List.of(prefixes.get(r)))[0];
        return out;
    }

    @Override public void close() { stepped.close(); }
}
