package dev.speechmamba.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Entry point of the {@code speech-mamba} command line. Every subcommand answers {@code --help};
 * a failure prints one line {@code speech-mamba: error: ...} to stderr and exits 1 (usage errors
 * exit 2), with the stack trace only under {@code --verbose}.
 */
@Command(name = "speech-mamba",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Speech-Mamba speech recognition on the JVM (CPU and CUDA backends).",
        subcommands = {BackendsCommand.class, BenchCommand.class, DemoCommand.class, FbankCommand.class,
                ModelInfoCommand.class, SynthCorpusCommand.class, LongFormCommand.class, MergeManifestsCommand.class,
                TrainBpeCommand.class, TrainLmCommand.class, TrainNeuralLmCommand.class, ConvertLmCommand.class,
                TranscribeCommand.class, AdaptCommand.class, TrainCommand.class, EvalCommand.class, AverageCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    /** Exit code of a command that failed while running. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a command line that could not be parsed. */
    public static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces and extra diagnostics.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // No subcommand: show what exists rather than doing nothing silently.
        spec.commandLine().usage(spec.commandLine().getOut());
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given streams and returns its exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        addHelpEverywhere(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, ignoredArgs) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("speech-mamba: error: " + ex.getMessage());
            failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for usage.");
            failed.getErr().flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            failed.getErr().println("speech-mamba: error: " + describe(ex));
            if (main.verbose) ex.printStackTrace(failed.getErr());
            failed.getErr().flush();
            return EXIT_FAILURE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** Gives every command --help and --version, including ones that did not ask for them. */
    private static void addHelpEverywhere(CommandLine command) {
        command.getCommandSpec().mixinStandardHelpOptions(true);
        for (CommandLine sub : command.getSubcommands().values()) {
            if (!(sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand)) addHelpEverywhere(sub);
        }
    }

    /** Whether --verbose was given (for commands that print extra diagnostics). */
    public boolean verbose() { return verbose; }

    /** One line for the user: the message's first line (or the exception type), plus the root cause's. */
    static String describe(Throwable ex) {
        String message = ex.getMessage() != null ? firstLine(ex.getMessage()) : ex.getClass().getSimpleName();
        Throwable root = ex;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root != ex && root.getMessage() != null && !message.contains(firstLine(root.getMessage()))) {
            message += " (caused by " + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
        }
        return message;
    }

    /** Native-library errors carry whole stack traces in their messages; the first line says what failed. */
    private static String firstLine(String text) {
        String stripped = text.strip();
        int end = stripped.indexOf('\n');
        return (end < 0 ? stripped : stripped.substring(0, end)).strip();
    }
}
