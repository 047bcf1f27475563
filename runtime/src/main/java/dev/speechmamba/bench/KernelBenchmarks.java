package dev.speechmamba.bench;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the kernel benchmarks through JMH with short settings and prints one table: matmul GFLOP/s
 * and selective-scan element·states per second for each CPU backend. The reference backend runs
 * only the smaller GEMMs (it is float64 loops, 1024³ would take minutes).
 */
public final class KernelBenchmarks {

    /** How long and how often to measure; the defaults keep a full run near a minute on two cores. */
    public record Settings(int forks, int warmupIterations, int iterations, double secondsPerIteration,
                           List<String> backends, List<Integer> matmulSizes, List<Integer> referenceMatmulSizes,
                           boolean matmul, boolean scan, boolean verbose) {
        public Settings {
            if (forks < 0) throw new IllegalArgumentException("forks must be >= 0, got " + forks);
            if (warmupIterations < 0) throw new IllegalArgumentException("warmup iterations must be >= 0, got " + warmupIterations);
            if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
            if (!(secondsPerIteration > 0)) {
                throw new IllegalArgumentException("seconds per iteration must be positive, got " + secondsPerIteration);
            }
            for (String b : backends) {
                if (!b.equals("cpu") && !b.equals("reference") && !b.equals("cuda")) {
                    throw new IllegalArgumentException("unknown backend '" + b + "'; choose from reference, cpu, cuda");
                }
            }
            for (int n : matmulSizes) if (n < 1) throw new IllegalArgumentException("matmul size must be >= 1, got " + n);
            for (int n : referenceMatmulSizes) if (n < 1) throw new IllegalArgumentException("matmul size must be >= 1, got " + n);
            backends = List.copyOf(backends);
            matmulSizes = List.copyOf(matmulSizes);
            referenceMatmulSizes = List.copyOf(referenceMatmulSizes);
        }

        public static Settings defaults() {
            return new Settings(1, 2, 3, 1.0, List.of("reference", "cpu"), List.of(256, 512, 1024),
                    List.of(256, 512), true, true, false);
        }
    }

    /** One measured row of the table. */
    public record Row(String benchmark, String backend, String size, double opsPerSecond, double opsError,
                      double derived, String derivedUnit) { }

    private static final Set<String> SCAN_PARAMS = Set.of("batch", "time", "channels", "states");

    /** What every JVM with the Vector API prints on start-up, forks included. */
    static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    private final Settings settings;
    private final Map<String, String> scanShape;
    private final PrintWriter console;

    public KernelBenchmarks(Settings settings) { this(settings, Map.of(), new PrintWriter(System.out, true)); }

    /**
     * @param scanShape overrides of the scan's batch, time, channels or states (JMH parameters)
     * @param console   where JMH's own output goes (progress under verbose, messages of forked JVMs)
     */
    public KernelBenchmarks(Settings settings, Map<String, String> scanShape, PrintWriter console) {
        for (Map.Entry<String, String> e : scanShape.entrySet()) {
            if (!SCAN_PARAMS.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown scan parameter '" + e.getKey() + "'; choose from " + SCAN_PARAMS);
            }
            if (!e.getValue().matches("[1-9][0-9]*")) {
                throw new IllegalArgumentException("scan " + e.getKey() + " must be a positive integer, got " + e.getValue());
            }
        }
        this.settings = settings;
        this.scanShape = Map.copyOf(scanShape);
        this.console = console;
    }

