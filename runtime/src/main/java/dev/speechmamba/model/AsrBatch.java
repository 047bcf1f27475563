package dev.speechmamba.model;

import java.util.Arrays;
import java.util.List;

/**
 * A padded batch of utterances on the host: filterbank features and, for training, token targets.
 *
 * @param features     (B, T, F) row-major; frames past a row's length are ignored (the model zeroes them)
 * @param batch        B
 * @param frames       T, the longest row
 * @param featureDim   F
 * @param frameLengths (B) valid frames per row, each in [1, T]
 * @param targets      per row the token ids without &lt;sos&gt;/&lt;eos&gt;, or null for inference
 */
public record AsrBatch(float[] features, int batch, int frames, int featureDim, int[] frameLengths, int[][] targets) {
    public AsrBatch {
        if (batch < 1 || frames < 1 || featureDim < 1) {
            throw new IllegalArgumentException("batch: B, T and F must be >= 1, got " + batch + ", " + frames + ", " + featureDim);
        }
        if (features == null || features.length != (long) batch * frames * featureDim) {
            throw new IllegalArgumentException("batch: features hold " + (features == null ? 0 : features.length)
                    + " values, expected B·T·F = " + batch + "·" + frames + "·" + featureDim);
        }
        if (frameLengths == null || frameLengths.length != batch) {
            throw new IllegalArgumentException("batch: need " + batch + " frame lengths, got "
                    + (frameLengths == null ? 0 : frameLengths.length));
        }
        for (int b = 0; b < batch; b++) {
            if (frameLengths[b] < 1 || frameLengths[b] > frames) {
                throw new IllegalArgumentException("batch: row " + b + " length " + frameLengths[b] + " outside [1, " + frames + "]");
            }
        }
        if (targets != null && targets.length != batch) {
            throw new IllegalArgumentException("batch: need " + batch + " target rows, got " + targets.length);
        }
    }

    /** Pads utterances, each (T_i, F) row-major, into one batch. */
    public static AsrBatch of(int featureDim, List<float[]> utterances, List<int[]> targets) {
        int batch = utterances.size(), frames = 0;
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            float[] u = utterances.get(b);
            if (u.length == 0 || u.length % featureDim != 0) {
                throw new IllegalArgumentException("batch: utterance " + b + " has " + u.length
                        + " values, not a positive multiple of " + featureDim);
            }
            lengths[b] = u.length / featureDim;
            frames = Math.max(frames, lengths[b]);
        }
        float[] features = new float[batch * frames * featureDim];
        for (int b = 0; b < batch; b++) {
            float[] u = utterances.get(b);
            System.arraycopy(u, 0, features, b * frames * featureDim, u.length);
        }
        int[][] t = targets == null ? null : targets.stream().map(int[]::clone).toArray(int[][]::new);
        return new AsrBatch(features, batch, frames, featureDim, lengths, t);
    }

    /** Number of target tokens over all rows. */
    public int targetTokens() {
        if (targets == null) return 0;
        return Arrays.stream(targets).mapToInt(r -> r.length).sum();
    }
}
