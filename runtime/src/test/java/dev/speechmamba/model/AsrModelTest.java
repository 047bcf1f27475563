package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.train.AdamOptimizer;
import dev.speechmamba.train.Checkpoint;
import dev.speechmamba.train.GradientClipping;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsrModelTest {
    /** Speech-Mamba shrunk so the float64 reference backend runs it in milliseconds. */
    static final ModelConfig MINI_MAMBA = new ModelConfig("mini", ModelConfig.Architecture.SPEECH_MAMBA, 12, 3, 8, 2, 1,
            1, new MambaConfig(8, 16, 4, 2, 4), 0, 7, 0f, 0.3f, 0.1f, WeightInit.XAVIER_SSM_STANDARD);
    static final ModelConfig MINI_TRANSFORMER = new ModelConfig("mini-t", ModelConfig.Architecture.TRANSFORMER, 12, 3, 8,
            2, 1, 1, null, 16, 7, 0f, 0.3f, 0.1f, WeightInit.XAVIER);

    /** Random features with the given frame counts and random targets of the given lengths (ids 1..V-2). */
    static AsrBatch randomBatch(ModelConfig cfg, long seed, int[] frames, int[] targetLengths) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> feats = new ArrayList<>();
        List<int[]> targets = new ArrayList<>();
        for (int i = 0; i < frames.length; i++) {
            feats.add(Init.normal(rng, frames[i] * cfg.featureDim(), 1.0));
            int[] y = new int[targetLengths[i]];
            for (int k = 0; k < y.length; k++) y[k] = 1 + rng.nextInt(cfg.vocabSize() - 2);
            targets.add(y);
        }
        return AsrBatch.of(cfg.featureDim(), feats, targets);
    }

    @Test
    void speechMambaJointLossGradientMatchesDirectionalDerivative() {
        checkDirectionalDerivatives(MINI_MAMBA);
    }

    @Test
    void transformerJointLossGradientMatchesDirectionalDerivative() {
        checkDirectionalDerivatives(MINI_TRANSFORMER);
    }

    /**
     * The whole backward pass (CTC and label-smoothed CE through heads, decoder, cross-attention,
     * encoder and conv front end, on a ragged batch) matches a central difference of the joint loss
     * along a random direction in each weight tensor. The step is small because ReLU kinks in the
     * front end (and the Transformer's FFN) spoil larger ones, and a one-sided difference is accepted
     * when a kink lies on the other side; the tolerance covers float32 rounding of the loss.
     */
    private static void checkDirectionalDerivatives(ModelConfig cfg) {
        Backend be = new ReferenceBackend();
        AsrBatch batch = randomBatch(cfg, 5, new int[] {19, 13}, new int[] {2, 1});
        try (AsrModel model = new AsrModel(be, cfg, 3)) {
            model.parameters().zeroGrads();
            model.forwardBackward(batch, false, 0, 1f);
            DirectionalDerivatives.check(cfg.name(), be, model.parameters().all(), () -> model.loss(batch).loss(), 1e-4, 4e-3);
        }
    }

    /**
     * Shapes and length bookkeeping of a ragged batch, and padding independence: each row's loss in
     * the batch equals that row's loss alone, and its encoder output equals the lone row's output.
     */
    @Test
    void raggedBatchMatchesRowsRunAlone() {
        for (ModelConfig cfg : new ModelConfig[] {MINI_MAMBA, MINI_TRANSFORMER}) {
            Backend be = new ReferenceBackend();
            int[] frames = {23, 9, 16};
            int[] targetLengths = {3, 1, 2};
            AsrBatch batch = randomBatch(cfg, 8, frames, targetLengths);
            try (AsrModel model = new AsrModel(be, cfg, 4); TensorArena arena = new TensorArena(be)) {
                AsrModel.Encoded enc = model.encode(arena, batch, false, 0);
                int tOut = ConvFrontEnd.outputFrames(23);
                assertEquals(6, tOut);
                assertArrayEquals(new int[] {3, tOut, cfg.dModel()}, enc.out().shape().dims());
                assertArrayEquals(new int[] {6, 3, 4}, enc.hostLengths(), "ceil(ceil(T/2)/2) per row");
                assertArrayEquals(new int[] {3, tOut, cfg.vocabSize()}, enc.ctcLogits().shape().dims());
                int[] tokens = {6, 1, 2, 3, 6, 4, 6, 6, 6, 5, 1, 6};
                AsrModel.Decoded dec = model.decode(arena, enc, tokens, new int[] {4, 2, 3}, 4, false, 0);
                assertArrayEquals(new int[] {3, 4, cfg.vocabSize()}, dec.logits().shape().dims());

                AsrModel.Loss together = model.loss(batch);
                assertEquals(3, together.utterances());
                assertEquals(3 + 1 + 2 + 3, together.tokens(), "targets plus one <eos> per row");
                float[] memory = be.toHost(enc.out());
                double sumAlone = 0;
                for (int r = 0; r < 3; r++) {
                    float[] row = java.util.Arrays.copyOfRange(batch.features(), r * 23 * cfg.featureDim(),
                            (r * 23 + frames[r]) * cfg.featureDim());
                    AsrBatch alone = AsrBatch.of(cfg.featureDim(), List.of(row), List.of(batch.targets()[r]));
                    sumAlone += model.loss(alone).loss();
                    try (TensorArena a2 = new TensorArena(be)) {
                        float[] aloneMemory = be.toHost(model.encode(a2, alone, false, 0).out());
                        int d = cfg.dModel(), valid = enc.hostLengths()[r];
                        for (int i = 0; i < valid * d; i++) {
                            assertEquals(aloneMemory[i], memory[(r * tOut) * d + i], 1e-4,
                                    cfg.name() + " row " + r + " encoder output " + i);
                        }
                    }
                }
                assertEquals(sumAlone, 3 * together.loss(), 1e-4 * Math.abs(sumAlone), cfg.name() + " per-row losses");
            }
        }
    }

    @Test
    void badInputsAreClearErrors() {
        Backend be = new ReferenceBackend();
        try (AsrModel model = new AsrModel(be, MINI_MAMBA, 1)) {
            AsrBatch withBlank = AsrBatch.of(12, List.of(new float[12 * 10]), List.of(new int[] {0, 2}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loss(withBlank));
            assertTrue(e.getMessage().contains("target id 0"), e.getMessage());
            AsrBatch withSos = AsrBatch.of(12, List.of(new float[12 * 10]), List.of(new int[] {6}));
            assertThrows(IllegalArgumentException.class, () -> model.loss(withSos));
            AsrBatch wrongBins = AsrBatch.of(10, List.of(new float[10 * 10]), List.of(new int[] {1}));
            e = assertThrows(IllegalArgumentException.class, () -> model.loss(wrongBins));
            assertTrue(e.getMessage().contains("expects 12"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> AsrBatch.of(12, List.of(new float[13]), List.of(new int[] {1})));
        }
    }

    /** A saved model reloads exactly; a checkpoint of another config is refused with both configs named. */
    @Test
    void checkpointRoundTripAndConfigMismatch(@TempDir Path dir) throws Exception {
        Backend be = new ReferenceBackend();
        AsrBatch batch = randomBatch(MINI_MAMBA, 2, new int[] {17, 11}, new int[] {2, 3});
        Path file = dir.resolve("mini.safetensors");
        double before;
        try (AsrModel model = new AsrModel(be, MINI_MAMBA, 9)) {
            before = model.loss(batch).loss();
            model.toCheckpoint(Map.of(Checkpoint.STEP, "12")).save(file);
        }
        Checkpoint loaded = Checkpoint.load(file);
        assertEquals(12L, loaded.step().orElseThrow());
        try (AsrModel again = AsrModel.fromCheckpoint(be, loaded)) {
            assertEquals(MINI_MAMBA, again.config());
            assertEquals(before, again.loss(batch).loss(), 0.0, "same weights, same loss");
        }
        try (AsrModel other = new AsrModel(be, MINI_MAMBA.withVocabSize(9), 9)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadWeights(loaded));
            assertTrue(e.getMessage().contains("V=7") && e.getMessage().contains("V=9"), e.getMessage());
        }
        Checkpoint noConfig = new Checkpoint(loaded.tensors(), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AsrModel.fromCheckpoint(be, noConfig));
        assertTrue(e.getMessage().contains("no model config"), e.getMessage());
    }

    /** The tiny Speech-Mamba fits fixed targets on fixed random features: the training loss falls. */
    @Test
    void tinySpeechMambaLearnsFixedTargetsOnCpu() {
        ModelConfig cfg = ModelConfig.named("tiny").withVocabSize(12);
        AsrBatch batch = randomBatch(cfg, 21, new int[] {40, 32, 36, 28}, new int[] {4, 3, 5, 2});
        try (Backend be = Backends.create("cpu"); AsrModel model = new AsrModel(be, cfg, 7);
             AdamOptimizer adam = AdamOptimizer.speechMamba(model.parameters())) {
            double first = 0, last = 0;
            for (int step = 0; step < 40; step++) {
                model.parameters().zeroGrads();
                AsrModel.Loss l = model.forwardBackward(batch, true, step, 1f);
                GradientClipping.clipGlobalNorm(be, model.parameters().grads(), 5.0);
                adam.step(3e-3f);
                if (step == 0) first = l.loss();
                last = l.loss();
                assertTrue(Double.isFinite(l.loss()), "step " + step + " loss " + l.loss());
            }
            double eval = model.loss(batch).loss();
            assertTrue(last < 0.5 * first && eval < 0.5 * first,
                    "loss should fall: first " + first + ", last " + last + ", eval " + eval);
        }
    }

    /** One training step (dropout on, clipping, Adam) of the tiny Speech-Mamba on CUDA vs the reference. */
    @Test
    @Tag("gpu")
    void cudaTrainingStepMatchesReference() {
        Assumptions.assumeTrue(Backends.cudaUsable(), "no CUDA device here");
        ModelConfig cfg = ModelConfig.named("tiny").withVocabSize(12);
        AsrBatch batch = randomBatch(cfg, 31, new int[] {30, 21}, new int[] {4, 2});
        float[][] ref = trainOneStep(new ReferenceBackend(), cfg, batch);
        try (Backend cuda = Backends.create("cuda")) {
            float[][] gpu = trainOneStep(cuda, cfg, batch);
            assertEquals(ref.length, gpu.length);
            assertEquals(ref[0][0], gpu[0][0], 1e-4f * Math.abs(ref[0][0]) + 1e-5f, "loss");
            int params = (ref.length - 1) / 2;
            for (int k = 1; k <= params; k++) {
                double scale = maxAbs(ref[k]);
                for (int i = 0; i < ref[k].length; i++) {
                    double tol = 2e-3 * scale + 1e-3 * Math.abs(ref[k][i]) + 1e-6;
                    if (Math.abs(ref[k][i] - gpu[k][i]) > tol) {
                        throw new AssertionError("gradient of parameter " + (k - 1) + " element " + i + ": reference "
                                + ref[k][i] + ", cuda " + gpu[k][i]);
                    }
                }
            }
            // Adam's first step moves each weight by lr·g/(|g| + ε) ≈ lr·sign(g): exact where the gradient is
            // clearly non-zero, while a gradient at rounding-noise level may move it anywhere within ±lr.
            for (int k = params + 1; k < ref.length; k++) {
                float[] gradient = ref[k - params];
                double gradientScale = maxAbs(gradient);
                for (int i = 0; i < ref[k].length; i++) {
                    // Far above Adam's ε = 1e-9 too, or the step size itself depends on the gradient's value.
                    boolean clearSign = Math.abs(gradient[i]) > 4e-3 * gradientScale && Math.abs(gradient[i]) > 1e-5;
                    double tol = clearSign ? 2e-5 + 1e-5 * Math.abs(ref[k][i]) : 2 * LEARNING_RATE + 2e-5;
                    if (Math.abs(ref[k][i] - gpu[k][i]) > tol) {
                        throw new AssertionError("updated weight of parameter " + (k - params - 1) + " element " + i
                                + ": reference " + ref[k][i] + ", cuda " + gpu[k][i] + " (gradient " + gradient[i] + ")");
                    }
                }
            }
        }
    }

    private static final float LEARNING_RATE = 1e-3f;

    private static double maxAbs(float[] values) {
        double m = 0;
        for (float x : values) m = Math.max(m, Math.abs(x));
        return m;
    }

    /** {loss}, then every gradient, then every updated weight. */
    private static float[][] trainOneStep(Backend be, ModelConfig cfg, AsrBatch batch) {
        try (AsrModel model = new AsrModel(be, cfg, 5); AdamOptimizer adam = AdamOptimizer.speechMamba(model.parameters())) {
            List<float[]> out = new ArrayList<>();
            model.parameters().zeroGrads();
            AsrModel.Loss l = model.forwardBackward(batch, true, 77, 1f);
            out.add(new float[] {(float) l.loss()});
            for (Parameter p : model.parameters().all()) out.add(be.toHost(p.grad()));
            GradientClipping.clipGlobalNorm(be, model.parameters().grads(), 5.0);
            adam.step(LEARNING_RATE);
            for (Parameter p : model.parameters().all()) out.add(be.toHost(p.value()));
            return out.toArray(new float[0][]);
        }
    }
}
