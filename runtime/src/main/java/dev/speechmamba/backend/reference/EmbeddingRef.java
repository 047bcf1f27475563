package dev.speechmamba.backend.reference;

/** Table lookup and its scatter-add gradient, in float64. */
final class EmbeddingRef {
    private EmbeddingRef() { }

    /** Throws naming the first id outside [0, vocab). */
    static void requireIds(String op, int[] ids, int vocab) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException(op + ": ids[" + i + "] = " + ids[i] + " is outside [0, " + vocab + ")");
            }
        }
    }

    /** out[i, :] = table[ids[i], :]. ids: (N); table: (V, C); out: (N, C). */
    static void forward(double[] out, int[] ids, double[] table, int count, int vocab, int channels) {
        requireIds("embedding", ids, vocab);
        for (int i = 0; i < count; i++) {
            System.arraycopy(table, ids[i] * channels, out, i * channels, channels);
        }
    }

    /** dTable[ids[i], :] += dOut[i, :]; repeated ids sum. dTable: (V, C); dOut: (N, C). */
    static void backward(double[] dTable, double[] dOut, int[] ids, int count, int vocab, int channels) {
        requireIds("embeddingBackward", ids, vocab);
        for (int i = 0; i < count; i++) {
            int row = ids[i] * channels;
            for (int c = 0; c < channels; c++) dTable[row + c] += dOut[i * channels + c];
        }
    }
}
