package dev.speechmamba.trainer;

/**
 * Counter-based randomness: every random draw of training (data order, augmentation, dropout) comes from a
 * generator seeded by {@code mix(seed, epoch, index...)} instead of one long-lived generator. So the RNG state
 * at any point is just (seed, step, data position), which is what checkpoints store, and a resumed run draws
 * exactly what the uninterrupted run would have drawn, however many threads extract features.
 */
public final class Seeds {
    private Seeds() { }

    /** A well-mixed 64-bit value of a seed and a sequence of coordinates (SplitMix64 finalizer per coordinate). */
    public static long mix(long seed, long... coordinates) {
        long z = seed;
        for (long c : coordinates) {
            z = z * 0x9E3779B97F4A7C15L + c * 0xD1B54A32D192ED03L + 0x632BE59BD9B4E019L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
        }
        return z;
    }
}
