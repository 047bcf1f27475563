package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.train.Checkpoint;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DepthGrowthTest {
    private static final ModelConfig SHALLOW = AsrModelTest.MINI_MAMBA.withDropout(0f);

    private static ModelConfig deeper(ModelConfig c, int encoderLayers, int decoderLayers) {
        return new ModelConfig(c.name() + "-deeper", c.architecture(), c.featureDim(), c.frontEndChannels(), c.dModel(),
                c.heads(), encoderLayers, decoderLayers, c.mamba(), c.ffnDim(), c.vocabSize(), 0.1f, c.ctcWeight(),
                c.labelSmoothing(), c.init());
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) m = Math.max(m, Math.abs(x));
        return m;
    }

    /**
     * A grown model computes what the shallow one did (same CTC and attention losses), its new layers' output
     * projections start at zero but get a gradient, and every weight it took is the shallow model's.
     */
    @Test
    void grownModelStartsAsTheShallowOneAndItsNewLayersLearn() {
        for (ModelConfig shallow : new ModelConfig[] {SHALLOW, AsrModelTest.MINI_TRANSFORMER.withDropout(0f)}) {
            try (Backend be = Backends.create("cpu");
                 AsrModel small = new AsrModel(be, shallow, 3);
                 AsrModel grown = new AsrModel(be, deeper(shallow, 3, 2).withDropout(0f), 11)) {
                AsrBatch batch = AsrModelTest.randomBatch(shallow, 5, new int[] {31, 22}, new int[] {3, 2});
                Checkpoint ckpt = small.toCheckpoint(Map.of());
                String line = grown.growFrom(ckpt).orElseThrow(() -> new AssertionError("no growth reported"));
                assertTrue(line.contains("encoder from 1 to 3") && line.contains("decoder from 1 to 2"), line);

                AsrModel.Loss before = small.loss(batch), after = grown.loss(batch);
                assertEquals(before.ctc(), after.ctc(), 1e-5 * Math.abs(before.ctc()), shallow.name() + " CTC loss");
                assertEquals(before.attention(), after.attention(), 1e-5 * Math.abs(before.attention()),
                        shallow.name() + " attention loss");
                for (var e : ckpt.tensors().entrySet()) {
                    float[] taken = be.toHost(grown.parameters().get(e.getKey()).value());
                    assertEquals(0, maxAbs(subtract(taken, e.getValue().hostFloats())), 0, e.getKey());
                }

                grown.parameters().zeroGrads();
                grown.forwardBackward(batch, false, 1, 1f);
                String newOutput = shallow.architecture() == ModelConfig.Architecture.SPEECH_MAMBA
                        ? "encoder.layers.2.mamba2.mixer.out_proj.weight" : "encoder.layers.2.ffn.w_2.weight";
                Parameter out = grown.parameters().get(newOutput);
                assertEquals(0, maxAbs(be.toHost(out.value())), 0, newOutput + " starts at zero");
                assertTrue(maxAbs(be.toHost(out.grad())) > 0, newOutput + " gets a gradient");
            }
        }
    }

    @Test
    void onlyMoreLayersOfTheSameModelCanGrow() {
        try (Backend be = Backends.create("cpu");
             AsrModel small = new AsrModel(be, SHALLOW, 3)) {
            Checkpoint ckpt = small.toCheckpoint(Map.of());
            try (AsrModel same = new AsrModel(be, SHALLOW, 9)) {
                assertTrue(same.growFrom(ckpt).isEmpty(), "the same depth is a plain load: no growth to report");
            }
            ModelConfig wider = new ModelConfig("wider", SHALLOW.architecture(), SHALLOW.featureDim(),
                    SHALLOW.frontEndChannels(), SHALLOW.dModel(), 4, 2, 1, SHALLOW.mamba(), SHALLOW.ffnDim(),
                    SHALLOW.vocabSize(), 0f, SHALLOW.ctcWeight(), SHALLOW.labelSmoothing(), SHALLOW.init());
            try (AsrModel w = new AsrModel(be, wider, 1)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.growFrom(ckpt));
                assertTrue(e.getMessage().contains("only the numbers of layers"), e.getMessage());
            }
            ModelConfig deep = deeper(SHALLOW, 2, 2);
            try (AsrModel d = new AsrModel(be, deep, 1); AsrModel s = new AsrModel(be, SHALLOW, 1)) {
                Checkpoint deepCkpt = d.toCheckpoint(Map.of());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.growFrom(deepCkpt));
                assertTrue(e.getMessage().contains("layers cannot be removed"), e.getMessage());
            }
        }
    }

    private static float[] subtract(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return d;
    }
}
