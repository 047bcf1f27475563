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

/** {@code speech-mamba average}: averages the last k training checkpoints into an exported model. */
@Command(name = "average", mixinStandardHelpOptions = true,
        description = {"Average the weights of the newest K checkpoints of a training folder into a model file "
                + "(weights, config, tokenizer and CMVN; no optimizer state)."})
public final class AverageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Training output folder (with checkpoints/).")
    Path dir;

    @Option(names = "--last", required = true, paramLabel = "K", description = "How many of the newest checkpoints to average.")
    int last;

    @Option(names = "--output", paramLabel = "FILE", description = "Model file to write (default: DIR/model.safetensors).")
    Path output;

    @Option(names = "--bf16", description = "Store the weights as BF16 (half the size; loading widens them to float32). "
            + "For shipping a model, e.g. the bundled default one.")
    boolean bf16;

    @Override
    public Integer call() throws Exception {
        Path target = output != null ? output : dir.resolve(ModelBundle.MODEL_FILE);
        List<Path> used = new CheckpointStore(dir).exportAverage(last, target, bf16);
        PrintWriter out = spec.commandLine().getOut();
        out.println("averaged " + used.size() + " checkpoint" + (used.size() == 1 ? "" : "s") + " ("
                + String.join(", ", used.stream().map(p -> p.getFileName().toString()).toList()) + ") -> " + target
                + (bf16 ? " (BF16 weights)" : ""));
        if (used.size() < last) out.println("note: only " + used.size() + " checkpoints exist (asked " + last + ")");
        out.flush();
        return 0;
    }
}
