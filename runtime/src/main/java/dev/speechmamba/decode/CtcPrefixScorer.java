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
        requireExtensible(prev, c);
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

    /**
     * The ψ of {@code prev} followed by each of {@code labels}: {@code extend(prev, labels[i]).psi()}, bit for bit,
     * at half its cost. Beam search scores dozens of labels per prefix and keeps a few: the prefix's φ (its
     * forward variables summed) is computed once for all of them, and the blank-ending variables only
     * {@link #extend} needs are left to the labels that are kept.
     */
    public double[] extensionScores(State prev, int[] labels) {
        int frames = x.frames(), last = frames - 1;
        double[] pN = prev.rNonBlank(), pB = prev.rBlank();
        double[] out = new double[labels.length];
        double[] phi = null;                                  // (T) phi[t - 1] = log(e^pN[t-1] + e^pB[t-1])
        int start = Math.max(prev.length(), 1);
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            requireExtensible(prev, c);
            if (c == eos) {
                out[i] = LogSpace.add(pN[last], pB[last]);
                continue;
            }
            boolean repeat = prev.length() > 0 && c == prev.lastToken();
            if (!repeat && phi == null) {
                phi = new double[frames];
                for (int t = start; t < frames; t++) phi[t - 1] = LogSpace.add(pN[t - 1], pB[t - 1]);
            }
            double[] before = repeat ? pB : phi;
            double rN = prev.length() == 0 ? x.get(0, c) : LOG_ZERO; // rN[start - 1]
            double psi = start - 1 < frames ? rN : LOG_ZERO;
            for (int t = start; t < frames; t++) {
                double emit = x.get(t, c);
                double phiT = before[t - 1];
                rN = LogSpace.add(rN, phiT) + emit;
                psi = LogSpace.add(psi, phiT + emit);
            }
            out[i] = psi;
        }
        return out;
    }

    private void requireExtensible(State prev, int c) {
        if (prev.rNonBlank() == null) throw new IllegalArgumentException("CTC prefix scorer: the prefix has already ended");
        if (c < 0 || c >= x.vocab() || c == blank) {
            throw new IllegalArgumentException("CTC prefix scorer: label " + c + " is the blank or outside [0, " + x.vocab() + ")");
        }
    }
}
