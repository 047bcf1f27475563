package dev.speechmamba.backend;

/**
 * Log-space arithmetic for the hot loops of CTC: the fast backend's loss and beam search's prefix scorer. (The
 * reference backend keeps its own {@code Math.log1p} form: it is the specification these are checked against.)
 */
public final class LogSpace {
    private LogSpace() { }

    /** log(e^a + e^b); negative infinity is log 0. */
    public static double add(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) return b;
        if (b == Double.NEGATIVE_INFINITY) return a;
        double max = Math.max(a, b);
        // Math.log1p is FdLibm in plain Java (5 % of a beam-search profile); Math.log is an intrinsic,
        // and rounding 1 + e costs at most 1.1e-16 nats here, where e = exp(-|a - b|) is in (0, 1].
        return max + Math.log(1.0 + Math.exp(-Math.abs(a - b)));
    }
}
