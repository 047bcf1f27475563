package dev.speechmamba.demo;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.model.MambaConfig;
import dev.speechmamba.model.Parameter;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MambaTaggerTest {
    private static final MambaConfig SMALL = new MambaConfig(8, 16, 4, 2, 4);
    private static final SelectiveCopyingTask TASK = new SelectiveCopyingTask(5, 2, 3);

    /**
     * The composed backward pass of embedding → Mamba blocks → norm → head → cross-entropy matches a
     * central difference of the loss along random directions in weight space.
     */
    @Test
    void wholeModelGradientMatchesDirectionalDerivative() {
        Backend be = new ReferenceBackend();
        try (MambaTagger model = new MambaTagger(be, TASK.vocabulary(), SMALL, 2, 0f, 7);
             TaggerTrainer trainer = new TaggerTrainer(model, 1e9)) {
            SelectiveCopyingTask.Batch batch = TASK.sample(new SplittableRandom(3), 2);
            trainer.lossAndGradients(batch, false, 0);
            SplittableRandom rng = new SplittableRandom(11);
            for (int trial = 0; trial < 3; trial++) {
                List<float[]> base = new ArrayList<>(), dir = new ArrayList<>();
                double analytic = 0;
                for (Parameter p : model.parameters().all()) {
                    float[] w = be.toHost(p.value()), g = be.toHost(p.grad()), v = new float[w.length];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) rng.nextGaussian();
                        analytic += g[i] * (double) v[i];
                    }
                    base.add(w);
                    dir.add(v);
                }
                double h = 1e-2;
                double plus = lossAt(be, model, trainer, batch, base, dir, h);
                double minus = lossAt(be, model, trainer, batch, base, dir, -h);
                lossAt(be, model, trainer, batch, base, dir, 0);
                double numeric = (plus - minus) / (2 * h);
                assertEquals(numeric, analytic, 2e-2 * Math.max(1, Math.abs(numeric)),
                        "directional derivative " + trial + ": numeric " + numeric + " vs analytic " + analytic);
            }
        }
    }

    private static double lossAt(Backend be, MambaTagger model, TaggerTrainer trainer, SelectiveCopyingTask.Batch batch,
                                 List<float[]> base, List<float[]> dir, double h) {
        List<Parameter> params = model.parameters().all();
        for (int k = 0; k < params.size(); k++) {
            float[] w = base.get(k).clone(), v = dir.get(k);
            for (int i = 0; i < w.length; i++) w[i] += (float) (h * v[i]);
            try (Tensor t = be.fromHost(w, params.get(k).value().shape().dims())) {
                be.copy(params.get(k).value(), t);
            }
        }
        return trainer.lossAndGradients(batch, false, 0).loss();
    }

    @Test
    void demoLearnsAndItsCheckpointReloadsExactly(@TempDir Path dir) throws Exception {
        DemoRun.Settings d = DemoRun.Settings.defaults();
        DemoRun.Settings s = new DemoRun.Settings(120, 32, 5, d.peakLr(), d.warmup(), d.layers(), d.mamba(), d.task(),
                256, 40);
        StringWriter log = new StringWriter();
        try (Backend be = Backends.create("cpu")) {
            DemoRun.Result r = DemoRun.run(be, s, dir, new PrintWriter(log));
            assertTrue(r.finalLoss() < 0.8 * r.firstLoss(), "loss should fall: " + log);
            assertTrue(r.tokenAccuracy() > 1.5 * r.chanceAccuracy(), "accuracy above chance: " + log);
            assertTrue(r.reloadMatches(), "reloaded checkpoint predicts the same");
            assertTrue(Files.size(r.checkpoint()) > 4 * r.parameters());
        }
    }

    /** One whole training step (forward, backward, clipping, Adam, dropout on) on CUDA vs the reference. */
    @Test
    @Tag("gpu")
    void cudaTrainingStepMatchesReference() {
        Assumptions.assumeTrue(Backends.cudaUsable(), "no CUDA device here");
        SelectiveCopyingTask task = new SelectiveCopyingTask(12, 3, 5);
        MambaConfig cfg = new MambaConfig(16, 32, 16, 2, 4);
        SelectiveCopyingTask.Batch batch = task.sample(new SplittableRandom(9), 4);
        float[][] ref = trainOneStep(new ReferenceBackend(), task, cfg, batch);
        try (Backend cuda = Backends.create("cuda")) {
            float[][] gpu = trainOneStep(cuda, task, cfg, batch);
            assertEquals(ref.length, gpu.length);
            assertArrayEquals(new float[] {ref[0][0]}, new float[] {gpu[0][0]}, 1e-4f * Math.abs(ref[0][0]) + 1e-5f,
                    "loss");
            for (int k = 1; k < ref.length; k++) {
                for (int i = 0; i < ref[k].length; i++) {
                    float tol = 2e-3f + 6e-4f * Math.abs(ref[k][i]);
                    if (Math.abs(ref[k][i] - gpu[k][i]) > tol) {
                        throw new AssertionError("tensor " + k + " element " + i + ": reference " + ref[k][i]
                                + ", cuda " + gpu[k][i]);
                    }
                }
            }
        }
    }

    /** {loss}, then every gradient, then every updated weight. */
    private static float[][] trainOneStep(Backend be, SelectiveCopyingTask task, MambaConfig cfg,
                                          SelectiveCopyingTask.Batch batch) {
        try (MambaTagger model = new MambaTagger(be, task.vocabulary(), cfg, 2, 0.1f, 21);
             TaggerTrainer trainer = new TaggerTrainer(model, 1.0)) {
            List<float[]> out = new ArrayList<>();
            TaggerTrainer.StepResult r = trainer.lossAndGradients(batch, true, 77);
            out.add(new float[] {(float) r.loss()});
            for (Parameter p : model.parameters().all()) out.add(be.toHost(p.grad()));
            TaggerTrainer.StepResult again = trainer.step(batch, 1e-3f, 77);
            assertEquals(r.loss(), again.loss(), 1e-6 * Math.abs(r.loss()), "same loss when repeated");
            for (Parameter p : model.parameters().all()) out.add(be.toHost(p.value()));
            return out.toArray(new float[0][]);
        }
    }
}
