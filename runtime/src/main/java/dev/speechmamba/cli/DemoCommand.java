package dev.speechmamba.cli;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.demo.DemoRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Trains a small Mamba model end to end and checks its checkpoint round trip. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train a small Mamba model on the selective-copying task (Mamba paper) with Adam, Noam "
                + "warm-up and gradient clipping; report held-out accuracy; save a safetensors checkpoint and "
                + "verify that reloading it reproduces the predictions."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "auto", description = "reference, cpu, cuda or auto (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--steps", defaultValue = "1000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "32", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for data and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "work/demo", description = "Folder for the checkpoint (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        if (steps <= 0) throw new IllegalArgumentException("--steps must be positive, got " + steps);
        if (batch <= 0) throw new IllegalArgumentException("--batch must be positive, got " + batch);
        PrintWriter log = spec.commandLine().getOut();
        DemoRun.Settings d = DemoRun.Settings.defaults();
        DemoRun.Settings s = new DemoRun.Settings(steps, batch, seed, d.peakLr(), d.warmup(), d.layers(), d.mamba(),
                d.task(), d.evalExamples(), d.logEvery());
        try (Backend be = Backends.create(backend)) {
            DemoRun.Result r = DemoRun.run(be, s, out, log);
            log.printf(Locale.ROOT, "held-out accuracy: %.1f%% of copied tokens (chance %.1f%%), %.1f%% of sequences "
                            + "fully right; loss %.3f -> %.3f in %.1f s%n", 100 * r.tokenAccuracy(),
                    100 * r.chanceAccuracy(), 100 * r.sequenceAccuracy(), r.firstLoss(), r.finalLoss(), r.seconds());
            log.printf("checkpoint: %s (reloaded into a fresh model: %s)%n", r.checkpoint(),
                    r.reloadMatches() ? "identical predictions" : "PREDICTIONS DIFFER");
            log.flush();
            return r.reloadMatches() ? 0 : Main.EXIT_FAILURE;
        }
    }
}
