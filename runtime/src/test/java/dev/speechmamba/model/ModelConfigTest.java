package dev.speechmamba.model;

import dev.speechmamba.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigTest {

    @Test
    void namedConfigsLoadAndRoundTripThroughJson() {
        for (String name : ModelConfig.NAMED) {
            ModelConfig c = ModelConfig.named(name);
            assertEquals(name, c.name());
            assertEquals(c, ModelConfig.fromJson(c.toJson()), name + " survives toJson/fromJson");
        }
        ModelConfig paper = ModelConfig.named("paper");
        assertEquals(ModelConfig.Architecture.SPEECH_MAMBA, paper.architecture());
        assertEquals(new MambaConfig(512, 1024, 256, 32, 4), paper.mamba());
        assertEquals(20, paper.subsampledFeatureDim(), "80 bins → 40 → 20");
        assertEquals(0.3f, paper.ctcWeight());
        assertEquals(4999, paper.sosEos());
    }

    @Test
    void theBundledModelsConfigGrowsIntoSmallDeeper() {
        ModelConfig deep = ModelConfig.named("small-deep"), deeper = ModelConfig.named("small-deeper");
        assertEquals(null, deep.growthMismatch(deeper), "small-deeper only adds layers to small-deep");
        assertEquals(10, deeper.encoderLayers());
        assertEquals(4, deeper.decoderLayers());
        assertTrue(deeper.growthMismatch(deep) != null, "layers cannot be removed");
    }

    @Test
    void badConfigsNameTheProblem() {
        String good = ModelConfig.named("tiny").toJson();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromJson(good.replace("\"heads\"", "\"haeds\"")));
        assertTrue(e.getMessage().contains("haeds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(good.replace("\"heads\" : 2", "\"heads\" : 3")));
        assertTrue(e.getMessage().contains("heads must divide d_model"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(good.replace("\"xavier-ssm-standard\"", "\"he\"")));
        assertTrue(e.getMessage().contains("init must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.named("huge"));
        assertTrue(e.getMessage().contains("known: paper"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson("{\"name\": \"x\"}"));
        assertTrue(e.getMessage().contains("missing 'architecture'"), e.getMessage());
    }

    /** The Transformer baselines are within 10% of the Speech-Mamba model they are compared with. */
    @Test
    void transformerBaselinesHaveSimilarSize() {
        for (String name : new String[] {"tiny", "small"}) {
            long mamba = count(ModelConfig.named(name)), transformer = count(ModelConfig.named("transformer-" + name));
            assertEquals(1.0, (double) transformer / mamba, 0.1, name + ": " + mamba + " vs " + transformer);
        }
    }

    @Test
    void xavierModesDifferOnlyWhereDocumented() {
        ModelConfig tiny = ModelConfig.named("tiny");
        ReferenceBackend be = new ReferenceBackend();
        try (AsrModel standard = new AsrModel(be, tiny.withInit(WeightInit.STANDARD), 1);
             AsrModel xavier = new AsrModel(be, tiny.withInit(WeightInit.XAVIER), 1);
             AsrModel keepSsm = new AsrModel(be, tiny.withInit(WeightInit.XAVIER_SSM_STANDARD), 1)) {
            String aLog = "encoder.layers.0.mamba1.mixer.A_log", dtBias = "encoder.layers.0.mamba1.mixer.dt_proj.bias";
            String inProj = "encoder.layers.0.mamba1.mixer.in_proj.weight";
            assertEquals(java.util.Arrays.toString(host(standard, aLog)), java.util.Arrays.toString(host(keepSsm, aLog)));
            assertNotEquals(java.util.Arrays.toString(host(standard, aLog)), java.util.Arrays.toString(host(xavier, aLog)));
            assertEquals(java.util.Arrays.toString(host(standard, dtBias)), java.util.Arrays.toString(host(xavier, dtBias)));
            assertNotEquals(java.util.Arrays.toString(host(standard, inProj)), java.util.Arrays.toString(host(keepSsm, inProj)));
            // Xavier normal on in_proj (2·Di, d): std = sqrt(2 / (d + 2·Di)).
            float[] w = host(xavier, inProj);
            double sq = 0;
            for (float x : w) sq += x * x;
            double expected = Math.sqrt(2.0 / (64 + 256));
            assertEquals(expected, Math.sqrt(sq / w.length), 0.05 * expected);
        }
    }

    private static float[] host(AsrModel m, String name) {
        return m.backend().toHost(m.parameters().get(name).value());
    }

    private static long count(ModelConfig c) {
        try (AsrModel m = new AsrModel(new ReferenceBackend(), c, 0)) {
            return m.parameters().count();
        }
    }
}
