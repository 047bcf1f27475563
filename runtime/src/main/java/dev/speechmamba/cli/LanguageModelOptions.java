package dev.speechmamba.cli;

import dev.speechmamba.lm.Lexicon;
import dev.speechmamba.lm.NgramLm;
import dev.speechmamba.model.NeuralLm;
import dev.speechmamba.train.Checkpoint;
import dev.speechmamba.transcribe.LanguageModelChoice;
import dev.speechmamba.transcribe.LexiconChoice;
import dev.speechmamba.transcribe.ModelSource;
import dev.speechmamba.transcribe.NeuralLmChoice;
import dev.speechmamba.transcribe.TranscribeOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Which n-gram language model and neural language model beam search fuses and which lexicon it charges unknown
 * words against, and how strongly (shared by transcribe, eval and serve).
 */
final class LanguageModelOptions {
    @Option(names = "--lm", paramLabel = "FILE",
            description = "Language model over the model's BPE pieces for beam search, from train-lm or convert-lm: "
                    + "compact (.smlm) or ARPA (.arpa, .arpa.gz). Default: the model's own lm.smlm (or lm.arpa.gz) when it "
                    + "has one (the bundled model does).")
    Path file;

    @Option(names = "--no-lm", description = "Beam search without a language model.")
    boolean none;

    @Option(names = "--lm-weight", paramLabel = "W", defaultValue = "" + TranscribeOptions.DEFAULT_LM_WEIGHT,
            description = "Weight of the LM's log-probabilities in beam search (default: ${DEFAULT-VALUE}; "
                    + TranscribeOptions.DEFAULT_LM_WEIGHT_BESIDE_NEURAL_LM + " beside a neural LM).")
    double weight;

    @Option(names = "--lexicon", paramLabel = "FILE",
            description = "Word list (one word per line, plain or .gz, e.g. /usr/share/dict/words) whose words beam search "
                    + "prefers: each word of a hypothesis that is not in it costs --unknown-word-penalty. Default: the "
                    + "model's own lexicon.txt.gz when it has one (the bundled model does).")
    Path lexiconFile;

    @Option(names = "--no-lexicon", description = "Beam search without a lexicon.")
    boolean noLexicon;

    @Option(names = "--unknown-word-penalty", paramLabel = "P", defaultValue = "" + TranscribeOptions.DEFAULT_UNKNOWN_WORD_PENALTY,
            description = "Score taken from a hypothesis for each word it spells that the lexicon lacks (default: ${DEFAULT-VALUE}; "
                    + "0 = no lexicon).")
    double unknownWordPenalty;

    @Option(names = "--neural-lm", paramLabel = "FILE",
            description = "Neural language model over the model's BPE pieces (from train-neural-lm) that beam search fuses beside "
                    + "the n-gram LM. Default: the model's own nlm.safetensors when it has one.")
    Path neuralFile;

    @Option(names = "--no-neural-lm", description = "Beam search without a neural language model (faster on a CPU; the LM weight "
            + "and length bonus then default to the values tuned without one).")
    boolean noNeural;

    @Option(names = "--neural-lm-weight", paramLabel = "W", defaultValue = "" + TranscribeOptions.DEFAULT_NEURAL_LM_WEIGHT,
            description = "Weight of the neural LM's log-probabilities in beam search, beside --lm-weight (default: ${DEFAULT-VALUE}).")
    double neuralWeight;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** {@code options} with these choices and weights; bad combinations are errors naming the options. */
    TranscribeOptions applyTo(TranscribeOptions options) throws IOException {
        validate(options.decoder() == TranscribeOptions.Decoder.BEAM);
        return options.withLanguageModel(choice()).withLexicon(lexiconChoice()).withNeuralLm(neuralChoice())
                .withBeam(options.beam().withLmWeight(none ? 0 : weight).withUnknownWordPenalty(noLexicon ? 0 : unknownWordPenalty)
                        .withNeuralLmWeight(noNeural ? 0 : neuralWeight))
                .withFusionDefaults(fusionDefaults());
    }

    /**
     * Which of --lm-weight and the command's --length-bonus and --ctc-weight were left at their defaults, and so take the values tuned
     * beside a neural LM when one is fused.
     */
    TranscribeOptions.FusionDefaults fusionDefaults() {
        var parsed = command.commandLine().getParseResult();
        return new TranscribeOptions.FusionDefaults(!parsed.hasMatchedOption("--lm-weight"), !parsed.hasMatchedOption("--length-bonus"),
                !parsed.hasMatchedOption("--ctc-weight"));
    }

    /** The neural LM's weights to use with a model on disk (for commands that load models themselves); empty for none. */
    Optional<Checkpoint> loadNeural(Path modelPath) throws IOException {
        if (neuralWeight == 0) return Optional.empty();
        return neuralChoice().load(new ModelSource.Folder(modelPath, "--model"));
    }

