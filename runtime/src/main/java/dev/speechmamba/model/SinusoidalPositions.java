package dev.speechmamba.model;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed sinusoidal positions of "Attention Is All You Need":
 * PE[t, 2i] = sin(t / 10000^(2i/d)), PE[t, 2i+1] = cos(t / 10000^(2i/d)), for any length. The table of a
 * width grows on demand (to the next power of two) and shorter lengths read its prefix, so each row
 * is computed on the host once.
 */
public final class SinusoidalPositions {
    private static final ConcurrentHashMap<Integer, float[]> TABLES = new ConcurrentHashMap<>();

    private SinusoidalPositions() { }

    /** The (length, d) table, row-major. */
    public static float[] table(int length, int d) {
        if (length < 0 || d < 2 || d % 2 != 0) {
            throw new IllegalArgumentException("sinusoidal positions need length >= 0 and an even width >= 2, got length "
                    + length + ", width " + d);
        }
        float[] cached = TABLES.get(d);
        if (cached == null || cached.length < (long) length * d) {
            int rows = Integer.highestOneBit(Math.max(length, 64) - 1) << 1;
            cached = compute(rows, d);
            TABLES.merge(d, cached, (old, fresh) -> old.length >= fresh.length ? old : fresh);
        }
        return Arrays.copyOf(cached, length * d);
    }

    static float[] compute(int length, int d) {
        float[] pe = new float[length * d];
        for (int i = 0; i < d / 2; i++) {
            double frequency = Math.exp(-Math.log(10000.0) * (2.0 * i) / d);
            for (int t = 0; t < length; t++) {
                double angle = t * frequency;
                pe[t * d + 2 * i] = (float) Math.sin(angle);
                pe[t * d + 2 * i + 1] = (float) Math.cos(angle);
            }
        }
        return pe;
    }
}
