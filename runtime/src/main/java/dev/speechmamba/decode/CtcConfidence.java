package dev.speechmamba.decode;

import java.util.Arrays;
import java.util.List;

/**
 * How sure the CTC head is of each decoded token: the posterior of the token at the frame of its forced-alignment
 * span where it is most likely, in (0, 1]. A token that beam search took from the attention decoder or the
 * language model against the acoustics gets a low value, because no frame of its span emits it. With beam
 * search the attention decoder's own probability of the token is joined in ({@link #joint}), as decoding joins the
 * two heads: CTC alone under-rates words it spells differently and the decoder gets right. A word's confidence is
 * that of its least certain piece ({@link WordTimings#words}).
 *
 * <p>Why the peak and not the mean over the span: CTC emits a token in one or two spiky frames and blanks around
 * them, so a mean would mostly measure the span's length.
 */
public final class CtcConfidence {
    private CtcConfidence() { }

    /**
     * @param logProbs (T, V) CTC log-probabilities the spans index into
     * @param spans    token spans with frames inside {@code logProbs}
     * @return (N) the confidence of each span, in order
     */
    public static double[] ofSpans(LogProbs logProbs, List<TokenSpan> spans) {
        double[] out = new double[spans.size()];
        for (int i = 0; i < out.length; i++) {
            TokenSpan s = spans.get(i);
            if (s.lastFrame() >= logProbs.frames() || s.token() >= logProbs.vocab()) {
                throw new IllegalArgumentException("CTC confidence: span of token " + s.token() + " at frames ["
                        + s.firstFrame() + ", " + s.lastFrame() + "] lies outside the " + logProbs.frames() + " x "
                        + logProbs.vocab() + " log-probabilities");
            }
            float best = Float.NEGATIVE_INFINITY;
            for (int t = s.firstFrame(); t <= s.lastFrame(); t++) best = Math.max(best, logProbs.get(t, s.token()));
            out[i] = Math.exp(best);
        }
        return out;
    }

    /**
     * The attention decoder's probability of each token of {@code tokens} after the ones before it (teacher
     * forcing on the chosen hypothesis), prefix by prefix so that an incremental decoder extends its state.
     *
     * @return (N) P(token_i | sos, token_1 .. token_{i-1})
     */
    public static double[] ofDecoder(NextTokenScorer decoder, int sos, int[] tokens) {
        double[] out = new double[tokens.length];
        int[] prefix = new int[tokens.length + 1];
        prefix[0] = sos;
        for (int i = 0; i < tokens.length; i++) {
            out[i] = Math.exp(decoder.nextLogProbs(List.of(Arrays.copyOf(prefix, i + 1)))[0][tokens[i]]);
            prefix[i + 1] = tokens[i];
        }
        return out;
    }

    /**
     * Joint confidence of tokens scored by both heads, weighted as joint CTC/attention decoding weighs them:
     * exp(w·log p_ctc + (1 − w)·log p_att), a weighted geometric mean in [0, 1].
     */
    public static double[] joint(double[] ctc, double[] attention, double ctcWeight) {
        if (ctc.length != attention.length) {
            throw new IllegalArgumentException("joint confidence: " + ctc.length + " CTC values, " + attention.length + " attention values");
        }
        double[] out = new double[ctc.length];
        for (int i = 0; i < out.length; i++) {
            // A head of weight 0 is left out rather than multiplied: 0 · log 0 would be NaN.
            double logCtc = ctcWeight > 0 ? ctcWeight * Math.log(ctc[i]) : 0;
            double logAttention = ctcWeight < 1 ? (1 - ctcWeight) * Math.log(attention[i]) : 0;
            out[i] = Math.exp(logCtc + logAttention);
        }
        return out;
    }
}
