package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Limited-context encoder attention ({@link AsrModel#setEncoderAttentionWindow}) and the low-memory inference encoder. */
class EncoderAttentionWindowTest {

    private static AsrBatch features(ModelConfig cfg, int frames, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new AsrBatch(Init.normal(rng, frames * cfg.featureDim(), 1.0), 1, frames, cfg.featureDim(),
                new int[] {frames}, null);
    }

    private static float[] encoderOutput(AsrModel model, AsrBatch batch, boolean inference) {
        try (TensorArena arena = new TensorArena(model.backend())) {
            AsrModel.Encoded enc = inference ? model.encodeForInference(arena, batch) : model.encode(arena, batch, false, 0);
            return model.backend().toHost(enc.out());
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        return worst;
    }

    /**
     * 30 s of audio (3000 frames → 750 encoder frames) through the tiny model on the fast CPU backend: a
     * window that covers the whole sequence gives the full-attention output, a short one changes it.
     */
    @Test
    void windowCoveringTheSequenceEqualsFullAttentionOnThirtySeconds() {
        ModelConfig cfg = ModelConfig.named("tiny");
        AsrBatch batch = features(cfg, 3000, 11);
        try (Backend be = Backends.create("cpu"); AsrModel model = new AsrModel(be, cfg, 5)) {
            assertEquals(-1, model.encoderAttentionWindow());
            float[] full = encoderOutput(model, batch, false);
            assertEquals(750 * cfg.dModel(), full.length);
            model.setEncoderAttentionWindow(750);
            assertTrue(maxAbsDiff(full, encoderOutput(model, batch, false)) <= 1e-5, "W = T' must equal full attention");
            model.setEncoderAttentionWindow(5000);
            assertTrue(maxAbsDiff(full, encoderOutput(model, batch, true)) <= 1e-5, "W > T' must equal full attention");
            model.setEncoderAttentionWindow(16);
            double changed = maxAbsDiff(full, encoderOutput(model, batch, false));
            assertTrue(changed > 1e-3, "a ±16 window must change a 750-frame encoding, max diff " + changed);
            model.setEncoderAttentionWindow(-1);
            assertTrue(maxAbsDiff(full, encoderOutput(model, batch, false)) <= 1e-5, "back to full attention");
        }
    }

    /** The window is the backend mask's: the reference (float64 spec) and fast CPU backends agree on a windowed model. */
    @Test
    void windowedEncoderAgreesAcrossBackends() {
        ModelConfig cfg = AsrModelTest.MINI_MAMBA;
        AsrBatch batch = features(cfg, 83, 3);
        float[] reference, fast;
        try (AsrModel model = new AsrModel(new ReferenceBackend(), cfg, 9)) {
            model.setEncoderAttentionWindow(3);
            reference = encoderOutput(model, batch, false);
        }
        try (Backend be = Backends.create("cpu"); AsrModel model = new AsrModel(be, cfg, 9)) {
            model.setEncoderAttentionWindow(3);
            fast = encoderOutput(model, batch, false);
        }
        assertTrue(maxAbsDiff(reference, fast) <= 1e-4, "max diff " + maxAbsDiff(reference, fast));
    }

    /**
     * Global tokens through the whole encoder: reference and fast CPU agree, G = 0 is the plain window, G > 0
     * changes the output, and the plain setter clears G again.
     */
    @Test
    void windowWithGlobalTokensAgreesAcrossBackendsAndDiffersFromThePlainWindow() {
        ModelConfig cfg = AsrModelTest.MINI_MAMBA;
        AsrBatch batch = features(cfg, 83, 3);
        float[] reference, fast, plain, noGlobals;
        try (AsrModel model = new AsrModel(new ReferenceBackend(), cfg, 9)) {
            model.setEncoderAttentionWindow(2, 3);
            assertEquals(2, model.encoderAttentionWindow());
            assertEquals(3, model.encoderGlobalTokens());
            reference = encoderOutput(model, batch, false);
        }
        try (Backend be = Backends.create("cpu"); AsrModel model = new AsrModel(be, cfg, 9)) {
            model.setEncoderAttentionWindow(2, 3);
            fast = encoderOutput(model, batch, true);
            model.setEncoderAttentionWindow(2);
            assertEquals(0, model.encoderGlobalTokens());
            plain = encoderOutput(model, batch, false);
            model.setEncoderAttentionWindow(2, 0);
            noGlobals = encoderOutput(model, batch, false);
        }
        assertTrue(maxAbsDiff(reference, fast) <= 1e-4, "max diff " + maxAbsDiff(reference, fast));
        assertTrue(maxAbsDiff(plain, noGlobals) <= 1e-6, "G = 0 is the plain window");
        assertTrue(maxAbsDiff(plain, fast) > 1e-3, "3 global tokens must change a ±2 window's encoding");
    }

    @Test
    void globalTokensWithoutAWindowOrNegativeAreClearErrors() {
        try (AsrModel model = new AsrModel(new ReferenceBackend(), AsrModelTest.MINI_MAMBA, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.setEncoderAttentionWindow(-1, 4));
            assertTrue(e.getMessage().contains("global tokens") && e.getMessage().contains("window"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.setEncoderAttentionWindow(8, -1));
            assertTrue(e.getMessage().contains("global tokens must be >= 0"), e.getMessage());
            assertEquals(-1, model.encoderAttentionWindow(), "a rejected setting leaves the model unchanged");
        }
    }

    /** The low-memory path computes exactly what the training-style path computes, with and without a window. */
    @Test
    void inferenceEncoderEqualsEncode() {
        for (String name : List.of("tiny", "transformer-tiny")) {
            ModelConfig cfg = ModelConfig.named(name);
            AsrBatch batch = features(cfg, 800, 2);
            try (Backend be = Backends.create("cpu"); AsrModel model = new AsrModel(be, cfg, 4)) {
                for (int window : new int[] {-1, 8}) {
                    model.setEncoderAttentionWindow(window);
                    try (TensorArena a = new TensorArena(be); TensorArena b = new TensorArena(be)) {
                        AsrModel.Encoded full = model.encode(a, batch, false, 0);
                        AsrModel.Encoded lean = model.encodeForInference(b, batch);
                        // The fast CPU backend's threaded reductions may differ in the last bit between runs.
                        assertTrue(maxAbsDiff(be.toHost(full.out()), be.toHost(lean.out())) <= 1e-5, name + " W=" + window);
                        assertTrue(maxAbsDiff(be.toHost(full.ctcLogits()), be.toHost(lean.ctcLogits())) <= 1e-4,
                                name + " W=" + window);
                        assertArrayEquals(full.hostLengths(), lean.hostLengths());
                        assertTrue(b.peakBytes() < a.peakBytes() / 2, name + ": inference keeps "
                                + b.peakBytes() + " B at peak vs " + a.peakBytes() + " B for encode");
                    }
                }
            }
        }
    }

    /**
     * Activation memory of the inference encoder is linear in length: doubling the input (with a
     * fixed window) doubles the arena's peak bytes within a few percent (deterministic: counts tensor
     * bytes, not heap samples).
     */
    @Test
    void inferenceMemoryGrowsLinearly() {
        ModelConfig cfg = ModelConfig.named("tiny");
        long[] peaks = new long[2];
        try (Backend be = Backends.create("cpu"); AsrModel model = new AsrModel(be, cfg, 1)) {
            model.setEncoderAttentionWindow(32);
            int[] frames = {2000, 4000};
            for (int i = 0; i < 2; i++) {
                try (TensorArena arena = new TensorArena(be)) {
                    model.encodeForInference(arena, features(cfg, frames[i], i));
                    peaks[i] = arena.peakBytes();
                    assertTrue(arena.liveBytes() > 0 && arena.liveBytes() <= peaks[i]);
                }
            }
        }
        double ratio = (double) peaks[1] / peaks[0];
        assertTrue(ratio > 1.9 && ratio < 2.1, "peak activation bytes " + peaks[0] + " → " + peaks[1] + ", ratio " + ratio);
    }

    /**
     * Training with a window: the joint-loss gradient of the encoder self-attention and front-end weights
     * matches a central difference along a random direction, with a window (±2 of 10 encoder frames)
     * short enough to matter.
     */
    @Test
    void windowedTrainingGradientMatchesDirectionalDerivative() {
        ModelConfig cfg = AsrModelTest.MINI_MAMBA;
        Backend be = new ReferenceBackend();
        AsrBatch batch = AsrModelTest.randomBatch(cfg, 5, new int[] {40, 29}, new int[] {2, 1});
        try (AsrModel model = new AsrModel(be, cfg, 3)) {
            double fullLoss = model.loss(batch).loss();
            model.setEncoderAttentionWindow(2);
            assertTrue(Math.abs(model.loss(batch).loss() - fullLoss) > 1e-6, "the window must change the loss");
            model.parameters().zeroGrads();
            model.forwardBackward(batch, false, 0, 1f);
            SplittableRandom rng = new SplittableRandom(17);
            double h = 1e-4;
            int checked = 0;
            for (Parameter p : model.parameters().all()) {
                if (!p.name().contains("encoder.layers.0.self_attn.")) continue;
                float[] w = be.toHost(p.value()), g = be.toHost(p.grad()), v = new float[w.length];
                double analytic = 0;
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) rng.nextGaussian();
                    analytic += g[i] * (double) v[i];
                }
                double numeric = (lossAt(be, model, batch, p, w, v, h) - lossAt(be, model, batch, p, w, v, -h)) / (2 * h);
                lossAt(be, model, batch, p, w, v, 0);
                assertEquals(numeric, analytic, 4e-3 + 1e-2 * Math.abs(numeric), p.name());
                checked++;
            }
            assertTrue(checked >= 8, "checked " + checked + " self-attention parameters");
        }
    }

    private static double lossAt(Backend be, AsrModel model, AsrBatch batch, Parameter p, float[] base, float[] dir,
                                 double h) {
        float[] w = base.clone();
        for (int i = 0; i < w.length; i++) w[i] += (float) (h * dir[i]);
        try (Tensor t = be.fromHost(w, p.value().shape().dims())) {
            be.copy(p.value(), t);
        }
        return model.loss(batch).loss();
    }

    @Test
    void badWindowIsAClearError() {
        try (AsrModel model = new AsrModel(new ReferenceBackend(), AsrModelTest.MINI_MAMBA, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.setEncoderAttentionWindow(-2));
            assertTrue(e.getMessage().contains("window"), e.getMessage());
        }
    }
}
