package dev.speechmamba.model;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed sinusoidal positions of "Attention Is All You Need":
 * PE[t, 2i] = sin(t / 10000^(2i/d)), PE[t, 2i+1] = cos(t / 10000^(2i/d)), for any length.
 *
 * <p>Memory stays linear in the length: the first {@link #CACHED_ROWS} rows of each width are computed
 * once and kept; longer tables copy that prefix and compute only their remaining rows, which are not
 * kept (an hour of audio is ~90 000 encoder frames; caching those would pin hundreds of MB forever).
 * Rows are computed by rotating (sin, cos) pairs forward from an exact anchor every {@link #ANCHOR_EVERY}
 * rows, so a row's value depends only on (t, i, d) — every table is a prefix of every longer one — and
 * the cost is a few multiply-adds per element instead of a sin and a cos.
 */
public final class SinusoidalPositions {
    /** Rows per width kept between calls (decoder prefixes and encoder inputs up to ~5 minutes). */
    static final int CACHED_ROWS = 8192;
    /** Rows between exact sin/cos anchors; the rotation's rounding drift over this many steps is ~1e-14. */
    static final int ANCHOR_EVERY = 32;

    private static final ConcurrentHashMap<Integer, float[]> PREFIXES = new ConcurrentHashMap<>();

    private SinusoidalPositions() { }

    /** The (length, d) table, row-major. */
    public static float[] table(int length, int d) {
        if (length < 0 || d < 2 || d % 2 != 0) {
            throw new IllegalArgumentException("sinusoidal positions need length >= 0 and an even width >= 2, got length "
                    + length + ", width " + d);
        }
        if ((long) length * d > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sinusoidal positions: " + length + " rows of width " + d
                    + " exceed one Java array");
        }
        float[] prefix = prefix(d);
        float[] pe = new float[length * d];                               // (length, d)
        int fromCache = Math.min(length, CACHED_ROWS);
        System.arraycopy(prefix, 0, pe, 0, fromCache * d);
        if (length > CACHED_ROWS) fill(pe, CACHED_ROWS, length, d);
        return pe;
    }

    /** The first {@link #CACHED_ROWS} rows of width d, computed once per width. */
    private static float[] prefix(int d) {
        if (d < 2 || d % 2 != 0) throw new IllegalArgumentException("sinusoidal positions need an even width >= 2, got " + d);
        return PREFIXES.computeIfAbsent(d, width -> {
            float[] rows = new float[CACHED_ROWS * width];                // (CACHED_ROWS, d)
            fill(rows, 0, CACHED_ROWS, width);
            return rows;
        });
    }

    /**
     * Row t of the width-d table, equal to that row of {@link #table}: from the cached prefix for the first
     * {@link #CACHED_ROWS} rows (a decoder step needs one row, not the whole table up to its position).
     */
    public static float[] row(int t, int d) {
        if (t < 0) throw new IllegalArgumentException("sinusoidal positions: row " + t + " is negative");
        if (t >= CACHED_ROWS) return java.util.Arrays.copyOfRange(table(t + 1, d), t * d, (t + 1) * d);
        return java.util.Arrays.copyOfRange(prefix(d), t * d, (t + 1) * d);
    }

    /** Writes rows [from, to) of the width-d table into pe (row-major, row t at t·d); from is a multiple of ANCHOR_EVERY. */
    static void fill(float[] pe, int from, int to, int d) {
        for (int i = 0; i < d / 2; i++) {
            double frequency = Math.exp(-Math.log(10000.0) * (2.0 * i) / d);
            double stepSin = Math.sin(frequency), stepCos = Math.cos(frequency);
            for (int anchor = from; anchor < to; anchor += ANCHOR_EVERY) {
                double angle = anchor * frequency;
                double s = Math.sin(angle), c = Math.cos(angle);
                int end = Math.min(to, anchor + ANCHOR_EVERY);
                for (int t = anchor; t < end; t++) {
                    pe[t * d + 2 * i] = (float) s;
                    pe[t * d + 2 * i + 1] = (float) c;
                    double nextSin = s * stepCos + c * stepSin;
                    c = c * stepCos - s * stepSin;
                    s = nextSin;
                }
            }
        }
    }

    /** The exact (length, d) table computed with one sin and one cos per element (the definition; for tests). */
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
