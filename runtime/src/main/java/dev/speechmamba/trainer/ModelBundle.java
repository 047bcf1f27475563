package dev.speechmamba.trainer;

import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model ready for inference: weights with their config, the tokenizer and the CMVN statistics, all read
 * from one safetensors file (an exported {@code model.safetensors} or a training checkpoint). Every way the
 * file can be wrong (unreadable, no config, config that does not fit the weights, tokenizer that does not fit
 * the vocabulary, missing CMVN) is one {@link IllegalArgumentException} naming the file and the problem.
 */
public record ModelBundle(AsrModel model, BpeTokenizer tokenizer, GlobalCmvn cmvn, Path file) implements AutoCloseable {
    /** File name of the exported model inside a training output folder. */
    public static final String MODEL_FILE = "model.safetensors";

    /** {@code path} is a model file, or a folder holding {@value #MODEL_FILE}. */
    public static Path resolve(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(MODEL_FILE) : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no model file here"
                    + (Files.isDirectory(path) ? " (train one with 'speech-mamba train --out " + path + "')" : ""));
        }
        return file;
    }

    /** Loads the model at {@code path} (file or folder) onto {@code backend}. */
    public static ModelBundle load(Path path, Backend backend) {
        Path file = resolve(path);
        Checkpoint ckpt = readCheckpoint(file);
        ModelConfig cfg = configOf(ckpt, file);
        BpeTokenizer tokenizer;
        GlobalCmvn cmvn;
        try {
            String tok = ckpt.metadata().get(Checkpoint.TOKENIZER);
            if (tok == null) throw new IllegalArgumentException(file + ": the model has no tokenizer (metadata '" + Checkpoint.TOKENIZER + "')");
            tokenizer = BpeTokenizer.fromJson(tok, file + " (stored tokenizer)");
            String stats = ckpt.metadata().get(Artifacts.CMVN);
            if (stats == null) throw new IllegalArgumentException(file + ": the model has no CMVN statistics (metadata '" + Artifacts.CMVN + "')");
            cmvn = GlobalCmvn.fromJson(stats, file + " (stored CMVN statistics)");
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Artifacts.requireSameVocabulary(cfg, tokenizer, file.toString());
        if (cmvn.dims() != cfg.featureDim()) {
            throw new IllegalArgumentException(file + ": CMVN statistics have " + cmvn.dims() + " dims but the model reads "
                    + cfg.featureDim() + " fbank bins");
        }
        return new ModelBundle(modelFrom(backend, cfg, ckpt, file), tokenizer, cmvn, file);
    }

    /** Reads a checkpoint; any read failure becomes one message naming the file. */
    public static Checkpoint readCheckpoint(Path file) {
        try {
            return Checkpoint.load(file);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new IllegalArgumentException(file + ": unreadable checkpoint: " + why.replace(file + ": ", ""), e);
        }
    }

    /** The config stored in a checkpoint. */
    public static ModelConfig configOf(Checkpoint ckpt, Path file) {
        String json = ckpt.config().orElseThrow(() -> new IllegalArgumentException(file
                + ": not a speech-mamba model: no model config in the metadata ('" + Checkpoint.CONFIG + "')"));
        try {
            return ModelConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": stored model config is invalid: " + e.getMessage(), e);
        }
    }

    /** Builds {@code cfg}'s model and loads the checkpoint's weights; a shape mismatch names the file. */
    public static AsrModel modelFrom(Backend backend, ModelConfig cfg, Checkpoint ckpt, Path file) {
        AsrModel model = new AsrModel(backend, cfg, 0);
        try {
            model.loadWeights(ckpt);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw new IllegalArgumentException(file + ": config/checkpoint mismatch: " + e.getMessage(), e);
        }
    }

    /** Metadata that makes a weights file self-contained (config is added by the model itself). */
    public static Map<String, String> exportMetadata(BpeTokenizer tokenizer, GlobalCmvn cmvn) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Checkpoint.TOKENIZER, tokenizer.toJson());
        meta.put(Artifacts.CMVN, cmvn.toJson());
        return meta;
    }

    @Override public void close() { model.close(); }
}
