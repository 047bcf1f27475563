package dev.speechmamba.demo;

import java.util.SplittableRandom;

/**
 * The selective-copying task of the Mamba paper: a few data tokens are scattered among noise tokens,
 * and after the prefix the model must emit them in order, one per marker position. A time-invariant
 * model (a fixed convolution) cannot solve it because the positions vary; a selective scan can.
 *
 * <p>Vocabulary: 0 = noise, 1 = marker, 2 .. 2+dataTokens-1 = data. Targets are -1 (ignored) except at
 * the marker positions.
 */
public record SelectiveCopyingTask(int prefixLength, int memoryTokens, int dataTokens) {
    public static final int NOISE = 0;
    public static final int MARKER = 1;
    public static final int IGNORE = -1;

    public SelectiveCopyingTask {
        if (memoryTokens <= 0 || memoryTokens > prefixLength) {
            throw new IllegalArgumentException("memoryTokens must be in [1, prefixLength], got " + memoryTokens);
        }
        if (dataTokens < 2) throw new IllegalArgumentException("dataTokens must be at least 2, got " + dataTokens);
    }

    public int length() { return prefixLength + memoryTokens; }

    public int vocabulary() { return 2 + dataTokens; }

    /** A batch of examples: inputs and targets, each (batch, length) row-major. */
    public record Batch(int[] inputs, int[] targets, int size, int length) { }

    public Batch sample(SplittableRandom rng, int batch) {
        int len = length();
        int[] inputs = new int[batch * len];
        int[] targets = new int[batch * len];
        java.util.Arrays.fill(targets, IGNORE);
        for (int b = 0; b < batch; b++) {
            int base = b * len;
            // choose memoryTokens distinct positions in the prefix, in increasing order
            int chosen = 0;
            for (int pos = 0; pos < prefixLength; pos++) {
                int remainingSlots = prefixLength - pos, remainingTokens = memoryTokens - chosen;
                if (rng.nextInt(remainingSlots) < remainingTokens) {
                    int token = 2 + rng.nextInt(dataTokens);
                    inputs[base + pos] = token;
                    targets[base + prefixLength + chosen] = token;
                    chosen++;
                } else {
                    inputs[base + pos] = NOISE;
                }
            }
            for (int m = 0; m < memoryTokens; m++) inputs[base + prefixLength + m] = MARKER;
        }
        return new Batch(inputs, targets, batch, len);
    }
}
