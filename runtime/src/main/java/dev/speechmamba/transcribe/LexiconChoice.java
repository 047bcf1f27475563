package dev.speechmamba.transcribe;

import dev.speechmamba.lm.Lexicon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which lexicon beam search charges unknown words against (see {@link dev.speechmamba.lm.LexiconScorer}): the
 * model's own ({@code lexicon.txt.gz} or {@code lexicon.txt} in its folder, or beside the bundled model), a word
 * list on disk, or none. CTC greedy decoding never uses one.
 */
public sealed interface LexiconChoice {
    /** The model's own lexicon when it has one, else none. */
    record ModelsOwn() implements LexiconChoice { }

    /** No lexicon. */
    record None() implements LexiconChoice { }

    /** A word list (one word per line, plain or .gz; any list such as /usr/share/dict/words). */
    record File(Path path) implements LexiconChoice {
        public File {
            if (path == null) throw new IllegalArgumentException("lexicon file: null path");
        }
    }

    LexiconChoice MODELS_OWN = new ModelsOwn();
    LexiconChoice NONE = new None();

    /** The lexicon this choice names for a model from {@code source}; empty for none. */
    default Optional<Lexicon> load(ModelSource source) throws IOException {
        return switch (this) {
            case None none -> Optional.empty();
            case ModelsOwn own -> source.lexicon();
            case File file -> Optional.of(Lexicon.read(file.path()));
        };
    }
}
