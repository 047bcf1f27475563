package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.LayoutChecks;

/** Table lookup and its scatter-add gradient, in float64. */
final class EmbeddingRef {
    private EmbeddingRef() { }

    /** out[i, :] = table[ids[i], :]. ids: (N); table: (V, C); out: (N, C). */
    static void forward(double[] out, int[] ids, double[] table, int count, int vocab, int channels) {
        LayoutChecks.ids("embedding", ids, vocab);
        for (int i = 0; i < count; i++) {
            System.arraycopy(table, ids[i] * channels, out, i * channels, channels);
        }
    }

    /** dTable[ids[i], :] += dOut[i, :]; repeated ids sum. dTable: (V, C); dOut: (N, C). */
    static void backward(double[] dTable, double[] dOut, int[] ids, int count, int vocab, int channels) {
        LayoutChecks.ids("embeddingBackward", ids, vocab);
        for (int i = 0; i < count; i++) {
            int row = ids[i] * channels;
            for (int c = 0; c < channels; c++) dTable[row + c] += dOut[i * channels + c];
        }
    }
}
