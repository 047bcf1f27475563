package dev.speechmamba.cli;

import dev.speechmamba.lm.NgramLm;
import dev.speechmamba.transcribe.LanguageModelChoice;
import dev.speechmamba.transcribe.ModelSource;
import dev.speechmamba.transcribe.TranscribeOptions;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Which n-gram language model beam search fuses, and how strongly (shared by transcribe, eval and serve). */
final class LanguageModelOptions {
    @Option(names = "--lm", paramLabel = "FILE",
            description = "ARPA language model (.arpa or .arpa.gz, from train-lm) over the model's BPE pieces for beam "
                    + "search. Default: the model's own lm.arpa.gz when it has one (the bundled model does).")
    Path file;

    @Option(names = "--no-lm", description = "Beam search without a language model.")
    boolean none;

    @Option(names = "--lm-weight", paramLabel = "W", defaultValue = "" + TranscribeOptions.DEFAULT_LM_WEIGHT,
            description = "Weight of the LM's log-probabilities in beam search (default: ${DEFAULT-VALUE}).")
    double weight;

    /** {@code options} with this choice and weight; bad combinations are errors naming the options. */
    TranscribeOptions applyTo(TranscribeOptions options) throws IOException {
        validate(options.decoder() == TranscribeOptions.Decoder.BEAM);
        return options.withLanguageModel(choice()).withBeam(options.beam().withLmWeight(none ? 0 : weight));
    }

    /** The LM to use with a model on disk (for commands that load models themselves); empty for none. */
    Optional<NgramLm> load(Path modelPath) throws IOException {
        if (weight == 0) return Optional.empty();
        return choice().load(new ModelSource.Folder(modelPath, "--model"));
    }

    private LanguageModelChoice choice() {
        return none ? LanguageModelChoice.NONE : file != null ? new LanguageModelChoice.File(file) : LanguageModelChoice.MODELS_OWN;
    }

    /** One phrase for logs: which LM and weight, or "no LM". */
    static String describe(Optional<NgramLm> lm, String origin, double weight) {
        return lm.map(m -> String.format(Locale.ROOT, "LM %s (%d-gram), weight %.2f", origin, m.order(), weight)).orElse("no LM");
    }

    String origin(Path modelPath) {
        return file != null ? file.toString() : modelPath == null ? "bundled" : "of the model";
    }

    void validate(boolean beamSearch) throws IOException {
        if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("--lm-weight must be a number >= 0, got " + weight);
        if (none && file != null) throw new IllegalArgumentException("give --lm FILE or --no-lm, not both");
        if (file != null && !beamSearch) throw new IllegalArgumentException("--lm needs beam search (the CTC greedy decoder uses no LM)");
        if (file != null && !Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "--lm: no such language model file");
    }
}
