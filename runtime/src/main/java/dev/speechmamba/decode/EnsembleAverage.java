package dev.speechmamba.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Several acoustic models decoding as one: their CTC frames and their decoders' next-token distributions are averaged
 * in probability, {@code log((1/M)·Σ_m p_m)}, with equal weights. Probabilities rather than log-probabilities are
 * averaged (as fairseq's ensembles do) so that a token one model is sure of and another merely doubts keeps a
 * reasonable score, and so that the result is again a distribution that CTC prefix scoring and beam search read as
 * before. The models must share the tokenizer and the encoder's frame rate.
 */
public final class EnsembleAverage {
    private EnsembleAverage() { }

    /** The frame-by-frame average of the members' CTC distributions, each (T, V) with the same T and V. */
    public static LogProbs ctc(List<LogProbs> members) {
        if (members.isEmpty()) throw new IllegalArgumentException("ensemble: no model to average");
        if (members.size() == 1) return members.getFirst();
        LogProbs first = members.getFirst();
        for (int m = 1; m < members.size(); m++) {
            LogProbs other = members.get(m);
            if (other.frames() != first.frames() || other.vocab() != first.vocab()) {
                throw new IllegalArgumentException("ensemble: model " + (m + 1) + " gives " + other.frames() + " frames of "
                        + other.vocab() + " tokens where model 1 gives " + first.frames() + " of " + first.vocab()
                        + " (the models must share the tokenizer and the encoder's subsampling)");
            }
        }
        float[][] rows = new float[members.size()][];
        for (int m = 0; m < rows.length; m++) rows[m] = members.get(m).values();
        float[] out = new float[first.values().length]; // (T, V)
        for (int i = 0; i < out.length; i++) out[i] = logMeanExp(rows, i);
        return new LogProbs(out, first.frames(), first.vocab());
    }

    /**
     * A scorer that asks every member for the same prefixes and averages their rows; the members are not closed by it.
     */
    public static NextTokenScorer scorer(List<? extends NextTokenScorer> members) {
        if (members.isEmpty()) throw new IllegalArgumentException("ensemble: no decoder to average");
        if (members.size() == 1) return members.getFirst();
        int vocab = members.getFirst().vocabSize();
        for (int m = 1; m < members.size(); m++) {
            if (members.get(m).vocabSize() != vocab) {
                throw new IllegalArgumentException("ensemble: decoder " + (m + 1) + " has " + members.get(m).vocabSize()
                        + " tokens where decoder 1 has " + vocab);
            }
        }
        List<NextTokenScorer> copy = List.copyOf(members);
        return new NextTokenScorer() {
            @Override public int vocabSize() { return vocab; }

            @Override public float[][] nextLogProbs(List<int[]> prefixes) {
                List<float[][]> each = new ArrayList<>(copy.size());
                for (NextTokenScorer s : copy) each.add(s.nextLogProbs(prefixes));
                float[][] out = new float[prefixes.size()][vocab]; // (N, V)
                float[][] rows = new float[copy.size()][];
                for (int n = 0; n < out.length; n++) {
                    for (int m = 0; m < rows.length; m++) rows[m] = each.get(m)[n];
                    for (int k = 0; k < vocab; k++) out[n][k] = logMeanExp(rows, k);
                }
                return out;
            }
        };
    }

    /** log((1/M)·Σ_m exp(rows[m][i])), in double precision; -∞ when every member gives -∞. */
    static float logMeanExp(float[][] rows, int i) {
        double max = Double.NEGATIVE_INFINITY;
        for (float[] r : rows) max = Math.max(max, r[i]);
        if (max == Double.NEGATIVE_INFINITY) return Float.NEGATIVE_INFINITY;
        double sum = 0;
        for (float[] r : rows) sum += Math.exp(r[i] - max);
        return (float) (max + Math.log(sum / rows.length));
    }
}
