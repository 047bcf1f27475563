package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/**
 * Which keys a query may attend to. A key j is visible to query i when all hold:
 * j &lt; keyLengths[b] (when keyLengths is given), j &lt;= i (when causal), and
 * i - windowLeft &lt;= j &lt;= i + windowRight (each bound only when it is &gt;= 0).
 * A query that sees no key gets a zero output and a log-sum-exp of -infinity.
 *
 * @param keyLengths (B) I32 valid keys per batch row, or null for all
 * @param causal     forbid keys after the query position
 * @param windowLeft  keys at most this many positions before the query, or -1 for unlimited
 * @param windowRight keys at most this many positions after the query, or -1 for unlimited
 */
public record AttentionMask(Tensor keyLengths, boolean causal, int windowLeft, int windowRight) {
    public static AttentionMask none() { return new AttentionMask(null, false, -1, -1); }

    public static AttentionMask padding(Tensor keyLengths) { return new AttentionMask(keyLengths, false, -1, -1); }

    public static AttentionMask causal(Tensor keyLengths) { return new AttentionMask(keyLengths, true, -1, -1); }

    /** The visibility rule for one (query i, key j) pair given the row's key length. */
    public boolean visible(int i, int j, int keyLength) {
        if (j >= keyLength) return false;
        if (causal && j > i) return false;
        if (windowLeft >= 0 && j < i - windowLeft) return false;
        return windowRight < 0 || j <= i + windowRight;
    }
}
