package dev.speechmamba.cli;

import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void versionNamesTheProjectAndTheJvm() {
        CliRun r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().matches("(?s)speech-mamba \\d+\\.\\d+\\.\\d+\\S*\\RJava 25.*"), r.out());
    }

    @Test
    void helpWorksOnEveryCommand() {
        // every registered command, nested ones included, so a new command cannot miss its --help
        java.util.List<String[]> commands = new java.util.ArrayList<>();
        commands.add(new String[] {"--help"});
        collect(new picocli.CommandLine(new Main()), new java.util.ArrayList<>(), commands);
        assertTrue(commands.size() >= 16, "all commands found: " + commands.size());
        for (String[] args : commands) {
            CliRun r = run(args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().contains("Usage:"), String.join(" ", args) + ": " + r.out());
        }
        CliRun top = run("--help");
        for (String sub : new String[] {"backends", "bench", "demo", "synth-corpus", "long-form", "fbank", "train-bpe",
                "model-info", "train", "eval", "average", "transcribe", "serve"}) {
            assertTrue(top.out().contains(sub), top.out());
        }
    }

    private static void collect(picocli.CommandLine cl, java.util.List<String> path, java.util.List<String[]> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            java.util.List<String> p = new java.util.ArrayList<>(path);
            p.add(e.getKey());
            java.util.List<String> withHelp = new java.util.ArrayList<>(p);
            withHelp.add("--help");
            out.add(withHelp.toArray(new String[0]));
            collect(e.getValue(), p, out);
        }
    }

    @Test
    void usageErrorsPrintOneLineAndExitTwo() {
        CliRun r = run("--no-such-option");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().startsWith("speech-mamba: error: Unknown option: '--no-such-option'"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());

        CliRun bad = run("bench", "kernels", "--only", "fft");
        assertEquals(Main.EXIT_USAGE, bad.code());
        assertTrue(bad.err().startsWith("speech-mamba: error: --only must be matmul or scan, got 'fft'"), bad.err());

        CliRun badNumber = run("bench", "kernels", "--iterations", "0");
        assertEquals(Main.EXIT_USAGE, badNumber.code());
        assertTrue(badNumber.err().contains("iterations must be >= 1"), badNumber.err());
    }

    @Test
    void runtimeFailuresExitOneWithStackTraceOnlyWhenVerbose() {
        // CUDA is not usable in the unit-test JVM's sense when it has no device; the benchmark then fails.
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.speechmamba.backend.Backends.cudaUsable(),
                "this check needs a machine without a usable GPU");
        String[] args = {"bench", "kernels", "--backends", "cuda", "--only", "matmul", "--sizes", "4", "--forks", "0",
                "--warmup", "0", "--iterations", "1", "--seconds", "0.01"};
        CliRun quiet = run(args);
        assertEquals(Main.EXIT_FAILURE, quiet.code(), quiet.err());
        assertTrue(quiet.err().contains("speech-mamba: error: 1 of 1 benchmarks failed"), quiet.err());
        assertFalse(quiet.err().contains("\tat "), quiet.err());

        String[] verboseArgs = new String[args.length + 1];
        verboseArgs[0] = "--verbose";
        System.arraycopy(args, 0, verboseArgs, 1, args.length);
        CliRun verbose = run(verboseArgs);
        assertEquals(Main.EXIT_FAILURE, verbose.code());
        assertTrue(verbose.err().contains("\tat "), "stack trace expected with --verbose: " + verbose.err());
    }

    @Test
    void backendsListsAllThreeAndWhatAutoPicks() {
        CliRun r = run("backends");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("reference") && r.out().contains("cpu") && r.out().contains("cuda"), r.out());
        assertTrue(r.out().contains("auto -> "), r.out());
    }

    @Test
    void describeAddsTheRootCause() {
        Exception e = new IllegalStateException("loading failed", new java.io.IOException("disk on fire"));
        assertEquals("loading failed (caused by IOException: disk on fire)", Main.describe(e));
        assertEquals("NullPointerException", Main.describe(new NullPointerException()));
        Throwable jni = new UnsatisfiedLinkError("Error while loading native library \"X\"\nStack trace:\n\tat a.b(C.java:1)");
        assertEquals("Error while loading native library \"X\"", Main.describe(jni));
    }
}
