package dev.speechmamba.cli;

import dev.speechmamba.backend.Backends;
import dev.speechmamba.bench.KernelBenchmarks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bench}: groups the benchmark commands. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run benchmarks.",
        subcommands = {BenchCommand.Kernels.class, ScalingBenchCommand.class, TrainStepBenchCommand.class})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.EXIT_USAGE;
    }

    /** {@code bench kernels}: JMH kernel benchmarks with short defaults, printed as one table. */
    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = {"Benchmark matmul (GFLOP/s) and the selective scan (element·states/s) through JMH and "
                    + "print a table.",
                    "The reference backend runs only the smaller matmuls. A default run takes about a minute."})
    static final class Kernels implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--backends", split = ",", paramLabel = "NAME",
                description = "Backends to measure: reference, cpu, cuda. Default: reference and cpu, plus cuda "
                        + "when a GPU is usable.")
        List<String> backends;

        @Option(names = "--only", paramLabel = "KIND",
                description = "Run only one kind: matmul or scan.")
        String only;

        @Option(names = "--sizes", split = ",", paramLabel = "N",
                description = "Matmul sizes n (n×n×n). Default: ${DEFAULT-VALUE}.")
        List<Integer> sizes = List.of(256, 512, 1024);

        @Option(names = "--reference-sizes", split = ",", paramLabel = "N",
                description = "Matmul sizes for the slow reference backend. Default: ${DEFAULT-VALUE}.")
        List<Integer> referenceSizes = List.of(256, 512);

        @Option(names = "--forks", paramLabel = "N", description = "JMH forks (0 = run in this JVM). Default: ${DEFAULT-VALUE}.")
        int forks = 1;

        @Option(names = "--warmup", paramLabel = "N", description = "Warm-up iterations. Default: ${DEFAULT-VALUE}.")
        int warmup = 2;

        @Option(names = "--iterations", paramLabel = "N", description = "Measured iterations. Default: ${DEFAULT-VALUE}.")
        int iterations = 3;

        @Option(names = "--seconds", paramLabel = "S", description = "Seconds per iteration. Default: ${DEFAULT-VALUE}.")
        double seconds = 1.0;

        @Override
        public Integer call() throws Exception {
            boolean matmul = only == null || only.equals("matmul");
            boolean scan = only == null || only.equals("scan");
            if (!matmul && !scan) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--only must be matmul or scan, got '" + only + "'");
            }
            boolean verbose = ((Main) spec.root().userObject()).verbose();
            if (backends == null) {
                backends = Backends.cudaUsable() ? List.of("reference", "cpu", "cuda") : List.of("reference", "cpu");
            }
            KernelBenchmarks.Settings settings;
            try {
                settings = new KernelBenchmarks.Settings(forks, warmup, iterations, seconds, backends, sizes,
                        referenceSizes, matmul, scan, verbose);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            KernelBenchmarks benchmarks = new KernelBenchmarks(settings, Map.of(), out);
            int count = benchmarks.expectedRows();
            out.printf("Running %d kernel benchmark%s through JMH (forks %d, %d warm-up + %d × %.1f s)...%n",
                    count, count == 1 ? "" : "s", forks, warmup, iterations, seconds);
            out.flush();
            List<KernelBenchmarks.Row> rows = benchmarks.run();
            KernelBenchmarks.print(rows, out);
            out.println("# " + KernelBenchmarks.machineLine());
            out.flush();
            int missing = benchmarks.expectedRows() - rows.size();
            if (missing > 0) {
                throw new IllegalStateException(missing + " of " + benchmarks.expectedRows()
                        + " benchmarks failed (a backend operation threw); rerun with --verbose to see JMH's output");
            }
            return 0;
        }
    }
}