    /** Runs the selected benchmarks; rows of combinations that failed are missing (see {@link #expectedRows}). */
    public List<Row> run() throws RunnerException {
        List<Row> rows = new ArrayList<>();
        if (settings.matmul()) {
            for (String backend : settings.backends()) {
                List<Integer> sizes = backend.equals("reference") ? settings.referenceMatmulSizes() : settings.matmulSizes();
                if (sizes.isEmpty()) continue;
                ChainedOptionsBuilder opts = base(MatmulBenchmark.class, "matmul")
                        .param("backend", backend)
                        .param("size", sizes.stream().map(String::valueOf).toArray(String[]::new));
                for (RunResult r : runner(opts).run()) {
                    int n = Integer.parseInt(r.getParams().getParam("size"));
                    Result<?> score = r.getPrimaryResult();
                    rows.add(new Row("matmul", backend, n + "x" + n + "x" + n, score.getScore(), score.getScoreError(),
                            score.getScore() * MatmulBenchmark.flopsPerOp(n) / 1e9, "GFLOP/s"));
                }
            }
        }
        if (settings.scan() && !settings.backends().isEmpty()) {
            ChainedOptionsBuilder opts = base(SelectiveScanBenchmark.class, "(forward|backward)")
                    .param("backend", settings.backends().toArray(String[]::new));
            scanShape.forEach(opts::param);
            Collection<RunResult> results = runner(opts).run();
            for (String backend : settings.backends()) {
                for (String method : List.of("forward", "backward")) {
                    for (RunResult r : results) {
                        if (!r.getParams().getParam("backend").equals(backend)
                                || !r.getParams().getBenchmark().endsWith("." + method)) {
                            continue;
                        }
                        int b = Integer.parseInt(r.getParams().getParam("batch"));
                        int t = Integer.parseInt(r.getParams().getParam("time"));
                        int d = Integer.parseInt(r.getParams().getParam("channels"));
                        int n = Integer.parseInt(r.getParams().getParam("states"));
                        Result<?> score = r.getPrimaryResult();
                        rows.add(new Row("scan." + method, backend, b + "x" + t + "x" + d + "x" + n, score.getScore(),
                                score.getScoreError(),
                                score.getScore() * SelectiveScanBenchmark.elementStatesPerOp(b, t, d, n) / 1e9,
                                "G elem·states/s"));
                    }
                }
            }
        }
        return rows;
    }

    /** How many rows a complete run produces, to detect failed combinations. */
    public int expectedRows() {
        int rows = 0;
        for (String backend : settings.backends()) {
            if (settings.matmul()) {
                rows += backend.equals("reference") ? settings.referenceMatmulSizes().size() : settings.matmulSizes().size();
            }
            if (settings.scan()) rows += 2;
        }
        return rows;
    }

    private Runner runner(ChainedOptionsBuilder options) {
        VerboseMode mode = settings.verbose() ? VerboseMode.NORMAL : VerboseMode.SILENT;
        Set<String> dropped = settings.verbose() ? Set.of() : Set.of(INCUBATOR_WARNING);
        PrintStream stream = new PrintStream(new LineFilterOutputStream(console, dropped), true, StandardCharsets.UTF_8);
        return new Runner(options.build(), OutputFormatFactory.createFormatInstance(stream, mode));
    }

    private ChainedOptionsBuilder base(Class<?> benchmark, String methods) {
        TimeValue time = TimeValue.milliseconds(Math.max(1, Math.round(settings.secondsPerIteration() * 1000)));
        return new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\." + methods + "$")
                .forks(settings.forks())
                .warmupIterations(settings.warmupIterations())
                .warmupTime(time)
                .measurementIterations(settings.iterations())
                .measurementTime(time)
                .threads(1)
                .shouldFailOnError(false)
                // The forked JVM needs the same module flags as this one; quiet unless asked.
                .jvmArgsAppend("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "--sun-misc-unsafe-memory-access=allow") // JMH's own use of Unsafe would warn on JDK 25
                .verbosity(settings.verbose() ? VerboseMode.NORMAL : VerboseMode.SILENT);
    }

    /** One line describing where the numbers come from: CPU model, cores, JVM, load, time (UTC). */
    public static String machineLine() {
        String cpu = "unknown CPU";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(cpu);
        } catch (IOException | UncheckedIOException e) {
            // not Linux: keep "unknown CPU"
        }
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "%s, %d cores, Java %s, load average %s, %s", cpu,
                Runtime.getRuntime().availableProcessors(), Runtime.version(),
                load < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", load),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /** Prints the rows as an aligned table. */
    public static void print(List<Row> rows, PrintWriter out) {
        out.printf(Locale.ROOT, "%-14s %-10s %-16s %14s %10s %14s  %s%n",
                "BENCHMARK", "BACKEND", "SIZE", "OPS/S", "±99.9%", "THROUGHPUT", "UNIT");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-14s %-10s %-16s %14.3f %10s %14.3f  %s%n", r.benchmark(), r.backend(), r.size(),
                    r.opsPerSecond(), Double.isNaN(r.opsError()) ? "n/a" : String.format(Locale.ROOT, "%.3f", r.opsError()),
                    r.derived(), r.derivedUnit());
        }
        out.flush();
    }
}