    /** The neural LM weight beam search should use with {@code neural}: 0 without one. */
    double neuralWeightFor(Optional<?> neural) { return neural.isPresent() ? neuralWeight : 0; }

    private NeuralLmChoice neuralChoice() {
        return noNeural ? NeuralLmChoice.NONE : neuralFile != null ? new NeuralLmChoice.File(neuralFile) : NeuralLmChoice.MODELS_OWN;
    }

    /** One phrase for logs: which neural LM and weight, or "no neural LM". */
    static String describeNeural(Optional<NeuralLm> lm, String origin, double weight) {
        return lm.map(m -> String.format(Locale.ROOT, "neural LM %s (%d layers, d=%d), weight %.2f", origin, m.config().layers(),
                m.config().dModel(), weight)).orElse("no neural LM");
    }

    String neuralOrigin(Path modelPath) { return originOf(neuralFile, modelPath); }

    /** The LM to use with a model on disk (for commands that load models themselves); empty for none. */
    Optional<NgramLm> load(Path modelPath) throws IOException {
        if (weight == 0) return Optional.empty();
        return choice().load(new ModelSource.Folder(modelPath, "--model"));
    }

    /** The lexicon to use with a model on disk (for commands that load models themselves); empty for none. */
    Optional<Lexicon> loadLexicon(Path modelPath) throws IOException {
        if (unknownWordPenalty == 0) return Optional.empty();
        return lexiconChoice().load(new ModelSource.Folder(modelPath, "--model"));
    }

    /** The unknown-word penalty beam search should use with {@code lexicon}: 0 without one. */
    double penaltyFor(Optional<Lexicon> lexicon) { return lexicon.isPresent() ? unknownWordPenalty : 0; }

    private LexiconChoice lexiconChoice() {
        return noLexicon ? LexiconChoice.NONE : lexiconFile != null ? new LexiconChoice.File(lexiconFile) : LexiconChoice.MODELS_OWN;
    }

    private LanguageModelChoice choice() {
        return none ? LanguageModelChoice.NONE : file != null ? new LanguageModelChoice.File(file) : LanguageModelChoice.MODELS_OWN;
    }

    /** One phrase for logs: which LM and weight, or "no LM". */
    static String describe(Optional<NgramLm> lm, String origin, double weight) {
        return lm.map(m -> String.format(Locale.ROOT, "LM %s (%d-gram), weight %.2f", origin, m.order(), weight)).orElse("no LM");
    }

    /** One phrase for logs: which lexicon and penalty, or "no lexicon". */
    static String describeLexicon(Optional<Lexicon> lexicon, String origin, double penalty) {
        return lexicon.map(l -> String.format(Locale.ROOT, "lexicon %s (%,d words), unknown-word penalty %.2f", origin, l.size(), penalty))
                .orElse("no lexicon");
    }

    String lexiconOrigin(Path modelPath) { return originOf(lexiconFile, modelPath); }

    String origin(Path modelPath) { return originOf(file, modelPath); }

    /** Where a file option's file comes from, for logs: the file given, else the bundled model's or the model folder's. */
    private static String originOf(Path given, Path modelPath) {
        return given != null ? given.toString() : modelPath == null ? "bundled" : "of the model";
    }

    void validate(boolean beamSearch) throws IOException {
        requireWeight("--lm-weight", weight);
        requireWeight("--unknown-word-penalty", unknownWordPenalty);
        requireWeight("--neural-lm-weight", neuralWeight);
        checkFile("--lm", file, "--no-lm", none, beamSearch, "LM", "no such language model file");
        checkFile("--neural-lm", neuralFile, "--no-neural-lm", noNeural, beamSearch, "LM", "no such neural language model file");
        checkFile("--lexicon", lexiconFile, "--no-lexicon", noLexicon, beamSearch, "lexicon", "no such word list");
    }

    private static void requireWeight(String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) throw new IllegalArgumentException(option + " must be a number >= 0, got " + value);
    }

    /** The checks every file option of beam search shares: not with its --no- option, only with beam search, and present. */
    private static void checkFile(String option, Path given, String noOption, boolean no, boolean beamSearch, String decoderLacks,
                                  String missing) throws IOException {
        if (given == null) return;
        if (no) throw new IllegalArgumentException("give " + option + " FILE or " + noOption + ", not both");
        if (!beamSearch) throw new IllegalArgumentException(option + " needs beam search (the CTC greedy decoder uses no " + decoderLacks + ")");
        if (!Files.isRegularFile(given)) throw new NoSuchFileException(given.toString(), null, option + ": " + missing);
    }
}
