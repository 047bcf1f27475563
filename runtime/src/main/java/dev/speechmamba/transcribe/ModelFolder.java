package dev.speechmamba.transcribe;

import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A trained model on disk: {@code DIR/model.safetensors} (or a {@code .safetensors} file named directly) whose
 * metadata holds the model config ({@link Checkpoint#CONFIG}), the tokenizer JSON ({@link Checkpoint#TOKENIZER})
 * and optionally the global CMVN statistics JSON ({@link #CMVN}). A tokenizer or CMVN missing from the metadata
 * is read from {@code tokenizer.json} / {@code cmvn.json} beside the weights.
 */
public final class ModelFolder {
    /** Weights file inside a model folder. */
    public static final String WEIGHTS = "model.safetensors";
    /** Metadata key of the global CMVN statistics (the JSON that {@link GlobalCmvn#save} writes). */
    public static final String CMVN = "cmvn";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String CMVN_FILE = "cmvn.json";

    private ModelFolder() { }

    /**
     * What a model folder holds, with the model built on a backend.
     *
     * @param source where the weights came from (a file path, or the classpath resource of a bundled model)
     */
    public record Loaded(AsrModel model, BpeTokenizer tokenizer, Optional<GlobalCmvn> cmvn, String source) { }

    /** The weights file a model path names. */
    public static Path weightsFile(Path modelPath) throws IOException {
        if (Files.isDirectory(modelPath)) {
            Path weights = modelPath.resolve(WEIGHTS);
            if (!Files.isRegularFile(weights)) {
                throw new NoSuchFileException(weights.toString(), null, "model folder " + modelPath + " has no " + WEIGHTS);
            }
            return weights;
        }
        if (!Files.exists(modelPath)) throw new NoSuchFileException(modelPath.toString(), null, "no such model folder or file");
        return modelPath;
    }

    /** Loads weights, tokenizer and CMVN, and checks that they belong together. */
    public static Loaded load(Path modelPath, Backend backend) throws IOException {
        Path weights = weightsFile(modelPath);
        return load(Checkpoint.load(weights), weights.toAbsolutePath().getParent(), weights.toString(), backend);
    }

    /**
     * Builds the model of a checkpoint already read.
     *
     * @param siblingDir where {@code tokenizer.json} / {@code cmvn.json} are looked for when the metadata lacks
     *                   them; null when the checkpoint has no folder (then the metadata must hold the tokenizer)
     * @param weights    names the checkpoint in messages
     */
    static Loaded load(Checkpoint checkpoint, Path siblingDir, String weights, Backend backend) throws IOException {
        Path dir = siblingDir;
        String configJson = checkpoint.config().orElseThrow(() -> new IOException(weights
                + ": not a model checkpoint (no '" + Checkpoint.CONFIG + "' in its metadata)"));
        ModelConfig config;
        try {
            config = ModelConfig.fromJson(configJson);
        } catch (IllegalArgumentException e) {
            throw new IOException(weights + ": bad model config in metadata: " + e.getMessage(), e);
        }
        BpeTokenizer tokenizer = readTokenizer(checkpoint, dir, weights);
        try {
            checkTokenizer(config, tokenizer, weights.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        Optional<GlobalCmvn> cmvn = readCmvn(checkpoint, dir, weights);
        if (cmvn.isPresent() && cmvn.get().dims() != config.featureDim()) {
            throw new IOException(weights + ": CMVN statistics have " + cmvn.get().dims() + " dims but the model expects "
                    + config.featureDim() + " features");
        }
        AsrModel model;
        try {
            model = AsrModel.fromCheckpoint(backend, checkpoint);
        } catch (IllegalArgumentException e) {
            throw new IOException(weights + ": " + e.getMessage(), e);
        }
        return new Loaded(model, tokenizer, cmvn, weights);
    }

    /** The vocabulary convention shared by model and tokenizer (see {@link ModelConfig#requireVocabulary}). */
    public static void checkTokenizer(ModelConfig config, BpeTokenizer tokenizer, String where) {
        config.requireVocabulary(tokenizer.vocabSize(), tokenizer.blankId(), tokenizer.sosEosId(), where);
    }

    private static BpeTokenizer readTokenizer(Checkpoint checkpoint, Path dir, String weights) throws IOException {
        String json = checkpoint.metadata().get(Checkpoint.TOKENIZER);
        if (json != null) return BpeTokenizer.fromJson(json, weights + " (metadata 'tokenizer')");
        if (dir == null) throw new IOException(weights + ": no tokenizer ('" + Checkpoint.TOKENIZER + "' is not in the metadata)");
        Path file = dir.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(weights + ": no tokenizer (neither '" + Checkpoint.TOKENIZER + "' in the metadata nor " + file + ")");
        }
        return BpeTokenizer.load(file);
    }

    private static Optional<GlobalCmvn> readCmvn(Checkpoint checkpoint, Path dir, String weights) throws IOException {
        String json = checkpoint.metadata().get(CMVN);
        if (json != null) return Optional.of(GlobalCmvn.fromJson(json, weights + " (metadata 'cmvn')"));
        if (dir == null) return Optional.empty();
        Path file = dir.resolve(CMVN_FILE);
        return Files.isRegularFile(file) ? Optional.of(GlobalCmvn.load(file)) : Optional.empty();
    }

    /** Writes a model folder (weights with config, tokenizer and CMVN in the metadata), e.g. for tests and export. */
    public static void save(Path dir, AsrModel model, BpeTokenizer tokenizer, GlobalCmvn cmvn) throws IOException {
        checkTokenizer(model.config(), tokenizer, dir.toString());
        Files.createDirectories(dir);
        java.util.Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put(Checkpoint.TOKENIZER, tokenizer.toJson());
        if (cmvn != null) meta.put(CMVN, cmvn.toJson());
        model.toCheckpoint(meta).save(dir.resolve(WEIGHTS));
    }
}
