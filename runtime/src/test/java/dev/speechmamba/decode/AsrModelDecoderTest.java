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
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                    AsrModel.Encoded enc = DecoderMemory.replicated(arena, memory, frames, d, 1);
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

    /** Keys and values projected once give the same logits, bit for bit, as projecting them in every call. */
    @Test
    void projectedCrossAttentionMemoryDecodesIdentically() {
        onEachBackendAndArchitecture(3, (what, be, model, arena) -> {
            int frames = 9, d = model.config().dModel(), rows = 2, len = 4, sos = model.config().sosEos();
            float[] memory = Init.normal(new SplittableRandom(2), rows * frames * d, 1.0);   // (2, T, d)
            AsrModel.Encoded enc = new AsrModel.Encoded(null, List.of(), null, arena.floats(memory, rows, frames, d),
                    arena.ints(new int[] {frames, 6}, rows), new int[] {frames, 6}, null);
            int[] tokens = {sos, 4, 9, 2, sos, 3, sos, sos};                                   // (2, 4)
            int[] lengths = {4, 2};
            float[] plain = be.toHost(model.decode(arena, enc, tokens, lengths, len, false, 0).logits());
            var cache = model.projectDecoderMemory(arena, enc);
            float[] cached = be.toHost(model.decode(arena, enc, tokens, lengths, len, false, 0, cache).logits());
            assertBitsEqual(plain, cached, what);
            AsrModel.Encoded other = new AsrModel.Encoded(null, List.of(), null, arena.floats(memory, rows, frames, d),
                    enc.lengths(), new int[] {frames, 6}, null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.decode(arena, other, tokens, lengths, len, false, 0, cache));
            assertTrue(e.getMessage().contains("another encoder output"), e.getMessage());
        });
    }

    /**
     * An encoder output of batch 1 that every row attends to (what beam search passes) gives, bit for bit, the
     * logits of the same output copied into every row: in a full pass and one token at a time.
     */
    @Test
    void aMemorySharedByEveryRowDecodesAsCopiesOfIt() {
        onEachBackendAndArchitecture(4, (what, be, model, arena) -> {
            int frames = 8, d = model.config().dModel(), rows = 3, len = 3, sos = model.config().sosEos();
            float[] memory = Init.normal(new SplittableRandom(3), frames * d, 1.0);          // (T, d)
            AsrModel.Encoded one = DecoderMemory.replicated(arena, memory, frames, d, 1);        // (1, T, d)
            AsrModel.Encoded each = DecoderMemory.replicated(arena, memory, frames, d, rows);    // (3, T, d)
            int[] tokens = {sos, 4, 9, sos, 3, sos, sos, 7, 7};                               // (3, 3)
            int[] lengths = {3, 2, 3};
            float[] copied = be.toHost(model.decode(arena, each, tokens, lengths, len, false, 0).logits());
            float[] shared = be.toHost(model.decode(arena, one, tokens, lengths, len, false, 0,
                    model.projectDecoderMemory(arena, one)).logits());
            assertBitsEqual(copied, shared, what + " full pass");

            int[] first = {sos, sos, sos}, second = {4, 3, 7};
            var copiedState = model.startDecoding(rows);
            var sharedState = model.startDecoding(rows);
            var cacheOne = model.projectDecoderMemory(arena, one);
            var cacheEach = model.projectDecoderMemory(arena, each);
            for (int[] step : List.of(first, second)) {
                float[] a = be.toHost(model.decodeStep(arena, each, cacheEach, copiedState, step));
                float[] b = be.toHost(model.decodeStep(arena, one, cacheOne, sharedState, step));
                assertBitsEqual(a, b, what + " step");
            }
            copiedState.close();
            sharedState.close();
            AsrModel.Encoded two = DecoderMemory.replicated(arena, memory, frames, d, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.decode(arena, two, tokens, lengths, len, false, 0));
            assertTrue(e.getMessage().contains("3 rows of tokens for an encoder output of batch 2"),
                    e.getMessage());
        });
    }

    /** What a test does with one backend's model of one architecture, in a fresh arena; {@code what} names the pair. */
    private interface ModelCase {
        void run(String what, Backend be, AsrModel model, TensorArena arena);
    }

    /** Runs {@code body} on the reference and CPU backends with a tiny Speech-Mamba and a tiny Transformer (vocabulary 20). */
    private static void onEachBackendAndArchitecture(long seed, ModelCase body) {
        for (String device : List.of("reference", "cpu")) {
            for (String config : List.of("tiny", "transformer-tiny")) {
                try (Backend be = Backends.create(device);
                     AsrModel model = new AsrModel(be, ModelConfig.named(config).withVocabSize(20), seed);
                     TensorArena arena = new TensorArena(be)) {
                    body.run(device + " " + config, be, model, arena);
                }
            }
        }
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + " logit " + i);
        }
    }
}
