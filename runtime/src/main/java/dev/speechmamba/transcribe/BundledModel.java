package dev.speechmamba.transcribe;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The default model shipped inside the runtime jar as one self-contained safetensors resource (config, tokenizer
 * and CMVN in its metadata), so that {@code transcribe} and {@code serve} work before anything is trained.
 * {@code examples/recipe-default-model.sh} trains it and installs it under {@code src/main/resources}; its card
 * ({@link #CARD_RESOURCE}) says how.
 */
public final class BundledModel {
    /** Classpath resource of the default model's weights. */
    public static final String RESOURCE = "/dev/speechmamba/models/default/model.safetensors";
    /** How the default model was trained and how well it does (Markdown). */
    public static final String CARD_RESOURCE = "/dev/speechmamba/models/default/MODEL.md";

    private BundledModel() { }

    /** Whether this build carries the default model. */
    public static boolean available() { return available(RESOURCE); }

    static boolean available(String resource) { return BundledModel.class.getResource(resource) != null; }

    /** Loads the default model onto {@code backend}. */
    public static ModelFolder.Loaded load(Backend backend) throws IOException { return load(RESOURCE, backend); }

    /**
     * Loads a model resource. The safetensors reader works on files (random access), so the resource is copied to
     * a private temporary folder that is deleted as soon as the weights are read; the folder is fresh, so no stray
     * {@code tokenizer.json} or {@code cmvn.json} can be picked up beside it: the metadata must hold the tokenizer.
     */
    public static ModelFolder.Loaded load(String resource, Backend backend) throws IOException {
        return ModelFolder.load(readCheckpoint(resource), null, "classpath:" + resource, backend);
    }

    /** Reads a safetensors resource (weights, or a neural LM beside them) through a private temporary file. */
    static Checkpoint readCheckpoint(String resource) throws IOException {
        String name = "classpath:" + resource;
        try (InputStream in = BundledModel.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new NoSuchFileException(name, null, "this build has no bundled model (the resource is not on the "
                        + "classpath); pass --model DIR or set $" + ModelSource.MODEL_ENV + ", or train and install one "
                        + "with examples/recipe-default-model.sh");
            }
            Path dir = Files.createTempDirectory("speech-mamba-model-");
            Path file = dir.resolve(ModelFolder.WEIGHTS);
            try {
                Files.copy(in, file);
                return Checkpoint.load(file);
            } catch (IOException e) {
                throw new IOException(name + " (read through " + file + "): " + e.getMessage(), e);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        }
    }
}
