package dev.speechmamba.decode;

/**
 * Per-frame log-probabilities over the vocabulary, row-major (T, V): what CTC decoding reads.
 *
 * @param values (frames, vocab) natural-log probabilities
 * @param frames T
 * @param vocab  V
 */
public record LogProbs(float[] values, int frames, int vocab) {
    public LogProbs {
        if (frames < 0 || vocab < 1) {
            throw new IllegalArgumentException("log-probs: frames must be >= 0 and vocab >= 1, got " + frames + ", " + vocab);
        }
        if (values == null || values.length != (long) frames * vocab) {
            throw new IllegalArgumentException("log-probs: expected " + frames + "·" + vocab + " values, got "
                    + (values == null ? 0 : values.length));
        }
    }

    /**
     * Log-softmax over each row of {@code frames} rows of logits starting at row {@code firstRow} of a
     * row-major (rows, vocab) array (for example one utterance of a padded (B, T', V) batch).
     */
    public static LogProbs fromLogits(float[] logits, int firstRow, int frames, int vocab) {
        if (firstRow < 0 || (long) (firstRow + frames) * vocab > logits.length) {
            throw new IllegalArgumentException("log-probs: rows [" + firstRow + ", " + (firstRow + frames)
                    + ") are outside logits of " + logits.length / Math.max(vocab, 1) + " rows");
        }
        float[] out = new float[frames * vocab]; // (T, V)
        for (int t = 0; t < frames; t++) logSoftmax(logits, (firstRow + t) * vocab, vocab, out, t * vocab);
        return new LogProbs(out, frames, vocab);
    }

    /** Writes log_softmax(src[from .. from+n)) to dst[to .. to+n), in double precision. */
    static void logSoftmax(float[] src, int from, int n, float[] dst, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) max = Math.max(max, src[from + k]);
        double sum = 0;
        for (int k = 0; k < n; k++) sum += Math.exp(src[from + k] - max);
        double logZ = max + Math.log(sum);
        for (int k = 0; k < n; k++) dst[to + k] = (float) (src[from + k] - logZ);
    }

    public float get(int frame, int token) { return values[frame * vocab + token]; }

    /** Frames [from, to) as their own matrix. */
    public LogProbs slice(int from, int to) {
        if (from < 0 || to > frames || from > to) {
            throw new IllegalArgumentException("log-probs: slice [" + from + ", " + to + ") outside [0, " + frames + ")");
        }
        return new LogProbs(java.util.Arrays.copyOfRange(values, from * vocab, to * vocab), to - from, vocab);
    }

    /** The most likely token of every frame (the greedy CTC path); ties go to the lower id. */
    public int[] argmaxPath() {
        int[] path = new int[frames];
        for (int t = 0; t < frames; t++) {
            int best = 0;
            for (int k = 1; k < vocab; k++) if (values[t * vocab + k] > values[t * vocab + best]) best = k;
            path[t] = best;
        }
        return path;
    }
}
