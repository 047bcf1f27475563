package dev.speechmamba.backend.reference;

import dev.speechmamba.backend.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddingRefTest {

    @Test
    void lookupCopiesRows() {
        double[] table = {0, 1, 10, 11, 20, 21}; // (3, 2)
        double[] out = new double[6];
        EmbeddingRef.forward(out, new int[] {2, 0, 2}, table, 3, 3, 2);
        assertArrayEquals(new double[] {20, 21, 0, 1, 20, 21}, out, 0.0);
    }

    @Test
    void repeatedIdsAccumulate() {
        Random rng = new Random(12);
        int vocab = 4, channels = 3;
        int[] ids = {2, 0, 2, 1, 2};
        double[] table = GradCheck.random(rng, vocab * channels, -1, 1);
        double[] r = GradCheck.random(rng, ids.length * channels, -1, 1);
        double[] dTable = new double[table.length];
        EmbeddingRef.backward(dTable, r, ids, ids.length, vocab, channels);
        GradCheck.check("embedding", in -> {
            double[] o = new double[r.length];
            EmbeddingRef.forward(o, ids, in[0], ids.length, vocab, channels);
            return GradCheck.dot(o, r);
        }, new double[][] {table}, new double[][] {dTable}, 1e-6, 1e-6, 1e-8);
        for (int c = 0; c < channels; c++) {
            assertTrue(dTable[3 * channels + c] == 0.0, "id 3 is never used");
            double expected = r[c] + r[2 * channels + c] + r[4 * channels + c];
            assertTrue(Math.abs(dTable[2 * channels + c] - expected) < 1e-15, "id 2 sums its three rows");
        }
    }

    @Test
    void idOutsideTableIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingRef.forward(new double[4], new int[] {0, 3}, new double[6], 2, 3, 2));
        assertTrue(e.getMessage().contains("ids[1] = 3"), e.getMessage());
    }
}
