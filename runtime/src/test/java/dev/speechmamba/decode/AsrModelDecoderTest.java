package dev.speechmamba.decode;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.Init;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.model.TensorArena;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AsrModelDecoderTest {

    @Test
    void batchedPrefixesScoreLikeSingleOnesAndLikeTheModelsDecoder() {
        try (Backend be = Backends.create("cpu");
             AsrModel model = new AsrModel(be, ModelConfig.named("tiny").withVocabSize(20), 5)) {
            int frames = 7, d = model.config().dModel(), sos = model.config().sosEos();
            float[] memory = Init.normal(new SplittableRandom(1), frames * d, 1.0);   // (T_seg, d)
            List<int[]> prefixes = List.of(new int[] {sos}, new int[] {sos, 4, 9, 2}, new int[] {sos, 3});
            try (AsrModelDecoder decoder = new AsrModelDecoder(model, memory, frames)) {
                float[][] batched = decoder.nextLogProbs(prefixes);
                for (int i = 0; i < prefixes.size(); i++) {
                    float[] single = decoder.nextLogProbs(List.of(prefixes.get(i)))[0];
                    double sum = 0;
                    for (int k = 0; k < 20; k++) {
                        assertEquals(single[k], batched[i][k], 1e-4, "prefix " + i + " token " + k);
                        sum += Math.exp(batched[i][k]);
                    }
                    assertEquals(1.0, sum, 1e-4);
                }
                // Directly through AsrModel.decode with the memory as a one-row encoder output.
                int[] prefix = prefixes.get(1);
                try (TensorArena arena = new TensorArena(be)) {
                    AsrModel.Encoded enc = new AsrModel.Encoded(null, List.of(), null, arena.floats(memory, 1, frames, d),
                            arena.ints(new int[] {frames}, 1), new int[] {frames}, null);
                    float[] logits = be.toHost(model.decode(arena, enc, prefix, new int[] {prefix.length}, prefix.length,
                            false, 0).logits());
                    float[] expected = new float[20];
                    LogProbs.logSoftmax(logits, (prefix.length - 1) * 20, 20, expected, 0);
                    for (int k = 0; k < 20; k++) assertEquals(expected[k], batched[1][k], 1e-4);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> new AsrModelDecoder(model, new float[5], frames));
        }
    }
}
