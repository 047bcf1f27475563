package dev.speechmamba.bench;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.decode.CtcGreedy;
import dev.speechmamba.decode.TokenSpan;
import dev.speechmamba.model.AsrBatch;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.model.TensorArena;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * How encoder and transcription time and memory grow with recording length, for Speech-Mamba with full
 * and with limited-context (±W frames) encoder attention, and for the Transformer baseline.
 *
 * <p>Models have random weights (timing and memory do not depend on the weights' values) and inputs
 * are synthetic Gaussian filterbank features of 100 frames per second, batch 1. Per model, when
 * {@code warmup} &gt; 0, a few untimed runs at the shortest length (at most 30 s) let the JIT compile the
 * kernels; then per length {@code warmup} untimed runs, then {@code repeats} timed runs whose median is reported. One run is
 * {@link AsrModel#encodeForInference} followed by {@link Backend#synchronize()} (the encoder time),
 * then the CTC logits copied to the host and decoded greedily with {@link CtcGreedy} (the transcription
 * time adds those). Lengths run in ascending order; once a model runs out of memory ("oom"), a run
 * exceeds the time limit ("timeout") or a run fails with any other exception ("error", its first line
 * logged), its longer lengths are "skipped" and the next model runs. scaling.csv and scaling.md are
 * rewritten after every length, so a run that is killed still leaves the rows measured so far.
 *
 * <p>Memory columns: {@code activation_mb} is the peak of the bytes held by the run's
 * {@link TensorArena}s (inputs, activations and CTC logits; deterministic, every backend);
 * {@code peak_mb} is, on CUDA, the caching allocator's peak bytes in use since the model's backend was
 * created (weights included; each model gets a fresh backend, and lengths ascend, so it is the peak of
 * that length) and, on the CPU backends, the sum of the JVM heap pools' peak usage over the length's runs
 * after a GC and a peak reset (includes uncollected garbage, so an upper bound).
 *
 * <p>The exponent columns are least-squares slopes of log(time) against log(length) over a model's
 * completed lengths (NaN with fewer than two).
 */
public final class ScalingBench {
    /** Filterbank frames per second of audio (10 ms hop). */
    public static final int FRAMES_PER_SECOND = 100;

    /**
     * @param device           backend name: cpu, cuda, reference
     * @param config           Speech-Mamba config name or JSON path
     * @param baseline         Transformer baseline config, or null for none
     * @param minutes          recording lengths in minutes
     * @param out              folder for scaling.csv, scaling.svg, scaling.png and scaling.md
     * @param warmup           untimed runs per model and length
     * @param repeats          timed runs per model and length (median reported)
     * @param window           limited-context attention window ±W encoder frames
     * @param globalTokens     global tokens of the windowed series (0 for a plain window)
     * @param timeLimitSeconds a run longer than this marks the length "timeout"
     * @param seed             weights and features
     */
    public record Settings(String device, String config, String baseline, List<Double> minutes, Path out, int warmup,
                           int repeats, int window, int globalTokens, double timeLimitSeconds, long seed) {
        public Settings {
            List<String> problems = new ArrayList<>();
            if (device == null || device.isBlank()) problems.add("device is empty");
            if (config == null || config.isBlank()) problems.add("config is empty");
            if (minutes == null || minutes.isEmpty()) problems.add("no lengths given");
            else for (double m : minutes) if (!(m > 0) || m > 600) problems.add("length " + m + " min is not in (0, 600]");
            if (out == null) problems.add("no output folder");
            if (warmup < 0) problems.add("warm-up runs must be >= 0, got " + warmup);
            if (repeats < 1) problems.add("repeats must be >= 1, got " + repeats);
            if (window < 0) problems.add("window must be >= 0 frames, got " + window);
            if (globalTokens < 0) problems.add("global tokens must be >= 0, got " + globalTokens);
            if (!(timeLimitSeconds > 0)) problems.add("time limit must be > 0 s, got " + timeLimitSeconds);
            if (!problems.isEmpty()) throw new IllegalArgumentException("scaling bench: " + String.join("; ", problems));
            minutes = minutes.stream().sorted().distinct().toList();
        }

        /** Settings whose windowed series has no global tokens. */
        public Settings(String device, String config, String baseline, List<Double> minutes, Path out, int warmup,
                        int repeats, int window, double timeLimitSeconds, long seed) {
            this(device, config, baseline, minutes, out, warmup, repeats, window, 0, timeLimitSeconds, seed);
        }
    }

    /** One model variant: a config, an encoder attention window (-1 = full) and its global tokens (0 for none). */
    public record Series(String model, ModelConfig config, int window, int globalTokens) {
        public Series {
            if (globalTokens < 0 || (globalTokens > 0 && window < 0)) {
                throw new IllegalArgumentException("scaling series: " + globalTokens + " global tokens need a window "
                        + "and must be >= 0 (window " + window + ")");
            }
        }

        public Series(String model, ModelConfig config, int window) { this(model, config, window, 0); }

        /** "full", "window=W" or "window=W+global=G" (the CSV's attention column). */
        public String attention() {
            if (window < 0) return "full";
            return "window=" + window + (globalTokens > 0 ? "+global=" + globalTokens : "");
        }
    }

    /** One model at one length; times and memory are NaN unless status is "ok". */
    public record Row(Series series, double minutes, int inputFrames, int encoderFrames, String status,
                      double encoderMs, double transcribeMs, double peakMb, double activationMb, double weightsMb,
                      int tokens) {
        public boolean ok() { return status.equals("ok"); }
    }

    /** Least-squares exponents of time against length for one model. */
    public record Fit(Series series, double encoderExponent, double transcribeExponent, int points) { }

    /** What was written; png is null when Java2D could not draw here. */
    public record Result(List<Row> rows, List<Fit> fits, Path csv, Path plot, Path png, Path table) { }

    private final Settings settings;
    private final PrintWriter log;
    /** Called with the input frames before each run of a length; tests make it throw to exercise "error" rows. */
    private IntConsumer beforeRun = frames -> { };
    private String plotTitle;

    public ScalingBench(Settings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
    }

    /** The Transformer counterpart of a named Speech-Mamba config ("small" → "transformer-small"), or null. */
    public static String defaultBaseline(String config) {
        String candidate = "transformer-" + config;
        return ModelConfig.NAMED.contains(candidate) ? candidate : null;
    }

    /** The model variants the settings ask for, in table order. */
    public List<Series> series() {
        ModelConfig main = ModelConfig.resolve(settings.config());
        if (main.architecture() != ModelConfig.Architecture.SPEECH_MAMBA) {
            throw new IllegalArgumentException("scaling bench: --config must be a Speech-Mamba config, got " + main);
        }
        List<Series> list = new ArrayList<>();
        list.add(new Series("speech-mamba", main, -1));
        list.add(new Series("speech-mamba", main, settings.window(), settings.globalTokens()));
        if (settings.baseline() != null) {
            ModelConfig base = ModelConfig.resolve(settings.baseline());
            if (base.architecture() != ModelConfig.Architecture.TRANSFORMER) {
                throw new IllegalArgumentException("scaling bench: --baseline must be a Transformer config, got " + base);
            }
            list.add(new Series("transformer", base, -1));
        }
        return list;
    }

    /** Replaces the default plot title (device and config), e.g. to name the GPU; null keeps the default. */
    public ScalingBench plotTitle(String title) {
        this.plotTitle = title == null || title.isBlank() ? null : title;
        return this;
    }

    /** Test hook: {@code hook} runs before every warm-up and timed run of a length, with its input frames. */
    ScalingBench beforeEachRun(IntConsumer hook) {
        this.beforeRun = java.util.Objects.requireNonNull(hook, "hook");
        return this;
    }

    public Result run() throws IOException {
        List<Series> all = series();
        Files.createDirectories(settings.out());
        List<Row> rows = new ArrayList<>();
        for (Series s : all) runSeries(s, all, rows);
        List<Fit> fits = fits(all, rows);
        Path csv = writeTables(all, rows);
        String title = plotTitle != null ? plotTitle : defaultTitle(settings.device(), all.getFirst().config().name());
        Plots plots = writePlots(rows, fits, title, settings.out(), log);
        Path table = settings.out().resolve("scaling.md");
        log.print(markdown(rows, fits));
        log.flush();
        return new Result(rows, fits, csv, plots.svg(), plots.png(), table);
    }

    /** The plot title when none is given: the device and the Speech-Mamba config. */
    static String defaultTitle(String device, String config) {
        return "Encoder and transcription time vs length (" + device + ", " + config + ")";
    }

    /** The plots written by {@link #writePlots}; png is null when Java2D could not draw here. */
    record Plots(Path svg, Path png) { }

    /**
     * Writes scaling.svg and, where Java2D works, scaling.png to {@code out}. A runtime without the
     * java.desktop module (a jlink'd JRE) or without fonts gets the SVG and one logged line instead of the PNG.
     */
    static Plots writePlots(List<Row> rows, List<Fit> fits, String title, Path out, PrintWriter log) throws IOException {
        Path svg = out.resolve("scaling.svg");
        Files.writeString(svg, ScalingPlot.svg(rows, fits, title));
        Path png = out.resolve("scaling.png");
        try {
            ScalingPng.write(rows, fits, title, png);
        } catch (LinkageError e) {
            Files.deleteIfExists(png);
            png = null;
            log.println("PNG plot not written: this Java runtime "
                    + (ModuleLayer.boot().findModule("java.desktop").isPresent() ? "cannot link Java2D" : "has no java.desktop module")
                    + " (" + e + "); the SVG has the same plot");
        } catch (IOException | RuntimeException | Error e) {
            // Java2D needs fonts (fontconfig); a bare container may lack them, and the SVG says the same.
            Files.deleteIfExists(png);
            png = null;
            log.println("PNG plot not written (" + e + "); the SVG has the same plot");
        }
        log.flush();
        return new Plots(svg, png);
    }

    private static List<Fit> fits(List<Series> all, List<Row> rows) {
        List<Fit> fits = new ArrayList<>();
        for (Series s : all) fits.add(fit(s, rows));
        return fits;
    }

    /** (Re)writes scaling.csv and scaling.md from the rows so far; returns the CSV's path. */
    private Path writeTables(List<Series> all, List<Row> rows) throws IOException {
        List<Fit> fits = fits(all, rows);
        Path csv = settings.out().resolve("scaling.csv");
        Files.writeString(csv, csv(rows, fits));
        Files.writeString(settings.out().resolve("scaling.md"), markdown(rows, fits));
        return csv;
    }

    /**
     * Appends one row per length of {@code s} to {@code rows}, rewriting the tables after each. A failure
     * to create the backend or model, or to close them, is logged and turns the lengths without a row
     * into one "error" and then "skipped" rows: it never ends the benchmark.
     */
    private void runSeries(Series s, List<Series> all, List<Row> rows) throws IOException {
        int first = rows.size();
        double weightsMb = Double.NaN;
        try (Backend be = Backends.create(settings.device());
             AsrModel model = new AsrModel(be, s.config(), settings.seed())) {
            model.setEncoderAttentionWindow(s.window(), s.globalTokens());
            weightsMb = model.parameters().count() * 4.0 / (1 << 20);
            if (settings.warmup() > 0) warmUpCompiler(be, model, s);
            String blockedBy = null;
            for (double minutes : settings.minutes()) {
                int frames = inputFrames(minutes);
                int encoderFrames = encoderFrames(frames);
                Row row = blockedBy != null ? failed(s, minutes, frames, encoderFrames, "skipped", weightsMb)
                        : runLength(be, model, s, minutes, frames, encoderFrames, weightsMb);
                rows.add(row);
                if (blockedBy == null) {
                    log.printf(Locale.ROOT, "%-12s %-11s %7.2f min %8d frames: %s%n", s.model(), s.attention(), minutes,
                            encoderFrames, row.ok() ? String.format(Locale.ROOT, "encoder %.1f ms, transcription %.1f ms, "
                                    + "peak %.1f MB, activations %.1f MB", row.encoderMs(), row.transcribeMs(),
                                    row.peakMb(), row.activationMb()) : row.status());
                    log.flush();
                }
                if (!row.ok()) blockedBy = row.status();
                writeTables(all, rows);
            }
        } catch (RuntimeException | OutOfMemoryError | LinkageError e) {
            logError(s, "setting up or closing the model", e);
            boolean oom = e instanceof OutOfMemoryError || isDeviceOutOfMemory(e);
            int done = rows.size() - first;
            List<Double> minutes = settings.minutes();
            for (int i = done; i < minutes.size(); i++) {
                int frames = inputFrames(minutes.get(i));
                String status = i > done ? "skipped" : oom ? "oom" : "error";
                rows.add(failed(s, minutes.get(i), frames, encoderFrames(frames), status, weightsMb));
            }
            writeTables(all, rows);
        }
    }

    private static int inputFrames(double minutes) { return (int) Math.round(minutes * 60 * FRAMES_PER_SECOND); }

    private static int encoderFrames(int frames) {
        return dev.speechmamba.model.ConvFrontEnd.outputFrames(Math.max(frames, 1));
    }

    /** The exception's first line and where it was thrown, so a failed length is diagnosable from the log. */
    private void logError(Series s, String what, Throwable e) {
        String text = String.valueOf(e);
        int newline = text.indexOf('\n');
        String firstLine = newline < 0 ? text : text.substring(0, newline);
        StackTraceElement[] trace = e.getStackTrace();
        log.printf(Locale.ROOT, "%-12s %-11s error %s: %s%s%n", s.model(), s.attention(), what, firstLine,
                trace.length > 0 ? " (at " + trace[0] + ")" : "");
        log.flush();
    }

    /**
     * A fresh JVM runs the first model's kernels in the interpreter until the JIT compiles them, which
     * one warm-up run per length does not cover: a few runs at the shortest length (under 30 s of audio)
     * first. Failures here are left for the measured runs to report.
     */
    private void warmUpCompiler(Backend be, AsrModel model, Series s) {
        double minutes = Math.min(settings.minutes().getFirst(), 0.5);
        AsrBatch batch = syntheticBatch(s.config().featureDim(), Math.max(1, (int) Math.round(minutes * 60 * FRAMES_PER_SECOND)),
                settings.seed());
        long deadline = System.nanoTime() + (long) (settings.timeLimitSeconds() * 1e9);
        for (int run = 0; run < COMPILER_WARMUP_RUNS && System.nanoTime() < deadline; run++) {
            try (TensorArena arena = new TensorArena(be)) {
                AsrModel.Encoded enc = model.encodeForInference(arena, batch);
                argmaxPath(be.toHost(enc.ctcLogits()), enc.hostLengths()[0], s.config().vocabSize());
            } catch (RuntimeException | OutOfMemoryError e) {
                return;
            }
        }
    }

    private static final int COMPILER_WARMUP_RUNS = 5;

    private static Row failed(Series s, double minutes, int frames, int encoderFrames, String status, double weightsMb) {
        return new Row(s, minutes, frames, encoderFrames, status, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                weightsMb, -1);
    }

    private Row runLength(Backend be, AsrModel model, Series s, double minutes, int frames, int encoderFrames,
                          double weightsMb) {
        AsrBatch batch;
        try {
            batch = syntheticBatch(s.config().featureDim(), frames, settings.seed() + frames);
        } catch (OutOfMemoryError e) {
            return failed(s, minutes, frames, encoderFrames, "oom", weightsMb);
        }
        List<MemoryPoolMXBean> heap = heapPools();
        boolean device = be.name().equals("cuda");
        if (!device) {
            System.gc();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        }
        double limitNanos = settings.timeLimitSeconds() * 1e9;
        double[] encoderNs = new double[settings.repeats()], totalNs = new double[settings.repeats()];
        long activationBytes = 0;
        int tokens = 0;
        try {
            for (int run = 0; run < settings.warmup() + settings.repeats(); run++) {
                beforeRun.accept(frames);
                try (TensorArena arena = new TensorArena(be)) {
                    long start = System.nanoTime();
                    AsrModel.Encoded enc = model.encodeForInference(arena, batch);
                    be.synchronize();
                    long encoded = System.nanoTime();
                    int[] path = argmaxPath(be.toHost(enc.ctcLogits()), enc.hostLengths()[0], s.config().vocabSize());
                    List<TokenSpan> spans = CtcGreedy.collapse(path, s.config().blank());
                    long done = System.nanoTime();
                    activationBytes = Math.max(activationBytes, arena.peakBytes());
                    tokens = spans.size();
                    if (done - start > limitNanos) return failed(s, minutes, frames, encoderFrames, "timeout", weightsMb);
                    int timed = run - settings.warmup();
                    if (timed >= 0) {
                        encoderNs[timed] = encoded - start;
                        totalNs[timed] = done - start;
                    }
                }
            }
        } catch (OutOfMemoryError e) {
            return failed(s, minutes, frames, encoderFrames, "oom", weightsMb);
        } catch (RuntimeException e) {
            if (isDeviceOutOfMemory(e)) return failed(s, minutes, frames, encoderFrames, "oom", weightsMb);
            logError(s, String.format(Locale.ROOT, "at %.2f min", minutes), e);
            return failed(s, minutes, frames, encoderFrames, "error", weightsMb);
        }
        double peakBytes = device ? devicePeakBytes(be) : heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        double mb = 1 << 20;
        return new Row(s, minutes, frames, encoderFrames, "ok", median(encoderNs) / 1e6, median(totalNs) / 1e6,
                peakBytes / mb, activationBytes / mb, weightsMb, tokens);
    }

    private static boolean isDeviceOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("DeviceOutOfMemoryException")) return true;
        }
        return false;
    }

    /** Kept apart so the CUDA classes load only when the backend is CUDA. */
    private static double devicePeakBytes(Backend be) {
        return ((dev.speechmamba.backend.cuda.CudaBackend) be).context().allocator().peakBytesInUse();
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .toList();
    }

    /** One utterance of standard-normal features (1, T, F), as normalised filterbanks look. */
    static AsrBatch syntheticBatch(int featureDim, int frames, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[frames * featureDim];                          // (T, F)
        for (int i = 0; i < x.length; i++) x[i] = (float) gaussian(rng);
        return new AsrBatch(x, 1, frames, featureDim, new int[] {frames}, null);
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** The best label per frame of the first {@code frames} rows of (T, V) logits (argmax of logits = of log-probs). */
    static int[] argmaxPath(float[] logits, int frames, int vocab) {
        int[] path = new int[frames];
        for (int t = 0; t < frames; t++) {
            int base = t * vocab, best = 0;
            float bestValue = logits[base];
            for (int k = 1; k < vocab; k++) {
                if (logits[base + k] > bestValue) {
                    bestValue = logits[base + k];
                    best = k;
                }
            }
            path[t] = best;
        }
        return path;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Least-squares slope of log(y) against log(x); NaN with fewer than two distinct x. */
    public static double logLogSlope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) return Double.NaN;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += Math.log(x[i]);
            my += Math.log(y[i]);
        }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) {
            double dx = Math.log(x[i]) - mx;
            sxy += dx * (Math.log(y[i]) - my);
            sxx += dx * dx;
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    static Fit fit(Series s, List<Row> rows) {
        List<Row> ok = rows.stream().filter(r -> r.series().equals(s) && r.ok()).toList();
        double[] x = ok.stream().mapToDouble(Row::minutes).toArray();
        double[] enc = ok.stream().mapToDouble(Row::encoderMs).toArray();
        double[] all = ok.stream().mapToDouble(Row::transcribeMs).toArray();
        return new Fit(s, logLogSlope(x, enc), logLogSlope(x, all), ok.size());
    }

    static final String CSV_HEADER = "model,config,attention,minutes,input_frames,encoder_frames,status,encoder_ms,"
            + "transcribe_ms,peak_mb,activation_mb,weights_mb,tokens,encoder_exponent,transcribe_exponent,device,repeats";

    private String csv(List<Row> rows, List<Fit> fits) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Row r : rows) {
            Fit f = fits.stream().filter(x -> x.series().equals(r.series())).findFirst().orElseThrow();
            sb.append(String.join(",", r.series().model(), r.series().config().name(), r.series().attention(),
                    num(r.minutes()), Integer.toString(r.inputFrames()), Integer.toString(r.encoderFrames()), r.status(),
                    num(r.encoderMs()), num(r.transcribeMs()), num(r.peakMb()), num(r.activationMb()), num(r.weightsMb()),
                    r.ok() ? Integer.toString(r.tokens()) : "", num(f.encoderExponent()), num(f.transcribeExponent()),
                    settings.device(), Integer.toString(settings.repeats()))).append('\n');
        }
        return sb.toString();
    }

    /** A number for the CSV; empty when not measured. */
    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private String markdown(List<Row> rows, List<Fit> fits) {
        return markdown(String.format(Locale.ROOT, "Scaling benchmark: device %s, %s; %d warm-up + %d timed runs (median); "
                        + "random weights, synthetic features, batch 1.", settings.device(), KernelBenchmarks.machineLine(),
                settings.warmup(), settings.repeats()), rows, fits);
    }

    /** scaling.md: {@code headline} (one line, what was measured where), the rows' table and the fits' table. */
    static String markdown(String headline, List<Row> rows, List<Fit> fits) {
        StringBuilder sb = new StringBuilder(headline).append(System.lineSeparator());
        sb.append("\n| model | config | attention | minutes | encoder frames | status | encoder ms | transcription ms | "
                + "peak MB | activation MB |\n|---|---|---|---:|---:|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %s | %s | %s | %s | %s |%n", r.series().model(),
                    r.series().config().name(), r.series().attention(), trim(r.minutes()), r.encoderFrames(), r.status(),
                    cell(r.encoderMs(), 1), cell(r.transcribeMs(), 1), cell(r.peakMb(), 1), cell(r.activationMb(), 1)));
        }
        sb.append("\n| model | attention | lengths fitted | encoder exponent | transcription exponent |\n|---|---|---:|---:|---:|\n");
        for (Fit f : fits) {
            sb.append(String.format(Locale.ROOT, "| %s (%s) | %s | %d | %s | %s |%n", f.series().model(),
                    f.series().config().name(), f.series().attention(), f.points(), cell(f.encoderExponent(), 3),
                    cell(f.transcribeExponent(), 3)));
        }
        return sb.toString();
    }

    private static String cell(double v, int digits) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String trim(double minutes) {
        return minutes == Math.rint(minutes) ? Long.toString((long) minutes) : Double.toString(minutes);
    }
}
