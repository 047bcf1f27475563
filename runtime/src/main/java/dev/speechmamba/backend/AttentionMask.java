package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/**
 * Which keys a query may attend to. A key j is visible to query i when all hold:
 * j &lt; keyLengths[b] (when keyLengths is given), j &lt;= i (when causal), and
 * i - windowLeft &lt;= j &lt;= i + windowRight (each bound only when it is &gt;= 0) unless i or j is one of the
 * globalTokens first positions. Global tokens (Longformer-style) matter only with a window: the first G positions
 * see every key and are seen by every query, within the key-length and causal rules. G = 0 is a plain window.
 * A query that sees no key gets a zero output and a log-sum-exp of -infinity.
 *
 * @param keyLengths   (B) I32 valid keys per batch row, or null for all
 * @param causal       forbid keys after the query position
 * @param windowLeft   keys at most this many positions before the query, or -1 for unlimited
 * @param windowRight  keys at most this many positions after the query, or -1 for unlimited
 * @param globalTokens positions [0, globalTokens) escape the window, as queries and as keys; &gt;= 0
 */
public record AttentionMask(Tensor keyLengths, boolean causal, int windowLeft, int windowRight, int globalTokens) {
    public AttentionMask {
        if (globalTokens < 0) {
            throw new IllegalArgumentException("attention mask: globalTokens must be >= 0, got " + globalTokens);
        }
    }

    /** A mask without global tokens. */
    public AttentionMask(Tensor keyLengths, boolean causal, int windowLeft, int windowRight) {
        this(keyLengths, causal, windowLeft, windowRight, 0);
    }

    public static AttentionMask none() { return new AttentionMask(null, false, -1, -1); }

    public static AttentionMask padding(Tensor keyLengths) { return new AttentionMask(keyLengths, false, -1, -1); }

    public static AttentionMask causal(Tensor keyLengths) { return new AttentionMask(keyLengths, true, -1, -1); }

    /** Whether either window bound is set (global tokens change nothing otherwise). */
    public boolean windowed() { return windowLeft >= 0 || windowRight >= 0; }

    /** The visibility rule for one (query i, key j) pair given the row's key length. */
    public boolean visible(int i, int j, int keyLength) {
        if (j >= keyLength) return false;
        if (causal && j > i) return false;
        if (i < globalTokens || j < globalTokens) return true;
        if (windowLeft >= 0 && j < i - windowLeft) return false;
        return windowRight < 0 || j <= i + windowRight;
    }
}
