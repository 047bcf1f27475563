package dev.speechmamba.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.MambaConfig;
import dev.speechmamba.train.Checkpoint;
import dev.speechmamba.train.NoamSchedule;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The end-to-end demo: trains a small Mamba tagger on selective copying with Adam, a Noam warm-up
 * schedule and gradient clipping, measures held-out accuracy, writes a safetensors checkpoint, loads it
 * into a freshly initialised model and checks that the predictions are identical.
 */
public final class DemoRun {
    /** Demo settings; {@link #defaults()} trains in about a minute on 2 CPU cores. */
    public record Settings(int steps, int batch, long seed, double peakLr, int warmup, int layers, MambaConfig mamba,
                           SelectiveCopyingTask task, int evalExamples, int logEvery) {
        public static Settings defaults() {
            return new Settings(1000, 32, 1, 3e-3, 40, 2, new MambaConfig(32, 64, 16, 2, 4),
                    new SelectiveCopyingTask(16, 4, 8), 512, 25);
        }
    }

    /** What the run measured. */
    public record Result(double firstLoss, double finalLoss, double tokenAccuracy, double sequenceAccuracy,
                         double chanceAccuracy, long parameters, double seconds, Path checkpoint,
                         boolean reloadMatches) { }

    private DemoRun() { }

    public static Result run(Backend backend, Settings s, Path outDir, PrintWriter log) {
        SplittableRandom data = new SplittableRandom(s.seed());
        long start = System.nanoTime();
        NoamSchedule schedule = NoamSchedule.withPeak(s.peakLr(), s.warmup());
        double firstLoss = Double.NaN, recent = 0;
        int recentCount = 0;
        Path checkpointFile = outDir.resolve("demo-model.safetensors");
        try (MambaTagger model = new MambaTagger(backend, s.task().vocabulary(), s.mamba(), s.layers(), 0f, s.seed());
             TaggerTrainer trainer = new TaggerTrainer(model, 5.0)) {
            log.printf(Locale.ROOT, "demo: selective copying (%d data tokens among %d positions), Mamba %d layers, "
                            + "d=%d, d_inner=%d, N=%d, %,d parameters, backend %s%n",
                    s.task().memoryTokens(), s.task().prefixLength(), s.layers(), s.mamba().dModel(),
                    s.mamba().dInner(), s.mamba().dState(), model.parameters().count(), backend.name());
            double lastLoss = Double.NaN;
            for (int step = 1; step <= s.steps(); step++) {
                SelectiveCopyingTask.Batch batch = s.task().sample(data, s.batch());
                float lr = (float) schedule.learningRate(step);
                TaggerTrainer.StepResult r = trainer.step(batch, lr, s.seed() * 31 + step);
                if (step == 1) firstLoss = r.loss();
                recent += r.loss();
                recentCount++;
                if (step % s.logEvery() == 0 || step == s.steps()) {
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    lastLoss = recent / recentCount;
                    log.printf(Locale.ROOT, "step %4d/%d  loss %.4f  grad-norm %.3f  lr %.2e  %.0f examples/s%n", step,
                            s.steps(), lastLoss, r.gradNorm(), lr, step * (double) s.batch() / elapsed);
                    log.flush();
                    recent = 0;
                    recentCount = 0;
                }
            }
            SelectiveCopyingTask.Batch heldOut = s.task().sample(new SplittableRandom(s.seed() ^ 0x5DEECE66DL), s.evalExamples());
            int[] predicted = trainer.predict(heldOut);
            double[] acc = accuracy(heldOut, predicted);
            Files.createDirectories(outDir);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(Checkpoint.CONFIG, configJson(s, model));
            meta.put(Checkpoint.STEP, Integer.toString(trainer.optimizer().stepCount()));
            Checkpoint.fromBackend(backend, model.parameters().toHost(), meta).save(checkpointFile);

            boolean same;
            try (MambaTagger reloaded = new MambaTagger(backend, s.task().vocabulary(), s.mamba(), s.layers(), 0f,
                    s.seed() + 12345);
                 TaggerTrainer check = new TaggerTrainer(reloaded, 5.0)) {
                reloaded.parameters().load(Checkpoint.load(checkpointFile).tensors());
                same = Arrays.equals(predicted, check.predict(heldOut));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(firstLoss, lastLoss, acc[0], acc[1], 1.0 / s.task().dataTokens(),
                    model.parameters().count(), seconds, checkpointFile, same);
        } catch (IOException e) {
            throw new UncheckedIOException("demo: cannot write the checkpoint " + checkpointFile + ": " + e.getMessage(), e);
        }
    }

    /** {token accuracy at target positions, fraction of examples with every target right}. */
    static double[] accuracy(SelectiveCopyingTask.Batch batch, int[] predicted) {
        int right = 0, total = 0, exact = 0;
        for (int b = 0; b < batch.size(); b++) {
            boolean all = true;
            for (int t = 0; t < batch.length(); t++) {
                int target = batch.targets()[b * batch.length() + t];
                if (target == SelectiveCopyingTask.IGNORE) continue;
                total++;
                if (predicted[b * batch.length() + t] == target) right++;
                else all = false;
            }
            if (all) exact++;
        }
        return new double[] {right / (double) total, exact / (double) batch.size()};
    }

    private static String configJson(Settings s, MambaTagger model) throws IOException {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model", "mamba-tagger");
        cfg.put("vocabulary", model.vocabulary());
        cfg.put("layers", model.layers());
        cfg.put("d_model", s.mamba().dModel());
        cfg.put("d_inner", s.mamba().dInner());
        cfg.put("d_state", s.mamba().dState());
        cfg.put("dt_rank", s.mamba().dtRank());
        cfg.put("conv_kernel", s.mamba().convKernel());
        cfg.put("task", Map.of("prefix_length", s.task().prefixLength(), "memory_tokens", s.task().memoryTokens(),
                "data_tokens", s.task().dataTokens()));
        return new ObjectMapper().writeValueAsString(cfg);
    }
}
