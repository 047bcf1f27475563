package dev.speechmamba.trainer;

import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model a run starts from with {@code train --init-from}: fine-tuning, or continuing a model on a larger
 * corpus. Its tokenizer and CMVN statistics become the run's (a model only understands the token ids and the
 * feature scale it was trained with), its config must be the run's up to dropout, and only its weights are taken:
 * the optimizer, the schedule and the data order start fresh.
 */
final class InitialModel {
    private final Path file;
    private final Checkpoint checkpoint;
    private final BpeTokenizer tokenizer;
    private final GlobalCmvn cmvn;
    private final ModelConfig config;

    private InitialModel(Path file, Checkpoint checkpoint, BpeTokenizer tokenizer, GlobalCmvn cmvn, ModelConfig config) {
        this.file = file;
        this.checkpoint = checkpoint;
        this.tokenizer = tokenizer;
        this.cmvn = cmvn;
        this.config = config;
    }

    /** Reads a model file, a training folder's model, or a checkpoint; any problem names the file. */
    static InitialModel read(Path path) {
        Path file = ModelBundle.resolve(path);
        Checkpoint ckpt = ModelBundle.readCheckpoint(file);
        ModelConfig cfg = ModelBundle.configOf(ckpt, file);
        String tok = ckpt.metadata().get(Checkpoint.TOKENIZER);
        String stats = ckpt.metadata().get(Artifacts.CMVN);
        if (tok == null || stats == null) {
            throw new IllegalArgumentException(file + ": cannot start from this model: it has no "
                    + (tok == null ? "tokenizer (metadata '" + Checkpoint.TOKENIZER + "')" : "CMVN statistics (metadata '"
                    + Artifacts.CMVN + "')"));
        }
        try {
            return new InitialModel(file, ckpt, BpeTokenizer.fromJson(tok, file + " (stored tokenizer)"),
                    GlobalCmvn.fromJson(stats, file + " (stored CMVN statistics)"), cfg);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    Path file() { return file; }

    /**
     * Writes the model's tokenizer and CMVN statistics into the output folder, or checks that the ones already
     * there are the same; a folder prepared for another model is refused rather than overwritten.
     */
    void adoptArtifacts(Path tokenizerFile, Path cmvnFile) throws IOException {
        adopt(tokenizerFile, tokenizer.toJson(), f -> BpeTokenizer.load(f).toJson(), "tokenizer mismatch: it is not the tokenizer");
        adopt(cmvnFile, cmvn.toJson(), f -> GlobalCmvn.load(f).toJson(), "CMVN mismatch: these are not the statistics");
    }

    private interface CanonicalJson {
        String read(Path file) throws IOException;
    }

    private void adopt(Path file, String json, CanonicalJson existing, String mismatch) throws IOException {
        if (!Files.exists(file)) {
            Artifacts.writeAtomically(file, json);
        } else if (!existing.read(file).equals(json)) {
            throw new IllegalArgumentException(file + ": " + mismatch + " of --init-from " + this.file + "; choose a new --out folder");
        }
    }

    /**
     * The run's config must be the model's, up to dropout (it holds no weights) and more layers: a run may grow the
     * model by appending encoder or decoder layers ({@link AsrModel#growFrom}).
     */
    void requireConfig(ModelConfig runConfig) {
        if (config.withDropout(runConfig.dropout()).equals(runConfig)) return;
        String mismatch = config.growthMismatch(runConfig);
        if (mismatch != null) {
            throw new IllegalArgumentException(file + ": config/checkpoint mismatch: --init-from model is " + config
                    + " but this run asks for " + runConfig + " (pass the --config it was trained with, or one that"
                    + " only adds encoder or decoder layers to it)");
        }
    }

    /**
     * Loads the weights into {@code model} (whose config {@link #requireConfig} accepted: dropout may differ),
     * growing them into its extra layers if it has any; returns what was done, for the log.
     */
    String loadInto(AsrModel model) {
        try {
            return "started from the weights of " + file + model.growFrom(checkpoint).map(grew -> ": " + grew).orElse("");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": config/checkpoint mismatch: " + e.getMessage(), e);
        }
    }
}
