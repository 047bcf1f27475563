package dev.speechmamba.backend;

/**
 * The dropout mask as a pure function of (seed, element index), so the CPU backends and the CUDA
 * kernel draw identical masks and the backward pass recomputes it instead of storing it.
 * The hash is SplitMix64's finalizer; the CUDA kernel implements the same arithmetic.
 */
public final class DropoutMask {
    private DropoutMask() { }

    /** A uniform value in [0, 1) from the top 24 bits of the hash of (seed, index). */
    public static float uniform(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) * 0x1.0p-24f;
    }

    /** True when element {@code index} is kept at drop probability {@code p}. */
    public static boolean keep(long seed, long index, float p) {
        return uniform(seed, index) >= p;
    }
}
