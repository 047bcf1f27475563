package dev.speechmamba.decode;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.DecoderState;
import dev.speechmamba.model.Init;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.model.TensorArena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Token-by-token decoding (Mamba conv/scan state, causal self-attention keys/values carried between steps)
 * against recomputing whole prefixes, for both architectures.
 */
class IncrementalDecodingTest {
    private static final int V = 20;

    /** Each step's logits are what decode() gives at the prefix's last position, also after rows are reselected. */
    @Test
    void stepsMatchTheFullPassAlsoAfterSelectingRows() {
        stepsMatchTheFullPass(List.of("reference", "cpu"));
    }

    @Test
    @Tag("gpu")
    void stepsMatchTheFullPassOnCuda() {
        assumeTrue(Backends.cudaUsable(), "no usable CUDA device here");
        stepsMatchTheFullPass(List.of("cuda"));
    }

    private static void stepsMatchTheFullPass(List<String> devices) {
        for (String device : devices) {
            for (String config : List.of("tiny", "transformer-tiny")) stepsMatchTheFullPass(device, config);
        }
    }

    private static void stepsMatchTheFullPass(String device, String config) {
        try (Backend be = Backends.create(device);
             AsrModel model = new AsrModel(be, ModelConfig.named(config).withVocabSize(V), 4);
             TensorArena arena = new TensorArena(be)) {
            assertTrue(model.decodesIncrementally());
            int frames = 8, d = model.config().dModel(), sos = model.config().sosEos();
            float[] mem = Init.normal(new SplittableRandom(3), frames * d, 1.0);          // (T, d)
            int[][] rows = {{sos, 5, 7, 1, 9}, {sos, 2, 2, 8, 3}, {sos, 11, 4, 6, 0}};
            AsrModel.Encoded three = DecoderMemory.replicated(arena, mem, frames, d, 3);
            var cache = model.projectDecoderMemory(arena, three);
            DecoderState state = model.startDecoding(3);
            for (int t = 0; t < 3; t++) {
                int[] tokens = {rows[0][t], rows[1][t], rows[2][t]};
                float[] stepLogits = be.toHost(model.decodeStep(arena, three, cache, state, tokens));
                for (int r = 0; r < 3; r++) assertLastLogits(model, arena, mem, frames, rows[r], t + 1, stepLogits, r, device);
            }
            // beam search keeps rows 2, 0, 0 (a row may be kept twice) and extends them differently
            DecoderState kept = model.selectRows(state, new int[] {2, 0, 0});
            state.close();
            assertEquals(3, kept.position());
            int[][] extended = {{sos, 11, 4, 13}, {sos, 5, 7, 13}, {sos, 5, 7, 17}};
            float[] stepLogits = be.toHost(model.decodeStep(arena, three, cache, kept, new int[] {13, 13, 17}));
            for (int r = 0; r < 3; r++) assertLastLogits(model, arena, mem, frames, extended[r], 4, stepLogits, r, device);
            // and shrinks to one row
            DecoderState one = model.selectRows(kept, new int[] {2});
            kept.close();
            AsrModel.Encoded single = DecoderMemory.replicated(arena, mem, frames, d, 1);
            float[] last = be.toHost(model.decodeStep(arena, single, null, one, new int[] {19}));
            assertLastLogits(model, arena, mem, frames, new int[] {sos, 5, 7, 17, 19}, 5, last, 0, device);
            one.close();

            try (DecoderState two = model.startDecoding(2)) {
                assertThrows(IllegalArgumentException.class, () -> model.selectRows(two, new int[] {2}));
            }
        }
    }

    /** The same beam search with the stepping decoder and with full passes: same hypotheses, same scores. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "transformer-tiny"})
    void beamSearchFindsTheSameHypothesesEitherWay(String config) {
        try (Backend be = Backends.create("cpu");
             AsrModel model = new AsrModel(be, ModelConfig.named(config).withVocabSize(V), 6)) {
            int frames = 12, d = model.config().dModel();
            float[] mem = Init.normal(new SplittableRandom(5), frames * d, 1.0);
            LogProbs ctc = CtcTestSupport.randomLogProbs(7, frames, V, 1.5);
            BeamSearch search = new BeamSearch(BeamSearch.Options.defaults().withBeamSize(4).withCtcWeight(0.3), 0,
                    model.config().sosEos());
            List<BeamSearch.Hypothesis> stepped, recomputed;
            try (AsrModelDecoder incremental = new AsrModelDecoder(model, mem, frames, true)) {
                stepped = search.search(incremental, ctc, frames);
            }
            try (AsrModelDecoder full = new AsrModelDecoder(model, mem, frames, false)) {
                recomputed = search.search(full, ctc, frames);
            }
            assertEquals(recomputed.size(), stepped.size());
            for (int i = 0; i < stepped.size(); i++) {
                assertArrayEquals(recomputed.get(i).tokens(), stepped.get(i).tokens(), "hypothesis " + i);
                assertEquals(recomputed.get(i).score(), stepped.get(i).score(), 1e-3, config + " hypothesis " + i);
            }
            assertTrue(stepped.getFirst().tokens().length > 1, "a search that stops at once tests nothing: " + stepped);
        }
    }

    private static void assertLastLogits(AsrModel model, TensorArena arena, float[] mem, int frames, int[] prefix, int length,
                                         float[] stepLogits, int row, String device) {
        int d = model.config().dModel();
        AsrModel.Encoded one = DecoderMemory.replicated(arena, mem, frames, d, 1);
        int[] tokens = java.util.Arrays.copyOf(prefix, length);
        float[] full = arena.backend().toHost(model.decode(arena, one, tokens, new int[] {length}, length, false, 0).logits());
        for (int k = 0; k < V; k++) {
            assertEquals(full[(length - 1) * V + k], stepLogits[row * V + k], 2e-4,
                    device + ": row " + row + ", length " + length + ", logit " + k);
        }
    }
}
