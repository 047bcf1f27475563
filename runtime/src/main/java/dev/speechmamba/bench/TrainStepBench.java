package dev.speechmamba.bench;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.model.AsrBatch;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ConvFrontEnd;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.train.AdamOptimizer;
import dev.speechmamba.train.GradientClipping;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Time of one full training step of {@link AsrModel} (forward, backward, global-norm clipping at 5.0,
 * Adam with Speech-Mamba's β = (0.9, 0.98), ε = 1e-9), the step the trainer runs, on a synthetic batch:
 * B utterances of S seconds of standard-normal filterbank features (100 frames/s) with random target
 * tokens of length L (ids 1..V-2). Dropout is on (training mode), as in training.
 *
 * <p>Per config: {@code warmup} untimed steps, then {@code steps} timed steps, each ending with
 * {@link Backend#synchronize()}; the median and minimum step time are reported. Every step's loss and
 * gradient norm must be finite, or the bench fails naming the step. {@code peak_mb} is, on CUDA, the
 * caching allocator's peak bytes in use (weights, Adam moments, gradients and the step's activations;
 * each config gets a fresh backend); it is empty on the CPU backends.
 *
 * <p>ci/gpu/torch_train_step.py writes the same CSV columns for the same model in PyTorch eager.
 */
public final class TrainStepBench {
    /** Filterbank frames per second of audio (10 ms hop). */
    public static final int FRAMES_PER_SECOND = 100;
    /** Clipping threshold of the trainer's default. */
    public static final double CLIP_NORM = 5.0;

    public static final String CSV_HEADER = "impl,config,device,card,params,batch,seconds,target_len,encoder_frames,"
            + "warmup,steps,median_ms,min_ms,utt_per_s,audio_s_per_s,peak_mb,loss_first,loss_last,scan,date,status";

    /**
     * @param device       backend: cpu, cuda or reference
     * @param configs      config names or JSON paths, one CSV row each
     * @param batch        utterances per step B
     * @param seconds      seconds of audio per utterance S
     * @param targetLength target tokens per utterance L
     * @param warmup       untimed steps before the timed ones
     * @param steps        timed steps
     * @param lr           constant Adam learning rate
     * @param seed         weights, features, targets and dropout
     * @param out          CSV file to write, or null for none
     */
    public record Settings(String device, List<String> configs, int batch, double seconds, int targetLength, int warmup,
                           int steps, float lr, long seed, Path out) {
        public Settings {
            List<String> problems = new ArrayList<>();
            if (device == null || device.isBlank()) problems.add("--device is empty");
            else if (!Backends.names().contains(device.toLowerCase(Locale.ROOT))) {
                problems.add("--device '" + device + "' is not one of " + Backends.names());
            }
            if (configs == null || configs.isEmpty()) problems.add("no --config given");
            else for (String c : configs) if (c == null || c.isBlank()) problems.add("an empty --config name");
            if (batch < 1) problems.add("--batch must be >= 1, got " + batch);
            if (!(seconds > 0) || Double.isInfinite(seconds)) problems.add("--seconds must be a positive number, got " + seconds);
            else if (Math.round(seconds * FRAMES_PER_SECOND) < 1) problems.add("--seconds " + seconds + " is under one 10 ms frame");
            if (targetLength < 1) problems.add("--target-length must be >= 1, got " + targetLength);
            if (warmup < 0) problems.add("--warmup must be >= 0, got " + warmup);
            if (steps < 1) problems.add("--steps must be >= 1, got " + steps);
            if (!(lr >= 0) || Float.isInfinite(lr)) problems.add("--lr must be finite and >= 0, got " + lr);
            if (problems.isEmpty()) {
                int encoderFrames = ConvFrontEnd.outputFrames(frames(seconds));
                if (targetLength > encoderFrames) {
                    problems.add("--target-length " + targetLength + " exceeds the " + encoderFrames + " encoder frames of "
                            + seconds + " s (CTC needs at least one frame per token)");
                }
            }
            if (!problems.isEmpty()) throw new IllegalArgumentException("train-step bench: " + String.join("; ", problems));
            configs = List.copyOf(configs);
        }

        public int frames() { return frames(seconds); }

        private static int frames(double seconds) { return (int) Math.round(seconds * FRAMES_PER_SECOND); }
    }

    /** One config's measurement; peakMb is NaN where not measured. */
    public record Row(String config, String device, String card, long params, int batch, double seconds, int targetLength,
                      int encoderFrames, int warmup, int steps, double medianMs, double minMs, double peakMb,
                      double lossFirst, double lossLast) {
        public double uttPerS() { return batch / (medianMs / 1e3); }

        public double audioSecondsPerS() { return batch * seconds / (medianMs / 1e3); }
    }

    private final Settings settings;
    private final PrintWriter log;

    public TrainStepBench(Settings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
    }

    /** The settings' configs resolved; a bad name or file throws IllegalArgumentException before any model is built. */
    public List<ModelConfig> resolveConfigs() {
        List<ModelConfig> configs = new ArrayList<>();
        for (String c : settings.configs()) {
            ModelConfig cfg = ModelConfig.resolve(c);
            if (cfg.vocabSize() < 3) {
                throw new IllegalArgumentException("train-step bench: config '" + cfg.name() + "' has vocabulary "
                        + cfg.vocabSize() + "; targets need ids 1..V-2, so V >= 3");
            }
            configs.add(cfg);
        }
        return configs;
    }

    /** Measures every config in turn. */
    public List<Row> run() {
        List<Row> rows = new ArrayList<>();
        for (ModelConfig cfg : resolveConfigs()) rows.add(measure(cfg));
        return rows;
    }

    private Row measure(ModelConfig cfg) {
        AsrBatch batch = syntheticBatch(cfg, settings.batch(), settings.frames(), settings.targetLength(), settings.seed());
        int total = settings.warmup() + settings.steps();
        double[] stepMs = new double[settings.steps()];
        double lossFirst = Double.NaN, lossLast = Double.NaN;
        try (Backend be = Backends.create(settings.device());
             AsrModel model = new AsrModel(be, cfg, settings.seed());
             AdamOptimizer adam = AdamOptimizer.speechMamba(model.parameters())) {
            long params = model.parameters().count();
            log.printf(Locale.ROOT, "train-step %s on %s: %,d parameters, batch %d × %.2f s (%d frames → %d), L=%d, "
                            + "%d warm-up + %d timed steps%n", cfg.name(), be.name(), params, settings.batch(),
                    settings.seconds(), settings.frames(), ConvFrontEnd.outputFrames(settings.frames()),
                    settings.targetLength(), settings.warmup(), settings.steps());
            log.flush();
            for (int step = 0; step < total; step++) {
                long start = System.nanoTime();
                model.parameters().zeroGrads();
                AsrModel.Loss loss = model.forwardBackward(batch, true, settings.seed() + step, 1f);
                double norm = GradientClipping.clipGlobalNorm(be, model.parameters().grads(), CLIP_NORM);
                if (!Double.isFinite(loss.loss()) || !Double.isFinite(norm)) {
                    throw new IllegalStateException(String.format(Locale.ROOT,
                            "train-step bench: %s step %d of %d has loss %s (ctc %s, attention %s) and gradient norm %s; "
                                    + "a training step must give finite values", cfg.name(), step + 1, total, loss.loss(),
                            loss.ctc(), loss.attention(), norm));
                }
                adam.step(settings.lr());
                be.synchronize();
                long elapsed = System.nanoTime() - start;
                if (step == 0) lossFirst = loss.loss();
                lossLast = loss.loss();
                int timed = step - settings.warmup();
                if (timed >= 0) stepMs[timed] = elapsed / 1e6;
                log.printf(Locale.ROOT, "  step %2d/%d %s %9.1f ms  loss %.4f  grad norm %.3f%n", step + 1, total,
                        timed >= 0 ? "timed  " : "warm-up", elapsed / 1e6, loss.loss(), norm);
                log.flush();
            }
            boolean cuda = be.name().equals("cuda");
            double peakMb = cuda ? devicePeakBytes(be) / (double) (1 << 20) : Double.NaN;
            return new Row(cfg.name(), be.name(), card(cuda), params, settings.batch(), settings.seconds(),
                    settings.targetLength(), ConvFrontEnd.outputFrames(settings.frames()), settings.warmup(),
                    settings.steps(), ScalingBench.median(stepMs), Arrays.stream(stepMs).min().orElseThrow(), peakMb,
                    lossFirst, lossLast);
        }
    }

    /** Kept apart so the CUDA classes load only when the backend is CUDA. */
    private static double devicePeakBytes(Backend be) {
        return ((dev.speechmamba.backend.cuda.CudaBackend) be).context().allocator().peakBytesInUse();
    }

    /**
     * B utterances of standard-normal features (B, T, F), all T frames long, and per row L random target
     * ids in 1..V-2 (0 is the blank, V-1 is &lt;sos/eos&gt;).
     */
    static AsrBatch syntheticBatch(ModelConfig cfg, int batch, int frames, int targetLength, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x7A1B5EEDL);
        int f = cfg.featureDim();
        float[] features = new float[batch * frames * f];                   // (B, T, F)
        for (int i = 0; i < features.length; i++) features[i] = (float) gaussian(rng);
        int[][] targets = new int[batch][targetLength];                     // (B, L)
        for (int[] row : targets) for (int k = 0; k < targetLength; k++) row[k] = 1 + rng.nextInt(cfg.vocabSize() - 2);
        int[] lengths = new int[batch];
        Arrays.fill(lengths, frames);
        return new AsrBatch(features, batch, frames, f, lengths, targets);
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** The GPU's name from nvidia-smi on CUDA, the CPU model otherwise; empty when unknown. Never fails the bench. */
    private static String card(boolean cuda) {
        if (!cuda) {
            try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
                return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .findFirst().orElse("");
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
            return p.exitValue() == 0 ? first.strip() : "";
        } catch (IOException | RuntimeException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Header plus one row per config, in the columns ci/gpu/torch_train_step.py writes too. */
    public static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        String date = LocalDate.now(ZoneOffset.UTC).toString();
        for (Row r : rows) {
            sb.append(String.join(",", "java-" + r.device(), r.config(), r.device(), cell(r.card()),
                    Long.toString(r.params()), Integer.toString(r.batch()), num(r.seconds()),
                    Integer.toString(r.targetLength()), Integer.toString(r.encoderFrames()), Integer.toString(r.warmup()),
                    Integer.toString(r.steps()), num(r.medianMs()), num(r.minMs()), num(r.uttPerS()),
                    num(r.audioSecondsPerS()), num(r.peakMb()), num(r.lossFirst()), num(r.lossLast()),
                    "java-" + r.device() + "-kernel", date, "ok")).append('\n');
        }
        return sb.toString();
    }

    /** A CSV cell without the separator or quotes (device names carry neither, but a CPU model might). */
    private static String cell(String text) {
        return text.replace(',', ' ').replace('"', ' ');
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A short aligned table of the rows. */
    public static void print(List<Row> rows, PrintWriter out) {
        out.printf(Locale.ROOT, "%-12s %-6s %12s %5s %7s %4s %10s %10s %9s %10s %9s %10s %10s%n", "config", "device",
                "params", "B", "seconds", "L", "median ms", "min ms", "utt/s", "audio s/s", "peak MB", "loss first",
                "loss last");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-12s %-6s %,12d %5d %7.2f %4d %10.1f %10.1f %9.2f %10.1f %9s %10.4f %10.4f%n",
                    r.config(), r.device(), r.params(), r.batch(), r.seconds(), r.targetLength(), r.medianMs(), r.minMs(),
                    r.uttPerS(), r.audioSecondsPerS(), Double.isNaN(r.peakMb()) ? "–" : String.format(Locale.ROOT, "%.0f",
                            r.peakMb()), r.lossFirst(), r.lossLast());
        }
        out.println("# " + KernelBenchmarks.machineLine());
        out.flush();
    }

    /** Runs the bench, prints the table and writes the CSV when the settings name a file. */
    public List<Row> runAndReport() throws IOException {
        List<Row> rows = run();
        print(rows, log);
        if (settings.out() != null) {
            Path parent = settings.out().toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(settings.out(), csv(rows));
            log.println("Wrote " + settings.out());
            log.flush();
        }
        return rows;
    }
}
