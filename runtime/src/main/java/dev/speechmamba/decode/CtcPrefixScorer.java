package dev.speechmamba.decode;

import dev.speechmamba.backend.LogSpace;

/**
 * CTC prefix scoring in log space (Watanabe et al. 2017, the {@code CTCPrefixScore} of ESPnet): for a label
 * prefix g and a next label c, the log-probability ψ(g·c) that the CTC output over all T frames starts with
 * g·c; for c = &lt;eos&gt;, the log-probability that the output is exactly g. Each prefix carries forward
 * variables r_n(t) / r_b(t): the log-probability that frames 0..t produce exactly g, ending in a non-blank
 * / blank frame. Extending a prefix costs O(T).
 */
public final class CtcPrefixScorer {
    private static final double LOG_ZERO = Double.NEGATIVE_INFINITY;

    private final LogProbs x;
    private final int blank;
    private final int eos;

    /**
     * The CTC state of one prefix.
     *
     * @param rNonBlank (T) log P(frames 0..t give the prefix, frame t non-blank); null for an ended prefix
     * @param rBlank    (T) the same ending in a blank; null for an ended prefix
     * @param psi       log-probability of the prefix (the score beam search adds up)
     * @param lastToken the prefix's last label, -1 for the empty prefix
     * @param length    labels in the prefix
     */
    public record State(double[] rNonBlank, double[] rBlank, double psi, int lastToken, int length) { }

    /** Scores prefixes against {@code logProbs} (T ≥ 1 frames of log-softmaxed CTC output). */
    public CtcPrefixScorer(LogProbs logProbs, int blank, int eos) {
        if (logProbs.frames() < 1) throw new IllegalArgumentException("CTC prefix scorer: needs at least one frame");
        if (blank < 0 || blank >= logProbs.vocab() || eos < 0 || eos >= logProbs.vocab() || blank == eos) {
            throw new IllegalArgumentException("CTC prefix scorer: blank " + blank + " and eos " + eos
                    + " must be distinct ids below " + logProbs.vocab());
        }
        this.x = logProbs;
        this.blank = blank;
        this.eos = eos;
    }

    public int frames() { return x.frames(); }

    /** The empty prefix: only blanks so far, probability 1 of being a prefix. */
    public State initial() {
        int frames = x.frames();
        double[] rN = new double[frames], rB = new double[frames];
        double acc = 0;
        for (int t = 0; t < frames; t++) {
            acc += x.get(t, blank);
            rB[t] = acc;
            rN[t] = LOG_ZERO;
        }
        return new State(rN, rB, 0.0, -1, 0);
    }

    /** The state of {@code prev} followed by {@code c}; {@code c == eos} gives the probability of exactly prev. */
    public State extend(State prev, int c) {
        if (prev.rNonBlank() == null) throw new IllegalArgumentException("CTC prefix scorer: the prefix has already ended");
        if (c < 0 || c >= x.vocab() || c == blank) {
            throw new IllegalArgumentException("CTC prefix scorer: label " + c + " is the blank or outside [0, " + x.vocab() + ")");
        }
        int frames = x.frames(), last = frames - 1;
        double[] pN = prev.rNonBlank(), pB = prev.rBlank();
        if (c == eos) return new State(null, null, LogSpace.add(pN[last], pB[last]), eos, prev.length());
        double[] rN = new double[frames], rB = new double[frames];
        java.util.Arrays.fill(rN, LOG_ZERO);
        java.util.Arrays.fill(rB, LOG_ZERO);
        if (prev.length() == 0) rN[0] = x.get(0, c);
        // A repeated label needs a blank in between, so only paths ending in a blank may continue with it.
        boolean repeat = prev.length() > 0 && c == prev.lastToken();
        int start = Math.max(prev.length(), 1);
        double psi = start - 1 < frames ? rN[start - 1] : LOG_ZERO; // a prefix longer than T has probability 0
        for (int t = start; t < frames; t++) {
            double phi = repeat ? pB[t - 1] : LogSpace.add(pN[t - 1], pB[t - 1]);
            double emit = x.get(t, c);
            rN[t] = LogSpace.add(rN[t - 1], phi) + emit;
            rB[t] = LogSpace.add(rN[t - 1], rB[t - 1]) + x.get(t, blank);
            psi = LogSpace.add(psi, phi + emit);
        }
        return new State(rN, rB, psi, c, prev.length() + 1);
    }
}
