package dev.speechmamba.transcribe;

import dev.speechmamba.lm.NgramLm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which n-gram language model beam search fuses (see {@link dev.speechmamba.lm.TokenLanguageModel}): the model's
 * own ({@code lm.smlm}, {@code lm.arpa.gz} or {@code lm.arpa} in its folder, or the bundled one beside the bundled
 * model), a file,
 * or none. CTC greedy decoding never uses one.
 */
public sealed interface LanguageModelChoice {
    /** The model's own LM when it has one, else none. */
    record ModelsOwn() implements LanguageModelChoice { }

    /** No LM. */
    record None() implements LanguageModelChoice { }

    /** A compact (.smlm) or ARPA (plain or .gz) file over the model's BPE pieces. */
    record File(Path path) implements LanguageModelChoice {
        public File {
            if (path == null) throw new IllegalArgumentException("language model file: null path");
        }
    }

    LanguageModelChoice MODELS_OWN = new ModelsOwn();
    LanguageModelChoice NONE = new None();

    /** The LM this choice names for a model from {@code source}; empty for none. */
    default Optional<NgramLm> load(ModelSource source) throws IOException {
        return switch (this) {
            case None none -> Optional.empty();
            case ModelsOwn own -> source.languageModel();
            case File file -> Optional.of(NgramLm.read(file.path()));
        };
    }
}
