package dev.speechmamba.trainer;

import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Helpers for the files that travel with a model: atomic text writes and the vocabulary agreement check
 * between a tokenizer and a model config. Tokenizer and CMVN statistics go into checkpoint metadata as their
 * own JSON ({@code toJson}/{@code fromJson}).
 */
public final class Artifacts {
    /** Checkpoint metadata key of the CMVN statistics JSON. */
    public static final String CMVN = "cmvn";

    private Artifacts() { }

    /** Writes text to {@code file} atomically (temp file in the same folder, then a rename). */
    public static void writeAtomically(Path file, String text) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Fails unless the tokenizer's ids are the model's (see {@link ModelConfig#requireVocabulary}). */
    public static void requireSameVocabulary(ModelConfig cfg, BpeTokenizer tokenizer, String source) {
        cfg.requireVocabulary(tokenizer.vocabSize(), tokenizer.blankId(), tokenizer.sosEosId(), source);
    }
}
