package dev.speechmamba.cli;

import dev.speechmamba.trainer.CheckpointStore;
import dev.speechmamba.trainer.ModelBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code speech-mamba average}: averages the last k training checkpoints, or given model files, into an exported
 * model.
 */
@Command(name = "average", mixinStandardHelpOptions = true,
        description = {"Average the weights of the newest K checkpoints of a training folder into a model file "
                + "(weights, config, tokenizer and CMVN; no optimizer state). With --models, average model files of "
                + "one config weight for weight instead (e.g. a fine-tuned model and the one it started from)."})
public final class AverageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Training output folder (with checkpoints/).")
    Path dir;

    @Option(names = "--last", paramLabel = "K", description = "How many of the newest checkpoints to average (with --model).")
    Integer last;

    @Option(names = "--models", paramLabel = "FILE", arity = "2..*", description = "Instead of --model: two or more model "
            + "files (or checkpoints) of one config, tokenizer and CMVN to average; needs --output.")
    List<Path> models;

    @Option(names = "--output", paramLabel = "FILE", description = "Model file to write (default: DIR/model.safetensors).")
    Path output;

    @Option(names = "--bf16", description = "Store the weights as BF16 (half the size; loading widens them to float32). "
            + "For shipping a model, e.g. the bundled default one.")
    boolean bf16;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (models != null) {
            if (dir != null || last != null) throw new IllegalArgumentException("average: give --models FILE... or --model DIR --last K, not both");
            if (output == null) throw new IllegalArgumentException("average --models: --output FILE is required");
            for (Path m : models) {
                if (output.toAbsolutePath().normalize().equals(m.toAbsolutePath().normalize())) {
                    throw new IllegalArgumentException("average --models: --output " + output + " is one of the models to average; write elsewhere");
                }
            }
            CheckpointStore.exportModelAverage(models, output, bf16);
            out.println("averaged " + models.size() + " models (" + String.join(", ", models.stream().map(Path::toString).toList())
                    + ") -> " + output + (bf16 ? " (BF16 weights)" : ""));
            out.flush();
            return 0;
        }
        if (dir == null || last == null) throw new IllegalArgumentException("average: give --model DIR --last K (or --models FILE... --output FILE)");
        Path target = output != null ? output : dir.resolve(ModelBundle.MODEL_FILE);
        List<Path> used = new CheckpointStore(dir).exportAverage(last, target, bf16);
        out.println("averaged " + used.size() + " checkpoint" + (used.size() == 1 ? "" : "s") + " ("
                + String.join(", ", used.stream().map(p -> p.getFileName().toString()).toList()) + ") -> " + target
                + (bf16 ? " (BF16 weights)" : ""));
        if (used.size() < last) out.println("note: only " + used.size() + " checkpoints exist (asked " + last + ")");
        out.flush();
        return 0;
    }
}
