package dev.speechmamba.cli;

import dev.speechmamba.bench.TrainStepBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench train-step}: time of one full training step (forward, backward, clipping, Adam) on a synthetic batch. */
@Command(name = "train-step", mixinStandardHelpOptions = true,
        description = {"Time one full training step of a model (forward and backward of the joint CTC/attention loss, "
                + "global-norm clipping at 5.0, Adam) on a synthetic batch: standard-normal features and random targets, "
                + "random weights, dropout on.",
                "Prints median and minimum ms per step, utterances/s, audio seconds/s, peak device memory and the "
                        + "first and last loss; --out writes the same as CSV (the columns of ci/gpu/torch_train_step.py)."})
final class TrainStepBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "NAME",
            description = "Backend: cpu, cuda or reference. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--config", split = ",", defaultValue = "paper", paramLabel = "NAME",
            description = "Config names or JSON files, comma-separated; one row each. Default: ${DEFAULT-VALUE}.")
    List<String> configs;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "Utterances per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S",
            description = "Seconds of audio per utterance (100 frames/s). Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--target-length", defaultValue = "40", paramLabel = "L",
            description = "Target tokens per utterance. Default: ${DEFAULT-VALUE}.")
    int targetLength;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N", description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--lr", defaultValue = "1e-4", paramLabel = "LR", description = "Constant Adam learning rate. Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
            description = "Weights, features, targets and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "CSV file to write (header plus one row per config).")
    Path out;

    @Override
    public Integer call() throws Exception {
        TrainStepBench.Settings settings;
        try {
            settings = new TrainStepBench.Settings(device, configs, batch, seconds, targetLength, warmup, steps, lr, seed, out);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        TrainStepBench bench = new TrainStepBench(settings, spec.commandLine().getOut());
        try {
            bench.resolveConfigs();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        bench.runAndReport();
        return 0;
    }
}
