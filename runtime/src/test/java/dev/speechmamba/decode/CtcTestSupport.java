package dev.speechmamba.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random CTC posteriors and brute-force enumeration of all frame paths, for tiny T and V. */
final class CtcTestSupport {
    private CtcTestSupport() { }

    /** Random log-softmaxed (T, V) posteriors; {@code sharpness} scales the logits. */
    static LogProbs randomLogProbs(long seed, int frames, int vocab, double sharpness) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] logits = new float[frames * vocab];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (rng.nextGaussian() * sharpness);
        return LogProbs.fromLogits(logits, 0, frames, vocab);
    }

    /** Calls {@code visitor} with every path in V^T and its log-probability. */
    static void forEachPath(LogProbs lp, PathVisitor visitor) {
        int frames = lp.frames(), vocab = lp.vocab();
        int[] path = new int[frames];
        long total = (long) Math.pow(vocab, frames);
        for (long code = 0; code < total; code++) {
            long c = code;
            double logP = 0;
            for (int t = 0; t < frames; t++) {
                path[t] = (int) (c % vocab);
                c /= vocab;
                logP += lp.get(t, path[t]);
            }
            visitor.visit(path, logP);
        }
    }

    interface PathVisitor { void visit(int[] path, double logP); }

    /** The label sequence of a path: repeats merged, blanks removed. */
    static List<Integer> collapse(int[] path, int blank) {
        List<Integer> out = new ArrayList<>();
        int previous = -1;
        for (int label : path) {
            if (label != blank && label != previous) out.add(label);
            previous = label;
        }
        return out;
    }
}
