package dev.speechmamba.cli;

import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.model.ModelSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Builds a model from a config and prints its layer table and parameter count. */
@Command(name = "model-info", mixinStandardHelpOptions = true,
        description = "Print a model's layer table (name, shape, parameters) and its parameter count.")
final class ModelInfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "NAME|FILE.json", completionCandidates = NamedConfigs.class,
            description = "A named config (${COMPLETION-CANDIDATES}) or a JSON config file.")
    String config;

    @Option(names = "--vocab", paramLabel = "V", description = "Override the vocabulary size (e.g. a tokenizer's).")
    Integer vocab;

    @Option(names = "--all-layers", description = "List every layer instead of folding repeated layers.")
    boolean allLayers;

    @Option(names = "--json", description = "Print the resolved config as JSON after the table.")
    boolean json;

    @Override
    public Integer call() {
        ModelConfig cfg = ModelConfig.resolve(config);
        if (vocab != null) cfg = cfg.withVocabSize(vocab);
        PrintWriter out = spec.commandLine().getOut();
        // The weights are built for real (on the host) so the table is the model's own, not a formula.
        try (AsrModel model = new AsrModel(new ReferenceBackend(), cfg, 0)) {
            out.print(ModelSummary.of(model).format(allLayers));
        }
        if (json) out.println(cfg.toJson());
        out.flush();
        return 0;
    }
}
