package dev.speechmamba.cli;

import dev.speechmamba.bench.LengthAccuracy;
import dev.speechmamba.bench.ScalingBench;
import dev.speechmamba.bench.ScalingReplot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench scaling}: time and memory against recording length, with log-log exponents, a CSV and an SVG plot. */
@Command(name = "scaling", mixinStandardHelpOptions = true,
        description = {"Encoder time, full transcription time (encoder + CTC greedy) and peak memory against "
                + "recording length for Speech-Mamba with full and with windowed encoder attention and for its "
                + "Transformer baseline; random weights and synthetic features (timing does not depend on them).",
                "Writes scaling.csv, scaling.svg, scaling.png and scaling.md to --out. A model that runs out of memory or past "
                        + "--time-limit-s at a length gets 'oom' / 'timeout' there and 'skipped' at longer lengths.",
                "With --replot CSV nothing is measured: scaling.svg, scaling.png and scaling.md are rebuilt from that "
                        + "scaling.csv into --out."})
final class ScalingBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "NAME",
            description = "Backend: cpu, cuda or reference. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--config", defaultValue = "paper", paramLabel = "NAME",
            description = "Speech-Mamba config name or JSON file. Default: ${DEFAULT-VALUE}.")
    String config;

    @Option(names = "--baseline", paramLabel = "NAME",
            description = "Transformer baseline config, or 'none'. Default: transformer-<config> when it exists.")
    String baseline;

    @Option(names = "--minutes", split = ",", defaultValue = "1,2,5,10,20,40,60", paramLabel = "M",
            description = "Recording lengths in minutes. Default: ${DEFAULT-VALUE}.")
    List<Double> minutes;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N",
            description = "Timed runs per model and length; the median is reported. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N",
            description = "Untimed runs per model and length before the timed ones. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--window", defaultValue = "256", paramLabel = "W",
            description = "Limited-context attention: ±W encoder frames (40 ms each). Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--global-tokens", defaultValue = "0", paramLabel = "N",
            description = "With the windowed series (and the accuracy mode's 'window'): the first N encoder frames "
                    + "attend to, and are attended by, every frame. Default: ${DEFAULT-VALUE}.")
    int globalTokens;

    @Option(names = "--accuracy-attention", defaultValue = "full,window", split = ",", paramLabel = "full|window",
            description = {"Accuracy mode: which encoder attention to decode with: full, window (±--window) or both. "
                    + "Full attention over an hour-long recording is quadratic: on a CPU, 'window' alone. "
                    + "Default: ${DEFAULT-VALUE}."})
    List<String> accuracyAttention;

    @Option(names = "--time-limit-s", defaultValue = "120", paramLabel = "S",
            description = "A run longer than this marks the length 'timeout'. Default: ${DEFAULT-VALUE}.")
    double timeLimitSeconds;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Weights and features. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--model", paramLabel = "DIR|FILE",
            description = "Accuracy mode: a trained model (training output folder or model file); needs --manifests.")
    Path model;

    @Option(names = "--manifests", split = ",", paramLabel = "MANIFEST",
            description = {"Accuracy mode: instead of timing, write the CTC-greedy WER of --model on each manifest "
                    + "(e.g. test.jsonl,long45.jsonl,10min.jsonl,60min.jsonl) with full attention and with ±--window "
                    + "frames to accuracy.csv and accuracy.md."})
    List<Path> manifests;

    @Option(names = "--batch-seconds", defaultValue = "120", paramLabel = "S",
            description = "Accuracy mode: padded audio seconds per batch (a longer recording runs alone). Default: ${DEFAULT-VALUE}.")
    double batchSeconds;

    @Option(names = "--replot", paramLabel = "CSV",
            description = "Rebuild the plots and scaling.md from an existing scaling.csv instead of measuring.")
    Path replot;

    @Option(names = "--title", paramLabel = "TEXT",
            description = "Plot title, e.g. to name the GPU. Default: the device and the Speech-Mamba config.")
    String title;

    @Override
    public Integer call() throws Exception {
        if (replot != null) return replot();
        if (model != null || manifests != null) return accuracy();
        String base = baseline == null ? ScalingBench.defaultBaseline(config)
                : baseline.equals("none") ? null : baseline;
        ScalingBench.Settings settings;
        try {
            settings = new ScalingBench.Settings(device, config, base, minutes, out, warmup, repeats, window,
                    globalTokens, timeLimitSeconds, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter log = spec.commandLine().getOut();
        ScalingBench bench = new ScalingBench(settings, log).plotTitle(title);
        try {
            bench.series();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ScalingBench.Result result = bench.run();
        log.println("Wrote " + result.csv() + ", " + result.plot() + (result.png() == null ? "" : ", " + result.png())
                + " and " + result.table());
        log.flush();
        return 0;
    }

    private int replot() throws Exception {
        if (model != null || manifests != null) {
            throw new ParameterException(spec.commandLine(), "--replot cannot be combined with --model / --manifests");
        }
        PrintWriter log = spec.commandLine().getOut();
        ScalingBench.Result result;
        try {
            result = ScalingReplot.replot(replot, out, title, log);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        log.println("Wrote " + result.plot() + (result.png() == null ? "" : ", " + result.png()) + " and " + result.table()
                + " from " + result.csv());
        log.flush();
        return 0;
    }

    private int accuracy() throws Exception {
        LengthAccuracy.Settings settings;
        try {
            if (window < 0) throw new IllegalArgumentException("--window must be >= 0 frames, got " + window);
            List<Integer> windows = new java.util.ArrayList<>();
            for (String a : accuracyAttention) {
                switch (a.strip()) {
                    case "full" -> windows.add(-1);
                    case "window" -> windows.add(window);
                    default -> throw new IllegalArgumentException("--accuracy-attention takes full and/or window, got '" + a + "'");
                }
            }
            if (globalTokens > 0 && !windows.contains(window)) {
                throw new IllegalArgumentException("--global-tokens needs 'window' in --accuracy-attention");
            }
            settings = new LengthAccuracy.Settings(model, manifests, windows.stream().distinct().toList(), globalTokens,
                    device, batchSeconds,
                    Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter log = spec.commandLine().getOut();
        List<LengthAccuracy.Row> rows = LengthAccuracy.run(settings, log);
        Files.createDirectories(out);
        Files.writeString(out.resolve("accuracy.csv"), LengthAccuracy.csv(rows));
        String table = LengthAccuracy.markdown(rows);
        Files.writeString(out.resolve("accuracy.md"), table);
        log.print(table);
        log.println("Wrote " + out.resolve("accuracy.csv") + " and " + out.resolve("accuracy.md"));
        log.flush();
        return 0;
    }
}
