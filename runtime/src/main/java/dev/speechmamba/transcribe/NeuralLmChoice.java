package dev.speechmamba.transcribe;

import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which neural language model ({@link dev.speechmamba.model.NeuralLm}) beam search fuses beside the n-gram LM: the
 * model's own ({@code nlm.safetensors} in its folder, or beside the bundled model), a file, or none.
 */
public sealed interface NeuralLmChoice {
    /** The model's own neural LM when it has one, else none. */
    record ModelsOwn() implements NeuralLmChoice { }

    /** No neural LM. */
    record None() implements NeuralLmChoice { }

    /** A weights file written by {@code train-neural-lm}. */
    record File(Path path) implements NeuralLmChoice {
        public File {
            if (path == null) throw new IllegalArgumentException("neural LM file: null path");
        }
    }

    NeuralLmChoice MODELS_OWN = new ModelsOwn();
    NeuralLmChoice NONE = new None();

    /** The weights this choice names for a model from {@code source}; empty for none. */
    default Optional<Checkpoint> load(ModelSource source) throws IOException {
        return switch (this) {
            case None none -> Optional.empty();
            case ModelsOwn own -> source.neuralLanguageModel();
            case File file -> Optional.of(Checkpoint.load(file.path()));
        };
    }
}
